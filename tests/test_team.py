"""A team server: several `drafter serve --workers 2` processes behind one PostgreSQL and one `chroma run`.

Real processes, real PostgreSQL (DRAFTER_TEST_DATABASE_URL from tools/pg_test_cluster.sh), a real Chroma
server and a real OpenAI-compatible endpoint on loopback (tests/support/fake_openai.py): a draft started
through one server is read, edited, regenerated and exported through the other; a document added through
one is searchable through every worker of both; a server killed mid-draft leaves a draft the other resumes.
In CI (CI=true) a missing PostgreSQL or `chroma` fails these tests rather than skipping them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.databases import PgSchemas, pg_base_url
from tests.support.fake_openai import FakeOpenAI
from tests.support.net import free_port
from tests.support.team_servers import Server, chroma_server, clean_env, drafter, serve

FACTS = {"org": "XX市供电公司", "year": 2024, "org_type": "企业", "superior": "市总工会",
         "items": ["召开职工代表大会，审议通过集体合同", "走访慰问困难职工家庭", "组织职工技能比武"],
         "shortcomings": ["职工书屋利用率不高"], "plans": ["开展职工技能运动会"]}
UNIQUE = "雪域高原流动职工驿站"  # a phrase no bundled summary contains


def reply(body: dict) -> str:
    """Section text without figures: nothing to flag, so no repair request; an instruction shows in it."""
    user = body["messages"][-1]["content"]
    extra = "（按要求改写）" if "修改要求" in user else ""
    return "工会认真组织开展各项工作，广大职工积极参与，取得了良好成效。" * 3 + extra


@dataclass
class Team:
    env: dict[str, str]
    a: Server
    b: Server
    c: Server  # another machine: its own data dir, never indexed there; same database and Chroma
    llm: FakeOpenAI
    tmp: Path


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    base = pg_base_url()
    assert base is not None
    tmp = tmp_path_factory.mktemp("team")
    schemas = PgSchemas(base)
    try:
        with chroma_server(tmp / "chroma") as chroma_port, \
                FakeOpenAI(reply, first_token_delay=0.05, chars_per_second=400) as llm:
            env = clean_env(DRAFTER_DATA_DIR=str(tmp / "data"), DRAFTER_DATABASE_URL=schemas.new_url(),
                            CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(chroma_port), OPENAI_BASE_URL=llm.base_url,
                            OPENAI_API_KEY="sk-test", DRAFTER_MODEL="team-model")
            built = drafter("index", env=env)
            assert built.returncode == 0, built.stderr
            other = env | {"DRAFTER_DATA_DIR": str(tmp / "machine-2")}
            with serve(env, tmp / "a.log") as a, serve(env, tmp / "b.log") as b, serve(other, tmp / "c.log") as c:
                yield Team(env, a, b, c, llm, tmp)
    finally:
        schemas.drop()


def fresh(method: str, url: str, **kw: object) -> httpx.Response:
    """One request on a new connection, so the kernel may hand it to any worker of the server."""
    with httpx.Client(timeout=120) as c:
        return c.request(method, url, **kw)  # type: ignore[arg-type]


def workers_of(server: Server, want: int = 2, tries: int = 200) -> set[str]:
    seen: set[str] = set()
    for _ in range(tries):
        seen.add(fresh("GET", f"{server.base}/api/v1/health").headers["x-drafter-worker"])
        if len(seen) >= want:
            break
    return seen


def shown(draft: dict) -> list[tuple[int, str, str, int]]:
    return [(s["index"], s["status"], s["text"], s["version"]) for s in draft["sections"]]


def sse_events(lines: Iterable[str]) -> list[tuple[str, dict]]:
    """A server-sent event stream's events, in order: (event name, its JSON data)."""
    events: list[tuple[str, dict]] = []
    name = ""
    for line in lines:
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            events.append((name, json.loads(line[5:])))
    return events


def stream(server: Server, body: dict) -> tuple[list[tuple[str, dict]], str]:
    with httpx.Client(timeout=120) as c, c.stream("POST", f"{server.base}/api/v1/drafts/stream", json=body) as r:
        assert r.status_code == 200, r.read()
        return sse_events(r.iter_lines()), r.headers["x-drafter-worker"]


