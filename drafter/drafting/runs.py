"""A draft being written: the events front ends see (DraftEvent) and the run that publishes them to any
number of watchers (DraftRun), each of whom may leave without stopping the draft."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from ..models import Draft, Section

DELTA_EVERY = 0.1  # seconds between two streamed-text events of a running draft (see DraftRun.publish)
WATCH_POLL = 1.0  # seconds between two looks at a draft another process is writing


@dataclass
class DraftEvent:
    """What a front end shows as a draft is written: the outline, streamed text, finished sections."""

    type: str  # outline | delta | reset | section | done | error (the run broke; text says why)
    index: int | None = None
    text: str = ""
    section: Section | None = None
    draft: Draft | None = None
    extra: dict[str, Any] = field(default_factory=dict)


EventSink = Callable[[DraftEvent], None]


class DraftRun:
    """A draft being written by its own task. Watchers subscribe to its events and may leave at any time;
    events nobody watches are dropped (the store holds the results)."""

    def __init__(self, draft_id: str) -> None:
        self.draft_id = draft_id
        self.task: asyncio.Task[Draft] | None = None
        self._final: Draft | None = None
        self._watchers: set[asyncio.Queue[DraftEvent | None]] = set()
        self._closed = False
        self._pending: dict[int, list[str]] = {}  # streamed text not yet handed to the watchers, by section
        self._flush_at: asyncio.TimerHandle | None = None
        self._last_flush = 0.0

    @classmethod
    def finished(cls, draft: Draft) -> DraftRun:
        """A run with nothing left to write: its events are the draft and `done`."""
        run = cls(draft.id)
        run._final = draft
        run._closed = True
        return run

    def publish(self, event: DraftEvent) -> None:
        """Hand an event to every watcher. Streamed text is coalesced: at most one `delta` per section every
        DELTA_EVERY seconds (the first at once), so a watcher wakes ~10 times a second rather than once per
        model chunk. Any other event first flushes the text before it, so the order is kept."""
        if event.type == "delta" and event.index is not None:
            if not self._watchers:
                return  # nobody watches: the store holds the result
            self._pending.setdefault(event.index, []).append(event.text)
            if self._flush_at is None:
                loop = asyncio.get_running_loop()
                wait = self._last_flush + DELTA_EVERY - loop.time()
                if wait <= 0:
                    self._flush()
                else:
                    self._flush_at = loop.call_later(wait, self._flush)
            return
        self._flush()
        for q in self._watchers:
            q.put_nowait(event)

    def _flush(self) -> None:
        if self._flush_at is not None:
            self._flush_at.cancel()
            self._flush_at = None
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        with contextlib.suppress(RuntimeError):  # no running loop (closed from a finaliser): nothing waits
            self._last_flush = asyncio.get_running_loop().time()
        for index, parts in pending.items():
            event = DraftEvent("delta", index=index, text="".join(parts))
            for q in self._watchers:
                q.put_nowait(event)

    def close(self) -> None:
        self._flush()
        self._closed = True
        for q in self._watchers:
            q.put_nowait(None)

    async def events(self) -> AsyncIterator[DraftEvent]:
        """Events from now on, until the run ends (a finished run: its outline and `done`)."""
        if self._final is not None:
            yield DraftEvent("outline", draft=self._final)
            yield DraftEvent("done", draft=self._final)
            return
        if self._closed:
            return
        q: asyncio.Queue[DraftEvent | None] = asyncio.Queue()
        self._watchers.add(q)
        try:
            while (event := await q.get()) is not None:
                yield event
        finally:
            self._watchers.discard(q)

    async def result(self) -> Draft:
        """The finished draft (the run's own error if it broke). Waiting here never cancels the run."""
        if self._final is not None:
            return self._final
        assert self.task is not None
        return await asyncio.shield(self.task)


async def watch(store: Any, run: DraftRun | None, draft_id: str) -> AsyncIterator[DraftEvent]:
    """A draft's events for a watcher who comes (back) in: see `Workspace.watch_draft`."""
    if run is None:
        draft = await asyncio.to_thread(store.get, draft_id)
        yield DraftEvent("outline", draft=draft)
        if draft.status == "running":  # written by another worker or machine: follow it through the store
            async for event in follow_stored(store, draft):
                yield event
            return
        if draft.complete:
            yield DraftEvent("done", draft=draft)
        return
    events = run.events()
    first = asyncio.ensure_future(anext(events))  # subscribe before taking the snapshot: nothing missed
    await asyncio.sleep(0)
    yield DraftEvent("outline", draft=store.get(draft_id))
    try:
        event = await first
        yield event
        async for event in events:
            yield event
    except StopAsyncIteration:
        yield DraftEvent("done", draft=store.get(draft_id))


async def follow_stored(store: Any, draft: Draft) -> AsyncIterator[DraftEvent]:
    """Another process's running draft, seen through the database: a `section` event as each section is
    stored (no streamed text: that lives in the writing process), `done` when it is settled. A writer that
    died is noticed by the store's runner check and the draft ends `interrupted`."""
    seen = {s.index: (s.version, s.status) for s in draft.sections}
    polls = 0
    while draft.status == "running":
        await asyncio.sleep(WATCH_POLL)
        polls += 1
        if polls % 10 == 0:  # every ~10 s: a writer that died leaves the draft interrupted
            await asyncio.to_thread(store.recover)
        draft = await asyncio.to_thread(store.get, draft.id)
        for s in draft.sections:
            if s.status != "pending" and seen.get(s.index) != (s.version, s.status):
                seen[s.index] = (s.version, s.status)
                yield DraftEvent("section", index=s.index, section=s)
    yield DraftEvent("done", draft=draft)
