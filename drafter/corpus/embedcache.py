"""A content-addressed embedding cache: (model, text) → vector. Never embed the same text twice.

Two layers: vectors shipped with the bundled corpus (`corpus/embeddings/<model>.npz`, read-only, so a fresh
install indexes the bundled corpus without running the model), and a SQLite cache under the data dir that
remembers every vector computed here (so a rebuild after a chunking change re-embeds only new texts).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np


def text_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\x00{text}".encode()).hexdigest()


def shipped_path(corpus_dir: Path, model: str) -> Path:
    return corpus_dir / "embeddings" / (re.sub(r"[^A-Za-z0-9_.-]+", "_", model) + ".npz")


class EmbeddingCache:
    def __init__(self, db_path: Path, model: str, shipped: Path | None = None) -> None:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self.model = model
        self._conn = sqlite3.connect(str(db_path), check_same_thread=False, isolation_level=None)
        self._conn.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        self._lock = threading.Lock()
        self._shipped: dict[str, np.ndarray] = {}
        self.computed = 0  # texts this process had to run the model on
        if shipped is not None and shipped.exists():
            data = np.load(shipped)
            self._shipped = dict(zip(data["keys"].tolist(), data["vectors"].astype(np.float32), strict=True))

    def get_or_compute(self, texts: Sequence[str], compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        keys = [text_key(self.model, t) for t in texts]
        found: dict[str, np.ndarray] = {}
        missing_keys = []
        with self._lock:
            for k in keys:
                if k in self._shipped:
                    found[k] = self._shipped[k]
                    continue
                row = self._conn.execute("SELECT vec FROM vectors WHERE key=?", (k,)).fetchone()
                if row is not None:
                    found[k] = np.frombuffer(row[0], dtype=np.float32)
                else:
                    missing_keys.append(k)
        todo = [(k, t) for k, t in zip(keys, texts, strict=True) if k in set(missing_keys)]
        unique = list(dict(todo).items())
        if unique:
            vectors = compute([t for _, t in unique])
            self.computed += len(unique)
            with self._lock:
                self._conn.execute("BEGIN")
                self._conn.executemany(
                    "INSERT OR REPLACE INTO vectors(key, vec) VALUES (?, ?)",
                    [(k, np.asarray(v, dtype=np.float32).tobytes()) for (k, _), v in zip(unique, vectors, strict=True)],
                )
                self._conn.execute("COMMIT")
            for (k, _), v in zip(unique, vectors, strict=True):
                found[k] = np.asarray(v, dtype=np.float32)
        return np.vstack([found[k] for k in keys]) if keys else np.zeros((0, 0), dtype=np.float32)

    def close(self) -> None:
        self._conn.close()


def write_shipped(path: Path, model: str, texts: Sequence[str], vectors: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = np.array([text_key(model, t) for t in texts])
    np.savez_compressed(path, keys=keys, vectors=np.asarray(vectors, dtype=np.float16))
