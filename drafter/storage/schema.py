"""The tables as the newest migration leaves them (SQLAlchemy Core), shared by SQLite and PostgreSQL.

A draft is one `drafts` row (title, facts, status) and one `sections` row per section, so a write touches
only its own section. `section_versions` keeps every version of every section; (draft, section, version) is
unique and versions are allocated from `sections.last_version` inside the writing transaction.
JSON goes in TEXT columns: portable, and PostgreSQL's jsonb would refuse a `\\u0000` that TEXT keeps escaped.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
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
    Column("org_id", String(32), nullable=True),  # the owning organisation; NULL: made before accounts
    Index("ix_drafts_updated_at", "updated_at"),
    Index("ix_drafts_org_updated", "org_id", "updated_at"),
)

sections = Table(
    "sections", metadata,
    Column("draft_id", String(64), ForeignKey("drafts.id", ondelete="CASCADE", name="fk_sections_draft"), primary_key=True),
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
    ForeignKeyConstraint(["draft_id", "idx"], ["sections.draft_id", "sections.idx"], ondelete="CASCADE",
                         name="fk_section_versions_section"),
)

# The corpus a team shares (see drafter/corpus/sync.py): the latest snapshot, one row. Not in backups: it is
# rebuilt from the documents by `drafter index` on any machine.
corpus_snapshot = Table(
    "corpus_snapshot", metadata,
    Column("name", String(32), primary_key=True),
    Column("generation", Text, nullable=False),
    Column("archive", LargeBinary, nullable=False),  # tar.gz of documents/ and index/
    Column("size", Integer, nullable=False),
    Column("updated_at", Text, nullable=False),
)

# --- accounts (migration 0003) -----------------------------------------------------------------------------
organisations = Table(
    "organisations", metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", Text, nullable=False),
    UniqueConstraint("name", name="uq_organisations_name"),
)

users = Table(
    "users", metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("org_id", String(32), ForeignKey("organisations.id", name="fk_users_org"), nullable=False),
    Column("role", String(16), nullable=False),  # admin | writer
    Column("password_hash", Text, nullable=False),  # argon2id, PHC string
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("created_at", Text, nullable=False),
    UniqueConstraint("name", name="uq_users_name"),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE", name="fk_api_tokens_user"), nullable=False),
    Column("secret_hash", String(64), nullable=False),  # sha256 of the random secret (never the secret)
    Column("created_at", Text, nullable=False),
    Column("revoked_at", Text, nullable=True),
)

sessions = Table(
    "sessions", metadata,
    Column("id_hash", String(64), primary_key=True),  # sha256 of the cookie value
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE", name="fk_sessions_user"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("seen_at", Float, nullable=False),  # unix time of the last request (idle expiry)
    Index("ix_sessions_user", "user_id"),
)

login_failures = Table(
    "login_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False),  # "user:NAME" or "ip:ADDRESS"
    Column("at", Float, nullable=False),
    Index("ix_login_failures_key_at", "key", "at"),
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Text, nullable=False),
    Column("org_id", String(32), nullable=True),
    Column("user_name", String(200), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", String(200), nullable=False, server_default=""),  # an id or a user name, never content
    Index("ix_audit_org_at", "org_id", "at"),
)

corpus_owners = Table(
    "corpus_owners", metadata,
    Column("doc_id", String(200), primary_key=True),
    Column("org_id", String(32), nullable=False),
    Column("created_at", Text, nullable=False),
    Index("ix_corpus_owners_org", "org_id"),
)

# Backup order: parents before children. A table added later (uploaded documents…) joins this list.
BACKUP_TABLES: list[Table] = [drafts, sections, section_versions, organisations, users, api_tokens, audit,
                               corpus_owners]


# Constraints named as the migrations name them (helpers.py: primary keys `pk_<table>`, except corpus_snapshot's,
# made in 0004 without the helper; foreign keys named above), so that a new database made from these tables
# (db.create_at_head) is the one the migrations make: a test compares the two on both engines.
for _table in metadata.sorted_tables:
    if _table.name != "corpus_snapshot":
        _table.primary_key.name = f"pk_{_table.name}"
