"""What the user sees of a draft while it is written: the library folds the stream of DraftEvents into one
live view (sections, text streaming in, progress, failures, whether it is complete). The web UI, the SSE
route and MCP progress all read this; none of them keeps its own bookkeeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .checking.flags import Flag
from .drafting.pipeline import DraftEvent, EventSink
from .models import Draft


def flag_dict(flag: Flag) -> dict[str, Any]:
    """A flag as the CLI, the API and the UI show it."""
    return flag.model_dump()


def event_payload(ev: DraftEvent) -> dict[str, Any]:
    """One draft event as JSON (the SSE route's `data:`)."""
    data: dict[str, Any] = {"type": ev.type, "index": ev.index}
    if ev.type in ("delta", "reset"):
        data["text"] = ev.text
    if ev.extra:
        data.update({k: v for k, v in ev.extra.items() if k not in data})
    if ev.section is not None:
        data["section"] = ev.section.model_dump()
    if ev.draft is not None:
        data["draft"] = ev.draft.public_dict()
    return data


@dataclass
class LiveDraft:
    """The draft as it stands after the events seen so far."""

    draft: Draft | None = None
    live: dict[int, str] = field(default_factory=dict)  # text streaming in, by section index
    writing: set[int] = field(default_factory=set)  # sections being written now
    finished: bool = False  # the run ended (a `done` event or the end of a regenerate)

    def apply(self, ev: DraftEvent) -> None:
        if ev.type in ("outline", "done") and ev.draft is not None:
            self.draft = ev.draft
            if ev.type == "done":
                self.finished = True
                self.live.clear()
                self.writing.clear()
            return
        if self.draft is None or ev.index is None:
            return
        if ev.type == "delta":
            self.live[ev.index] = self.live.get(ev.index, "") + ev.text
            self.writing.add(ev.index)
        elif ev.type == "reset":
            self.live[ev.index] = ev.text
            self.writing.add(ev.index)
        elif ev.type == "section" and ev.section is not None:
            self.draft.sections[ev.section.index] = ev.section
            self.live.pop(ev.section.index, None)
            self.writing.discard(ev.section.index)

    @property
    def total(self) -> int:
        return len(self.draft.sections) if self.draft else 0

    @property
    def done_count(self) -> int:
        return sum(s.status == "done" for s in self.draft.sections) if self.draft else 0

    @property
    def failed(self) -> list[int]:
        return [s.index for s in self.draft.sections if s.status == "failed"] if self.draft else []

    @property
    def pending(self) -> list[int]:
        return [s.index for s in self.draft.sections if s.status not in ("done", "failed")] if self.draft else []

    @property
    def complete(self) -> bool:
        """Only a draft whose every section is written is complete: an empty or interrupted one never is."""
        return bool(self.draft and self.draft.sections) and self.done_count == self.total

    @property
    def flag_count(self) -> int:
        return len(self.draft.flags) if self.draft else 0

    def progress(self) -> dict[str, Any]:
        return {"done": self.done_count, "failed": len(self.failed), "total": self.total,
                "writing": sorted(self.writing), "complete": self.complete, "finished": self.finished}


async def follow(events: AsyncIterator[DraftEvent], *, interval: float = 0.15
                 ) -> AsyncIterator[tuple[LiveDraft, DraftEvent]]:
    """Fold events into a LiveDraft, yielding it after each event worth showing: every structural event,
    and streamed text at most once per `interval` seconds (re-rendering per token would cost more than the
    model's own streaming)."""
    view = LiveDraft()
    last = 0.0
    async for ev in events:
        view.apply(ev)
        if view.draft is None:
            continue
        now = time.monotonic()
        if ev.type != "delta" or now - last >= interval:
            last = now
            yield view, ev


async def events_of(run: Callable[[EventSink], Awaitable[Draft]]) -> AsyncIterator[DraftEvent]:
    """Turn a library call that reports through an event sink (regenerate) into an async stream of its
    events, ending with `done` carrying the call's result. A consumer that goes away (a closed browser tab)
    does not cancel the work: it finishes and is saved."""
    queue: asyncio.Queue[DraftEvent] = asyncio.Queue()
    task = asyncio.ensure_future(run(queue.put_nowait))
    while not (task.done() and queue.empty()):
        getter = asyncio.ensure_future(queue.get())
        done, _ = await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            yield getter.result()
        else:
            getter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await getter
    yield DraftEvent("done", draft=task.result())
