"""`drafter users …` and `drafter tokens …`: accounts from the server's command line (no web sign-up).

A password comes from a prompt (typed twice, not echoed) or as one line on stdin with --password-stdin,
never as an argument (it would sit in the shell history and the process list).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from ..errors import InputError
from .principal import ROLE_LABELS, ROLES


def _accounts() -> Any:
    from ..workspace import Workspace

    return Workspace().accounts


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InputError("无法提示输入密码", hint="用 --password-stdin 从标准输入读入一行密码")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输入一次：") != first:
        raise InputError("两次输入的密码不一致")
    return first


def _cmd_users_add(args: argparse.Namespace) -> int:
    user = _accounts().add_user(args.name, args.org, args.role, _password(args))
    sys.stderr.write(f"已添加用户 {user['name']}（{user['org']}，{ROLE_LABELS[user['role']]}）\n")
    return 0


def _cmd_users_list(args: argparse.Namespace) -> int:
    rows = _accounts().list_users()
    if args.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return 0
    for r in rows:
        state = "（已停用）" if r["disabled"] else ""
        sys.stdout.write(f"{r['name']}\t{r['org']}\t{ROLE_LABELS.get(r['role'], r['role'])}{state}\n")
    return 0


def _cmd_users_disable(args: argparse.Namespace) -> int:
    _accounts().set_disabled(args.name, True)
    sys.stderr.write(f"已停用 {args.name}：其登录和令牌立即失效\n")
    return 0


def _cmd_users_enable(args: argparse.Namespace) -> int:
    _accounts().set_disabled(args.name, False)
    sys.stderr.write(f"已启用 {args.name}\n")
    return 0


def _cmd_users_passwd(args: argparse.Namespace) -> int:
    _accounts().set_password(args.name, _password(args))
    sys.stderr.write(f"已修改 {args.name} 的密码；其已登录的会话已退出\n")
    return 0


def _cmd_tokens_create(args: argparse.Namespace) -> int:
    token_id, token = _accounts().create_token(args.name)
    sys.stdout.write(token + "\n")  # alone on its line: shown once, only its hash is stored
    sys.stderr.write(f"令牌编号 {token_id}（只显示这一次；请求头 Authorization: Bearer <令牌>）\n")
    return 0


def _cmd_tokens_revoke(args: argparse.Namespace) -> int:
    _accounts().revoke_token(args.token_id)
    sys.stderr.write(f"已吊销令牌 {args.token_id}\n")
    return 0


def _cmd_tokens_list(args: argparse.Namespace) -> int:
    for r in _accounts().list_tokens():
        state = f"已吊销 {r['revoked_at']}" if r["revoked_at"] else "有效"
        sys.stdout.write(f"{r['id']}\t{r['user']}\t{r['created_at']}\t{state}\n")
    return 0


def add_account_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help="用户与组织：添加、列出、停用、启用、改密码")
    us = p.add_subparsers(dest="users_command", required=True)
    a = us.add_parser("add", help="添加用户（组织不存在时一并创建）")
    a.add_argument("name", help="用户名（登录用）")
    a.add_argument("--org", required=True, help="所属组织（工会）名称")
    a.add_argument("--role", required=True, choices=ROLES, help="admin：管理本组织用户和范文库；writer：起草、重写、编辑、导出")
    a.add_argument("--password-stdin", action="store_true", help="从标准输入读一行作为密码")
    a.set_defaults(func=_cmd_users_add)
    ls = us.add_parser("list", help="列出用户")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_cmd_users_list)
    for name, fn, text in (("disable", _cmd_users_disable, "停用用户（会话和令牌立即失效）"),
                           ("enable", _cmd_users_enable, "重新启用用户")):
        d = us.add_parser(name, help=text)
        d.add_argument("name")
        d.set_defaults(func=fn)
    pw = us.add_parser("passwd", help="修改用户密码")
    pw.add_argument("name")
    pw.add_argument("--password-stdin", action="store_true", help="从标准输入读一行作为密码")
    pw.set_defaults(func=_cmd_users_passwd)

    p = sub.add_parser("tokens", help="API 令牌：创建、吊销、列出")
    ts = p.add_subparsers(dest="tokens_command", required=True)
    c = ts.add_parser("create", help="为用户创建 API 令牌（只显示一次）")
    c.add_argument("name", help="用户名")
    c.set_defaults(func=_cmd_tokens_create)
    r = ts.add_parser("revoke", help="吊销令牌")
    r.add_argument("token_id", help="令牌编号（见 drafter tokens list）")
    r.set_defaults(func=_cmd_tokens_revoke)
    ts.add_parser("list", help="列出令牌（不含令牌本身）").set_defaults(func=_cmd_tokens_list)
