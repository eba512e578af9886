"""Accounts over HTTP, through the app `drafter serve` runs (API + Gradio UI + docs + /mcp behind one gate):
no route answers without credentials, two organisations never see each other's drafts or documents (API and
Gradio endpoints), roles, tokens, disabling, the sign-in rate limit, cross-site posts, and sessions shared
by server workers (two apps over one database)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute, _EffectiveRouteContext, _IncludedRouter
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route, WebSocketRoute

from drafter.corpus.embedding import HashEmbedder
from drafter.facts import Facts
from drafter.settings import Settings
from drafter.workspace import Workspace
from tests.support.accounts import ORG_A, PASSWORDS, People, bearer, login, make_people
from webui.server import create_app

pytest_plugins = ["tests.support.db_fixtures"]

FACTS = {"org": ORG_A, "year": 2024, "items": ["举办职工篮球赛，参与职工300余人", "走访慰问困难职工家庭32户"]}
DOC = "乙公司工会2023年工作总结\n\n一、职工之家\n乙公司独有的麒麟计划覆盖全体职工。\n".encode()


@pytest.fixture
def ws(data_dir: Path) -> Workspace:
    w = Workspace(Settings(data_dir=data_dir, api_key="service-key-123", api_key_org=ORG_A), embedder=HashEmbedder())
    w.refresh_index()
    return w


@pytest.fixture
def people(ws: Workspace) -> People:
    return make_people(ws)


@pytest.fixture
def app(ws: Workspace, people: People) -> Any:
    return create_app(ws)


@pytest.fixture
def anon(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def _call(client: TestClient, api_name: str, data: list[Any], headers: dict[str, str] | None = None) -> tuple[str, str]:
    """Gradio's two-step call API; (event, raw stream). A refused POST is ("http-<status>", body)."""
    r = client.post(f"/gradio_api/call/{api_name}", json={"data": data}, headers=headers or {})
    if r.status_code != 200:
        return f"http-{r.status_code}", r.text
    stream = client.get(f"/gradio_api/call/{api_name}/{r.json()['event_id']}", headers=headers or {}).text
    events = [ln.split(":", 1)[1].strip() for ln in stream.splitlines() if ln.startswith("event:")]
    return (events[-1] if events else ""), stream


def _has(text: str, word: str) -> bool:
    """`word` in a response, raw or as JSON escapes it (Gradio's event stream escapes non-ASCII)."""
    return word in text or json.dumps(word)[1:-1] in text


# --- no way around the sign-in ------------------------------------------------------------------------------
def _routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, set[str], bool]]:
    """Every (path, methods, is websocket) the app serves: FastAPI's included routers, Gradio's mounted app."""
    for r in routes:
        if isinstance(r, _IncludedRouter):
            yield from _routes(r.effective_candidates(), prefix)
        elif isinstance(r, _EffectiveRouteContext):
            original = r.original_route
            ws_route = isinstance(original, WebSocketRoute | APIWebSocketRoute)
            yield prefix + r.path, set(getattr(original, "methods", None) or {"GET", "POST"}), ws_route
        elif isinstance(r, Mount):
            yield from _routes(list(r.routes), prefix + r.path)
        elif isinstance(r, WebSocketRoute | APIWebSocketRoute):
            yield prefix + r.path, set(), True
        elif isinstance(r, Route | APIRoute) or hasattr(r, "path"):
            yield prefix + r.path, set(getattr(r, "methods", None) or {"GET", "POST"}), False


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "0" if "index" in m.group(0) else "x1", path) or "/"


