"""FROZEN COPY of drafter/store.py as it was before migrations (commit 06aac92), to make databases in the previous schema for the migration test. Do not edit.

Each finished section is committed on its own, so a crash mid-draft loses nothing already written.
"""

from __future__ import annotations

import builtins
import sqlite3
import threading
from pathlib import Path

from drafter.errors import NotFoundError
from drafter.models import Draft, Section, now_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    backend TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    body TEXT NOT NULL            -- the Draft as JSON
);
CREATE TABLE IF NOT EXISTS section_versions (
    draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL,           -- the Section as JSON
    PRIMARY KEY (draft_id, idx, version)
);
CREATE INDEX IF NOT EXISTS drafts_updated ON drafts(updated_at);
"""


class DraftStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    def save(self, draft: Draft) -> None:
        draft.updated_at = now_iso()
        with self._lock:
            self._conn.execute(
                "INSERT INTO drafts(id, title, backend, created_at, updated_at, body) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET title=excluded.title, backend=excluded.backend, "
                "updated_at=excluded.updated_at, body=excluded.body",
                (draft.id, draft.title, draft.backend, draft.created_at, draft.updated_at, draft.model_dump_json()),
            )

    def save_section(self, draft: Draft, section: Section) -> None:
        """Record a finished section version and the draft that now holds it, in one transaction."""
        draft.sections[section.index] = section
        draft.updated_at = now_iso()
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                self._conn.execute(
                    "INSERT OR REPLACE INTO section_versions(draft_id, idx, version, created_at, body) VALUES (?,?,?,?,?)",
                    (draft.id, section.index, section.version, now_iso(), section.model_dump_json()),
                )
                self._conn.execute(
                    "UPDATE drafts SET updated_at=?, title=?, body=? WHERE id=?",
                    (draft.updated_at, draft.title, draft.model_dump_json(), draft.id),
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def get(self, draft_id: str) -> Draft:
        with self._lock:
            row = self._conn.execute("SELECT body FROM drafts WHERE id=?", (draft_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"没有编号为 {draft_id} 的草稿", hint="用 `drafter drafts` 查看已有草稿")
        return Draft.model_validate_json(row[0])

    def list(self, limit: int = 100) -> list[dict[str, str]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, title, backend, created_at, updated_at FROM drafts ORDER BY updated_at DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [dict(zip(("id", "title", "backend", "created_at", "updated_at"), r, strict=True)) for r in rows]

    def versions(self, draft_id: str, index: int) -> builtins.list[Section]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT body FROM section_versions WHERE draft_id=? AND idx=? ORDER BY version", (draft_id, index)
            ).fetchall()
        return [Section.model_validate_json(r[0]) for r in rows]
