"""A draft runs on its own: a consumer that leaves does not stop it, a killed process leaves it interrupted
and resumable, and the HTTP API keeps every one of several concurrent edits. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from drafter.api import create_app
from drafter.cli import main as cli_main
from drafter.errors import ConflictError
from drafter.facts import load_facts
from drafter.settings import REPO_ROOT
from drafter.workspace import Workspace
from tests.support.gated import GatedGenerator, bare_workspace, cut_draft, reply_for

pytest_plugins = ["tests.support.db_fixtures"]  # the db_url fixture: one run per engine
FACTS = Path(__file__).parent / "data" / "facts" / "manufacturer_six_sections.txt"
HANG_GUARD = 30.0  # seconds; each of these runs takes well under one


def wait_until(predicate, what: str, timeout: float = HANG_GUARD) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


# --- the consumer leaves (hardening issue, defect 5) --------------------------------------------------------
def test_leaving_the_event_stream_does_not_cancel_the_draft(data_dir: Path, db_url: str) -> None:
    gen = GatedGenerator(hold={3})
    ws = bare_workspace(data_dir, db_url, gen)

    async def scenario() -> str:
        events = ws.draft_stream(load_facts(FACTS))
        first = await anext(events)
        assert first.type == "outline" and first.draft is not None
        await events.aclose()  # the client went away
        gen.release(3)
        deadline = time.monotonic() + HANG_GUARD
        while any(s.status == "pending" for s in ws.get_draft(first.draft.id).sections):
            assert time.monotonic() < deadline, "the draft stopped when its consumer left"
            await asyncio.sleep(0.02)
        return first.draft.id

    draft_id = run(scenario())
    draft = ws.get_draft(draft_id)
    assert [s.text for s in draft.sections] == [reply_for(i, 0) for i in range(len(draft.sections))]
    assert draft.status == "done"


def test_cancelled_run_is_interrupted_then_resumed(data_dir: Path, db_url: str, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A shutdown cancels the run: what was written stays, the draft says interrupted, resume finishes it."""
    gen = GatedGenerator(hold={2, 7})
    ws = bare_workspace(data_dir, db_url, gen)

    draft_id = run(cut_draft(ws, load_facts(FACTS), left=2))
    draft = ws.get_draft(draft_id)
    assert draft.status == "interrupted" and not draft.complete
    assert [s.index for s in draft.sections if s.status == "pending"] == [2, 7]
    assert ws.list_drafts()[0]["status"] == "interrupted"
    monkeypatch.setenv("DRAFTER_DATABASE_URL", db_url)
    capsys.readouterr()
    assert cli_main(["drafts"]) == 0
    assert f"{draft_id}\t" in capsys.readouterr().out.split("已中断（可继续）")[0]
    gen.release()
    resumed = run(ws.resume(draft_id))
    assert resumed.status == "done" and all(s.status == "done" for s in resumed.sections)
    assert resumed.sections[2].text == reply_for(2, 1) and resumed.sections[7].text == reply_for(7, 1)
    assert run(ws.resume(draft_id)) == ws.get_draft(draft_id)  # nothing left: nothing written


