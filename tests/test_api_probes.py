"""The routes this wave added, probed as a hostile or careless client would: without credentials, oversized,
malformed, and two writers at once. Nothing answers 500, nothing is read that was not sent, no write is lost."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from drafter.api import create_app
from drafter.corpus.embedding import HashEmbedder
from drafter.settings import Settings
from drafter.workspace import Workspace
from tests.support.api_client import KEY, keyed_client
from tests.test_api import FACTS


@pytest.fixture
def keyed(data_dir: Path) -> TestClient:
    return keyed_client(data_dir)


def test_new_routes_refuse_without_credentials(keyed: TestClient) -> None:
    draft = keyed.post("/api/v1/drafts", json={"facts": FACTS}, headers=KEY).json()
    probes = [("GET", f"/api/v1/drafts/{draft['id']}/trace"), ("GET", f"/api/v1/drafts/{draft['id']}/events"),
              ("POST", f"/api/v1/drafts/{draft['id']}/resume"),
              ("GET", f"/api/v1/drafts/{draft['id']}/export?format=xlsx"), ("POST", "/api/v1/facts/extract")]
    for method, url in probes:
        r = keyed.request(method, url)
        assert r.status_code == 401, (url, r.status_code)
        assert "32户" not in r.text


def test_oversized_and_malformed_inputs_are_refused_not_crashed(keyed: TestClient) -> None:
    big = b"x" * (21 << 20)
    r = keyed.post("/api/v1/facts/extract", files=[("files", ("a.txt", big))], data={"year": "2024"}, headers=KEY)
    assert r.status_code == 413
    for data in ({"year": "明年"}, {"year": "99999"}, {}):
        r = keyed.post("/api/v1/facts/extract", files=[("files", ("a.txt", "慰问32户".encode()))], data=data,
                       headers=KEY)
        assert r.status_code == 422, (data, r.text)
    r = keyed.post("/api/v1/facts/extract", data={"year": "2024"},
                   files=[("files", ("../../etc/passwd", b"root:x:0:0")), ("files", ("坏.docx", b"PK junk"))],
                   headers=KEY)
    assert r.status_code in (200, 422) and "root:x" not in r.text
    for url in ("/api/v1/drafts/..%2F..%2Fetc/trace", "/api/v1/drafts/nope/trace",
                "/api/v1/drafts/nope/export?format=xlsx", "/api/v1/drafts/nope/resume"):
        method = "POST" if url.endswith("resume") else "GET"
        assert keyed.request(method, url, headers=KEY).status_code in (404, 422), url
    assert keyed.get("/api/v1/drafts/x/export?format=exe", headers=KEY).status_code == 422


def test_check_at_and_past_its_length_limit(keyed: TestClient) -> None:
    """A check takes MAX_CHECK_CHARS characters; one more is a 422 in Chinese (never a 500), and two
    checks at the limit at once both answer; without the key, 401 before anything is read."""
    from drafter.checking import MAX_CHECK_CHARS

    at_limit = {"facts_text": "慰问困难职工32户", "draft": "1" * MAX_CHECK_CHARS}
    r = keyed.post("/api/v1/check", json={**at_limit, "draft": at_limit["draft"] + "1"}, headers=KEY)
    assert r.status_code == 422 and "过长" in r.json()["detail"] and str(MAX_CHECK_CHARS) in r.json()["detail"]
    r = keyed.post("/api/v1/check", json={"facts_text": "慰问困难职工32户", "draft": "3万" * MAX_CHECK_CHARS},
                   headers=KEY)
    assert r.status_code == 422
    codes: list[int] = []
    threads = [threading.Thread(target=lambda: codes.append(
        keyed.post("/api/v1/check", json=at_limit, headers=KEY).status_code)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert codes == [200, 200]
    assert keyed.post("/api/v1/check", json=at_limit).status_code == 401
    assert keyed.post("/api/v1/check", content=b'{"draft": "1', headers={**KEY, "Content-Type": "application/json"}
                      ).status_code == 422


def test_two_resumes_at_once_write_each_section_once(data_dir: Path) -> None:
    """An interrupted draft resumed by two clients at once: one writes it, the other joins or is told 409;
    every section ends written exactly once more."""
    from drafter.facts import load_facts
    from tests.support.gated import GatedGenerator, cut_draft

    gen = GatedGenerator(hold={2})
    ws = Workspace(Settings(data_dir=data_dir), embedder=HashEmbedder(), generator=gen)
    ws.refresh_index()

    draft_id = asyncio.run(cut_draft(ws, load_facts(Path(__file__).parent / "data" / "facts" / "enterprise.txt")))
    gen.release()
    statuses: list[int] = []
    with TestClient(create_app(ws)) as client:  # one event loop for both requests, as under uvicorn

        def resume() -> None:
            statuses.append(client.post(f"/api/v1/drafts/{draft_id}/resume").status_code)

        threads = [threading.Thread(target=resume, daemon=True) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert sorted(statuses) in ([200, 200], [200, 409]), statuses
    draft = ws.get_draft(draft_id)
    assert draft.complete and gen.asked[2] == 2  # the cut section asked once before, once on resume
    assert [v.version for v in ws.draft_versions(draft_id, 2)] == [0]


def test_a_run_on_another_event_loop_is_refused_not_joined(data_dir: Path) -> None:
    """Two event loops in one process (a client without a shared loop, a UI thread running its own): a
    resume on the second loop cannot follow the first loop's run (its events would never wake it) and
    must say so at once instead of hanging."""
    from drafter.errors import ConflictError
    from drafter.facts import load_facts
    from tests.support.gated import GatedGenerator, cut_draft

    gen = GatedGenerator(hold={2})
    ws = Workspace(Settings(data_dir=data_dir), embedder=HashEmbedder(), generator=gen)
    ws.refresh_index()
    draft_id = asyncio.run(cut_draft(ws, load_facts(Path(__file__).parent / "data" / "facts" / "enterprise.txt")))
    started, finish = threading.Event(), threading.Event()

    async def first() -> None:
        run = await ws.drafter.start_resume(draft_id)
        started.set()
        await asyncio.to_thread(finish.wait, 30)
        gen.release()
        await run.result()

    t = threading.Thread(target=asyncio.run, args=(first(),), daemon=True)
    t.start()
    assert started.wait(30)
    with pytest.raises(ConflictError):
        asyncio.run(asyncio.wait_for(ws.drafter.start_resume(draft_id), 10))
    assert ws.drafter.running(draft_id) is not None  # outside any loop: the caller decides
    finish.set()
    t.join(30)
    assert ws.get_draft(draft_id).complete


def test_offline_drafts_edits_searches_and_uploads_at_once(keyed: TestClient) -> None:
    """This session's paths under a careless client: the offline drafter's one-transaction save, the exact dense
    search (rebuilt when an upload changes the corpus). Without the key 401; past the limits 422; two drafts,
    an edit, searches and an upload at once all answer 200 and the edit is kept."""
    from drafter.facts import MAX_ITEMS

    facts = dict(FACTS)
    with keyed as client:
        assert client.post("/api/v1/drafts", json={"facts": facts}).status_code == 401
        assert client.get("/api/v1/search", params={"q": "慰问困难职工"}).status_code == 401
        too_many = {**facts, "items": [f"慰问困难职工{i}户" for i in range(MAX_ITEMS + 1)]}
        assert client.post("/api/v1/drafts", json={"facts": too_many}, headers=KEY).status_code == 422
        assert client.post("/api/v1/drafts", json={"facts": "单位：某厂"}, headers=KEY).status_code == 422
        assert client.get("/api/v1/search", params={"q": "慰" * 2001}, headers=KEY).status_code == 422
        assert client.get("/api/v1/search", params={"q": "慰问", "k": 51}, headers=KEY).status_code == 422
        at_limit = client.post("/api/v1/drafts", json={"facts": {**facts, "items": [
            f"走访慰问困难职工{i}户" for i in range(MAX_ITEMS)]}}, headers=KEY)
        assert at_limit.status_code == 200 and all(s["status"] == "done" for s in at_limit.json()["sections"])

        first = client.post("/api/v1/drafts", json={"facts": facts}, headers=KEY).json()
        codes: list[tuple[str, int]] = []
        hits: list[list[str]] = []

        def draft() -> None:
            r = client.post("/api/v1/drafts", json={"facts": facts}, headers=KEY)
            done = r.status_code == 200 and all(s["status"] == "done" for s in r.json()["sections"])
            codes.append(("draft", r.status_code if done else -1))  # a thread's assert would not fail the test

        def edit() -> None:
            r = client.patch(f"/api/v1/drafts/{first['id']}/sections/1", json={"text": "用户改写的一节。"},
                             headers=KEY)
            codes.append(("edit", r.status_code))

        def search() -> None:
            for _ in range(5):
                r = client.get("/api/v1/search", params={"q": "给生活困难的员工送温暖", "k": 8}, headers=KEY)
                codes.append(("search", r.status_code))
                hits.append([h["chunk_id"] for h in r.json()["hits"]])

        def upload() -> None:
            text = "某厂2024年工会工作总结\n\n一、关心困难职工\n\n走访慰问困难职工家庭25户，送去慰问金。\n"
            r = client.post("/api/v1/corpus", files=[("files", ("probe.txt", text.encode()))], headers=KEY)
            codes.append(("upload", r.status_code))

        threads = [threading.Thread(target=f, daemon=True) for f in (draft, draft, edit, search, upload)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert sorted(c for _, c in codes) == [200] * 9, codes
        assert all(len(h) == len(set(h)) > 0 for h in hits)  # no chunk twice, never empty
        kept = client.get(f"/api/v1/drafts/{first['id']}", headers=KEY).json()
        assert kept["sections"][1]["text"] == "用户改写的一节。"
        assert any(h["doc_id"] == "probe" for h in client.get(
            "/api/v1/search", params={"q": "走访慰问困难职工家庭25户", "k": 10}, headers=KEY).json()["hits"])
