"""The pipeline's own overhead per draft, as wall and CPU time, for two checkouts in turn (A/B on a busy box).

    .venv/bin/python bench/bench_overhead_ab.py /path/to/checkout-a /path/to/checkout-b [--pairs 3] [--runs 21]

Each run is a fresh process importing `drafter` from that checkout: the same draft as bench_draft.py's
overhead figure (its facts and responder, a zero-delay FakeOpenAI, the shipped offline embedder), 3 warm-up
drafts, then `--runs` timed ones. CPU time (`time.process_time`, all threads of the process, the in-process
server included) barely moves with the load of other processes, unlike wall time, so on a shared machine it
is the figure to compare. One JSON object per run, then a summary line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import asyncio, importlib.util, json, statistics, sys, tempfile, time
from pathlib import Path
repo, runs = Path(sys.argv[1]), int(sys.argv[2])
sys.path.insert(0, str(repo))
spec = importlib.util.spec_from_file_location("bench_draft", repo / "bench" / "bench_draft.py")
b = importlib.util.module_from_spec(spec); spec.loader.exec_module(b)
import drafter
assert Path(drafter.__file__).resolve().is_relative_to(repo.resolve()), drafter.__file__
from pydantic import SecretStr
facts = b.load_facts(b.FACTS)
with b.FakeOpenAI(b.responder, model=b.MODEL) as srv:
    s = b.Settings(data_dir=Path(tempfile.mkdtemp(prefix="ab-")) / "data", openai_base_url=srv.base_url,
                   openai_api_key=SecretStr("sk-bench"), model=b.MODEL, embed_model=None, max_retries=0,
                   timeout=30)
    ws = b.Workspace(s); ws.refresh_index(); d = ws.drafter
    for _ in range(3):
        asyncio.run(d.draft(facts))
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        draft = asyncio.run(d.draft(facts))
        walls.append(time.perf_counter() - w); cpus.append(time.process_time() - c)
        assert all(x.status == "done" for x in draft.sections)
print(json.dumps({"wall_p50_ms": round(statistics.median(walls) * 1000, 1),
                  "cpu_p50_ms": round(statistics.median(cpus) * 1000, 1),
                  "wall_min_ms": round(min(walls) * 1000, 1)}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    cpu: dict[str, list[float]] = {"a": [], "b": []}
    for pair in range(args.pairs):
        for label in ("a", "b"):
            repo = str(Path(getattr(args, label)).resolve())
            out = subprocess.run([sys.executable, "-c", CHILD, repo, str(args.runs)], capture_output=True,
                                 text=True, check=True, cwd=repo)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            cpu[label].append(result["cpu_p50_ms"])
            print(json.dumps({"bench": "overhead_ab", "pair": pair + 1, "checkout": label, "repo": repo, **result}),
                  flush=True)
    print(json.dumps({"bench": "summary", "cpu_p50_ms_mean_a": round(statistics.mean(cpu["a"]), 1),
                      "cpu_p50_ms_mean_b": round(statistics.mean(cpu["b"]), 1), "pairs": args.pairs}))


if __name__ == "__main__":
    main()
