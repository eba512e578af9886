"""One worker thread for the pipeline's CPU-bound steps (the offline drafter, checks, outline rules).

CPython runs one thread's Python at a time, so several threads doing CPU work finish no sooner than one, but
each of them competes with the event loop for the interpreter: with a dozen sections checked at once,
`/health` waited 300 ms. Queued on one thread, the same work leaves the loop a turn at every switch.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drafter-cpu")
        return _pool


async def on_cpu_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_executor(), functools.partial(fn, *args, **kwargs))
