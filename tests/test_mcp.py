"""The MCP server, driven by the official SDK's client the way an assistant drives it: `drafter mcp` as a real
subprocess over stdio, and a live `drafter serve` (web UI mounted too) over streamable HTTP at /mcp.

One index is built per module (`drafter index`, shipped vectors) and copied to each server, and each server
is started once per module: the tests share its connection.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import docx
import httpx
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp.types import BlobResourceContents, CallToolResult, TextResourceContents

from drafter.settings import REPO_ROOT
from tests.support.fake_openai import FakeOpenAI
from tests.support.net import free_port
from tests.test_api import FACTS as API_FACTS

KEY = "mcp-s3cret"
# The API tests' facts less one item: the same unit, a shorter year.
FACTS = {**API_FACTS, "items": API_FACTS["items"][:4]}
AMOUNTS = ("32户", "6.4万元", "3场", "126人次", "300余人")
FACTS_TEXT = "单位：XX学校\n年度：2024\n单位类型：学校\n组织教职工篮球赛，参赛80人\n慰问困难教职工5户\n"
TOOLS = {"draft_summary", "regenerate_section", "check_amounts", "search_exemplars", "list_drafts", "get_draft",
         "export_draft", "extract_facts", "trace_draft"}
MATERIALS = Path(__file__).parent / "data" / "materials" / "enterprise" / "files"
CJK = re.compile(r"[\u4e00-\u9fff]")
T = TypeVar("T")


# --- a client connection held open on a background loop, shared by a module's tests -----------------------
class Session:
    """Enters `connect()` in one long-lived task (anyio's scopes must be left by the task that entered them)
    and runs each test's coroutine on the same loop."""

    def __init__(self, connect: Callable[[], AbstractAsyncContextManager[Client]]) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._ready: concurrent.futures.Future[Client] = concurrent.futures.Future()
        self._stop = asyncio.Event()
        self._held = asyncio.run_coroutine_threadsafe(self._hold(connect), self.loop)
        try:
            self.client = self._ready.result(timeout=90)
        except BaseException:
            self.loop.call_soon_threadsafe(self.loop.stop)
            raise

    async def _hold(self, connect: Callable[[], AbstractAsyncContextManager[Client]]) -> None:
        try:
            async with connect() as client:
                self._ready.set_result(client)
                await self._stop.wait()
        except BaseException as exc:
            if not self._ready.done():
                self._ready.set_exception(exc)
            raise

    def run(self, fn: Callable[[Client], Awaitable[T]], timeout: float = 120) -> T:
        async def go() -> T:
            return await fn(self.client)

        return asyncio.run_coroutine_threadsafe(go(), self.loop).result(timeout)

    def call(self, name: str, args: dict[str, Any], progress: list[tuple[float, float | None, str | None]] | None = None
             ) -> CallToolResult:
        async def record(p: float, total: float | None, message: str | None) -> None:
            if progress is not None:
                progress.append((p, total, message))

        return self.run(lambda c: c.call_tool(name, args, progress_callback=record))

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self._stop.set)
        try:
            self._held.result(30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)


def http_client(url: str, key: str | None) -> Callable[[], AbstractAsyncContextManager[Client]]:
    @asynccontextmanager
    async def connect() -> Any:
        headers = {"Authorization": f"Bearer {key}"} if key else None
        async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=300)) as http, \
                Client(streamable_http_client(url, http_client=http)) as client:
            yield client

    return connect


# --- servers ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir indexed by the real command (shipped vectors, ~2 s); each server gets its own copy."""
    d = tmp_path_factory.mktemp("mcp-built") / "data"
    subprocess.run([sys.executable, "-m", "drafter", "index"], cwd=REPO_ROOT, check=True, capture_output=True,
                   env={**os.environ, "DRAFTER_DATA_DIR": str(d)}, timeout=120)
    return d


