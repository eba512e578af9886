"""Team server figures: server CPU per streamed draft, concurrent latency through `--workers`, worker
start time at 100k chunks, corpus-change propagation between workers.

    python bench/bench_team.py --part cpu          # server CPU ms per 8-section draft (SSE, ~960 chunks)
    python bench/bench_team.py --part load         # p50/p95 of 1, 20, 50 concurrent drafts, --workers 2
    python bench/bench_team.py --part start        # worker start at --chunks (default 100000) chunks
    python bench/bench_team.py --part propagation  # a document added through one worker, searched on all
    python bench/bench_team.py                     # all of them

A local OpenAI-compatible endpoint (tests/support/fake_openai.py) streams 4 characters a chunk. The load,
start and propagation parts need a shared database and a Chroma server: they use DRAFTER_DATABASE_URL
(or DRAFTER_TEST_DATABASE_URL) when set, and start `chroma run` themselves. Prints JSON lines.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER_ROOT = Path(os.environ.get("BENCH_SERVER_ROOT", ROOT))  # another checkout's server (a before figure)

from tests.support.fake_openai import FakeOpenAI  # noqa: E402
from tests.support.net import free_port  # noqa: E402
from tests.support.sample_facts import ENTERPRISE_FACTS as FACTS  # noqa: E402

OUTLINE = [  # 8 sections, as a person would send after editing the proposed outline
    {"kind": "opening"},
    {"kind": "body", "heading": "一、深化民主管理，畅通职工诉求渠道", "facts": [FACTS["items"][0]]},
    {"kind": "body", "heading": "二、关心职工生活，体现组织温暖", "facts": [FACTS["items"][1]]},
    {"kind": "body", "heading": "三、深入开展劳动竞赛，助推中心工作", "facts": [FACTS["items"][2], FACTS["items"][5]]},
    {"kind": "body", "heading": "四、提升职工素质，丰富文体活动", "facts": FACTS["items"][3:5]},
    {"kind": "shortcomings", "heading": "五、存在的不足", "facts": FACTS["shortcomings"]},
    {"kind": "plans", "heading": "六、下一步工作打算", "facts": FACTS["plans"]},
    {"kind": "closing"},
]
SECTION_CHARS = 480  # 120 streamed chunks of 4 characters a section: ~960 for an 8-section draft
CLK = os.sysconf("SC_CLK_TCK")


def responder(body: dict[str, Any]) -> str:
    """A section of SECTION_CHARS characters without figures (nothing to flag, so no repair request)."""
    filler = "工会认真组织开展各项工作，广大职工积极参与，取得了良好成效。"
    return (filler * (SECTION_CHARS // len(filler) + 1))[:SECTION_CHARS]


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process and all its live descendants (uvicorn's workers)."""
    total = 0.0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK
            for task in Path(f"/proc/{p}/task").iterdir():
                kids = (task / "children").read_text().split()
                todo += [int(k) for k in kids]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def wait_healthy(base: str, timeout: float = 120) -> float:
    t0 = time.perf_counter()
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server at {base} not healthy after {timeout} s")


