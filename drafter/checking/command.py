"""`drafter check`: read the files, call `check`, print JSON or a readable Chinese list.

Exit codes: 0 nothing flagged, 1 something flagged, 2 usage or input error (raised as `InputError`, which
`drafter.cli.main` turns into exit code 2; --batch reports bad lines in place and exits 2 at the end).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..facts import CheckFacts, coerce_facts
from . import registry
from .context import check
from .flags import Flag


class _Line:
    """A plain exemplar read from a file: text plus a title (the file name)."""

    def __init__(self, text: str, title: str) -> None:
        self.text = text
        self.title = title


def read_text(path: str, what: str) -> str:
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8").lstrip("\ufeff")
    except FileNotFoundError as exc:
        raise InputError(f"找不到{what}文件 {p}") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{what}路径 {p} 是目录，不是文件") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{what}文件 {p} 不是 UTF-8 编码") from exc


def _exemplars_from_value(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError("exemplars 应为列表")
    out: list[Any] = []
    for x in value:
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, dict) and isinstance(x.get("text"), str):
            out.append(_Line(x["text"], str(x.get("title") or "")))
        else:
            raise InputError("exemplars 的每一项应为字符串或含 text 的对象")
    return out


def _flags_json(flags: Sequence[Flag]) -> dict[str, Any]:
    return {"flags": [f.model_dump() for f in flags]}


def render_text(draft: str, flags: Sequence[Flag]) -> str:
    """A readable Chinese list grouped by kind in the registry's order (amounts, dates, placeholders, …);
    reasons shown by their registry labels."""
    if not flags:
        return "未发现事实不支持的数字。"
    out = [f"共 {len(flags)} 处需要核对："]
    for info in registry.kinds():
        kind, label = info.kind, info.label
        group = [f for f in flags if f.kind == kind]
        if not group:
            continue
        out.append(f"{label}（{len(group)} 处）：")
        for f in group:
            line = draft.count("\n", 0, f.start) + 1
            col = f.start - (draft.rfind("\n", 0, f.start) + 1) + 1
            reason = registry.label(f.reason)
            hint = f"：{f.hint}" if f.hint else ""
            out.append(f"  第{line}行第{col}字「{f.text}」{reason}{hint}")
    return "\n".join(out)


def run_check(draft_path: str | None, facts_path: str | None, batch_path: str | None,
              exemplar_paths: Sequence[str], as_json: bool, copy_index: Any = None) -> int:
    """`copy_index`: the corpus the `copied` check compares with (the workspace's, uploads included); None
    compares with the bundled corpus only."""
    exemplars = [_Line(read_text(p, "范文"), Path(p).stem) for p in exemplar_paths or ()]
    default_facts = coerce_facts(read_text(facts_path, "事实")) if facts_path else None
    if batch_path:
        if draft_path:
            raise InputError("--batch 与草稿文件不能同时使用")
        return _run_batch(batch_path, default_facts, exemplars, copy_index)
    if not draft_path:
        raise InputError("缺少草稿文件", hint="用法：drafter check --facts 事实文件 草稿文件 [--json]")
    if default_facts is None:
        raise InputError("缺少 --facts 事实文件", hint="用法：drafter check --facts 事实文件 草稿文件 [--json]")
    draft = read_text(draft_path, "草稿")
    flags = check(draft, default_facts, exemplars, copy_index=copy_index)
    if as_json:
        _write(json.dumps(_flags_json(flags), ensure_ascii=False))
    else:
        _write(render_text(draft, flags))
    return 1 if flags else 0


def _run_batch(path: str, default_facts: CheckFacts | None, exemplars: list[Any], copy_index: Any = None) -> int:
    text = read_text(path, "批量")
    any_flag = any_error = False
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            if not isinstance(item, dict) or not isinstance(item.get("draft"), str):
                raise InputError("每行应为含字符串 draft 的 JSON 对象")
            if "facts" in item:
                facts = coerce_facts(item["facts"])
            elif default_facts is not None:
                facts = default_facts
            else:
                raise InputError("缺少 facts")
            exs = _exemplars_from_value(item["exemplars"]) if "exemplars" in item else exemplars
            flags = check(item["draft"], facts, exs, copy_index=copy_index)
        except json.JSONDecodeError as exc:
            any_error = True
            _write(json.dumps({"flags": [], "error": f"第 {n} 行：JSON 格式错误：{exc.msg}"}, ensure_ascii=False))
            continue
        except InputError as exc:
            any_error = True
            _write(json.dumps({"flags": [], "error": f"第 {n} 行：{exc}"}, ensure_ascii=False))
            continue
        any_flag = any_flag or bool(flags)
        _write(json.dumps(_flags_json(flags), ensure_ascii=False))
    return 2 if any_error else (1 if any_flag else 0)


def _write(s: str) -> None:
    sys.stdout.write(s + "\n")
    sys.stdout.flush()
