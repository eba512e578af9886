"""Exact dense search for a corpus small enough to hold its vectors in memory.

A union office's archive is a few hundred to a few thousand chunks (the bundled 18 summaries: 209). For those,
one Chroma query per filter (~1 ms each, five per draft) cost more than the whole cosine product over every
chunk, and HNSW is only an approximation of it. Above EXACT_MAX_CHUNKS the search goes to Chroma's HNSW index.
The vectors are read from Chroma itself, so both sides always rank the same embeddings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

EXACT_MAX_CHUNKS = 5000  # 5,000 × 384 floats = 7.7 MB; a product with ten queries ~2 ms through einsum


class ExactDense:
    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = matrix  # one unit-length row per chunk, in the lexical index's chunk order

    @classmethod
    def load(cls, collection: Any, chunk_ids: Sequence[str]) -> ExactDense | None:
        """The chunks' vectors from the collection, or None (too many chunks, or Chroma lacks some of them:
        then the search asks Chroma as before)."""
        if not chunk_ids or len(chunk_ids) > EXACT_MAX_CHUNKS:
            return None
        try:
            got = collection.get(ids=list(chunk_ids), include=["embeddings"])
        except Exception:  # a Chroma server that is down: the query path reports it when it is really needed
            return None
        vectors = got.get("embeddings")
        if vectors is None or len(got["ids"]) != len(chunk_ids):
            return None
        by_id = dict(zip(got["ids"], range(len(got["ids"])), strict=True))
        if set(by_id) != set(chunk_ids):
            return None
        matrix = np.asarray(vectors, dtype=np.float32)[[by_id[i] for i in chunk_ids]]
        return cls(matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12))

    def rankings(self, queries: np.ndarray, mask: np.ndarray | None, n: int) -> list[list[int]]:
        """The n chunks nearest to each query (cosine), among those the mask allows, nearest first."""
        q = np.asarray(queries, dtype=np.float32)
        q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
        # einsum's own loops, not BLAS: see related_words._dot (OpenBLAS's threads fight the embedder's).
        sims = np.einsum("ij,kj->ki", self.matrix, q)
        allowed = np.arange(len(self.matrix)) if mask is None else np.flatnonzero(mask)
        out = []
        for row in sims:
            scores = row[allowed]
            top = np.argpartition(-scores, n - 1)[:n] if len(scores) > n else np.arange(len(scores))
            out.append([int(allowed[j]) for j in top[np.argsort(-scores[top], kind="stable")]])
        return out
