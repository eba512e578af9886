"""The first schema (drafter/store.py before migrations): a draft as one JSON body, plus section versions.

Created only where missing, so a database written by that code is adopted as it is.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

LEGACY = [
    """CREATE TABLE IF NOT EXISTS drafts (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        backend TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        body TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS section_versions (
        draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (draft_id, idx, version)
    )""",
    "CREATE INDEX IF NOT EXISTS drafts_updated ON drafts(updated_at)",
]


def upgrade() -> None:
    for statement in LEGACY:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("section_versions")
    op.drop_table("drafts")
