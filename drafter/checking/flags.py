"""The checker's output: one Flag per amount, date or placeholder that the facts do not support."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

FlagKind = Literal["amount", "date", "placeholder"]
FlagReason = Literal[
    "not_in_facts",
    "value_mismatch",
    "unit_mismatch",
    "derived",
    "copied_from_exemplar",
    "date_not_in_facts",
    "placeholder",
]


class Flag(BaseModel):
    """`draft[start:end] == text` always holds (Python str offsets)."""

    text: str
    start: int
    end: int
    value: float | list[float] | None = None  # a number, or [low, high] for a range/approximation
    unit: str = ""
    kind: FlagKind = "amount"
    reason: FlagReason = "not_in_facts"
    hint: str = ""  # 事实中为 30户 / 15户 + 20户 = 35户 / 来自范文《…》
