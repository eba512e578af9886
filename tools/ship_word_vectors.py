"""Write the bundled corpus's word vectors to corpus/embeddings/<model>.words.npz (int8, keyed by the word).

    .venv/bin/python tools/ship_word_vectors.py

The corpus-derived related words (drafter/related_words.py) need a vector for every corpus word; shipping the
bundled corpus's keeps a fresh install from running the model on ~3,700 words at its first search. Run after
changing the corpus, the tokenizer's domain words or the offline model. Stale or missing entries are harmless:
a word without a shipped vector is embedded once and kept in the cache under the data dir.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drafter.retrieval.related_words import is_word, shipped_words_path, write_shipped_words
from drafter.retrieval.tokens import init_jieba, tokenize
from drafter.settings import Settings
from drafter.workspace import Workspace


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        settings = Settings(data_dir=Path(d))
        ws = Workspace(settings)
        ws.refresh_index()
        init_jieba(str(settings.cache_dir))
        bundled = {p.stem for p in settings.corpus_dir.iterdir() if p.suffix in (".txt", ".md")}
        chunks = [c for c in ws.index.chunks() if c.doc_id in bundled]
        words = sorted({t for c in chunks for t in tokenize(c.embed_text()) if is_word(t)})
        vectors = ws.index.embedder.passages(words)
        path = shipped_words_path(settings.corpus_dir, ws.index.embedder.name)
        write_shipped_words(path, words, vectors)
        print(f"{path}: {len(words)} words, {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
