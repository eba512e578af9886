"""Shared fixtures. Every test gets its own DRAFTER_DATA_DIR; nothing touches the network."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.corpus.embedding import HashEmbedder
from drafter.settings import REPO_ROOT, Settings
from drafter.workspace import Workspace
from tests.support.net import free_port, install_loopback_guard

CORPUS = REPO_ROOT / "corpus"

# No real key, endpoint or setting from the developer's shell may leak into tests (the test database's
# address, DRAFTER_TEST_*, is the tests' own).
for var in [v for v in os.environ if v.startswith(("OPENAI_", "CHROMA_", "DRAFTER_"))
            and not v.startswith("DRAFTER_TEST_")]:
    os.environ.pop(var, None)

install_loopback_guard()


@pytest.fixture
def port() -> int:
    """A free port on 127.0.0.1."""
    return free_port()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("DRAFTER_DATA_DIR", str(d))
    return d


@pytest.fixture
def fast_ws(data_dir: Path) -> Workspace:
    """A workspace on the bundled corpus with the hashing embedder: a real Chroma index, built in ~1 s."""
    ws = Workspace(Settings(data_dir=data_dir), embedder=HashEmbedder())
    ws.refresh_index()
    return ws


@pytest.fixture(scope="session")
def real_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The shipped offline embedder on the bundled corpus, built once per session (~20 s)."""
    d = tmp_path_factory.mktemp("real") / "data"
    ws = Workspace(Settings(data_dir=d))
    ws.refresh_index()
    yield ws