# --- start-up -----------------------------------------------------------------------------------------------
def test_several_workers_refused_without_shared_services(tmp_path: Path) -> None:
    env = clean_env(DRAFTER_DATA_DIR=str(tmp_path))
    r = drafter("serve", "--workers", "2", "--port", str(free_port()), env=env, timeout=60)
    assert r.returncode == 4
    assert "CHROMA_HOST" in r.stderr and "DRAFTER_DATABASE_URL" in r.stderr
    # a Chroma server but drafts in SQLite: still refused, and the message names only what is missing
    r = drafter("serve", "--workers", "2", "--port", str(free_port()),
                env=env | {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(free_port())}, timeout=60)
    assert r.returncode == 4 and "DRAFTER_DATABASE_URL" in r.stderr and "CHROMA_HOST 和" not in r.stderr


def test_health_reports_database_and_chroma(team: Team) -> None:
    body = fresh("GET", f"{team.a.base}/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["database"] == {"kind": "postgresql", "reachable": True, "detail": "", "mode": None}
    assert body["chroma"]["mode"] == "server" and body["chroma"]["reachable"] is True
    assert len(workers_of(team.a)) == 2 and len(workers_of(team.b)) == 2  # --workers 2 is two processes


def test_unreachable_chroma_is_503_not_a_hang(team: Team) -> None:
    env = team.env | {"CHROMA_PORT": str(free_port())}  # nothing listens there
    with serve(env, team.tmp / "down.log", workers=1, healthy=False) as down:
        t = time.monotonic()
        health = fresh("GET", f"{down.base}/api/v1/health")
        assert health.status_code == 503
        assert health.json()["chroma"]["reachable"] is False and health.json()["database"]["reachable"] is True
        r = fresh("POST", f"{down.base}/api/v1/drafts", json={"facts": FACTS})
        assert r.status_code == 503 and "Chroma" in r.json()["detail"]
        assert time.monotonic() - t < 30  # hang guard: both answers come within the probe timeouts


# --- drafts across workers and servers ------------------------------------------------------------------------
def test_draft_started_on_one_server_is_read_edited_regenerated_exported_on_the_other(team: Team) -> None:
    events, _ = stream(team.a, {"facts": FACTS})
    kinds = [k for k, _ in events]
    assert kinds[0] == "outline" and kinds[-1] == "done" and "delta" in kinds
    draft = events[-1][1]["draft"]
    n = len(draft["sections"])
    assert all(s["status"] == "done" for s in draft["sections"])
    for i in range(n):  # streamed text adds up to each stored section
        assert "".join(d["text"] for k, d in events if k == "delta" and d["index"] == i) \
            in draft["sections"][i]["text"]

    seen = set()
    for _ in range(6):
        r = fresh("GET", f"{team.b.base}/api/v1/drafts/{draft['id']}")
        assert r.status_code == 200 and shown(r.json()) == shown(draft)
        seen.add(r.headers["x-drafter-worker"])
    regen = fresh("POST", f"{team.b.base}/api/v1/drafts/{draft['id']}/sections/1/regenerate",
                  json={"instruction": "更简洁"})
    assert regen.status_code == 200, regen.text
    assert "按要求改写" in regen.json()["sections"][1]["text"] and regen.json()["sections"][1]["version"] == 1
    edit = fresh("PATCH", f"{team.a.base}/api/v1/drafts/{draft['id']}/sections/2", json={"text": "团队共同修改的文字。"})
    assert edit.status_code == 200
    md = fresh("GET", f"{team.b.base}/api/v1/drafts/{draft['id']}/export", params={"format": "md"})
    assert md.status_code == 200
    text = md.content.decode()
    assert "按要求改写" in text and "团队共同修改的文字。" in text
    listed = fresh("GET", f"{team.a.base}/api/v1/drafts").json()["drafts"]
    assert any(d["id"] == draft["id"] and d["status"] == "done" for d in listed)


def test_document_added_on_one_worker_is_searchable_on_every_worker(team: Team) -> None:
    text = f"某公司2023年工会工作总结\n\n一、关爱一线职工\n今年在{UNIQUE}开展送温暖活动，为职工提供休息场所和热水。\n"
    r = fresh("POST", f"{team.a.base}/api/v1/corpus", files={"files": ("驿站总结.txt", text.encode())})
    assert r.status_code == 200, r.text
    added_at = time.monotonic()
    found_on: dict[str, float] = {}
    workers = workers_of(team.a) | workers_of(team.b) | workers_of(team.c)
    while set(found_on) != workers and time.monotonic() - added_at < 30:  # hang guard; the target is 5 s
        for server in (team.a, team.b, team.c):
            hit = fresh("GET", f"{server.base}/api/v1/search", params={"q": UNIQUE, "k": 3})
            assert hit.status_code == 200
            if any(UNIQUE in h["text"] for h in hit.json()["hits"]):
                found_on.setdefault(hit.headers["x-drafter-worker"], time.monotonic() - added_at)
    assert set(found_on) == workers, f"found on {found_on}, workers {workers}"
    listed = fresh("GET", f"{team.b.base}/api/v1/corpus").json()["documents"]
    assert any(d["source"] == "驿站总结.txt" for d in listed)
    assert fresh("GET", f"{team.c.base}/api/v1/corpus").json()["documents"] == listed


def test_another_machine_serves_the_same_corpus_and_drafts(team: Team) -> None:
    """Machine 2 never ran `drafter index`: the corpus came from the database, the vectors from Chroma."""
    assert fresh("GET", f"{team.c.base}/api/v1/corpus").json() == fresh("GET", f"{team.a.base}/api/v1/corpus").json()
    q = {"q": "困难职工帮扶 送温暖", "k": 5}
    assert fresh("GET", f"{team.c.base}/api/v1/search", params=q).json() == \
        fresh("GET", f"{team.a.base}/api/v1/search", params=q).json()
    events, _ = stream(team.c, {"facts": FACTS})
    draft = events[-1][1]["draft"]
    assert all(s["sources"] for s in draft["sections"])  # exemplars retrieved on machine 2
    assert shown(fresh("GET", f"{team.a.base}/api/v1/drafts/{draft['id']}").json()) == shown(draft)


def test_draft_of_a_killed_server_is_resumed_through_another(team: Team) -> None:
    team.llm.chars_per_second = 15  # slow enough to kill the server mid-draft
    try:
        with serve(team.env, team.tmp / "dying.log", workers=1) as dying, httpx.Client(timeout=120) as c, \
                    c.stream("POST", f"{dying.base}/api/v1/drafts/stream", json={"facts": FACTS}) as r:
            lines = r.iter_lines()
            draft_id = ""
            for line in lines:
                if line.startswith("data:") and '"outline"' in line:
                    draft_id = json.loads(line[5:])["draft"]["id"]
                if line.startswith("event: delta"):
                    break
            dying.kill()
    finally:
        team.llm.chars_per_second = 400
    assert draft_id
    r = fresh("POST", f"{team.b.base}/api/v1/drafts/{draft_id}/resume")
    assert r.status_code == 200, r.text
    resumed = r.json()
    assert all(s["status"] == "done" for s in resumed["sections"])
    assert shown(fresh("GET", f"{team.a.base}/api/v1/drafts/{draft_id}").json()) == shown(resumed)


def test_a_draft_written_by_one_server_is_watched_through_another(team: Team) -> None:
    """`GET /drafts/{id}/events` on a worker that is not writing the draft follows it through the database:
    a `section` event as each is stored, then `done`."""
    team.llm.chars_per_second = 30  # a few seconds of writing
    try:
        with httpx.Client(timeout=120) as c, \
                c.stream("POST", f"{team.a.base}/api/v1/drafts/stream", json={"facts": FACTS}) as r:
            draft_id = ""
            for line in r.iter_lines():
                if line.startswith("data:") and '"outline"' in line:
                    draft_id = json.loads(line[5:])["draft"]["id"]
                    break  # leave: the draft goes on being written on server A
        assert draft_id
        with httpx.Client(timeout=120) as c, c.stream("GET", f"{team.b.base}/api/v1/drafts/{draft_id}/events") as r:
            assert r.status_code == 200
            events = sse_events(r.iter_lines())
    finally:
        team.llm.chars_per_second = 400
    kinds = [k for k, _ in events]
    assert kinds[0] == "outline" and events[0][1]["draft"]["status"] == "running"
    assert kinds[-1] == "done" and events[-1][1]["draft"]["status"] == "done"
    final = events[-1][1]["draft"]
    already = {s["index"] for s in events[0][1]["draft"]["sections"] if s["status"] == "done"}
    streamed = {d["index"] for k, d in events if k == "section"}
    assert streamed and already | streamed == set(range(len(final["sections"])))
