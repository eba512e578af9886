"""Password hashing with argon2id (argon2-cffi's defaults: RFC 9106 low-memory profile), and hashing of
random secrets (tokens, session ids) that only need a fast one-way hash because they carry 256 bits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import InputError

MIN_PASSWORD = 8
MAX_PASSWORD = 1024


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, 64 MiB, t=3, p=4


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"密码太长：最多 {MAX_PASSWORD} 个字符")


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches. An unknown user is checked against a dummy hash, so the answer takes
    as long either way (no user-name probing by timing)."""
    try:
        return _hasher().verify(stored or _dummy_hash(), password[:MAX_PASSWORD]) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8", "replace"), b.encode("utf-8", "replace"))
