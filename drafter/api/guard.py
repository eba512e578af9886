"""Pure-ASGI gate in front of the whole served app (API, web UI, Gradio's own routes, docs, /mcp).

Single-user mode (no accounts): as before, DRAFTER_API_KEY guards /api/ and /mcp only.
Accounts mode (any user exists): every request needs a session cookie or a bearer credential (an API token,
or DRAFTER_API_KEY as an admin of its organisation) before a single body byte is read; only /login is open.
Browsers asking for a page are sent to /login, everything else gets 401. A state-changing request riding a
session cookie must come from this site (Origin / Sec-Fetch-Site), so no other site can post as the user.
The principal goes into `scope["state"]["principal"]` and the CURRENT context variable.
Then /api/ bodies are counted against their limit (413 by Content-Length or by counted chunks)."""

from __future__ import annotations

import json
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

from starlette.concurrency import run_in_threadpool

from ..accounts.resolve import CURRENT, accounts_enabled, principal_from
from ..errors import DrafterError

if TYPE_CHECKING:
    from ..workspace import Workspace

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

MAX_BODY = 1 << 20  # 1 MB for JSON bodies
MAX_UPLOAD = 20 << 20  # 20 MB for multipart uploads (corpus documents, materials)
OPEN_PATHS = ("/api/v1/health",)
LOGIN_PATH = "/login"
OPEN_WITH_ACCOUNTS = (LOGIN_PATH,)  # the sign-in form itself; nothing else
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
STREAM_OWNERS = 50_000  # Gradio event streams remembered per process (their queue lives in one process)
API_PREFIXES = ("/api/", "/gradio_api", "/mcp", "/config", "/queue", "/upload", "/file")


class ApiGuard:
    def __init__(self, app: Any, *, key: Callable[[], str | None], upload_paths: Iterable[str] = (),
                 protected_prefixes: Iterable[str] = ("/api/",), workspace: Workspace | None = None) -> None:
        self.app = app
        self.key = key
        self.upload_paths = tuple(p.rstrip("/") for p in upload_paths)
        self.prefixes = tuple(protected_prefixes)
        self.workspace = workspace
        self._streams: OrderedDict[str, str] = OrderedDict()  # Gradio session_hash -> the user who opened it

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        ws = self.workspace
        try:
            accounts = ws is not None and await run_in_threadpool(accounts_enabled, ws)
        except DrafterError as exc:  # the database is unreachable: say so (never fail open)
            await _failed(scope, send, exc)
            return
        if accounts and ws is not None:
            await self._accounts_mode(ws, scope, receive, send)
            return
        await self._single_user(scope, receive, send)

    async def _accounts_mode(self, ws: Workspace, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        headers = dict(scope.get("headers") or [])
        auth = headers.get(b"authorization", b"").decode("latin-1")
        cookie = headers.get(b"cookie", b"").decode("latin-1")
        try:
            principal = await run_in_threadpool(principal_from, ws, auth, cookie) if (auth or cookie) else None
        except DrafterError as exc:
            await _failed(scope, send, exc)
            return
        state = scope.setdefault("state", {})
        state["accounts"] = True
        state["principal"] = principal
        if principal is None and path not in OPEN_WITH_ACCOUNTS:  # exact: Gradio has its own /login/
            await _refuse(scope, send)
            return
        if (principal is not None and principal.via == "session" and scope["type"] == "http"
                and scope.get("method", "GET") not in SAFE_METHODS and not _same_site(headers)):
            await _answer(send, 403, "跨站请求被拒绝：请从本站页面操作")
            return
        if principal is not None and path.endswith("/queue/data") and not self._own_stream(scope, principal.user_id):
            await _answer(send, 403, "无权读取该会话的事件")
            return
        token = CURRENT.set(principal)
        try:
            if scope["type"] == "http" and path.startswith("/api/"):
                await self._limited(scope, receive, send, headers)
            else:
                await self.app(scope, receive, send)
        finally:
            CURRENT.reset(token)

    def _own_stream(self, scope: Scope, user_id: str) -> bool:
        """Gradio streams a page's results by its session_hash alone; the first user to read a hash owns it,
        so another signed-in user who learnt the hash cannot read that page's drafts."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        session = (query.get("session_hash") or [""])[0]
        if not session:
            return True
        owner = self._streams.setdefault(session, user_id)
        self._streams.move_to_end(session)
        while len(self._streams) > STREAM_OWNERS:
            self._streams.popitem(last=False)
        return owner == user_id

    async def _single_user(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if path.rstrip("/") not in OPEN_PATHS and not self._authorized(headers):
            await _answer(send, 401, "需要有效的 API 密钥：Authorization: Bearer <DRAFTER_API_KEY>",
                          [(b"www-authenticate", b"Bearer")])
            return
        await self._limited(scope, receive, send, headers)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes]) -> None:
        path = scope.get("path", "")
        limit = MAX_UPLOAD if path.rstrip("/") in self.upload_paths else MAX_BODY
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _too_large(send, limit)
            return
        seen, too_big = 0, False

        async def counted() -> dict[str, Any]:
            # Past the limit the app sees a disconnect (it stops reading); we answer 413 ourselves.
            nonlocal seen, too_big
            if too_big:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    too_big = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: dict[str, Any]) -> None:
            if not too_big:
                await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not too_big:
                raise
        if too_big:
            await _too_large(send, limit)

    def _authorized(self, headers: dict[bytes, bytes]) -> bool:
        key = self.key()
        if key is None:
            return True
        auth = headers.get(b"authorization", b"").decode("latin-1")
        token = auth[7:] if auth.lower().startswith("bearer ") else ""
        return secrets.compare_digest(token.encode("utf-8", "replace"), key.encode("utf-8"))


def _same_site(headers: dict[bytes, bytes]) -> bool:
    """The request came from one of this site's pages. Browsers send Sec-Fetch-Site (a page cannot forge
    it), so it decides when present; that also holds behind a proxy that rewrites Host. Otherwise Origin
    (else Referer) must name this host. A request with none of them (curl, a script with a cookie jar) is
    not a browser being tricked, and passes."""
    site = headers.get(b"sec-fetch-site", b"").decode("latin-1")
    if site:
        return site in ("same-origin", "none")
    source = (headers.get(b"origin") or headers.get(b"referer") or b"").decode("latin-1")
    if not source:
        return True
    hosts = {headers.get(b"host", b"").decode("latin-1"), headers.get(b"x-forwarded-host", b"").decode("latin-1")}
    return urlsplit(source).netloc in hosts - {""}


async def _failed(scope: Scope, send: Send, exc: DrafterError) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1011})
    else:
        await _answer(send, exc.http_status, str(exc))


async def _refuse(scope: Scope, send: Send) -> None:
    """No credentials: a browser asking for a page goes to the sign-in form, anything else gets 401."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    path = scope.get("path", "")
    accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
    if scope.get("method") in ("GET", "HEAD") and "text/html" in accept and not path.startswith(API_PREFIXES):
        query = scope.get("query_string", b"").decode("latin-1")
        target = path + (f"?{query}" if query else "")
        location = f"{LOGIN_PATH}?next={quote(target, safe='')}"
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", location.encode()), (b"content-length", b"0"),
                                (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": b""})
        return
    await _answer(send, 401, "需要登录或有效的 API 令牌（Authorization: Bearer <令牌>）",
                  [(b"www-authenticate", b"Bearer")])


async def _answer(send: Send, status: int, detail: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send: Send, limit: int) -> None:
    await _answer(send, 413, f"请求体超过 {limit // (1 << 20)} MB 上限")
