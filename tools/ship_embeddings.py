"""Write the bundled corpus's chunk vectors to corpus/embeddings/<model>.npz (float16, keyed by content hash).

    .venv/bin/python tools/ship_embeddings.py

Run after changing the corpus, the chunking defaults or the offline model; the index then loads these
vectors instead of running the model on a fresh install. Stale vectors are harmless: keys are content
hashes of (model, text), so a changed chunk simply misses and is embedded.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from drafter.corpus.embedcache import shipped_path, write_shipped
from drafter.settings import Settings
from drafter.workspace import Workspace


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        settings = Settings(data_dir=Path(d))
        ws = Workspace(settings)
        ws.refresh_index()
        chunks = [c for c in ws.index.chunks() if c.doc_id.startswith("seed-")]
        texts = [c.embed_text() for c in chunks]
        vectors = ws.index.cache.get_or_compute(texts, ws.index.embedder.passages)
        path = shipped_path(settings.corpus_dir, ws.index.embedder.name)
        write_shipped(path, ws.index.embedder.name, texts, vectors)
        print(f"{path}: {len(texts)} vectors")


if __name__ == "__main__":
    main()
