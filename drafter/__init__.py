"""drafter: drafts Chinese work summaries (工会年度工作总结) grounded in past summaries.

`drafter.check(draft, facts, exemplars=None)` is the amount checker; `drafter.Workspace` is the front door
for everything else. Both are imported on first use, so `import drafter` stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Workspace", "check"]


def __getattr__(name: str) -> Any:
    if name == "check":
        from .checking import check

        return check
    if name == "Workspace":
        from .workspace import Workspace

        return Workspace
    raise AttributeError(f"module 'drafter' has no attribute {name!r}")
