"""The LLM boundary: one `Generator` interface, an OpenAI-compatible implementation, and a scripted fake.

`OpenAIGenerator` talks to any OpenAI-compatible endpoint (OpenAI, DeepSeek, Qwen compatible mode, vLLM,
Ollama) through `openai.AsyncOpenAI` with the library's retries turned off: it runs its own loop so that a
stream that stalls or is cut mid-way is retried too. Streamed pieces go to `on_delta`; before every retry
`on_retry(attempt, reason)` tells the caller to throw away what it has shown so far. Failures end in a
`GenerationError` whose Chinese message names the cause and the variable to fix. The API key never
appears in a message or a log line.

Real models' habits handled here: reasoning (`<think>…</think>` in the content, a lone `</think>`,
`reasoning_content` deltas) is never returned nor streamed (reasoning.py); a reply with nothing but
reasoning counts as empty and is retried; a reply cut at the length limit gets one continuation request
(`Reply.truncated` when it is still cut). `DRAFTER_EXTRA_BODY` is merged into every request and
`DRAFTER_TEMPERATURE` replaces the caller's temperature.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import ssl
import weakref
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import openai
from pydantic import SecretStr

from drafter.errors import ConfigError, GenerationError

from .llm_failures import MESSAGES, AttemptFailed, Failure, classify, parse_extra_body, reason_for, redact, safe_url
from .postprocess import join_continuation
from .reasoning import strip_reasoning
from .streaming import READ_EVERY, StreamReader
from .transport import http_client

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
CONTINUE_PROMPT = "你的回答因长度限制被截断了。请紧接着上文最后一个字继续写完，不要重复已写的内容，不要加任何说明。"
REASONING_HIDDEN = "已隐藏模型的推理过程"

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
        delivered since the previous attempt began is void and should be cleared from any display. It is also
        called with the current attempt when text already delivered turns out to be the model's reasoning.
        """

    async def reply(
        self, messages: list[Message], *, on_delta: OnDelta = None, on_retry: OnRetry = None,
        temperature: float = 0.3,
    ) -> Reply:
        """As `complete`, with how the reply ended. This default knows only the text."""
        return Reply(await self.complete(messages, on_delta=on_delta, on_retry=on_retry, temperature=temperature))

    async def aclose(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release resources. `OpenAIGenerator` keeps no connection between calls, so this is optional."""


class GenerationFailure(GenerationError):
    """A `GenerationError` from the endpoint, with the machine-readable cause."""

    def __init__(self, message: str, *, hint: str, kind: str, status: int | None, attempts: int) -> None:
        super().__init__(message, hint=hint)
        self.kind = kind  # a key of MESSAGES: auth, not_found, rate_limit, server, connection, stall, ...
        self.status = status
        self.attempts = attempts


@dataclass
class Reply:
    """A whole reply: the answer's text (no reasoning) and how it ended."""

    text: str
    finish_reason: str | None = "stop"
    continued: bool = False  # it was cut at the length limit and a continuation was asked for
    truncated: bool = False  # still cut at the length limit after that continuation


@dataclass
class _Lease:
    client: Client
    users: int = 0


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Loading the CA bundle costs ~20 ms; every client (one per draft) shares one context."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


class OpenAIGenerator(Generator):
    """Chat completions from an OpenAI-compatible endpoint, streamed, with retries and readable errors."""

    def __init__(
        self, *, api_key: str | SecretStr | None = None, base_url: str | None = None,
        model: str = "gpt-4o-mini", timeout: float = 120.0, max_retries: int = 3, stream: bool = True,
        stall_timeout: float | None = None, first_chunk_timeout: float | None = None,
        backoff_base: float = 0.5, backoff_max: float = 8.0, retry_after_cap: float = 60.0,
        temperature: float | None = None, extra_body: Mapping[str, Any] | str | None = None,
    ) -> None:
        """`stall_timeout`: most seconds between two chunks (default min(timeout, 30)); `first_chunk_timeout`:
        most seconds until the first chunk (default `timeout`). Retry waits: exponential from `backoff_base`
        up to `backoff_max`, with jitter; a server's retry-after is honoured up to `retry_after_cap`.
        `temperature`: used instead of every caller's; `extra_body`: merged into every request body."""
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
        self.read_every = READ_EVERY
        self.backoff_base, self.backoff_max, self.retry_after_cap = backoff_base, backoff_max, retry_after_cap
        self._send_temperature = True  # turned off once a model rejects a non-default temperature
        self.temperature = temperature
        self.extra_body = parse_extra_body(extra_body)
        self._starts_in_reasoning = False  # set once a reply had a `</think>` without its `<think>`
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
            timeout=timeout if timeout is not None else settings.timeout,
            max_retries=max_retries if max_retries is not None else settings.max_retries,
            stream=stream,
            stall_timeout=stall_timeout,
            temperature=settings.temperature,
            extra_body=settings.extra_body,
        )

    def __repr__(self) -> str:
        url = safe_url(self.base_url)
        return f"OpenAIGenerator(model={self.model!r}, base_url={url!r}, stream={self.stream})"

    # ---- public ------------------------------------------------------------------------------------
    async def complete(
        self, messages: list[Message], *, on_delta: OnDelta = None, on_retry: OnRetry = None,
        temperature: float = 0.3,
    ) -> str:
        return (await self.reply(messages, on_delta=on_delta, on_retry=on_retry, temperature=temperature)).text

    async def reply(
        self, messages: list[Message], *, on_delta: OnDelta = None, on_retry: OnRetry = None,
        temperature: float = 0.3,
    ) -> Reply:
        """The answer (reasoning removed); a reply cut at the length limit is continued once."""
        request: dict[str, Any] = {
            "model": self.model, "messages": messages,
            "temperature": self.temperature if self.temperature is not None else temperature,
        }
        if self.extra_body:
            request["extra_body"] = dict(self.extra_body)
        async with self._lease() as client:
            text, finish = await self._run(client, request, on_delta, on_retry)
            if finish != "length":
                return Reply(text, finish)
            log.warning("模型 %s 的输出达到长度上限，请求续写一次", self.model)
            more_request = {**request, "messages": [*messages, {"role": "assistant", "content": text},
                                                    {"role": "user", "content": CONTINUE_PROMPT}]}

            def replay(attempt: int, reason: str) -> None:  # a retried continuation: show the first part again
                if on_retry is not None:
                    on_retry(attempt, reason)
                if on_delta is not None:
                    on_delta(text)

            try:
                more, finish = await self._run(client, more_request, on_delta, replay)
            except GenerationError as exc:
                log.warning("续写失败：%s", exc)
                return Reply(text, "length", continued=True, truncated=True)
        if finish == "length":
            log.warning("模型 %s 续写后仍达到长度上限，输出可能不完整", self.model)
        return Reply(join_continuation(text, more), finish, continued=True, truncated=finish == "length")

    async def _run(self, client: Client, request: dict[str, Any], on_delta: OnDelta, on_retry: OnRetry
                   ) -> tuple[str, str | None]:
        """One request with its retries: the answer and its finish reason."""
        attempts = self.max_retries + 1
        failure: Failure | None = None
        attempt = 0
        for attempt in range(1, attempts + 1):
            if failure is not None:
                delay, reason = self._delay(attempt - 1, failure), self._reason(failure)
                log.warning("请求失败（%s），%.1f 秒后第 %d/%d 次尝试", reason, delay, attempt, attempts)
                if on_retry is not None:
                    on_retry(attempt, reason)
                await asyncio.sleep(delay)
            on_clear = functools.partial(on_retry, attempt, REASONING_HIDDEN) if on_retry is not None else None
            try:
                return await self._attempt(client, request, on_delta, on_clear)
            except AttemptFailed as exc:
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
            http = http_client(_ssl_context(), timeout)
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

    async def _attempt(self, client: Client, request: dict[str, Any], on_delta: OnDelta,
                       on_clear: Callable[[], None] | None = None) -> tuple[str, str | None]:
        if not self._send_temperature:
            request.pop("temperature", None)
        try:
            return await self._request(client, request, on_delta, on_clear)
        except openai.BadRequestError as exc:
            # Reasoning models (o1, o3, ...) accept only the default temperature: drop it and ask again.
            if "temperature" not in request or "temperature" not in f"{exc.param} {exc.message}".lower():
                raise
            log.info("模型 %s 不支持设置 temperature，改用默认值", self.model)
            self._send_temperature = False
            request.pop("temperature")
            return await self._request(client, request, on_delta, on_clear)

    async def _request(self, client: Client, request: dict[str, Any], on_delta: OnDelta,
                       on_clear: Callable[[], None] | None) -> tuple[str, str | None]:
        if self.stream:
            return await self._stream(client, request, on_delta, on_clear)
        response = await client.chat.completions.create(**request)
        choices = getattr(response, "choices", None) or []
        raw = (choices[0].message.content if choices and choices[0].message else None) or ""
        text = strip_reasoning(raw)  # reasoning_content, a separate field, is never read
        if not text.strip():
            raise AttemptFailed(Failure("empty", retryable=True))
        if on_delta is not None:
            on_delta(text)
        return text, choices[0].finish_reason

    async def _stream(self, client: Client, request: dict[str, Any], on_delta: OnDelta,
                      on_clear: Callable[[], None] | None = None) -> tuple[str, str | None]:
        """Stream the reply; the request goes through the `openai` client, the body is read by StreamReader.

        Reasoning is filtered out of the pieces as they come (`ReasoningFilter`); `on_clear` is called when
        text already passed on turns out to have been reasoning.
        """
        reader = StreamReader(first_chunk_timeout=self.first_chunk_timeout, stall_timeout=self.stall_timeout,
                              read_every=self.read_every, expect_reasoning=self._starts_in_reasoning)
        async with client.chat.completions.with_streaming_response.create(**request, stream=True) as response:
            await reader.read(response, on_delta, on_clear)
        shown, finish = reader.shown, reader.finish
        if finish is None:  # the body ended without a finish_reason: cut by a proxy or a crashed worker
            raise AttemptFailed(Failure("truncated" if reader.raw else "empty", retryable=True))
        rest = shown.flush()
        if rest and on_delta is not None:
            on_delta(rest)
        if shown.lone_close:
            self._starts_in_reasoning = True  # this model's replies start inside the reasoning: hold them
        if not shown.text.strip():
            raise AttemptFailed(Failure("empty", retryable=True))
        return shown.text, finish

    # ---- failures ----------------------------------------------------------------------------------
    def _classify(self, exc: openai.OpenAIError) -> Failure:
        return classify(exc, self._redact)

    def _delay(self, retry: int, failure: Failure) -> float:
        if failure.retry_after is not None:
            return min(failure.retry_after, self.retry_after_cap)
        backoff = min(self.backoff_max, self.backoff_base * 2 ** (retry - 1))
        return backoff * random.uniform(0.5, 1.0)

    def _reason(self, failure: Failure) -> str:
        return reason_for(failure)

    def _redact(self, text: str) -> str:
        return redact(text, self._api_key)

    def _error(self, f: Failure, attempts: int) -> GenerationFailure:
        message, hint = MESSAGES.get(f.kind, MESSAGES["other"])
        fields = {
            "tried": f"（共尝试 {attempts} 次）" if attempts > 1 else "",
            "detail": f"：{f.detail}" if f.detail else "",
            "url": safe_url(self.base_url), "model": self.model, "status": f.status,
            "timeout": f"{self.timeout:g}", "waited": f"{f.waited:g}",
        }
        text, hint = message.format(**fields), hint.format(**fields)
        return GenerationFailure(text, hint=hint, kind=f.kind, status=f.status, attempts=attempts)

