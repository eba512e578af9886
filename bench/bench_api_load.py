"""Load: N concurrent API drafts against a local OpenAI-compatible endpoint.

    .venv/bin/python bench/bench_api_load.py [--drafts 20] [--rounds 2] [--chars-per-second 400]

Starts the fake OpenAI server (streaming at a fixed rate) in this process and `drafter serve` as a real
server process pointed at it, then fires N `POST /api/v1/drafts` at once, `rounds` times. Prints JSON lines:
per round the errors, p50/p95/max latency; at the end the server's peak RSS (VmHWM) and totals.
All traffic stays on 127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.fake_openai import FakeOpenAI  # noqa: E402
from tests.support.net import free_port  # noqa: E402
from tests.support.sample_facts import ENTERPRISE_FACTS as FACTS  # noqa: E402


def responder(body: dict) -> str:
    user = body["messages"][-1]["content"]
    facts = [line[2:] for line in user.splitlines() if line.startswith("- ")]
    return "工会认真组织开展各项工作。" + "".join(f.rstrip("。") + "。" for f in facts[:4])


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


async def fire(base: str, n: int) -> tuple[list[float], int]:
    limits = httpx.Limits(max_connections=n + 4)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        async def one() -> tuple[float, bool]:
            t = time.perf_counter()
            r = await client.post(f"{base}/api/v1/drafts", json={"facts": FACTS})
            ok = r.status_code == 200 and all(s["status"] == "done" for s in r.json()["sections"])
            return time.perf_counter() - t, ok

        results = await asyncio.gather(*(one() for _ in range(n)), return_exceptions=True)
    times = [r[0] for r in results if isinstance(r, tuple) and r[1]]
    errors = sum(1 for r in results if not (isinstance(r, tuple) and r[1]))
    return times, errors


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--drafts", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--chars-per-second", type=float, default=400.0)
    ap.add_argument("--first-token-delay", type=float, default=0.3)
    args = ap.parse_args()
    with FakeOpenAI(responder=responder, first_token_delay=args.first_token_delay,
                    chars_per_second=args.chars_per_second) as llm, tempfile.TemporaryDirectory() as d:
        port = free_port()
        env = {**os.environ, "DRAFTER_DATA_DIR": d, "OPENAI_BASE_URL": llm.base_url, "OPENAI_API_KEY": "sk-bench",
               "DRAFTER_MODEL": "bench-model"}
        subprocess.run([str(ROOT / ".venv/bin/drafter"), "index"], env=env, check=True, stderr=subprocess.DEVNULL)
        server = subprocess.Popen([str(ROOT / ".venv/bin/drafter"), "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.3)
            asyncio.run(fire(base, 1))  # warm-up: model load, jieba, BM25
            all_times, all_errors = [], 0
            for r in range(args.rounds):
                t = time.perf_counter()
                times, errors = asyncio.run(fire(base, args.drafts))
                wall = time.perf_counter() - t
                all_times += times
                all_errors += errors
                row = {"bench": "api_load_round", "round": r + 1, "concurrent": args.drafts, "errors": errors,
                       "wall_s": round(wall, 2)}
                if times:
                    row |= {"p50_s": round(float(np.percentile(times, 50)), 2),
                            "p95_s": round(float(np.percentile(times, 95)), 2), "max_s": round(max(times), 2)}
                print(json.dumps(row), flush=True)
            print(json.dumps({
                "bench": "api_load", "concurrent": args.drafts, "drafts": len(all_times) + all_errors,
                "errors": all_errors, "p50_s": round(float(np.percentile(all_times, 50)), 2),
                "p95_s": round(float(np.percentile(all_times, 95)), 2), "server_peak_rss_mb": vm_hwm_mb(server.pid),
                "llm_requests": len(llm.requests_to("/chat/completions")),
            }), flush=True)
        finally:
            server.terminate()
            server.wait(15)


if __name__ == "__main__":
    main()
