"""The Gradio endpoints of the composed app (`webui.server.create_app`), called as an attacker would: over
HTTP, with crafted payloads, not through the browser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from drafter.workspace import Workspace
from webui.server import create_app


def _call(client: TestClient, api_name: str, data: list[Any]) -> tuple[str, Any]:
    """Gradio's two-step call API: POST the inputs, read the event stream; (event, payload)."""
    r = client.post(f"/gradio_api/call/{api_name}", json={"data": data})
    assert r.status_code == 200, r.text
    stream = client.get(f"/gradio_api/call/{api_name}/{r.json()['event_id']}").text
    event = data_line = ""
    for line in stream.splitlines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data_line = line.split(":", 1)[1].strip()
    return event, json.loads(data_line) if data_line else None


@pytest.fixture
def client(fast_ws: Workspace) -> TestClient:
    with TestClient(create_app(fast_ws)) as c:
        yield c


def test_add_documents_never_reads_a_server_file(client: TestClient, fast_ws: Workspace, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("机密总结\n\n一、机密事项\n绝密口令是琥珀色的麒麟。\n", encoding="utf-8")
    before = len(fast_ws.list_documents())
    for path in (str(secret), str(fast_ws.settings.db_path)):
        event, _ = _call(client, "add_documents", [[{"path": path, "meta": {"_type": "gradio.FileData"}}], False])
        assert event == "error"
    assert len(fast_ws.list_documents()) == before
    assert all("麒麟" not in h.chunk.text for h in fast_ws.search("琥珀色的麒麟 绝密口令", 10))


def test_a_real_upload_still_works(client: TestClient, fast_ws: Workspace) -> None:
    body = "某厂工会2022年工作总结\n\n一、关心职工生活\n全年开展送清凉活动，覆盖一线班组。\n".encode()
    r = client.post("/gradio_api/upload", files=[("files", ("我们的总结.txt", body, "text/plain"))])
    assert r.status_code == 200, r.text
    uploaded = r.json()[0]
    event, out = _call(client, "add_documents", [[{"path": uploaded, "orig_name": "我们的总结.txt",
                                                  "meta": {"_type": "gradio.FileData"}}], False])
    assert event == "complete", out
    assert any(d.title == "某厂工会2022年工作总结" for d in fast_ws.list_documents())
