"""Diversity of the top k: one passage per section, fewer from a summary already used, no copies or a
heading next to a passage under it (their thresholds are measured in bench/eval_retrieval.py)."""

from __future__ import annotations

import re

from ..corpus.chunking import Chunk

DOC_REPEAT = 0.6  # each further pick from an already-used summary has its score scaled by this
PARENT_CHILD = 0.25  # a heading's own passage and a passage under it largely say the same
NEAR_DUPLICATE = 0.3  # character-bigram Jaccard above which two passages count as copies


def _unique_texts(order: list[int], chunks: list[Chunk]) -> list[int]:
    """A passage copied into several documents takes one slot (its best-ranked copy), not several."""
    seen: set[str] = set()
    out = []
    for i in order:
        text = chunks[i].text
        if text not in seen:
            seen.add(text)
            out.append(i)
    return out


def _bigrams(text: str) -> frozenset[str]:
    t = re.sub(r"\s+", "", text)
    return frozenset(t[i : i + 2] for i in range(len(t) - 1))


def _redundancy(a: Chunk, b: Chunk, grams: dict[str, frozenset[str]]) -> float:
    """How much `a` repeats `b`: 1 for the same text, PARENT_CHILD for a heading and a part under it, otherwise the
    character-bigram overlap above NEAR_DUPLICATE (summaries copy each other's paragraphs; topical likeness
    below that is what a topic search is for, and must not be penalised)."""
    if a.doc_id == b.doc_id and (a.section.startswith(b.section + " > ") or b.section.startswith(a.section + " > ")):
        return PARENT_CHILD
    ga = grams.get(a.chunk_id) or grams.setdefault(a.chunk_id, _bigrams(a.text))
    gb = grams.get(b.chunk_id) or grams.setdefault(b.chunk_id, _bigrams(b.text))
    if not ga or not gb:
        return 0.0
    jaccard = len(ga & gb) / len(ga | gb)
    return max(0.0, (jaccard - NEAR_DUPLICATE) / (1 - NEAR_DUPLICATE))


def _diversify(order: list[int], scores: dict[int, float], chunks: list[Chunk], k: int,
               grams: dict[str, frozenset[str]] | None = None) -> list[int]:
    """Greedy, MMR-style: one chunk per section; a candidate's score is discounted for every earlier pick from its
    summary and for how much it repeats an earlier pick (a parent heading of it, or a copied paragraph)."""
    picked: list[int] = []
    seen_sections: set[tuple[str, int]] = set()
    per_doc: dict[str, int] = {}
    pool = list(order[: max(4 * k, 20)])  # a few sections' worth of chunks beyond k is all the greedy ever needs
    grams = {} if grams is None else grams
    while pool and len(picked) < k:
        best, best_score = None, -1.0
        for i in pool:
            c = chunks[i]
            if (c.doc_id, c.section_index) in seen_sections:
                continue
            s = scores[i] * (DOC_REPEAT ** per_doc.get(c.doc_id, 0))
            if picked and s > best_score:
                s *= 1.0 - max(_redundancy(c, chunks[j], grams) for j in picked)
            if s > best_score:
                best, best_score = i, s
        if best is None:
            break
        pool.remove(best)
        c = chunks[best]
        picked.append(best)
        seen_sections.add((c.doc_id, c.section_index))
        per_doc[c.doc_id] = per_doc.get(c.doc_id, 0) + 1
    return picked
