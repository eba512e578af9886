"""A Workspace that sees one organisation: its drafts, its uploaded documents plus the bundled corpus
(shared, read-only), and retrieval over exactly those. Another organisation's draft or document id raises
the same NotFoundError a missing one does. Every action is written to the audit log (ids only).

Scoping is done here, once, by swapping the workspace's store and retriever for views of one organisation;
the routes and the web UI only ask `workspace.for_principal(p)` for the view and call it as before.
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, cast

from ..corpus.files import make_doc_id
from ..corpus.index import DocInfo, Progress
from ..drafting.pipeline import Drafter, DraftEvent, DraftRun, EventSink
from ..errors import BadFileError, ForbiddenError, NotFoundError
from ..facts import Facts
from ..models import Draft, OutlineSection
from ..retrieval.search import Filters, Hit, Retriever
from ..storage.drafts import DraftStore, _not_found
from ..workspace import Workspace
from .principal import Principal

NO_DOC = "\x00none"  # a doc id no chunk has: an empty allow-list must match nothing, not everything


class OrgDraftStore:
    """The drafts store as one organisation sees it. Drafts it saves are its own."""

    def __init__(self, base: DraftStore, org_id: str) -> None:
        self.base = base
        self.org_id = org_id

    def __getattr__(self, name: str) -> Any:  # engine, recover, finish, heartbeat, close…
        return getattr(self.base, name)

    def own(self, draft_id: str) -> None:
        if self.base.org_of(draft_id) != self.org_id:
            raise _not_found(draft_id)

    def save(self, draft: Draft, *, org_id: str | None = None) -> None:
        self.base.save(draft, org_id=self.org_id)

    def list(self, limit: int = 100, *, org_id: str | None = None) -> list[dict[str, Any]]:
        return self.base.list(limit, org_id=self.org_id)

    def get(self, draft_id: str) -> Draft:
        self.own(draft_id)
        return self.base.get(draft_id)

    def versions(self, draft_id: str, index: int) -> builtins.list[Any]:
        self.own(draft_id)
        return self.base.versions(draft_id, index)

    def status(self, draft_id: str) -> Any:
        self.own(draft_id)
        return self.base.status(draft_id)

    def claim(self, draft_id: str) -> Draft | None:
        self.own(draft_id)
        return self.base.claim(draft_id)

    def allocate_version(self, draft_id: str, index: int) -> int:
        self.own(draft_id)
        return self.base.allocate_version(draft_id, index)

    def save_section(self, draft: Draft | str, section: Any) -> Any:
        self.own(draft if isinstance(draft, str) else draft.id)
        return self.base.save_section(draft, section)

    def save_sections(self, draft: Draft | str, written: Any) -> Any:
        self.own(draft if isinstance(draft, str) else draft.id)
        return self.base.save_sections(draft, written)

    def edit_section(self, draft_id: str, index: int, change: Any) -> Draft:
        self.own(draft_id)
        return self.base.edit_section(draft_id, index, change)


class OrgRetriever:
    """The retriever restricted to the documents one organisation may read."""

    def __init__(self, base: Retriever, allowed: Callable[[], list[str]]) -> None:
        self.base = base
        self.allowed = allowed

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)

    def _limit(self, f: Filters | None, allowed: set[str]) -> Filters:
        ids = allowed if f is None or not f.doc_ids else allowed & set(f.doc_ids)
        return dataclasses.replace(f or Filters(), doc_ids=sorted(ids) or [NO_DOC])

    def search(self, query: str, k: int = 5, **kwargs: Any) -> list[Hit]:
        return self.search_many([query], k, **kwargs)[0]

    def search_many(self, queries: Sequence[str], k: int = 5, *, filters: Any = None, **kwargs: Any) -> list[list[Hit]]:
        allowed = set(self.allowed())
        if isinstance(filters, Sequence):
            scoped: Any = [self._limit(f, allowed) for f in filters]
        else:
            scoped = self._limit(filters, allowed)
        return self.base.search_many(queries, k, filters=scoped, **kwargs)


def org_drafter(parent: Workspace, org_id: str) -> Drafter:
    """One Drafter per organisation per process (it keeps the runs it is writing), over the org's views."""
    cache: dict[str, Drafter] = parent.__dict__.setdefault("_org_drafters", {})
    if org_id not in cache:
        store = OrgDraftStore(parent.store, org_id)
        retriever = OrgRetriever(parent.retriever, lambda: visible_doc_ids(parent, org_id))
        cache[org_id] = Drafter(parent.settings, cast(DraftStore, store), cast(Retriever, retriever),
                                parent.generator, copy_index=lambda: org_copy_index(parent, org_id))
    return cache[org_id]


