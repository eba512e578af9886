"""The web UI's workspace: on every use, the scoped view of whoever sent the Gradio event.

Gradio runs event handlers from its queue, outside the HTTP request's context, but hands each one its
gr.Request (gradio.context.LocalContext.request); the credentials on it (session cookie or bearer token)
name the principal. With accounts on and no principal this fails closed (AuthError), never showing all.
"""

from __future__ import annotations

from typing import Any

from drafter.accounts import Principal
from drafter.accounts.resolve import accounts_enabled, principal_from
from drafter.errors import AuthError, DrafterError
from drafter.workspace import Workspace

BUILD_TIME = ("backend", "settings")  # read while the page is built, before any request: nothing private


def request_principal(ws: Workspace) -> tuple[bool, Principal | None]:
    """(is this call inside a Gradio event, its principal)."""
    from gradio.context import LocalContext

    req = LocalContext.request.get(None)
    if req is None:
        return False, None
    headers = getattr(req, "headers", None) or {}
    if isinstance(headers, dict):  # a request rebuilt from a dict; starlette's Headers is case-insensitive
        headers = {str(k).lower(): v for k, v in headers.items()}
    return True, principal_from(ws, headers.get("authorization", ""), headers.get("cookie", ""))


class RequestWorkspace:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    def current(self, name: str = "") -> Any:
        in_event, principal = request_principal(self._ws)
        if not in_event:  # the page being built, before any request: nothing private
            if name in BUILD_TIME:
                return self._ws
            try:
                on = accounts_enabled(self._ws)
            except DrafterError:
                on = True  # the database is unreachable: fail closed (the status line says so later)
            return _BuildTime(self._ws) if on else self._ws
        if principal is None and accounts_enabled(self._ws):
            raise AuthError("登录已失效，请重新登录")
        return self._ws.for_principal(principal)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.current(name), name)

    def who_html(self) -> str:
        return who_html(self)


class _BuildTime:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    def __getattr__(self, name: str) -> Any:
        if name in BUILD_TIME:
            return getattr(self._ws, name)
        raise AuthError("需要登录")


def who_html(ws: RequestWorkspace) -> str:
    """The signed-in user, their organisation and role, with sign-out (and the audit page for admins)."""
    import html

    _, principal = request_principal(ws._ws)
    if principal is None:
        return ""
    d = principal.public_dict()
    audit = ' · <a href="/admin/audit" target="_blank">审计日志</a>' if principal.is_admin else ""
    return (f'<div class="app-user" id="app-user">{html.escape(d["name"])}（{html.escape(d["org"])}，'
            f'{html.escape(d["role_label"])}）{audit} · <a href="/logout" id="logout-link">退出登录</a></div>')
