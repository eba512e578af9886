"""Secure by default: with no accounts, `drafter serve` binds loopback addresses only."""

from __future__ import annotations

import ipaddress

from ..errors import ConfigError

FIRST_ADMIN = "drafter users add 用户名 --org 组织名 --role admin"


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, has_users: bool) -> None:
    """Refuse to serve a non-loopback address in single-user mode (no accounts: anyone could read drafts)."""
    if has_users or is_loopback(host):
        return
    raise ConfigError(f"尚未创建任何账号，不能在 {host} 上对外提供服务（任何能访问的人都能读取全部草稿）",
                      hint=f"请先创建第一个管理员：{FIRST_ADMIN}；或只在本机使用 --host 127.0.0.1")
