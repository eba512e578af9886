"""The tables as the newest migration leaves them (SQLAlchemy Core), shared by SQLite and PostgreSQL.

A draft is one `drafts` row (title, facts, status) and one `sections` row per section, so a write touches
only its own section. `section_versions` keeps every version of every section; (draft, section, version) is
unique and versions are allocated from `sections.last_version` inside the writing transaction.
JSON goes in TEXT columns: portable, and PostgreSQL's jsonb would refuse a `\\u0000` that TEXT keeps escaped.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

drafts = Table(
    "drafts", metadata,
    Column("id", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("backend", Text, nullable=False),
    Column("facts", Text, nullable=False),  # the Facts as JSON
    Column("status", String(16), nullable=False),  # running | done | failed | interrupted
    Column("runner", Text, nullable=False, server_default=""),  # host|pid|start of the process writing it
    Column("heartbeat_at", Text, nullable=False, server_default=""),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Index("ix_drafts_updated_at", "updated_at"),
)

sections = Table(
    "sections", metadata,
    Column("draft_id", String(64), ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("version", Integer, nullable=False),  # the version shown now
    Column("last_version", Integer, nullable=False),  # the highest version handed out (allocation counter)
    Column("status", String(16), nullable=False),  # pending | done | failed
    Column("body", Text, nullable=False),  # the Section as JSON
    Column("updated_at", Text, nullable=False),
)

section_versions = Table(
    "section_versions", metadata,
    Column("draft_id", String(64), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("created_at", Text, nullable=False),
    Column("body", Text, nullable=False),
    ForeignKeyConstraint(["draft_id", "idx"], ["sections.draft_id", "sections.idx"], ondelete="CASCADE"),
)

# The corpus a team shares (see drafter/corpus_sync.py): the latest snapshot, one row. Not in backups: it is
# rebuilt from the documents by `drafter index` on any machine.
corpus_snapshot = Table(
    "corpus_snapshot", metadata,
    Column("name", String(32), primary_key=True),
    Column("generation", Text, nullable=False),
    Column("archive", LargeBinary, nullable=False),  # tar.gz of documents/ and index/
    Column("size", Integer, nullable=False),
    Column("updated_at", Text, nullable=False),
)

# Backup order: parents before children. A table added later (uploaded documents…) joins this list.
BACKUP_TABLES: list[Table] = [drafts, sections, section_versions]