def copy_data(built: Path, tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    target = tmp_path_factory.mktemp(name) / "data"
    shutil.copytree(built, target)
    return target


def serve(data: Path, *extra_args: str, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "drafter", "serve", "--port", str(port), *extra_args],
                            cwd=REPO_ROOT, env={**os.environ, "DRAFTER_DATA_DIR": str(data), **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise AssertionError(proc.stderr.read().decode() if proc.stderr else "server did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def http_server(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`drafter serve` with the web UI and an API key: /mcp lives beside / and /api/v1."""
    proc, base = serve(copy_data(built, tmp_path_factory, "mcp-http"), DRAFTER_API_KEY=KEY)
    yield base
    stop(proc)


@pytest.fixture(scope="module", params=["stdio", "http"])
def mcp(request: pytest.FixtureRequest, built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    if request.param == "stdio":
        data = copy_data(built, tmp_path_factory, "mcp-stdio")
        errlog = (data.parent / "stderr.log").open("w+")
        params = StdioServerParameters(command=sys.executable, args=["-m", "drafter", "mcp"], cwd=str(REPO_ROOT),
                                       env={"DRAFTER_DATA_DIR": str(data)})
        session = Session(lambda: Client(stdio_client(params, errlog=errlog)))
    else:
        base = request.getfixturevalue("http_server")
        session = Session(http_client(f"{base}/mcp", KEY))
    yield session
    session.close()


def draft(mcp: Session, facts: Any = FACTS, progress: list[Any] | None = None) -> dict[str, Any]:
    r = mcp.call("draft_summary", {"facts": facts}, progress)
    assert not r.is_error, r.content
    assert r.structured_content is not None
    return r.structured_content


# --- tests --------------------------------------------------------------------------------------------------
def test_lists_tools_resources_and_prompt(mcp: Session) -> None:
    tools = {t.name: t for t in mcp.run(lambda c: c.list_tools()).tools}
    assert set(tools) == TOOLS
    for t in tools.values():  # described in Chinese and in English
        assert t.description and CJK.search(t.description) and re.search(r"[A-Za-z]{4,} [a-z]+", t.description)
    facts_schema = tools["draft_summary"].input_schema["properties"]["facts"]
    assert {"org", "year", "items"} <= facts_schema["anyOf"][0]["properties"].keys()
    assert facts_schema["anyOf"][1:] == [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]
    out = tools["draft_summary"].output_schema
    assert out is not None and {"id", "sections", "markdown"} <= out["properties"].keys()
    assert tools["export_draft"].input_schema["properties"]["format"]["enum"] == ["docx", "md"]
    hints = {name: t.annotations.read_only_hint for name, t in tools.items() if t.annotations}
    assert hints == {**dict.fromkeys(TOOLS, True), "draft_summary": False, "regenerate_section": False}

    templates = mcp.run(lambda c: c.list_resource_templates()).resource_templates
    assert [t.uri_template for t in templates] == ["drafter://drafts/{draft_id}"]
    prompts = mcp.run(lambda c: c.list_prompts()).prompts
    assert [p.name for p in prompts] == ["annual_summary"]
    got = mcp.run(lambda c: c.get_prompt("annual_summary", {"org": "XX公司", "year": "2024年"}))
    text = got.messages[0].content.text  # type: ignore[union-attr]
    assert text.startswith("请帮我起草XX公司2024年工会年度工作总结") and "draft_summary" in text
    bare = mcp.run(lambda c: c.get_prompt("annual_summary", {})).messages[0].content.text  # type: ignore[union-attr]
    assert bare.startswith("请帮我起草本单位工会年度工作总结")


def test_draft_with_progress_then_regenerate_one_section(mcp: Session) -> None:
    progress: list[tuple[float, float | None, str | None]] = []
    d = draft(mcp, FACTS, progress)
    assert d["backend"] == "offline" and d["title"] == "XX市供电公司2024年工会工作总结"
    assert d["flag_count"] == 0 and all(s["status"] == "done" for s in d["sections"])
    assert d["markdown"].startswith("# XX市供电公司2024年工会工作总结")
    for amount in AMOUNTS:
        assert amount in d["markdown"]
    n = len(d["sections"])
    # One notification for the outline, then one per finished section, each naming it.
    assert [p for p, _, _ in progress] == list(range(n + 1)) and {t for _, t, _ in progress} == {n}
    body = next(s for s in d["sections"] if s["kind"] == "body")
    assert any(body["heading"] in (m or "") for _, _, m in progress)

    i = body["index"]
    r = mcp.call("regenerate_section", {"draft_id": d["id"], "index": i, "instruction": "更简洁"})
    assert not r.is_error, r.content
    after = r.structured_content
    assert after is not None and after["id"] == d["id"]
    assert after["sections"][i]["version"] == 1 and after["sections"][i]["text"] != body["text"]
    for j, s in enumerate(d["sections"]):
        if j != i:
            assert after["sections"][j] == s  # the others are untouched

    listed = mcp.call("list_drafts", {}).structured_content
    assert listed is not None and d["id"] in [x["id"] for x in listed["drafts"]]
    got = mcp.call("get_draft", {"draft_id": d["id"]}).structured_content
    assert got is not None and got["sections"] == after["sections"]
    resource = mcp.run(lambda c: c.read_resource(f"drafter://drafts/{d['id']}")).contents[0]
    assert isinstance(resource, TextResourceContents) and resource.text == after["markdown"]
    uris = [str(x.uri) for x in mcp.run(lambda c: c.list_resources()).resources]
    assert f"drafter://drafts/{d['id']}" in uris
    with pytest.raises(MCPError, match="没有编号为 nope 的草稿"):
        mcp.run(lambda c: c.read_resource("drafter://drafts/nope"))


def test_plain_text_facts_and_text_result(mcp: Session) -> None:
    r = mcp.call("draft_summary", {"facts": FACTS_TEXT})
    assert not r.is_error and r.structured_content is not None
    assert r.structured_content["title"] == "XX学校2024年工会工作总结"
    text = r.content[0].text  # type: ignore[union-attr]
    assert text.startswith("# XX学校2024年工会工作总结") and "参赛80人" in text and "离线草稿" in text


def test_extract_facts_then_draft_and_trace(mcp: Session) -> None:
    """Materials → facts with sources → draft → every number traced; an unreadable file is reported."""
    import base64

    files = [{"name": p.name, "content_base64": base64.b64encode(p.read_bytes()).decode()}
             for p in sorted(MATERIALS.iterdir())][:4]
    files.append({"name": "坏.docx", "content_base64": base64.b64encode(b"PK not a zip").decode()})
    r = mcp.call("extract_facts", {"files": files, "year": 2024, "org": "XX市供电公司"})
    assert not r.is_error and r.structured_content is not None
    out = r.structured_content
    assert out["facts"] and all(f["sources"] or f["computation"] for f in out["facts"])
    assert any(s["file"] == "坏.docx" and s["reason"] for s in out["skipped"])
    draft = mcp.call("draft_summary", {"facts": out["facts_json"]}).structured_content
    assert draft is not None
    traced = mcp.call("trace_draft", {"draft_id": draft["id"]}).structured_content
    assert traced is not None and traced["rows"]
    assert any(row["sources"] for row in traced["rows"])
    r = mcp.call("extract_facts", {"files": [{"name": "a.txt", "content_base64": "***"}], "year": 2024})
    assert r.is_error and "base64" in r.content[0].text  # type: ignore[union-attr]


def test_check_and_search(mcp: Session) -> None:
    r = mcp.call("check_amounts", {"facts": FACTS, "text": "全年走访慰问困难职工家庭35户，组织技能比武3场。"})
    assert not r.is_error and r.structured_content is not None
    flags = r.structured_content["flags"]
    assert [f["text"] for f in flags] == ["35户"] and flags[0]["reason"] == "value_mismatch"
    assert "32户" in flags[0]["hint"]
    r = mcp.call("check_amounts", {"facts": "慰问困难职工32户", "text": "慰问困难职工32户。"})
    assert r.structured_content == {"flag_count": 0, "flags": []}
    # Checking needs only fact lines: an object without 单位/年度 is read as the checker reads it.
    r = mcp.call("check_amounts", {"facts": {"items": ["慰问困难职工32户"]}, "text": "慰问困难职工30户。"})
    assert not r.is_error and [f["text"] for f in r.structured_content["flags"]] == ["30户"]  # type: ignore[index]

    r = mcp.call("search_exemplars", {"query": "给困难职工送温暖", "k": 3})
    assert r.structured_content is not None
    hits = r.structured_content["hits"]
    assert len(hits) == 3
    assert all(h["doc_id"].startswith("seed-") and h["title"] and h["text"] for h in hits)
    assert any(re.search("温暖|困难|帮扶|慰问", h["section"] + h["text"]) for h in hits)


def test_export_docx_opens_and_markdown(mcp: Session) -> None:
    d = draft(mcp)
    r = mcp.call("export_draft", {"draft_id": d["id"], "format": "docx"})
    assert not r.is_error
    embedded = [b for b in r.content if b.type == "resource"]
    assert len(embedded) == 1
    res = embedded[0].resource  # type: ignore[union-attr]
    assert isinstance(res, BlobResourceContents) and res.mime_type.endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(base64.b64decode(res.blob)))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "XX市供电公司2024年工会工作总结" in paragraphs and "126人次" in paragraphs

    r = mcp.call("export_draft", {"draft_id": d["id"], "format": "Markdown"})  # as assistants write it
    res = next(b for b in r.content if b.type == "resource").resource  # type: ignore[union-attr]
    assert isinstance(res, TextResourceContents) and res.text == d["markdown"]


@pytest.mark.parametrize(("tool", "args", "expect"), [
    ("draft_summary", {"facts": {"org": "XX公司", "items": ["慰问职工3户"]}}, "事实字段「year」有误：缺少此字段"),
    ("draft_summary", {"facts": "年度：明年\n慰问职工3户"}, "年度应为四位数字"),
    ("draft_summary", {"facts": "{\"org\": "}, "JSON 格式错误"),
    ("draft_summary", {}, "参数「facts」有误：缺少此参数"),
    ("draft_summary", {"facts": ["慰问职工3户"]}, "事实字段「org」有误：缺少此字段"),
    ("regenerate_section", {"draft_id": "nope", "index": 1}, "没有编号为 nope 的草稿"),
    ("regenerate_section", {"draft_id": "x", "index": "第二节"}, "参数「index」有误：应为整数"),
    ("get_draft", {"draft_id": "nope"}, "没有编号为 nope 的草稿"),
    ("export_draft", {"draft_id": "nope", "format": "pdf"}, "参数「format」有误"),
    ("search_exemplars", {"query": "送温暖", "k": 0}, "参数「k」有误：不能小于 1"),
])
def test_bad_arguments_are_tool_errors(mcp: Session, tool: str, args: dict[str, Any], expect: str) -> None:
    r = mcp.call(tool, args)
    assert r.is_error
    assert expect in r.content[0].text  # type: ignore[union-attr]


def test_still_serving_after_errors(mcp: Session) -> None:
    assert mcp.call("nosuch", {}).is_error
    d = draft(mcp, FACTS_TEXT)
    r = mcp.call("regenerate_section", {"draft_id": d["id"], "index": len(d["sections"])})
    assert r.is_error and f"草稿只有 {len(d['sections'])} 节" in r.content[0].text  # type: ignore[union-attr]
    assert set(t.name for t in mcp.run(lambda c: c.list_tools()).tools) == TOOLS


def test_http_refused_without_the_key(http_server: str) -> None:
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "t", "version": "0"}}}
    headers = {"Accept": "application/json, text/event-stream"}
    for auth in ({}, {"Authorization": "Bearer wrong"}):
        r = httpx.post(f"{http_server}/mcp", json=init, headers={**headers, **auth}, timeout=10)
        assert r.status_code == 401 and "API 密钥" in r.json()["detail"]
    keyed = {**headers, "Authorization": f"Bearer {KEY}"}
    r = httpx.post(f"{http_server}/mcp", json=init, headers=keyed, timeout=10)
    assert r.status_code == 200 and "drafter" in r.text
    # On loopback a page elsewhere cannot reach it through the browser (DNS rebinding), even with the key.
    r = httpx.post(f"{http_server}/mcp", json=init, headers={**keyed, "Host": "evil.example:80"}, timeout=10)
    assert r.status_code == 421
    r = httpx.post(f"{http_server}/mcp", json=init, headers={**keyed, "Origin": "http://evil.example"}, timeout=10)
    assert r.status_code == 403
    with pytest.raises(BaseExceptionGroup) as caught:  # the SDK's client gets no session without the key
        Session(http_client(f"{http_server}/mcp", None))
    assert caught.group_contains(MCPError, match="error response")
    assert httpx.get(f"{http_server}/", timeout=10).status_code == 200  # the web UI is mounted beside /mcp


