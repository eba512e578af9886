"""`copied`: a run of 20 or more characters (punctuation ignored) identical to a passage of a past summary
(the corpus: bundled and uploaded) or of an exemplar the prompt carried. The draft must be the
organisation's own words.

The corpus is indexed once (`CopyIndex.build`): every 20-character window of its punctuation-free text is
hashed (a polynomial hash computed with numpy over all chunks at once) and kept in a sorted array with the
number of distinct documents it occurs in and the chunk it first came from. A check hashes the draft's
windows the same way and looks them up with one `searchsorted`, so its cost does not grow with the corpus.

What is stock, learned from the corpus rather than from a hand list:
- a window found in `stock_docs` or more distinct documents (at least 3, and a tenth of the documents). Not
  2: in the bundled 18 summaries the windows two documents share include passages one 范文 site copied from
  another, and an organisation's own uploaded summaries of two years share their own passages — copying
  those is still copying;
- a run made mostly of the genre's common phrasing: when at least half of its character trigrams occur in
  `gram_docs` or more documents (3, or a sixth): `在上级工会的正确领导下，团结动员广大职工建功立业` ≈ 0.6,
  `充分调动职工的聪明才智，开拓进取，与时俱进` ≈ 0.9, while the corpus's specific passages score ≈ 0.2 and
  95 % of its 20-character windows score below 0.56.
A run the facts themselves contain is the user's own wording and is not flagged either.
"""

from __future__ import annotations

import functools
import math
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from . import numbers  # noqa: F401  (amount, date, placeholder register first: the UI and CLI list kinds in order)
from .context import CheckContext
from .copyhash import WINDOW, _distinct_pairs, _unique_with_df, normalise, trigrams, window_hashes
from .factblocks import fact_blocks
from .flags import Flag
from .registry import Rule, register_checker, register_kind, register_rule, rule

STOCK_SHARE = 0.1  # a window in this share of the documents (and at least 3) is stock
STOCK_MIN_DOCS = 3
GRAM_SHARE = 1 / 6  # a trigram in this share of the documents (and at least 3) is common phrasing
GRAM_MIN_DOCS = 3
GENERIC_RUN = 0.5  # a run whose trigrams are this generic is stock phrasing
@dataclass(frozen=True, slots=True)
class Source:
    """One passage of the corpus (a chunk) or one exemplar."""

    doc: str  # document id; windows are counted per distinct document
    title: str
    heading: str


@dataclass(frozen=True, slots=True)
class CopyHit:
    start: int
    end: int
    source: Source
    chars: int  # characters of the run, punctuation ignored
    exemplar: bool


