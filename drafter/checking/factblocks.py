"""The facts as the status and name checks need them: which block each line is in (全年工作 / 存在不足 /
明年打算), the organisation and its superior, and all of it as one string.

Facts reach the checker as a `Facts` object, its dict, the plain-text form or bare lines. The plain text is
read with the same labels as `facts.parse_facts_text`, but leniently: no 单位 or 年度 is required, and a
line that does not validate is never an error here (the checker must run on whatever the user typed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..facts import Facts, read_labelled, strip_bullet

BLOCK_LABELS = {"items": "全年工作", "shortcomings": "存在不足", "plans": "明年打算"}


@dataclass(frozen=True)
class FactBlocks:
    org: str = ""
    superior: str = ""
    notes: str = ""
    items: tuple[str, ...] = ()
    shortcomings: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    text: str = field(default="", compare=False)  # every line joined: what "the facts contain"

    def blocks(self) -> list[tuple[str, str]]:
        """(block, line) for every fact line of the three blocks."""
        return ([("items", x) for x in self.items] + [("shortcomings", x) for x in self.shortcomings]
                + [("plans", x) for x in self.plans])


def _make(org: str, superior: str, notes: str, items: Sequence[str], shortcomings: Sequence[str],
          plans: Sequence[str]) -> FactBlocks:
    lines = [org, superior, notes, *items, *shortcomings, *plans]
    return FactBlocks(org, superior, notes, tuple(items), tuple(shortcomings), tuple(plans),
                      "\n".join(x for x in lines if x))


@lru_cache(maxsize=64)
def _from_text(text: str) -> FactBlocks:
    data, raw = read_labelled(text)
    blocks = {name: [strip_bullet(x) for x in lines] for name, lines in raw.items()}
    return _make(data.get("org", ""), data.get("superior", ""), data.get("notes", ""), blocks["items"],
                 blocks["shortcomings"], blocks["plans"])


def _strs(v: Any) -> list[str]:
    return [x for x in v if isinstance(x, str)] if isinstance(v, list) else []


def fact_blocks(facts: Facts | str | Sequence[str] | Mapping[str, Any] | None) -> FactBlocks:
    if facts is None:
        return FactBlocks()
    if isinstance(facts, Facts):
        return _make(facts.org, facts.superior, facts.notes, facts.items, facts.shortcomings, facts.plans)
    if isinstance(facts, Mapping):
        def s(key: str) -> str:
            v = facts.get(key)
            return v.strip() if isinstance(v, str) else ""
        return _make(s("org"), s("superior"), s("notes"), _strs(facts.get("items")),
                     _strs(facts.get("shortcomings")), _strs(facts.get("plans")))
    if isinstance(facts, str):
        return _from_text(facts)
    return _from_text("\n".join(str(x) for x in facts))
