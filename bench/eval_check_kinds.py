"""Recall and false-positive rate of the `status`, `copied` and `name` checks on a labelled set.

    .venv/bin/python bench/eval_check_kinds.py [--data tests/data/check_kinds.jsonl] [--verbose]

Each line: {"id", "kind", "org_type", "facts", "draft", "exemplars"?, "expect": [{"text", "kind"}]}; an empty
`expect` means nothing of the three kinds may be flagged. Every check runs on every item (a `name` flag in a
`status` item is scored too). The copy index is the bundled corpus (corpus/*.txt), built once.

- recall (per kind): expected flags found / expected flags; found = a flag of that kind overlapping an
  occurrence of the expected text.
- fpr (per kind): sentences (split at 。！？； and line ends) holding a flag of that kind that overlaps no
  expected text of that kind / sentences holding no expected text of that kind. So flagging the wrong
  sentence costs one false positive, and a sentence is one candidate whatever its length.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drafter.checking import check  # noqa: E402
from drafter.checking.copied import CopyIndex  # noqa: E402

KINDS = ("status", "copied", "name")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")


def _spans(draft: str, text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(re.escape(text), draft)]


def evaluate(items: list[dict], index: CopyIndex, verbose: bool = False) -> dict[str, dict[str, float]]:
    stats = {k: {"expected": 0, "found": 0, "fp": 0, "negatives": 0, "flags": 0} for k in KINDS}
    for it in items:
        draft = it["draft"]
        flags = [f for f in check(draft, it["facts"], it.get("exemplars") or None, copy_index=index)
                 if f.kind in KINDS]
        for kind in KINDS:
            exp_spans = [(e["text"], _spans(draft, e["text"])) for e in it["expect"] if e["kind"] == kind]
            mine = [f for f in flags if f.kind == kind]
            stats[kind]["flags"] += len(mine)
            used: set[int] = set()
            for text, spans in exp_spans:
                stats[kind]["expected"] += 1
                hit = next((i for i, f in enumerate(mine) if i not in used
                            and any(f.start < b and a < f.end for a, b in spans)), None)
                if hit is not None:
                    used.add(hit)
                    stats[kind]["found"] += 1
                elif verbose:
                    print(f"MISS {kind} {it['id']}: 「{text}」")
            all_exp = [s for _, spans in exp_spans for s in spans]
            for sm in _SENTENCE.finditer(draft):
                a, b = sm.start(), sm.end()
                if any(x < b and a < y for x, y in all_exp):
                    continue
                stats[kind]["negatives"] += 1
                bad = [f for f in mine if f.start < b and a < f.end
                       and not any(f.start < y and x < f.end for x, y in all_exp)]
                if bad:
                    stats[kind]["fp"] += 1
                    if verbose:
                        for f in bad:
                            print(f"FP   {kind} {it['id']}: 「{f.text}」 {f.hint}")
    out = {}
    for kind, s in stats.items():
        out[kind] = {
            "recall": s["found"] / s["expected"] if s["expected"] else 1.0,
            "fpr": s["fp"] / s["negatives"] if s["negatives"] else 0.0,
            "expected": s["expected"], "found": s["found"], "fp": s["fp"], "negatives": s["negatives"],
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "tests" / "data" / "check_kinds.jsonl"))
    ap.add_argument("--corpus", default=str(ROOT / "corpus"))
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    items = [json.loads(line) for line in Path(args.data).read_text(encoding="utf-8").splitlines() if line.strip()]
    t0 = time.perf_counter()
    index = CopyIndex.from_directory(Path(args.corpus))
    print(f"copy index: {index.documents} documents, {len(index.hashes)} windows, "
          f"{(time.perf_counter() - t0) * 1000:.0f} ms")
    res = evaluate(items, index, args.verbose)
    print(f"{len(items)} items")
    for kind, r in res.items():
        print(f"{kind:7s} recall {r['recall']:.3f} ({r['found']}/{r['expected']})   "
              f"fpr {r['fpr']:.3f} ({r['fp']}/{r['negatives']} sentences)")


if __name__ == "__main__":
    main()
