"""The 核对表: every amount and date of a draft, in order, with the fact that supports it and where that fact
came from (the material's file and quoted span, or the computation over a spreadsheet), or the flag when
nothing supports it. It is for the person who signs the summary: each number can be traced by hand.

Support is decided by the checker (a mention it flags is unsupported); for the rest, the fact shown is the
fact line holding the same kind of quantity with an overlapping value, preferring the section's own facts
and then the line sharing most words with the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from pydantic import BaseModel, Field

from ..facts import Facts, FactSource
from ..models import Draft
from .amounts import Mention, extract
from .flags import Flag

HAND_TYPED = "手工填写的事实，没有材料来源"
UNPLACED = "核对未发现问题，但未能对应到某一条事实，请人工确认"
_CJK2 = re.compile(r"(?=([\u4e00-\u9fff]{2}))")


class TraceRow(BaseModel):
    section: int
    text: str
    start: int  # offsets into that section's text, as the flags'
    end: int
    kind: str  # amount | date | placeholder
    fact: str | None = None
    block: str | None = None  # items | shortcomings | plans, for the fact
    sources: list[FactSource] = Field(default_factory=list)
    computation: str | None = None
    note: str = ""  # why there is no source (a fact typed by hand)
    flag: Flag | None = None


class Trace(BaseModel):
    draft_id: str
    title: str
    rows: list[TraceRow]

    @property
    def unsupported(self) -> list[TraceRow]:
        return [r for r in self.rows if r.flag is not None]


def _bigrams(text: str) -> frozenset[str]:
    return frozenset(_CJK2.findall(text))


@lru_cache(maxsize=4096)
def _fact_mentions(line: str) -> tuple[Mention, ...]:
    return tuple(m for m in extract(line, lenient=True)[1] if m.category in ("amount", "date"))


def _same_quantity(d: Mention, f: Mention) -> bool:
    if d.category != f.category:
        return False
    if d.category == "date":
        return bool(set(d.years) & set(f.years) or not d.years) and (not d.month or d.month == f.month) and \
            (not d.day or d.day == f.day)
    if (d.kind or f.kind) and d.kind != f.kind:
        return False
    tol = 1e-6 * max(1.0, abs(f.hi), abs(d.hi))
    return d.lo <= f.hi + tol and f.lo <= d.hi + tol


def _blocks(facts: Facts) -> list[tuple[str, str]]:
    return ([(x, "items") for x in facts.items] + [(x, "shortcomings") for x in facts.shortcomings]
            + [(x, "plans") for x in facts.plans])


def _supporting(d: Mention, sentence: str, own: Sequence[str], facts: Facts) -> tuple[str, str] | None:
    words = _bigrams(sentence)
    best: tuple[tuple[int, int], tuple[str, str]] | None = None
    for line, block in _blocks(facts):
        if not any(_same_quantity(d, f) for f in _fact_mentions(line)):
            continue
        score = (int(line in own), len(words & _bigrams(line)))
        if best is None or score > best[0]:
            best = (score, (line, block))
    return best[1] if best else None


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in "。；;！？\n") + 1
    rights = [i for i in (text.find(c, end) for c in "。；;！？\n") if i != -1]
    return text[left : min(rights) if rights else len(text)]


def _overlapping(flags: Sequence[Flag], start: int, end: int) -> Flag | None:
    return next((f for f in flags if f.start < end and start < f.end and f.kind in ("amount", "date", "placeholder")),
                None)


def trace(draft: Draft) -> Trace:
    """Every amount, date and placeholder of the draft, section by section, in text order."""
    facts = draft.facts
    rows: list[TraceRow] = []
    for section in draft.sections:
        if not section.text:
            continue
        seen: set[tuple[int, int]] = set()
        section_rows: list[TraceRow] = []
        for m in extract(section.text)[1]:
            if m.soft:  # a passing count of one (一名职工, 一年来) is not an amount to trace
                continue
            flag = _overlapping(section.flags, m.start, m.end)
            if flag is None and m.category == "placeholder":  # a supported one is part of a name in the facts
                continue
            row = TraceRow(section=section.index, text=m.text, start=m.start, end=m.end, kind=m.category, flag=flag)
            if flag is None and m.category == "date" and m.years == (facts.year,) and not m.month:
                row.fact, row.note = f"年度：{facts.year}", "总结的年度"  # 2024年 is the year being summed up
            elif flag is None:
                found = _supporting(m, _sentence(section.text, m.start, m.end), section.facts, facts)
                if found is not None:
                    line, block = found
                    row.fact, row.block = line, block
                    prov = facts.provenance_of(line, block)  # type: ignore[arg-type]
                    if prov is not None and (prov.sources or prov.computation):
                        row.sources, row.computation = list(prov.sources), prov.computation
                    else:
                        row.note = HAND_TYPED
                else:
                    row.note = UNPLACED
            seen.add((m.start, m.end))
            section_rows.append(row)
        # A flag the extractor does not see as a mention (a copied run, a name, a status) is listed too.
        for f in section.flags:
            if f.kind in ("amount", "date", "placeholder") and not any(s < f.end and f.start < e for s, e in seen):
                section_rows.append(TraceRow(section=section.index, text=f.text, start=f.start, end=f.end,
                                             kind=f.kind, flag=f))
        rows += sorted(section_rows, key=lambda r: r.start)
    return Trace(draft_id=draft.id, title=draft.title, rows=rows)


def trace_dict(t: Trace) -> dict[str, object]:
    """The documented JSON shape of `GET /api/v1/drafts/{id}/trace`."""
    return {"draft_id": t.draft_id, "title": t.title, "rows": [
        {"section": r.section, "text": r.text, "start": r.start, "end": r.end, "kind": r.kind, "fact": r.fact,
         "block": r.block, "sources": [s.model_dump() for s in r.sources], "computation": r.computation,
         "note": r.note, "flag": r.flag.model_dump() if r.flag else None} for r in t.rows]}
