"""Who is writing a draft, and whether that process still lives: how drafts left `running` by a process that
died (kill -9, power loss, a container restart) are told apart from drafts another live process is writing.

A runner is `host|pid|start`, `start` being the process's start time from /proc (so a reused pid — every
container's server is pid 1 — is not mistaken for the old process). A runner on another host cannot be
probed; it is dead when its heartbeat (refreshed while it writes) is older than STALE_AFTER.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

HEARTBEAT_EVERY = 15.0  # seconds between heartbeats of a running draft
STALE_AFTER = timedelta(minutes=2)


def _start_ticks(pid: int) -> str:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), "" if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]  # fields after the command name start at field 3


@cache
def current() -> str:
    return f"{socket.gethostname()}|{os.getpid()}|{_start_ticks(os.getpid())}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_dead(runner: str, heartbeat_at: str, now: datetime | None = None) -> bool:
    """True when the process named by `runner` has certainly stopped writing."""
    if runner == current():  # this very process
        return False
    parts = runner.split("|")
    if len(parts) != 3 or not parts[1].isdigit():
        return True  # no runner recorded (a draft from before runners existed)
    host, pid, start = parts[0], int(parts[1]), parts[2]
    if host == socket.gethostname():
        return not _pid_alive(pid) or _start_ticks(pid) != start
    try:
        beat = datetime.fromisoformat(heartbeat_at)
    except ValueError:
        return True
    return (now or datetime.now(UTC)) - beat > STALE_AFTER
