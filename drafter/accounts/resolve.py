"""From a request's credentials to a principal: `Authorization: Bearer` (an API token, or DRAFTER_API_KEY as
its organisation's admin) or the session cookie. Shared by the HTTP gate, the web UI and the MCP endpoint,
so every front end answers the same question the same way."""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from ..errors import AuthError
from .passwords import same
from .principal import Principal

if TYPE_CHECKING:
    from ..workspace import Workspace

SESSION_COOKIE = "drafter_session"
CSRF_COOKIE = "drafter_csrf"
RECHECK_SINGLE_USER = 2.0  # seconds: how long "no accounts yet" is believed before asking the database again

# The principal of the HTTP request being served (set by the gate). Tasks started while serving it (the MCP
# transport's) inherit it; Gradio's queue does not, so the web UI resolves from its own gr.Request.
CURRENT: ContextVar[Principal | None] = ContextVar("drafter_principal", default=None)


def accounts_enabled(ws: Workspace) -> bool:
    """True once any user exists (then for good: accounts are disabled, never all deleted)."""
    state: dict[str, Any] = ws.__dict__.setdefault("_accounts_state", {"on": False, "checked": -1e9})
    if state["on"]:
        return True
    now = time.monotonic()
    if now - state["checked"] >= RECHECK_SINGLE_USER:
        state["on"], state["checked"] = ws.accounts.has_users(), now
    return bool(state["on"])


def cookie_value(cookie_header: str, name: str) -> str:
    for part in (cookie_header or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip().strip('"')
    return ""


def bearer(authorization: str) -> str | None:
    if authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return None


def principal_from(ws: Workspace, authorization: str, cookie_header: str) -> Principal | None:
    """The principal the credentials name, or None. A bearer credential that is wrong is refused even when a
    session cookie is also sent (no mixing)."""
    token = bearer(authorization or "")
    if token is not None:
        key = ws.settings.api_key
        if key is not None and same(token, key.get_secret_value()):
            return ws.accounts.service(ws.settings.api_key_org)
        return ws.accounts.token(token)
    sid = cookie_value(cookie_header, SESSION_COOKIE)
    if sid:
        return ws.accounts.session(sid, ws.settings.session_idle_minutes * 60)
    return None


class ContextWorkspace:
    """A workspace that is, on every use, the current request's scoped view (CURRENT). Fails closed: with
    accounts on and no principal in context it raises AuthError instead of showing everything."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    def __getattr__(self, name: str) -> Any:
        p = CURRENT.get()
        if p is None and name != "settings" and accounts_enabled(self._ws):
            raise AuthError("需要登录或有效的 API 令牌")
        return getattr(self._ws.for_principal(p), name)
