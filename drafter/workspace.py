"""The library's front door: one method per user action, shared by the CLI, the HTTP API and the web UI.

Heavy parts (the embedder, Chroma, the store, the LLM client) are created on first use, so constructing a
Workspace is free and `drafter --help` stays fast.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checking import Flag, check
from .drafting import Drafter, DraftEvent, EventSink
from .embedding import Embedder
from .errors import BadFileError, InputError
from .facts import Facts
from .generation import Generator, OpenAIGenerator
from .index import CorpusIndex, DocInfo, Progress, RefreshReport
from .models import Draft, OutlineSection

if TYPE_CHECKING:
    from .materials import ExtractionResult
from .retrieval import Filters, Hit, Mode, Retriever
from .settings import Settings
from .store import DraftStore


class Workspace:
    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None,
                 generator: Generator | None = None, index: CorpusIndex | None = None) -> None:
        """Every vendor boundary can be injected: the embedder, the LLM, or a whole index already built
        (tests share one; several workspaces can serve one corpus)."""
        self.settings = settings or Settings()
        self.settings.ensure_dirs()
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

    def refresh_index(self, progress: Progress | None = None, *, force: bool = False) -> RefreshReport:
        return self.index.refresh(progress, force=force)

    def ensure_index(self, progress: Progress | None = None) -> None:
        self.index.ensure_built(progress)

    def search(self, query: str, k: int = 5, *, mode: Mode = "hybrid", filters: Filters | None = None) -> list[Hit]:
        self.ensure_index()
        return self.retriever.search(query, k, mode=mode, filters=filters)

    def search_many(self, queries: Sequence[str], k: int = 5, *, mode: Mode = "hybrid",
                    filters: Filters | None = None) -> list[list[Hit]]:
        self.ensure_index()
        return self.retriever.search_many(queries, k, mode=mode, filters=filters)

    def add_documents(self, paths: Sequence[str | Path], progress: Progress | None = None, *,
                      replace: bool = False) -> tuple[list[DocInfo], list[BadFileError]]:
        """Add files; each succeeds or fails on its own. A name in use is refused unless `replace`."""
        self.ensure_index()
        return self.index.add_files(paths, progress, replace=replace)

    def add_uploads(self, files: Sequence[tuple[str | None, bytes]], progress: Progress | None = None, *,
                    replace: bool = False) -> tuple[list[DocInfo], list[BadFileError]]:
        """Add uploaded files given as (name the client sent, content). Synchronous: call it in a thread.

        Every name goes through `safe_upload_name` first; a bad name, type or content fails that file only,
        with a BadFileError whose `path` is the name as sent and whose `reason` says why, in Chinese.
        """
        import tempfile

        from .documents import safe_upload_name

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
                added, failed = self.index.add_files(paths, progress, replace=replace, names=names)
        return added, errors + failed

    def remove_document(self, doc_id: str) -> DocInfo:
        self.ensure_index()
        return self.index.remove(doc_id)

    def list_documents(self) -> list[DocInfo]:
        self.ensure_index()
        return self.index.list_documents()

    # --- drafting ----------------------------------------------------------------------------------------
    @cached_property
    def store(self) -> DraftStore:
        return DraftStore(self.settings.db_path)

    @cached_property
    def generator(self) -> Generator | None:
        """The LLM, or None for the offline drafter (no key and no base URL, or DRAFTER_BACKEND=offline)."""
        if self._generator is not None:
            return self._generator
        return OpenAIGenerator.from_settings(self.settings) if self.settings.uses_llm else None

    @cached_property
    def drafter(self) -> Drafter:
        return Drafter(self.settings, self.store, self.retriever, self.generator)

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
        self.ensure_index()
        return self.drafter.stream(facts, outline)

    async def regenerate(self, draft_id: str, index: int, instruction: str = "",
                         on_event: EventSink | None = None) -> Draft:
        self.ensure_index()
        return await self.drafter.regenerate(draft_id, index, instruction, on_event)

    def edit_section(self, draft_id: str, index: int, *, text: str | None = None, heading: str | None = None) -> Draft:
        return self.drafter.edit_section(draft_id, index, text=text, heading=heading)

    def get_draft(self, draft_id: str) -> Draft:
        return self.store.get(draft_id)

    def list_drafts(self, limit: int = 100) -> list[dict[str, str]]:
        return self.store.list(limit)

    def export(self, draft_id: str, fmt: str) -> bytes:
        from .export import to_docx, to_markdown

        draft = self.store.get(draft_id)
        if fmt == "docx":
            return to_docx(draft)
        if fmt in ("md", "markdown"):
            return to_markdown(draft).encode("utf-8")
        raise InputError(f"不支持的导出格式 {fmt}", hint="可选 docx 或 md")

    def check(self, draft_text: str, facts: Facts | str | Sequence[str], exemplars: Sequence[Any] | None = None
              ) -> list[Flag]:
        return check(draft_text, facts, exemplars)

    # --- materials -----------------------------------------------------------------------------------------
    def extract_facts(self, paths: Sequence[str | Path | tuple[str, bytes]], year: int, org: str | None = None
                      ) -> ExtractionResult:
        """Candidate facts from the year's materials (paths, or (file name, bytes) as uploaded), each with
        its sources; conflicts and unreadable files reported, never raised. The web UI's 「从材料提取」 step
        calls this and shows `result.public_dict()`; `result.to_facts()` fills the facts form."""
        from .materials import extract_materials, read_paths

        inputs: list[tuple[str, bytes | None] | tuple[str, bytes | None, str]] = []
        for p in paths:
            if isinstance(p, tuple):
                inputs.append((Path(p[0]).name, p[1]))
            else:
                inputs.extend(read_paths([p]))
        return extract_materials(inputs, year, org)

    def health(self) -> dict[str, Any]:
        built = self.index.is_built()
        return {
            "status": "ok",
            "backend": self.settings.backend_label,
            "model": self.settings.model if self.settings.uses_llm else None,
            "index": {"built": built, "embed_model": self.index.embedder.name,
                      "documents": len(self.index.list_documents()) if built else 0},
        }
