"""Related words derived from the corpus itself, so words nobody listed in thesaurus.py still meet.

Two sources, both computed from what is indexed (bundled and uploaded summaries alike):
- the embedder's neighbours: every corpus word (jieba token of two or more CJK characters) is embedded once
  as a passage; a query word's neighbours are the corpus words nearest to it, and the query's own vector
  (already computed for the dense side) is compared with every corpus word too, which reaches words the
  user typed that the corpus never uses (`揭不开锅` → `困难职工`, `借书` → `职工书屋`).
- co-occurrence within sections: a neighbour of a query word is kept only if the two words share a section
  somewhere in the corpus, so the embedder's look-alikes (`女工` → `电工`) that the genre never pairs drop.

Word vectors are content-addressed like chunk vectors: the bundled corpus's ship in
`corpus/embeddings/<model>.words.npz` (int8; `tools/ship_word_vectors.py` writes them), the rest are computed
once and kept in the embedding cache under the data dir. Adding a document embeds only its new words
(`prepare`, called when the index is refreshed). Nothing here runs at import time.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..corpus.chunking import Chunk
    from ..corpus.index import CorpusIndex

WORD = re.compile(r"[\u4e00-\u9fff]{2,}")
COMMON_SHARE = 0.2  # a word in more than this share of sections says little about a topic: never added
TOKEN_CANDIDATES = 24  # nearest corpus words looked at per query word
TOKEN_NEIGHBOURS = 2  # of those, kept (the nearest that co-occur with it in some section)
QUERY_NEIGHBOURS = 8  # corpus words nearest to the whole query
QUERY_MARGIN = 0.04  # ... within this cosine of the nearest one (relative: embedders differ in scale)


# _dot: the products here go through einsum's own loops, not BLAS: right after the embedder has run, OpenBLAS's
# thread pool and the model's fight over the two cores (measured: a 3,700 × 384 matrix-vector product took
# 18 ms through `@`, 0.3 ms through einsum).


def is_word(token: str) -> bool:
    return WORD.fullmatch(token) is not None


def shipped_words_path(corpus_dir: Path, model: str) -> Path:
    return corpus_dir / "embeddings" / (re.sub(r"[^A-Za-z0-9_.-]+", "_", model) + ".words.npz")


def write_shipped_words(path: Path, words: Sequence[str], vectors: np.ndarray) -> None:
    """int8 with one scale per vector: a quarter of float32, and cosine ranks barely move."""
    path.parent.mkdir(parents=True, exist_ok=True)
    v = np.asarray(vectors, dtype=np.float32)
    scale = np.abs(v).max(axis=1, keepdims=True) / 127.0
    q = np.round(v / np.where(scale == 0, 1, scale)).astype(np.int8)
    np.savez_compressed(path, words=np.array(list(words)), vectors=q, scale=scale.astype(np.float32))


class ShippedWords:
    """The shipped word vectors, kept as they ship (int8: 1.4 MB for the bundled corpus's 3,700 words; as
    float32 they held 6 MB for good). Only unit vectors are made of them, so each row's scale is not needed."""

    def __init__(self, words: Sequence[str], vectors: np.ndarray) -> None:
        self._row = {w: i for i, w in enumerate(words)}
        self._vectors = vectors

    def __contains__(self, word: object) -> bool:
        return word in self._row

    def __len__(self) -> int:
        return len(self._row)

    @property
    def dim(self) -> int:
        return int(self._vectors.shape[1])

    def rows(self, words: Sequence[str]) -> np.ndarray:
        """The rows of `words` (all shipped) as they ship: int8, unscaled. The scale is one factor per row, so
        the unit vectors made of them do not depend on it."""
        return self._vectors[[self._row[w] for w in words]]


_shipped_lock = threading.Lock()
_shipped: dict[Path, ShippedWords] = {}


def load_shipped_words(path: Path) -> ShippedWords:
    with _shipped_lock:
        if path not in _shipped:
            shipped = ShippedWords([], np.zeros((0, 1), dtype=np.int8))
            if path.exists():
                data = np.load(path)
                shipped = ShippedWords(data["words"].tolist(), data["vectors"])
            _shipped[path] = shipped
        return _shipped[path]


Compute = Callable[[Sequence[str]], np.ndarray]


def word_vectors(words: Sequence[str], shipped: ShippedWords,
                 cached: Callable[[list[str], Compute], np.ndarray], compute: Compute) -> np.ndarray:
    """Unit vectors of `words`: shipped ones first, the rest through the embedding cache (computed once, then
    kept). Built in place in one matrix: an array per word, stacked, scaled, copied and divided, left ~17 MB
    of a server's memory behind for a 6 MB result."""
    if not words:
        return np.zeros((0, 1), dtype=np.float32)
    have = np.fromiter((w in shipped for w in words), dtype=bool, count=len(words))
    missing = [w for w, h in zip(words, have, strict=True) if not h]
    computed = np.asarray(cached(missing, compute), dtype=np.float32) if missing else None
    m = np.empty((len(words), shipped.dim if have.any() else computed.shape[1]),  # type: ignore[union-attr]
                 dtype=np.float32)
    if have.all():
        m[:] = shipped.rows(words)  # cast in place: no float32 copy beside the result
    else:
        if have.any():
            m[have] = shipped.rows([w for w, h in zip(words, have, strict=True) if h])
        m[~have] = computed
    norms = np.sqrt(np.einsum("ij,ij->i", m, m))[:, None]
    norms[norms == 0] = 1
    m /= norms
    return m


