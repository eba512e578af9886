"""Command line: each subcommand parses its arguments, makes one library call, prints the result.

Exit codes: 0 ok, 1 something flagged/failed, 2 usage or input error, others from `errors.py`.
Gradio is never imported on this path (it costs seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import DrafterError, InputError
from .materials.command import add_facts_commands


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


# --- check (issue 3) -------------------------------------------------------------------------------------
def _cmd_check(args: argparse.Namespace) -> int:
    from .checking.command import run_check

    ws = _workspace()
    # Copying is checked against this machine's corpus (uploads too) once its index exists.
    copy_index = ws.copy_index() if ws.index.is_built() else None
    return run_check(args.draft, args.facts, args.batch, args.exemplars, as_json=args.json, copy_index=copy_index)


def _add_check(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="标出草稿中事实不支持的数字")
    p.add_argument("draft", nargs="?", help="草稿文件（UTF-8 文本）")
    p.add_argument("--facts", help="事实文件（JSON 或每行一条的纯文本）")
    p.add_argument("--batch", help="JSONL 文件，每行 {\"facts\": ..., \"draft\": ...}")
    p.add_argument("--exemplars", nargs="*", default=[], help="用作范文的文本文件（可选）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=_cmd_check)


# --- corpus and search (issue 2) -------------------------------------------------------------------------
def _workspace() -> Any:
    from .workspace import Workspace

    return Workspace()


def _progress_bar(desc: str) -> Any:
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=f"{desc}（{stage}）", unit="块", file=sys.stderr)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def _cmd_index(args: argparse.Namespace) -> int:
    report = _workspace().refresh_index(_progress_bar("建立索引"), force=args.rebuild)
    sys.stderr.write(
        f"索引完成：{report.documents} 篇文档，{report.chunks} 个片段，本次写入 {report.embedded} 个"
        f"（模型计算 {report.computed} 个，其余来自缓存），"
        f"移除 {report.removed} 个{'（已全部重建）' if report.rebuilt else ''}\n"
    )
    return 0


def _filters(args: argparse.Namespace) -> Any:
    from .retrieval.search import Filters

    return Filters(doc_ids=args.doc or None, positions=args.position or None, levels=args.level or None)


def _cmd_search(args: argparse.Namespace) -> int:
    ws = _workspace()
    if args.batch:
        queries = [line.strip() for line in _read_lines(args.batch) if line.strip()]
        for hits in ws.search_many(queries, args.k, mode=args.mode, filters=_filters(args)):
            _print_json({"hits": [h.to_dict() for h in hits]})
        return 0
    if not args.query:
        raise InputError("search 需要 QUERY 或 --batch FILE")
    hits = ws.search(args.query, args.k, mode=args.mode, filters=_filters(args))
    if args.json:
        _print_json({"hits": [h.to_dict() for h in hits]})
    else:
        for n, h in enumerate(hits, 1):
            c = h.chunk
            sys.stdout.write(f"{n}. [{c.doc_id}] {c.title} · {c.section or c.position}  ({h.score:.4f})\n")
            sys.stdout.write(f"   {c.text[:120]}…\n")
    return 0


def _read_lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取 {path}：{exc}") from exc


def _cmd_add(args: argparse.Namespace) -> int:
    added, errors = _workspace().add_documents(args.files, _progress_bar("添加文档"), replace=args.replace)
    for info in added:
        sys.stdout.write(f"已添加 {info.doc_id}：{info.title}（{info.sections} 节，{info.chunks} 个片段）\n")
    for err in errors:
        sys.stderr.write(f"错误：{err}\n".replace("请选择“替换同名文档”（命令行加 --replace）", "请加 --replace"))
    return 2 if errors else 0


def _cmd_remove(args: argparse.Namespace) -> int:
    info = _workspace().remove_document(args.doc_id)
    sys.stdout.write(f"已删除 {info.doc_id}：{info.title}\n")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    docs = _workspace().list_documents()
    if args.json:
        from dataclasses import asdict

        _print_json({"documents": [asdict(d) for d in docs]})
        return 0
    for d in docs:
        origin = "内置" if d.bundled else "用户"
        sys.stdout.write(f"{d.doc_id}\t{origin}\t{d.sections} 节\t{d.chunks} 片段\t{d.title}\n")
    return 0


def _add_corpus_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help="建立或刷新范文索引")
    p.add_argument("--rebuild", action="store_true", help="全部重建")
    p.set_defaults(func=_cmd_index)

    p = sub.add_parser("search", help="检索范文片段")
    p.add_argument("query", nargs="?")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.add_argument("--batch", help="每行一个查询的文件；每行输出一个 JSON")
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid")
    p.add_argument("--doc", action="append", help="只在该文档中检索（可重复）")
    p.add_argument("--position", action="append",
                   choices=["opening", "body", "closing", "shortcomings", "plans"], help="只检索该部分")
    p.add_argument("--level", action="append", type=int, help="只检索该标题层级（0-3）")
    p.set_defaults(func=_cmd_search)

    p = sub.add_parser("add", help="添加往年总结（.docx/.txt/.md）")
    p.add_argument("files", nargs="+")
    p.add_argument("--replace", action="store_true", help="用新文件替换同名文档（默认拒绝，不会悄悄覆盖）")
    p.set_defaults(func=_cmd_add)

    p = sub.add_parser("remove", help="删除已添加的文档")
    p.add_argument("doc_id")
    p.set_defaults(func=_cmd_remove)

    p = sub.add_parser("list", help="列出范文库中的文档")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_list)


# --- drafting (issue 4) -----------------------------------------------------------------------------------
def _print_draft(draft: Any) -> None:
    sys.stdout.write(draft.text() + "\n")
    flags = draft.flags
    label = "离线草稿（未使用大模型，未编造任何数字）" if draft.backend == "offline" else f"模型：{draft.backend}"
    sys.stderr.write(f"\n草稿编号 {draft.id} · {label} · 标记 {len(flags)} 处\n")
    for s in draft.sections:
        if s.status == "failed":
            sys.stderr.write(f"  第 {s.index} 节生成失败：{s.error}\n")
        for note in s.notes:
            sys.stderr.write(f"  第 {s.index} 节请留意：{note}\n")
        for f in s.flags:
            sys.stderr.write(f"  第 {s.index} 节「{f.text}」{f.label} {f.hint}\n")


def _write_out(ws: Any, draft: Any, out: str, *, trace: bool = False) -> None:
    """The format follows the file name: .docx, .md, or .xlsx (the 核对表; with --trace a .docx gets it as
    an appendix)."""
    suffix = Path(out).suffix.lower()
    fmt = {".docx": "docx", ".xlsx": "xlsx"}.get(suffix, "md")
    if trace and fmt == "md":
        raise InputError("--trace 需要导出为 .xlsx（核对表）或 .docx（附核对表）", hint=f"当前文件名为 {out}")
    Path(out).write_bytes(ws.export(draft.id, fmt, trace=trace))
    sys.stderr.write(f"已导出 {out}\n")


def _cmd_draft(args: argparse.Namespace) -> int:
    import asyncio

    from .facts import load_facts

    facts = load_facts(args.facts)
    ws = _workspace()
    draft = asyncio.run(ws.draft(facts))
    if args.out:
        _write_out(ws, draft, args.out)
    _print_json(draft.public_dict()) if args.json else _print_draft(draft)
    return 1 if any(s.status == "failed" for s in draft.sections) else 0


def _cmd_regenerate(args: argparse.Namespace) -> int:
    import asyncio

    ws = _workspace()
    draft = asyncio.run(ws.regenerate(args.draft_id, args.index, args.instruction or ""))
    _print_json(draft.public_dict()) if args.json else _print_draft(draft)
    return 1 if draft.sections[args.index].status == "failed" else 0


def _cmd_drafts(args: argparse.Namespace) -> int:
    rows = _workspace().list_drafts()
    if args.json:
        _print_json({"drafts": rows})
    for r in [] if args.json else rows:
        status = STATUS_LABEL.get(r.get("status", ""), r.get("status", ""))
        sys.stdout.write(f"{r['id']}\t{r['updated_at']}\t{status}\t{r['backend']}\t{r['title']}\n")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    ws = _workspace()
    _write_out(ws, ws.get_draft(args.draft_id), args.out, trace=args.trace)
    return 0


STATUS_LABEL = {"running": "生成中", "done": "已完成", "failed": "部分失败", "interrupted": "已中断（可继续）"}


def _cmd_resume(args: argparse.Namespace) -> int:
    import asyncio

    draft = asyncio.run(_workspace().resume(args.draft_id))
    _print_json(draft.public_dict()) if args.json else _print_draft(draft)
    return 0 if draft.status == "done" else 1


def _cmd_backup(args: argparse.Namespace) -> int:
    counts = _workspace().backup(args.file)
    sys.stderr.write(f"已备份到 {args.file}：" + "，".join(f"{k} {v} 行" for k, v in counts.items()) + "\n")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    counts = _workspace().restore(args.file)
    sys.stderr.write(f"已从 {args.file} 恢复：" + "，".join(f"{k} {v} 行" for k, v in counts.items()) + "\n")
    return 0


def _add_storage_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("resume", help="继续写完中断的草稿（只写未完成的节）")
    p.add_argument("draft_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_resume)

    p = sub.add_parser("backup", help="把全部草稿及历史版本备份到一个文件（JSON Lines）")
    p.add_argument("file")
    p.set_defaults(func=_cmd_backup)

    p = sub.add_parser("restore", help="从备份文件恢复到空数据库")
    p.add_argument("file")
    p.set_defaults(func=_cmd_restore)


def _add_draft_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("draft", help="根据事实起草年度工作总结")
    p.add_argument("facts", help="事实文件（JSON 或“单位：…”式纯文本）")
    p.add_argument("--json", action="store_true")
    p.add_argument("--out", help="同时导出为 .docx 或 .md")
    p.set_defaults(func=_cmd_draft)

    p = sub.add_parser("regenerate", help="重写草稿中的一节，其他节保持不变")
    p.add_argument("draft_id")
    p.add_argument("index", type=int, help="节的编号（从 0 开始）")
    p.add_argument("--instruction", help="修改要求，如“更简洁”“突出劳动竞赛”")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_regenerate)

    p = sub.add_parser("drafts", help="列出已保存的草稿")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_drafts)

    p = sub.add_parser("export", help="导出草稿为 .docx（公文格式）或 .md，或把数字核对表导出为 .xlsx")
    p.add_argument("draft_id")
    p.add_argument("--out", required=True, help="文件名：.docx、.md 或 .xlsx（核对表）")
    p.add_argument("--trace", action="store_true", help="导出数字核对表：.xlsx 为核对表本身，.docx 附在文末")
    p.set_defaults(func=_cmd_export)


# --- serve ------------------------------------------------------------------------------------------------
def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .settings import Settings
    from .team import check_serve

    settings = Settings()
    for warning in check_serve(settings, args.workers):  # refuses --workers > 1 without shared services
        sys.stderr.write(warning + "\n")
    host = args.host or settings.host
    port = args.port or settings.port
    from .accounts.exposure import check_exposure, is_loopback

    if not is_loopback(host):  # no accounts → loopback only (opening the database costs nothing otherwise)
        from .workspace import Workspace

        check_exposure(host, Workspace(settings).accounts.has_users())
    # An import string, not an app object: the composition (API + web UI) lives outside the library.
    target = "drafter.serving:api_app" if args.no_ui else "webui.server:create_app"
    os.environ["DRAFTER_HOST"] = host  # the factory's Settings see it: /mcp allows this Host header
    sys.stderr.write(f"drafter 已启动：http://{host}:{port}/  （后端：{settings.backend_label}）\n")
    uvicorn.run(target, factory=True, host=host, port=port, log_level="warning", workers=args.workers)
    return 0


def _add_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="启动网页界面和 HTTP API")
    p.add_argument("--host", default=None, help="监听地址（默认 127.0.0.1）")
    p.add_argument("--port", type=int, default=None, help="端口（默认 7860 或 PORT 环境变量）")
    p.add_argument("--no-ui", action="store_true", help="只提供 HTTP API，不加载网页界面")
    p.add_argument("--workers", type=int, default=1, help="工作进程数（大于 1 时需要 CHROMA_HOST 和 PostgreSQL）")
    p.set_defaults(func=_cmd_serve)


# --- mcp ------------------------------------------------------------------------------------------------
def _cmd_mcp(args: argparse.Namespace) -> int:
    from .mcp.server import main as mcp_main  # the SDK loads only for this command (and `serve`)

    return mcp_main()


def _add_mcp(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("mcp", help="以 stdio 方式提供 MCP 服务（供桌面版 AI 助手调用）")
    p.set_defaults(func=_cmd_mcp)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="drafter", description="工会年度工作总结起草工具")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_check(sub)
    _add_corpus_commands(sub)
    _add_draft_commands(sub)
    _add_storage_commands(sub)
    add_facts_commands(sub, _workspace)
    _add_serve(sub)
    _add_mcp(sub)
    from .accounts.commands import add_account_commands

    add_account_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except DrafterError as exc:
        sys.stderr.write(f"错误：{exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
