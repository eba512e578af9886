"""The shared corpus snapshot row (team servers only: corpus/sync.py). Kept here so that the corpus package
loads SQLAlchemy only when a team server really shares its corpus through the database."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from .db import reading, writing
from .schema import corpus_snapshot

ROW = "corpus"


def generation(engine: Engine) -> str | None:
    with reading(engine) as c:
        row = c.execute(sa.select(corpus_snapshot.c.generation).where(corpus_snapshot.c.name == ROW)).first()
    return row.generation if row else None


def snapshot(engine: Engine) -> tuple[str, bytes] | None:
    """The shared generation and its archive, if there is one."""
    with reading(engine) as c:
        row = c.execute(sa.select(corpus_snapshot.c.generation, corpus_snapshot.c.archive)
                        .where(corpus_snapshot.c.name == ROW)).first()
    return (row.generation, row.archive) if row else None


def store(engine: Engine, values: dict[str, Any]) -> None:
    """Replace the shared snapshot (or make the first one)."""
    with writing(engine) as c:
        done = c.execute(sa.update(corpus_snapshot).where(corpus_snapshot.c.name == ROW).values(**values))
        if done.rowcount == 0:
            c.execute(sa.insert(corpus_snapshot).values(name=ROW, **values))
