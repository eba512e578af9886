"""Accounts: organisations, users and roles, API tokens, sessions, sign-in rate limiting and the audit log.

    principal.py   who is acting: user + organisation + role (what every scoped call takes)
    passwords.py   argon2id hashing (argon2-cffi), constant-time checks of random secrets
    store.py       Accounts: organisations, users, tokens, sessions, failed sign-ins, audit (in the drafts
                   database, so every worker process sees the same sessions)
    scoped.py      ScopedWorkspace: a Workspace that sees one organisation's drafts and documents

No accounts at all → single-user mode (only on a loopback address). Once one exists, every request needs a
session or a token (drafter/api/guard.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .principal import ROLES, Principal

if TYPE_CHECKING:
    from .store import Accounts

__all__ = ["ROLES", "Accounts", "Principal"]


def __getattr__(name: str) -> Any:
    # The store (SQLAlchemy, argon2) loads when accounts are used, not with the CLI's `drafter users …` parser.
    if name == "Accounts":
        from .store import Accounts

        return Accounts
    raise AttributeError(name)