def test_stdio_stdout_carries_only_protocol(built: Path, tmp_path: Path) -> None:
    """Raw JSON-RPC lines in, every stdout line must parse as JSON-RPC: banners and logs go to stderr."""
    data = tmp_path / "data"
    shutil.copytree(built, data)
    lines = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
         "params": {"name": "search_exemplars", "arguments": {"query": "职工书屋", "k": 2}}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
         "params": {"name": "draft_summary", "arguments": {"facts": FACTS_TEXT}, "_meta": {"progressToken": "p"}}},
    ]
    proc = subprocess.Popen([sys.executable, "-m", "drafter", "mcp"], cwd=REPO_ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "DRAFTER_DATA_DIR": str(data)})
    assert proc.stdin is not None and proc.stdout is not None
    out: list[dict[str, Any]] = []
    try:
        for msg in lines:
            proc.stdin.write((json.dumps(msg, ensure_ascii=False) + "\n").encode())
            proc.stdin.flush()
            if "id" in msg:  # wait for its answer before sending on
                while True:
                    line = proc.stdout.readline()
                    assert line, proc.stderr.read().decode() if proc.stderr else ""
                    out.append(json.loads(line))  # anything but JSON fails here
                    if out[-1].get("id") == msg["id"]:
                        break
        proc.stdin.close()
        assert proc.wait(30) == 0
        out += [json.loads(line) for line in proc.stdout.read().splitlines() if line.strip()]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert all(m.get("jsonrpc") == "2.0" for m in out)
    answers = {m["id"]: m for m in out if "id" in m}
    assert answers[2]["result"]["structuredContent"]["hits"]
    assert answers[3]["result"]["structuredContent"]["title"] == "XX学校2024年工会工作总结"
    assert any(m.get("method") == "notifications/progress" for m in out)
    assert "MCP" in (proc.stderr.read().decode() if proc.stderr else "")  # the banner went to stderr


