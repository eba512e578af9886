"""Pure-ASGI guard in front of every /api/ route: the key is checked before a single body byte is read,
then the body is counted against its limit (413 by Content-Length or by counted chunks)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

MAX_BODY = 1 << 20  # 1 MB for JSON bodies
MAX_UPLOAD = 20 << 20  # 20 MB for multipart uploads (corpus documents, materials)
OPEN_PATHS = ("/api/v1/health",)


class ApiGuard:
    def __init__(self, app: Any, *, key: Callable[[], str | None], upload_paths: Iterable[str] = (),
                 protected_prefixes: Iterable[str] = ("/api/",)) -> None:
        self.app = app
        self.key = key
        self.upload_paths = tuple(p.rstrip("/") for p in upload_paths)
        self.prefixes = tuple(protected_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if path.rstrip("/") not in OPEN_PATHS and not self._authorized(headers):
            await _answer(send, 401, "需要有效的 API 密钥：Authorization: Bearer <DRAFTER_API_KEY>",
                          [(b"www-authenticate", b"Bearer")])
            return
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


async def _answer(send: Send, status: int, detail: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send: Send, limit: int) -> None:
    await _answer(send, 413, f"请求体超过 {limit // (1 << 20)} MB 上限")