@pytest.mark.parametrize("credentials", ["none", "bad-token", "revoked-token", "bad-cookie"])
def test_every_route_refuses_without_valid_credentials(app: Any, ws: Workspace, people: People, credentials: str) -> None:
    revoked = people.amy_token
    ws.accounts.revoke_token(revoked.split("_")[1])
    headers = {"none": {}, "bad-token": bearer("drafter_0000_nope"), "revoked-token": bearer(revoked),
               "bad-cookie": {"Cookie": "drafter_session=forged"}}[credentials]
    walked = list(_routes(list(app.routes)))
    paths = {p for p, _, _ in walked}
    assert {"/api/v1/drafts", "/docs", "/mcp", "/login", "/gradio_api/call/{api_name}", "/gradio_api/upload",
            "/gradio_api/queue/join", "/gradio_api/file={path_or_url:path}"} <= paths, sorted(paths)
    checked = 0
    with TestClient(app) as c:
        for path, methods, websocket in walked:
            if path == "/login":
                continue
            url = _concrete(path)
            if websocket:
                with pytest.raises(Exception), c.websocket_connect(url, headers=headers):  # noqa: B017
                    pass
                continue
            for method in sorted(methods - {"HEAD", "OPTIONS"}):
                for accept in ("text/html", "application/json"):
                    r = c.request(method, url, headers={**headers, "Accept": accept}, follow_redirects=False)
                    checked += 1
                    if r.status_code == 303:
                        assert r.headers["location"].startswith("/login?next="), (method, url)
                        assert method == "GET" and accept == "text/html", (method, url)
                    else:
                        assert r.status_code == 401, (method, url, r.status_code, r.text[:200])
                    assert not _has(r.text, "麒麟") and "drafter_" not in r.text
    assert checked > 60  # the walk really covered the app (API, Gradio, docs, mcp)


def test_api_key_and_tokens_get_in_and_login_page_is_chinese(anon: TestClient, people: People) -> None:
    page = anon.get("/login")
    assert page.status_code == 200 and "用户名" in page.text and "密码" in page.text
    assert anon.get("/api/v1/drafts", headers=bearer("service-key-123")).status_code == 200
    assert anon.get("/api/v1/me", headers=bearer(people.bob_token)).json()["user"]["org"] == "乙公司工会"
    assert anon.get("/docs", headers=bearer(people.amy_token)).status_code == 200
    assert anon.get("/", headers={**bearer(people.amy_token), "Accept": "text/html"}).status_code == 200


# --- isolation ----------------------------------------------------------------------------------------------
def test_two_organisations_never_see_each_other_over_the_api(anon: TestClient, people: People) -> None:
    amy, bob, alice = bearer(people.amy_token), bearer(people.bob_token), bearer(people.alice_token)
    r = anon.post("/api/v1/drafts", json={"facts": FACTS}, headers=amy)
    assert r.status_code == 200, r.text
    draft_id = r.json()["id"]
    assert [d["id"] for d in anon.get("/api/v1/drafts", headers=alice).json()["drafts"]] == [draft_id]
    assert anon.get("/api/v1/drafts", headers=bob).json()["drafts"] == []
    missing = anon.get("/api/v1/drafts/nosuchdraft", headers=bob)
    for method, url, body in (("GET", f"/api/v1/drafts/{draft_id}", None),
                              ("GET", f"/api/v1/drafts/{draft_id}/export?format=md", None),
                              ("GET", f"/api/v1/drafts/{draft_id}/trace", None),
                              ("PATCH", f"/api/v1/drafts/{draft_id}/sections/0", {"text": "乙方改写"}),
                              ("POST", f"/api/v1/drafts/{draft_id}/sections/0/regenerate", {})):
        r = anon.request(method, url, json=body, headers=bob)
        assert r.status_code == 404 == missing.status_code, (method, url, r.text)
        assert r.json()["detail"] == missing.json()["detail"].replace("nosuchdraft", draft_id)
    assert "乙方改写" not in anon.get(f"/api/v1/drafts/{draft_id}", headers=alice).text
    # corpus: bob's upload is his; amy (writer) may not manage the corpus
    r = anon.post("/api/v1/corpus", files=[("files", ("bsecret.txt", DOC, "text/plain"))], headers=bob)
    assert r.status_code == 200, r.text
    assert anon.post("/api/v1/corpus", files=[("files", ("a.txt", DOC, "text/plain"))], headers=amy).status_code == 403
    assert anon.delete("/api/v1/corpus/bsecret", headers=alice).status_code == 404
    assert anon.delete("/api/v1/corpus/bsecret", headers=amy).status_code == 403
    assert "bsecret" not in anon.get("/api/v1/corpus", headers=alice).text
    assert "bsecret" in anon.get("/api/v1/corpus", headers=bob).text
    hits = anon.get("/api/v1/search", params={"q": "麒麟计划", "k": 20}, headers=alice).json()["hits"]
    assert hits and all(h["doc_id"] != "bsecret" for h in hits)
    assert any(h["doc_id"] == "bsecret" for h in
               anon.get("/api/v1/search", params={"q": "麒麟计划", "k": 20}, headers=bob).json()["hits"])
    assert anon.delete("/api/v1/corpus/bsecret", headers=bob).status_code == 200


