"""Drafts in the database: a row per draft, a row per section, every version of every section.

Every write touches only its own section row (and the draft's timestamps and status), inside one
transaction that holds that row: SQLite's write lock (BEGIN IMMEDIATE) or PostgreSQL's row lock
(SELECT … FOR UPDATE). So concurrent edits, regenerations and a draft still being written never undo one
another, and version numbers come from the section's own counter, unique per (draft, section).

A version becomes the shown one unless a newer version (one allocated later) is already shown: an edit made
while the same section was being regenerated stays, and the regenerated text is kept in the history.
"""

from __future__ import annotations

import builtins
import functools
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from ..errors import ConfigError, ConflictError, InputError, NotFoundError
from ..facts import Facts
from ..models import Draft, DraftStatus, Section, now_iso
from . import runners
from .db import make_engine, migrate, reading, sqlite_url, writing
from .schema import drafts, section_versions, sections

SectionChange = Callable[[Facts, Section], Section | None]
RECOVER_EVERY = 30.0  # seconds: how often listing drafts looks again for runs whose process died


def _no_nul(text: str) -> str:
    return text.replace("\x00", "")


def _not_found(draft_id: str) -> NotFoundError:
    return NotFoundError(f"没有编号为 {draft_id} 的草稿", hint="用 `drafter drafts` 查看已有草稿")


def _status_after_write() -> Any:
    """The draft's status once a section changed: a draft being written stays `running`; otherwise it is
    `interrupted` while a section is pending, `failed` while one failed, else `done`."""
    return sa.case((drafts.c.status == "running", "running"), else_=_settled_status())


@functools.cache
def _touch_draft() -> Any:
    """After a section write: the draft's time, status and heartbeat. Built once with bound parameters
    (building the CASE/EXISTS expression was most of a section save's CPU)."""
    now = sa.bindparam("b_now", type_=drafts.c.updated_at.type)
    return sa.update(drafts).where(drafts.c.id == sa.bindparam("b_id", type_=drafts.c.id.type)).values(
        updated_at=now, status=_status_after_write(),
        heartbeat_at=sa.case((drafts.c.status == "running", now), else_=drafts.c.heartbeat_at))


@functools.cache
def _section_statements() -> dict[str, Any]:
    """The statements of a section write, built once with bound parameters: building them per call (the
    coercions and cache keys of SQLAlchemy's expression language) cost more than running them on SQLite."""
    draft_id, idx = sa.bindparam("b_draft", type_=sections.c.draft_id.type), sa.bindparam("b_idx", type_=sections.c.idx.type)
    this_section = (sections.c.draft_id == draft_id, sections.c.idx == idx)
    return {
        "lock": sa.select(sections.c.version, sections.c.last_version, sections.c.body).where(*this_section)
        .with_for_update(),
        "taken": sa.select(section_versions.c.version).where(
            section_versions.c.draft_id == draft_id, section_versions.c.idx == idx,
            section_versions.c.version == sa.bindparam("b_version", type_=section_versions.c.version.type)),
        "add_version": section_versions.insert(),
        "show": sa.update(sections).where(*this_section).values(
            last_version=sa.bindparam("b_last"), version=sa.bindparam("b_version"), status=sa.bindparam("b_status"),
            body=sa.bindparam("b_body"), updated_at=sa.bindparam("b_now")),
        "keep": sa.update(sections).where(*this_section).values(last_version=sa.bindparam("b_last")),
    }


def _settled_status() -> Any:
    mine = sections.c.draft_id == drafts.c.id
    pending = sa.exists().where(mine, sections.c.status == "pending")
    failed = sa.exists().where(mine, sections.c.status == "failed")
    return sa.case((pending, "interrupted"), (failed, "failed"), else_="done")


