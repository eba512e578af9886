"""The facts, parsed once into an index (`FactIndex`): which amounts, dates and placeholders they support,
and the evidence for why not (derivations, same-context facts, same number with another unit).

Facts are indexed by unit kind and cached for the next call with the same facts (`fact_index`). The order in
which the reasons are tried is the numbers checker's (`numbers.py`).
"""

from __future__ import annotations

import operator
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from ..facts import Facts
from .amounts import Mention, extract
from .numerals import CN_CHARS, close, format_number

# Matched against the text before a mention read backwards: one linear match (a search for `[^。]*$` tries
# every start and costs a quarter of the explanations' time).
_SENTENCE_RUN = re.compile(r"[^。；;！!？?\n]*")
_CLAUSE_RUN = re.compile(r"[^，,、：:]*")
_CLAUSE_HEAD = re.compile(r"[^，,、：:。；;！!？?\n]*")
_NEWLINE_RE = re.compile("\n")
_RUN_RE = re.compile(r"[\u4e00-\u9fff]{2,}")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]+")
_NUMERAL_CHARS_RE = re.compile("[" + re.escape(CN_CHARS + "余多近约逾第共计") + "]")
_STOP_BIGRAMS = frozenset(
    [
        "职工", "工会", "全年", "共计", "累计", "合计", "今年", "年度", "工作", "我们", "进行", "开展", "组织",
        "活动", "参加", "参与", "达到", "其中", "全体", "一年", "共有", "本年", "单位", "公司", "全面", "积极",
        "认真", "同时",
    ]
)
_NEXT_YEAR_RE = re.compile(r"明年|来年|下一年|下年度|打算|计划")
_PREV_YEAR_RE = re.compile(r"去年|上年|上一年|同比|较上年")
_COUNT_KINDS = frozenset({"people", "户", "家", "人次"})
_TOL = 1e-6


@dataclass(slots=True)
class _Known:
    """An amount found in the facts, with the words around it."""

    m: Mention
    context: frozenset[str]
    line: int = 0  # fact line number


_Derivation = tuple[float, str, tuple[frozenset[str], ...]]
_Ctx = Callable[..., frozenset[str]]  # ctx(wide=False): the draft context, computed on first use


def clean_text(norm: str) -> str:
    """Numerals and approximation words blanked out (same length), for context bigrams."""
    return _NUMERAL_CHARS_RE.sub(" ", norm)


def context_bigrams(clean: str, start: int, end: int, wide: bool = False) -> frozenset[str]:
    """Character bigrams of the clause around a mention (and of the clause before, when this one starts
    with fewer than 4 characters of words: `走访困难家庭，共计32户`); `wide`: the sentence so far.
    `clean` is `clean_text(norm)`."""
    back = clean[max(0, start - (48 if wide else 24)) : start][::-1]  # nearest character first
    back = back[: _SENTENCE_RUN.match(back).end()]  # type: ignore[union-attr]  # always matches
    if not wide:
        n = _CLAUSE_RUN.match(back).end()  # type: ignore[union-attr]
        if n < len(back) and sum(map(len, _CJK_RE.findall(back, 0, n))) < 4:
            n = _CLAUSE_RUN.match(back, n + 1).end()  # type: ignore[union-attr]  # and the clause before
        back = back[:n]
    left = back[::-1]
    right = _CLAUSE_HEAD.match(clean, end, end + 8).group()  # type: ignore[union-attr]
    grams: set[str] = set()
    for run in _RUN_RE.findall(left) + _RUN_RE.findall(right):
        grams.update(map(operator.add, run, run[1:]))  # its bigrams
    grams -= _STOP_BIGRAMS
    return frozenset(grams)


# Facts that state a total without a numeral: they support `100%`, `百分之百`, `十成` in the draft.
_TOTAL_RE = re.compile(r"全覆盖|全员(?:覆盖|参保|参与|参加|入会|签订|签约|体检|培训)|应([\u4e00-\u9fff])尽\1|无一遗漏"
                       r"|(?:全部|均已|全都)(?:办结|完成|落实|覆盖|参保|入会|签订|解决|兑现|到位|发放|参加)")


def _totals(norm: str) -> list[Mention]:
    return [Mention(m.start(), m.end(), m.group(), lo=100.0, hi=100.0, base=100.0, unit="%", kind="percent",
                    numeral="百分之百") for m in _TOTAL_RE.finditer(norm)]


def _key(v: float) -> float:
    return round(v, 6)


