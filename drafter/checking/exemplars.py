"""Exemplars: passages of past summaries a draft was written from. A figure the facts do not support but an
exemplar contains is the strongest sign of a leak (`copied_from_exemplar`)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from .amounts import Mention, extract
from .numerals import close


@runtime_checkable
class Exemplar(Protocol):
    """A passage of a past summary: `drafter.models.Source` fits, and so does any object with these."""

    @property
    def text(self) -> str: ...

    @property
    def title(self) -> str: ...


@dataclass(slots=True)
class ExemplarMention:
    m: Mention
    source: str  # 范文《标题》, 第2篇范文, or 范文

    def hint(self) -> str:
        return f"{self.source}中有「{self.m.text}」"


class ExemplarIndex:
    """Amounts and dates of the exemplars (plain strings or objects with `text` and `title`)."""

    def __init__(self, exemplars: Sequence[Exemplar | str]) -> None:
        self.items: list[ExemplarMention] = []
        for i, ex in enumerate(exemplars):
            if isinstance(ex, str):
                text, title = ex, ""
            else:
                text, title = str(getattr(ex, "text", "") or ""), str(getattr(ex, "title", "") or "")
            numbered = f"第{i + 1}篇范文" if len(exemplars) > 1 else "范文"
            source = f"范文《{title}》" if title else numbered
            _, mentions = extract(text)
            self.items.extend(ExemplarMention(m, source) for m in mentions if m.category != "placeholder")
        # Indexed once, so that a draft with many figures against long exemplars stays linear.
        self._dates: dict[tuple[tuple[int, ...], int, int], ExemplarMention] = {}
        by_kind: dict[str, list[tuple[float, int]]] = {}
        for i, k in enumerate(self.items):
            e = k.m
            if e.category == "date":
                if e.years:
                    self._dates.setdefault((e.years, e.month, e.day), k)
            elif e.category == "amount":
                by_kind.setdefault(e.kind, []).append((e.base, i))
        self._amounts = {kind: sorted(v) for kind, v in by_kind.items()}

    def find(self, d: Mention) -> ExemplarMention | None:
        """The first exemplar figure equal to `d`: same date, or same unit kind and value."""
        if d.category == "date":
            return self._dates.get((d.years, d.month, d.day)) if d.years else None
        values = self._amounts.get(d.kind)
        if not values:
            return None
        eps = 2e-6 * max(1.0, abs(d.base))
        first: int | None = None
        for base, i in values[bisect_left(values, (d.base - eps, -1)) : bisect_right(values, (d.base + eps, len(self.items)))]:
            e = self.items[i].m
            if close(base, d.base) and (d.exact or e.approx == d.approx or not e.exact) and (first is None or i < first):
                first = i
        return None if first is None else self.items[first]
