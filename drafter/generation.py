"""The LLM boundary: one `Generator` interface, an OpenAI-compatible implementation, and a scripted fake.

`OpenAIGenerator` talks to any OpenAI-compatible endpoint (OpenAI, DeepSeek, Qwen compatible mode, vLLM,
Ollama) through `openai.AsyncOpenAI` with the library's retries turned off: it runs its own loop so that a
stream that stalls or is cut mid-way is retried too. Streamed pieces go to `on_delta`; before every retry
`on_retry(attempt, reason)` tells the caller to throw away what it has shown so far. Failures end in a
`GenerationError` whose Chinese message names the cause and the variable to fix. The API key never
appears in a message or a log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import json
import logging
import random
import re
import ssl
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx2
import openai
from pydantic import SecretStr

from drafter.errors import ConfigError, GenerationError

if TYPE_CHECKING:
    from drafter.settings import Settings

Message = dict[str, str]
DeltaCallback = Callable[[str], None]
RetryCallback = Callable[[int, str], None]
OnDelta = DeltaCallback | None
OnRetry = RetryCallback | None
Client = openai.AsyncOpenAI

DEFAULT_BASE_URL = "https://api.openai.com/v1"
NO_KEY_PLACEHOLDER = "not-needed"  # sent to keyless endpoints (Ollama, vLLM): the client insists on some key
NO_RETRY_STATUSES = frozenset({400, 401, 403, 404, 422})

log = logging.getLogger(__name__)


class Generator(ABC):
    """Something that turns chat messages into text. `name` is shown to users (model name or "offline")."""

    name: str = "generator"

    @abstractmethod
    async def complete(
        self, messages: list[Message], *, on_delta: OnDelta = None, on_retry: OnRetry = None,
        temperature: float = 0.3,
    ) -> str:
        """Return the whole reply; call `on_delta(piece)` for each streamed piece.

        `on_retry(attempt, reason)` is called before attempt number `attempt` (2, 3, ...) starts: every piece
        delivered since the previous attempt began is void and should be cleared from any display.
        """

    async def aclose(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release resources. `OpenAIGenerator` keeps no connection between calls, so this is optional."""


class GenerationFailure(GenerationError):
    """A `GenerationError` from the endpoint, with the machine-readable cause."""

    def __init__(self, message: str, *, hint: str, kind: str, status: int | None, attempts: int) -> None:
        super().__init__(message, hint=hint)
        self.kind = kind  # a key of _MESSAGES: auth, not_found, rate_limit, server, connection, stall, ...
        self.status = status
        self.attempts = attempts


@dataclass
class _Failure:
    kind: str
    retryable: bool
    status: int | None = None
    detail: str = ""
    retry_after: float | None = None
    waited: float = 0.0  # for "stall": the seconds without a chunk


@dataclass
class _Lease:
    client: Client
    users: int = 0


class _AttemptFailed(Exception):
    def __init__(self, failure: _Failure) -> None:
        super().__init__(failure.kind)
        self.failure = failure


