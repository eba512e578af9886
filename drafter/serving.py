"""App factories for uvicorn (`drafter serve --no-ui`)."""

from __future__ import annotations

from fastapi import FastAPI

from .api import create_app
from .api.app import api_only_root


def api_app() -> FastAPI:
    return api_only_root(create_app())
