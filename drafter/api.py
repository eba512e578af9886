"""HTTP API (FastAPI) under /api/v1: each route is one call into the Workspace."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from .errors import DrafterError
from .workspace import Workspace


def create_app(workspace: Workspace | None = None) -> FastAPI:
    ws = workspace or Workspace()
    app = FastAPI(title="drafter", version="0.1.0", description="工会年度工作总结起草工具 API")
    app.state.workspace = ws

    @app.exception_handler(DrafterError)
    async def _drafter_error(_: Request, exc: DrafterError) -> JSONResponse:
        return JSONResponse(status_code=exc.http_status, content={"detail": str(exc), "type": type(exc).__name__})

    @app.get("/api/v1/health")
    def health() -> dict[str, Any]:
        return ws.health()

    @app.get("/api/v1/search")
    def search(q: str = Query(..., min_length=1), k: int = Query(5, ge=1, le=50)) -> dict[str, Any]:
        return {"hits": [h.to_dict() for h in ws.search(q, k)]}

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return "<!doctype html><meta charset=utf-8><title>drafter</title><h1>工会年度工作总结起草工具</h1>"

    return app
