"""`check()`, the public entry: one CheckContext per call, every registered checker run over it.

The context computes what checkers share once, on first use: the facts as lines (+ year, plans), the facts
parsed into a `FactIndex` (cached across calls: a draft's sections share their facts), the draft's amounts,
dates and placeholders, and the exemplars' figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from ..errors import InputError
from ..facts import Facts
from . import registry
from .amounts import Mention, extract
from .exemplars import Exemplar, ExemplarIndex
from .flags import Flag
from .support import FactIndex, fact_index, facts_lines

# Limits per check (the API and CLI check them before calling; check() enforces them too). Beyond them a
# request is not a work summary: the longest bundled summary has 4,133 characters, a big federation's runs to
# 20,000; 60,000 is ~30 pages. A year's facts are tens of lines. The cap also bounds the longest single
# regular-expression pass (which holds the interpreter lock): at 60,000 characters ~20 ms, at 190,000 ~60 ms.
MAX_CHECK_CHARS = 60_000
MAX_FACT_LINES = 2_000

FactsInput = Facts | str | Sequence[str] | Mapping[str, Any]


class CheckContext:
    """What a checker reads. `draft`, `facts` (as given), `exemplars`, `copy_index` (an optional corpus
    index for the `copied` kind; opaque here) are plain attributes; the rest is computed once, lazily."""

    def __init__(self, draft: str, facts: FactsInput, exemplars: Sequence[Exemplar | str] | None = None,
                 copy_index: Any = None) -> None:
        self.draft = draft
        self.facts = facts
        self.exemplars: Sequence[Exemplar | str] = exemplars or ()
        self.copy_index = copy_index

    @cached_property
    def _lines_year_plans(self) -> tuple[list[str], int | None, bool]:
        return facts_lines(self.facts)

    @property
    def fact_lines(self) -> list[str]:
        """The facts, one line each (a Facts object's org, superior, notes, items, shortcomings, plans)."""
        return self._lines_year_plans[0]

    @property
    def year(self) -> int | None:
        return self._lines_year_plans[1]

    @property
    def facts_model(self) -> Facts | None:
        """The facts as a `Facts` object when they were given as one (or as its dict)."""
        if isinstance(self.facts, Facts):
            return self.facts
        if isinstance(self.facts, Mapping):
            try:
                return Facts.model_validate(self.facts)
            except ValueError:
                return None
        return None

    @cached_property
    def fact_index(self) -> FactIndex:
        lines, year, plans = self._lines_year_plans
        return fact_index(tuple(lines), year, plans)

    @cached_property
    def _extracted(self) -> tuple[str, list[Mention]]:
        return extract(self.draft)

    @property
    def norm(self) -> str:
        """The draft with full-width digits made ASCII (same offsets)."""
        return self._extracted[0]

    @property
    def mentions(self) -> list[Mention]:
        """The draft's amounts, dates and placeholders, in order."""
        return self._extracted[1]

    @cached_property
    def exemplar_index(self) -> ExemplarIndex | None:
        return ExemplarIndex(self.exemplars) if self.exemplars else None


def check_limits(draft: str, facts: FactsInput) -> None:
    """Raise InputError for inputs beyond MAX_CHECK_CHARS / MAX_FACT_LINES (for front ends to call early)."""
    _limits(draft, facts_lines(facts)[0])


def _limits(draft: str, lines: Sequence[str]) -> None:
    if len(draft) > MAX_CHECK_CHARS:
        raise InputError(f"待核对的文字过长（{len(draft)} 字），每次最多核对 {MAX_CHECK_CHARS} 字",
                         hint="请分节或分段核对")
    n = sum(1 for line in lines if line.strip())
    if n > MAX_FACT_LINES:
        raise InputError(f"事实过多（{n} 行），每次最多 {MAX_FACT_LINES} 行", hint="请只保留与本稿有关的事实")


def check(draft: str, facts: FactsInput, exemplars: Sequence[Exemplar | str] | None = None, *,
          copy_index: Any = None) -> list[Flag]:
    """Flag every amount, date, placeholder (and every other registered kind) in `draft` that the facts do
    not support; sorted by start. Raises InputError beyond MAX_CHECK_CHARS characters or MAX_FACT_LINES."""
    ctx = CheckContext(draft, facts, exemplars, copy_index)
    _limits(draft, ctx.fact_lines)
    flags: list[Flag] = []
    for checker in registry.checkers():
        flags.extend(checker.run(ctx))
    flags.sort(key=lambda f: (f.start, f.end))
    return flags


def warm_up() -> None:
    """Load what the first check in a process needs (jieba's dictionary, the names vocabulary, the bundled
    copy index: 0.25-0.3 s) so that a server's first check does not pay it while others wait for the
    interpreter lock."""
    check("2024年，工会走访慰问困难职工30户，发放慰问金6.4万元。", ["走访慰问困难职工30户，发放慰问金6.4万元"])
