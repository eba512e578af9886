"""Backup and restore of the drafts database as JSON lines: engine-neutral (SQLite ⇄ PostgreSQL).

    {"format": "drafter-backup", "version": 1, "revision": "0002", "tables": ["drafts", …], …}
    {"table": "drafts", "row": {"id": …, …}}              one line per row, parents before children
    {"end": true, "rows": {"drafts": 3, …}}               a file without this line was cut short

A table that joins the schema later joins `BACKUP_TABLES` and the dump. A backup made at an older schema
revision is loaded into that revision's tables, then migrated like any old database.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from ..errors import InputError
from ..models import now_iso
from .db import current_revision, head_revision, make_engine, migrate, reading, writing
from .schema import BACKUP_TABLES

FORMAT = "drafter-backup"
VERSION = 1
BATCH = 500


def backup(engine: Engine, path: Path) -> dict[str, int]:
    """Write every table to `path` (through a temporary file, so a failed backup leaves no half file)."""
    migrate(engine)
    tmp = path.with_name(path.name + ".tmp")
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")  # one snapshot for every table
        with conn.begin(), tmp.open("w", encoding="utf-8") as out:
            header = {"format": FORMAT, "version": VERSION, "revision": current_revision(conn),
                      "created_at": now_iso(), "tables": [t.name for t in BACKUP_TABLES]}
            out.write(json.dumps(header, ensure_ascii=False) + "\n")
            for table in BACKUP_TABLES:
                counts[table.name] = 0
                query = sa.select(table).order_by(*table.primary_key.columns)
                for row in conn.execution_options(yield_per=BATCH).execute(query):
                    out.write(json.dumps({"table": table.name, "row": dict(row._mapping)}, ensure_ascii=False) + "\n")
                    counts[table.name] += 1
            out.write(json.dumps({"end": True, "rows": counts}) + "\n")
    os.replace(tmp, path)
    return counts


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise InputError(f"备份文件 {path} 第 {n} 行不是有效的 JSON：{exc.msg}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取备份文件 {path}：{exc}") from exc


def _header(path: Path) -> dict[str, Any]:
    try:
        first = next(_lines(path), None)
    except InputError as exc:
        if "JSON" not in exc.message:
            raise
        first = None
    if not isinstance(first, dict) or first.get("format") != FORMAT:
        raise InputError(f"{path} 不是 drafter 的备份文件", hint="请用 `drafter backup 文件` 生成的文件")
    if first.get("version") != VERSION:
        raise InputError(f"备份文件格式版本 {first.get('version')} 不受支持", hint="请用同一版本的 drafter 恢复")
    return first


def restore(url: str, path: Path) -> dict[str, int]:
    """Load a backup into the database at `url`, which must hold no drafts. Returns rows loaded per table."""
    header = _header(path)
    revision, head = header.get("revision"), head_revision()
    engine = make_engine(url)
    try:
        migrate(engine, force=True)
        with reading(engine) as c:
            held = {t.name: c.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in BACKUP_TABLES}
        if any(held.values()):
            raise InputError(f"目标数据库已有数据（{held}），恢复只能写入空数据库",
                             hint="请换一个空的 DRAFTER_DATA_DIR 或 DRAFTER_DATABASE_URL 再恢复")
        if revision != head:
            _rebuild_at(engine, str(revision))
        counts = _load(engine, path, list(header.get("tables") or []))
        if revision != head:
            migrate(engine, force=True)
    finally:
        engine.dispose()
    return counts


def _rebuild_at(engine: Engine, revision: str) -> None:
    """Drop the (empty) tables and build the schema as it was at `revision`, so the rows fit."""
    meta = sa.MetaData()
    meta.reflect(engine)
    with writing(engine) as c:
        meta.drop_all(c)
    migrate(engine, revision, force=True)


def _load(engine: Engine, path: Path, order: list[str]) -> dict[str, int]:
    meta = sa.MetaData()
    counts = {name: 0 for name in order}
    ended: dict[str, Any] | None = None
    with writing(engine) as c:
        tables = {name: sa.Table(name, meta, autoload_with=c) for name in order}
        pending: dict[str, list[dict[str, Any]]] = {name: [] for name in order}
        current: str | None = None

        def flush(name: str) -> None:
            if pending[name]:
                c.execute(tables[name].insert(), pending[name])
                pending[name] = []

        lines = _lines(path)
        next(lines)  # the header
        for item in lines:
            if item.get("end"):
                ended = item
                break
            name = item.get("table")
            if name not in tables:
                raise InputError(f"备份文件中有未知的表 {name}")
            if name != current and current is not None:
                flush(current)  # parents are complete before their children arrive
            current = name
            pending[name].append(item["row"])
            counts[name] += 1
            if len(pending[name]) >= BATCH:
                flush(name)
        for name in order:
            flush(name)
        if ended is None or ended.get("rows") != counts:
            raise InputError(f"备份文件 {path} 不完整（缺少结尾或行数不符），未恢复任何数据",
                             hint="请使用完整的备份文件")
    return counts


