"""Index and search benchmarks. Prints one JSON line per figure.

    .venv/bin/python bench/bench_index.py                 # cold index, warm search, 10k and 100k chunks
    .venv/bin/python bench/bench_index.py --sizes 10000   # skip 100k (it takes a few minutes)

- cold_index: `drafter index` in a fresh data dir, as a subprocess (imports, model load, embedding, Chroma).
- search_bundled: warm hybrid search p50/p95 over the labelled queries, bundled corpus.
- search_scaled: a synthetic corpus of N chunks (corpus sentences recombined; vectors = real chunk vectors
  plus noise, so the bench does not spend an hour embedding), hybrid search p50/p95, BM25 build time, and
  HNSW recall@10 against exact search, with the HNSW settings drafter uses and with Chroma's defaults.
- rss_mb: peak resident memory of each phase.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.corpus.chunking import Chunk  # noqa: E402
from drafter.corpus.index import COLLECTION, HNSW  # noqa: E402
from drafter.settings import Settings  # noqa: E402
from drafter.workspace import Workspace  # noqa: E402


def emit(**row: object) -> None:
    print(json.dumps(row, ensure_ascii=False), flush=True)


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def pct(xs: list[float], p: float) -> float:
    return round(float(np.percentile(xs, p)) * 1000, 2)


def queries() -> list[str]:
    path = ROOT / "bench" / "data" / "retrieval_labelled.jsonl"
    return [json.loads(line)["query"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def cold_index(tmp: Path) -> Workspace:
    """`drafter index` in a fresh data dir: with the vectors shipped for the bundled corpus (what a new user
    gets), and with a corpus copy without them (the model embeds every chunk: what adding a corpus costs)."""
    bare = tmp / "corpus_without_vectors"
    bare.mkdir()
    for f in (ROOT / "corpus").glob("*.txt"):
        (bare / f.name).write_bytes(f.read_bytes())
    for label, corpus in (("shipped_vectors", ROOT / "corpus"), ("model_embeds_all", bare)):
        env = {**os.environ, "DRAFTER_DATA_DIR": str(tmp / label), "DRAFTER_CORPUS_DIR": str(corpus)}
        env.pop("DRAFTER_EMBED_MODEL", None)
        t = time.perf_counter()
        subprocess.run([str(ROOT / ".venv" / "bin" / "drafter"), "index"], env=env, check=True,
                       stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - t
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        emit(bench="cold_index", variant=label, seconds=round(wall, 2), rss_mb=round(child, 1), target_seconds=20)
    ws = Workspace(Settings(data_dir=tmp / "shipped_vectors"))
    return ws


def warm_search(ws: Workspace, qs: list[str], label: str, repeat: int = 3, **extra: object) -> None:
    ws.search(qs[0], 5)  # warm: model, jieba, BM25
    times = []
    for _ in range(repeat):
        for q in qs:
            ws.retriever._qcache.clear()  # measure the uncached path: the query is embedded every time
            t = time.perf_counter()
            ws.search(q, 5)
            times.append(time.perf_counter() - t)
    emit(bench=label, queries=len(times), p50_ms=pct(times, 50), p95_ms=pct(times, 95), rss_mb=rss_mb(), **extra)


def synthetic(ws: Workspace, n: int, tmp: Path) -> Workspace:
    """A scaled corpus: sentences of the bundled corpus recombined into n chunks with noisy real vectors."""
    rng = random.Random(7)
    base = ws.index.chunks()
    col = ws.index.collection()
    got = col.get(ids=[c.chunk_id for c in base], include=["embeddings"])
    vec_by_id = dict(zip(got["ids"], got["embeddings"], strict=True))
    sentences = [s for c in base for s in re.split(r"(?<=[。；！？])", c.text) if len(s) > 8]
    data = tmp / f"scaled{n}"
    settings = Settings(data_dir=data)
    target = Workspace(settings, embedder=ws.index.embedder)
    nprng = np.random.default_rng(7)
    chunks, vectors = [], []
    for i in range(n):
        src = base[i % len(base)]
        text = "".join(rng.sample(sentences, 2))
        chunks.append(Chunk(**{**asdict(src), "chunk_id": f"syn-{i // 200}:{i}", "doc_id": f"syn-{i // 200}",
                               "text": text, "start": 0, "end": len(text), "section_index": i % 50}))
        v = np.asarray(vec_by_id[src.chunk_id]) + nprng.normal(0, 0.03, 384)
        vectors.append(v / np.linalg.norm(v))
    t = time.perf_counter()
    collection = target.index.collection(reset=True)
    for s in range(0, n, 4000):
        part = chunks[s : s + 4000]
        collection.add(ids=[c.chunk_id for c in part], embeddings=[v.tolist() for v in vectors[s : s + 4000]],
                       metadatas=[{"doc_id": c.doc_id, "position": c.position, "level": c.level} for c in part])
    load_s = time.perf_counter() - t
    target.index._write_chunks(chunks, "synthetic")  # chunks and manifest of one generation: the index loads them
    target.index._write_manifest({"config": target.index.config(), "generation": "synthetic", "files": {}, "docs": {}})
    t = time.perf_counter()
    target.retriever._lexical()
    bm25_s = time.perf_counter() - t
    emit(bench="scaled_build", chunks=n, chroma_add_seconds=round(load_s, 1), bm25_build_seconds=round(bm25_s, 1))
    target._vectors = np.vstack(vectors)  # type: ignore[attr-defined]
    return target


def hnsw_recall(ws: Workspace, qs: list[str], n: int, tmp: Path) -> None:
    """recall@10 of Chroma's HNSW against exact cosine search, drafter's settings vs Chroma's defaults."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    vectors = ws._vectors  # type: ignore[attr-defined]
    qv = ws.index.embedder.queries(qs)
    exact = np.argsort(-(qv @ vectors.T), axis=1)[:, :10]
    client = chromadb.PersistentClient(path=str(tmp / f"hnsw{n}"), settings=ChromaSettings(anonymized_telemetry=False))
    for label, cfg in (("drafter", HNSW), ("chroma_default", {"space": "cosine"})):
        col = client.create_collection(f"{COLLECTION}_{label}", configuration={"hnsw": cfg})  # type: ignore[typeddict-item]
        ids = [str(i) for i in range(len(vectors))]
        for s in range(0, len(ids), 4000):
            col.add(ids=ids[s : s + 4000], embeddings=vectors[s : s + 4000].tolist())
        times, hits = [], 0
        for row, q in enumerate(qv):
            t = time.perf_counter()
            res = col.query(query_embeddings=[q.tolist()], n_results=10, include=[])
            times.append(time.perf_counter() - t)
            hits += len({int(i) for i in res["ids"][0]} & set(exact[row].tolist()))
        emit(bench="hnsw_recall", chunks=n, settings=label, recall_at_10=round(hits / (10 * len(qv)), 3),
             p50_ms=pct(times, 50), config=cfg)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    args = ap.parse_args()
    qs = queries()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        ws = cold_index(tmp)
        warm_search(ws, qs, "search_bundled", target_p50_ms=30)
        for n in [int(x) for x in args.sizes.split(",") if x]:
            scaled = synthetic(ws, n, tmp)
            warm_search(scaled, qs, "search_scaled", repeat=1, chunks=n, target_p50_ms=100 if n >= 100_000 else None)
            if n <= 20_000:
                hnsw_recall(scaled, qs, n, tmp)


if __name__ == "__main__":
    main()
