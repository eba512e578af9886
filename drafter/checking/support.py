"""The rules: which amounts, dates and placeholders in a draft the facts support, and why not.

Facts are parsed once per call into an index by unit kind. For each amount of the draft:
supported (same kind, same value or inside its approximation) -> nothing; else, in this order,
copied_from_exemplar, derived (pairwise sums/differences, ratios, per-capita), value_mismatch (same kind,
shared context, another value), unit_mismatch (same number, another kind), not_in_facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..facts import Facts
from .amounts import Mention, extract
from .flags import Flag
from .numerals import CN_CHARS, format_number

_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
_CLAUSE_END = re.compile(r"[，,、：:。；;！!？?\n]")
_RUN_RE = re.compile(r"[\u4e00-\u9fff]{2,}")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]+")
_NO_NUMERALS = str.maketrans({c: " " for c in CN_CHARS + "余多近约逾第共计"})
_STOP_BIGRAMS = frozenset(
    "职工 工会 全年 共计 累计 合计 今年 年度 工作 我们 进行 开展 组织 活动 参加 参与 达到 其中 全体 一年 "
    "共有 全年共 本年 单位 公司 全面 积极 认真 同时".split()
)
_NEXT_YEAR_RE = re.compile(r"明年|来年|下一年|下年度|打算|计划")
_PREV_YEAR_RE = re.compile(r"去年|上年|上一年|同比|较上年")
_COUNT_KINDS = frozenset({"people", "户", "家", "人次"})
_TOL = 1e-6


@runtime_checkable
class Exemplar(Protocol):
    """A passage of a past summary: `drafter.models.Source` fits, and so does any object with these."""

    @property
    def text(self) -> str: ...

    @property
    def title(self) -> str: ...


@dataclass(slots=True)
class _Known:
    """An amount or date found in the facts or in an exemplar, with the words around it."""

    m: Mention
    context: frozenset[str]
    source: str = ""  # exemplar title


def _context(norm: str, start: int, end: int) -> frozenset[str]:
    """Character bigrams of the clause around a mention (and of the clause before, when this one starts
    with fewer than 4 characters of words: `走访困难家庭，共计32户`)."""
    left = norm[max(0, start - 24) : start]
    sentence = [c.end() for c in _SENTENCE_END.finditer(left)]
    if sentence:
        left = left[sentence[-1] :]
    cuts = [0] + [c.end() for c in _CLAUSE_END.finditer(left)]
    cut = cuts[-1]
    if len(cuts) >= 2 and _cjk_len(left[cut:]) < 4:
        cut = cuts[-2]
    left = left[cut:]
    right = norm[end : end + 8]
    stop = _CLAUSE_END.search(right)
    if stop:
        right = right[: stop.start()]
    grams: set[str] = set()
    for part in (left, right):
        for run in _RUN_RE.findall(part.translate(_NO_NUMERALS)):
            grams.update(run[i : i + 2] for i in range(len(run) - 1))
    grams -= _STOP_BIGRAMS
    return frozenset(grams)


def _cjk_len(s: str) -> int:
    return sum(len(r) for r in _CJK_RE.findall(s.translate(_NO_NUMERALS)))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= _TOL * max(1.0, abs(a), abs(b))


def _compatible(d: Mention, f: Mention) -> bool:
    """Does fact amount `f` support draft amount `d` (units already of the same kind)?"""
    if d.exact:
        if _close(d.base, f.base):
            return True
        return f.approx == "range" and (_close(d.base, f.lo) or _close(d.base, f.hi))
    if _close(d.base, f.base) and (f.exact or d.approx == f.approx or f.approx != "range"):
        return True
    hi_ok = f.base < d.hi - _TOL * max(1.0, d.hi) if d.approx == "more" else f.base <= d.hi * (1 + _TOL)
    if f.exact or f.approx != "range":
        return d.lo * (1 - _TOL) <= f.base and hi_ok
    return d.lo * (1 - _TOL) <= f.lo and f.hi <= d.hi * (1 + _TOL)


class FactIndex:
    """The facts, parsed once: amounts by unit kind, dates, and the raw text for placeholders."""

    def __init__(self, lines: Sequence[str], year: int | None = None, has_plans: bool = False) -> None:
        text = "\n".join(line.strip() for line in lines if line and line.strip())
        self.norm, mentions = extract(text)
        self.by_kind: dict[str, list[_Known]] = {}
        self.amounts: list[_Known] = []
        self.years: set[int] = set()
        self.months: set[int] = set()
        self.month_days: set[tuple[int, int]] = set()
        self.days: set[int] = set()
        for m in mentions:
            if m.category == "amount":
                k = _Known(m, _context(self.norm, m.start, m.end))
                self.amounts.append(k)
                self.by_kind.setdefault(m.kind, []).append(k)
            elif m.category == "date":
                self._add_date(m)
        if year:
            self.years.add(year)
        main = year or (max(self.years) if self.years else None)
        self.main_year = main
        if main:
            if has_plans or _NEXT_YEAR_RE.search(text):
                self.years.add(main + 1)
            if _PREV_YEAR_RE.search(text):
                self.years.add(main - 1)
        self._derived_cache: dict[str, list[tuple[float, str]]] = {}

    def _add_date(self, m: Mention) -> None:
        self.years.update(m.years)
        for month in (m.month, m.month_end):
            if month:
                self.months.add(month)
        if m.month_end:
            self.months.update(range(m.month, m.month_end + 1))
        if m.day:
            self.days.add(m.day)
            if m.month:
                self.month_days.add((m.month, m.day))

    # --- support --------------------------------------------------------------------------------------
    def supports(self, d: Mention) -> bool:
        if d.kind == "":
            return any(_compatible(d, k.m) for k in self.amounts)
        for k in self.by_kind.get(d.kind, ()):
            if _compatible(d, k.m):
                return True
        return any(_compatible(d, k.m) for k in self.by_kind.get("", ()))

    def supports_date(self, d: Mention) -> bool:
        if any(y not in self.years for y in d.years):
            return False
        if d.month_end:
            return all(mo in self.months for mo in range(d.month, d.month_end + 1))
        if d.month and d.day:
            return (d.month, d.day) in self.month_days
        if d.month:
            return d.month in self.months
        if d.day:
            return d.day in self.days
        return True

    def supports_placeholder(self, draft_norm: str, d: Mention) -> bool:
        """A placeholder the facts themselves use (`XX市供电公司`) is the user's own wording."""
        tail = draft_norm[d.start : d.end + 2]
        return tail in self.norm

    # --- reasons for what is not supported -------------------------------------------------------------
    def best_same_kind(self, d: Mention, ctx: frozenset[str], threshold: int, loose: bool = True) -> _Known | None:
        """The fact of the same kind whose words overlap the draft's most: at least `threshold` shared
        bigrams, or (for facts with little context, `走访30户`) half of the fact's own."""
        best, best_score = None, 0
        for k in self.by_kind.get(d.kind, ()):
            score = len(ctx & k.context)
            if score > best_score and (score >= threshold or loose and 2 * score >= len(k.context) >= 1):
                best, best_score = k, score
        return best

    def other_kind(self, d: Mention, ctx: frozenset[str]) -> _Known | None:
        best, best_score = None, -1
        for k in self.amounts:
            f = k.m
            if f.kind == d.kind or f.kind == "" or d.kind == "":
                continue
            same = _close(f.base, d.base) or _close(f.mantissa, d.mantissa)
            if not same:
                continue
            score = len(ctx & k.context)
            if (score >= 1 or d.mantissa >= 10) and score > best_score:
                best, best_score = k, score
        return best

    def derived(self, d: Mention) -> str | None:
        """A computation over the facts that gives the draft's figure: `15户 + 20户 = 35户`."""
        for value, how in self._derivations(d.kind):
            if d.exact:
                if abs(value - d.base) <= d.precision / 2 + _TOL * max(1.0, abs(value)):
                    return f"{how} = {format_number(value)}{d.unit}"
            elif d.lo * (1 - _TOL) <= value <= d.hi * (1 + _TOL):
                return f"{how} = {format_number(value)}{d.unit}"
        return None

    def _derivations(self, kind: str) -> list[tuple[float, str]]:
        cached = self._derived_cache.get(kind)
        if cached is not None:
            return cached
        out: list[tuple[float, str]] = []
        if kind:
            same = _distinct(self.by_kind.get(kind, ()))
            for i, (a, ta) in enumerate(same):
                for b, tb in same[i + 1 :]:
                    out.append((a + b, f"{ta} + {tb}"))
                    if a != b:
                        hi, th, lo, tl = (a, ta, b, tb) if a > b else (b, tb, a, ta)
                        out.append((hi - lo, f"{th} − {tl}"))
            if len(same) >= 3:
                out.append((sum(v for v, _ in same), " + ".join(t for _, t in same)))
        if kind == "percent":
            for k, items in self.by_kind.items():
                if k in ("percent", ""):
                    continue
                vals = _distinct(items)
                for i, (a, ta) in enumerate(vals):
                    for b, tb in vals[i + 1 :]:
                        lo, tl, hi, th = (a, ta, b, tb) if a < b else (b, tb, a, ta)
                        if hi > 0:
                            out.append((lo / hi * 100, f"{tl} ÷ {th}"))
                        if lo > 0 and hi != lo:
                            out.append(((hi - lo) / lo * 100, f"({th} − {tl}) ÷ {tl}"))
        if kind.startswith("money"):
            money = _distinct(self.by_kind.get("money", ()))
            counts = [x for k in _COUNT_KINDS for x in _distinct(self.by_kind.get(k, ()))]
            for a, ta in money:
                for c, tc in counts:
                    if c > 0:
                        out.append((a / c, f"{ta} ÷ {tc}"))
                    out.append((a * c, f"{tc} × {ta}"))
        self._derived_cache[kind] = out
        return out


