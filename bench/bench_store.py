"""Speed of the drafts database on SQLite and PostgreSQL; prints JSON lines.

    .venv/bin/python bench/bench_store.py            # SQLite, and PostgreSQL when DRAFTER_TEST_DATABASE_URL is set
    eval "$(bash tools/pg_test_cluster.sh start)" && .venv/bin/python bench/bench_store.py

- section_write: one finished section stored (version row + section row + draft status), p50/p95 in ms,
  10 sections of a draft written by 10 threads at once;
- edit_round: 7 concurrent edits of 7 sections (threads, one engine), wall time per round, p50/p95 in ms;
- backup / restore of 200 drafts (10 sections, 2 versions each), seconds and MB;
- migrate_legacy: 200 drafts in the first schema (SQLite) upgraded, seconds.
Nothing is asserted; the machine is shared (2 cores), so figures move by ±30%.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from drafter.facts import Facts
from drafter.models import Draft, Section
from drafter.storage.drafts import DraftStore
from drafter.storage.dump import backup, restore

FACTS = Facts(org="XX市供电公司", year=2024, items=[f"开展第{i}项工作，参与职工{i * 10}人次" for i in range(12)])
TEXT = "工会围绕中心、服务大局，扎实推进各项工作。" * 20  # ~400 characters, a typical section


def new_draft(n: int = 10) -> Draft:
    return Draft(id=uuid.uuid4().hex[:12], title="XX市供电公司2024年工会工作总结", backend="offline", facts=FACTS,
                 sections=[Section(index=i, kind="body", heading=f"第{i}部分", facts=FACTS.items[i:i + 1])
                           for i in range(n)])


def pct(xs: list[float], q: float) -> float:
    return round(sorted(xs)[min(len(xs) - 1, int(q * len(xs)))], 2)


def bench(name: str, url: str, tmp: Path, pg_base: str = "") -> None:
    store = DraftStore(url)
    times: list[float] = []
    lock = threading.Lock()

    def write(draft: Draft, i: int) -> None:
        t = time.perf_counter()
        store.save_section(draft.id, draft.sections[i].model_copy(update={"text": TEXT, "status": "done"}))
        with lock:
            times.append((time.perf_counter() - t) * 1000)

    drafts = []
    with ThreadPoolExecutor(10) as pool:
        for _ in range(20):
            d = new_draft()
            store.save(d)
            drafts.append(d)
            list(pool.map(lambda i, d=d: write(d, i), range(10)))
        store.finish(drafts[-1].id)
        print(json.dumps({"engine": name, "figure": "section_write_ms", "n": len(times), "p50": pct(times, 0.5),
                          "p95": pct(times, 0.95)}))
        rounds: list[float] = []
        target = drafts[0]
        for r in range(20):
            t = time.perf_counter()
            list(pool.map(lambda i, r=r: store.edit_section(
                target.id, i, lambda _f, s, r=r: s.model_copy(update={"text": f"{TEXT}{r}"})), range(7)))
            rounds.append((time.perf_counter() - t) * 1000)
        print(json.dumps({"engine": name, "figure": "edit_round_7_concurrent_ms", "n": len(rounds),
                          "p50": pct(rounds, 0.5), "p95": pct(rounds, 0.95)}))
    for _ in range(180):  # 200 drafts in all
        d = new_draft()
        d.sections = [s.model_copy(update={"text": TEXT, "status": "done"}) for s in d.sections]
        d.status = "done"
        store.save(d)
    dump = tmp / f"{name}.jsonl"
    t = time.perf_counter()
    counts = backup(store.engine, dump)
    print(json.dumps({"engine": name, "figure": "backup_200_drafts", "seconds": round(time.perf_counter() - t, 2),
                      "mb": round(dump.stat().st_size / 1e6, 2), "rows": counts}))
    store.close()
    target_url = f"sqlite:///{tmp / (name + '-restored.sqlite3')}" if name == "sqlite" else fresh_pg_schema(pg_base)
    t = time.perf_counter()
    restore(target_url, dump)
    print(json.dumps({"engine": name, "figure": "restore_200_drafts", "seconds": round(time.perf_counter() - t, 2)}))


def fresh_pg_schema(base: str) -> str:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.exec_driver_sql(f"CREATE SCHEMA {name}")
    engine.dispose()
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{name}"


def bench_migration(tmp: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
    from legacy_store import DraftStore as LegacyStore

    path = tmp / "legacy.sqlite3"
    old = LegacyStore(path)
    for _ in range(200):
        d = new_draft()
        old.save(d)
        for s in d.sections:
            old.save_section(d, s.model_copy(update={"text": TEXT, "status": "done"}))
    old.close()
    t = time.perf_counter()
    store = DraftStore(f"sqlite:///{path}")
    print(json.dumps({"engine": "sqlite", "figure": "migrate_legacy_200_drafts",
                      "seconds": round(time.perf_counter() - t, 2), "drafts": len(store.list(1000))}))
    store.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench("sqlite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", Path(tmp))
        pg = os.environ.get("DRAFTER_TEST_DATABASE_URL")
        if pg:
            bench("postgresql", fresh_pg_schema(pg), Path(tmp), pg)
        bench_migration(Path(tmp))


if __name__ == "__main__":
    main()
