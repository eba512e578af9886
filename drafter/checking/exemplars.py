"""Exemplars: passages of past summaries a draft was written from. A figure the facts do not support but an
exemplar contains is the strongest sign of a leak (`copied_from_exemplar`)."""

from __future__ import annotations

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

    def find(self, d: Mention) -> ExemplarMention | None:
        """The first exemplar figure equal to `d`: same date, or same unit kind and value."""
        for k in self.items:
            e = k.m
            if d.category == "date":
                if e.category == "date" and d.years and d.years == e.years and (d.month, d.day) == (e.month, e.day):
                    return k
            elif (
                e.category == "amount"
                and e.kind == d.kind
                and close(e.base, d.base)
                and (d.exact or e.approx == d.approx or not e.exact)
            ):
                return k
        return None
