"""Hybrid search over the corpus: dense (Chroma) + lexical BM25 over jieba tokens, fused, then diversified.

Why both: a user's paraphrase (`给生活困难的员工送温暖`) shares few words with the corpus (`慰问困难职工`) and
needs the dense side; a raw fact with names and numbers is matched best by words. The lexical query carries,
at lower weights, the genre thesaurus's words and words derived from the corpus itself (related_words.py), so
an everyday word nobody listed still meets the corpus's word for it. Reciprocal rank fusion
needs no score calibration between the two. A position prior lifts plans/opening/closing passages when the
query asks for them, and diversity keeps the top k from being five chunks of one summary.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..corpus.chunking import Chunk
from ..corpus.index import CorpusIndex
from ..errors import InputError
from .dense import ExactDense
from .diversity import _diversify, _unique_texts
from .related_words import RelatedWords, is_word, load_shipped_words, shipped_words_path, word_vectors
from .thesaurus import expand
from .tokens import BM25_PARAMS, LEXICAL_SIGNATURE, init_jieba, query_position, tokenize

Mode = Literal["hybrid", "dense", "bm25"]
RRF_K = 10  # small: the first few ranks of each list decide (measured: 10 beats 30 and 60 on all three sets)
CANDIDATES = 50
QUERY_CACHE = 4096
GRAM_CACHE = 8192
NON_BODY_TOPIC_WEIGHT = 0.8
DENSE_WEIGHT = 0.4  # measured on both labelled sets: BM25 with the thesaurus is the stronger ranker here
# Lexical query weights: the user's words, the genre thesaurus's, the corpus-derived related words.
QUERY_WORD_WEIGHT = 2.0
THESAURUS_WEIGHT = 1.0
DERIVED_WEIGHT = 0.8

@dataclass
class Hit:
    chunk: Chunk
    score: float
    ranks: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "text": c.text,
            "doc_id": c.doc_id,
            "title": c.title,
            "section": c.section,
            "score": round(self.score, 6),
            "heading": c.heading,
            "position": c.position,
            "level": c.level,
            "chunk_id": c.chunk_id,
            "start": c.start,
            "end": c.end,
            "has_placeholder": c.has_placeholder,
        }


@dataclass
class Filters:
    doc_ids: Sequence[str] | None = None
    positions: Sequence[str] | None = None
    levels: Sequence[int] | None = None

    def allows(self, c: Chunk) -> bool:
        return (
            (not self.doc_ids or c.doc_id in self.doc_ids)
            and (not self.positions or c.position in self.positions)
            and (self.levels is None or len(self.levels) == 0 or c.level in self.levels)
        )

    def chroma_where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if self.positions:
            clauses.append({"position": {"$in": list(self.positions)}})
        if self.levels:
            clauses.append({"level": {"$in": list(self.levels)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class Retriever:
    def __init__(self, index: CorpusIndex, *, expand: bool = True, derive: bool = True) -> None:
        self.index = index
        self.expand = expand  # genre thesaurus on the lexical side (see thesaurus.py)
        self.derive = derive  # corpus-derived related words on the lexical side (see related_words.py)
        self._related: RelatedWords | None = None
        self._grams: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()
        self._bm25: Any = None
        self._bm25_version = -1
        self._bm25_chunks: list[Chunk] = []  # the chunks the lexical index was built on: always returned with it
        self._builds = 0  # counts rebuilds (versions can repeat across threads; this never does)
        self._by_id: dict[str, int] = {}
        self._exact: ExactDense | None = None  # a small corpus's vectors: exact search without Chroma
        self._qcache: dict[str, np.ndarray] = {}  # insertion-ordered: oldest evicted first

    # --- lexical -----------------------------------------------------------------------------------------
    def _lexical(self) -> tuple[Any, list[Chunk]]:
        version = self.index.version  # read before the chunks: a change in between only rebuilds once more
        with self.index._lock:  # the chunks and the generation they belong to, read together
            chunks = self.index.chunks()
            generation = getattr(self.index, "_generation", None)
        with self._lock:
            if self._bm25 is None or version > self._bm25_version:  # a stale reader never rebuilds backwards
                init_jieba(str(self.index.settings.cache_dir))  # queries are tokenized with the domain words
                path = self._lexical_dir(generation)
                retriever = self._load_persisted(path, len(chunks))
                if retriever is not None:
                    self._related = self._related_from_matrix(chunks, retriever)
                else:
                    retriever, corpus_tokens = self._build(chunks, path)
                    self._related = self._related_words(chunks, corpus_tokens)
                self._bm25, self._vocab = retriever, retriever.vocab_dict
                self._by_id = {c.chunk_id: i for i, c in enumerate(chunks)}
                self._exact = ExactDense.load(self.index.collection(), [c.chunk_id for c in chunks])  # row i: chunk i
                self._bm25_version = version
                self._bm25_chunks = chunks
                self._builds += 1
            return self._bm25, self._bm25_chunks

    # The BM25 matrices are saved beside the chunks, keyed by the index generation and the tokenizer: tokenizing
    # 100k chunks with jieba took 46 s, loading the saved matrices takes well under a second. Every worker
    # and every restart after the first loads them. A change of the generation (any corpus change) or of the
    # tokenizer (domain words, stop words) makes a new directory; the old one is removed.
    def _lexical_dir(self, generation: str | None) -> Path | None:
        if not generation:
            return None
        return self.index.index_dir / f"lexical-{generation}-{LEXICAL_SIGNATURE}"

    def _load_persisted(self, path: Path | None, n_chunks: int) -> Any:
        if path is None or not (path / "params.index.json").exists():
            return None
        import bm25s

        try:
            retriever = bm25s.BM25.load(str(path), mmap=False)
        except Exception:  # torn or foreign files: rebuild (and save again)
            return None
        if retriever.scores.get("num_docs") != n_chunks:
            return None
        return retriever

    def _build(self, chunks: list[Chunk], path: Path | None) -> tuple[Any, list[list[str]]]:
        import bm25s

        init_jieba(str(self.index.settings.cache_dir))
        corpus_tokens = [tokenize(c.embed_text()) for c in chunks]
        retriever = bm25s.BM25(**BM25_PARAMS)
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(t, len(vocab)) for t in toks] for toks in corpus_tokens]
        retriever.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
        retriever.vocab_dict = vocab
        self._persist(retriever, path)
        return retriever, corpus_tokens

    def _persist(self, retriever: Any, path: Path | None) -> None:
        if path is None:
            return
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        try:
            retriever.save(str(tmp), show_progress=False)
            os.replace(tmp, path)  # atomic: a reader sees the whole directory or none
        except OSError:  # another process saved the same one first, or a read-only data dir: fine
            shutil.rmtree(tmp, ignore_errors=True)
            return
        for old in path.parent.glob("lexical-*"):
            if old != path and not old.name.endswith(".tmp") and ".tmp-" not in old.name:
                shutil.rmtree(old, ignore_errors=True)

    def _related_words(self, chunks: list[Chunk], corpus_tokens: list[list[str]]) -> RelatedWords:
        """Corpus words with their vectors and sections: built with the lexical index, once per version."""
        sections: dict[tuple[str, int], set[str]] = {}
        for c, toks in zip(chunks, corpus_tokens, strict=True):
            sections.setdefault((c.doc_id, c.section_index), set()).update(toks)
        words = sorted({t for toks in sections.values() for t in toks if is_word(t)})
        embedder = self.index.embedder
        shipped = load_shipped_words(shipped_words_path(self.index.settings.corpus_dir, embedder.name))
        vectors = word_vectors(words, shipped, self.index.cache.get_or_compute, embedder.passages)
        return RelatedWords(words, vectors, sections.values())

    def _related_from_matrix(self, chunks: list[Chunk], bm25: Any) -> RelatedWords:
        """The related words of a loaded lexical index, without tokenizing the chunks again: which words occur
        in which section is read from the saved BM25 matrix (a word's column lists the chunks holding it)."""
        keys: dict[tuple[str, int], int] = {}
        sec_of = np.fromiter((keys.setdefault((c.doc_id, c.section_index), len(keys)) for c in chunks),
                             dtype=np.int32, count=len(chunks))
        indptr, indices = bm25.scores["indptr"], bm25.scores["indices"]
        words: list[str] = []
        postings: list[np.ndarray] = []
        for word, tid in sorted(bm25.vocab_dict.items()):
            if tid + 1 >= len(indptr) or not is_word(word):
                continue
            secs = np.unique(sec_of[indices[indptr[tid]:indptr[tid + 1]]])
            if len(secs):
                words.append(word)
                postings.append(secs.astype(np.int32))
        embedder = self.index.embedder
        shipped = load_shipped_words(shipped_words_path(self.index.settings.corpus_dir, embedder.name))
        vectors = word_vectors(words, shipped, self.index.cache.get_or_compute, embedder.passages)
        return RelatedWords.from_postings(words, vectors, postings, len(keys))

    def _bm25_scores(self, query: str, qvec: np.ndarray | None = None) -> np.ndarray:
        """BM25 scores of every chunk for the weighted query: its words, the thesaurus's, the derived ones."""
        bm25, chunks = self._lexical()
        base = tokenize(query)
        groups = [(QUERY_WORD_WEIGHT, base)]
        seen = set(base)
        if self.expand:
            thesaurus = [t for t in expand(base, query) if t not in seen]
            seen.update(thesaurus)
            groups.append((THESAURUS_WEIGHT, thesaurus))
        if self.derive and self._related is not None:
            derived = [e.word for e in self._related.expand(base, qvec) if e.word not in seen]
            groups.append((DERIVED_WEIGHT, derived))
        scores = np.zeros(len(chunks), dtype=np.float32)
        for weight, words in groups:
            tokens = [t for t in words if t in self._vocab]
            if tokens:
                scores += weight * bm25.get_scores(tokens)
        return scores

    @staticmethod
    def _rank(scores: np.ndarray, mask: np.ndarray | None) -> list[int]:
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        top = np.argsort(-scores)[:CANDIDATES]
        return [int(i) for i in top if scores[i] > 0]

    # --- dense -------------------------------------------------------------------------------------------
    def _dense_rankings(self, vectors: np.ndarray, filters: Filters, mask: np.ndarray | None) -> list[list[int]]:
        self._lexical()  # keeps the chunk-id → position map (and the small corpus's vectors) current
        if self._exact is not None:
            return self._exact.rankings(vectors, mask, CANDIDATES)
        collection = self.index.collection()
        # Chroma (1.x, embedded and server) returns fewer hits when it holds fewer: no count() first (a call
        # into Chroma per query, a quarter of the dense side's time).
        res = collection.query(
            query_embeddings=vectors.tolist(), n_results=CANDIDATES, where=filters.chroma_where(), include=[]
        )
        return [[self._by_id[i] for i in ids if i in self._by_id] for ids in res["ids"]]

    # --- search ------------------------------------------------------------------------------------------
    def search(self, query: str, k: int = 5, *, mode: Mode = "hybrid", filters: Filters | None = None,
               diversify: bool = True) -> list[Hit]:
        return self.search_many([query], k, mode=mode, filters=filters, diversify=diversify)[0]

    def search_many(self, queries: Sequence[str], k: int = 5, *, mode: Mode = "hybrid",
                    filters: Filters | Sequence[Filters] | None = None, diversify: bool = True,
                    dense_queries: Sequence[str] | None = None) -> list[list[Hit]]:
        """search_many, again if the corpus changed under it (an upload on another thread rebuilt the lexical
        index mid-search: chunk positions from two versions would mix, or fall off the end of the list)."""
        for attempt in range(5):
            self._lexical()
            built = self._builds
            try:
                results = self._search_many(queries, k, mode=mode, filters=filters, diversify=diversify,
                                            dense_queries=dense_queries)
            except (IndexError, KeyError):
                if not self._rebuilt_since(built) or attempt == 4:
                    raise
                continue
            if not self._rebuilt_since(built):
                break
        return results

    def _rebuilt_since(self, built: int) -> bool:
        with self._lock:  # a rebuild holds the lock until it is complete, version number included
            return self._builds != built

    def _search_many(self, queries: Sequence[str], k: int = 5, *, mode: Mode = "hybrid",
                     filters: Filters | Sequence[Filters] | None = None, diversify: bool = True,
                     dense_queries: Sequence[str] | None = None) -> list[list[Hit]]:
        """Search several queries at once: one embedding call, one Chroma call per distinct filter.

        `filters` is one Filters for all queries or one per query. `dense_queries` optionally gives the dense
        side a shorter text per query (a section's topic) while BM25 gets the full text (its facts too).
        """
        queries = [q.strip() for q in queries]
        if any(not q for q in queries):
            raise InputError("检索内容不能为空")
        if k < 1:
            raise InputError("k 必须为正整数")
        per_query = list(filters) if isinstance(filters, Sequence) else [filters or Filters()] * len(queries)
        if len(per_query) != len(queries):
            raise InputError("filters 的数量应与查询数量一致")
        _, chunks = self._lexical()
        masks: dict[str, np.ndarray | None] = {}
        for f in per_query:  # one pass over the chunks per distinct filter (a draft sends one per section)
            key = repr(f.chroma_where())
            if key not in masks:
                masks[key] = self._mask(f, chunks)
        dense: list[list[int]] = [[] for _ in queries]
        if mode in ("hybrid", "dense"):
            vectors = self._query_vectors(list(dense_queries) if dense_queries else queries)
            groups: dict[str, list[int]] = {}
            for i, f in enumerate(per_query):
                groups.setdefault(repr(f.chroma_where()), []).append(i)
            for idx in groups.values():
                f = per_query[idx[0]]
                for i, ranking in zip(idx, self._dense_rankings(vectors[idx], f, masks[repr(f.chroma_where())]),
                                      strict=True):
                    dense[i] = ranking
        results = []
        for i, (q, f, d_rank) in enumerate(zip(queries, per_query, dense, strict=True)):
            mask = masks[repr(f.chroma_where())]
            qvec = vectors[i] if mode == "hybrid" else None
            lex: list[int] = []
            if mode in ("hybrid", "bm25"):
                lex = self._rank(self._bm25_scores(q, qvec), mask)
            results.append(self._fuse(q, chunks, d_rank, lex, k, diversify, mask))
        return results

    @staticmethod
    def _mask(f: Filters, chunks: list[Chunk]) -> np.ndarray | None:
        if not (f.doc_ids or f.positions or f.levels):
            return None
        return np.array([f.allows(c) for c in chunks])

    def _query_vectors(self, texts: list[str]) -> np.ndarray:
        """Query embeddings with an LRU cache: section topics and position queries recur across drafts."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._qcache))
        if missing:
            computed = self.index.embedder.queries(missing)
            with self._lock:
                for t, v in zip(missing, computed, strict=True):
                    self._qcache[t] = v
                while len(self._qcache) > QUERY_CACHE:
                    self._qcache.pop(next(iter(self._qcache)))
        with self._lock:
            return np.vstack([self._qcache[t] for t in texts])

    def _fuse(self, query: str, chunks: list[Chunk], dense: list[int], lexical: list[int], k: int,
              diversify: bool, mask: np.ndarray | None = None) -> list[Hit]:
        scores: dict[int, float] = {}
        ranks: dict[int, dict[str, int]] = {}
        for name, ranking, weight in (("dense", dense, DENSE_WEIGHT), ("bm25", lexical, 1.0)):
            for r, i in enumerate(ranking):
                scores[i] = scores.get(i, 0.0) + weight / (RRF_K + r + 1)
                ranks.setdefault(i, {})[name] = r + 1
        wanted = query_position(query)
        if wanted:  # a query about a part of the summary: every passage of that part outranks topical ones
            for i, c in enumerate(chunks):
                if c.position == wanted and (mask is None or mask[i]):
                    scores[i] = scores.get(i, 0.0) + 1.0 / RRF_K
        else:  # a topic: the year's deeds are in the body; short 不足/打算 lines are near everything in dense space
            for i in scores:
                if chunks[i].position != "body":
                    scores[i] *= NON_BODY_TOPIC_WEIGHT
        order = _unique_texts(sorted(scores, key=lambda i: -scores[i]), chunks)
        if diversify:
            if len(self._grams) > GRAM_CACHE:  # bigram sets of recent candidates (chunk ids are content hashes)
                self._grams.clear()
            order = _diversify(order, scores, chunks, k, self._grams)
        return [Hit(chunks[i], scores[i], ranks.get(i, {})) for i in order[:k]]
