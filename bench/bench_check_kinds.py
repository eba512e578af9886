"""Speed and memory of the whole check with the `status`, `copied` and `name` kinds; prints JSON lines.

    .venv/bin/python bench/bench_check_kinds.py [--chunks 100000] [--runs 200]

- the copy index over N synthetic chunks (corpus sentences recombined, ~20 chunks per synthetic document):
  build time, its arrays' size, and the process's peak RSS;
- p50/p95 of the WHOLE check (`drafter.checking.check`: amounts, dates, placeholders, status, copied, name)
  of a 5,000-character draft with 3 exemplars against that index (target p50 <= 10 ms), and each checker's
  own p50;
- the one-time cost of the first check in a process (the generic vocabulary and the place words).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drafter.checking import (  # noqa: E402
    CheckContext,
    check,
    registry,
)
from drafter.checking.copied import CopyIndex, Source  # noqa: E402

FACTS = """单位：华东机械制造有限公司
年度：2024
单位类型：企业
上级组织：区总工会和公司党委
召开二届三次职工代表大会，审议通过集体合同
走访慰问困难职工45户，发放慰问金9万元
举办职工技能比武4场，参赛职工260人次
开展“安康杯”安全知识竞赛，参赛职工320人
正在筹建职工书屋，已完成选址
存在不足：
劳动竞赛覆盖面不够广，班组参与不均衡
职工文体活动形式较单一
明年打算：
建成职工书屋并投入使用
推进“智慧工会”服务平台建设
开展第二届职工运动会"""

PARAGRAPHS = [
    "2024年，公司工会在区总工会和公司党委的正确领导下，坚持以习近平新时代中国特色社会主义思想为指导，紧紧围绕企业"
    "中心工作，充分发挥工会组织的桥梁纽带作用，团结动员广大职工建功立业。",
    "召开二届三次职工代表大会，审议通过了集体合同，职工的知情权、参与权、表达权、监督权得到有效保障。",
    "走访慰问困难职工45户，发放慰问金9万元，把党和政府的温暖送到职工心坎上。",
    "举办职工技能比武4场，参赛职工260人次，开展“安康杯”安全知识竞赛，参赛职工320人，全员安全意识明显增强。",
    "职工书屋正在紧张筹建中，目前已完成选址，各项准备工作有序推进。",
    "公司工会与国网供电公司联合开展安全用电讲座，组织职工赴嘉兴南湖开展红色教育。",
    "工会领导经常深入制造一线，认真了解员工家庭的生活、工作状况，及时掌握职工思想动态。",
    "一是劳动竞赛覆盖面还不够广，部分班组参与不够均衡；二是职工文体活动形式较为单一，吸引力有待增强。",
    "明年，工会将加快职工书屋建设，力争早日建成并投入使用，推进“智慧工会”服务平台建设，开展第二届职工运动会。",
    "依托劳模创新工作室开展“师带徒”结对，全年结对帮带青年职工，形成比学赶超的浓厚氛围。",
]


def corpus_sentences() -> list[str]:
    out = []
    for p in sorted((ROOT / "corpus").glob("seed-*.txt")):
        out += [s for s in re.split(r"(?<=[。；！？])", p.read_text(encoding="utf-8")) if 12 <= len(s.strip()) <= 200]
    return [s.strip() for s in out]


UNIQUE = "公司工会依托劳模创新工作室开展“师带徒”结对，全年结对帮带青年职工，形成比学赶超的浓厚氛围。"


def synthetic_passages(n: int, per_doc: int = 20, seed: int = 3):
    """n chunks of recombined corpus sentences, plus one passage only one document has (the draft copies it)."""
    rnd = random.Random(seed)
    sents = corpus_sentences()
    yield Source("unique", "某集团2023年工会工作总结", "二、建功立业"), UNIQUE
    for i in range(n):
        text = "".join(rnd.choice(sents) for _ in range(rnd.randint(2, 5)))
        yield Source(f"syn-{i // per_doc}", f"合成范文{i // per_doc}", f"第{i % per_doc}节"), text


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def draft_of(chars: int) -> str:
    out, i = [], 0
    while sum(map(len, out)) < chars:
        out.append(PARAGRAPHS[i % len(PARAGRAPHS)])
        i += 1
    return "\n".join(out)[:chars]


def timed(fn, runs: int, clock=time.perf_counter) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = clock()
        fn()
        times.append((clock() - t0) * 1000)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    draft = draft_of(5000)
    exemplars = [s for s in corpus_sentences()[:3]]

    t0 = time.perf_counter()
    check("走访慰问困难职工45户。", FACTS)
    print(json.dumps({"first_check_ms": round((time.perf_counter() - t0) * 1000, 1),
                      "note": "one-time: bundled-corpus copy index, generic vocabulary, place words"}))

    rss0 = rss_mb()
    t0 = time.perf_counter()
    index = CopyIndex.build(synthetic_passages(args.chunks))
    build_s = time.perf_counter() - t0
    print(json.dumps({"chunks": args.chunks, "documents": index.documents, "windows": len(index.hashes),
                      "build_s": round(build_s, 1), "index_mb": round(index.nbytes / 2**20, 1),
                      "peak_rss_mb_before": round(rss0), "peak_rss_mb_after": round(rss_mb())}))

    flags = check(draft, FACTS, exemplars, copy_index=index)
    kinds: dict[str, int] = {}
    for f in flags:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    times = timed(lambda: check(draft, FACTS, exemplars, copy_index=index), args.runs)
    cpu = timed(lambda: check(draft, FACTS, exemplars, copy_index=index), args.runs, time.process_time)
    q = statistics.quantiles(times, n=20)
    print(json.dumps({"draft_chars": len(draft), "flags": kinds, "whole_check_p50_ms": round(statistics.median(times), 2),
                      "p95_ms": round(q[18], 2), "min_ms": round(min(times), 2),
                      "cpu_time_p50_ms": round(statistics.median(cpu), 2), "target_p50_ms": 10,
                      "load_average": [round(x, 1) for x in os.getloadavg()]}))
    per = {}
    for c in registry.checkers():
        def one(c=c) -> None:
            c.run(CheckContext(draft, FACTS, exemplars, index))
        per[c.name] = round(statistics.median(timed(one, max(20, args.runs // 4))), 2)
    print(json.dumps({"per_checker_p50_ms (own context each, so shared parsing counted in each)": per}))


if __name__ == "__main__":
    main()
