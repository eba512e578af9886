"""The library's front door: one method per user action, shared by the CLI, the HTTP API and the web UI.

Heavy parts (the embedder, Chroma, the store, the LLM client) are created on first use, so constructing a
Workspace is free and `drafter --help` stays fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checking import Flag, check
from .checking.copied import CopyIndex
from .corpus.embedding import Embedder
from .corpus.index import CorpusIndex, DocInfo, Progress, RefreshReport
from .corpus.sync import CorpusSync
from .drafting.generation import Generator, OpenAIGenerator
from .drafting.pipeline import Drafter, check_outline
from .drafting.runs import DraftEvent, DraftRun, EventSink, watch
from .errors import BadFileError, InputError, SearchIndexError
from .facts import Facts
from .models import Draft, OutlineSection, Section

if TYPE_CHECKING:
    from .accounts import Accounts, Principal
    from .materials import ExtractionResult
    from .storage.drafts import DraftStore
from .checking.trace import Trace
from .retrieval.search import Filters, Hit, Mode, Retriever
from .settings import Settings
from .team import Reachability

log = logging.getLogger(__name__)


class Workspace:
    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None,
                 generator: Generator | None = None, index: CorpusIndex | None = None) -> None:
        """Every vendor boundary can be injected: the embedder, the LLM, or a whole index already built
        (tests share one; several workspaces can serve one corpus)."""
        self.settings = settings or Settings()
        self.settings.ensure_dirs()
        self._copy: tuple[int, CopyIndex] | None = None
        self._copy_lock = threading.Lock()
        self._embedder = embedder
        self._generator = generator
        self._index = index

    # --- corpus and search -------------------------------------------------------------------------------
    @cached_property
    def index(self) -> CorpusIndex:
        return self._index or CorpusIndex(self.settings, self._embedder)

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.index)

    @cached_property
    def corpus_sync(self) -> CorpusSync:
        """The corpus shared through the database (a server database and a Chroma server; else inert)."""
        return CorpusSync(self.index, lambda: self.store.engine)

    @contextlib.contextmanager
    def _corpus_change(self) -> Iterator[None]:
        """A change to the corpus: under the team-wide lock, from the latest shared snapshot, published after
        (with its lexical index, so no other worker tokenizes the chunks again)."""
        with self.corpus_sync.change():
            yield
            if self.corpus_sync.enabled:
                self.retriever._lexical()
                self.corpus_sync.publish()

    def refresh_index(self, progress: Progress | None = None, *, force: bool = False) -> RefreshReport:
        with self._corpus_change():
            return self.index.refresh(progress, force=force)

    def ensure_index(self, progress: Progress | None = None) -> None:
        sync = self.corpus_sync
        sync.poll()  # another machine's change: unpacked here, then picked up below
        self.index.ensure_built(progress)
        if sync.enabled and sync._checked and sync.remote_generation_cached is None:
            with self._corpus_change():  # the first machine of a team: share what it has
                self.index.ensure_built(progress)

    def search(self, query: str, k: int = 5, *, mode: Mode = "hybrid", filters: Filters | None = None) -> list[Hit]:
        self.ensure_index()
        return self.retriever.search(query, k, mode=mode, filters=filters)

    def search_many(self, queries: Sequence[str], k: int = 5, *, mode: Mode = "hybrid",
                    filters: Filters | None = None) -> list[list[Hit]]:
        self.ensure_index()
        return self.retriever.search_many(queries, k, mode=mode, filters=filters)

    def add_documents(self, paths: Sequence[str | Path], progress: Progress | None = None, *,
                      replace: bool = False, names: Sequence[str] | None = None
                      ) -> tuple[list[DocInfo], list[BadFileError]]:
        """Add files; each succeeds or fails on its own. A name in use is refused unless `replace`. `names`:
        the names the files were uploaded under (errors carry them)."""
        self.ensure_index()
        with self._corpus_change():
            return self.index.add_files(paths, progress, replace=replace, names=names)

    def add_uploads(self, files: Sequence[tuple[str | None, bytes]], progress: Progress | None = None, *,
                    replace: bool = False) -> tuple[list[DocInfo], list[BadFileError]]:
        """Add uploaded files given as (name the client sent, content). Synchronous: call it in a thread.

        Every name goes through `safe_upload_name` first; a bad name, type or content fails that file only,
        with a BadFileError whose `path` is the name as sent and whose `reason` says why, in Chinese.
        """
        import tempfile

        from .corpus.files import safe_upload_name

        errors: list[BadFileError] = []
        paths: list[Path] = []
        names: list[str] = []
        with tempfile.TemporaryDirectory(prefix="drafter-upload-") as tmp:
            for i, (raw_name, data) in enumerate(files):
                try:
                    name = safe_upload_name(raw_name)
                    target = Path(tmp) / str(i) / name  # one folder each: two uploads may share a name
                    target.parent.mkdir()
                    target.write_bytes(data)
                except BadFileError as exc:
                    errors.append(exc)
                    continue
                except OSError as exc:
                    errors.append(BadFileError(raw_name or "（无文件名）", f"无法保存上传的文件（{exc.strerror}）"))
                    continue
                paths.append(target)
                names.append(name)
            added: list[DocInfo] = []
            failed: list[BadFileError] = []
            if paths:
                self.ensure_index()
                # through add_documents, so a scoped workspace (accounts) checks and records ownership
                added, failed = self.add_documents(paths, progress, replace=replace, names=names)
        return added, errors + failed

    def remove_document(self, doc_id: str) -> DocInfo:
        self.ensure_index()
        with self._corpus_change():
            return self.index.remove(doc_id)

    def list_documents(self) -> list[DocInfo]:
        self.ensure_index()
        return self.index.list_documents()

    # --- drafting ----------------------------------------------------------------------------------------
    @cached_property
    def store(self) -> DraftStore:
        """Opened (and migrated) on first use; drafts a dead process left `running` become `interrupted`."""
        from .storage.drafts import DraftStore  # SQLAlchemy loads with the store, not with every command

        store = DraftStore(self.settings.resolved_database_url)
        store.recover()
        return store

    # --- accounts --------------------------------------------------------------------------------------------
    @cached_property
    def accounts(self) -> Accounts:
        """Organisations, users, tokens, sessions and the audit log, in the drafts database."""
        from .accounts import Accounts

        return Accounts(self.store.engine)

    @property
    def can_manage_corpus(self) -> bool:
        """May this caller upload and remove corpus documents (single user: yes; accounts: admins)."""
        return True

    def for_principal(self, principal: Principal | None) -> Workspace:
        """The workspace as `principal` sees it: their organisation's drafts and documents plus the bundled
        corpus (drafter/accounts/scoped.py). None (single-user mode, no accounts) → this workspace."""
        if principal is None:
            return self
        from .accounts.scoped import ScopedWorkspace

        return ScopedWorkspace(self, principal)

    @cached_property
    def generator(self) -> Generator | None:
        """The LLM, or None for the offline drafter (no key and no base URL, or DRAFTER_BACKEND=offline)."""
        if self._generator is not None:
            return self._generator
        return OpenAIGenerator.from_settings(self.settings) if self.settings.uses_llm else None

    @cached_property
    def drafter(self) -> Drafter:
        return Drafter(self.settings, self.store, self.retriever, self.generator, copy_index=self.copy_index)

    @property
    def backend(self) -> str:
        return self.drafter.backend

    async def plan(self, facts: Facts) -> list[OutlineSection]:
        return await self.drafter.plan(facts, use_model=self.settings.model_outline)

    async def draft(self, facts: Facts, outline: Sequence[OutlineSection] | None = None,
                    on_event: EventSink | None = None) -> Draft:
        self.ensure_index()
        return await self.drafter.draft(facts, outline, on_event)

    def draft_stream(self, facts: Facts, outline: Sequence[OutlineSection] | None = None) -> AsyncIterator[DraftEvent]:
        """Events of a new draft. The draft runs on its own: a consumer that stops reading (a client that
        disconnects) does not stop it; it is finished and saved. A given outline is checked here, before
        any event (InputError: empty, or over MAX_SECTIONS)."""
        if outline:
            check_outline(outline)
        self.ensure_index()
        return self.drafter.stream(facts, outline)

    async def start_draft(self, facts: Facts, outline: Sequence[OutlineSection] | None = None) -> DraftRun:
        """Start a draft and return its run at once (`run.draft_id`, `run.events()`, `await run.result()`)."""
        self.ensure_index()
        return await self.drafter.start(facts, outline)

    async def resume(self, draft_id: str, on_event: EventSink | None = None) -> Draft:
        """Finish an interrupted draft: only its pending sections are written. A finished draft is returned
        as it is; one another live process is writing raises ConflictError (409)."""
        self.ensure_index()
        return await self.drafter.resume(draft_id, on_event)

    async def resume_stream(self, draft_id: str) -> AsyncIterator[DraftEvent]:
        """`resume` as events (outline, delta, section, done), like `draft_stream`."""
        self.ensure_index()
        run = await self.drafter.start_resume(draft_id)
        async for event in run.events():
            yield event

    def watch_draft(self, draft_id: str) -> AsyncIterator[DraftEvent]:
        """Watch a draft again (a client that reconnects): the stored draft as an `outline` event, then the
        live events while this process writes it (or its stored sections while another worker does), then
        `done`. An interrupted draft ends after the outline event (its status says so)."""
        return watch(self.store, self.drafter.running(draft_id), draft_id)

    async def regenerate(self, draft_id: str, index: int, instruction: str = "",
                         on_event: EventSink | None = None) -> Draft:
        self.ensure_index()
        return await self.drafter.regenerate(draft_id, index, instruction, on_event)

    def edit_section(self, draft_id: str, index: int, *, text: str | None = None, heading: str | None = None) -> Draft:
        return self.drafter.edit_section(draft_id, index, text=text, heading=heading)

    def get_draft(self, draft_id: str) -> Draft:
        return self.store.get(draft_id)

    def list_drafts(self, limit: int = 100) -> list[dict[str, Any]]:
        """Newest first, each with its `status` (running/done/failed/interrupted), `sections`, `sections_done`."""
        return self.store.list(limit)

    def draft_versions(self, draft_id: str, index: int) -> list[Section]:
        return self.store.versions(draft_id, index)

    def backup(self, path: str | Path) -> dict[str, int]:
        """Every table of the drafts database into one JSON-lines file; rows written per table."""
        from .storage.dump import backup

        return backup(self.store.engine, Path(path))

    def restore(self, path: str | Path) -> dict[str, int]:
        """Load a backup into an empty database (refused when it holds drafts); rows loaded per table."""
        from .storage.dump import restore

        counts = restore(self.settings.resolved_database_url, Path(path))
        self.__dict__.pop("store", None)  # reopen: the schema was rebuilt
        return counts

    def export(self, draft_id: str, fmt: str, *, trace: bool = False) -> bytes:
        """The draft as .docx (with the 核对表 as an appendix when `trace`), .md, or the 核对表 alone as .xlsx."""
        from .checking.trace import trace as trace_of
        from .export.document import build_docx, to_markdown
        from .export.trace import add_appendix, to_xlsx

        draft = self.store.get(draft_id)
        if fmt == "docx":
            import io

            doc = build_docx(draft)
            if trace:
                add_appendix(doc, trace_of(draft), draft)
            buf = io.BytesIO()
            doc.save(buf)
            return buf.getvalue()
        if fmt in ("md", "markdown"):
            return to_markdown(draft).encode("utf-8")
        if fmt == "xlsx":
            return to_xlsx(trace_of(draft), draft)
        raise InputError(f"不支持的导出格式 {fmt}", hint="可选 docx、md，或 xlsx（数字核对表）")

    def trace(self, draft_id: str) -> Trace:
        """The 核对表: every amount and date of the draft with its fact and that fact's source, or its flag."""
        from .checking.trace import trace

        return trace(self.store.get(draft_id))

    def check(self, draft_text: str, facts: Facts | str | Sequence[str], exemplars: Sequence[Any] | None = None
              ) -> list[Flag]:
        return check(draft_text, facts, exemplars, copy_index=self.copy_index())

    def copy_index(self) -> CopyIndex | None:
        """The `copied` check's index of the corpus (bundled and uploaded summaries), built once from the
        search index's chunks and rebuilt when the corpus changes; None (the bundled corpus) before the
        search index exists."""
        with self._copy_lock:
            version = self.index.version
            if self._copy is None or self._copy[0] != version:
                try:
                    chunks = self.index.chunks()
                except SearchIndexError:
                    return None
                self._copy = (version, CopyIndex.from_chunks(chunks))
            return self._copy[1]

    # --- materials -----------------------------------------------------------------------------------------
    def extract_facts(self, paths: Sequence[str | Path | tuple[str, bytes]], year: int, org: str | None = None,
                      *, use_model: bool | None = None) -> ExtractionResult:
        """Candidate facts from the year's materials (paths, or (file name, bytes) as uploaded), each with
        its sources; conflicts and unreadable files reported, never raised. The web UI's 「从材料提取」 step
        calls this and shows `result.public_dict()`; `result.to_facts()` fills the facts form.

        With a model configured (or `use_model=True`) the model may reword the facts; a wording whose numbers
        are not in its quote is dropped and counted. Call from a thread without a running event loop (the API
        runs it in a worker thread); async callers use `extract_facts_async`."""
        from .materials import extract_materials, read_paths

        inputs: list[tuple[str, bytes | None] | tuple[str, bytes | None, str]] = []
        for p in paths:
            if isinstance(p, tuple):
                inputs.append((Path(p[0]).name, p[1]))
            else:
                inputs.extend(read_paths([p]))
        result = extract_materials(inputs, year, org)
        if (self.settings.uses_llm if use_model is None else use_model) and self.generator and result.facts:
            from .materials.llm import reword

            coro = reword(result, self.generator, self.settings.prompts_dir)
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                result = asyncio.run(coro)
            else:  # called on an event loop's thread by mistake: never nest loops, use a thread of its own
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(1) as pool:
                    result = pool.submit(asyncio.run, coro).result()
        return result

    async def extract_facts_async(self, paths: Sequence[str | Path | tuple[str, bytes]], year: int,
                                  org: str | None = None, *, use_model: bool | None = None) -> ExtractionResult:
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(self.extract_facts, paths, year, org, use_model=use_model)

    def warm_up(self) -> bool:
        """Load what the first search needs when the index is built (a server's start); never builds it, and
        a failure (Chroma down) is left for the first request to report. True when warmed."""
        try:
            self.drafter.warm_up()  # first, while the heap is small: see Drafter.warm_up
        except Exception:  # the first draft loads it, and reports what is wrong
            log.warning("启动时预加载分词编码失败，将在首次生成时重试", exc_info=True)
        try:
            self.corpus_sync.poll()  # a new machine of a team: the shared corpus first
            if not self.index.is_built():
                return False
            self.search("工会工作", 1)
            return True
        except Exception:
            log.warning("启动时预加载范文索引失败，将在首次检索时重试", exc_info=True)
            return False

    @cached_property
    def services(self) -> Reachability:
        """Whether the database and Chroma answer (probed at most every 2 s): health, and 503s."""
        return Reachability(self.settings, lambda: self.store.engine)

    def health(self) -> dict[str, Any]:
        services = self.services.report()
        up = all(s["reachable"] for s in services.values())
        try:
            built = self.index.is_built()
        except Exception:  # an unreachable Chroma server must not turn health into a 500
            built = False
        return {
            "status": "ok" if up else "unavailable",
            **services,
            "backend": self.settings.backend_label,
            "model": self.settings.model if self.settings.uses_llm else None,
            "index": {"built": built, "embed_model": self.index.embedder.name,
                      "documents": len(self.index.list_documents()) if built else 0},
        }
