"""Retrieval quality on the labelled set: recall@5, MRR and coverage for BM25, dense and the hybrid.

    .venv/bin/python bench/eval_retrieval.py [--data bench/data/retrieval_labelled.jsonl] [--k 5]

A hit is relevant when its document matches and its section equals a gold section or lies under it
(gold may name a parent heading); unheaded gold sections match on document and position.
recall@k: share of queries with at least one relevant hit in the top k. MRR: mean of 1/rank of the first
relevant hit (0 if none in the top k). coverage: distinct gold sections found in the top k divided by
min(k, number of gold sections), averaged over queries. Prints one JSON line per mode (and per type).

Modes: bm25_plain (the query's own words only), bm25 (+ genre thesaurus + corpus-derived related words),
dense, hybrid (everything), and two hybrid ablations: without the derived words, without the thesaurus.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drafter.settings import Settings
from drafter.workspace import Workspace


def matches(hit: dict[str, Any], gold: dict[str, Any]) -> bool:
    if hit["doc_id"] != gold["doc_id"]:
        return False
    if not gold["section"]:
        return hit["section"] == "" and hit["position"] == gold.get("position")
    return hit["section"] == gold["section"] or hit["section"].startswith(gold["section"] + " > ")


def score(items: list[dict[str, Any]], results: list[list[dict[str, Any]]], k: int) -> dict[str, float]:
    recall = mrr = coverage = 0.0
    for item, hits in zip(items, results, strict=True):
        gold = item["relevant"]
        first = next((r for r, h in enumerate(hits[:k], 1) if any(matches(h, g) for g in gold)), None)
        recall += first is not None
        mrr += 1 / first if first else 0.0
        found = {i for i, g in enumerate(gold) for h in hits[:k] if matches(h, g)}
        coverage += len(found) / min(k, len(gold))
    n = len(items)
    return {f"recall@{k}": round(recall / n, 3), "mrr": round(mrr / n, 3), "coverage": round(coverage / n, 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(Path(__file__).parent / "data" / "retrieval_labelled.jsonl"))
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--data-dir", help="reuse an index here (default: a fresh temp folder)")
    args = ap.parse_args()
    items = [json.loads(line) for line in Path(args.data).read_text(encoding="utf-8").splitlines() if line.strip()]
    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp()) / "data"
    ws = Workspace(Settings(data_dir=data_dir))
    ws.refresh_index()
    queries = [it["query"] for it in items]
    for label, mode, expand, derive in (("bm25_plain", "bm25", False, False), ("bm25", "bm25", True, True),
                                        ("dense", "dense", True, True), ("hybrid", "hybrid", True, True),
                                        ("hybrid_no_derived", "hybrid", True, False),
                                        ("hybrid_no_thesaurus", "hybrid", False, True)):
        ws.retriever.expand = expand  # the genre thesaurus (thesaurus.py)
        ws.retriever.derive = derive  # the corpus-derived related words (related_words.py)
        t = time.perf_counter()
        results = [[h.to_dict() for h in hits] for hits in ws.search_many(queries, args.k, mode=mode)]
        ms = (time.perf_counter() - t) * 1000 / len(queries)
        row = {"mode": label, "queries": len(items), **score(items, results, args.k), "ms_per_query": round(ms, 1)}
        print(json.dumps(row, ensure_ascii=False))
        for qtype in sorted({it["type"] for it in items}):
            sel = [i for i, it in enumerate(items) if it["type"] == qtype]
            sub = score([items[i] for i in sel], [results[i] for i in sel], args.k)
            print(json.dumps({"mode": label, "type": qtype, "queries": len(sel), **sub}, ensure_ascii=False))


if __name__ == "__main__":
    main()
