"""The searchable corpus: documents → chunks → Chroma (dense) and a chunk table for BM25 (lexical).

State under DRAFTER_DATA_DIR:
  documents/{doc_id}.txt   users' added summaries, cleaned (title on the first line); see userdocs.py
  index/manifest.json      config the index was built with, every document's content hash, the stored
                           files it indexed, and a generation id (written last: the commit of a refresh)
  index/chunks.jsonl       every chunk with its metadata (first line: the generation it belongs to)
  index/lock               flock: one writer at a time across processes (the CLI beside a running server)
  chroma/                  embedded Chroma (unless CHROMA_HOST/CHROMA_PORT name a server)

Another process may change the index (`drafter add` while `drafter serve` runs). Every search stats the
manifest and the documents folder (two syscalls); when either moved, the index reloads the chunks, reopens
embedded Chroma (its in-memory HNSW does not see another process's writes), or refreshes if the stored files
and the manifest disagree (a crash between committing a file and indexing it). So list and search agree.

Chunk ids are content-addressed (doc id + hash of the embedded text), so a refresh only embeds chunks it
has not seen: an unchanged file is never re-embedded, and a changed one re-embeds only what changed.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import orjson

from ..errors import BadFileError, SearchIndexError
from ..settings import Settings
from .adding import UserDocumentOps, _free_id
from .chunking import Chunk, chunk_document
from .documents import Document
from .embedcache import EmbeddingCache, shipped_path
from .embedding import DrafterEmbeddingFunction, Embedder, make_embedder
from .files import load_file
from .records import DocInfo, RefreshReport, _chroma_meta, _chunk, _chunk_hash
from .tokens import get_encoding
from .userdocs import ProcessLock, UserDocs

COLLECTION = "drafter_chunks"
_LIVE: weakref.WeakSet[CorpusIndex] = weakref.WeakSet()  # this process's indexes: who still uses a Chroma system
SCHEMA_VERSION = 2
# Default HNSW settings gave recall@10 ≈ 0.5 at 10k vectors here; these give ≈ 0.93 at ~3 ms.
HNSW = {"space": "cosine", "ef_construction": 200, "ef_search": 200, "max_neighbors": 32}

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class CorpusIndex(UserDocumentOps):
    """Build, refresh, add to and remove from the index. Thread-safe for one process."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or make_embedder(settings)
        self.root = settings.resolved_data_dir
        self.index_dir = self.root / "index"
        self.docs_dir = self.root / "documents"
        self._lock = threading.RLock()
        self._plock = ProcessLock(self.index_dir / "lock")
        self.user_docs = UserDocs(self.docs_dir)
        self._collection: Any = None
        self._chunks: list[Chunk] | None = None
        self._cache: EmbeddingCache | None = None
        self.version = 0  # bumps on every change; the lexical index rebuilds when it moves
        self._generation: str | None = None  # the manifest generation this process's chunks belong to
        self._stamp: tuple[Any, ...] | None = None  # (manifest, documents folder) stat when last in sync
        self._infos: list[DocInfo] | None = None  # the manifest's documents for that generation
        self._retired: list[Any] = []  # Chroma systems replaced after another process's write
        self._system: Any = None  # the Chroma system our collection lives in (embedded mode)
        _LIVE.add(self)

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
            self._system = getattr(client, "_system", None)
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

    def _reopen_collection(self) -> None:
        """Drop the embedded Chroma client: its in-memory HNSW index misses another process's writes.

        Chroma shares one System per folder in a process; forgetting ours makes the next client load the
        folder afresh. The old System is not stopped: a search on another thread may still be using it.
        """
        with self._lock:
            self._collection = None
            if self.settings.chroma_host or self.settings.chroma_port:
                return  # a server holds one state for everyone
            with contextlib.suppress(Exception):
                from chromadb.api.shared_system_client import SharedSystemClient

                key = str(self.settings.chroma_dir)
                for old in self._retired:  # retired one reopen ago: no search of ours still holds it
                    if not any(ix._system is old for ix in list(_LIVE) if ix is not self):
                        old.stop()
                system = SharedSystemClient._identifier_to_system.pop(key, None)
                self._retired = [system] if system is not None else []
                self._system = None
                SharedSystemClient._identifier_to_refcount.pop(key, None)

    # --- documents ---------------------------------------------------------------------------------------
    def _bundled_files(self) -> list[Path]:
        corpus = self.settings.corpus_dir
        return [p for p in sorted(corpus.iterdir()) if p.suffix in (".txt", ".md")] if corpus.is_dir() else []

    def list_documents(self) -> list[DocInfo]:
        """The documents of the generation this process searches (after ensure_built: the latest one)."""
        if self._infos is not None:
            return list(self._infos)
        manifest = self._read_manifest()
        return [DocInfo(**d) for d in manifest.get("docs", {}).values()]

    # --- chunks (the lexical side) -----------------------------------------------------------------------
    def chunks(self) -> list[Chunk]:
        with self._lock:
            if self._chunks is None:
                generation, chunks = self._read_chunks()
                if chunks is None:
                    raise SearchIndexError("索引尚未建立", hint="运行 `drafter index`（或 `make run` 自动建立）")
                self._chunks, self._generation = chunks, generation
            return self._chunks

    def _read_chunks(self) -> tuple[str | None, list[Chunk] | None]:
        path = self.index_dir / "chunks.jsonl"
        try:
            with path.open("rb") as f:
                lines = [orjson.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return None, None
        generation = None
        if lines and "generation" in lines[0] and "chunk_id" not in lines[0]:
            generation = lines.pop(0)["generation"]
        return generation, [_chunk(d) for d in lines]

    def _write_chunks(self, chunks: Sequence[Chunk], generation: str) -> None:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        path = self.index_dir / "chunks.jsonl"
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            f.write(json.dumps({"generation": generation}) + "\n")
            for c in chunks:
                f.write(json.dumps(asdict(c), ensure_ascii=False) + "\n")
        os.replace(tmp, path)

    def is_built(self) -> bool:
        m = self._read_manifest()
        return bool(m) and m.get("config") == self.config() and (self.index_dir / "chunks.jsonl").exists()

    # --- build / refresh ---------------------------------------------------------------------------------
    def refresh(self, progress: Progress | None = None, *, force: bool = False) -> RefreshReport:
        """Bring the index in line with corpus/ and the added documents; embed only new chunks."""
        with self._plock.hold():
            manifest = self._read_manifest()
            if manifest.get("generation") != self._generation:
                self._reopen_collection()  # another process wrote since we loaded: do not write over it
            rebuild = force or manifest.get("config") != self.config()
            collection = self.collection(reset=rebuild)
            enc = get_encoding(self.settings.encoding, str(self.settings.cache_dir / "tiktoken"))
            self.user_docs.clean()

            docs: list[tuple[Document, bool]] = []
            for path in self._bundled_files():
                doc = load_file(path)
                doc.doc_id = path.stem
                docs.append((doc, True))
            bundled_ids = {d.doc_id for d, _ in docs}
            files = self.user_docs.files()
            for doc_id in files:
                if doc_id in bundled_ids:  # an older data dir let a user file shadow a bundled one: rename it
                    new_id = _free_id(doc_id, bundled_ids | set(files))
                    os.replace(self.user_docs.path(doc_id), self.user_docs.path(new_id))
                    with contextlib.suppress(OSError):
                        os.replace(self.docs_dir / f"{doc_id}.json", self.docs_dir / f"{new_id}.json")
                    files = self.user_docs.files()
            for doc_id in files:
                path = self.user_docs.path(doc_id)
                try:
                    doc = load_file(path)
                except BadFileError:  # put there by hand, or damaged: set aside (kept), never half-listed
                    os.replace(path, path.with_name(path.name + ".broken"))
                    continue
                doc.doc_id, doc.source = doc_id, self.user_docs.name(doc_id)
                docs.append((doc, False))
            files = self.user_docs.files()

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

            generation = uuid.uuid4().hex
            self._write_chunks(list(wanted.values()), generation)
            bundled_ids = {doc.doc_id for doc, bundled in docs if bundled}
            self._prepare_related_words([c for c in new if c.doc_id not in bundled_ids])
            self._write_manifest({"config": self.config(), "generation": generation, "files": files, "docs": infos})
            with self._lock:  # chunks, documents and version change together: a search never sees them apart
                self._chunks = list(wanted.values())
                self._generation = generation
                self._infos = [DocInfo(**d) for d in infos.values()]
                self.version += 1
            self._stamp = self._disk_stamp()
            return RefreshReport(rebuilt=rebuild, documents=len(infos), chunks=len(wanted), embedded=len(new),
                                 removed=len(stale), computed=self.cache.computed - before)

    def _disk_stamp(self) -> tuple[Any, ...]:
        out: list[Any] = []
        for path in (self._manifest_path(), self.docs_dir):
            try:
                st = os.stat(path)
                out.append((st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                out.append(None)
        return tuple(out)

    def ensure_built(self, progress: Progress | None = None) -> None:
        """Build when missing or stale, and pick up changes made by another process (every search calls this).

        The fast path is two stat calls. When the manifest or the documents folder moved: reload when another
        process refreshed the index; refresh when stored files and manifest disagree (a document committed by
        a process that died before indexing it) -- unless another process holds the lock, i.e. is in the
        middle of an add: then keep serving the last consistent state and look again at the next search.
        """
        stamp = self._disk_stamp()
        if stamp == self._stamp:
            return
        state = self._sync()
        if state == "ok":
            self._stamp = stamp
        elif state == "missing":
            self.refresh(progress)
        else:
            with self._plock.hold(blocking=False) as held:
                if held and self._sync() != "ok":
                    self.refresh(progress)

    def _sync(self) -> str:
        """Load what another process committed. "ok", "stale" (files and manifest disagree) or "missing"."""
        with self._lock:
            for _ in range(50):
                manifest = self._read_manifest()
                if not manifest or manifest.get("config") != self.config():
                    return "missing"
                if manifest.get("files", {}) != self.user_docs.files():
                    return "stale"
                if manifest.get("generation") == self._generation and self._chunks is not None:
                    self._infos = [DocInfo(**d) for d in manifest.get("docs", {}).values()]
                    return "ok"
                generation, chunks = self._read_chunks()
                if chunks is None:
                    return "missing"
                if generation == manifest.get("generation"):
                    if self._chunks is not None and generation != self._generation:
                        self._reopen_collection()
                    self._chunks, self._generation = chunks, generation
                    self._infos = [DocInfo(**d) for d in manifest.get("docs", {}).values()]
                    self.version += 1
                    return "ok"
                time.sleep(0.02)  # caught between a writer's chunks and its manifest: read again
            return "stale"  # a writer died between the two

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
            from ..retrieval.related_words import prepare

            prepare(self, chunks)
