"""Where drafts live: SQLite under the data dir, or PostgreSQL (DRAFTER_DATABASE_URL), one schema for both.

    schema.py      the tables (a row per draft, per section, per section version)
    db.py          engines, transactions, Alembic migrations run at start-up (migrations/versions/)
    drafts.py      DraftStore: per-section writes, atomic versions, draft status
    runners.py     which process writes a draft, and whether it is still alive
    dump.py        backup and restore as JSON lines, engine-neutral
"""

from .drafts import DraftStore

__all__ = ["DraftStore"]
