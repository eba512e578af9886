"""Fixtures over tests/support/databases.py; test modules load them with
`pytest_plugins = ["tests.support.db_fixtures"]`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import ENGINES, fresh_url


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[str]:
    """A fresh, empty drafts database: one run per engine."""
    yield from fresh_url(request.param, data_dir)
