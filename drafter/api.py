"""HTTP API (FastAPI) under /api/v1, and the Gradio UI mounted at /: each route is one Workspace call.

Errors: DrafterError subclasses carry their HTTP status; a schema error is a 422 that names the field; a
body over 1 MB (20 MB for corpus uploads) is a 413 before it is read. With DRAFTER_API_KEY set, every
/api/v1 route but health needs `Authorization: Bearer <key>`.
"""

from __future__ import annotations

import json
import secrets
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, File, HTTPException, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field, model_validator

from .errors import DrafterError
from .facts import Facts, parse_facts_text, validate_facts
from .models import OutlineSection
from .workspace import Workspace

MAX_BODY = 1 << 20  # 1 MB for JSON bodies
MAX_UPLOAD = 20 << 20  # 20 MB for corpus uploads
UPLOAD_PATH = "/api/v1/corpus"


class FactsInput(BaseModel):
    """Facts as JSON (`facts`) or as the plain-text form a person types (`facts_text`)."""

    facts: dict[str, Any] | None = None
    facts_text: str | None = Field(default=None, max_length=200_000)

    @model_validator(mode="after")
    def _one_of(self) -> FactsInput:
        if (self.facts is None) == (self.facts_text is None):
            raise ValueError("请提供 facts（JSON 对象）或 facts_text（纯文本）中的一个")
        return self

    def to_facts(self) -> Facts:
        return validate_facts(self.facts) if self.facts is not None else parse_facts_text(self.facts_text or "")


class DraftRequest(FactsInput):
    outline: list[OutlineSection] | None = None


class RegenerateRequest(BaseModel):
    instruction: str = Field(default="", max_length=500)


class EditRequest(BaseModel):
    text: str | None = Field(default=None, max_length=100_000)
    heading: str | None = Field(default=None, max_length=200)


class CheckRequest(FactsInput):
    draft: str = Field(max_length=500_000)
    exemplars: list[str] = Field(default_factory=list)


