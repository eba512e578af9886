"""The checker's output: one Flag per amount, date, placeholder (or other registered kind) the facts do not
support. `kind` and `reason` are strings validated against the registry (`registry.py`), so a new kind of
flag only registers itself; `label` is the reason's Chinese label from the same table."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, computed_field

from . import registry


def _known_kind(v: str) -> str:
    if not registry.is_kind(v):
        raise ValueError(f"unknown flag kind {v!r}; registered: {[k.kind for k in registry.kinds()]}")
    return v


def _known_reason(v: str) -> str:
    if not registry.is_reason(v):
        raise ValueError(f"unknown flag reason {v!r}; registered: {[r.reason for r in registry.rules()]}")
    return v


# Kept as names for callers' annotations: any registered kind / reason.
FlagKind = Annotated[str, AfterValidator(_known_kind)]
FlagReason = Annotated[str, AfterValidator(_known_reason)]


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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label(self) -> str:
        """The reason in Chinese (事实中没有, 与事实不符, …), from the registry."""
        return registry.label(self.reason)
