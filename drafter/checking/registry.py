"""The checker's one table: every kind of flag, every reason with its Chinese label and hint, every checker.

The CLI (`command.py`), the HTTP API (`Flag.label` in the flag JSON) and the web UI (`webui/render.py`) read
labels from here and nowhere else.

How a new kind of flag plugs in — everything lives in the kind's own module, `drafter/checking/<name>.py`:

    from .context import CheckContext
    from .flags import Flag
    from .registry import Rule, register_checker, register_kind, register_rule, rule

    register_kind("status", "状态")                              # flag kind + Chinese label (UI chip, CLI group)
    register_rule(Rule("status_unsupported", ("status",), "状态与事实不符",
                       hint="事实中为「{fact}」", advice="请按事实改写"))

    class StatusChecker:
        name = "status"
        kinds: tuple[str, ...] = ("status",)
        order = 20                                             # run order; the numbers checker is 10

        def run(self, ctx: CheckContext) -> list[Flag]:
            return [Flag(text=..., start=..., end=..., kind="status", reason="status_unsupported",
                         hint=rule("status_unsupported").explain(fact="已完成"))]

    register_checker(StatusChecker())

Nothing else changes: `drafter.checking.check()` imports every module of the package once (see `load()`),
so the module registers itself; `Flag.kind`/`Flag.reason` accept whatever is registered; the CLI groups and
the UI's chips, legend and tooltips come from this table. A module may register several kinds and rules.
`CheckContext` (`context.py`) gives the draft, the facts (raw `facts`, `fact_lines`, `facts_model`, the
parsed `fact_index`), the draft's `mentions` (amounts, dates, placeholders), the `exemplars` and their
`exemplar_index`, and `copy_index` (whatever the caller passed as `check(..., copy_index=...)`, e.g. a corpus
index for the `copied` kind); its properties are computed once and shared by all checkers.
A checker must not raise on odd text; it should stay linear in the draft's length (see the hardening tests).
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .context import CheckContext
    from .flags import Flag


@dataclass(frozen=True, slots=True)
class KindInfo:
    """A kind of flag: `amount`, `date`, `placeholder`, … and how users see it (数额, 日期, 占位符)."""

    kind: str
    label: str


@dataclass(frozen=True, slots=True)
class Rule:
    """One reason a flag is raised. `hint` is a `str.format` template whose fields the checker fills
    (`事实中为 {fact}`); `advice` says what the user should do."""

    reason: str
    kinds: tuple[str, ...]
    label: str
    hint: str = ""
    advice: str = ""

    def explain(self, **fields: object) -> str:
        """The hint for one flag: `rule("value_mismatch").explain(fact="30户")` -> `事实中为 30户`."""
        return self.hint.format(**fields)


@runtime_checkable
class Checker(Protocol):
    """A checker finds flags of its `kinds` in `ctx.draft`. It must return flags whose offsets slice the
    draft (`draft[start:end] == text`); `check()` merges the checkers' flags and sorts them by start."""

    name: str
    kinds: tuple[str, ...]
    order: int

    def run(self, ctx: CheckContext) -> list[Flag]: ...


_KINDS: dict[str, KindInfo] = {}
_RULES: dict[str, Rule] = {}
_CHECKERS: dict[str, Checker] = {}
_LOCK = threading.RLock()
_loaded = False


def register_kind(kind: str, label: str) -> KindInfo:
    """Add a kind of flag (idempotent for the same label; a different label for a known kind is an error)."""
    info = KindInfo(kind, label)
    with _LOCK:
        old = _KINDS.get(kind)
        if old is not None and old != info:
            raise ValueError(f"flag kind {kind!r} already registered as {old}")
        _KINDS[kind] = info
    return info


def register_rule(r: Rule) -> Rule:
    """Add a reason. Its kinds must be registered first."""
    with _LOCK:
        unknown = [k for k in r.kinds if k not in _KINDS]
        if unknown or not r.kinds:
            raise ValueError(f"rule {r.reason!r}: unknown flag kinds {unknown}")
        old = _RULES.get(r.reason)
        if old is not None and old != r:
            raise ValueError(f"reason {r.reason!r} already registered as {old}")
        _RULES[r.reason] = r
    return r


def register_checker(c: Checker) -> Checker:
    """Add a checker (replaces one of the same name, so re-importing a module is harmless)."""
    with _LOCK:
        unknown = [k for k in c.kinds if k not in _KINDS]
        if unknown:
            raise ValueError(f"checker {c.name!r}: unknown flag kinds {unknown}")
        _CHECKERS[c.name] = c
    return c


def load() -> None:
    """Import every module of `drafter.checking` once, so that each kind's module registers itself."""
    global _loaded
    if _loaded:
        return
    with _LOCK:
        if _loaded:
            return
        package = importlib.import_module(__package__ or "drafter.checking")
        for mod in pkgutil.iter_modules(package.__path__):
            if not mod.name.startswith("_"):
                importlib.import_module(f"{package.__name__}.{mod.name}")
        _loaded = True


def checkers() -> list[Checker]:
    load()
    return sorted(_CHECKERS.values(), key=lambda c: (c.order, c.name))


def kinds() -> list[KindInfo]:
    """Registered kinds in registration order (the numbers checker's amount, date, placeholder first)."""
    load()
    return list(_KINDS.values())


def rules() -> list[Rule]:
    load()
    return list(_RULES.values())


def rule(reason: str) -> Rule:
    load()
    return _RULES[reason]


def is_kind(kind: str) -> bool:
    load()
    return kind in _KINDS


def is_reason(reason: str) -> bool:
    load()
    return reason in _RULES


def label(reason: str) -> str:
    """The Chinese label of a reason; an unknown code is shown as itself."""
    load()
    r = _RULES.get(reason)
    return r.label if r else reason


def kind_label(kind: str) -> str:
    load()
    k = _KINDS.get(kind)
    return k.label if k else kind


class _LiveLabels(Mapping[str, str]):
    """A read-only view of the table (reason -> label, or kind -> label) that sees later registrations."""

    def __init__(self, which: str) -> None:
        self._which = which

    def _table(self) -> dict[str, str]:
        load()
        if self._which == "reason":
            return {r.reason: r.label for r in _RULES.values()}
        return {k.kind: k.label for k in _KINDS.values()}

    def __getitem__(self, key: str) -> str:
        return self._table()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


def reason_labels() -> Mapping[str, str]:
    """reason -> Chinese label, live."""
    return _LiveLabels("reason")


def kind_labels() -> Mapping[str, str]:
    """kind -> Chinese label, live, in registration order."""
    return _LiveLabels("kind")