_REASONS = {
    "rate_limit": "请求被限流", "server": "服务器错误", "connection": "连接失败", "timeout": "请求超时",
    "stall": "流式输出停滞", "dropped": "流式输出中途断开", "truncated": "流式输出未正常结束",
    "empty": "模型返回空内容", "stream_error": "输出过程中服务端报错",
}
_NETWORK_HINT = "请检查 OPENAI_BASE_URL 与网络，或稍后重试"
_EMPTY_HINT = "请检查 DRAFTER_MODEL 是否为对话模型，或稍后重试"
# kind -> (message, hint); placeholders: tried, detail, url, model, status, timeout, waited
_MESSAGES: dict[str, tuple[str, str]] = {
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
    "dropped": ("流式输出中途断开{tried}", _NETWORK_HINT),
    "truncated": ("流式输出未正常结束（缺少 finish_reason）{tried}", _NETWORK_HINT),
    "empty": ("模型 {model} 返回了空内容{tried}", _EMPTY_HINT),
    "stream_error": ("模型服务在输出过程中报错{detail}{tried}", "请稍后重试；若持续出现，请检查模型服务状态"),
    "other": ("调用模型服务失败{detail}{tried}", _NETWORK_HINT),
}
_SECRET_RE = re.compile(r"(sk-|Bearer\s+|key[=:]\s*)[A-Za-z0-9_\-*.]{4,}", re.IGNORECASE)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Loading the CA bundle costs ~20 ms; every client (one per draft) shares one context."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _safe_url(url: str) -> str:
    """The URL without credentials or query string, fit to show in a message."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _retry_after(headers: Any) -> float | None:
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


class OpenAIGenerator(Generator):
    """Chat completions from an OpenAI-compatible endpoint, streamed, with retries and readable errors."""

    def __init__(
        self, *, api_key: str | SecretStr | None = None, base_url: str | None = None,
        model: str = "gpt-4o-mini", timeout: float = 120.0, max_retries: int = 3, stream: bool = True,
        stall_timeout: float | None = None, first_chunk_timeout: float | None = None,
        backoff_base: float = 0.5, backoff_max: float = 8.0, retry_after_cap: float = 60.0,
    ) -> None:
        """`stall_timeout`: most seconds between two chunks (default min(timeout, 30)); `first_chunk_timeout`:
        most seconds until the first chunk (default `timeout`). Retry waits: exponential from `backoff_base`
        up to `backoff_max`, with jitter; a server's retry-after is honoured up to `retry_after_cap`."""
        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        if not key and not base_url:
            raise ConfigError(
                "未配置模型服务的 API 密钥",
                hint="请设置 OPENAI_API_KEY；若使用无需密钥的本地服务（Ollama、vLLM），"
                "请设置 OPENAI_BASE_URL",
            )
        if timeout <= 0 or max_retries < 0:
            raise ConfigError("DRAFTER_TIMEOUT 须大于 0，DRAFTER_MAX_RETRIES 不能为负数")
        self._api_key = key or NO_KEY_PLACEHOLDER
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.model = self.name = model
        self.timeout = timeout
        self.max_retries = max_retries
        self.stream = stream
        self.stall_timeout = stall_timeout if stall_timeout is not None else min(timeout, 30.0)
        self.first_chunk_timeout = first_chunk_timeout if first_chunk_timeout is not None else timeout
        self.backoff_base, self.backoff_max, self.retry_after_cap = backoff_base, backoff_max, retry_after_cap
        self._send_temperature = True  # turned off once a model rejects a non-default temperature
        self._leases: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Lease] = (
            weakref.WeakKeyDictionary()
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, *, api_key: str | SecretStr | None = None, base_url: str | None = None,
        model: str | None = None, timeout: float | None = None, max_retries: int | None = None,
        stream: bool = True, stall_timeout: float | None = None,
    ) -> OpenAIGenerator:
        """Build from `Settings`; any argument given here beats the setting."""
        return cls(
            api_key=api_key if api_key is not None else settings.openai_api_key,
            base_url=base_url if base_url is not None else settings.openai_base_url,
            model=model if model is not None else settings.model,
            timeout=timeout if timeout is not None else settings.request_timeout,
            max_retries=max_retries if max_retries is not None else settings.max_retries,
            stream=stream,
            stall_timeout=stall_timeout,
        )

    def __repr__(self) -> str:
        url = _safe_url(self.base_url)
        return f"OpenAIGenerator(model={self.model!r}, base_url={url!r}, stream={self.stream})"

    # ---- public ------------------------------------------------------------------------------------
    async def complete(
        self, messages: list[Message], *, on_delta: OnDelta = None, on_retry: OnRetry = None,
        temperature: float = 0.3,
    ) -> str:
        request: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": temperature}
        attempts = self.max_retries + 1
        failure: _Failure | None = None
        attempt = 0
        async with self._lease() as client:
            for attempt in range(1, attempts + 1):
                if failure is not None:
                    delay, reason = self._delay(attempt - 1, failure), self._reason(failure)
                    log.warning("请求失败（%s），%.1f 秒后第 %d/%d 次尝试", reason, delay, attempt, attempts)
                    if on_retry is not None:
                        on_retry(attempt, reason)
                    await asyncio.sleep(delay)
                try:
                    return await self._attempt(client, request, on_delta)
                except _AttemptFailed as exc:
                    failure = exc.failure
                except openai.OpenAIError as exc:
                    failure = self._classify(exc)
                if not failure.retryable:
                    break
        assert failure is not None
        raise self._error(failure, attempt) from None

    # ---- one attempt -------------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def _lease(self) -> AsyncIterator[Client]:
        """A client shared by the calls running concurrently on this event loop, closed by the last one.

        Pooled connections belong to the loop that opened them, so a client must not outlive its calls:
        a CLI that runs `asyncio.run()` twice would otherwise reuse sockets of a closed loop.
        """
        loop = asyncio.get_running_loop()
        lease = self._leases.get(loop)
        if lease is None:
            timeout = openai.Timeout(self.timeout, connect=min(self.timeout, 10.0))
            http = openai.DefaultAsyncHttpxClient(verify=_ssl_context(), timeout=timeout)
            client = Client(api_key=self._api_key, base_url=self.base_url, timeout=timeout, max_retries=0,
                            http_client=http)
            lease = self._leases[loop] = _Lease(client)
        lease.users += 1
        try:
            yield lease.client
        finally:
            lease.users -= 1
            if lease.users == 0:
                self._leases.pop(loop, None)
                await lease.client.close()

    async def _attempt(self, client: Client, request: dict[str, Any], on_delta: OnDelta) -> str:
        if not self._send_temperature:
            request.pop("temperature", None)
        try:
            return await self._request(client, request, on_delta)
        except openai.BadRequestError as exc:
            # Reasoning models (o1, o3, ...) accept only the default temperature: drop it and ask again.
            if "temperature" not in request or "temperature" not in f"{exc.param} {exc.message}".lower():
                raise
            log.info("模型 %s 不支持设置 temperature，改用默认值", self.model)
            self._send_temperature = False
            request.pop("temperature")
            return await self._request(client, request, on_delta)

    async def _request(self, client: Client, request: dict[str, Any], on_delta: OnDelta) -> str:
        if self.stream:
            return await self._stream(client, request, on_delta)
        response = await client.chat.completions.create(**request)
        choices = getattr(response, "choices", None) or []
        text = (choices[0].message.content if choices and choices[0].message else None) or ""
        if not text.strip():
            raise _AttemptFailed(_Failure("empty", retryable=True))
        if choices[0].finish_reason == "length":
            log.warning("模型 %s 的输出达到长度上限，可能不完整", self.model)
        if on_delta is not None:
            on_delta(text)
        return text

    async def _stream(self, client: Client, request: dict[str, Any], on_delta: OnDelta) -> str:
        """Stream through the `openai` client's raw response and decode the server-sent events ourselves.

        The library's typed stream builds a pydantic model per chunk; at a few characters a chunk that was
        ~150 ms of CPU per draft, most of the pipeline's own overhead. Status errors, auth, base URL and
        timeouts still go through the client (the request is made on entering the context manager).
        """
        parts: list[str] = []
        finish: str | None = None
        received = False
        async with client.chat.completions.with_streaming_response.create(**request, stream=True) as response:
            lines = response.iter_lines().__aiter__()
            data_lines: list[str] = []
            while True:
                limit = self.stall_timeout if received else self.first_chunk_timeout
                deadline = asyncio.timeout(limit)
                try:
                    async with deadline:
                        line = await anext(lines)
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    if deadline.expired():
                        raise _AttemptFailed(_Failure("stall", retryable=True, waited=limit)) from None
                    raise
                except (openai.APIConnectionError, httpx2.TransportError) as exc:
                    if received and not isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException):
                        raise _AttemptFailed(_Failure("dropped", retryable=True)) from None
                    if isinstance(exc, httpx2.TransportError):
                        raise openai.APIConnectionError(request=response.http_request) from None
                    raise
                if line.startswith("data:"):
                    data_lines.append(line[5:].lstrip())
                    continue
                if line or not data_lines:
                    continue  # comments, event names, keep-alives
                data, data_lines = "\n".join(data_lines), []
                if data.startswith("[DONE]"):
                    break
                received = True
                piece, finish = self._decode(data, response, finish)
                if piece:
                    parts.append(piece)
                    if on_delta is not None:
                        on_delta(piece)
        text = "".join(parts)
        if finish is None:  # the body ended without a finish_reason: cut by a proxy or a crashed worker
            raise _AttemptFailed(_Failure("truncated" if text else "empty", retryable=True))
        if not text.strip():
            raise _AttemptFailed(_Failure("empty", retryable=True))
        if finish == "length":
            log.warning("模型 %s 的输出达到长度上限，可能不完整", self.model)
        return text

    @staticmethod
    def _decode(data: str, response: Any, finish: str | None) -> tuple[str, str | None]:
        """One chunk's text and finish reason; an error event becomes the library's APIError."""
        try:
            chunk = json.loads(data)
        except json.JSONDecodeError:
            return "", finish
        if isinstance(chunk, dict) and chunk.get("error"):
            error = chunk["error"]
            message = error.get("message") if isinstance(error, dict) else None
            raise openai.APIError(message=str(message or "An error occurred during streaming"),
                                  request=response.http_request, body=error)
        piece = ""
        for choice in (chunk.get("choices") or []) if isinstance(chunk, dict) else []:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            piece += (choice.get("delta") or {}).get("content") or ""
            finish = choice.get("finish_reason") or finish
        return piece, finish

    # ---- failures ----------------------------------------------------------------------------------
    def _classify(self, exc: openai.OpenAIError) -> _Failure:
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            body = exc.body if isinstance(exc.body, dict) else {}
            detail = self._redact(str(body.get("message") or exc.message))
            headers = exc.response.headers
            kinds = {401: "auth", 403: "forbidden", 404: "not_found", 429: "rate_limit"}
            kind = kinds.get(status) or ("server" if status >= 500 or status in (408, 409) else "bad_request")
            retryable = status not in NO_RETRY_STATUSES and kind != "bad_request"
            retryable = retryable and headers.get("x-should-retry") != "false"
            return _Failure(kind, retryable, status, detail, _retry_after(headers))
        if isinstance(exc, openai.APITimeoutError):
            return _Failure("timeout", True)
        if isinstance(exc, openai.APIConnectionError):
            return _Failure("connection", True, detail=type(exc.__cause__).__name__ if exc.__cause__ else "")
        if isinstance(exc, openai.APIError):  # an error event inside the stream
            return _Failure("stream_error", True, detail=self._redact(exc.message))
        return _Failure("other", False, detail=self._redact(str(exc)))

    def _delay(self, retry: int, failure: _Failure) -> float:
        if failure.retry_after is not None:
            return min(failure.retry_after, self.retry_after_cap)
        backoff = min(self.backoff_max, self.backoff_base * 2 ** (retry - 1))
        return backoff * random.uniform(0.5, 1.0)

    def _reason(self, failure: _Failure) -> str:
        reason = _REASONS.get(failure.kind, "请求失败")
        if failure.status is not None:
            reason += f"（HTTP {failure.status}）"
        if failure.kind == "stall":
            reason += f"（超过 {failure.waited:g} 秒无新内容）"
        return reason

    def _redact(self, text: str) -> str:
        if len(self._api_key) >= 4:
            text = text.replace(self._api_key, "***")
        text = _SECRET_RE.sub(lambda m: m.group(1) + "***", text)
        return text if len(text) <= 200 else text[:200] + "…"

    def _error(self, f: _Failure, attempts: int) -> GenerationFailure:
        message, hint = _MESSAGES.get(f.kind, _MESSAGES["other"])
        fields = {
            "tried": f"（共尝试 {attempts} 次）" if attempts > 1 else "",
            "detail": f"：{f.detail}" if f.detail else "",
            "url": _safe_url(self.base_url), "model": self.model, "status": f.status,
            "timeout": f"{self.timeout:g}", "waited": f"{f.waited:g}",
        }
        text, hint = message.format(**fields), hint.format(**fields)
        return GenerationFailure(text, hint=hint, kind=f.kind, status=f.status, attempts=attempts)


