"""Accounts: organisations, users, API tokens, sessions, failed sign-ins, the audit log, who owns each
uploaded corpus document, and an owning organisation on every draft.

Drafts written before accounts existed keep `org_id` NULL; the first organisation created adopts them
(drafter/accounts/store.py), so a single-user install that turns on accounts keeps its drafts.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from drafter.storage.migrations.helpers import columns, create_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID, NAME, HASH = sa.String(32), sa.String(200), sa.String(64)  # ids, names, hashes (and the csrf token)


def upgrade() -> None:
    create_table(
        "organisations",
        *columns({"id": ID, "name": NAME, "created_at": sa.Text}),
        sa.UniqueConstraint("name", name="uq_organisations_name"),
    )
    create_table(
        "users",
        *columns({"id": ID, "name": NAME, "org_id": ID, "role": sa.String(16), "password_hash": sa.Text,
                  "disabled": sa.Boolean, "created_at": sa.Text}, defaults={"disabled": sa.false()}),
        sa.UniqueConstraint("name", name="uq_users_name"),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"], name="fk_users_org"),
    )
    create_table(
        "api_tokens",
        *columns({"id": ID, "user_id": ID, "secret_hash": HASH, "created_at": sa.Text, "revoked_at": sa.Text},
                 nullable={"revoked_at"}),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_api_tokens_user", ondelete="CASCADE"),
    )
    create_table(
        "sessions",
        *columns({"id_hash": HASH, "user_id": ID, "csrf": HASH, "created_at": sa.Text, "seen_at": sa.Float}),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_sessions_user", ondelete="CASCADE"),
        primary_key="id_hash",
    )
    op.create_index("ix_sessions_user", "sessions", ["user_id"])
    create_table(
        "login_failures",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        *columns({"key": sa.String(300), "at": sa.Float}),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "at"])
    create_table(
        "audit",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        *columns({"at": sa.Text, "org_id": ID, "user_name": NAME, "action": sa.String(32), "target": NAME},
                 nullable={"org_id"}, defaults={"target": ""}),
    )
    op.create_index("ix_audit_org_at", "audit", ["org_id", "at"])
    create_table(
        "corpus_owners",
        *columns({"doc_id": NAME, "org_id": ID, "created_at": sa.Text}),
        primary_key="doc_id",
    )
    op.create_index("ix_corpus_owners_org", "corpus_owners", ["org_id"])
    op.add_column("drafts", sa.Column("org_id", ID, nullable=True))
    op.create_index("ix_drafts_org_updated", "drafts", ["org_id", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_drafts_org_updated", "drafts")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("org_id")
    for table in ("corpus_owners", "audit", "login_failures", "sessions", "api_tokens", "users", "organisations"):
        op.drop_table(table)
