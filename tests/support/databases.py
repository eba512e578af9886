"""The drafts database under test: SQLite, and PostgreSQL when DRAFTER_TEST_DATABASE_URL names a server.

`tools/pg_test_cluster.sh start` starts a throwaway cluster and prints that variable; .ci/run does it. Each
test gets its own PostgreSQL schema (search_path in the URL), dropped afterwards. In CI (CI=true) a missing
PostgreSQL URL fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

PG_ENV = "DRAFTER_TEST_DATABASE_URL"
ENGINES = ["sqlite", "postgresql"]


def pg_base_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {PG_ENV} is not set: run `eval \"$(bash tools/pg_test_cluster.sh start)\"` first")
    pytest.skip(f"PostgreSQL tests need {PG_ENV} (`eval \"$(bash tools/pg_test_cluster.sh start)\"`)")
    return None


class PgSchemas:
    """Fresh schemas on the test server; each URL sees only its own schema."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        self.made: list[str] = []

    def new_url(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self.engine.connect() as c:
            c.exec_driver_sql(f"CREATE SCHEMA {name}")
        self.made.append(name)
        return f"{self.base}{'&' if '?' in self.base else '?'}options=-csearch_path%3D{name}"

    def drop(self) -> None:
        with self.engine.connect() as c:
            for name in self.made:
                c.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        self.engine.dispose()


def sqlite_url_in(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'drafter.sqlite3'}"


def fresh_url(engine: str, folder: Path) -> Iterator[str]:
    """Another empty database on `engine` (a restore target)."""
    if engine == "sqlite":
        yield sqlite_url_in(folder)
        return
    base = pg_base_url()
    assert base is not None
    schemas = PgSchemas(base)
    try:
        yield schemas.new_url()
    finally:
        schemas.drop()
