"""The corpus a team shares: one row holding the latest corpus snapshot (documents, manifest, chunk table
and saved lexical index) and its generation, so a worker on another machine serves the same corpus.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from drafter.storage.migrations.helpers import columns

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "corpus_snapshot",
        sa.Column("name", sa.String(32), primary_key=True),
        *columns({"generation": sa.Text, "archive": sa.LargeBinary, "size": sa.Integer, "updated_at": sa.Text}),
    )


def downgrade() -> None:
    op.drop_table("corpus_snapshot")
