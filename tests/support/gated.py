"""A generator whose sections can be held back, to make writes overlap on purpose (store tests)."""

from __future__ import annotations

import asyncio
import re
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from drafter.corpus.embedding import HashEmbedder
from drafter.drafting.generation import Generator, Message, OnDelta, OnRetry
from drafter.facts import Facts
from drafter.settings import Settings
from drafter.workspace import Workspace

SECTION_RE = re.compile(r"现在请写第 (\d+) 部分")
STEMS = "甲乙丙丁戊己庚辛壬癸"
DRAFTS = "子丑寅卯辰巳午未申酉戌亥"


def reply_for(index: int, attempt: int) -> str:
    """Section text without digits (nothing for the checker to flag): which section, which attempt."""
    return f"工会扎实推进各项工作，{STEMS[index % 10]}节{DRAFTS[attempt % 12]}稿。"


class GatedGenerator(Generator):
    """Writes section i as `reply_for(i, n)` (n = how many times i was asked). A section in `hold` waits
    until `release(i)`; `started(i)` tells it was asked. Thread-safe: workspaces in several threads (each
    with its own event loop) may share one."""

    name = "gated"

    def __init__(self, hold: set[int] | frozenset[int] = frozenset(), *, wait_for: int = 0) -> None:
        self._gates = {i: threading.Event() for i in hold}
        self._started: dict[int, threading.Event] = {}
        self._lock = threading.Lock()
        self.asked: Counter[int] = Counter()
        self.calls: list[int] = []
        self._barrier = threading.Barrier(wait_for) if wait_for > 1 else None

    def _event(self, index: int) -> threading.Event:
        with self._lock:
            return self._started.setdefault(index, threading.Event())

    def started(self, index: int, timeout: float = 30.0) -> bool:
        return self._event(index).wait(timeout)

    def release(self, *indices: int) -> None:
        for i in indices or tuple(self._gates):
            self._gates[i].set()

    async def complete(self, messages: list[Message], *, on_delta: OnDelta = None, on_retry: OnRetry = None,
                       temperature: float = 0.3) -> str:
        m = SECTION_RE.search(str(messages[-1]["content"]))
        assert m, "only section prompts are expected"
        index = int(m.group(1)) - 1
        with self._lock:
            attempt = self.asked[index]
            self.asked[index] += 1
            self.calls.append(index)
        self._event(index).set()
        if self._barrier is not None:  # every expected caller is in flight before any answers
            await asyncio.to_thread(self._barrier.wait, 30)
        gate = self._gates.get(index)
        while gate is not None and not gate.is_set():
            await asyncio.sleep(0.01)
        text = reply_for(index, attempt)
        if on_delta:
            on_delta(text[: len(text) // 2])
            await asyncio.sleep(0)
            on_delta(text[len(text) // 2 :])
        return text


async def cut_draft(ws: Workspace, facts: Facts, *, left: int = 1) -> str:
    """Start a draft, cancel its run (a shutdown) once all but `left` sections are written (the held ones
    stay pending), and return its id."""
    started = await ws.start_draft(facts)
    n = len(ws.get_draft(started.draft_id).sections)
    while ws.list_drafts()[0]["sections_done"] < n - left:
        await asyncio.sleep(0.02)
    assert started.task is not None
    started.task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await started.task
    return started.draft_id


def bare_workspace(data_dir: Path, url: str, generator: Generator | None = None, **settings: Any) -> Workspace:
    """A workspace on `url` without a search index (exemplars are not what these tests are about)."""
    ws = Workspace(Settings(data_dir=data_dir, database_url=url, repair=False, **settings), embedder=HashEmbedder(),
                   generator=generator)
    ws.__dict__["retriever"] = None
    ws.ensure_index = lambda *a, **k: None  # type: ignore[method-assign]
    return ws
