"""Score fact extraction on the labelled bundles (tests/data/materials/*/gold.json) and on bundled past
summaries treated as materials. Prints one JSON line per bundle and a total.

    .venv/bin/python bench/eval_extract.py                 # labelled bundles + seed summaries
    .venv/bin/python bench/eval_extract.py --only school   # one bundle, with every miss and extra shown

A predicted fact matches a gold fact when it is in the same block and contains every `must` substring
(spaces ignored); matching is one-to-one. recall = required gold facts matched / required gold facts;
precision = predicted facts matching some gold fact (required or optional) / predicted facts; duplicate
rate = predicted facts whose gold fact another prediction already took / predicted facts; sources =
matched facts whose predicted sources cover every gold source file; conflicts found = gold conflicts with a
reported conflict holding both values; other-year = facts containing a forbidden substring; provenance =
facts whose every number appears in one of their quotes or that carry a computation (must be 1.0).

Seed summaries (no labels): each summary's own sections say which block a sentence belongs to, so the
figures are block agreement (facts from its 不足/打算 sections landing in those blocks, and no body fact
landing there), the share of the body's amount-bearing sentences that became a fact, and provenance.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drafter.materials import extract_materials, read_paths  # noqa: E402
from drafter.materials.model import supported  # noqa: E402

DATA = ROOT / "tests" / "data" / "materials"


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def score_bundle(folder: Path, verbose: bool = False) -> dict:
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    res = extract_materials(read_paths([folder / "files" / f for f in gold["files"]]), gold["year"])
    preds = res.facts
    taken: dict[int, int] = {}
    matched_pred: set[int] = set()
    dup = 0
    source_ok = 0
    for pi, p in enumerate(preds):
        text = _norm(p.text)
        cands = [gi for gi, g in enumerate(gold["facts"])
                 if g["block"] == p.block and all(_norm(m) in text for m in g["must"])]
        free = [gi for gi in cands if gi not in taken]
        if free:
            gi = free[0]
            taken[gi] = pi
            matched_pred.add(pi)
            if set(gold["facts"][gi]["sources"]) <= {s.file for s in p.sources}:
                source_ok += 1
        elif cands:
            dup += 1
            matched_pred.add(pi)
    required = [gi for gi, g in enumerate(gold["facts"]) if not g["optional"]]
    hit = [gi for gi in required if gi in taken]
    found = 0
    for gc in gold["conflicts"]:
        for c in res.conflicts:
            texts = [_norm(f.text) for f in c.facts]
            if all(any(_norm(v) in t for t in texts) for v in gc["values"]):
                found += 1
                break
    forbidden = [p.text for p in preds if any(_norm(x) in _norm(p.text) for x in gold["forbidden"])]
    forbidden += [f.text for c in res.conflicts for f in c.facts if any(_norm(x) in _norm(f.text) for x in gold["forbidden"])]
    skipped_ok = sum(1 for f in gold["skipped"] if any(s.file == f for s in res.skipped))
    row = {
        "bundle": folder.name, "files": len(gold["files"]), "gold": len(required), "predicted": len(preds),
        "recall": round(len(hit) / len(required), 3) if required else 1.0,
        "precision": round(len(matched_pred) / len(preds), 3) if preds else 1.0,
        "duplicate_rate": round(dup / len(preds), 3) if preds else 0.0,
        "sources_complete": round(source_ok / max(1, len(taken)), 3),
        "conflicts_found": f"{found}/{len(gold['conflicts'])}", "false_conflicts": len(res.conflicts) - found,
        "other_year": len(forbidden), "unreadable_reported": f"{skipped_ok}/{len(gold['skipped'])}",
        "provenance": round(sum(supported(p) for p in preds) / len(preds), 3) if preds else 1.0,
    }
    row["_counts"] = (len(hit), len(required), len(matched_pred), len(preds), dup, found, len(gold["conflicts"]),
                      sum(supported(p) for p in preds), len(res.conflicts) - found, len(forbidden))
    if verbose:
        for gi in required:
            if gi not in taken:
                print("  MISS", gold["facts"][gi]["block"], gold["facts"][gi]["text"], file=sys.stderr)
        for pi, p in enumerate(preds):
            if pi not in matched_pred:
                print("  EXTRA", p.block, p.text, file=sys.stderr)
        for x in forbidden:
            print("  OTHER-YEAR", x, file=sys.stderr)
        for c in res.conflicts:
            print("  CONFLICT", c.reason, file=sys.stderr)
    return row


def score_seeds(n: int) -> dict:
    from drafter.checking.amounts import extract as amounts
    from drafter.corpus.documents import parse_document

    agree = total_special = body_in_special = 0
    covered = body_sentences = 0
    facts = prov = 0
    for path in sorted((ROOT / "corpus").glob("seed-*.txt"))[:n]:
        raw = path.read_text(encoding="utf-8")
        doc = parse_document(raw, path.stem, source=str(path))
        res = extract_materials([(path.name, raw.encode("utf-8"))], 2023)
        facts += len(res.facts)
        prov += sum(supported(f) for f in res.facts)
        where: dict[str, str] = {}
        for s in doc.sections:
            for sent in re.findall(r"[^。！？\n]+", doc.section_text(s)):
                where[_norm(sent)] = s.position
        for f in res.facts:
            pos = next((where[k] for k in where if _norm(f.sources[0].quote).rstrip("。！？") in k
                        or k in _norm(f.sources[0].quote)), None) if f.sources else None
            if pos in ("shortcomings", "plans"):
                total_special += 1
                agree += f.block == pos
            elif pos is not None and f.block != "items":
                body_in_special += 1
        quotes = " ".join(_norm(s.quote) for f in res.facts for s in f.sources)
        for s in doc.sections:
            if s.position != "body":
                continue
            for sent in re.findall(r"[^。！？\n]+", doc.section_text(s)):
                _t, ms = amounts(sent)
                if any(m.category == "amount" and not m.soft and not m.chinese for m in ms) and len(sent) > 8 \
                        and not re.search(r"20[xX×]{2}|[xX]{2}", sent):
                    body_sentences += 1
                    covered += _norm(sent)[:20] in quotes
    return {"bundle": f"seed summaries as materials ({n})", "facts": facts,
            "block_agreement": round(agree / total_special, 3) if total_special else None,
            "body_facts_put_in_shortcomings_or_plans": body_in_special,
            "body_amount_sentences_extracted": round(covered / body_sentences, 3) if body_sentences else None,
            "provenance": round(prov / facts, 3) if facts else 1.0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only")
    ap.add_argument("--seeds", type=int, default=18, help="how many bundled summaries to run as materials")
    args = ap.parse_args()
    folders = sorted(p for p in DATA.iterdir() if (p / "gold.json").exists())
    if args.only:
        folders = [f for f in folders if f.name == args.only]
    sums = [0] * 10
    for folder in folders:
        row = score_bundle(folder, verbose=bool(args.only))
        sums = [a + b for a, b in zip(sums, row.pop("_counts"), strict=True)]
        print(json.dumps(row, ensure_ascii=False))
    hit, req, mp, npred, dup, found, ngc, prov, false_c, other = sums
    print(json.dumps({"bundle": "TOTAL", "recall": round(hit / req, 3), "precision": round(mp / npred, 3),
                      "duplicate_rate": round(dup / npred, 3), "conflicts_found": f"{found}/{ngc}",
                      "false_conflicts": false_c, "other_year": other, "provenance": round(prov / npred, 3)},
                     ensure_ascii=False))
    if not args.only and args.seeds:
        print(json.dumps(score_seeds(args.seeds), ensure_ascii=False))


if __name__ == "__main__":
    main()
