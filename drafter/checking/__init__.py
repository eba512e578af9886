"""The amount checker: flags every amount, date and placeholder in a draft that the facts do not support.

    from drafter.checking import check
    flags = check(draft_text, facts, exemplars)

See docs/checker.md for the rules.
"""

from __future__ import annotations

from .exemplars import Exemplar
from .flags import Flag, FlagKind, FlagReason
from .support import check

__all__ = ["Exemplar", "Flag", "FlagKind", "FlagReason", "check"]