def org_copy_index(parent: Workspace, org_id: str) -> Any:
    """The `copied` check's index over the documents the organisation may read (so a flag never quotes
    another organisation's summary); rebuilt when the corpus or its owners change. None before the
    search index exists (the check then uses the bundled corpus)."""
    from ..checking.copied import CopyIndex
    from ..errors import SearchIndexError

    cache: dict[str, Any] = parent.__dict__.setdefault("_org_copy", {})
    try:
        allowed = frozenset(d.doc_id for d in visible_docs(parent, org_id))
        key = (parent.index.version, allowed)
        if org_id not in cache or cache[org_id][0] != key:
            chunks = [c for c in parent.index.chunks() if c.doc_id in allowed]
            cache[org_id] = (key, CopyIndex.from_chunks(chunks))
    except SearchIndexError:
        return None
    return cache[org_id][1]


def visible_docs(parent: Workspace, org_id: str) -> list[DocInfo]:
    """Bundled documents, and uploads owned by the organisation (uploads from before accounts belong to the
    first organisation)."""
    owners = parent.accounts.doc_owners()
    first = parent.accounts.first_org()
    default = first[0] if first else None
    return [d for d in parent.index.list_documents() if d.bundled or owners.get(d.doc_id, default) == org_id]


def visible_doc_ids(parent: Workspace, org_id: str) -> list[str]:
    parent.ensure_index()
    return [d.doc_id for d in visible_docs(parent, org_id)]


def _doc_not_found(doc_id: str) -> NotFoundError:
    return NotFoundError(f"没有编号为 {doc_id} 的文档", hint="用 `drafter list` 查看已有文档")



