"""What the MCP front end costs: cold start to the first tools/list, then round trips of check_amounts,
search_exemplars and an offline draft_summary, over stdio (`drafter mcp`) and streamable HTTP
(`drafter serve --no-ui`), next to the same Workspace calls made directly. Prints JSON lines.

    .venv/bin/python bench/bench_mcp.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp import Client, StdioServerParameters

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.facts import parse_facts  # noqa: E402
from drafter.settings import Settings  # noqa: E402
from drafter.workspace import Workspace  # noqa: E402
from tests.support.net import free_port  # noqa: E402

FACTS = ("单位：XX市供电公司\n年度：2024\n召开三届二次职工代表大会，审议通过集体合同\n"
         "全年走访慰问困难职工家庭32户，发放慰问金6.4万元\n组织职工技能比武3场，参赛职工126人次\n"
         "存在不足：\n职工书屋利用率不高\n明年打算：\n开展第二届职工技能运动会\n")
TEXT = "全年走访慰问困难职工家庭35户，发放慰问金6.4万元，组织技能比武3场。"


def ms(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    return {"p50_ms": round(statistics.median(s) * 1000, 2), "p95_ms": round(s[int(0.95 * (len(s) - 1))] * 1000, 2)}


async def timed(n: int, fn: Callable[[], Awaitable[Any]]) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - t)
    return out


async def over_mcp(transport: str, target: Any, rounds: int, started: float) -> None:
    async with Client(target) as client:
        await client.list_tools()
        print(json.dumps({"transport": transport, "cold_start_to_tools_list_s": round(time.perf_counter() - started, 2)}))
        await client.call_tool("search_exemplars", {"query": "送温暖"})  # warm: index, embedder
        calls = {
            "check_amounts": lambda: client.call_tool("check_amounts", {"facts": FACTS, "text": TEXT}),
            "search_exemplars": lambda: client.call_tool("search_exemplars", {"query": "职工技能比武", "k": 5}),
            "draft_summary_offline": lambda: client.call_tool("draft_summary", {"facts": FACTS}),
        }
        for name, fn in calls.items():
            n = max(3, rounds // 6) if name.startswith("draft") else rounds
            print(json.dumps({"transport": transport, "tool": name, "n": n, **ms(await timed(n, fn))}))


def direct(data: Path, rounds: int) -> None:
    ws = Workspace(Settings(data_dir=data))
    facts = parse_facts(FACTS)
    ws.search("送温暖")

    async def check() -> Any:
        return ws.check(TEXT, FACTS)

    async def search() -> Any:
        return ws.search("职工技能比武", 5)

    calls = {"check_amounts": check, "search_exemplars": search, "draft_summary_offline": lambda: ws.draft(facts)}
    for name, fn in calls.items():
        n = max(3, rounds // 6) if name.startswith("draft") else rounds
        print(json.dumps({"transport": "direct", "tool": name, "n": n, **ms(asyncio.run(timed(n, fn)))}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        built = Path(tmp) / "built"
        env = {**os.environ, "DRAFTER_DATA_DIR": str(built)}
        subprocess.run([sys.executable, "-m", "drafter", "index"], cwd=ROOT, env=env, check=True, capture_output=True)
        dirs = {name: Path(tmp) / name for name in ("stdio", "http", "direct")}
        for d in dirs.values():
            shutil.copytree(built, d)

        direct(dirs["direct"], args.rounds)

        params = StdioServerParameters(command=sys.executable, args=["-m", "drafter", "mcp"], cwd=str(ROOT),
                                       env={"DRAFTER_DATA_DIR": str(dirs["stdio"])})
        anyio.run(over_mcp, "stdio", params, args.rounds, time.perf_counter())

        port = free_port()
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "drafter", "serve", "--no-ui", "--port", str(port)], cwd=ROOT,
                                env={**os.environ, "DRAFTER_DATA_DIR": str(dirs["http"])},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            anyio.run(over_mcp, "http", f"http://127.0.0.1:{port}/mcp", args.rounds, started)
        finally:
            proc.terminate()
            proc.wait(15)


if __name__ == "__main__":
    main()
