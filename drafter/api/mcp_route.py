"""/mcp on the served app, loaded on its first request.

The MCP SDK costs a server 25 MB (bench/bench_api_load.py: 426 -> 401 MB peak) and most servers are never
called over MCP, so the route is a small ASGI app that imports `drafter.mcp.server`, builds the transport
and starts its session manager when the first request comes, then hands every request to it. The session
manager runs in a task of its own until the app shuts down (`LazyMCP.aclose`, from the app's lifespan).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

Transport = tuple[Any, Callable[[], Any]]  # (ASGI app, run: the async context its requests need)
_NO_STREAM = JSONResponse({"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "此端点不提供 SSE 流，请用 POST"}},
                          status_code=405, headers={"Allow": "POST"})


class LazyMCP:
    """An ASGI app that builds the real one (`build()` -> app and run) on the first request."""

    def __init__(self, build: Callable[[], Transport]) -> None:
        self._build = build
        self._app: Any = None
        self._lock: asyncio.Lock | None = None
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            # Stateless, drafter never sends a message unasked: no stream to open (the spec's answer is 405;
            # clients open one only with a session id). The SDK held such a GET open, with nothing to say.
            await _NO_STREAM(scope, receive, send)
            return
        if self._app is None:
            await self._start()
        await self._app(scope, receive, send)

    async def _start(self) -> None:
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:  # concurrent first requests: one builds, the others wait for it
            if self._app is not None:
                return
            app, run = await run_in_threadpool(self._build)  # the SDK's import must not hold up the loop
            ready, stop = asyncio.Event(), asyncio.Event()

            async def serve() -> None:
                async with run():
                    ready.set()
                    await stop.wait()

            task = asyncio.create_task(serve())
            waiting = asyncio.create_task(ready.wait())
            await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
            if not ready.is_set():  # the session manager failed to start: say why on this request, retry on the next
                waiting.cancel()
                task.result()
                raise RuntimeError("MCP session manager stopped before it started")
            self._app, self._stop, self._task = app, stop, task

    async def aclose(self) -> None:
        """Stop the session manager (open streams end), if it was ever started. A session manager runs only
        once, so an app started again (a test client's second lifespan) builds a new one on its first request."""
        task, stop = self._task, self._stop
        self._app = self._task = self._stop = self._lock = None
        if task is not None and stop is not None:
            stop.set()
            await task


def mount_mcp(app: Any, build: Callable[[], Transport], path: str) -> None:
    """Route `path` to a LazyMCP over `build`, stopped when the app's lifespan ends (wrapping whatever lifespan
    is already there; Gradio's mount wraps this one in turn)."""
    lazy = LazyMCP(build)
    app.router.add_route(path, lazy, include_in_schema=False)
    outer = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with outer(a) as state:
            try:
                yield state
            finally:
                await lazy.aclose()

    app.router.lifespan_context = lifespan