class ScriptedGenerator(Generator):
    """In-process fake for tests of other modules: replies from a function or a list, streamed in pieces.

    A list item that is an exception is raised instead of replying. Every call's messages are recorded
    in `calls` (copies), its temperature in `temperatures`. An empty reply raises `GenerationError`, as the
    real generator does.
    """

    def __init__(
        self, replies: Callable[[list[Message]], str] | Sequence[str | BaseException], *,
        name: str = "scripted", pieces: int = 3, delay: float = 0.0,
    ) -> None:
        self.name = name
        self._replies = replies
        self._next = 0
        self.pieces = max(1, pieces)
        self.delay = delay
        self.calls: list[list[Message]] = []
        self.temperatures: list[float] = []

    @property
    def last_messages(self) -> list[Message]:
        if not self.calls:
            raise AssertionError("ScriptedGenerator was never called")
        return self.calls[-1]

    async def complete(
        self, messages: list[Message], *, on_delta: OnDelta = None, on_retry: OnRetry = None,
        temperature: float = 0.3,
    ) -> str:
        self.calls.append([dict(m) for m in messages])
        self.temperatures.append(temperature)
        if callable(self._replies):
            reply: str | BaseException = self._replies(messages)
        else:
            if self._next >= len(self._replies):
                raise AssertionError(f"ScriptedGenerator has no reply left for call {len(self.calls)}")
            reply = self._replies[self._next]
            self._next += 1
        if isinstance(reply, BaseException):
            raise reply
        if not reply.strip():
            raise GenerationError(f"模型 {self.name} 返回了空内容", hint=_EMPTY_HINT)
        size = -(-len(reply) // self.pieces)
        for start in range(0, len(reply), size):
            await asyncio.sleep(self.delay)
            if on_delta is not None:
                on_delta(reply[start : start + size])
        return reply
