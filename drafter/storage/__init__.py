"""Where drafts live: SQLite under the data dir, or PostgreSQL (DRAFTER_DATABASE_URL), one schema for both.

    schema.py      the tables (a row per draft, per section, per section version)
    db.py          engines, transactions, Alembic migrations run at start-up (migrations/versions/)
    drafts.py      DraftStore: per-section writes, atomic versions, draft status
    runners.py     which process writes a draft, and whether it is still alive
    dump.py        backup and restore as JSON lines, engine-neutral
    snapshots.py   the shared corpus snapshot of a team server (corpus/sync.py)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .drafts import DraftStore

__all__ = ["DraftStore"]


def __getattr__(name: str) -> Any:
    # SQLAlchemy loads with the store, not with `storage.runners` (which drafting imports): commands that never
    # open the drafts database (`drafter index`, `search`, `check`) start without it.
    if name == "DraftStore":
        from .drafts import DraftStore

        return DraftStore
    raise AttributeError(name)