def test_other_commands_do_not_import_mcp(tmp_path: Path) -> None:
    facts, text = tmp_path / "facts.txt", tmp_path / "draft.txt"
    facts.write_text("慰问困难职工32户\n", encoding="utf-8")
    text.write_text("慰问困难职工32户。\n", encoding="utf-8")
    code = ("import sys, drafter, drafter.workspace; from drafter.cli import main; "
            f"rc = main(['check', '--facts', {str(facts)!r}, {str(text)!r}]); "
            "print(rc, sorted(m for m in sys.modules if m == 'mcp' or m.startswith('mcp.')))")
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
                       env={**os.environ, "DRAFTER_DATA_DIR": str(tmp_path / "data")})
    assert r.stdout.strip().splitlines()[-1] == "0 []", r.stderr


def test_hostile_requests_to_mcp_get_clear_answers(http_server: str) -> None:
    """/mcp as a careless or hostile client uses it: malformed, empty, deeply nested and oversized bodies, a GET
    that would hold a stream open, an oversized tool argument, several at once; never a 500, never a hang, and
    the server answers /health and an initialize afterwards."""
    keyed = {"Accept": "application/json, text/event-stream", "Authorization": f"Bearer {KEY}",
             "Content-Type": "application/json"}
    url = f"{http_server}/mcp"
    r = httpx.post(url, content=b'{"jsonrpc": "2.0", "id": 1, "meth', headers=keyed, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == -32700
    assert httpx.post(url, content=b"", headers=keyed, timeout=10).status_code == 400
    assert httpx.post(url, content=b"[" * 100_000, headers=keyed, timeout=10).status_code == 400
    r = httpx.post(url, content=b'{"pad": "' + b"x" * (5 << 20) + b'"}', headers=keyed, timeout=30)
    assert r.status_code == 413 and "上限" in r.json()["detail"]
    r = httpx.get(url, headers=keyed, timeout=5)  # the SDK used to keep this open with nothing to send
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    assert httpx.get(url, headers={"Accept": "text/event-stream"}, timeout=5).status_code == 401
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "check_amounts", "arguments": {"facts": "慰问困难职工32户", "text": "1" * 70_000}}}
    r = httpx.post(url, json=call, headers=keyed, timeout=30)
    assert r.status_code == 200 and '"isError":true' in r.text and "过长" in r.text
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(lambda body: httpx.post(url, content=body, headers=keyed, timeout=30).status_code,
                              [b"{", b"", json.dumps(call).encode()] * 2))
    assert sorted(codes) == [200, 200, 400, 400, 400, 400]
    assert httpx.get(f"{http_server}/api/v1/health", timeout=10).status_code == 200
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
    r = httpx.post(url, json=init, headers=keyed, timeout=10)
    assert r.status_code == 200 and '"serverInfo"' in r.text