def test_killed_process_leaves_the_draft_interrupted_and_resumable(data_dir: Path, db_url: str) -> None:
    """A real process drafting is killed with SIGKILL: the next start-up marks its draft interrupted, and
    resume writes only the sections that were not finished."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.crash_drafter", str(data_dir), db_url, "4,6"],
                            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        draft_id = proc.stdout.readline().strip()
        assert draft_id, proc.stderr.read() if proc.stderr else ""
        watcher = bare_workspace(data_dir, db_url)
        n = len(watcher.get_draft(draft_id).sections)
        wait_until(lambda: watcher.list_drafts()[0]["sections_done"] == n - 2, "the other sections")
        # The process is alive: a second process opening the database must not call its draft interrupted.
        assert bare_workspace(data_dir, db_url).get_draft(draft_id).status == "running"
        with pytest.raises(ConflictError):
            run(watcher.resume(draft_id))
        before = watcher.get_draft(draft_id)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL

    gen = GatedGenerator()
    ws = bare_workspace(data_dir, db_url, gen)  # "start-up" after the crash
    draft = ws.get_draft(draft_id)
    assert draft.status == "interrupted" and not draft.complete
    assert [s.index for s in draft.sections if s.status == "pending"] == [4, 6]
    assert {r["id"]: r["status"] for r in ws.list_drafts()} == {draft_id: "interrupted"}

    resumed = run(ws.resume(draft_id))
    assert sorted(gen.calls) == [4, 6]  # only the unfinished sections were written
    assert resumed.status == "done"
    for s in resumed.sections:
        if s.index in (4, 6):
            assert s.status == "done" and s.text == reply_for(s.index, 0)
        else:
            assert s == before.sections[s.index]
            assert [v.version for v in ws.store.versions(draft_id, s.index)] == [0]


# --- through the HTTP API ---------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(ws: Workspace) -> Iterator[str]:
    """The API (no web UI) on a real uvicorn server in a thread of this process."""
    server = uvicorn.Server(uvicorn.Config(create_app(ws), host="127.0.0.1", port=_free_port(),
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, "the server")
    try:
        yield f"http://127.0.0.1:{server.config.port}/api/v1"
    finally:
        server.should_exit = True
        thread.join(15)


ROUNDS = 10


def test_api_seven_concurrent_patches_all_survive(data_dir: Path, db_url: str) -> None:
    ws = bare_workspace(data_dir, db_url)
    draft = run(ws.draft(load_facts(FACTS)))
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # the server's worker threads switch often, as on a loaded machine
    with serving(ws) as base, httpx.Client(timeout=30) as client:
        for r in range(ROUNDS):
            start = threading.Barrier(7)

            def patch(i: int, r: int = r, start: threading.Barrier = start) -> int:
                start.wait(10)
                return client.patch(f"{base}/drafts/{draft.id}/sections/{i}",
                                    json={"text": f"接口第{r}轮改写第{i}节。"}).status_code

            with ThreadPoolExecutor(7) as pool:
                assert list(pool.map(patch, range(7))) == [200] * 7
            got = client.get(f"{base}/drafts/{draft.id}").json()["sections"]
            lost = [i for i in range(7) if got[i]["text"] != f"接口第{r}轮改写第{i}节。"]
            assert lost == [], f"round {r}: edits of sections {lost} lost"
        sys.setswitchinterval(old_interval)
        r = client.patch(f"{base}/drafts/{draft.id}/sections/0", json={"text": " \u0000 "})
        assert r.status_code == 422 and "正文不能为空" in r.json()["detail"]
    assert [v.version for v in ws.store.versions(draft.id, 0)] == list(range(ROUNDS + 1))


def test_api_refuses_an_outline_over_the_limit(data_dir: Path, db_url: str) -> None:
    from fastapi.testclient import TestClient

    ws = bare_workspace(data_dir, db_url)
    outline = [{"kind": "body", "heading": f"第{i}部分"} for i in range(2000)]
    client = TestClient(create_app(ws))
    r = client.post("/api/v1/drafts", json={"facts": load_facts(FACTS).model_dump(), "outline": outline})
    assert r.status_code == 422 and "超过上限 30 节" in r.json()["detail"]
    assert client.get("/api/v1/drafts").json()["drafts"] == []


def test_api_client_disconnecting_from_the_stream_does_not_cancel_the_draft(data_dir: Path, db_url: str) -> None:
    gen = GatedGenerator(hold={5})
    ws = bare_workspace(data_dir, db_url, gen)
    facts = load_facts(FACTS).model_dump()
    with serving(ws) as base, httpx.Client(timeout=30) as client:
        with client.stream("POST", f"{base}/drafts/stream", json={"facts": facts}) as response:
            assert response.status_code == 200
            for line in response.iter_lines():
                if line.startswith("data: "):
                    first = json.loads(line[6:])
                    break
        # the connection is closed here, while section 5 is still being written
        draft_id = first["draft"]["id"]
        assert gen.started(5)
        time.sleep(0.3)  # let the server notice the disconnect
        gen.release(5)

        def finished() -> bool:
            got = client.get(f"{base}/drafts/{draft_id}").json()
            return all(s["status"] == "done" for s in got["sections"])

        wait_until(finished, "the draft to be finished after the client left")
        assert client.get(f"{base}/drafts/{draft_id}").json()["status"] == "done"


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_which_runners_count_as_dead() -> None:
    from datetime import UTC, datetime, timedelta

    from drafter.storage import runners

    host, pid, start = runners.current().split("|")
    now = datetime.now(UTC)
    assert not runners.is_dead(runners.current(), "")
    assert runners.is_dead("", "")  # a draft from before runners were recorded
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        alive = f"{host}|{child.pid}|{runners._start_ticks(child.pid)}"
        assert not runners.is_dead(alive, "")
        assert runners.is_dead(f"{host}|{child.pid}|1", "")  # the pid now names another process
    finally:
        child.kill()
        child.wait(10)
    assert runners.is_dead(alive, "")
    fresh, stale = (now - timedelta(seconds=20)).isoformat(), (now - runners.STALE_AFTER * 2).isoformat()
    assert not runners.is_dead(f"elsewhere|{pid}|{start}", fresh, now)  # another host: trusted while it beats
    assert runners.is_dead(f"elsewhere|{pid}|{start}", stale, now)


def test_watching_a_draft_again_after_leaving(data_dir: Path, db_url: str) -> None:
    """A client that reconnects sees the stored draft, then the live events, then `done`."""
    gen = GatedGenerator(hold={1})
    ws = bare_workspace(data_dir, db_url, gen)

    async def scenario() -> list[str]:
        started = await ws.start_draft(load_facts(FACTS))
        await asyncio.to_thread(gen.started, 1)
        seen: list[str] = []
        async for event in ws.watch_draft(started.draft_id):
            seen.append(event.type)
            if event.type == "outline":
                assert event.draft is not None and event.draft.status == "running"
                gen.release(1)
            if event.type == "done":
                assert event.draft is not None and event.draft.status == "done"
        return seen

    seen = run(scenario())
    assert seen[0] == "outline" and seen[-1] == "done" and "section" in seen
    draft_id = ws.list_drafts()[0]["id"]
    again = [e.type for e in run(_collect(ws.watch_draft(draft_id)))]
    assert again == ["outline", "done"]  # finished: the stored draft, and done


async def _collect(events):  # type: ignore[no-untyped-def]
    return [e async for e in events]


def test_unreachable_database_says_which_setting_to_check(data_dir: Path) -> None:
    from drafter.errors import ConfigError

    ws = bare_workspace(data_dir, "postgresql+psycopg://drafter:secret@127.0.0.1:9/none?connect_timeout=2")
    with pytest.raises(ConfigError, match="DRAFTER_DATABASE_URL") as err:
        ws.list_drafts()
    assert "secret" not in str(err.value)
