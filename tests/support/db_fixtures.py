"""Fixtures over tests/support/databases.py; test modules load them with
`pytest_plugins = ["tests.support.db_fixtures"]`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import ENGINES, PgSchemas, pg_base_url, sqlite_url_in


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[str]:
    """A fresh, empty drafts database: one run per engine."""
    if request.param == "sqlite":
        yield sqlite_url_in(data_dir)
        return
    base = pg_base_url()
    assert base is not None
    schemas = PgSchemas(base)
    try:
        yield schemas.new_url()
    finally:
        schemas.drop()
