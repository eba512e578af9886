"""An HTTP API test client whose server demands the API key `s3cret` (send `KEY` as the header)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from drafter.api import create_app
from drafter.corpus.embedding import HashEmbedder
from drafter.settings import Settings
from drafter.workspace import Workspace

KEY = {"Authorization": "Bearer s3cret"}


def keyed_client(data_dir: Path) -> TestClient:
    ws = Workspace(Settings(data_dir=data_dir, api_key="s3cret"), embedder=HashEmbedder())
    ws.refresh_index()
    return TestClient(create_app(ws))
