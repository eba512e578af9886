"""The searchable corpus: documents → chunks → Chroma (dense) and a chunk table for BM25 (lexical).

State under DRAFTER_DATA_DIR:
  documents/{doc_id}.txt   users' added summaries, cleaned (title on the first line)
  index/manifest.json      config the index was built with, and every document's content hash
  index/chunks.jsonl       every chunk with its metadata: the lexical index and hit rendering read it
  chroma/                  embedded Chroma (unless CHROMA_HOST/CHROMA_PORT name a server)

Chunk ids are content-addressed (doc id + hash of the embedded text), so a refresh only embeds chunks it
has not seen: an unchanged file is never re-embedded, and a changed one re-embeds only what changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .chunking import Chunk, chunk_document
from .documents import Document, load_file, make_doc_id, parse_document, read_text_file
from .embedcache import EmbeddingCache, shipped_path
from .embedding import DrafterEmbeddingFunction, Embedder, make_embedder
from .errors import BadFileError, InputError, NotFoundError, SearchIndexError
from .settings import Settings
from .tokens import get_encoding

COLLECTION = "drafter_chunks"
SCHEMA_VERSION = 2
# Default HNSW settings gave recall@10 ≈ 0.5 at 10k vectors here; these give ≈ 0.93 at ~3 ms.
HNSW = {"space": "cosine", "ef_construction": 200, "ef_search": 200, "max_neighbors": 32}

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class DocInfo:
    doc_id: str
    title: str
    source: str
    bundled: bool
    content_hash: str
    sections: int
    chunks: int


@dataclass
class RefreshReport:
    rebuilt: bool
    documents: int
    chunks: int
    embedded: int  # chunks written to the vector store in this run (0 when nothing changed)
    removed: int
    computed: int = 0  # of those, vectors the model had to compute (the rest came from the cache)


def _chunk_hash(chunk: Chunk) -> str:
    return hashlib.sha1(chunk.embed_text().encode("utf-8")).hexdigest()[:16]


class CorpusIndex:
    """Build, refresh, add to and remove from the index. Thread-safe for one process."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or make_embedder(settings)
        self.root = settings.resolved_data_dir
        self.index_dir = self.root / "index"
        self.docs_dir = self.root / "documents"
        self._lock = threading.RLock()
        self._collection: Any = None
        self._chunks: list[Chunk] | None = None
        self._cache: EmbeddingCache | None = None
        self.version = 0  # bumps on every change; the lexical index rebuilds when it moves
        self._checked_version = -1

    # --- configuration -----------------------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        s = self.settings
        return {
            "schema": SCHEMA_VERSION,
            "embed_model": self.embedder.name,
            "chunk_tokens": s.chunk_tokens,
            "chunk_overlap": s.chunk_overlap,
            "encoding": s.encoding,
        }

    def _manifest_path(self) -> Path:
        return self.index_dir / "manifest.json"

    def _read_manifest(self) -> dict[str, Any]:
        try:
            return json.loads(self._manifest_path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except json.JSONDecodeError:
            return {}  # a torn manifest means "rebuild", never a crash

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        tmp = self._manifest_path().with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self._manifest_path())

    # --- Chroma ------------------------------------------------------------------------------------------
    def _client(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.settings.chroma_host or self.settings.chroma_port:
            host = self.settings.chroma_host or "127.0.0.1"
            port = self.settings.chroma_port or 8000
            try:
                client = chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
                client.heartbeat()
            except Exception as exc:
                raise SearchIndexError(
                    f"无法连接 Chroma 服务 {host}:{port}",
                    hint="确认 `chroma run` 已启动，或取消 CHROMA_HOST/CHROMA_PORT 使用内置数据库",
                ) from exc
            return client
        self.settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(self.settings.chroma_dir), settings=chroma_settings)

    def collection(self, *, reset: bool = False) -> Any:
        with self._lock:
            if self._collection is not None and not reset:
                return self._collection
            client = self._client()
            if reset:
                with contextlib.suppress(Exception):  # no collection yet is fine
                    client.delete_collection(COLLECTION)
            self._collection = client.get_or_create_collection(
                COLLECTION,
                configuration={"hnsw": HNSW},  # type: ignore[typeddict-item]
                metadata={k: str(v) for k, v in self.config().items()},
                embedding_function=DrafterEmbeddingFunction.for_embedder(self.embedder),  # type: ignore[arg-type]
            )
            return self._collection

    # --- documents ---------------------------------------------------------------------------------------
    def _document_files(self) -> list[tuple[Path, bool]]:
        files: list[tuple[Path, bool]] = []
        corpus = self.settings.corpus_dir
        if corpus.is_dir():
            files += [(p, True) for p in sorted(corpus.iterdir()) if p.suffix in (".txt", ".md")]
        if self.docs_dir.is_dir():
            files += [(p, False) for p in sorted(self.docs_dir.glob("*.txt"))]
        return files

    def list_documents(self) -> list[DocInfo]:
        manifest = self._read_manifest()
        return [DocInfo(**d) for d in manifest.get("docs", {}).values()]

    # --- chunks (the lexical side) -----------------------------------------------------------------------
    def chunks(self) -> list[Chunk]:
        with self._lock:
            if self._chunks is None:
                path = self.index_dir / "chunks.jsonl"
                if not path.exists():
                    raise SearchIndexError("索引尚未建立", hint="运行 `drafter index`（或 `make run` 自动建立）")
                with path.open(encoding="utf-8") as f:
                    self._chunks = [Chunk(**json.loads(line)) for line in f if line.strip()]
            return self._chunks

    def _write_chunks(self, chunks: Sequence[Chunk]) -> None:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        path = self.index_dir / "chunks.jsonl"
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            for c in chunks:
                f.write(json.dumps(asdict(c), ensure_ascii=False) + "\n")
        os.replace(tmp, path)
        self._chunks = list(chunks)

    def is_built(self) -> bool:
        m = self._read_manifest()
        return bool(m) and m.get("config") == self.config() and (self.index_dir / "chunks.jsonl").exists()

    # --- build / refresh ---------------------------------------------------------------------------------
    def refresh(self, progress: Progress | None = None, *, force: bool = False) -> RefreshReport:
        """Bring the index in line with corpus/ and the added documents; embed only new chunks."""
        with self._lock:
            manifest = self._read_manifest()
            rebuild = force or manifest.get("config") != self.config()
            collection = self.collection(reset=rebuild)
            enc = get_encoding(self.settings.encoding, str(self.settings.cache_dir / "tiktoken"))

            docs: list[tuple[Document, bool]] = []
            for path, bundled in self._document_files():
                doc = load_file(path)
                doc.doc_id = path.stem if bundled else doc.doc_id
                docs.append((doc, bundled))

            wanted: dict[str, Chunk] = {}
            infos: dict[str, dict[str, Any]] = {}
            for doc, bundled in docs:
                doc_chunks = chunk_document(doc, enc, self.settings.chunk_tokens, self.settings.chunk_overlap)
                for c in doc_chunks:
                    cid = f"{doc.doc_id}:{_chunk_hash(c)}"
                    if cid in wanted:  # identical text twice in one document: keep the first
                        continue
                    wanted[cid] = Chunk(**{**asdict(c), "chunk_id": cid})
                infos[doc.doc_id] = asdict(
                    DocInfo(doc.doc_id, doc.title, doc.source, bundled, doc.content_hash, len(doc.sections),
                            len(doc_chunks))
                )

            existing = set() if rebuild else set(self._existing_ids(collection))
            stale = sorted(existing - wanted.keys())
            new = [c for cid, c in wanted.items() if cid not in existing]
            if stale:
                for i in range(0, len(stale), 500):
                    collection.delete(ids=stale[i : i + 500])
            before = self.cache.computed
            self._embed_and_add(collection, new, progress)

            self._write_chunks(list(wanted.values()))
            bundled_ids = {doc.doc_id for doc, bundled in docs if bundled}
            self._prepare_related_words([c for c in new if c.doc_id not in bundled_ids])
            self._write_manifest({"config": self.config(), "docs": infos})
            self.version += 1
            return RefreshReport(rebuilt=rebuild, documents=len(infos), chunks=len(wanted), embedded=len(new),
                                 removed=len(stale), computed=self.cache.computed - before)

    def ensure_built(self, progress: Progress | None = None) -> None:
        """Build when missing or stale; checked once per process (every search calls this)."""
        if self._checked_version == self.version:
            return
        if not self.is_built():
            self.refresh(progress)
        self._checked_version = self.version

    @staticmethod
    def _existing_ids(collection: Any) -> Iterable[str]:
        total = collection.count()
        for offset in range(0, total, 5000):
            yield from collection.get(limit=5000, offset=offset, include=[])["ids"]

    @property
    def cache(self) -> EmbeddingCache:
        if self._cache is None:
            self._cache = EmbeddingCache(self.root / "cache" / "embeddings.sqlite3", self.embedder.name,
                                         shipped_path(self.settings.corpus_dir, self.embedder.name))
        return self._cache

    def _embed_and_add(self, collection: Any, chunks: Sequence[Chunk], progress: Progress | None) -> None:
        batch = 64
        chunks = sorted(chunks, key=lambda c: len(c.embed_text()))  # see Embedder.passages
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            vectors = self.cache.get_or_compute([c.embed_text() for c in part], self.embedder.passages)
            collection.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=vectors.tolist(),
                documents=[c.text for c in part],
                metadatas=[_chroma_meta(c) for c in part],
            )
            if progress:
                progress("embed", min(i + batch, len(chunks)), len(chunks))

    # --- related words (retrieval.py's corpus-derived expansion) -------------------------------------------
    def _prepare_related_words(self, chunks: Sequence[Chunk]) -> None:
        """Embed the words of newly added summaries now, so the first search after an upload need not (the
        bundled corpus's word vectors ship in corpus/embeddings/)."""
        if chunks:
            from .related_words import prepare

            prepare(self, chunks)

    # --- user documents ----------------------------------------------------------------------------------
    def add_files(self, paths: Sequence[str | Path], progress: Progress | None = None) -> tuple[list[DocInfo], list[BadFileError]]:
        """Add past summaries. Bad files are reported, good ones added; nothing already indexed is lost."""
        errors: list[BadFileError] = []
        staged: list[tuple[str, str]] = []
        for raw_path in paths:
            path = Path(raw_path)
            try:
                text = read_text_file(path)
                doc = parse_document(text, make_doc_id(path.name), source=path.name)
                if not doc.sections or not doc.text.strip():
                    raise BadFileError(str(path), "没有可用的正文")
            except BadFileError as exc:
                errors.append(exc)
                continue
            staged.append((doc.doc_id, f"{doc.title}\n\n{doc.text}"))
        return self._store_and_refresh(staged, progress), errors

    def add_text(self, name: str, raw: str) -> DocInfo:
        doc = parse_document(raw, make_doc_id(name), source=name)
        if not doc.sections:
            raise BadFileError(name, "没有可用的正文")
        return self._store_and_refresh([(doc.doc_id, f"{doc.title}\n\n{doc.text}")], None)[0]

    def _store_and_refresh(self, staged: list[tuple[str, str]], progress: Progress | None) -> list[DocInfo]:
        if not staged:
            return []
        with self._lock:
            self.docs_dir.mkdir(parents=True, exist_ok=True)
            for doc_id, content in staged:
                target = self.docs_dir / f"{doc_id}.txt"
                tmp = target.with_suffix(".tmp")
                tmp.write_text(content, encoding="utf-8")
                os.replace(tmp, target)
            self.refresh(progress)
            by_id = {d.doc_id: d for d in self.list_documents()}
            return [by_id[doc_id] for doc_id, _ in staged if doc_id in by_id]

    def remove(self, doc_id: str) -> DocInfo:
        with self._lock:
            info = {d.doc_id: d for d in self.list_documents()}.get(doc_id)
            if info is None:
                raise NotFoundError(f"没有编号为 {doc_id} 的文档", hint="用 `drafter list` 查看已有文档")
            if info.bundled:
                raise InputError(f"{doc_id} 是内置范文，不能删除", hint="内置范文位于 corpus/ 目录")
            (self.docs_dir / f"{doc_id}.txt").unlink(missing_ok=True)
            self.refresh()
            return info


def _chroma_meta(c: Chunk) -> dict[str, str | int | bool]:
    meta = c.metadata()
    meta.pop("chunk_id", None)
    return meta
