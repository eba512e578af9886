"""The HTTP API app: /api/v1 routers, error handlers and the guard. Front ends compose it (the Gradio UI is
mounted beside it by `webui.server`, outside the library package)."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ..checking.context import warm_up as warm_up_checks
from ..drafting.cpu import on_cpu_thread
from ..errors import DrafterError
from ..workspace import Workspace
from . import check, corpus, drafts, login, materials, users
from .deps import WorkspaceDep
from .guard import ApiGuard
from .mcp_route import Transport, mount_mcp
from .schemas import ErrorOut, Health

PREFIX = "/api/v1"
UPLOAD_PATHS = (corpus.UPLOAD_PATH, materials.UPLOAD_PATH)
MCP_PATH = "/mcp"


def _field_message(exc: RequestValidationError) -> str:
    err = exc.errors()[0]
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
    field = ".".join(loc) or "请求体"
    return f"字段「{field}」有误：{_reason(err)}"


def _reason(err: Any) -> str:
    """pydantic's reasons in Chinese for what a client typically gets wrong (never pydantic's English)."""
    ctx = err.get("ctx") or {}
    kind = str(err.get("type", ""))
    if kind == "json_invalid":
        return "JSON 格式错误" + (f"：{ctx.get('error')}" if ctx.get("error") else "")
    if kind == "value_error":
        return str(ctx.get("error") or err.get("msg", "格式不正确")).removeprefix("Value error, ")
    return {
        "missing": "缺少此字段",
        "string_too_short": "不能为空",
        "string_too_long": f"太长（最多 {ctx.get('max_length', '')} 个字符）",
        "too_long": f"太多（最多 {ctx.get('max_length', '')} 项）",
        "too_short": "至少需要一项",
        "string_type": "应为文字",
        "int_parsing": "应为整数",
        "int_type": "应为整数",
        "float_parsing": "应为数字",
        "bool_parsing": "应为 true 或 false",
        "list_type": "应为列表",
        "dict_type": "应为 JSON 对象",
        "model_type": "应为 JSON 对象",
        "model_attributes_type": "应为 JSON 对象",
        "literal_error": f"只能是 {ctx.get('expected', '')}",
        "string_pattern_mismatch": "取值不在允许范围内",
        "greater_than_equal": f"不能小于 {ctx.get('ge', '')}",
        "less_than_equal": f"不能大于 {ctx.get('le', '')}",
        "enum": f"只能是 {ctx.get('expected', '')}",
    }.get(kind, "格式不正确")


def create_app(workspace: Workspace | None = None) -> FastAPI:
    """The API alone. `webui.server.create_app` adds the web UI."""
    ws = workspace or Workspace()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # CPU work runs in worker threads; with CPython's default 5 ms switch interval, the event loop waited up
        # to 5 ms for the GIL at each step of a request (/health took 100+ ms beside a big upload). 1 ms
        # keeps it responsive (bench/bench_abuse.py) at a small cost to the threads' throughput.
        sys.setswitchinterval(0.001)
        # Open the database at launch: migrations run and drafts left `running` by a dead process are marked
        # interrupted before the first request, not during it.
        await run_in_threadpool(lambda: ws.store)
        # Load the corpus (chunks, the saved lexical index, the query embedder) before answering, so a new
        # worker behind a proxy does not make its first user wait for it.
        await run_in_threadpool(ws.warm_up)
        # The checker's one-time loads go on after the server is up, on the thread CPU work queues on.
        warming = asyncio.create_task(on_cpu_thread(warm_up_checks))
        yield
        warming.cancel()

    app = FastAPI(lifespan=lifespan, title="drafter", version="0.2.0", description="工会年度工作总结起草工具 HTTP API",
                  docs_url="/docs", openapi_url=f"{PREFIX}/openapi.json",
                  responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}, 413: {"model": ErrorOut},
                             422: {"model": ErrorOut}})
    app.state.workspace = ws

    @app.exception_handler(DrafterError)
    async def _drafter_error(_: Request, exc: DrafterError) -> JSONResponse:
        content: dict[str, Any] = {"detail": str(exc), "type": type(exc).__name__}
        if hasattr(exc, "field"):
            content["field"] = exc.field
        return JSONResponse(status_code=exc.http_status, content=content)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": _reason(e), "type": e.get("type", "")} for e in exc.errors()]
        return JSONResponse(status_code=422, content={"detail": _field_message(exc), "errors": errors})

    api = APIRouter(prefix=PREFIX)

    @api.get("/health", response_model=Health, tags=["system"], responses={503: {"model": Health}})
    def health(ws: WorkspaceDep) -> Any:
        """200 when the database and Chroma answer; 503 (same body) when one does not."""
        body = ws.health()
        if body["status"] != "ok":
            return JSONResponse(status_code=503, content=Health.model_validate(body).model_dump())
        return body

    async def services_up(ws: WorkspaceDep) -> None:
        """Drafting and corpus routes answer 503 at once when the database or Chroma is down."""
        await run_in_threadpool(ws.services.require)

    needs_services = [Depends(services_up)]
    api.include_router(drafts.router, dependencies=needs_services, responses={503: {"model": ErrorOut}})
    api.include_router(check.router)
    api.include_router(corpus.router, dependencies=needs_services, responses={503: {"model": ErrorOut}})
    api.include_router(materials.router)
    api.include_router(users.router)
    app.include_router(api)
    app.include_router(login.router)
    from ..accounts.resolve import ContextWorkspace

    def mcp_transport() -> Transport:  # MCP for AI assistants, behind the same guard as the API; the SDK loads
        from ..mcp.server import http_transport  # on the first /mcp request (mcp_route.py)

        return http_transport(ContextWorkspace(ws), MCP_PATH)  # type: ignore[arg-type]  # tools see the caller's scope

    mount_mcp(app, mcp_transport, MCP_PATH)
    app.add_middleware(WorkerHeader)
    key = ws.settings.api_key
    app.add_middleware(ApiGuard, key=lambda: key.get_secret_value() if key else None, upload_paths=UPLOAD_PATHS,
                       protected_prefixes=("/api/", MCP_PATH), workspace=ws)
    return app


class WorkerHeader:
    """`X-Drafter-Worker: host:pid` on every answer: behind a proxy and with `--workers N`, which worker
    answered is the first thing to know. Plain ASGI, so streamed answers pass through untouched."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.value = f"{socket.gethostname()}:{os.getpid()}".encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_header(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-drafter-worker", self.value)]
            await send(message)

        await self.app(scope, receive, with_header)


def api_only_root(app: FastAPI) -> FastAPI:
    """`drafter serve --no-ui`: a small page at / pointing at the docs."""

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return Response("<!doctype html><meta charset=utf-8><title>drafter</title><h1>工会年度工作总结起草工具</h1>"
                        "<p><a href=/docs>API 文档</a></p>", media_type="text/html")

    return app