def _distinct(items: Iterable[_Known], cap: int = 40) -> list[tuple[float, str]]:
    seen: dict[float, str] = {}
    for k in items:
        if k.m.exact and k.m.base not in seen:
            seen[k.m.base] = k.m.text
            if len(seen) >= cap:
                break
    return list(seen.items())


class ExemplarIndex:
    """Amounts and dates of the exemplars, to recognise figures copied from them."""

    def __init__(self, exemplars: Sequence[Exemplar | str]) -> None:
        self.items: list[_Known] = []
        for i, ex in enumerate(exemplars):
            if isinstance(ex, str):
                text, title = ex, ""
            else:
                text, title = str(getattr(ex, "text", "") or ""), str(getattr(ex, "title", "") or "")
            if not title:
                title = f"范文{i + 1}" if len(exemplars) > 1 else ""
            _, mentions = extract(text)
            self.items.extend(_Known(m, frozenset(), title) for m in mentions if m.category != "placeholder")

    def find(self, d: Mention) -> _Known | None:
        for k in self.items:
            e = k.m
            if d.category == "date":
                if e.category == "date" and d.years and d.years == e.years and (d.month, d.day) == (e.month, e.day):
                    return k
            elif e.category == "amount" and e.kind == d.kind and _close(e.base, d.base):
                if d.exact or e.approx == d.approx or not e.exact:
                    return k
        return None