def test_the_served_app_loads_the_sdk_on_the_first_mcp_request(built: Path, tmp_path_factory: pytest.TempPathFactory
                                                               ) -> None:
    """The app `drafter serve` runs (web UI and all) starts without the MCP SDK (25 MB); three clients that
    reach /mcp at once get one transport, every answer is a real initialize result, shutdown is clean, and the
    app started again serves /mcp again."""
    code = """if True:
        import json, sys, threading
        import webui.server
        from starlette.testclient import TestClient
        init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
        out = {}
        app = webui.server.create_app()
        with TestClient(app, base_url="http://127.0.0.1:8000") as c:
            out["health"] = c.get("/api/v1/health").status_code
            out["ui"] = c.get("/").status_code
            out["before"] = sorted(m for m in sys.modules if m == "mcp" or m.startswith("mcp."))
            answers = []
            def post():
                r = c.post("/mcp", json=init, headers={"Accept": "application/json, text/event-stream"})
                answers.append((r.status_code, r.text))
            threads = [threading.Thread(target=post) for _ in range(3)]
            for t in threads: t.start()
            for t in threads: t.join(60)
            out["answers"] = answers
            out["after"] = "mcp.server" in sys.modules
        out["closed"] = True
        with TestClient(app, base_url="http://127.0.0.1:8000") as c:  # started again: a new transport
            r = c.post("/mcp", json=init, headers={"Accept": "application/json, text/event-stream"})
            out["again"] = (r.status_code, r.text)
        print(json.dumps(out, ensure_ascii=False))
    """
    data = copy_data(built, tmp_path_factory, "mcp-lazy")
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=180,
                       env={**os.environ, "DRAFTER_DATA_DIR": str(data)})
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["health"] == 200 and out["ui"] == 200 and out["before"] == []
    assert len(out["answers"]) == 3
    for status, text in out["answers"]:
        assert status == 200 and '"serverInfo"' in text and '"drafter"' in text, text[:500]
    assert out["after"] and out["closed"]
    assert out["again"][0] == 200 and '"serverInfo"' in out["again"][1]


