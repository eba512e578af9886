"""Reading one streamed reply: raw bytes off the response, paced reads, stall detection, reasoning held back.

The `openai` client makes the request (status errors, auth, base URL, connect timeouts stay its own); the
body is read here. Three choices keep the server's CPU per draft low (`bench/bench_team.py --part cpu`):
raw bytes split and parsed by hand (sse.py) instead of a pydantic model per chunk; reads paced at
READ_EVERY from PACE_AFTER seconds after the first chunk, so the chunks that arrived meanwhile are handled in
one go and the text goes on once per read (a reply that comes at once is not held back);
and one timeout scope for the whole stream instead of one per chunk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx2
import openai

from .llm_failures import AttemptFailed, Failure
from .reasoning import ReasoningFilter
from .sse import MAX_EVENT_BYTES, EventSplitter, EventTooLarge, decode_chunk

STALL_SLACK = 0.25  # most seconds a stall is noticed late (the timeout is pushed forward at most this often)
READ_EVERY = 0.1  # seconds between two reads of a stream (the display refreshes at this pace: runs.DELTA_EVERY)
PACE_AFTER = 0.5  # seconds after the first chunk before reads are paced: a fast reply is not held back


class StreamReader:
    """The body of one streamed reply. `first_chunk_timeout`/`stall_timeout`: most seconds without a chunk
    before the first one / between two; `read_every`: seconds between two reads (0: read as data comes)."""

    def __init__(self, *, first_chunk_timeout: float, stall_timeout: float, read_every: float = READ_EVERY,
                 expect_reasoning: bool = False) -> None:
        self.first_chunk_timeout, self.stall_timeout, self.read_every = first_chunk_timeout, stall_timeout, read_every
        self.shown = ReasoningFilter(expect_reasoning=expect_reasoning)
        self.finish: str | None = None
        self.raw = False  # any content at all came (visible or reasoning)
        self.received = False  # any chunk came

    async def read(self, response: Any, on_delta: Callable[[str], None] | None,
                   on_clear: Callable[[], None] | None) -> None:
        """Read to the end of the stream (`[DONE]` or the end of the body), passing the visible text on."""
        reads = response.http_response.aiter_bytes().__aiter__()
        events = EventSplitter()
        loop = asyncio.get_running_loop()
        limit, armed_at, next_read = self.first_chunk_timeout, -STALL_SLACK, 0.0
        pace_from = float("inf")
        slack = min(STALL_SLACK, limit / 10)
        deadline = asyncio.timeout(None)
        done = False
        try:
            async with deadline:
                while not done:
                    now = loop.time()
                    if now < next_read:
                        await asyncio.sleep(next_read - now)
                        now = loop.time()
                    # A stall is reported after `limit` to `limit + slack` seconds without a chunk.
                    if now - armed_at >= slack:
                        deadline.reschedule(now + limit + slack)
                        armed_at = now
                    try:
                        block = await anext(reads)
                    except StopAsyncIteration:
                        break
                    except (openai.APIConnectionError, httpx2.TransportError) as exc:
                        if self.received and not isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException):
                            raise AttemptFailed(Failure("dropped", retryable=True)) from None
                        if isinstance(exc, httpx2.TransportError):
                            raise openai.APIConnectionError(request=response.http_request) from None
                        raise
                    if now >= pace_from:
                        next_read = loop.time() + self.read_every
                    visible: list[str] = []
                    try:
                        complete = events.feed(block) if block else []
                    except EventTooLarge:
                        raise AttemptFailed(Failure("stream_error", retryable=True,
                                                    detail=f"单条数据超过 {MAX_EVENT_BYTES >> 20} MB，不像正常的流式输出")) from None
                    for data in complete:
                        if data.startswith(b"[DONE]"):
                            done = True
                            break
                        if not self.received:
                            self.received, limit, armed_at = True, self.stall_timeout, -STALL_SLACK
                            pace_from = now + PACE_AFTER
                            slack = min(STALL_SLACK, limit / 10)
                        piece, self.finish = decode_chunk(data, response, self.finish)
                        if not piece:
                            continue
                        self.raw = True
                        clear, text = self.shown.feed(piece)
                        if clear:  # all passed on so far was reasoning: this read's text too
                            visible.clear()
                            if on_clear is not None:
                                on_clear()
                        if text:
                            visible.append(text)
                    if visible and on_delta is not None:
                        on_delta("".join(visible))
        except TimeoutError:
            if deadline.expired():
                raise AttemptFailed(Failure("stall", retryable=True, waited=limit)) from None
            raise
