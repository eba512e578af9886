"""Speed of the amount checker; prints JSON lines.

    .venv/bin/python bench/bench_check.py [--quick] [--hostile-only]

- throughput at draft sizes 1k, 10k, 100k characters (MB/s of UTF-8 draft text, and chars/s);
- p50/p95 latency for a 5,000-character draft (target: p50 <= 5 ms); and of the numbers checker alone
  (`latency_numbers_only`: amounts, dates, placeholders, all a check did before the other kinds existed);
- hostile inputs (100,000 characters of digits, letters, mixed digit/Chinese numeral runs, 一, punctuation,
  random CJK, placeholders … — the runs of tests/support/hostile.py — and 2,000 fact lines x 3,500 unsupported amounts): the time of each, and the
  worst (all linear: well under a few seconds; the quadratic cases took 25 s and more).
Drafts are realistic: union-summary paragraphs with amounts, dates and fixed phrases, concatenated.
check() caches the parsed facts of recent calls (a draft's sections share them); `latency_cold_facts`
parses them on every call.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drafter.checking import MAX_CHECK_CHARS, MAX_FACT_LINES, CheckContext, Flag, check, registry
from drafter.checking.support import fact_index
from drafter.facts import Facts
from tests.support.hostile import hostile_runs

FACTS = Facts(
    org="XX市供电公司",
    year=2024,
    superior="市总工会和公司党委",
    items=[
        "全年走访慰问困难职工家庭32户，发放慰问金6.4万元",
        "举办职工技能比武3场，参赛选手260名，12名选手获评技术能手",
        "组织职工健康体检1,150人",
        "开展“安康杯”竞赛，征集安全合理化建议536条",
        "职工书屋新增图书800册",
        "夏季送清凉覆盖一线班组48个，物资价值8万元",
        "5月举办职工运动会，参赛职工420人",
        "组织职工集中学习12次",
        "为职工办理互助保障1,720人",
        "开展心理健康讲座4场，覆盖职工520人次",
    ],
    plans=["开展第二届职工技能比武"],
)

PARAGRAPHS = [
    "2024年，公司工会在市总工会和公司党委的坚强领导下，坚持以习近平新时代中国特色社会主义思想为指导，"
    "全面贯彻党的二十大和二十届三中全会精神，组织职工集中学习十二次，引导职工增强“四个意识”。",
    "围绕安全生产和提质增效，深入开展“安康杯”竞赛，征集安全合理化建议536条，采纳率达到八成以上。"
    "举办职工技能比武3场，参赛选手260名，12名选手获评“技术能手”，评选表彰先进集体10个。",
    "元旦春节期间，全年走访慰问困难职工家庭32户，发放慰问金6.4万元，户均2000元，做到了困难职工底数清、"
    "情况明、帮扶实。金秋助学资助职工子女十五人，发放助学金三万余元。",
    "组织职工健康体检1150人，开展心理健康讲座四场，覆盖职工520人次，建成职工心理驿站1个。"
    "5月举办第十届职工运动会，设置比赛项目15个，参赛职工420人，参与率超过35%。",
    "职工书屋新增图书800册，全年借阅1200余人次。夏季送清凉覆盖一线班组48个，物资价值8万元，"
    "为户外劳动者提供7×24小时服务，打造“15分钟生活圈”。",
    "一年来，工会坚持一手抓服务、一手抓维权，统一思想、凝聚共识，进一步推动“一帮一”结对帮扶，"
    "第一时间了解职工困难，千方百计为职工办实事、解难题。",
    "为职工办理互助保障1720人，理赔35人次，近万元。三八节组织女职工登山活动，参加女职工86人，"
    "六一儿童节为职工子女送上节日礼物二百余份。",
    "2025年，公司工会将开展第二届职工技能比武，力争参赛选手超过300名，新建职工之家2个，"
    "进一步提升服务职工的能力和水平，为公司高质量发展作出新的更大贡献。",
]


def make_draft(chars: int) -> str:
    parts: list[str] = []
    total = 0
    i = 0
    while total < chars:
        p = PARAGRAPHS[i % len(PARAGRAPHS)]
        parts.append(p)
        total += len(p) + 1
        i += 1
    return "\n".join(parts)[:chars]


def throughput(chars: int, min_seconds: float) -> dict[str, object]:
    draft = make_draft(chars)
    nbytes = len(draft.encode("utf-8"))
    check(draft, FACTS)  # warm-up
    runs, t0 = 0, time.perf_counter()
    while True:
        check(draft, FACTS)
        runs += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= min_seconds and runs >= 3:
            break
    per_call = elapsed / runs
    return {"bench": "throughput", "chars": len(draft), "bytes": nbytes, "runs": runs,
            "ms_per_call": round(per_call * 1000, 3), "mb_per_s": round(nbytes / per_call / 1e6, 2),
            "chars_per_s": round(len(draft) / per_call)}


def latency(chars: int, runs: int, cold_facts: bool = False) -> dict[str, object]:
    """`cold_facts`: parse the facts on every call (check() caches the parsed facts of recent calls)."""
    draft = make_draft(chars)
    flags = check(draft, FACTS)
    times: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        if cold_facts:
            fact_index.cache_clear()
        t0, c0 = time.perf_counter(), time.process_time()
        check(draft, FACTS)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    times.sort()
    # cpu_p50_ms: process CPU time, which other processes on a shared machine disturb less than wall time
    return {"bench": "latency_cold_facts" if cold_facts else "latency", "chars": len(draft), "runs": runs,
            "flags": len(flags), "p50_ms": round(statistics.median(times), 3),
            "p95_ms": round(times[int(0.95 * (runs - 1))], 3), "cpu_p50_ms": round(statistics.median(cpu), 3)}


def latency_numbers_only(chars: int, runs: int) -> dict[str, object]:
    """The numbers checker alone (amounts, dates, placeholders: all a check did before the status, copied and
    name kinds): the figure to hold against older versions' `latency`."""
    numbers = next(c for c in registry.checkers() if c.name == "numbers")
    draft = make_draft(chars)

    def once() -> list[Flag]:
        return sorted(numbers.run(CheckContext(draft, FACTS)), key=lambda f: (f.start, f.end))

    flags = once()
    times: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        once()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"bench": "latency_numbers_only", "chars": len(draft), "runs": runs, "flags": len(flags),
            "p50_ms": round(statistics.median(times), 3), "p95_ms": round(times[int(0.95 * (runs - 1))], 3)}