def test_two_organisations_never_see_each_other_in_the_gradio_endpoints(anon: TestClient, ws: Workspace,
                                                                        people: People) -> None:
    """Over Gradio's HTTP call API: the calls whose inputs are free (search, uploads)."""
    amy, bob = bearer(people.amy_token), bearer(people.bob_token)
    up = anon.post("/gradio_api/upload", files=[("files", ("bsecret.txt", DOC, "text/plain"))], headers=bob)
    assert up.status_code == 200, up.text
    file = {"path": up.json()[0], "orig_name": "bsecret.txt", "meta": {"_type": "gradio.FileData"}}
    _call(anon, "add_documents", [[file], False], amy)  # a writer: refused
    assert "bsecret" not in {d.doc_id for d in ws.list_documents()}
    event, _ = _call(anon, "add_documents", [[file], False], bob)
    assert event == "complete" and "bsecret" in {d.doc_id for d in ws.list_documents()}
    event, out = _call(anon, "search", ["麒麟计划"], amy)
    assert event == "complete" and _has(out, "hit") and not _has(out, "麒麟")
    event, out = _call(anon, "search", ["麒麟计划"], bob)
    assert event == "complete" and _has(out, "麒麟")
    for name, data in (("search", ["麒麟计划"]), ("add_documents", [[file], False])):  # and nobody at all
        event, out = _call(anon, name, data)
        assert event == "http-401" and not _has(out, "麒麟")


def test_gradio_handlers_see_only_the_senders_organisation(ws: Workspace, people: People) -> None:
    """The UI handlers (whose draft ids arrive through dropdowns and state) with each sender's gr.Request."""
    import asyncio
    from types import SimpleNamespace

    import gradio as gr
    from gradio.context import LocalContext

    from ui import build_app
    from webui.scope import RequestWorkspace

    _, ui = build_app(RequestWorkspace(ws))
    amy = ws.for_principal(ws.accounts.token(people.amy_token))
    draft = asyncio.run(amy.draft(Facts(**FACTS)))

    def as_(token: str | None) -> None:
        LocalContext.request.set(SimpleNamespace(headers=bearer(token) if token else {}))  # type: ignore[arg-type]

    try:
        as_(people.amy_token)
        opened = ui.open_draft(draft.id)
        assert any("篮球赛" in str(v) for v in opened.values())
        assert "amy" in ui.user_html() and ORG_A in ui.user_html()
        for who in (people.bob_token, people.alice_token.replace("_", "-"), None):
            as_(who)
            with pytest.raises(gr.Error):
                ui.open_draft(draft.id)
            with pytest.raises(gr.Error):
                ui.save_edit(draft.id, 0, "乙方标题", "乙方改写的正文。")
        def history() -> str:
            return str([dd.choices for dd in ui.refresh_history().values()])

        as_(people.bob_token)
        assert draft.id not in history()
        as_(people.alice_token)
        assert draft.id in history()
    finally:
        LocalContext.request.set(None)
    assert "乙方改写" not in ws.get_draft(draft.id).sections[0].text


# --- sessions, roles, disabling, abuse --------------------------------------------------------------------
def test_disabled_user_is_refused_at_once(app: Any, ws: Workspace, people: People) -> None:
    with TestClient(app) as browser:
        assert login(browser, "amy") == 303
        assert browser.get("/api/v1/drafts").status_code == 200
        assert browser.get("/api/v1/drafts", headers=bearer(people.amy_token)).status_code == 200
        ws.accounts.set_disabled("amy", True)
        assert browser.get("/api/v1/drafts").status_code == 401
        assert browser.get("/api/v1/drafts", headers=bearer(people.amy_token)).status_code == 401
        assert _call(browser, "search", ["职工"])[0] == "http-401"
        assert login(browser, "amy") == 401