class BodyLimit:
    """Pure ASGI: refuse oversized bodies by Content-Length, and count streamed bodies as they arrive."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]],
                       send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        limit = MAX_UPLOAD if scope["path"].rstrip("/") == UPLOAD_PATH else MAX_BODY
        headers = dict(scope.get("headers") or [])
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


async def _too_large(send: Callable[[dict[str, Any]], Awaitable[None]], limit: int) -> None:
    body = json.dumps({"detail": f"请求体超过 {limit // (1 << 20)} MB 上限"}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _field_message(exc: RequestValidationError) -> str:
    err = exc.errors()[0]
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
    field = ".".join(loc) or "请求体"
    return f"字段「{field}」有误：{err.get('msg', '')}"


def create_app(workspace: Workspace | None = None, *, with_ui: bool = True) -> FastAPI:
    ws = workspace or Workspace()
    app = FastAPI(title="drafter", version="0.1.0", description="工会年度工作总结起草工具 HTTP API",
                  docs_url="/docs", openapi_url="/api/v1/openapi.json")
    app.state.workspace = ws

    @app.exception_handler(DrafterError)
    async def _drafter_error(_: Request, exc: DrafterError) -> JSONResponse:
        content: dict[str, Any] = {"detail": str(exc), "type": type(exc).__name__}
        if hasattr(exc, "field"):
            content["field"] = exc.field
        return JSONResponse(status_code=exc.http_status, content=content)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]
        return JSONResponse(status_code=422, content={"detail": _field_message(exc), "errors": errors})

    def require_key(request: Request) -> None:
        key = ws.settings.api_key
        if key is None:
            return
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else ""
        if not secrets.compare_digest(token.encode(), key.get_secret_value().encode()):
            raise HTTPException(401, "需要有效的 API 密钥：Authorization: Bearer <DRAFTER_API_KEY>",
                                headers={"WWW-Authenticate": "Bearer"})

    public = APIRouter(prefix="/api/v1")
    api = APIRouter(prefix="/api/v1", dependencies=[Depends(require_key)])

    @public.get("/health")
    def health() -> dict[str, Any]:
        return ws.health()

    @api.post("/drafts")
    async def create_draft(req: DraftRequest) -> dict[str, Any]:
        draft = await ws.draft(req.to_facts(), req.outline)
        return draft.public_dict()

    @api.post("/drafts/stream")
    async def stream_draft(req: DraftRequest) -> StreamingResponse:
        facts = req.to_facts()  # validate before the stream starts, so bad input is a 422, not a broken stream

        async def events() -> AsyncIterator[bytes]:
            try:
                async for ev in ws.draft_stream(facts, req.outline):
                    data: dict[str, Any] = {"type": ev.type, "index": ev.index}
                    if ev.type in ("delta", "reset"):
                        data["text"] = ev.text
                    if ev.section is not None:
                        data["section"] = ev.section.model_dump()
                    if ev.draft is not None:
                        data["draft"] = ev.draft.public_dict()
                    yield f"event: {ev.type}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()
            except DrafterError as exc:
                err = json.dumps({"type": "error", "detail": str(exc)}, ensure_ascii=False)
                yield f"event: error\ndata: {err}\n\n".encode()

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @api.get("/drafts")
    def list_drafts(limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
        return {"drafts": ws.list_drafts(limit)}

    @api.get("/drafts/{draft_id}")
    def get_draft(draft_id: str) -> dict[str, Any]:
        return ws.get_draft(draft_id).public_dict()

    @api.post("/drafts/{draft_id}/sections/{index}/regenerate")
    async def regenerate(draft_id: str, index: int, req: RegenerateRequest | None = None) -> dict[str, Any]:
        draft = await ws.regenerate(draft_id, index, (req or RegenerateRequest()).instruction)
        return draft.public_dict()

    @api.patch("/drafts/{draft_id}/sections/{index}")
    def edit_section(draft_id: str, index: int, req: EditRequest) -> dict[str, Any]:
        return ws.edit_section(draft_id, index, text=req.text, heading=req.heading).public_dict()

    @api.get("/drafts/{draft_id}/export")
    def export(draft_id: str, format: str = Query("docx", pattern="^(docx|md)$")) -> Response:
        data = ws.export(draft_id, format)
        media = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document" if format == "docx"
                 else "text/markdown; charset=utf-8")
        return Response(data, media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="draft-{draft_id}.{format}"'})

    @api.post("/check")
    def check(req: CheckRequest) -> dict[str, Any]:
        facts = req.to_facts() if req.facts is not None else (req.facts_text or "")
        return {"flags": [f.model_dump() for f in ws.check(req.draft, facts, req.exemplars or None)]}

    @api.get("/search")
    def search(q: str = Query(..., min_length=1, max_length=2000), k: int = Query(5, ge=1, le=50)) -> dict[str, Any]:
        return {"hits": [h.to_dict() for h in ws.search(q, k)]}

    @api.get("/corpus")
    def list_corpus() -> dict[str, Any]:
        from dataclasses import asdict

        return {"documents": [asdict(d) for d in ws.list_documents()]}

    @api.post("/corpus")
    async def upload(files: list[UploadFile] = File(...)) -> JSONResponse:  # noqa: B008 - FastAPI idiom
        from dataclasses import asdict

        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for f in files:
                name = Path(f.filename or "upload.txt").name
                target = Path(tmp) / name
                target.write_bytes(await f.read())
                paths.append(target)
            added, errors = ws.add_documents(paths)
        body = {"added": [asdict(d) for d in added],
                "errors": [{"file": Path(e.path).name, "detail": str(e)} for e in errors]}
        if errors and not added:
            return JSONResponse(status_code=422, content={**body, "detail": str(errors[0])})
        return JSONResponse(status_code=200, content=body)

    @api.delete("/corpus/{doc_id}")
    def delete_doc(doc_id: str) -> dict[str, Any]:
        from dataclasses import asdict

        return {"removed": asdict(ws.remove_document(doc_id))}

    app.include_router(public)
    app.include_router(api)
    app.add_middleware(BodyLimit)

    if with_ui:
        import gradio as gr

        from ui import build_ui, mount_options

        app = gr.mount_gradio_app(app, build_ui(ws), path="/", **mount_options())
    else:
        @app.get("/")
        def root() -> Response:
            return Response("<!doctype html><meta charset=utf-8><title>drafter</title><h1>工会年度工作总结起草工具</h1>"
                            "<p><a href=/docs>API 文档</a></p>", media_type="text/html")

    return app