class CopyIndex:
    """Window hashes of a corpus, with document counts and the first chunk each came from."""

    def __init__(self, hashes: np.ndarray, df: np.ndarray, first: np.ndarray, sources: list[Source],
                 grams: np.ndarray, gram_df: np.ndarray, documents: int) -> None:
        self.hashes, self.df, self.first = hashes, df, first
        self.sources = sources
        self.grams, self.gram_df = grams, gram_df
        self.documents = documents
        self.stock_docs = max(STOCK_MIN_DOCS, math.ceil(documents * STOCK_SHARE))
        self.gram_docs = max(GRAM_MIN_DOCS, math.ceil(documents * GRAM_SHARE))

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.hashes, self.df, self.first, self.grams, self.gram_df))

    @classmethod
    def build(cls, passages: Iterable[tuple[Source, str]]) -> CopyIndex:
        """Index passages (a source and its text). Passages of one document share `Source.doc`."""
        sources: list[Source] = []
        doc_ids: dict[str, int] = {}
        parts_h: list[np.ndarray] = []
        parts_d: list[np.ndarray] = []
        parts_c: list[np.ndarray] = []
        parts_g: list[np.ndarray] = []
        parts_gd: list[np.ndarray] = []
        batch: list[tuple[np.ndarray, int, int]] = []

        def flush() -> None:
            if not batch:
                return
            # One concatenated array per batch; windows that would cross a passage's end are dropped.
            codes = np.concatenate([b[0] for b in batch])
            lengths = np.array([len(b[0]) for b in batch], dtype=np.int64)
            ends = np.cumsum(lengths)
            starts = ends - lengths
            h = window_hashes(codes)
            g = trigrams(codes)
            owner = np.repeat(np.arange(len(batch)), lengths)
            docs = np.array([b[1] for b in batch], dtype=np.int32)
            chunks = np.array([b[2] for b in batch], dtype=np.int32)
            if len(h):
                ok = np.arange(len(h)) + WINDOW <= ends[owner[: len(h)]]
                hh, dd, cc = _distinct_pairs(h[ok], docs[owner[: len(h)]][ok], chunks[owner[: len(h)]][ok])
                parts_h.append(hh)
                parts_d.append(dd)
                assert cc is not None  # chunks were given
                parts_c.append(cc)
            if len(g):
                ok = np.arange(len(g)) + 3 <= ends[owner[: len(g)]]
                gg, gd, _ = _distinct_pairs(g[ok], docs[owner[: len(g)]][ok], None)
                parts_g.append(gg)
                parts_gd.append(gd)
            del starts
            batch.clear()

        size = 0
        for src, text in passages:
            codes, _ = normalise(text)
            if len(codes) < 3:
                continue
            doc = doc_ids.setdefault(src.doc, len(doc_ids))
            batch.append((codes, doc, len(sources)))
            sources.append(src)
            size += len(codes)
            if size >= 2_000_000:
                flush()
                size = 0
        flush()
        hashes, df, first = _unique_with_df(parts_h, parts_d, parts_c)
        grams, gram_df, _ = _unique_with_df(parts_g, parts_gd, None)
        return cls(hashes, df, first, sources, grams, gram_df, len(doc_ids))

    @classmethod
    def from_chunks(cls, chunks: Iterable[Any]) -> CopyIndex:
        """From `drafter.chunking.Chunk`s (the search index's chunk table: bundled and uploaded documents)."""
        return cls.build((Source(c.doc_id, c.title, c.heading), c.text) for c in chunks)

    @classmethod
    def from_directory(cls, directory: Path) -> CopyIndex:
        """From the summaries in a directory (`corpus/`), one passage per section."""
        from ..corpus.files import load_file

        def passages() -> Iterable[tuple[Source, str]]:
            for path in sorted(directory.iterdir()):
                if path.suffix not in (".txt", ".md"):
                    continue
                doc = load_file(path)
                if not doc.sections:
                    yield Source(path.stem, doc.title, ""), doc.text
                for s in doc.sections:
                    yield Source(path.stem, doc.title, s.heading), doc.section_text(s)

        return cls.build(passages())

    # --- lookups -----------------------------------------------------------------------------------------
    def lookup(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each hash: the index into the table, or -1 when the corpus does not have it."""
        if not len(self.hashes) or not len(h):
            return np.full(len(h), -1, dtype=np.int64), np.zeros(len(h), dtype=bool)
        i = np.searchsorted(self.hashes, h)
        i[i >= len(self.hashes)] = 0
        found = self.hashes[i] == h
        return np.where(found, i, -1), found

    def generic_share(self, codes: np.ndarray) -> float:
        """The share of a run's trigrams that are the genre's common phrasing."""
        g = trigrams(codes)
        if not len(g) or not len(self.grams):
            return 0.0
        i = np.searchsorted(self.grams, g)
        i[i >= len(self.grams)] = 0
        common = (self.grams[i] == g) & (self.gram_df[i] >= self.gram_docs)
        return float(common.mean())


class _ExemplarWindows:
    """The exemplars of one check: their window hashes, sorted, and which exemplar each came from."""

    def __init__(self, exemplars: Sequence[Any]) -> None:
        self.sources: list[Source] = []
        hashes: list[np.ndarray] = []
        owners: list[np.ndarray] = []
        for n, ex in enumerate(exemplars):
            if isinstance(ex, str):
                text, title, heading = ex, "", ""
            elif isinstance(ex, Mapping):  # {"title", "text"} as JSON gives it
                text, title = str(ex.get("text") or ""), str(ex.get("title") or "")
                heading = str(ex.get("section") or ex.get("heading") or "")
            else:
                text = str(getattr(ex, "text", "") or "")
                title = str(getattr(ex, "title", "") or "")
                heading = str(getattr(ex, "section", "") or getattr(ex, "heading", "") or "")
            label = title or (f"第{n + 1}篇范文" if len(exemplars) > 1 else "")
            self.sources.append(Source(f"exemplar:{n}", label, heading))
            h = window_hashes(normalise(text)[0])
            hashes.append(h)
            owners.append(np.full(len(h), n, dtype=np.int64))
        h = np.concatenate(hashes) if hashes else np.empty(0, dtype=np.uint64)
        o = np.concatenate(owners) if owners else np.empty(0, dtype=np.int64)
        order = np.argsort(h, kind="stable")
        self.hashes, self.owners = h[order], o[order]

    def lookup(self, h: np.ndarray) -> np.ndarray:
        """The exemplar number of each hash, or -1."""
        if not len(self.hashes):
            return np.full(len(h), -1, dtype=np.int64)
        i = np.searchsorted(self.hashes, h)
        i[i >= len(self.hashes)] = 0
        return np.where(self.hashes[i] == h, self.owners[i], -1)


_ex_cache: dict[tuple[tuple[str, str, str], ...], _ExemplarWindows] = {}


def _exemplar_windows(exemplars: Sequence[Any]) -> _ExemplarWindows:
    """Cached per distinct exemplars: a draft's checks (and its repair) reuse the same ones."""
    def key(ex: Any) -> tuple[str, str, str]:
        if isinstance(ex, str):
            return (ex, "", "")
        if isinstance(ex, Mapping):
            return (str(ex.get("text") or ""), str(ex.get("title") or ""), str(ex.get("section") or ""))
        return (str(getattr(ex, "text", "") or ""), str(getattr(ex, "title", "") or ""),
                str(getattr(ex, "section", "") or ""))

    k = tuple(key(ex) for ex in exemplars)
    hit = _ex_cache.get(k)
    if hit is None:
        if len(_ex_cache) >= 64:
            _ex_cache.clear()
        hit = _ex_cache[k] = _ExemplarWindows(exemplars)
    return hit


@lru_cache(maxsize=64)
def _norm_text(text: str) -> str:
    return "".join(map(chr, normalise(text)[0].tolist()))


def find_copied(draft: str, index: CopyIndex | None, exemplars: Sequence[Any] = (), facts_text: str = ""
                ) -> list[CopyHit]:
    """Runs of the draft of WINDOW characters or more (punctuation ignored) found in the corpus or an
    exemplar, stock phrasing and the facts' own wording left out."""
    codes, pos = normalise(draft)
    h = window_hashes(codes)
    if not len(h):
        return []
    src = np.full(len(h), -1, dtype=np.int64)  # chunk index (corpus) or -2 - exemplar number
    matched = np.zeros(len(h), dtype=bool)
    if index is not None and len(index.hashes):
        i, found = index.lookup(h)
        ok = found & (index.df[np.maximum(i, 0)] < index.stock_docs)
        matched |= ok
        src[ok] = index.first[i[ok]]
        stock = found & ~ok
    else:
        stock = np.zeros(len(h), dtype=bool)
    ex = _exemplar_windows(exemplars) if exemplars else None
    if ex is not None:
        owner = ex.lookup(h)
        hit = (owner >= 0) & ~stock
        matched |= hit
        src[hit] = -2 - owner[hit]
    if not matched.any():
        return []
    facts_norm = _norm_text(facts_text) if facts_text else ""
    hits: list[CopyHit] = []
    for first_w, last_w in _runs(matched):
        a, b = first_w, last_w + WINDOW  # normalised characters [a, b)
        run = codes[a:b]
        if int(((run >= 0x3400) & (run <= 0x9FFF)).sum()) < WINDOW // 2:
            continue  # digits and letters are not the wording a summary is copied for
        if facts_norm and "".join(chr(c) for c in run.tolist()) in facts_norm:
            continue
        if index is not None and index.generic_share(run) >= GENERIC_RUN:
            continue
        votes = src[first_w : last_w + 1]
        votes = votes[votes != -1]
        values, counts = np.unique(votes, return_counts=True)
        best = int(values[np.argmax(counts)])
        if best <= -2:
            source, is_ex = ex.sources[-2 - best], True  # type: ignore[union-attr]
        else:
            source, is_ex = index.sources[best], False  # type: ignore[union-attr]
        hits.append(CopyHit(int(pos[a]), int(pos[b - 1]) + 1, source, b - a, is_ex))
    return hits


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) of each run of consecutive True windows."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return []
    breaks = np.flatnonzero(np.diff(idx) > 1)
    firsts = np.concatenate(([idx[0]], idx[breaks + 1]))
    lasts = np.concatenate((idx[breaks], [idx[-1]]))
    return list(zip(firsts.tolist(), lasts.tolist(), strict=True))


