"""The library's front door: one method per user action, shared by the CLI, the HTTP API and the web UI.

Heavy parts (the embedder, Chroma, the store, the LLM client) are created on first use, so constructing a
Workspace is free and `drafter --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from .embedding import Embedder
from .errors import BadFileError
from .index import CorpusIndex, DocInfo, Progress, RefreshReport
from .retrieval import Filters, Hit, Mode, Retriever
from .settings import Settings


class Workspace:
    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        self.settings.ensure_dirs()
        self._embedder = embedder

    # --- corpus and search -------------------------------------------------------------------------------
    @cached_property
    def index(self) -> CorpusIndex:
        return CorpusIndex(self.settings, self._embedder)

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

    def add_documents(self, paths: Sequence[str | Path], progress: Progress | None = None
                      ) -> tuple[list[DocInfo], list[BadFileError]]:
        self.ensure_index()
        return self.index.add_files(paths, progress)

    def remove_document(self, doc_id: str) -> DocInfo:
        self.ensure_index()
        return self.index.remove(doc_id)

    def list_documents(self) -> list[DocInfo]:
        self.ensure_index()
        return self.index.list_documents()

    def health(self) -> dict[str, Any]:
        built = self.index.is_built()
        return {
            "status": "ok",
            "backend": self.settings.backend_label,
            "index": {"built": built, "embed_model": self.index.embedder.name,
                      "documents": len(self.index.list_documents()) if built else 0},
        }
