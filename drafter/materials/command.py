"""`drafter facts extract`: the year's materials → candidate facts with their sources (printed, as JSON, or
written as a facts file `drafter draft` accepts). Registered by `drafter.cli`; the lazy workspace factory
comes from there so `--help` stays fast."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

_BLOCK_NAMES = {"items": "全年工作", "shortcomings": "存在不足", "plans": "明年打算"}


def _cmd_facts_extract(args: argparse.Namespace) -> int:
    result = args.workspace().extract_facts(args.files, args.year, args.org, use_model=False if args.offline else None)
    if args.json:
        sys.stdout.write(json.dumps(result.public_dict(), ensure_ascii=False) + "\n")
    else:
        _print_extraction(result)
    for s in result.skipped:
        sys.stderr.write(f"跳过 {s.file}：{s.reason}\n")
    if result.dropped:
        sys.stderr.write(f"模型改写中有 {result.dropped} 条数字与原文不符，已弃用（保留规则提取的表述）\n")
    if not result.anything_read:
        sys.stderr.write("错误：没有一个文件能够读取\n")
        return 2
    if args.out:
        if not any(f.block == "items" for f in result.facts):
            sys.stderr.write("错误：没有提取到全年工作，未写出事实文件\n")
            return 1
        facts = result.to_facts(org=args.org)
        Path(args.out).write_text(facts.model_dump_json(indent=1), encoding="utf-8")
        sys.stderr.write(f"已写出事实文件 {args.out}（{len(facts.items)} 条全年工作，{len(facts.shortcomings)} 条不足，"
                         f"{len(facts.plans)} 条打算{'；另有 ' + str(len(result.conflicts)) + ' 处数字冲突未写入，请核实后补上' if result.conflicts else ''}）"
                         f"；可直接用于 drafter draft {args.out}\n")
    return 0


def _print_extraction(result: Any) -> None:
    out = sys.stdout
    for block, name in _BLOCK_NAMES.items():
        facts = [f for f in result.facts if f.block == block]
        if not facts:
            continue
        out.write(f"{name}：\n")
        for f in facts:
            out.write(f"- {f.text}\n")
            for src in f.sources:
                out.write(f"    来源：{src.file}{'（' + src.location + '）' if src.location else ''}「{src.quote}」\n")
            if f.computation:
                out.write(f"    计算：{f.computation}\n")
    for c in result.conflicts:
        out.write(f"冲突：{c.reason}\n")
        for f in c.facts:
            out.write(f"  · {f.text}（{'、'.join(s.file for s in f.sources)}）\n")


def add_facts_commands(sub: argparse._SubParsersAction, workspace: Callable[[], Any]) -> None:
    p = sub.add_parser("facts", help="事实：从全年材料中提取")
    fsub = p.add_subparsers(dest="facts_command", required=True)
    e = fsub.add_parser("extract", help="从工作报告、新闻稿、会议纪要、台账等材料中提取候选事实（每条注明来源）")
    e.add_argument("files", nargs="+", help="材料文件（.docx .txt .md .pdf .xlsx .csv）")
    e.add_argument("--year", type=int, required=True, help="总结年度，如 2024；其他年份的内容不提取")
    e.add_argument("--org", help="单位名称（不填时从材料标题中识别）")
    e.add_argument("--json", action="store_true", help="输出 JSON")
    e.add_argument("--out", help="写出可直接用于 drafter draft 的事实文件（JSON，保留来源）")
    e.add_argument("--offline", action="store_true", help="即使配置了大模型，也只用规则提取")
    e.set_defaults(func=_cmd_facts_extract, workspace=workspace)