def _compatible(d: Mention, f: Mention) -> bool:
    """Does fact amount `f` support draft amount `d` (units already of the same kind)?"""
    if d.exact:
        if close(d.base, f.base):
            return True
        if f.approx == "range" and (close(d.base, f.lo) or close(d.base, f.hi)):
            return True
        return f.exact and _rounds_to(d, f.base)
    if close(d.base, f.base) and (f.exact or d.approx == f.approx or f.approx != "range"):
        return True
    hi_ok = f.base < d.hi - _TOL * max(1.0, d.hi) if d.approx == "more" else f.base <= d.hi * (1 + _TOL)
    if f.exact or f.approx != "range":
        return d.lo * (1 - _TOL) <= f.base and hi_ok
    return d.lo * (1 - _TOL) <= f.lo and f.hi <= d.hi * (1 + _TOL)


def _rounds_to(d: Mention, value: float) -> bool:
    """`6.4万元` from 64,280元, `96.5%` from 96.47%: the fact rounded to the draft's written precision. Only
    when the draft writes a multiplier (万/亿) or a percentage, and keeps two significant digits or more;
    `64000元` written out in full claims to be exact."""
    if d.kind != "percent" and "万" not in d.numeral and "亿" not in d.numeral:
        return False
    p = d.precision
    return d.base >= 10 * p and abs(value - d.base) <= p / 2 * (1 + _TOL)


class _Values:
    """Fact amounts of one unit kind sorted by value, so that the facts that may support a draft amount are
    found by bisection (a window around its value) instead of a scan: the check stays linear in the number
    of fact lines (6,000 lines used to take 21 s)."""

    def __init__(self, items: Iterable[_Known]) -> None:
        by_base = sorted(items, key=lambda k: k.m.base)
        self.bases = [k.m.base for k in by_base]
        self.items = by_base
        ranges = [k for k in by_base if k.m.approx == "range"]
        self.range_lo = sorted(ranges, key=lambda k: k.m.lo)
        self.range_lo_v = [k.m.lo for k in self.range_lo]
        self.range_hi = sorted(ranges, key=lambda k: k.m.hi)
        self.range_hi_v = [k.m.hi for k in self.range_hi]

    def window(self, lo: float, hi: float) -> Iterable[_Known]:
        """Facts whose value, or whose range's low or high end, lies in [lo, hi]."""
        eps = _TOL * max(1.0, abs(lo), abs(hi)) * 2
        lo, hi = lo - eps, hi + eps
        yield from self.items[bisect_left(self.bases, lo) : bisect_right(self.bases, hi)]
        if self.range_lo:
            yield from self.range_lo[bisect_left(self.range_lo_v, lo) : bisect_right(self.range_lo_v, hi)]
            yield from self.range_hi[bisect_left(self.range_hi_v, lo) : bisect_right(self.range_hi_v, hi)]

    def supports(self, d: Mention) -> bool:
        if d.exact:  # equal, an end of a fact range, or the fact rounded to the draft's precision
            half = d.precision / 2 if _rounds_to(d, d.base) else 0.0
            lo, hi = d.base - half, d.base + half
        else:  # the fact's value (or its range) inside the draft's approximation
            lo, hi = min(d.lo, d.base), max(d.hi, d.base)
        return any(_compatible(d, k.m) for k in self.window(lo, hi))


# Context matching looks only at facts that share a bigram that is not in more than this many facts of the
# kind: with a year's facts (tens of lines) nothing is cut; with thousands, common words stop costing time.
_POSTINGS_CAP = 64
_OTHER_KIND_CAP = 256


