"""Serving a team: what several workers (or machines) need, checked at start, and whether the services
they share answer.

Every worker keeps drafts in the database and vectors in Chroma. Embedded Chroma is a SQLite file with an
in-memory HNSW index per process, so several processes writing it corrupt or miss each other's writes (the
same limit Open WebUI documents); SQLite drafts are fine for several processes on one machine but cannot be
shared between machines. `check_serve` refuses those set-ups before uvicorn forks; `Reachability` answers
`/api/v1/health` and lets the drafting routes say 503 at once when a service is down, rather than hang.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError, UnavailableError
from .settings import Settings

PROBE_EVERY = 2.0  # seconds a reachability answer is reused (a drafting request checks it)
PROBE_TIMEOUT = 3.0


def uses_chroma_server(settings: Settings) -> bool:
    return bool(settings.chroma_host or settings.chroma_port)


def uses_server_database(settings: Settings) -> bool:
    return not settings.resolved_database_url.startswith("sqlite")


def check_serve(settings: Settings, workers: int) -> list[str]:
    """Refuse a start several workers cannot share; return warnings for set-ups that work on one machine only."""
    if workers < 1:
        raise ConfigError("--workers 至少为 1")
    if workers > 1:
        missing = []
        if not uses_chroma_server(settings):
            missing.append("CHROMA_HOST 和 CHROMA_PORT（先启动 `chroma run --path 目录 --host 127.0.0.1 --port 8000`）")
        if not uses_server_database(settings):
            missing.append("DRAFTER_DATABASE_URL=postgresql+psycopg://用户:密码@主机:5432/库名")
        if missing:
            raise ConfigError(
                f"--workers {workers} 需要多个进程共用的向量库和数据库：内置 Chroma 和 SQLite 只能由一个进程写入",
                hint="请设置 " + "；".join(missing) + "，或去掉 --workers",
            )
    warnings = []
    if uses_chroma_server(settings) and not uses_server_database(settings):
        warnings.append("提示：向量库是共用的 Chroma 服务，但草稿仍保存在本机 SQLite 中；"
                        "多台机器共用时请设置 DRAFTER_DATABASE_URL（PostgreSQL）")
    return warnings


@dataclass
class Probe:
    reachable: bool
    detail: str = ""
    at: float = 0.0


class Reachability:
    """Whether the database and Chroma answer, probed at most every PROBE_EVERY seconds."""

    def __init__(self, settings: Settings, engine: Any) -> None:
        self.settings = settings
        self._engine = engine  # a callable returning the SQLAlchemy engine (opening the store may fail)
        self._lock = threading.Lock()
        self._last: dict[str, Probe] = {}

    def database(self) -> Probe:
        return self._cached("database", self._probe_database)

    def chroma(self) -> Probe:
        return self._cached("chroma", self._probe_chroma)

    def report(self) -> dict[str, Any]:
        db, ch = self.database(), self.chroma()
        kind = "postgresql" if uses_server_database(self.settings) else "sqlite"
        mode = "server" if uses_chroma_server(self.settings) else "embedded"
        return {"database": {"kind": kind, "reachable": db.reachable, "detail": db.detail},
                "chroma": {"mode": mode, "reachable": ch.reachable, "detail": ch.detail}}

    def require(self) -> None:
        """Raise UnavailableError (503) naming what does not answer."""
        down = [(name, p) for name, p in (("数据库", self.database()), ("Chroma 向量库", self.chroma()))
                if not p.reachable]
        if down:
            what = "、".join(name for name, _ in down)
            raise UnavailableError(f"{what}暂时无法连接，请稍后再试",
                                   hint="；".join(p.detail for _, p in down if p.detail) or "请联系管理员")

    def _cached(self, key: str, probe: Any) -> Probe:
        now = time.monotonic()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last.at < PROBE_EVERY:
                return last
        result = probe()
        result.at = time.monotonic()
        with self._lock:
            self._last[key] = result
        return result

    def _probe_database(self) -> Probe:
        try:
            engine = self._engine()
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            return Probe(True)
        except Exception as exc:  # any failure means "not reachable"; the detail says which
            return Probe(False, f"数据库：{_short(exc)}（检查 DRAFTER_DATABASE_URL 和数据库服务）")

    def _probe_chroma(self) -> Probe:
        if not uses_chroma_server(self.settings):
            return Probe(True)
        import httpx

        host = self.settings.chroma_host or "127.0.0.1"
        port = self.settings.chroma_port or 8000
        try:
            r = httpx.get(f"http://{host}:{port}/api/v2/heartbeat", timeout=PROBE_TIMEOUT)
            if r.status_code == 200:
                return Probe(True)
            return Probe(False, f"Chroma {host}:{port} 返回 {r.status_code}")
        except httpx.HTTPError as exc:
            return Probe(False, f"Chroma {host}:{port}：{_short(exc)}（检查 `chroma run` 和 CHROMA_HOST/CHROMA_PORT）")


def _short(exc: BaseException) -> str:
    """The first line of an error, with any password in a connection URL hidden."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", text)[:200]