class DraftStore:
    def __init__(self, url: str | Path) -> None:
        self.url = sqlite_url(url) if isinstance(url, Path) else url
        self.engine = make_engine(self.url)
        try:
            migrate(self.engine)
        except sa.exc.OperationalError as exc:
            where = self.engine.url.render_as_string(hide_password=True)
            raise ConfigError(f"无法打开草稿数据库 {where}：{str(exc.orig or exc).strip().splitlines()[0]}",
                              hint="请检查 DRAFTER_DATABASE_URL 与数据库服务是否可用") from exc
        self._recovered_at = -RECOVER_EVERY

    def close(self) -> None:
        self.engine.dispose()

    # --- writes --------------------------------------------------------------------------------------------
    def save(self, draft: Draft, *, org_id: str | None = None) -> None:
        """Store a new draft: its row, a row per section, and a version for each section already written.
        A `running` draft is recorded as written by this process (see runners.py); `org_id` owns it."""
        now = now_iso()
        draft.updated_at = now
        with writing(self.engine) as c:
            c.execute(drafts.insert().values(
                id=draft.id, title=_no_nul(draft.title), backend=_no_nul(draft.backend),
                facts=draft.facts.model_dump_json(), status=draft.status,
                runner=runners.current() if draft.status == "running" else "", heartbeat_at=now,
                created_at=draft.created_at, updated_at=now, org_id=org_id))
            if draft.sections:
                c.execute(sections.insert(), [
                    {"draft_id": draft.id, "idx": s.index, "version": s.version, "last_version": s.version,
                     "status": s.status, "body": s.model_dump_json(), "updated_at": now} for s in draft.sections])
            written = [s for s in draft.sections if s.status != "pending"]
            if written:
                c.execute(section_versions.insert(), [
                    {"draft_id": draft.id, "idx": s.index, "version": s.version, "created_at": now,
                     "body": s.model_dump_json()} for s in written])

    def allocate_version(self, draft_id: str, index: int) -> int:
        """A version number for a section nobody else will get (the section's counter, incremented)."""
        with writing(self.engine) as c:
            v = c.execute(sa.update(sections).where(sections.c.draft_id == draft_id, sections.c.idx == index)
                          .values(last_version=sections.c.last_version + 1)
                          .returning(sections.c.last_version)).scalar_one_or_none()
        if v is None:
            raise self._missing_section(draft_id, index)
        return int(v)

    def save_section(self, draft: Draft | str, section: Section) -> Section:
        """Record a written section as a version, and show it unless a newer version is shown already.
        Returns the section shown now. Only this section's rows change."""
        return self.save_sections(draft, [section])[0]

    def save_sections(self, draft: Draft | str, written: Sequence[Section]) -> builtins.list[Section]:
        """save_section for several sections in one transaction (the offline drafter writes them all at once)."""
        draft_id = draft if isinstance(draft, str) else draft.id
        now = now_iso()
        shown_now: builtins.list[Section] = []
        with writing(self.engine) as c:
            for section in written:
                row = self._lock_section(c, draft_id, section.index)
                version = section.version
                taken = c.execute(_section_statements()["taken"],
                                  {"b_draft": draft_id, "b_idx": section.index, "b_version": version}).first()
                if taken is not None:  # a caller that did not allocate its version: never overwrite history
                    version = row.last_version + 1
                    section = section.model_copy(update={"version": version})
                self._write_version(c, draft_id, section, now, last_version=max(row.last_version, version),
                                    shown=version >= row.version)
                shown_now.append(section if version >= row.version else Section.model_validate_json(row.body))
            c.execute(_touch_draft(), {"b_id": draft_id, "b_now": now})
        if not isinstance(draft, str):
            for shown in shown_now:
                draft.sections[shown.index] = shown
            draft.updated_at = now
        return shown_now

    def edit_section(self, draft_id: str, index: int, change: SectionChange) -> Draft:
        """Apply `change(facts, shown section)` while holding the section; None means nothing changed (no
        version is made). The new version is the next one of the section's counter."""
        now = now_iso()
        with writing(self.engine) as c:
            facts_json = c.execute(sa.select(drafts.c.facts).where(drafts.c.id == draft_id)).scalar_one_or_none()
            if facts_json is None:
                raise _not_found(draft_id)
            row = self._lock_section(c, draft_id, index)
            new = change(Facts.model_validate_json(facts_json), Section.model_validate_json(row.body))
            if new is not None:
                new = new.model_copy(update={"version": row.last_version + 1, "index": index})
                self._write_version(c, draft_id, new, now, last_version=new.version, shown=True)
                c.execute(_touch_draft(), {"b_id": draft_id, "b_now": now})
        return self.get(draft_id)

    def _lock_section(self, c: Connection, draft_id: str, index: int) -> Any:
        row = c.execute(_section_statements()["lock"], {"b_draft": draft_id, "b_idx": index}).first()
        if row is None:
            raise self._missing_section(draft_id, index, c)
        return row

    def _missing_section(self, draft_id: str, index: int, c: Connection | None = None) -> Exception:
        with reading(self.engine) if c is None else _same(c) as conn:
            n = conn.execute(sa.select(sa.func.count()).select_from(sections)
                             .where(sections.c.draft_id == draft_id)).scalar_one()
            known = conn.execute(sa.select(drafts.c.id).where(drafts.c.id == draft_id)).first()
        if known is None:
            return _not_found(draft_id)
        return InputError(f"草稿只有 {n} 节，没有第 {index} 节", hint="节的编号从 0 开始")

    def _write_version(self, c: Connection, draft_id: str, section: Section, now: str, *, last_version: int,
                       shown: bool) -> None:
        body = section.model_dump_json()
        stmts = _section_statements()
        c.execute(stmts["add_version"], {"draft_id": draft_id, "idx": section.index, "version": section.version,
                                         "created_at": now, "body": body})
        where = {"b_draft": draft_id, "b_idx": section.index, "b_last": last_version}
        if shown:
            c.execute(stmts["show"], {**where, "b_version": section.version, "b_status": section.status,
                                      "b_body": body, "b_now": now})
        else:
            c.execute(stmts["keep"], where)

    # --- the life of a draft run ---------------------------------------------------------------------------
    def finish(self, draft_id: str) -> Draft:
        """The run writing this draft has stopped: `done`, `failed` (a section failed) or `interrupted`
        (sections still pending: cancelled, or stopped by an error)."""
        with writing(self.engine) as c:
            c.execute(sa.update(drafts).where(drafts.c.id == draft_id, drafts.c.status == "running")
                      .values(status=_settled_status(), updated_at=now_iso()))
        return self.get(draft_id)

    def heartbeat(self, draft_id: str) -> None:
        with writing(self.engine) as c:
            c.execute(sa.update(drafts).where(drafts.c.id == draft_id, drafts.c.status == "running",
                                              drafts.c.runner == runners.current()).values(heartbeat_at=now_iso()))

    def recover(self) -> builtins.list[str]:
        """Mark as `interrupted` the drafts left `running` by a process that is gone. Returns their ids."""
        with reading(self.engine) as c:
            rows = c.execute(sa.select(drafts.c.id, drafts.c.runner, drafts.c.heartbeat_at)
                             .where(drafts.c.status == "running")).all()
        self._recovered_at = time.monotonic()
        dead = [(r.id, r.runner) for r in rows if runners.is_dead(r.runner, r.heartbeat_at)]
        if dead:
            with writing(self.engine) as c:
                for draft_id, runner in dead:  # the runner is re-checked: another process may have claimed it
                    c.execute(sa.update(drafts).where(drafts.c.id == draft_id, drafts.c.status == "running",
                                                      drafts.c.runner == runner).values(status="interrupted"))
        return [d for d, _ in dead]

    def claim(self, draft_id: str) -> Draft | None:
        """Take an interrupted draft to resume it (it becomes `running`, written by this process).
        None when there is nothing to resume; ConflictError when another live process is writing it."""
        self.recover()
        with writing(self.engine) as c:
            row = c.execute(sa.select(drafts.c.status).where(drafts.c.id == draft_id).with_for_update()).first()
            if row is None:
                raise _not_found(draft_id)
            if row.status == "running":
                raise ConflictError("这份草稿正在生成中", hint="请等它写完；生成它的程序若已退出，稍后再试")
            if row.status != "interrupted":
                return None
            now = now_iso()
            c.execute(sa.update(drafts).where(drafts.c.id == draft_id).values(
                status="running", runner=runners.current(), heartbeat_at=now, updated_at=now))
        return self.get(draft_id)

    # --- reads ---------------------------------------------------------------------------------------------
    def get(self, draft_id: str) -> Draft:
        with reading(self.engine) as c:
            row = c.execute(sa.select(drafts).where(drafts.c.id == draft_id)).first()
            if row is None:
                raise _not_found(draft_id)
            bodies = c.execute(sa.select(sections.c.body).where(sections.c.draft_id == draft_id)
                               .order_by(sections.c.idx)).scalars().all()
        return Draft(id=row.id, title=row.title, backend=row.backend, facts=Facts.model_validate_json(row.facts),
                     sections=[Section.model_validate_json(b) for b in bodies], status=row.status,
                     created_at=row.created_at, updated_at=row.updated_at)

    def org_of(self, draft_id: str) -> str | None:
        """The organisation owning the draft (None: made before accounts); NotFoundError when there is none."""
        with reading(self.engine) as c:
            row = c.execute(sa.select(drafts.c.org_id).where(drafts.c.id == draft_id)).first()
        if row is None:
            raise _not_found(draft_id)
        return row.org_id  # type: ignore[no-any-return]

    def list(self, limit: int = 100, *, org_id: str | None = None) -> builtins.list[dict[str, Any]]:
        """Newest first: id, title, backend, status, created_at, updated_at, sections and sections_done.
        Now and then it first marks runs of dead processes (another host's, whose heartbeat went stale
        after this process started) as interrupted, so the list does not show them running for ever."""
        if time.monotonic() - self._recovered_at >= RECOVER_EVERY:
            self.recover()
        mine = sections.c.draft_id == drafts.c.id
        total = sa.select(sa.func.count()).where(mine).scalar_subquery()
        done = sa.select(sa.func.count()).where(mine, sections.c.status == "done").scalar_subquery()
        with reading(self.engine) as c:
            rows = c.execute(sa.select(drafts.c.id, drafts.c.title, drafts.c.backend, drafts.c.status,
                                       drafts.c.created_at, drafts.c.updated_at, total.label("sections"),
                                       done.label("sections_done"))
                             .where(drafts.c.org_id == org_id if org_id is not None else sa.true())
                             .order_by(drafts.c.updated_at.desc(), drafts.c.id).limit(limit)).all()
        return [dict(r._mapping) for r in rows]

    def versions(self, draft_id: str, index: int) -> builtins.list[Section]:
        with reading(self.engine) as c:
            bodies = c.execute(sa.select(section_versions.c.body).where(
                section_versions.c.draft_id == draft_id, section_versions.c.idx == index)
                .order_by(section_versions.c.version)).scalars().all()
        return [Section.model_validate_json(b) for b in bodies]

    def status(self, draft_id: str) -> DraftStatus:
        with reading(self.engine) as c:
            s = c.execute(sa.select(drafts.c.status).where(drafts.c.id == draft_id)).scalar_one_or_none()
        if s is None:
            raise _not_found(draft_id)
        return s  # type: ignore[no-any-return]


class _same:
    """A context manager yielding an open connection as it is (for helpers called inside a transaction)."""

    def __init__(self, c: Connection) -> None:
        self.c = c

    def __enter__(self) -> Connection:
        return self.c

    def __exit__(self, *exc: object) -> None:
        return None
