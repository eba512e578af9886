"""Hashing for the `copied` check: the letters of a text as code points with their offsets, the hash of
every WINDOW-long run (a polynomial hash in wrapping uint64 arithmetic, over whole arrays at once), character
trigrams, and the sorted distinct hashes of a corpus with their document counts. No checker lives here."""

from __future__ import annotations

import numpy as np

WINDOW = 20
_BASE = np.uint64(0x9E3779B97F4A7C15)


def normalise(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Code points of the letters, digits and CJK characters (full-width folded, lower case) and their
    offsets in `text` (Python str offsets are code points, as utf-32 is)."""
    c = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    full = ((c >= 0xFF10) & (c <= 0xFF19)) | ((c >= 0xFF21) & (c <= 0xFF3A)) | ((c >= 0xFF41) & (c <= 0xFF5A))
    c = np.where(full, c - 0xFEE0, c)
    c = np.where((c >= 65) & (c <= 90), c + 32, c)
    keep = (((c >= 48) & (c <= 57)) | ((c >= 97) & (c <= 122)) | ((c >= 0x3400) & (c <= 0x9FFF))
            | ((c >= 0xF900) & (c <= 0xFAFF)))
    pos = np.flatnonzero(keep)
    return c[pos].astype(np.uint64), pos


def window_hashes(codes: np.ndarray) -> np.ndarray:
    """The hash of every WINDOW-long run of `codes` (uint64 arithmetic wraps, which is the modulus)."""
    n = len(codes) - WINDOW + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for t in range(WINDOW):
            h = h * _BASE + codes[t : t + n] + np.uint64(1)
    return h


def trigrams(codes: np.ndarray) -> np.ndarray:
    if len(codes) < 3:
        return np.empty(0, dtype=np.uint64)
    return (codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:]


def _distinct_pairs(h: np.ndarray, d: np.ndarray, c: np.ndarray | None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """One entry per (hash, document) in a batch, keeping the first chunk: a document repeats its own
    phrasing (and chunks overlap), so this shrinks what the final sort must hold."""
    order = np.argsort(h, kind="stable") if not len(d) or bool(np.all(d[1:] >= d[:-1])) else np.lexsort((d, h))
    h = h[order]
    d = d[order]
    keep = np.ones(len(h), dtype=bool)
    keep[1:] = (h[1:] != h[:-1]) | (d[1:] != d[:-1])
    return h[keep], d[keep], (c[order][keep] if c is not None else None)


def _unique_with_df(hs: list[np.ndarray], ds: list[np.ndarray], cs: list[np.ndarray] | None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted distinct hashes, how many distinct documents each occurs in, and its first chunk."""
    if not hs:
        empty = np.empty(0, dtype=np.uint64)
        return empty, np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.int32)
    h = np.concatenate(hs)
    hs.clear()  # the parts are copies: free them before sorting (peak memory on a large corpus)
    d = np.concatenate(ds)
    ds.clear()
    c = np.concatenate(cs) if cs is not None else None
    if cs is not None:
        cs.clear()
    # Passages come document by document, so `d` is usually sorted already: a stable sort by hash alone
    # then orders by (hash, document) without lexsort's extra key arrays.
    order = np.argsort(h, kind="stable") if not len(d) or bool(np.all(d[1:] >= d[:-1])) else np.lexsort((d, h))
    h = h[order]
    d = d[order]
    if c is not None:
        c = c[order]
    del order
    new_pair = np.ones(len(h), dtype=bool)
    new_pair[1:] = (h[1:] != h[:-1]) | (d[1:] != d[:-1])
    new_hash = np.ones(len(h), dtype=bool)
    new_hash[1:] = h[1:] != h[:-1]
    starts = np.flatnonzero(new_hash)
    df = np.add.reduceat(new_pair.astype(np.uint32), starts) if len(starts) else np.empty(0, dtype=np.uint32)
    first = c[starts] if c is not None else np.empty(0, dtype=np.int32)
    return h[starts], df.astype(np.uint32), first