def prepare(index: CorpusIndex, chunks: Sequence[Chunk]) -> int:
    """Embed (into the cache under the data dir) the words of `chunks` that have no vector yet; returns how many."""
    from .tokens import init_jieba, tokenize

    init_jieba(str(index.settings.cache_dir))
    words = sorted({t for c in chunks for t in tokenize(c.embed_text()) if is_word(t)})
    shipped = load_shipped_words(shipped_words_path(index.settings.corpus_dir, index.embedder.name))
    missing = [w for w in words if w not in shipped]
    if missing:
        index.cache.get_or_compute(missing, index.embedder.passages)
    return len(missing)


@dataclass
class Expansion:
    word: str
    source: str  # "word" (a query word's neighbour) or "query" (near the whole query)


class RelatedWords:
    """Corpus words, their vectors, and in which sections each occurs."""

    def __init__(self, words: Sequence[str], vectors: np.ndarray, sections: Iterable[Iterable[str]]) -> None:
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.vectors = vectors
        postings: list[list[int]] = [[] for _ in self.words]
        n = 0
        for s, tokens in enumerate(sections):
            n += 1
            for t in set(tokens):
                i = self.index.get(t)
                if i is not None:
                    postings[i].append(s)
        self.sections = max(n, 1)
        self.postings = [np.array(p, dtype=np.int32) for p in postings]
        self.df = np.array([len(p) for p in postings], dtype=np.int32)
        self.common = self.df > COMMON_SHARE * self.sections
        self._memo: dict[tuple[str, int], list[str]] = {}

    @classmethod
    def from_postings(cls, words: Sequence[str], vectors: np.ndarray, postings: Sequence[np.ndarray],
                      n_sections: int) -> RelatedWords:
        """Built from each word's sorted section numbers (a saved lexical index gives them without tokenizing
        the corpus again, see Retriever._related_from_matrix)."""
        self = cls.__new__(cls)
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.vectors = vectors
        self.sections = max(n_sections, 1)
        self.postings = [np.asarray(p, dtype=np.int32) for p in postings]
        self.df = np.array([len(p) for p in self.postings], dtype=np.int32)
        self.common = self.df > COMMON_SHARE * self.sections
        self._memo = {}
        return self

    def __len__(self) -> int:
        return len(self.words)

    def neighbours(self, word: str, k: int | None = None) -> list[str]:
        """The corpus words nearest to `word` that share a section with it."""
        return self._neighbours([word], k)[0]

    def _neighbours(self, words: Sequence[str], k: int | None = None) -> list[list[str]]:
        """Memoised per word (queries repeat words); the words not seen yet cost one matrix product together."""
        k = k or TOKEN_NEIGHBOURS
        todo = [w for w in dict.fromkeys(words) if (w, k) not in self._memo]
        idx = [self.index[w] for w in todo if w in self.index and not self.common[self.index[w]]]
        if idx:
            sims_all = np.einsum("ij,kj->ik", self.vectors, self.vectors[idx])  # no BLAS: see _dot
            sims_all[self.common] = -np.inf
        for w in todo:
            i = self.index.get(w)
            if i is None or self.common[i]:  # a word everywhere (职工, 单位) is no topic: its neighbours are noise
                self._memo[(w, k)] = []
                continue
            sims = sims_all[:, idx.index(i)]
            sims[i] = -np.inf
            top = np.argpartition(-sims, min(TOKEN_CANDIDATES, len(sims) - 1))[:TOKEN_CANDIDATES]
            out: list[str] = []
            for j in top[np.argsort(-sims[top])]:
                if not np.isfinite(sims[j]):
                    break
                if np.intersect1d(self.postings[i], self.postings[j], assume_unique=True).size:
                    out.append(self.words[j])
                    if len(out) == k:
                        break
            self._memo[(w, k)] = out
        return [self._memo[(w, k)] for w in words]

    def near_query(self, qvec: np.ndarray, k: int | None = None) -> list[str]:
        """Corpus words nearest to the query's vector (same embedder), within a margin of the nearest."""
        k = k or QUERY_NEIGHBOURS
        if not len(self.words) or qvec.shape[-1] != self.vectors.shape[1]:
            return []
        sims = np.einsum("ij,j->i", self.vectors, qvec.astype(np.float32))  # no BLAS: see _dot
        sims[self.common] = -np.inf
        top = np.argpartition(-sims, min(k, len(sims) - 1))[:k]
        top = top[np.argsort(-sims[top])]
        best = sims[top[0]]
        return [self.words[j] for j in top if np.isfinite(sims[j]) and sims[j] >= best - QUERY_MARGIN]

    def expand(self, tokens: Sequence[str], qvec: np.ndarray | None = None) -> list[Expansion]:
        seen = set(tokens)
        out: list[Expansion] = []
        for near in self._neighbours(list(dict.fromkeys(tokens))):
            for w in near:
                if w not in seen:
                    seen.add(w)
                    out.append(Expansion(w, "word"))
        if qvec is not None:
            for w in self.near_query(qvec):
                if w not in seen:
                    seen.add(w)
                    out.append(Expansion(w, "query"))
        return out