def test_sixth_fast_wrong_attempt_is_refused(anon: TestClient) -> None:
    statuses = [login(anon, "alice", "wrong-password!") for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    assert login(anon, "alice") == 429  # even the right password, until the window passes
    assert login(anon, "bob") == 429  # and from this address
    page = anon.get("/login")
    assert "wrong-password" not in page.text and PASSWORDS["alice"] not in page.text


def test_cross_site_posts_are_refused(app: Any) -> None:
    with TestClient(app) as browser:
        page = browser.get("/login")
        assert 'name=csrf' in page.text
        r = browser.post("/login", data={"username": "amy", "password": PASSWORDS["amy"], "csrf": "forged"},
                         follow_redirects=False)
        assert r.status_code == 403 and "drafter_session" not in r.headers.get("set-cookie", "")
        assert login(browser, "amy") == 303
        cookie = browser.cookies.get("drafter_session")
        assert cookie
        set_cookie = [v for k, v in browser.get("/login", follow_redirects=False).headers.items()
                      if k == "set-cookie"]
        assert not set_cookie  # already signed in: no new cookie
        evil = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
        assert browser.post("/api/v1/drafts", json={"facts": FACTS}, headers=evil).status_code == 403
        assert browser.post("/gradio_api/call/search", json={"data": ["职工"]}, headers=evil).status_code == 403
        assert browser.post("/logout", data={"csrf": "forged"}).status_code == 403
        for hostile in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page"},
                        {"Sec-Fetch-Site": "same-site", "Origin": "http://testserver"}, {"Origin": "null"}):
            assert browser.post("/api/v1/drafts", json={"facts": FACTS}, headers=hostile).status_code == 403, hostile
        proxied = {"Sec-Fetch-Site": "same-origin", "Origin": "https://drafter.corp.example"}  # Host rewritten
        assert browser.post("/api/v1/check", json={"facts": FACTS, "draft": "x"}, headers=proxied).status_code == 200
        same = {"Origin": "http://testserver"}
        assert browser.post("/api/v1/drafts", json={"facts": FACTS}, headers=same).status_code == 200
        csrf = re.search(r'name=csrf value="([^"]+)"', browser.get("/logout").text)
        assert csrf
        r = browser.post("/logout", data={"csrf": csrf.group(1)}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        browser.cookies.set("drafter_session", cookie)  # the old cookie, replayed after logout
        assert browser.get("/api/v1/drafts").status_code == 401


def test_session_cookie_flags(anon: TestClient) -> None:
    page = anon.get("/login")
    csrf = re.search(r'name=csrf value="([^"]+)"', page.text)
    assert csrf
    r = anon.post("/login", data={"username": "amy", "password": PASSWORDS["amy"], "csrf": csrf.group(1),
                                  "next": "//evil.example/x"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"  # no open redirect
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("drafter_session="))
    flags = cookie.lower()
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags


def test_audit_page_for_admins_only_and_never_holds_content(app: Any, ws: Workspace, people: People) -> None:
    with TestClient(app) as c:
        amy = bearer(people.amy_token)
        draft_id = c.post("/api/v1/drafts", json={"facts": FACTS}, headers=amy).json()["id"]
        c.patch(f"/api/v1/drafts/{draft_id}/sections/0", json={"text": "篮球赛改写成的新正文"}, headers=amy)
        c.get(f"/api/v1/drafts/{draft_id}/export?format=md", headers=amy)
        assert login(c, "alice") == 303
        page = c.get("/admin/audit")
        assert page.status_code == 200 and "审计日志" in page.text
        for action in ("起草", "编辑", "导出", "登录", "添加用户"):
            assert action in page.text
        assert draft_id in page.text and "篮球赛" not in page.text and "新正文" not in page.text
        assert "alice-pass" not in page.text and "drafter_" not in page.text
        filtered = c.get("/admin/audit", params={"action": "export", "user": "amy"})
        assert filtered.text.count("<tr>") == 2  # header + one export
        assert c.get("/admin/audit", headers=bearer(people.bob_token)).text.count(draft_id) == 0
        assert c.get("/admin/audit", headers=amy).status_code == 403


def test_a_session_made_on_one_worker_is_valid_on_another(data_dir: Path, db_url: str) -> None:
    """Two server workers: two apps, two workspaces, one database."""
    one = Workspace(Settings(data_dir=data_dir, database_url=db_url), embedder=HashEmbedder())
    make_people(one)
    two = Workspace(Settings(data_dir=data_dir, database_url=db_url), embedder=HashEmbedder())
    with TestClient(create_app(one)) as w1, TestClient(create_app(two)) as w2:
        assert login(w1, "bob") == 303
        w2.cookies.set("drafter_session", w1.cookies.get("drafter_session") or "")
        assert w2.get("/api/v1/me").json()["user"]["name"] == "bob"
        one.accounts.set_disabled("bob", True)
        assert w2.get("/api/v1/me").status_code == 401


def test_single_user_mode_is_unchanged(data_dir: Path) -> None:
    w = Workspace(Settings(data_dir=data_dir), embedder=HashEmbedder())
    with TestClient(create_app(w)) as c:
        assert c.get("/api/v1/drafts").status_code == 200
        assert c.get("/", headers={"Accept": "text/html"}).status_code == 200
        assert c.get("/api/v1/me").json() == {"accounts": False, "user": None}
        assert json.loads(c.get("/gradio_api/info").text)


def test_mcp_tools_see_only_the_callers_organisation(app: Any, ws: Workspace, people: People) -> None:
    import asyncio

    amy = ws.for_principal(ws.accounts.token(people.amy_token))
    draft = asyncio.run(amy.draft(Facts(**FACTS)))
    accept = {"Accept": "application/json, text/event-stream"}
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "list_drafts", "arguments": {}}}
    seen = {}
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:  # /mcp checks the Host on loopback
        assert c.post("/mcp", json=init, headers=accept).status_code == 401
        for name, token in (("amy", people.amy_token), ("bob", people.bob_token)):
            headers = {**accept, **bearer(token), "mcp-protocol-version": "2025-06-18"}
            assert c.post("/mcp", json=init, headers=headers).status_code == 200
            r = c.post("/mcp", json=call, headers=headers)
            assert r.status_code == 200 and '"isError":false' in r.text
            seen[name] = draft.id in r.text
    assert seen == {"amy": True, "bob": False}


