"""HTTP API (FastAPI) under /api/v1, one small router per area, each route one Workspace call.

    app.py      create_app(): routers, error handlers (DrafterError → its status; schema errors → 422
                naming the field in Chinese), the guard
    guard.py    the key checked before any body byte is read; 413 by length and by counted chunks
    deps.py     the injected workspace; CPU work off the event loop
    schemas.py  request and response models (OpenAPI shows real shapes)
    drafts.py, check.py, corpus.py   the routes
"""

from .app import create_app

__all__ = ["create_app"]