class FactIndex:
    """The facts, parsed once: amounts by unit kind (sorted by value, and by context bigram), dates, and the
    raw text for placeholders."""

    def __init__(self, lines: Sequence[str], year: int | None = None, has_plans: bool = False) -> None:
        text = "\n".join(line.strip() for line in lines if line and line.strip())
        self.norm, mentions = extract(text, lenient=True)
        clean = clean_text(self.norm)
        newlines = [nl.start() for nl in _NEWLINE_RE.finditer(self.norm)]
        self.by_value: dict[float, list[_Known]] = {}
        self.by_kind: dict[str, list[_Known]] = {}
        self.amounts: list[_Known] = []
        self.years: set[int] = set()
        self.months: set[int] = set()
        self.month_days: set[tuple[int, int]] = set()
        self.days: set[int] = set()
        for m in [*mentions, *_totals(self.norm)]:
            if m.category == "amount":
                k = _Known(m, context_bigrams(clean, m.start, m.end), line=bisect_right(newlines, m.start))
                self.amounts.append(k)
                for v in {_key(m.base), _key(m.mantissa)}:
                    self.by_value.setdefault(v, []).append(k)
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
        self._values = {kind: _Values(items) for kind, items in self.by_kind.items()}
        self._all_values = _Values(self.amounts)
        self._postings: dict[str, dict[str, list[int]]] = {}
        for kind, items in self.by_kind.items():
            postings = self._postings.setdefault(kind, {})
            for i, k in enumerate(items):
                for gram in k.context:
                    postings.setdefault(gram, []).append(i)
        self._has_placeholder = any(m.category == "placeholder" for m in mentions)
        self._derived_cache: dict[str, tuple[list[float], list[_Derivation]]] = {}
        self._support_cache: dict[tuple[str, float, float, float, str, str], bool] = {}
        self._same_kind_cache: dict[tuple[str, frozenset[str], int, bool], _Known | None] = {}
        self._placeholder_cache: dict[str, bool] = {}

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
        key = (d.kind, d.lo, d.hi, d.base, d.approx, d.numeral)
        hit = self._support_cache.get(key)
        if hit is None:
            if d.kind == "":
                hit = self._all_values.supports(d)
            else:
                same, bare = self._values.get(d.kind), self._values.get("")
                hit = bool(same and same.supports(d)) or bool(bare and bare.supports(d))
            if len(self._support_cache) < 10_000:
                self._support_cache[key] = hit
        return hit

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
        if not self._has_placeholder:
            return False
        tail = draft_norm[d.start : d.end + 2]
        hit = self._placeholder_cache.get(tail)
        if hit is None:
            hit = tail in self.norm
            if len(self._placeholder_cache) < 10_000:
                self._placeholder_cache[tail] = hit
        return hit

    # --- reasons for what is not supported -------------------------------------------------------------
    def best_same_kind(self, d: Mention, ctx: _Ctx, threshold: int, loose: bool = True) -> _Known | None:
        """The fact of the same kind whose words overlap the draft's most: at least `threshold` shared
        bigrams, or (for facts with little context, `走访30户`) half of the fact's own."""
        draft_ctx = ctx()
        key = (d.kind, draft_ctx, threshold, loose)
        if key in self._same_kind_cache:
            return self._same_kind_cache[key]
        items = self.by_kind.get(d.kind, [])
        postings = self._postings.get(d.kind, {})
        candidates: set[int] = set()
        for gram in draft_ctx:
            ids = postings.get(gram, ())
            if len(ids) <= _POSTINGS_CAP:
                candidates.update(ids)
        best, best_score = None, 0
        for i in sorted(candidates):  # in fact order: the first of equal scores wins, as before
            k = items[i]
            score = len(draft_ctx & k.context)
            if score > best_score and (score >= threshold or (loose and 2 * score >= len(k.context) >= 1)):
                best, best_score = k, score
        if len(self._same_kind_cache) < 10_000:
            self._same_kind_cache[key] = best
        return best

    def other_kind(self, d: Mention, ctx: _Ctx) -> _Known | None:
        """A fact with the same number (value or mantissa: 12场 for 12万元) but another kind of unit."""
        if d.kind == "":
            return None
        best, best_score = None, -1
        candidates = self.by_value.get(_key(d.base), [])[:_OTHER_KIND_CAP]
        candidates += self.by_value.get(_key(d.mantissa), [])[:_OTHER_KIND_CAP]
        for k in candidates:
            if k.m.kind in (d.kind, ""):
                continue
            score = len(ctx() & k.context)
            if (score >= 1 or d.mantissa >= 10) and score > best_score:
                best, best_score = k, score
        return best

    def derived(self, d: Mention, ctx: _Ctx) -> tuple[str, str] | None:
        """A computation over the facts that gives the draft's figure: `15户 + 20户 = 35户`.

        At least one operand must share words with the draft's sentence, so that `5名` is not "derived"
        from two unrelated small numbers."""
        values, derivations = self._derivations(d.kind)
        if not values:
            return None
        tol = d.precision / 2 if d.kind == "percent" else min(d.precision / 2, 0.02 * abs(d.base))
        lo = (d.base - tol if d.exact else d.lo) - _TOL * max(1.0, abs(d.lo))
        hi = (d.base + tol if d.exact else d.hi) + _TOL * max(1.0, abs(d.hi))
        for i in range(bisect_left(values, lo), bisect_right(values, hi)):
            value, how, contexts = derivations[i]
            if any(ctx(True) & c for c in contexts):
                return how, f"{format_number(value)}{d.unit}"
        return None

    def _derivations(self, kind: str) -> tuple[list[float], list[_Derivation]]:
        cached = self._derived_cache.get(kind)
        if cached is not None:
            return cached
        out: list[_Derivation] = []
        same = _distinct(self.by_kind.get(kind, ())) if kind else []
        for i, a in enumerate(same):
            for b in same[i + 1 :]:
                out.append((a.m.base + b.m.base, f"{a.m.text} + {b.m.text}", (a.context, b.context)))
                if a.m.base != b.m.base:
                    hi, lo = (a, b) if a.m.base > b.m.base else (b, a)
                    out.append((hi.m.base - lo.m.base, f"{hi.m.text} − {lo.m.text}", (hi.context, lo.context)))
        if len(same) >= 3:
            out.append((sum(k.m.base for k in same), " + ".join(k.m.text for k in same),
                        tuple(k.context for k in same)))
        if kind == "percent":
            for k, items in self.by_kind.items():
                if k in ("percent", ""):
                    continue
                vals = _distinct(items)
                for i, a in enumerate(vals):
                    for b in vals[i + 1 :]:
                        lo, hi = (a, b) if a.m.base < b.m.base else (b, a)
                        pair = (lo.context, hi.context)
                        if hi.m.base > 0:
                            out.append((lo.m.base / hi.m.base * 100, f"{lo.m.text} ÷ {hi.m.text}", pair))
                        if lo.m.base > 0 and hi.m.base != lo.m.base:
                            out.append(((hi.m.base - lo.m.base) / lo.m.base * 100,
                                        f"({hi.m.text} − {lo.m.text}) ÷ {lo.m.text}", pair))
        elif kind:
            base_kind = kind.split("/")[0]
            numerators = _distinct(self.by_kind.get(base_kind, ()))
            others = [k for k in _distinct(self.amounts) if k.m.kind not in (base_kind, "", "percent")]
            for a in numerators:
                for c in others:
                    same_line = c.line == a.line
                    if c.m.base > 0 and (same_line or (base_kind == "money" and c.m.kind in _COUNT_KINDS)):
                        out.append((a.m.base / c.m.base, f"{a.m.text} ÷ {c.m.text}", (a.context, c.context)))
                    if base_kind == "money" and c.m.kind in _COUNT_KINDS:
                        out.append((a.m.base * c.m.base, f"{c.m.text} × {a.m.text}", (a.context, c.context)))
                for p in _distinct(self.by_kind.get("percent", ())):
                    out.append((a.m.base * p.m.base / 100, f"{a.m.text} × {p.m.text}", (a.context, p.context)))
        out.sort(key=lambda x: x[0])
        result = ([x[0] for x in out], out)
        self._derived_cache[kind] = result
        return result


