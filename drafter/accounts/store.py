"""Accounts in the drafts database: organisations, users, API tokens, sessions, failed sign-ins and the
audit log. Everything lives in tables (no process memory), so a session made on one server worker is valid
on every other, and disabling a user refuses their sessions and tokens on the very next request.

Secrets are never stored: passwords as argon2id hashes, tokens and session ids as sha256 of 256 random bits.
A token reads `drafter_<id>_<secret>`: the id finds the row, the secret is compared in constant time.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from ..errors import AuthError, ConflictError, ForbiddenError, InputError, NotFoundError, RateLimitError
from ..models import now_iso
from ..storage.db import reading, writing
from ..storage.schema import api_tokens, audit, corpus_owners, drafts, login_failures, organisations, sessions, users
from .passwords import hash_password, same, secret_hash, verify_password
from .principal import ROLES, SERVICE_USER, Principal, Role

TOKEN_PREFIX = "drafter_"
NAME_RE = re.compile(r"[^\s\x00-\x1f\x7f]{1,64}")
MAX_FAILURES = 5  # failed sign-ins per account and per address within the window; the next is refused
FAILURE_WINDOW = 300.0  # seconds
TOUCH_EVERY = 60.0  # seconds between writes of a session's last-seen time
ACTIONS = ("login", "login_failed", "logout", "draft", "regenerate", "edit", "export", "upload", "remove",
           "user_add", "user_disable", "user_enable", "user_passwd", "token_create", "token_revoke")
ACTION_LABELS = {"login": "登录", "login_failed": "登录失败", "logout": "退出", "draft": "起草", "regenerate": "重写",
                 "edit": "编辑", "export": "导出", "upload": "上传范文", "remove": "删除范文",
                 "user_add": "添加用户", "user_disable": "停用用户", "user_enable": "启用用户",
                 "user_passwd": "修改密码", "token_create": "创建令牌", "token_revoke": "吊销令牌"}


def _check_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not NAME_RE.fullmatch(name):
        raise InputError(f"{what}「{name[:40]}」无效：1–64 个字符，不能含空格或控制字符")
    return name


def _new_id() -> str:
    return secrets.token_hex(8)


class Accounts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- organisations and users ---------------------------------------------------------------------------
    def has_users(self) -> bool:
        with reading(self.engine) as c:
            return c.execute(sa.select(users.c.id).limit(1)).first() is not None

    def org_id(self, name: str) -> str | None:
        with reading(self.engine) as c:
            return c.execute(sa.select(organisations.c.id).where(organisations.c.name == name)).scalar_one_or_none()

    def first_org(self) -> tuple[str, str] | None:
        with reading(self.engine) as c:
            row = c.execute(sa.select(organisations.c.id, organisations.c.name)
                            .order_by(organisations.c.created_at, organisations.c.id).limit(1)).first()
        return (row.id, row.name) if row else None

    def ensure_org(self, name: str) -> str:
        """The organisation's id, creating it when new. The first organisation adopts every draft and
        uploaded document made before accounts existed."""
        name = _check_name(name, "组织名")
        with writing(self.engine) as c:
            found = c.execute(sa.select(organisations.c.id).where(organisations.c.name == name)).scalar_one_or_none()
            if found is not None:
                return str(found)
            first = c.execute(sa.select(organisations.c.id).limit(1)).first() is None
            org_id = _new_id()
            c.execute(organisations.insert().values(id=org_id, name=name, created_at=now_iso()))
            if first:
                c.execute(sa.update(drafts).where(drafts.c.org_id.is_(None)).values(org_id=org_id))
        return org_id

    def add_user(self, name: str, org: str, role: str, password: str, *, by: Principal | None = None) -> dict[str, Any]:
        """A new user of `org` (created when new; only from the command line). `by`: an admin adding a
        colleague to their own organisation."""
        name = _check_name(name, "用户名")
        if role not in ROLES:
            raise InputError(f"角色「{role}」无效", hint="只能是 admin（管理员）或 writer（撰稿人）")
        if by is not None:
            _admin_of(by, org)
        pw_hash = hash_password(password)
        org_id = self.ensure_org(org) if by is None else by.org_id
        with writing(self.engine) as c:
            if c.execute(sa.select(users.c.id).where(users.c.name == name)).first() is not None:
                raise ConflictError(f"用户「{name}」已存在", hint="换一个用户名，或用 `drafter users passwd` 改密码")
            user_id = _new_id()
            c.execute(users.insert().values(id=user_id, name=name, org_id=org_id, role=role, password_hash=pw_hash,
                                            disabled=False, created_at=now_iso()))
        self.log(org_id, by.name if by else "命令行", "user_add", name)
        return {"id": user_id, "name": name, "org": org if by is None else by.org_name, "role": role}

    def list_users(self, org_id: str | None = None) -> list[dict[str, Any]]:
        q = (sa.select(users.c.name, users.c.role, users.c.disabled, users.c.created_at,
                       organisations.c.name.label("org"))
             .join(organisations, organisations.c.id == users.c.org_id).order_by(organisations.c.name, users.c.name))
        if org_id is not None:
            q = q.where(users.c.org_id == org_id)
        with reading(self.engine) as c:
            return [dict(r._mapping) for r in c.execute(q)]

    def _user(self, c: sa.Connection, name: str, by: Principal | None) -> Any:
        row = c.execute(sa.select(users).where(users.c.name == name)).first()
        if row is None or (by is not None and row.org_id != by.org_id):
            raise NotFoundError(f"没有用户「{name}」", hint="用 `drafter users list` 查看用户")
        return row

    def set_disabled(self, name: str, disabled: bool, *, by: Principal | None = None) -> None:
        """Disable (or enable) a user: their sessions end at once and their tokens stop working."""
        if by is not None:
            _admin_of(by)
        with writing(self.engine) as c:
            row = self._user(c, name, by)
            c.execute(sa.update(users).where(users.c.id == row.id).values(disabled=disabled))
            if disabled:
                c.execute(sessions.delete().where(sessions.c.user_id == row.id))
        self.log(row.org_id, by.name if by else "命令行", "user_disable" if disabled else "user_enable", name)

    def set_password(self, name: str, password: str, *, by: Principal | None = None) -> None:
        """A new password; the user's sessions end (whoever knew the old one is signed out)."""
        if by is not None and by.name != name:
            _admin_of(by)
        pw_hash = hash_password(password)
        with writing(self.engine) as c:
            row = self._user(c, name, by)
            c.execute(sa.update(users).where(users.c.id == row.id).values(password_hash=pw_hash))
            c.execute(sessions.delete().where(sessions.c.user_id == row.id))
        self.log(row.org_id, by.name if by else "命令行", "user_passwd", name)

    def _principal(self, row: Any, via: str, csrf: str = "") -> Principal:
        return Principal(row.user_id, row.name, row.org_id, row.org_name, row.role, via, csrf)

    def _who(self) -> sa.Select[Any]:
        return (sa.select(users.c.id.label("user_id"), users.c.name, users.c.role, users.c.org_id,
                          organisations.c.name.label("org_name"))
                .join(organisations, organisations.c.id == users.c.org_id).where(users.c.disabled == sa.false()))

    # --- signing in ----------------------------------------------------------------------------------------
    def authenticate(self, name: str, password: str, address: str = "") -> Principal:
        """The user, when the password matches and the account is enabled. Refused (429) once the account
        or the address has MAX_FAILURES recent failures, before the password is even checked."""
        name = (name or "").strip()[:64]
        # The typed name is hashed: people sometimes type their password into the name box.
        keys = [f"user:{secret_hash(name)}"] + ([f"ip:{address}"] if address else [])
        now = time.time()
        with reading(self.engine) as c:
            counts = [c.execute(sa.select(sa.func.count()).select_from(login_failures).where(
                login_failures.c.key == k, login_failures.c.at > now - FAILURE_WINDOW)).scalar_one() for k in keys]
            row = c.execute(self._who().add_columns(users.c.password_hash).where(users.c.name == name)).first()
        if max(counts) >= MAX_FAILURES:
            raise RateLimitError("登录失败次数过多，请 5 分钟后再试")
        if not verify_password(row.password_hash if row else None, password) or row is None:
            with writing(self.engine) as c:
                c.execute(login_failures.insert(), [{"key": k, "at": now} for k in keys])
                c.execute(login_failures.delete().where(login_failures.c.at < now - FAILURE_WINDOW))
            # An unknown name is not recorded as typed (it may be a password typed in the wrong box).
            self.log(row.org_id if row else None, name if row else "（未知用户）", "login_failed", address)
            raise AuthError("用户名或密码错误")
        with writing(self.engine) as c:
            c.execute(login_failures.delete().where(login_failures.c.key == keys[0]))
        return self._principal(row, "session")

    def create_session(self, who: Principal) -> tuple[str, str]:
        """A new session for `who`: (cookie value, form token). Only the cookie value's hash is stored."""
        sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        with writing(self.engine) as c:
            c.execute(sessions.insert().values(id_hash=secret_hash(sid), user_id=who.user_id, csrf=csrf,
                                               created_at=now_iso(), seen_at=time.time()))
        self.log(who.org_id, who.name, "login", "")
        return sid, csrf

    def session(self, sid: str, idle_seconds: float) -> Principal | None:
        """The principal of a live session of an enabled user; an idle one is ended."""
        if not sid or len(sid) > 200:
            return None
        key, now = secret_hash(sid), time.time()
        with reading(self.engine) as c:
            row = c.execute(self._who().add_columns(sessions.c.csrf, sessions.c.seen_at)
                            .join(sessions, sessions.c.user_id == users.c.id).where(sessions.c.id_hash == key)).first()
        if row is None:
            return None
        if now - row.seen_at > idle_seconds:
            self.end_session(sid)
            return None
        if now - row.seen_at > TOUCH_EVERY:
            with writing(self.engine) as c:
                c.execute(sa.update(sessions).where(sessions.c.id_hash == key).values(seen_at=now))
        return self._principal(row, "session", row.csrf)

    def end_session(self, sid: str) -> None:
        with writing(self.engine) as c:
            c.execute(sessions.delete().where(sessions.c.id_hash == secret_hash(sid)))

    # --- API tokens ----------------------------------------------------------------------------------------
    def create_token(self, name: str, *, by: Principal | None = None) -> tuple[str, str]:
        """(token id, token). The token is shown once; only its hash is kept."""
        token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        with writing(self.engine) as c:
            row = self._user(c, name, by)
            if by is not None and by.name != name:
                _admin_of(by)
            c.execute(api_tokens.insert().values(id=token_id, user_id=row.id, secret_hash=secret_hash(secret),
                                                 created_at=now_iso(), revoked_at=None))
        self.log(row.org_id, by.name if by else "命令行", "token_create", f"{name}/{token_id}")
        return token_id, f"{TOKEN_PREFIX}{token_id}_{secret}"

    def revoke_token(self, token_id: str, *, by: Principal | None = None) -> None:
        with writing(self.engine) as c:
            row = c.execute(sa.select(api_tokens.c.id, users.c.org_id, users.c.name)
                            .join(users, users.c.id == api_tokens.c.user_id).where(api_tokens.c.id == token_id)).first()
            if row is None or (by is not None and (row.org_id != by.org_id or (row.name != by.name and not by.is_admin))):
                raise NotFoundError(f"没有编号为 {token_id} 的令牌", hint="用 `drafter tokens list` 查看令牌")
            c.execute(sa.update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=now_iso()))
        self.log(row.org_id, by.name if by else "命令行", "token_revoke", f"{row.name}/{token_id}")

    def list_tokens(self, org_id: str | None = None) -> list[dict[str, Any]]:
        q = (sa.select(api_tokens.c.id, users.c.name.label("user"), api_tokens.c.created_at, api_tokens.c.revoked_at)
             .join(users, users.c.id == api_tokens.c.user_id).order_by(api_tokens.c.created_at))
        if org_id is not None:
            q = q.where(users.c.org_id == org_id)
        with reading(self.engine) as c:
            return [dict(r._mapping) for r in c.execute(q)]

    def token(self, token: str) -> Principal | None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        token_id, _, secret = token[len(TOKEN_PREFIX):].partition("_")
        with reading(self.engine) as c:
            row = c.execute(self._who().add_columns(api_tokens.c.secret_hash)
                            .join(api_tokens, api_tokens.c.user_id == users.c.id)
                            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))).first()
        if row is None or not same(row.secret_hash, secret_hash(secret)):
            return None
        return self._principal(row, "token")

    def service(self, org_name: str | None) -> Principal | None:
        """DRAFTER_API_KEY's principal: an admin of `org_name` (or of the first organisation)."""
        found = (self.org_id(org_name), org_name) if org_name else self.first_org()
        if not found or found[0] is None:
            return None
        return Principal("service", SERVICE_USER, str(found[0]), str(found[1]), "admin", "key")

    # --- corpus ownership ----------------------------------------------------------------------------------
    def doc_owners(self) -> dict[str, str]:
        with reading(self.engine) as c:
            return {r.doc_id: r.org_id for r in c.execute(sa.select(corpus_owners))}

    def set_doc_owner(self, doc_id: str, org_id: str) -> None:
        with writing(self.engine) as c:
            c.execute(corpus_owners.delete().where(corpus_owners.c.doc_id == doc_id))
            c.execute(corpus_owners.insert().values(doc_id=doc_id, org_id=org_id, created_at=now_iso()))

    def drop_doc_owner(self, doc_id: str) -> None:
        with writing(self.engine) as c:
            c.execute(corpus_owners.delete().where(corpus_owners.c.doc_id == doc_id))

    # --- audit ---------------------------------------------------------------------------------------------
    def log(self, org_id: str | None, user: str, action: str, target: str = "") -> None:
        """One audit row: who, what, on which id. Never facts, draft text or secrets."""
        with writing(self.engine) as c:
            c.execute(audit.insert().values(at=now_iso(), org_id=org_id, user_name=user[:200], action=action,
                                            target=target[:200]))

    def audit(self, org_id: str, *, user: str = "", action: str = "", since: str = "", limit: int = 500
              ) -> list[dict[str, Any]]:
        q = sa.select(audit.c.at, audit.c.user_name, audit.c.action, audit.c.target).where(audit.c.org_id == org_id)
        if user:
            q = q.where(audit.c.user_name == user)
        if action:
            q = q.where(audit.c.action == action)
        if since:
            q = q.where(audit.c.at >= since)
        with reading(self.engine) as c:
            return [dict(r._mapping) for r in c.execute(q.order_by(audit.c.id.desc()).limit(limit))]


def _admin_of(by: Principal, org: str | None = None) -> None:
    if not by.is_admin:
        raise ForbiddenError("只有管理员可以管理用户", hint="请联系本组织的管理员")
    if org is not None and org != by.org_name:
        raise ForbiddenError("只能管理本组织的用户")


def role_of(value: str) -> Role:
    if value not in ROLES:
        raise InputError(f"角色「{value}」无效", hint="只能是 admin 或 writer")
    return value  # type: ignore[return-value]