def hostile_inputs(n: int = MAX_CHECK_CHARS) -> dict[str, tuple[str, list[str]]]:
    rnd = random.Random(7)
    facts = ["走访慰问困难职工家庭30户", "XX公司"]
    many = [f"走访慰问困难职工家庭{i}户，发放慰问金{i * 100}元" for i in range(1, MAX_FACT_LINES + 1)]
    texts = hostile_runs(n)
    out = {name: (text, facts) for name, text in texts.items()}
    out["2000_facts_x_3500_amounts"] = (  # ~60,000 characters: the longest a check accepts
        "".join(f"走访慰问困难职工家庭{rnd.randint(3000, 90000)}户，" for _ in range(3500)), many)
    return out


def hostile() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name, (text, facts) in hostile_inputs().items():
        fact_index.cache_clear()
        t0 = time.perf_counter()
        flags = check(text, facts)
        rows.append({"bench": "hostile", "input": name, "chars": len(text), "fact_lines": len(facts),
                     "flags": len(flags), "seconds": round(time.perf_counter() - t0, 3)})
    return rows


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    if "--hostile-only" not in argv:
        _speed(quick)
    rows = hostile()
    for row in rows:
        print(json.dumps(row, ensure_ascii=False), flush=True)
    worst = max(rows, key=lambda r: float(r["seconds"]))  # type: ignore[arg-type]
    print(json.dumps({"bench": "hostile_worst", "input": worst["input"], "seconds": worst["seconds"]}), flush=True)
    return 0


def _speed(quick: bool) -> None:
    for chars in (1_000, 10_000, MAX_CHECK_CHARS):
        print(json.dumps(throughput(chars, 0.2 if quick else 1.0)), flush=True)
    print(json.dumps(latency(5_000, 50 if quick else 300)), flush=True)
    print(json.dumps(latency(5_000, 50 if quick else 300, cold_facts=True)), flush=True)
    print(json.dumps(latency_numbers_only(5_000, 50 if quick else 300)), flush=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