@contextmanager
def serve(env: dict[str, str], *, workers: int = 1, ui: bool = False) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    cmd = [sys.executable, "-m", "drafter", "serve", "--port", str(port)] + (["--workers", str(workers)] if workers > 1 else [])
    if not ui:
        cmd.append("--no-ui")
    proc = subprocess.Popen(cmd, env=env, cwd=SERVER_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_healthy(base)
        except RuntimeError:
            proc.kill()
            raise RuntimeError((proc.stderr.read() if proc.stderr else b"").decode()[-2000:]) from None
        yield base, proc
    finally:
        with _suppress():
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _suppress() -> contextlib.suppress:
    return contextlib.suppress(ProcessLookupError, PermissionError)


async def stream_draft(client: httpx.AsyncClient, base: str) -> tuple[float, int, bool]:
    """One draft through the SSE route: (seconds, delta events received, finished with every section done)."""
    t = time.perf_counter()
    deltas, ok = 0, False
    async with client.stream("POST", f"{base}/api/v1/drafts/stream", json={"facts": FACTS, "outline": OUTLINE}) as r:
        if r.status_code != 200:
            return time.perf_counter() - t, 0, False
        event = ""
        async for line in r.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "delta":
                deltas += 1
            elif line.startswith("data:") and event == "done":
                draft = json.loads(line[5:])["draft"]
                ok = all(s["status"] == "done" for s in draft["sections"]) and len(draft["sections"]) == 8
    return time.perf_counter() - t, deltas, ok


async def fire(base: str, n: int) -> tuple[list[float], int, int]:
    async with httpx.AsyncClient(timeout=300, limits=httpx.Limits(max_connections=n + 4)) as client:
        results = await asyncio.gather(*(stream_draft(client, base) for _ in range(n)), return_exceptions=True)
    times = [r[0] for r in results if isinstance(r, tuple) and r[2]]
    deltas = sum(r[1] for r in results if isinstance(r, tuple))
    return times, n - len(times), deltas


def llm_env(llm: FakeOpenAI, data: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRAFTER_", "CHROMA_"))}
    env |= {"DRAFTER_DATA_DIR": data, "OPENAI_BASE_URL": llm.base_url, "OPENAI_API_KEY": "sk-bench",
            "DRAFTER_MODEL": "bench-model", "PYTHONPATH": str(SERVER_ROOT)}
    return env | (extra or {})


def part_cpu(args: argparse.Namespace) -> None:
    """Server CPU per draft: sequential streamed drafts, the server's CPU time read from /proc around them."""
    with FakeOpenAI(responder=responder, first_token_delay=0.2, chars_per_second=args.chars_per_second) as llm, \
            tempfile.TemporaryDirectory() as d:
        env = llm_env(llm, d)
        subprocess.run([sys.executable, "-m", "drafter", "index"], env=env, cwd=SERVER_ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with serve(env, workers=1, ui=args.ui) as (base, proc):
            asyncio.run(fire(base, 1))  # warm-up: jieba, BM25, the embedder, first-use imports
            for concurrent in args.cpu_concurrency:
                cpu0 = tree_cpu_s(proc.pid)
                times, errors, deltas = [], 0, 0
                for _ in range(args.cpu_drafts):
                    t, e, dl = asyncio.run(fire(base, concurrent))
                    times += t
                    errors += e
                    deltas += dl
                cpu = tree_cpu_s(proc.pid) - cpu0
                n = args.cpu_drafts * concurrent
                print(json.dumps({"bench": "team_cpu", "concurrent": concurrent, "drafts": n, "errors": errors,
                                  "model_chunks_per_draft": len(OUTLINE) * SECTION_CHARS // 4,
                                  "deltas_per_draft": round(deltas / n), "cpu_ms_per_draft": round(cpu * 1000 / n, 1),
                                  "cpu_ms_per_delta": round(cpu * 1000 / max(1, deltas), 3),
                                  "p50_s": round(float(np.percentile(times, 50)), 2) if times else None}), flush=True)


def _team_env(llm: FakeOpenAI, data: str, chroma_port: int, db_url: str) -> dict[str, str]:
    return llm_env(llm, data, {"DRAFTER_DATABASE_URL": db_url, "CHROMA_HOST": "127.0.0.1",
                               "CHROMA_PORT": str(chroma_port)})


@contextmanager
def _shared_services(tmp: Path) -> Iterator[tuple[int, str]]:
    """A `chroma run` server and a fresh PostgreSQL schema (DRAFTER_DATABASE_URL or DRAFTER_TEST_DATABASE_URL)."""
    from tests.support.databases import PgSchemas
    from tests.support.team_servers import chroma_server

    base = os.environ.get("DRAFTER_DATABASE_URL") or os.environ.get("DRAFTER_TEST_DATABASE_URL")
    if not base:
        raise SystemExit("set DRAFTER_TEST_DATABASE_URL: eval \"$(bash tools/pg_test_cluster.sh start)\"")
    schemas = PgSchemas(base)
    try:
        with chroma_server(tmp / "chroma") as port:
            yield port, schemas.new_url()
    finally:
        schemas.drop()


def part_load(args: argparse.Namespace) -> None:
    """Latency of 1, 20 and 50 concurrent streamed drafts through one `drafter serve --workers 2`."""
    with FakeOpenAI(responder=responder, first_token_delay=0.3, chars_per_second=args.chars_per_second) as llm, \
            tempfile.TemporaryDirectory() as d, _shared_services(Path(d)) as (chroma_port, db_url):
        env = _team_env(llm, str(Path(d) / "data"), chroma_port, db_url)
        subprocess.run([sys.executable, "-m", "drafter", "index"], env=env, cwd=SERVER_ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with serve(env, workers=args.workers) as (base, proc):
            for _ in range(2 * args.workers):  # warm every worker
                asyncio.run(fire(base, 1))
            single: float | None = None
            for n in args.load_concurrency:
                cpu0 = tree_cpu_s(proc.pid)
                t = time.perf_counter()
                times, errors, _ = asyncio.run(fire(base, n))
                wall = time.perf_counter() - t
                cpu = tree_cpu_s(proc.pid) - cpu0
                p50 = float(np.percentile(times, 50)) if times else float("nan")
                p95 = float(np.percentile(times, 95)) if times else float("nan")
                if single is None:
                    single = p95
                print(json.dumps({"bench": "team_load", "workers": args.workers, "concurrent": n, "errors": errors,
                                  "p50_s": round(p50, 2), "p95_s": round(p95, 2),
                                  "p95_over_single": round(p95 / single, 2), "wall_s": round(wall, 2),
                                  "server_cpu_ms_per_draft": round(cpu * 1000 / n, 1)}), flush=True)


def _synthetic_corpus(data: Path, n: int) -> None:
    """Replace the built index's chunks by n chunks recombined from the bundled corpus's sentences (same
    generation and documents, so the index stays consistent). Vectors are not added: the figure is the
    lexical side's start-up, which was the 46 s part."""
    import random
    import re

    index = data / "index"
    lines = (index / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
    head, base = json.loads(lines[0]), [json.loads(x) for x in lines[1:]]
    sentences = [s for c in base for s in re.split(r"(?<=[。；！？])", c["text"]) if len(s) > 8]
    rng = random.Random(7)
    with (index / "chunks.jsonl.tmp").open("w", encoding="utf-8") as f:
        f.write(json.dumps(head) + "\n")
        for i in range(n):
            src = base[i % len(base)]
            text = "".join(rng.sample(sentences, 2))
            f.write(json.dumps({**src, "chunk_id": f"syn-{i // 200}:{i}", "doc_id": f"syn-{i // 200}", "text": text,
                                "start": 0, "end": len(text), "section_index": i % 50}, ensure_ascii=False) + "\n")
    os.replace(index / "chunks.jsonl.tmp", index / "chunks.jsonl")


def _first_search_s(env: dict[str, str]) -> tuple[float, float]:
    """Seconds from `drafter serve` starting to health 200, and to its first search answered."""
    t0 = time.perf_counter()
    with serve(env) as (base, _):
        healthy = time.perf_counter() - t0
        r = httpx.get(f"{base}/api/v1/search", params={"q": "困难职工帮扶", "k": 5}, timeout=600)
        r.raise_for_status()
        return healthy, time.perf_counter() - t0


def part_start(args: argparse.Namespace) -> None:
    """A worker's start at --chunks chunks: the first start (builds and saves the lexical index) and a later
    one (loads it), each until its first search is answered."""
    with FakeOpenAI(responder=responder) as llm, tempfile.TemporaryDirectory() as d:
        env = llm_env(llm, d)
        subprocess.run([sys.executable, "-m", "drafter", "index"], env=env, cwd=SERVER_ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _synthetic_corpus(Path(d), args.chunks)
        for label in ("first", "next"):
            healthy, searched = _first_search_s(env)
            print(json.dumps({"bench": "team_start", "chunks": args.chunks, "start": label,
                              "health_s": round(healthy, 2), "first_search_s": round(searched, 2)}), flush=True)


def part_propagation(args: argparse.Namespace) -> None:
    """A document added through one server (--workers 2): seconds until every worker finds it, on a second
    server sharing the data dir and on a third with its own (another machine: through the database)."""
    with FakeOpenAI(responder=responder) as llm, tempfile.TemporaryDirectory() as d, \
            _shared_services(Path(d)) as (chroma_port, db_url):
        env = _team_env(llm, str(Path(d) / "data"), chroma_port, db_url)
        subprocess.run([sys.executable, "-m", "drafter", "index"], env=env, cwd=SERVER_ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        other = env | {"DRAFTER_DATA_DIR": str(Path(d) / "machine-2")}  # another machine: the corpus via the DB
        with serve(env, workers=2) as (a, _), serve(env, workers=2) as (b, _), serve(other, workers=2) as (c, _):
            workers: set[str] = set()
            for base in (a, b, c):
                for _ in range(100):
                    workers.add(httpx.get(f"{base}/api/v1/health").headers["x-drafter-worker"])
            for round_ in range(args.propagation_rounds):
                phrase = f"雪域高原第{round_ + 1}流动职工驿站"
                text = f"某公司工会工作总结\n\n一、关爱一线职工\n今年在{phrase}开展送温暖活动，为职工提供休息场所。\n"
                t0 = time.perf_counter()
                r = httpx.post(f"{a}/api/v1/corpus", files={"files": (f"驿站{round_}.txt", text.encode())}, timeout=120)
                r.raise_for_status()
                upload_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                found: dict[str, float] = {}
                while set(found) != workers and time.perf_counter() - t0 < 60:
                    for base in (a, b, c):
                        hit = httpx.get(f"{base}/api/v1/search", params={"q": phrase, "k": 3}, timeout=60)
                        if any(phrase in h["text"] for h in hit.json()["hits"]):
                            found.setdefault(hit.headers["x-drafter-worker"], time.perf_counter() - t0)
                print(json.dumps({"bench": "team_propagation", "round": round_ + 1, "workers": len(workers),
                                  "found_on": len(found), "all_found_s": round(max(found.values()), 2),
                                  "per_worker_s": sorted(round(v, 2) for v in found.values()),
                                  "upload_s": round(upload_s, 2)}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=["cpu", "load", "start", "propagation", "all"], default="all")
    ap.add_argument("--chars-per-second", type=float, default=200.0)
    ap.add_argument("--cpu-drafts", type=int, default=5)
    ap.add_argument("--cpu-concurrency", type=int, nargs="+", default=[1, 5])
    ap.add_argument("--ui", action="store_true", help="serve the web UI too (the cpu part)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--load-concurrency", type=int, nargs="+", default=[1, 20, 50])
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--propagation-rounds", type=int, default=3)
    args = ap.parse_args()
    parts = ["cpu", "load", "start", "propagation"] if args.part == "all" else [args.part]
    for part in parts:
        globals()[f"part_{part}"](args)


if __name__ == "__main__":
    main()
