"""Real processes for the team tests: a `chroma run` server and `drafter serve --workers N` servers.

Nothing is mocked at these boundaries: the servers are the shipped command line, talking to a real
PostgreSQL (tools/pg_test_cluster.sh) and a real Chroma server. In CI (CI=true) a missing `chroma`
executable fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

from tests.support.net import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]


def chroma_exe() -> str:
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    if not Path(exe).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but the `chroma` command (chromadb) is not installed")
        pytest.skip("the team tests need the `chroma` command (chromadb)")
    return exe


@contextmanager
def chroma_server(path: Path) -> Iterator[int]:
    port = free_port()
    proc = subprocess.Popen([chroma_exe(), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        if not wait_for(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc=proc):
            pytest.fail("`chroma run` did not start")
        yield port
    finally:
        stop(proc)


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without any drafter, OpenAI or Chroma setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRAFTER_", "OPENAI_", "CHROMA_"))}
    env["PYTHONPATH"] = str(ROOT)
    return env | extra


def drafter(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "drafter", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


class Server:
    def __init__(self, proc: subprocess.Popen[bytes], base: str, log: Path) -> None:
        self.proc, self.base, self.log = proc, base, log

    def kill(self) -> None:
        """Kill every process of the server at once (a machine that dies), no clean shutdown."""
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


@contextmanager
def serve(env: dict[str, str], log: Path, *, workers: int = 2, timeout: float = 120,
          healthy: bool = True) -> Iterator[Server]:
    """`drafter serve --no-ui --workers N` on a free port; waits for health 200 (`healthy=False`: for any
    answer at all, for a server whose services are down)."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "drafter", "serve", "--no-ui", "--port", str(port),
                                 "--workers", str(workers)], env=env, cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(proc, f"http://127.0.0.1:{port}", log)
    try:
        wait_healthy(server, timeout, any_answer=not healthy)
        yield server
    finally:
        stop(proc)


def wait_healthy(server: Server, timeout: float = 120, *, any_answer: bool = False) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if server.proc.poll() is not None:
            pytest.fail(f"drafter serve exited with {server.proc.returncode}: {server.log.read_text()[-2000:]}")
        try:
            status = httpx.get(f"{server.base}/api/v1/health", timeout=10).status_code
            if status == 200 or any_answer:
                return time.monotonic() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"drafter serve not healthy after {timeout} s: {server.log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
