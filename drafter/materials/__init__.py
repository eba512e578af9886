"""From the year's materials to candidate facts, each traceable to the sentence or row it came from.

    result = extract_materials([("一季度报告.docx", data), ...], year=2024)
    result.public_dict()       # {"facts": [...], "conflicts": [...], "skipped": [...]}
    result.to_facts(org=...)   # a Facts that `drafter draft` accepts, provenance kept

readers.py (formats) ─▶ extract.py (prose: sentences with amounts and union-work verbs) and sheets.py
(台账 aggregation, activity registers) ─▶ period filtering on the way ─▶ model.supported (every number in
its quote, or computed) ─▶ dedup.py (one activity in several materials; conflicts) ─▶ ExtractionResult.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ..facts import FactProvenance
from .dedup import merge
from .extract import Candidate, SkipNote, amounts_of, extract_prose
from .model import Conflict, ExtractionResult, Skipped, supported
from .period import years_in
from .readers import SUFFIXES, Material, Unreadable, read_material
from .sheets import table_candidates

__all__ = ["SUFFIXES", "Conflict", "ExtractionResult", "Skipped", "Unreadable", "extract_materials", "read_paths"]

_ORG_RE = re.compile(r"^(.{2,24}?)(工会联合会|工会工作委员会|工会委员会|工会)")
_ORG_TYPES = (("学校", r"学校|中学|小学|大学|学院|幼儿园|职校"), ("医院", r"医院|卫生院|卫生|疾控"),
              ("银行", r"银行|信用社"), ("社区", r"街道|社区|村"), ("机关", r"局$|委员会$|办公室$|政府|机关|人大|政协"),
              ("事业单位", r"中心$|研究所|站$|馆$"), ("企业", r"公司|集团|厂|企业|有限"))


def read_paths(paths: Sequence[str | Path]) -> list[tuple[str, bytes | None, str]]:
    """(base name, bytes or None, reason) for each path; a missing file is a reason, not an exception."""
    out: list[tuple[str, bytes | None, str]] = []
    for p in paths:
        path = Path(p)
        try:
            out.append((path.name, path.read_bytes(), ""))
        except FileNotFoundError:
            out.append((path.name, None, "找不到文件"))
        except IsADirectoryError:
            out.append((path.name, None, "这是文件夹，不是文件"))
        except OSError as exc:
            out.append((path.name, None, f"无法打开（{exc.strerror}）"))
    return out


def extract_materials(inputs: Sequence[tuple[str, bytes | None] | tuple[str, bytes | None, str]], year: int,
                      org: str | None = None) -> ExtractionResult:
    """Candidate facts from the materials (name, bytes); an unreadable one is skipped with its reason."""
    skipped: list[SkipNote] = []
    materials: list[Material] = []
    for item in inputs:
        name, data = item[0], item[1]
        if data is None:
            skipped.append(SkipNote(Path(name).name, item[2] if len(item) > 2 else "无法读取"))  # type: ignore[misc]
            continue
        try:
            materials.append(read_material(name, data))
        except Unreadable as exc:
            skipped.append(SkipNote(Path(name).name, exc.reason))
    cands: list[Candidate] = []
    for mat in materials:
        cands += extract_prose(mat, year, skipped)
        for table in mat.tables:
            ys = years_in(table.title)
            if ys and year not in ys:
                skipped.append(SkipNote(mat.file, f"「{table.name}」为{min(ys)}年的表格，不在{year}年度内，未计入"))
                continue
            cands += table_candidates(table, mat.file, year, skipped, standalone=mat.kind in ("xlsx", "csv"))
    for c in cands:
        if not c.amounts:  # spreadsheet facts: their figures, for dedup to compare like with like
            c.amounts = amounts_of(c.text)
    checked = [c for c in cands if supported(_provenance(c))]
    facts, conflicts = merge(checked)
    guessed = org or _guess_org(materials)
    return ExtractionResult(
        year=year, org=guessed, org_type=guess_org_type(guessed), files_read=[m.file for m in materials],
        facts=facts, conflicts=conflicts, skipped=[Skipped(file=s.file, reason=s.reason) for s in skipped],
        dropped=len(cands) - len(checked))


def _provenance(c: Candidate) -> FactProvenance:
    from ..facts import FactSource

    return FactProvenance(text=c.text, block=c.block, sources=[FactSource(file=c.file, quote=c.quote)],
                          computation=c.computation)


def _guess_org(materials: list[Material]) -> str:
    """The organisation most titles name: `XX市供电公司工会2024年…` → `XX市供电公司`."""
    seen: Counter[str] = Counter()
    for m in materials:
        heads = [m.title] + [t.title for t in m.tables]
        for h in heads:
            mm = _ORG_RE.match(h.strip())
            if mm:
                name = mm.group(1) if mm.group(2) == "工会" else mm.group(1) + mm.group(2)
                name = re.sub(r"^(?:关于|\d{4}年)", "", name)
                if len(name) >= 2 and not re.search(r"\d{4}|[，。：“”]", name):
                    seen[name] += 1
    return seen.most_common(1)[0][0] if seen else ""


def guess_org_type(org: str) -> str:
    for kind, pattern in _ORG_TYPES:
        if re.search(pattern, org):
            return kind
    return "企业"