def _distinct(items: Iterable[_Known], cap: int = 40) -> list[_Known]:
    seen: dict[tuple[str, float], _Known] = {}
    for k in items:
        key = (k.m.kind, k.m.base)
        if k.m.exact and key not in seen:
            seen[key] = k
            if len(seen) >= cap:
                break
    return list(seen.values())


def facts_lines(facts: Facts | str | Sequence[str] | Mapping[str, Any]) -> tuple[list[str], int | None, bool]:
    """Fact lines, the org's year (if known) and whether the facts carry next year's plans."""
    if isinstance(facts, Mapping):  # a Facts object as a dict (JSON); one that does not validate gives its lines
        data = facts
        try:
            facts = Facts.model_validate(data)
        except ValidationError:
            values = [v for v in data.values() if isinstance(v, str | int)]
            values += [x for v in data.values() if isinstance(v, list) for x in v if isinstance(x, str)]
            return [str(v) for v in values], None, False
    if isinstance(facts, Facts):
        return facts.all_lines(), facts.year, bool(facts.plans)
    if isinstance(facts, str):
        return facts.splitlines(), None, False
    return [str(x) for x in facts], None, False


@lru_cache(maxsize=64)
def fact_index(lines: tuple[str, ...], year: int | None, has_plans: bool) -> FactIndex:
    """Facts are parsed once per distinct facts: a draft's sections are all checked against the same ones."""
    return FactIndex(lines, year, has_plans)