def test_gradio_gets_the_sdk_when_its_own_mcp_server_is_asked_for() -> None:
    """webui hides the SDK from Gradio's import only when nobody asked Gradio for its MCP server."""
    code = "import sys, webui, gradio; print('mcp' in sys.modules)"
    for value, loaded in (("", "False"), ("true", "True")):
        r = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
                           env={**os.environ, "GRADIO_MCP_SERVER": value})
        assert r.returncode == 0 and r.stdout.split()[-1] == loaded, r.stderr[-2000:]


# --- the OpenAI-compatible backend ----------------------------------------------------------------------------
FACTS_BLOCK = re.compile(r"本节必须写进的本单位事实（逐条写入，数字照抄）：\n(.*?)\n\n", re.S)
SECTION = re.compile(r"现在请写第 (\d+) 部分")


def writer(body: dict[str, Any]) -> str:
    """Writes a section from the facts its prompt carries (numbers copied), and marks a rewrite on request."""
    user = str(body["messages"][-1]["content"])
    m = FACTS_BLOCK.search(user)
    facts = [ln[2:] for ln in m.group(1).splitlines() if ln.startswith("- ")] if m else []
    text = "；".join(facts) + "。" if facts else "工会工作取得了新成效。"
    return ("（模型改写）" if "突出劳动竞赛" in user else "（模型初稿）") + text


def test_llm_backend_draft_and_regenerate(built: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    with FakeOpenAI(writer) as srv:
        proc, base = serve(copy_data(built, tmp_path_factory, "mcp-llm"), "--no-ui", OPENAI_BASE_URL=srv.base_url,
                           OPENAI_API_KEY="sk-test", DRAFTER_MODEL="test-model", DRAFTER_MAX_RETRIES="0")
        session = Session(http_client(f"{base}/mcp", None))
        try:
            progress: list[Any] = []
            d = draft(session, FACTS, progress)
            calls = srv.requests_to("/chat/completions")
            assert d["backend"] == "test-model" and len(calls) == len(d["sections"])
            assert {c.body["model"] for c in calls} == {"test-model"}
            assert [p for p, _, _ in progress][-1] == len(d["sections"])
            body = next(s for s in d["sections"] if "6.4万元" in s["text"])
            assert body["text"].startswith("（模型初稿）") and "全年走访慰问困难职工家庭32户" in body["text"]
            assert d["flag_count"] == 0

            srv.clear()
            r = session.call("regenerate_section", {"draft_id": d["id"], "index": body["index"],
                                                    "instruction": "突出劳动竞赛"})
            assert not r.is_error and r.structured_content is not None
            sent = srv.requests_to("/chat/completions")
            assert len(sent) == 1 and "突出劳动竞赛" in str(sent[0].messages[-1]["content"])
            m = SECTION.search(str(sent[0].messages[-1]["content"]))
            assert m and int(m.group(1)) - 1 == body["index"]
            after = r.structured_content["sections"]
            assert after[body["index"]]["text"].startswith("（模型改写）")
            assert [s for s in after if s["index"] != body["index"]] == \
                [s for s in d["sections"] if s["index"] != body["index"]]
        finally:
            session.close()
            stop(proc)