def test_admins_manage_their_own_organisations_users(anon: TestClient, ws: Workspace, people: People) -> None:
    alice, amy, bob = bearer(people.alice_token), bearer(people.amy_token), bearer(people.bob_token)
    assert [u["name"] for u in anon.get("/api/v1/users", headers=alice).json()["users"]] == ["alice", "amy"]
    assert anon.get("/api/v1/users", headers=amy).status_code == 403
    r = anon.post("/api/v1/users", json={"name": "anna", "role": "writer", "password": "anna-pass-1"}, headers=alice)
    assert r.status_code == 201 and r.json()["org"] == ORG_A
    assert anon.post("/api/v1/users", json={"name": "eve", "role": "admin", "password": "eve-pass-12"},
                     headers=amy).status_code == 403
    assert anon.post("/api/v1/users", json={"name": "anna", "role": "writer", "password": "x"},
                     headers=alice).status_code == 422  # too short, before the name clash
    assert anon.post("/api/v1/users/amy/disable", headers=bob).status_code == 404  # not his organisation's
    assert anon.get("/api/v1/drafts", headers=amy).status_code == 200
    assert anon.post("/api/v1/users/amy/disable", headers=alice).status_code == 204
    assert anon.get("/api/v1/drafts", headers=amy).status_code == 401
    assert anon.put("/api/v1/users/anna/password", json={"password": "anna-new-pass"}, headers=alice).status_code == 204
    assert ws.accounts.authenticate("anna", "anna-new-pass").org_name == ORG_A
    log = ws.accounts.audit(ws.accounts.org_id(ORG_A) or "")
    assert {("alice", "user_add", "anna"), ("alice", "user_disable", "amy")} <= {
        (r["user_name"], r["action"], r["target"]) for r in log}
    assert all("anna-pass" not in str(r) and "anna-new-pass" not in str(r) for r in log)


def test_two_server_processes_share_sessions(data_dir: Path, tmp_path: Path) -> None:
    """Two real `drafter serve` processes on one data directory (as a team server's workers): signed in on
    one, the session works on the other; signed out on the other, it is gone on the first."""
    import os
    import subprocess
    import sys

    import httpx

    from drafter.settings import REPO_ROOT
    from tests.support.net import free_port, wait_for

    ws = Workspace(Settings(data_dir=data_dir), embedder=HashEmbedder())
    make_people(ws)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DRAFTER_", "CHROMA_"))}
    env.update(DRAFTER_DATA_DIR=str(data_dir), DRAFTER_EMBED_MODEL="hash-bigram-256")
    ports = [free_port(), free_port()]
    procs = [subprocess.Popen([sys.executable, "-m", "drafter", "serve", "--no-ui", "--port", str(p)], env=env,
                              cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in ports]
    one, two = (f"http://127.0.0.1:{p}" for p in ports)
    try:
        for base in (one, two):
            assert wait_for(f"{base}/login", timeout=90, interval=0.3, request_timeout=2), "server did not start"
        with httpx.Client(base_url=one) as a, httpx.Client(base_url=two) as b:
            page = a.get("/login")
            csrf = re.search(r'name=csrf value="([^"]+)"', page.text)
            assert csrf
            r = a.post("/login", data={"username": "bob", "password": PASSWORDS["bob"], "csrf": csrf.group(1)})
            assert r.status_code == 303
            sid = a.cookies.get("drafter_session")
            assert sid
            b.cookies.set("drafter_session", sid)
            assert b.get("/api/v1/me").json()["user"]["name"] == "bob"
            csrf = re.search(r'name=csrf value="([^"]+)"', b.get("/logout").text)
            assert csrf and b.post("/logout", data={"csrf": csrf.group(1)}).status_code == 303
            assert a.get("/api/v1/me").status_code == 401
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)