class ScopedWorkspace(Workspace):
    """`parent` as `principal` sees it (built per request; the per-org Drafter is shared)."""

    def __init__(self, parent: Workspace, principal: Principal) -> None:
        self.parent = parent
        self.principal = principal
        self.settings = self.parent.settings
        self._embedder = self.parent._embedder
        self._generator = self.parent._generator
        self._index = self.parent.index
        drafter = org_drafter(parent, self.principal.org_id)
        self.__dict__.update(index=self.parent.index, generator=drafter.generator, drafter=drafter,
                             store=drafter.store, retriever=drafter.retriever, accounts=self.parent.accounts)

    def for_principal(self, p: Principal | None) -> Workspace:
        return self.parent.for_principal(p)

    def copy_index(self) -> Any:
        return org_copy_index(self.parent, self.principal.org_id)

    def _log(self, action: str, target: str = "") -> None:
        self.parent.accounts.log(self.principal.org_id, self.principal.name, action, target)

    # --- corpus: bundled + own; admins manage their own -------------------------------------------------
    @property
    def can_manage_corpus(self) -> bool:
        return self.principal.is_admin

    def list_documents(self) -> list[DocInfo]:
        self.ensure_index()
        return visible_docs(self.parent, self.principal.org_id)

    def add_documents(self, paths: Sequence[str | Path], progress: Progress | None = None, *,
                      replace: bool = False, names: Sequence[str] | None = None
                      ) -> tuple[list[DocInfo], list[BadFileError]]:
        _admin(self.principal)
        self.ensure_index()
        mine = {d.doc_id for d in self.list_documents() if not d.bundled}
        taken = {d.doc_id for d in self.parent.index.list_documents()} - mine
        given = list(names) if names is not None else [Path(p).name for p in paths]
        ok, ok_names, refused = [], [], []
        for p, name in zip(paths, given, strict=True):
            if make_doc_id(name) in taken:  # never overwrite another organisation's file, even with `replace`
                refused.append(BadFileError(name, "已有同名文档，请改名后再上传"))
            else:
                ok.append(p)
                ok_names.append(name)
        added, errors = (self.parent.index.add_files(ok, progress, replace=replace, names=ok_names)
                         if ok else ([], []))
        for d in added:
            self.parent.accounts.set_doc_owner(d.doc_id, self.principal.org_id)
            self._log("upload", d.doc_id)
        return added, [*refused, *errors]

    def remove_document(self, doc_id: str) -> DocInfo:
        _admin(self.principal)
        self.ensure_index()
        visible = {d.doc_id for d in self.list_documents()}
        if doc_id not in visible:
            raise _doc_not_found(doc_id)
        info = self.parent.index.remove(doc_id)
        self.parent.accounts.drop_doc_owner(doc_id)
        self._log("remove", doc_id)
        return info

    def refresh_index(self, progress: Progress | None = None, *, force: bool = False) -> Any:
        _admin(self.principal)
        return self.parent.refresh_index(progress, force=force)

    def health(self) -> dict[str, Any]:
        out = self.parent.health()
        if out["index"]["built"]:
            out["index"]["documents"] = len(visible_docs(self.parent, self.principal.org_id))
        return out

    # --- drafting: audited ----------------------------------------------------------------------------
    async def draft(self, facts: Facts, outline: Sequence[OutlineSection] | None = None,
                    on_event: EventSink | None = None) -> Draft:
        result = await super().draft(facts, outline, on_event)
        self._log("draft", result.id)
        return result

    def draft_stream(self, facts: Facts, outline: Sequence[OutlineSection] | None = None
                     ) -> AsyncIterator[DraftEvent]:
        return self._logged(super().draft_stream(facts, outline))

    async def _logged(self, events: AsyncIterator[DraftEvent]) -> AsyncIterator[DraftEvent]:
        logged = False
        async for ev in events:
            if not logged and ev.draft is not None:
                self._log("draft", ev.draft.id)
                logged = True
            yield ev

    async def start_draft(self, facts: Facts, outline: Sequence[OutlineSection] | None = None) -> DraftRun:
        run = await super().start_draft(facts, outline)
        self._log("draft", run.draft_id)
        return run

    async def regenerate(self, draft_id: str, index: int, instruction: str = "",
                         on_event: EventSink | None = None) -> Draft:
        result = await super().regenerate(draft_id, index, instruction, on_event)
        self._log("regenerate", f"{draft_id}#{index}")
        return result

    def edit_section(self, draft_id: str, index: int, *, text: str | None = None,
                     heading: str | None = None) -> Draft:
        result = super().edit_section(draft_id, index, text=text, heading=heading)
        self._log("edit", f"{draft_id}#{index}")
        return result

    def export(self, draft_id: str, fmt: str, *, trace: bool = False) -> bytes:
        data = super().export(draft_id, fmt, trace=trace)
        self._log("export", f"{draft_id}.{fmt}")
        return data

    def backup(self, path: str | Path) -> dict[str, int]:
        raise ForbiddenError("备份只能在服务器上用 `drafter backup` 进行")

    def restore(self, path: str | Path) -> dict[str, int]:
        raise ForbiddenError("恢复只能在服务器上用 `drafter restore` 进行")




def _admin(p: Principal) -> None:
    if not p.is_admin:
        raise ForbiddenError("只有管理员可以管理范文库", hint="请联系本组织的管理员")


__all__ = ["OrgDraftStore", "OrgRetriever", "ScopedWorkspace"]
