"""Dependencies the routes declare: the workspace, and work moved off the event loop.

The workspace lives on `app.state` (set by `create_app`), so a test or a composing front end injects its own
by passing it to `create_app`; routes never build one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from ..errors import AuthError
from ..workspace import Workspace

T = TypeVar("T")


def get_workspace(request: Request) -> Workspace:
    """The workspace as the caller sees it: scoped to their organisation once accounts exist (the gate put
    the principal in the request state); the whole workspace in single-user mode."""
    ws: Workspace = request.app.state.workspace
    principal = getattr(request.state, "principal", None)
    if principal is None and getattr(request.state, "accounts", False):
        raise AuthError("需要登录或有效的 API 令牌")
    return ws.for_principal(principal)


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


async def off_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """CPU work (parsing, checking, the offline drafter, index writes) runs in a worker thread, so one big
    request never stalls `/health` or the other users' streams."""
    return await run_in_threadpool(fn, *args, **kwargs)