def _where(hit: CopyHit) -> str:
    """范文《2023年工会年度工作总结范文 篇7》「二、…」, or 本节参考的范文《…》 for an exemplar."""
    s = hit.source
    where = f"范文《{s.title}》" if s.title else "范文"
    if s.heading:
        where += f"「{s.heading}」"
    return ("本节参考的" if hit.exemplar else "") + where


# --- the default corpus, and registration -----------------------------------------------------------------
_default_lock = threading.Lock()
_defaults: dict[str, CopyIndex] = {}


def bundled_corpus_dir() -> Path:
    """DRAFTER_CORPUS_DIR or the repository's corpus/; a settings error never stops a check."""
    return _corpus_dir(os.environ.get("DRAFTER_CORPUS_DIR"))


@functools.lru_cache(maxsize=8)
def _corpus_dir(variable: str | None) -> Path:
    """Keyed by the variable: reading every setting (~3 ms) for each check was most of a check's time."""
    from ..settings import REPO_ROOT, Settings

    try:
        return Settings().corpus_dir
    except Exception:  # a bad DRAFTER_* variable is reported where settings are used, not here
        return REPO_ROOT / "corpus"


def default_index(directory: Path | None = None) -> CopyIndex:
    """The bundled corpus's index, built on first use and kept for the process: what `check()` uses when
    it is given no corpus index (the Workspace passes one built from its own index, uploads included)."""
    if directory is None:
        directory = bundled_corpus_dir()
    key = str(directory)
    with _default_lock:
        idx = _defaults.get(key)
        if idx is None:
            idx = CopyIndex.from_directory(directory) if directory.is_dir() else CopyIndex.build(())
            _defaults[key] = idx
        return idx


register_kind("copied", "照抄")
register_rule(Rule("copied_text", ("copied",), "照抄范文原文", "与{source}中的原文相同（连续{chars}字）",
                   "请用本单位自己的话改写"))


class CopiedChecker:
    name = "copied"
    kinds: tuple[str, ...] = ("copied",)
    order = 40

    def run(self, ctx: CheckContext) -> list[Flag]:
        index = ctx.copy_index if isinstance(ctx.copy_index, CopyIndex) else None
        if ctx.copy_index is None:
            index = default_index()
        facts_text = fact_blocks(ctx.facts).text
        hits = find_copied(ctx.draft, index, ctx.exemplars, facts_text)
        return [Flag(text=ctx.draft[h.start : h.end], start=h.start, end=h.end, kind="copied", reason="copied_text",
                     hint=rule("copied_text").explain(source=_where(h), chars=h.chars)) for h in hits]


register_checker(CopiedChecker())
