"""One row per section, a version counter per section, a status per draft.

The first schema kept a whole draft in one JSON body, so every section write rewrote the draft from a copy
in memory and concurrent writes undid each other. Every draft and version is carried over: the body is
split into `drafts.facts` and one `sections` row per section; `section_versions` rows are copied as they
are; a draft with sections still pending is `interrupted`, one with a failed section `failed`.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from drafter.storage.migrations.helpers import columns, create_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BATCH = 500
ID, STATUS = sa.String(64), sa.String(16)


def _status(sections: list[dict[str, Any]]) -> str:
    states = {s.get("status", "pending") for s in sections}
    return "interrupted" if "pending" in states or not sections else "failed" if "failed" in states else "done"


def upgrade() -> None:
    op.rename_table("drafts", "drafts_v1")
    op.rename_table("section_versions", "section_versions_v1")
    drafts = create_table(
        "drafts",
        *columns({"id": ID, "title": sa.Text, "backend": sa.Text, "facts": sa.Text, "status": STATUS,
                  "runner": sa.Text, "heartbeat_at": sa.Text, "created_at": sa.Text, "updated_at": sa.Text},
                 defaults={"runner": "", "heartbeat_at": ""}),
    )
    op.create_index("ix_drafts_updated_at", "drafts", ["updated_at"])
    sections = create_table(
        "sections",
        *columns({"draft_id": ID, "idx": sa.Integer, "version": sa.Integer, "last_version": sa.Integer,
                  "status": STATUS, "body": sa.Text, "updated_at": sa.Text}),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_sections_draft", ondelete="CASCADE"),
        primary_key=("draft_id", "idx"),
    )
    versions = create_table(
        "section_versions",
        *columns({"draft_id": ID, "idx": sa.Integer, "version": sa.Integer, "created_at": sa.Text, "body": sa.Text}),
        sa.ForeignKeyConstraint(["draft_id", "idx"], ["sections.draft_id", "sections.idx"],
                                name="fk_section_versions_section", ondelete="CASCADE"),
        primary_key=("draft_id", "idx", "version"),
    )
    bind = op.get_bind()
    top: dict[tuple[str, int], int] = {}
    for draft_id, idx, version in bind.execute(sa.text("SELECT draft_id, idx, MAX(version) FROM section_versions_v1 "
                                                        "GROUP BY draft_id, idx")):
        top[(draft_id, idx)] = version
    seen: set[tuple[str, int]] = set()
    draft_rows: list[dict[str, Any]] = []
    section_rows: list[dict[str, Any]] = []

    def flush() -> None:
        if draft_rows:
            bind.execute(drafts.insert(), draft_rows)
        if section_rows:
            bind.execute(sections.insert(), section_rows)
        draft_rows.clear()
        section_rows.clear()

    old = bind.execute(sa.text("SELECT id, title, backend, created_at, updated_at, body FROM drafts_v1"))
    for draft_id, title, backend, created_at, updated_at, body in old:
        doc = json.loads(body)
        secs = list(doc.get("sections") or [])
        draft_rows.append({"id": draft_id, "title": title, "backend": backend,
                           "facts": json.dumps(doc.get("facts") or {}, ensure_ascii=False),
                           "status": _status(secs), "runner": "", "heartbeat_at": "",
                           "created_at": created_at, "updated_at": updated_at})
        for s in secs:
            idx = int(s["index"])
            seen.add((draft_id, idx))
            version = int(s.get("version", 0))
            section_rows.append({"draft_id": draft_id, "idx": idx, "version": version,
                                 "last_version": max(version, top.get((draft_id, idx), version)),
                                 "status": s.get("status", "pending"),
                                 "body": json.dumps(s, ensure_ascii=False), "updated_at": updated_at})
        if len(section_rows) >= BATCH:
            flush()
    flush()
    batch: list[dict[str, Any]] = []
    for draft_id, idx, version, created_at, body in bind.execute(
            sa.text("SELECT draft_id, idx, version, created_at, body FROM section_versions_v1")):
        if (draft_id, idx) in seen:  # a version of a section its draft no longer has cannot be shown
            batch.append({"draft_id": draft_id, "idx": idx, "version": version, "created_at": created_at,
                          "body": body})
        if len(batch) >= BATCH:
            bind.execute(versions.insert(), batch)
            batch.clear()
    if batch:
        bind.execute(versions.insert(), batch)
    op.drop_table("section_versions_v1")
    op.drop_table("drafts_v1")


def downgrade() -> None:
    raise NotImplementedError("drafter does not downgrade; restore a backup made before the upgrade instead")
