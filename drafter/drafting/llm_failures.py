"""The vocabulary of LLM call failures: what went wrong, whether to retry, and the message that says how
to fix it (which variable to set), and the provider options a user sets (DRAFTER_EXTRA_BODY). Used by
generation.py; kept apart so the client code stays readable."""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import openai

from ..errors import ConfigError


@dataclass
class Failure:
    kind: str
    retryable: bool
    status: int | None = None
    detail: str = ""
    retry_after: float | None = None
    waited: float = 0.0  # for "stall": the seconds without a chunk


class AttemptFailed(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.kind)
        self.failure = failure


NO_RETRY_STATUSES = frozenset({400, 401, 403, 404, 422})
REASONS = {
    "rate_limit": "请求被限流", "server": "服务器错误", "connection": "连接失败", "timeout": "请求超时",
    "stall": "流式输出停滞", "dropped": "流式输出中途断开", "truncated": "流式输出未正常结束",
    "empty": "模型返回空内容", "stream_error": "输出过程中服务端报错",
}
NETWORK_HINT = "请检查 OPENAI_BASE_URL 与网络，或稍后重试"
EMPTY_HINT = "请检查 DRAFTER_MODEL 是否为对话模型，或稍后重试"
# kind -> (message, hint); placeholders: tried, detail, url, model, status, timeout, waited
MESSAGES: dict[str, tuple[str, str]] = {
    "auth": ("模型服务拒绝了 API 密钥（HTTP 401）{detail}", "请检查 OPENAI_API_KEY 是否正确、是否已过期"),
    "forbidden": ("模型服务拒绝访问（HTTP 403）{detail}", "请检查 OPENAI_API_KEY 是否有权使用模型 {model}"),
    "not_found": (
        "找不到模型 {model} 或接口地址 {url}（HTTP 404）{detail}",
        "请检查 DRAFTER_MODEL 或 OPENAI_BASE_URL（通常以 /v1 结尾）",
    ),
    "bad_request": (
        "模型服务拒绝了请求（HTTP {status}）{detail}",
        "请检查 DRAFTER_MODEL 是否为对话模型，或调小 DRAFTER_MAX_PROMPT_TOKENS 以缩短输入",
    ),
    "rate_limit": ("模型服务限流（HTTP 429）{tried}{detail}", "请稍后重试，或降低 DRAFTER_CONCURRENCY"),
    "server": (
        "模型服务出错（HTTP {status}）{tried}{detail}",
        "请稍后重试；若持续出现，请检查模型服务状态与 OPENAI_BASE_URL",
    ),
    "connection": ("无法连接模型服务 {url}{tried}{detail}", "请检查 OPENAI_BASE_URL 与网络"),
    "timeout": (
        "模型服务响应超时（超过 {timeout} 秒）{tried}",
        "请检查 OPENAI_BASE_URL 与网络，或调大 DRAFTER_TIMEOUT",
    ),
    "stall": ("流式输出停滞：超过 {waited} 秒未收到新内容{tried}", "请稍后重试，或调大 DRAFTER_TIMEOUT"),
    "dropped": ("流式输出中途断开{tried}", NETWORK_HINT),
    "truncated": ("流式输出未正常结束（缺少 finish_reason）{tried}", NETWORK_HINT),
    "empty": ("模型 {model} 返回了空内容{tried}", EMPTY_HINT),
    "stream_error": ("模型服务在输出过程中报错{detail}{tried}", "请稍后重试；若持续出现，请检查模型服务状态"),
    "other": ("调用模型服务失败{detail}{tried}", NETWORK_HINT),
}
SECRET_RE = re.compile(r"(sk-|Bearer\s+|key[=:]\s*)[A-Za-z0-9_\-*.]{4,}", re.IGNORECASE)


def safe_url(url: str) -> str:
    """The URL without credentials or query string, fit to show in a message."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def retry_after(headers: Any) -> float | None:
    """Seconds asked by `retry-after-ms` / `retry-after` (number or HTTP date), or None."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / scale)
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is not None:
                return max(0.0, email.utils.mktime_tz(parsed) - time.time())
    return None


def parse_extra_body(raw: str | Mapping[str, Any] | None) -> dict[str, Any]:
    """DRAFTER_EXTRA_BODY: a JSON object merged into every request body (provider options)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"DRAFTER_EXTRA_BODY 不是合法的 JSON：{exc.msg}（第 {exc.pos + 1} 个字符）",
                          hint='请写成一个 JSON 对象，例如 DRAFTER_EXTRA_BODY=\'{"enable_thinking": false}\'') from None
    if not isinstance(value, dict):
        raise ConfigError("DRAFTER_EXTRA_BODY 须是一个 JSON 对象（{...}）",
                          hint='例如 DRAFTER_EXTRA_BODY=\'{"enable_thinking": false}\'')
    return value


def classify(exc: openai.OpenAIError, redact: Callable[[str], str]) -> Failure:
    """What went wrong with a request, and whether another attempt may help."""
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        body = exc.body if isinstance(exc.body, dict) else {}
        detail = redact(str(body.get("message") or exc.message))
        headers = exc.response.headers
        kinds = {401: "auth", 403: "forbidden", 404: "not_found", 429: "rate_limit"}
        kind = kinds.get(status) or ("server" if status >= 500 or status in (408, 409) else "bad_request")
        retryable = status not in NO_RETRY_STATUSES and kind != "bad_request"
        retryable = retryable and headers.get("x-should-retry") != "false"
        return Failure(kind, retryable, status, detail, retry_after(headers))
    if isinstance(exc, openai.APITimeoutError):
        return Failure("timeout", True)
    if isinstance(exc, openai.APIConnectionError):
        return Failure("connection", True, detail=type(exc.__cause__).__name__ if exc.__cause__ else "")
    if isinstance(exc, openai.APIError):  # an error event inside the stream
        return Failure("stream_error", True, detail=redact(exc.message))
    return Failure("other", False, detail=redact(str(exc)))


def reason_for(failure: Failure) -> str:
    """The retry reason shown while a section is rewritten."""
    reason = REASONS.get(failure.kind, "请求失败")
    if failure.status is not None:
        reason += f"（HTTP {failure.status}）"
    if failure.kind == "stall":
        reason += f"（超过 {failure.waited:g} 秒无新内容）"
    return reason


def redact(text: str, api_key: str) -> str:
    """No key or secret-looking token in a message; long bodies cut."""
    if len(api_key) >= 4:
        text = text.replace(api_key, "***")
    text = SECRET_RE.sub(lambda m: m.group(1) + "***", text)
    return text if len(text) <= 200 else text[:200] + "…"
