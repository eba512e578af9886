"""Score the amount checker on a labelled set (default: tests/data/check_labelled.jsonl); prints JSON.

    .venv/bin/python bench/eval_check.py [--data FILE.jsonl ...] [--all] [--verbose]

`--data` may be given several times (a positional FILE works too); `--all` scores every tests/data/check_*.jsonl.
Each file prints one JSON line: the totals, `by_kind` (per flag kind: expected, found, recall,
false_positives, fpr) and, when the items carry a `category`, `by_category` (the same per category).

Each line: {"id", "facts": Facts object | str | [str], "draft", "exemplars"?: [str | {"title","text"}],
"category"?, "expect": [{"text", "reason"?, "kind"?}]}; an empty expect means nothing may be flagged;
kind defaults to amount.

Figures (see docs/checker.md):
- recall: share of expected flags found. An expected flag is found when a flag's span overlaps an occurrence
  of its text in the draft (each flag counts for one expectation). `recall_exact` also asks for the same text.
- reason_accuracy: share of found flags with the expected reason.
- fpr: false-positive rate = flags that match no expectation / candidate mentions that are not expected,
  where the candidate mentions are counted independently of the checker: every maximal run of numeral
  characters (Arabic, full-width, Chinese 〇一二两…亿) and every placeholder run (xx, ××, __) in the draft
  that does not overlap an expected flag. `统一` is one candidate; `6.4万元` is one.
- items_with_fp: share of drafts with at least one unexpected flag.
- by kind: an expectation counts for its kind, a false positive for the flag's kind; a kind's fpr divides its
  false positives by the same candidate count (numeral runs), so the kinds' fprs add up to the total.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drafter.checking import Flag, check  # noqa: E402
from drafter.facts import Facts, validate_facts  # noqa: E402

NUMBER_KINDS = ("amount", "date", "placeholder")
DEFAULT = ROOT / "tests" / "data" / "check_labelled.jsonl"
_CANDIDATE_RE = re.compile(
    r"[0-9０-９]+(?:[.,，．][0-9０-９]+)*|[〇○零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+|[xXｘＸ×_＿]{2,}"
)


class _Exemplar:
    def __init__(self, text: str, title: str) -> None:
        self.text, self.title = text, title


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def facts_of(item: dict[str, Any]) -> Facts | str | list[str]:
    f = item["facts"]
    return validate_facts(f) if isinstance(f, dict) else f


def exemplars_of(item: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for e in item.get("exemplars") or []:
        out.append(e if isinstance(e, str) else _Exemplar(e["text"], e.get("title", "")))
    return out


def _occurrences(draft: str, text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.start() + len(text)) for m in re.finditer(re.escape(text), draft)]


def score_item(item: dict[str, Any], flags: list[Flag]) -> dict[str, Any]:
    draft = item["draft"]
    used: set[int] = set()
    found = exact = reason_ok = 0
    found_kinds: list[str] = []
    missed: list[dict[str, Any]] = []
    expected_spans: list[tuple[int, int]] = []
    for e in item["expect"]:
        occ = _occurrences(draft, e["text"])
        if not occ:
            raise ValueError(f"{item['id']}: expected text {e['text']!r} not in draft")
        expected_spans += occ
        hit = None
        for i, f in enumerate(flags):
            if i in used:
                continue
            if any(f.start < oe and os_ < f.end for os_, oe in occ):
                hit = i
                if f.text == e["text"]:
                    break
        if hit is None:
            missed.append(e)
            continue
        used.add(hit)
        found += 1
        found_kinds.append(e.get("kind", "amount"))
        exact += flags[hit].text == e["text"]
        reason_ok += flags[hit].reason == e.get("reason", flags[hit].reason)  # blind labels name no reason
    false_pos = [f for i, f in enumerate(flags) if i not in used]
    candidates = [
        m.span() for m in _CANDIDATE_RE.finditer(draft)
        if not any(m.start() < e and s < m.end() for s, e in expected_spans)
    ]
    return {"expected": len(item["expect"]), "found": found, "exact": exact, "reason_ok": reason_ok,
            "missed": missed, "false_positives": false_pos, "candidates": len(candidates),
            "expected_kinds": [e.get("kind", "amount") for e in item["expect"]], "found_kinds": found_kinds}


def _breakdown(rows: list[tuple[str, dict[str, Any]]], candidates: int) -> dict[str, dict[str, Any]]:
    """Per group (a flag kind or an item category): expected, found, recall, false positives, fpr."""
    out: dict[str, dict[str, Any]] = {}
    for group, s in rows:
        g = out.setdefault(group, {"expected": 0, "found": 0, "false_positives": 0})
        g["expected"] += s.get("expected", 0)
        g["found"] += s.get("found", 0)
        g["false_positives"] += s.get("fp", 0)
    for g in out.values():
        g["recall"] = round(g["found"] / g["expected"], 4) if g["expected"] else 1.0
        g["fpr"] = round(g["false_positives"] / candidates, 4) if candidates else 0.0
    return dict(sorted(out.items()))


def evaluate(items: list[dict[str, Any]]) -> dict[str, Any]:
    tot = {"expected": 0, "found": 0, "exact": 0, "reason_ok": 0, "fp": 0, "candidates": 0, "items_fp": 0}
    details: list[dict[str, Any]] = []
    kind_rows: list[tuple[str, dict[str, Any]]] = []
    cat_rows: list[tuple[str, dict[str, Any]]] = []
    cat_candidates: dict[str, int] = {}
    t0 = time.perf_counter()
    for item in items:
        # The numbers checker's kinds only: status, copied and name have their own set (eval_check_kinds.py).
        flags = [f for f in check(item["draft"], facts_of(item), exemplars_of(item) or None)
                 if f.kind in NUMBER_KINDS]
        s = score_item(item, flags)
        kind_rows += [(k, {"expected": 1}) for k in s["expected_kinds"]]
        kind_rows += [(k, {"found": 1}) for k in s["found_kinds"]]
        kind_rows += [(f.kind, {"fp": 1}) for f in s["false_positives"]]
        if "category" in item:
            cat = str(item["category"])
            cat_rows.append((cat, {"expected": s["expected"], "found": s["found"], "fp": len(s["false_positives"])}))
            cat_candidates[cat] = cat_candidates.get(cat, 0) + s["candidates"]
        tot["expected"] += s["expected"]
        tot["found"] += s["found"]
        tot["exact"] += s["exact"]
        tot["reason_ok"] += s["reason_ok"]
        tot["fp"] += len(s["false_positives"])
        tot["candidates"] += s["candidates"]
        tot["items_fp"] += bool(s["false_positives"])
        if s["missed"] or s["false_positives"] or s["reason_ok"] < s["found"]:
            details.append({"id": item["id"], "draft": item["draft"], "missed": s["missed"],
                            "false_positives": [f.model_dump() for f in s["false_positives"]],
                            "flags": [f"{f.text}:{f.reason}" for f in flags]})
    elapsed = time.perf_counter() - t0
    n = len(items)
    by_category = _breakdown(cat_rows, 1)
    for cat, g in by_category.items():  # a category's fpr: over its own items' candidates
        g["fpr"] = round(g["false_positives"] / cat_candidates[cat], 4) if cat_candidates[cat] else 0.0
    extra: dict[str, Any] = {"by_kind": _breakdown(kind_rows, tot["candidates"])}
    if by_category:
        extra["by_category"] = by_category
    return {
        "items": n,
        "expected_flags": tot["expected"],
        "recall": round(tot["found"] / tot["expected"], 4) if tot["expected"] else 1.0,
        "recall_exact": round(tot["exact"] / tot["expected"], 4) if tot["expected"] else 1.0,
        "reason_accuracy": round(tot["reason_ok"] / tot["found"], 4) if tot["found"] else 1.0,
        "false_positives": tot["fp"],
        "candidates": tot["candidates"],
        "fpr": round(tot["fp"] / tot["candidates"], 4) if tot["candidates"] else 0.0,
        "items_with_fp": round(tot["items_fp"] / n, 4) if n else 0.0,
        "ms_per_item": round(elapsed / n * 1000, 3) if n else 0.0,
        **extra,
        "details": details,
    }


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv
    paths: list[Path] = []
    args = iter(argv)
    for a in args:
        if a == "--data":
            paths.append(Path(next(args)))
        elif a == "--all":
            paths += sorted((ROOT / "tests" / "data").glob("check_*.jsonl"))
        elif not a.startswith("--"):
            paths.append(Path(a))
    for path in paths or [DEFAULT]:
        result = evaluate(load(path))
        details = result.pop("details")
        print(json.dumps({"data": path.name, **result}, ensure_ascii=False))
        if verbose:
            for d in details:
                print(json.dumps(d, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
