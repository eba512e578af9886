"""Network helpers for tests and benches: a free loopback port, waiting for a server to answer, and the guard
that keeps the suite on loopback."""

from __future__ import annotations

import ipaddress
import socket
import subprocess
import time
from collections.abc import Callable
from typing import Any

import httpx

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status_200(r: httpx.Response) -> bool:
    return r.status_code == 200


def wait_for(url: str, *, timeout: float = 60, proc: subprocess.Popen[bytes] | None = None, interval: float = 0.2,
             request_timeout: float = 1, ready: Callable[[httpx.Response], bool] = _status_200) -> bool:
    """Poll `url` until its answer is `ready` (default: status 200). False when `timeout` seconds pass first,
    or when `proc` (the server being waited for) exits."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if ready(httpx.get(url, timeout=request_timeout)):
                return True
        except httpx.HTTPError:
            pass
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            return False
        time.sleep(interval)


class NonLoopbackConnection(AssertionError):
    """A test tried to reach a real network address: tests must never leave this machine."""


def _is_loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(address: Any, family: int) -> None:
    if family == socket.AF_UNIX or not isinstance(address, tuple):
        return
    if not _is_loopback(address[0]):
        raise NonLoopbackConnection(f"test tried to connect to {address[0]!r}: only loopback is allowed")


def _connect(self: socket.socket, address: Any) -> None:
    _check(address, self.family)
    _real_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    _check(address, self.family)
    return _real_connect_ex(self, address)


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None and not _is_loopback(host):
        raise NonLoopbackConnection(f"test tried to resolve {host!r}: only loopback is allowed")
    return _real_getaddrinfo(host, *args, **kwargs)


def install_loopback_guard() -> None:
    """Every connection and name lookup in this process must stay on loopback (subprocesses the tests start
    get fake endpoints on 127.0.0.1 and no real keys, see conftest)."""
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo
