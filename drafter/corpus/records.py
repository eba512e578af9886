"""Records of the index: a document's info, a refresh's report, chunks as stored (rows of the chunk table,
read fast at 100k chunks; Chroma metadata; content hashes)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from typing import Any

from .chunking import Chunk


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


_CHUNK_FIELDS = frozenset(f.name for f in fields(Chunk))


def _chunk(d: dict[str, Any]) -> Chunk:
    """A stored chunk. Read 100k times when a worker starts: a row with exactly the fields skips the
    dataclass's frozen __init__ (4x faster); anything else goes through it (and its checks)."""
    if d.keys() == _CHUNK_FIELDS:
        c = Chunk.__new__(Chunk)
        c.__dict__.update(d)
        return c
    return Chunk(**d)


def _chroma_meta(c: Chunk) -> dict[str, str | int | bool]:
    meta = c.metadata()
    meta.pop("chunk_id", None)
    return meta