def test_corpus_page_offers_removal_only_to_admins(ws: Workspace, people: People, tmp_path: Path) -> None:
    from types import SimpleNamespace

    from gradio.context import LocalContext

    from ui import build_app
    from webui.scope import RequestWorkspace

    doc = tmp_path / "asecret.txt"
    doc.write_text("甲厂工会2023年工作总结\n\n一、职工之家\n甲厂的内容。\n", encoding="utf-8")
    ws.for_principal(ws.accounts.token(people.alice_token)).add_documents([doc])
    _, ui = build_app(RequestWorkspace(ws))
    choices = {}
    try:
        for name, token in (("alice", people.alice_token), ("amy", people.amy_token), ("bob", people.bob_token)):
            LocalContext.request.set(SimpleNamespace(headers={"authorization": f"Bearer {token}"}))  # type: ignore[arg-type]
            out = ui.documents()
            choices[name] = [c[1] for c in out[ui.w.remove_dd].choices]
            table = str(out[ui.w.docs_table])
            assert ("asecret" in table) == (name != "bob")
    finally:
        LocalContext.request.set(None)
    assert choices == {"alice": ["asecret"], "amy": [], "bob": []}


def test_session_cookie_is_secure_over_https(app: Any) -> None:
    with TestClient(app, base_url="https://drafter.example") as c:
        page = c.get("/login")
        csrf = re.search(r'name=csrf value="([^"]+)"', page.text)
        assert csrf
        r = c.post("/login", data={"username": "amy", "password": PASSWORDS["amy"], "csrf": csrf.group(1)},
                   follow_redirects=False)
        cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("drafter_session="))
        assert "secure" in cookie.lower()


def test_copied_check_never_quotes_another_organisations_summary(anon: TestClient, people: People) -> None:
    passage = "乙公司工会创新推出麒麟计划职工关爱行动覆盖全体一线班组和外包职工形成长效机制"
    doc = f"乙公司工会2023年度总结\n\n一、职工关爱\n{passage}。\n".encode()
    r = anon.post("/api/v1/corpus", files=[("files", ("bcopy.txt", doc, "text/plain"))], headers=bearer(people.bob_token))
    assert r.status_code == 200, r.text
    body = {"facts_text": "单位：甲厂工会\n年度：2024\n开展职工关爱行动", "draft": f"今年，{passage}。"}
    flags = {name: anon.post("/api/v1/check", json=body, headers=bearer(token)).json()["flags"]
             for name, token in (("alice", people.alice_token), ("bob", people.bob_token))}
    assert any(f["kind"] == "copied" and "乙公司工会2023年度总结" in f["hint"] for f in flags["bob"])
    assert not any("乙公司" in f["hint"] for f in flags["alice"])


def test_a_gradio_event_stream_is_readable_only_by_the_user_who_opened_it(ws: Workspace, people: People) -> None:
    """Gradio streams a page's results by session_hash alone; the gate binds a hash to its first reader."""
    import asyncio

    from drafter.api.guard import ApiGuard

    reached: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["state"]["principal"].name)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    guard = ApiGuard(app, key=lambda: None, workspace=ws)

    def read(token: str, session: str) -> int:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b""}

        scope = {"type": "http", "method": "GET", "path": "/gradio_api/queue/data",
                 "query_string": f"session_hash={session}".encode(),
                 "headers": [(b"authorization", f"Bearer {token}".encode())]}
        asyncio.run(guard(scope, receive, send))
        return int(sent[0]["status"])

    assert read(people.alice_token, "page1") == 200
    assert read(people.alice_token, "page1") == 200  # her page, again
    assert read(people.bob_token, "page1") == 403
    assert read(people.amy_token, "page1") == 403  # even a colleague: it is alice's page
    assert read(people.bob_token, "page2") == 200
    assert reached == ["alice", "alice", "bob"]

