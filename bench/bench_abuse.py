"""Adversarial inputs at the accepted limits against a live `drafter serve`: each request's time and status,
and the worst `/api/v1/health` latency while it runs (polled every 20 ms from another thread).

    .venv/bin/python bench/bench_abuse.py [--embedder real]

Targets: every request answers in ≤ 2 s or is refused (4xx), and /health stays ≤ 100 ms throughout.
By default the server embeds with the hashing embedder, so the figures isolate parsing, checking and
drafting; `--embedder real` uses the shipped model (an upload then costs what the model needs per chunk,
off the event loop: /health must still stay fast).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.net import free_port, wait_for  # noqa: E402

KEY = "bench-key"
HEADERS = {"Authorization": f"Bearer {KEY}"}


def start_server(data: Path, port: int, real: bool) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DRAFTER_DATA_DIR": str(data), "DRAFTER_API_KEY": KEY, "DRAFTER_BACKEND": "offline"}
    if not real:
        env["DRAFTER_EMBED_MODEL"] = "hash-bigram-256"
    subprocess.run([sys.executable, "-m", "drafter", "index"], env=env, check=True, capture_output=True, cwd=ROOT)
    proc = subprocess.Popen([sys.executable, "-m", "drafter", "serve", "--port", str(port), "--no-ui"], env=env,
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if wait_for(f"http://127.0.0.1:{port}/api/v1/health", proc=proc):
        return proc
    proc.kill()
    raise SystemExit("server did not start")


def measure(base: str, name: str, send: Callable[[httpx.Client], httpx.Response]) -> dict[str, Any]:
    worst: list[float] = []
    stop = threading.Event()

    def poll() -> None:
        with httpx.Client(timeout=30) as c:
            while not stop.is_set():
                t0 = time.perf_counter()
                c.get(f"{base}/api/v1/health")
                worst.append(time.perf_counter() - t0)
                time.sleep(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    time.sleep(0.1)
    t0 = time.perf_counter()
    with httpx.Client(base_url=base, headers=HEADERS, timeout=600) as c:
        r = send(c)
    elapsed = time.perf_counter() - t0
    time.sleep(0.1)
    stop.set()
    poller.join()
    ok = elapsed <= 2.0 or 400 <= r.status_code < 500
    row = {"case": name, "status": r.status_code, "request_s": round(elapsed, 3),
           "health_worst_ms": round(1000 * max(worst), 1), "health_p50_ms": round(1000 * statistics.median(worst), 1),
           "health_polls": len(worst), "ok": ok and max(worst) <= 0.1}
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def zip_bomb() -> bytes:
    """A .docx whose document.xml inflates to 50 MB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("word/document.xml", "<w:t>" + "职" * ((50 << 20) // 3) + "</w:t>")
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--embedder", choices=["hash", "real"], default="hash")
    args = parser.parse_args()
    rnd = random.Random(7)
    facts = "单位：某公司\n年度：2024\n走访慰问困难职工家庭32户，发放慰问金6.4万元\n组织技能比武3场"
    many_facts = "单位：某公司\n年度：2024\n" + "\n".join(
        f"开展第{i}项活动，参与职工{rnd.randint(10, 999)}人，投入经费{rnd.randint(1, 99)}.{rnd.randint(0, 9)}万元"
        for i in range(1_995))  # with 单位 and 年度: just under the checker's 2,000 fact lines
    amounts_draft = "。".join(f"慰问职工{rnd.randint(10, 999)}人，发放{rnd.randint(1, 99)}万元" for _ in range(300))
    summary = (ROOT / "corpus" / "seed-08.txt").read_text(encoding="utf-8")
    big_summary = ("某公司工会2024年工作总结\n\n" + (summary * 20))[:190_000]
    outline = [{"kind": "body", "heading": f"{i}、工作", "facts": ["慰问困难职工32户"]} for i in range(30)]
    too_many = [{"kind": "body", "heading": f"{i}、工作", "facts": ["慰问困难职工32户"]} for i in range(2000)]

    def check(draft: str, facts_text: str = facts) -> Callable[[httpx.Client], httpx.Response]:
        return lambda c: c.post("/api/v1/check", json={"facts_text": facts_text, "draft": draft})

    def upload(name: str, data: bytes) -> Callable[[httpx.Client], httpx.Response]:
        return lambda c: c.post("/api/v1/corpus", files=[("files", (name, data))])

    cases: list[tuple[str, Callable[[httpx.Client], httpx.Response]]] = [
        ("check: 60,000 digits", check("1" * 60_000)),
        ("check: 60,000 digit/letter run", check("a1" * 30_000)),
        ("check: 60,000 一", check("一" * 60_000)),
        ("check: 30,000 x 万元 run", check("3万" * 30_000)),
        ("check: 1,997 fact lines x 600 amounts", check(amounts_draft, many_facts)),
        ("check: 60,001 chars (over the limit)", check("职" * 60_001)),
        ("draft: 30 sections (the limit)", lambda c: c.post("/api/v1/drafts", json={
            "facts_text": facts, "outline": outline})),
        ("draft: 2,000 sections (refused)", lambda c: c.post("/api/v1/drafts", json={
            "facts_text": facts, "outline": too_many})),
        ("draft: 500 fact items (the limit)", lambda c: c.post("/api/v1/drafts", json={
            "facts_text": "\n".join(many_facts.splitlines()[:502])})),
        ("draft: 1,997 fact lines (refused)", lambda c: c.post("/api/v1/drafts", json={"facts_text": many_facts})),
        ("upload: ( then 120 KB of CJK", upload("paren.txt", ("标题\n\n一、工作\n(" + "职" * 40_000).encode())),
        ("upload: 190,000-char summary", upload("big.txt", big_summary.encode())),
        ("upload: 19 MB text (refused: too long)", upload("huge.txt", ("职工" * ((19 << 20) // 6)).encode())),
        ("upload: zip bomb .docx (refused)", upload("bomb.docx", zip_bomb())),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        proc = start_server(Path(tmp) / "data", port, args.embedder == "real")
        base = f"http://127.0.0.1:{port}"
        try:
            rows = [measure(base, name, send) for name, send in cases]
        finally:
            proc.terminate()
            proc.wait(15)
    print(json.dumps({"summary": True, "cases": len(rows), "all_ok": all(r["ok"] for r in rows),
                      "worst_request_s": max(r["request_s"] for r in rows),
                      "worst_health_ms": max(r["health_worst_ms"] for r in rows)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