def _exemplar_hint(k: _Known) -> str:
    where = f"范文《{k.source}》" if k.source else "范文"
    return f"{where}中有「{k.m.text}」"


def facts_lines(facts: Facts | str | Sequence[str]) -> tuple[list[str], int | None, bool]:
    """Fact lines, the org's year (if known) and whether the facts carry next year's plans."""
    if isinstance(facts, Facts):
        return facts.all_lines(), facts.year, bool(facts.plans)
    if isinstance(facts, str):
        return facts.splitlines(), None, False
    return [str(x) for x in facts], None, False


def check(draft: str, facts: Facts | str | Sequence[str],
          exemplars: Sequence[Exemplar | str] | None = None) -> list[Flag]:
    """Flag every amount, date and placeholder in `draft` that the facts do not support; sorted by start."""
    lines, year, has_plans = facts_lines(facts)
    index = FactIndex(lines, year, has_plans)
    norm, mentions = extract(draft)
    ex_index: ExemplarIndex | None = None
    flags: list[Flag] = []
    for d in mentions:
        if d.category == "placeholder":
            if not index.supports_placeholder(norm, d):
                flags.append(Flag(text=d.text, start=d.start, end=d.end, kind="placeholder", reason="placeholder",
                                  hint="占位符未填写，请替换为实际内容"))
            continue
        if d.category == "date":
            if index.supports_date(d):
                continue
        elif index.supports(d):
            continue
        if exemplars and ex_index is None:
            ex_index = ExemplarIndex(exemplars)
        flag = _explain(d, norm, index, ex_index)
        if flag is not None:
            flags.append(flag)
    return flags


def _explain(d: Mention, norm: str, index: FactIndex, ex_index: ExemplarIndex | None) -> Flag | None:
    value: float | list[float] = d.base if d.exact else [round(d.lo, 6), round(d.hi, 6)]
    common = {"text": d.text, "start": d.start, "end": d.end, "value": value, "unit": d.unit}
    copied = ex_index.find(d) if ex_index is not None and not d.soft else None
    if d.category == "date":
        if copied is not None:
            return Flag(**common, kind="date", reason="copied_from_exemplar", hint=_exemplar_hint(copied))
        hint = "事实中没有这个日期"
        if index.main_year:
            hint += f"（事实中的年度为 {index.main_year}年）"
        return Flag(**common, kind="date", reason="date_not_in_facts", hint=hint)
    ctx = _context(norm, d.start, d.end)
    if d.soft:
        # a passing count of one (一名职工, 一次活动) is flagged only when a fact in the same context differs
        k = index.best_same_kind(d, ctx, threshold=3, loose=False)
        if k is None:
            return None
        return Flag(**common, reason="value_mismatch", hint=f"事实中为 {k.m.text}")
    if copied is not None:
        return Flag(**common, reason="copied_from_exemplar", hint=_exemplar_hint(copied))
    how = index.derived(d)
    if how is not None:
        return Flag(**common, reason="derived", hint=how)
    k = index.best_same_kind(d, ctx, threshold=2) if d.kind else None
    if k is not None:
        return Flag(**common, reason="value_mismatch", hint=f"事实中为 {k.m.text}")
    k = index.other_kind(d, ctx)
    if k is not None:
        return Flag(**common, reason="unit_mismatch", hint=f"事实中为 {k.m.text}，单位不同")
    return Flag(**common, reason="not_in_facts", hint="事实中没有这个数字，请核实或删除")
