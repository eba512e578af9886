"""The checker: flags every amount, date and placeholder in a draft that the facts do not support, and every
other kind of flag registered in `registry.py` (each kind lives in its own module of this package).

    from drafter.checking import check
    flags = check(draft_text, facts, exemplars)

See docs/checker.md for the rules and registry.py for how a kind of flag registers.
"""

from __future__ import annotations

from .context import MAX_CHECK_CHARS, MAX_FACT_LINES, CheckContext, check, check_limits
from .exemplars import Exemplar
from .flags import Flag, FlagKind, FlagReason
from .masking import mask_amounts
from .registry import Checker, Rule

__all__ = ["MAX_CHECK_CHARS", "MAX_FACT_LINES", "CheckContext", "Checker", "Exemplar", "Flag", "FlagKind",
           "FlagReason", "Rule", "check", "check_limits", "mask_amounts"]
