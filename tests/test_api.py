"""The HTTP API: every route, auth, 413/422, streaming, and a live server that keeps drafts across restarts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from drafter.api import create_app
from drafter.workspace import Workspace
from tests.support import api_client
from tests.support.net import free_port, wait_for

FACTS = {
    "org": "XX市供电公司",
    "year": 2024,
    "org_type": "企业",
    "superior": "市总工会和公司党委",
    "items": [
        "召开三届二次职工代表大会，审议通过集体合同",
        "全年走访慰问困难职工家庭32户，发放慰问金6.4万元",
        "组织职工技能比武3场，参赛职工126人次",
        "举办职工篮球赛，参与职工300余人",
        "职工书屋新增图书800册",
    ],
    "shortcomings": ["职工书屋利用率不高"],
    "plans": ["开展第二届职工技能运动会"],
}
FACTS_TEXT = "单位：XX学校\n年度：2024\n单位类型：学校\n组织教职工篮球赛，参赛80人\n慰问困难教职工5户\n"


@pytest.fixture
def client(fast_ws: Workspace) -> TestClient:
    return TestClient(create_app(fast_ws))


@pytest.fixture
def keyed_client(data_dir: Path) -> TestClient:
    return api_client.keyed_client(data_dir)


def test_health(client: TestClient) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["backend"] == "offline" and body["index"]["built"] is True and body["index"]["documents"] == 18


def test_draft_get_list_regenerate_export(client: TestClient) -> None:
    r = client.post("/api/v1/drafts", json={"facts": FACTS})
    assert r.status_code == 200, r.text
    draft = r.json()
    assert {"id", "title", "backend", "sections"} <= draft.keys() and draft["backend"] == "offline"
    assert draft["title"] == "XX市供电公司2024年工会工作总结"
    text = "".join(s["text"] for s in draft["sections"])
    for amount in ("32户", "6.4万元", "3场", "126人次", "300余人", "800册"):
        assert amount in text
    assert all({"index", "heading", "text", "flags", "sources"} <= s.keys() for s in draft["sections"])
    assert all(s["sources"] for s in draft["sections"])

    listed = client.get("/api/v1/drafts").json()["drafts"]
    assert [d["id"] for d in listed] == [draft["id"]]
    assert client.get(f"/api/v1/drafts/{draft['id']}").json()["sections"] == draft["sections"]

    r = client.post(f"/api/v1/drafts/{draft['id']}/sections/2/regenerate", json={"instruction": "更简洁"})
    assert r.status_code == 200
    after = r.json()
    assert after["sections"][2]["text"] != draft["sections"][2]["text"]
    assert after["sections"][2]["version"] == 1
    for i, s in enumerate(draft["sections"]):
        if i != 2:
            assert after["sections"][i] == s  # only that section changes

    r = client.get(f"/api/v1/drafts/{draft['id']}/export", params={"format": "md"})
    assert r.status_code == 200 and "# XX市供电公司2024年工会工作总结" in r.text
    r = client.get(f"/api/v1/drafts/{draft['id']}/export", params={"format": "docx"})
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_facts_text_and_edit_rechecks(client: TestClient) -> None:
    draft = client.post("/api/v1/drafts", json={"facts_text": FACTS_TEXT}).json()
    assert draft["title"] == "XX学校2024年工会工作总结"
    body = next(s for s in draft["sections"] if s["kind"] == "body")
    new_text = body["text"] + "另发放慰问品9999份。"
    r = client.patch(f"/api/v1/drafts/{draft['id']}/sections/{body['index']}", json={"text": new_text})
    assert r.status_code == 200
    flags = r.json()["sections"][body["index"]]["flags"]
    assert any(f["text"].startswith("9999") and new_text[f["start"] : f["end"]] == f["text"] for f in flags)


def test_stream_sends_events(client: TestClient) -> None:
    with client.stream("POST", "/api/v1/drafts/stream", json={"facts": FACTS}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ")]
    types = [e["type"] for e in events]
    assert types[0] == "outline" and types[-1] == "done"
    n = len(events[-1]["draft"]["sections"])
    assert types.count("section") == n and "delta" in types
    assert events[-1]["draft"]["id"] == events[0]["draft"]["id"]
    # progress comes from the library's live view: counts rise to complete, only the last says so
    progress = [e["progress"] for e in events if e["type"] == "section"]
    assert [p["done"] for p in progress] == list(range(1, n + 1)) and all(p["total"] == n for p in progress)
    assert events[-1]["progress"]["complete"] is True and not any(p["complete"] for p in progress[:-1])


def test_check_route(client: TestClient) -> None:
    r = client.post("/api/v1/check", json={"facts": FACTS, "draft": "全年走访慰问困难职工家庭35户。"})
    assert r.status_code == 200
    flags = r.json()["flags"]
    assert len(flags) == 1 and flags[0]["text"] == "35户"
    r = client.post("/api/v1/check", json={"facts_text": "慰问困难职工32户", "draft": "慰问困难职工32户。"})
    assert r.json() == {"flags": []}


def test_search_and_corpus_routes(client: TestClient, tmp_path: Path) -> None:
    hits = client.get("/api/v1/search", params={"q": "送温暖", "k": 3}).json()["hits"]
    assert len(hits) == 3 and {"text", "doc_id", "title", "section", "score"} <= hits[0].keys()
    docs = client.get("/api/v1/corpus").json()["documents"]
    assert len(docs) == 18
    content = "2022年工会工作总结\n\n一、送温暖\n\n慰问困难职工12户。\n".encode()
    r = client.post("/api/v1/corpus", files=[("files", ("old.txt", content, "text/plain"))])
    assert r.status_code == 200 and r.json()["added"][0]["doc_id"] == "old"
    r = client.post("/api/v1/corpus", files=[("files", ("bad.txt", "坏文件".encode("gbk"), "text/plain"))])
    assert r.status_code == 422 and "bad.txt" in r.json()["detail"]
    assert len(client.get("/api/v1/corpus").json()["documents"]) == 19  # nothing lost
    assert client.delete("/api/v1/corpus/old").status_code == 200
    assert client.delete("/api/v1/corpus/old").status_code == 404
    assert client.delete("/api/v1/corpus/seed-01").status_code == 422  # bundled: refused


def test_errors_422_404_413(client: TestClient) -> None:
    r = client.post("/api/v1/drafts", json={"facts": {**FACTS, "year": "明年"}})
    assert r.status_code == 422 and "year" in r.json()["detail"]
    r = client.post("/api/v1/drafts", json={"facts": {k: v for k, v in FACTS.items() if k != "org"}})
    assert r.status_code == 422 and "org" in r.json()["detail"]
    r = client.post("/api/v1/drafts", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422
    r = client.post("/api/v1/drafts", json={})
    assert r.status_code == 422
    assert client.get("/api/v1/drafts/nope").status_code == 404
    r = client.post("/api/v1/drafts/nope/sections/0/regenerate", json={})
    assert r.status_code == 404
    big = {"facts_text": "单位：X\n年度：2024\n" + "慰问职工1户\n" * 120_000}
    r = client.post("/api/v1/drafts", json=big)
    assert r.status_code == 413
    # Chunked upload without Content-Length is counted as it arrives.
    r = client.post("/api/v1/check", content=iter([b'{"draft": "' + b"x" * (1 << 20), b'"}']),
                    headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert client.get("/api/v1/health").status_code == 200  # still up


def test_auth(keyed_client: TestClient) -> None:
    assert keyed_client.get("/api/v1/health").status_code == 200
    assert keyed_client.get("/api/v1/drafts").status_code == 401
    assert keyed_client.get("/api/v1/drafts", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = keyed_client.get("/api/v1/drafts", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200
    assert keyed_client.post("/api/v1/check", json={"facts_text": "a", "draft": "b"}).status_code == 401
    assert "s3cret" not in keyed_client.get("/api/v1/health").text


def _serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DRAFTER_DATA_DIR": str(data_dir), "DRAFTER_EMBED_MODEL": "hash-bigram-256"}
    proc = subprocess.Popen([sys.executable, "-m", "drafter", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if wait_for(f"http://127.0.0.1:{port}/api/v1/health", proc=proc, interval=0.3):
        return proc
    proc.kill()
    raise AssertionError(proc.stderr.read().decode() if proc.stderr else "server did not start")


def test_live_server_keeps_drafts_across_restart(data_dir: Path) -> None:
    port = free_port()
    proc = _serve(data_dir, port)
    base = f"http://127.0.0.1:{port}"
    try:
        draft = httpx.post(f"{base}/api/v1/drafts", json={"facts": FACTS}, timeout=60).json()
        assert httpx.get(f"{base}/", timeout=10).status_code == 200  # the web UI is mounted at /
        assert httpx.post(f"{base}/api/v1/drafts", content=b"[", timeout=10,
                          headers={"content-type": "application/json"}).status_code == 422
    finally:
        proc.terminate()
        proc.wait(15)
    proc = _serve(data_dir, port)
    try:
        again = httpx.get(f"{base}/api/v1/drafts/{draft['id']}", timeout=10)
        assert again.status_code == 200 and again.json()["sections"] == draft["sections"]
    finally:
        proc.terminate()
        proc.wait(15)


def test_check_reads_facts_like_the_cli(client: TestClient) -> None:
    """One reader for every front end: facts without 单位 are fine for checking (the CLI took them, the API
    answered 422)."""
    from drafter.facts import coerce_facts

    facts = {"items": ["全年走访慰问困难职工30户"]}
    r = client.post("/api/v1/check", json={"facts": facts, "draft": "全年走访慰问困难职工32户。"})
    assert r.status_code == 200, r.text
    flags = r.json()["flags"]
    assert [f["text"] for f in flags] == ["32户"]
    assert coerce_facts(facts) == ["全年走访慰问困难职工30户"]
    r = client.post("/api/v1/check", json={"facts": ["慰问困难职工30户"], "draft": "慰问困难职工30户。"})
    assert r.status_code == 200 and r.json()["flags"] == []


def test_openapi_shows_real_shapes(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    section = schemas["SectionOut"]["properties"]
    assert {"index", "heading", "text", "status", "flags", "sources"} <= section.keys()
    assert "FlagOut" in str(section["flags"]) and "SourceOut" in str(section["sources"])
    ok = spec["paths"]["/api/v1/drafts/{draft_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"].endswith("/DraftOut")
    for path in ("/api/v1/check", "/api/v1/search", "/api/v1/corpus", "/api/v1/drafts"):
        for op in spec["paths"][path].values():
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            assert "$ref" in schema, (path, schema)  # a named model, not a bare `object`


def test_errors_are_chinese(client: TestClient) -> None:
    r = client.post("/api/v1/drafts", content=b'{"facts": ', headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert "JSON decode error" not in r.text and "JSON 格式错误" in r.json()["detail"]
    r = client.post("/api/v1/check", json={"facts_text": "a", "draft": 5})
    assert r.status_code == 422 and r.json()["detail"] == "字段「draft」有误：应为文字"


def test_key_checked_before_the_body_is_read() -> None:
    """Without the key a big upload is refused before a byte of it is received."""
    import asyncio

    from drafter.api.guard import ApiGuard

    reached: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append("app")

    async def receive() -> dict[str, Any]:
        reached.append("body read")
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    guard = ApiGuard(app, key=lambda: "s3cret", upload_paths=["/api/v1/corpus"])
    scope = {"type": "http", "path": "/api/v1/corpus", "method": "POST",
             "headers": [(b"content-type", b"multipart/form-data; boundary=x"), (b"content-length", b"19000000")]}
    asyncio.run(guard(scope, receive, send))
    assert reached == [] and sent[0]["status"] == 401


def test_watch_resume_and_list_status(client: TestClient) -> None:
    draft = client.post("/api/v1/drafts", json={"facts": FACTS}).json()
    listed = client.get("/api/v1/drafts").json()["drafts"][0]
    assert listed["status"] == "done" and listed["sections"] == listed["sections_done"] == len(draft["sections"])
    with client.stream("GET", f"/api/v1/drafts/{draft['id']}/events") as r:
        events = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ")]
    assert [e["type"] for e in events] == ["outline", "done"] and events[-1]["progress"]["complete"] is True
    assert client.get("/api/v1/drafts/nope/events").status_code == 404
    resumed = client.post(f"/api/v1/drafts/{draft['id']}/resume")
    assert resumed.status_code == 200 and resumed.json()["sections"] == draft["sections"]  # nothing to redo
    assert client.post("/api/v1/drafts/nope/resume").status_code == 404


def test_stream_refuses_a_bad_outline_before_streaming(client: TestClient) -> None:
    outline = [{"kind": "body", "heading": f"{i}、工作", "facts": ["慰问困难职工32户"]} for i in range(31)]
    r = client.post("/api/v1/drafts/stream", json={"facts": FACTS, "outline": outline})
    assert r.status_code == 422 and "30" in r.json()["detail"]
