"""In-process fakes for the vendor boundaries, for tests of the modules that use them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from ..errors import GenerationError
from .generation import Generator, Message, OnDelta, OnRetry
from .llm_failures import EMPTY_HINT
from .reasoning import strip_reasoning


class ScriptedGenerator(Generator):
    """In-process fake for tests of other modules: replies from a function or a list, streamed in pieces.

    A list item that is an exception is raised instead of replying. Every call's messages are recorded
    in `calls` (copies), its temperature in `temperatures`. As the real generator does, a reply's reasoning
    (`<think>…</think>`) is removed and an empty reply raises `GenerationError`.
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
        reply = strip_reasoning(reply) if "think>" in reply or "thinking>" in reply or "reasoning>" in reply else reply
        if not reply.strip():
            raise GenerationError(f"模型 {self.name} 返回了空内容", hint=EMPTY_HINT)
        size = -(-len(reply) // self.pieces)
        for start in range(0, len(reply), size):
            await asyncio.sleep(self.delay)
            if on_delta is not None:
                on_delta(reply[start : start + size])
        return reply
