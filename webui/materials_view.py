"""「从材料提取」: upload the year's materials, review the candidate facts with their sources, accept, edit or
delete each, pick one side of each conflict, then fill the facts form (provenance kept for the 核对表)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from drafter.errors import DrafterError
from drafter.facts import FactProvenance, Facts, fact_key
from webui.render import _file_path, esc
from webui.uploads import uploaded_path

Update = dict[Any, Any]
BLOCK_LABELS = {"items": "全年工作", "shortcomings": "存在不足", "plans": "明年打算"}
LABEL_BLOCKS = {v: k for k, v in BLOCK_LABELS.items()}
REVIEW_HEADERS = ["采用", "类别", "事实（可修改）", "来源", "说明", "编号"]
MATERIAL_SUFFIXES = (".docx", ".txt", ".md", ".pdf", ".xlsx", ".csv")


def _sources(p: FactProvenance) -> str:
    parts = [f"{s.file}{'（' + s.location + '）' if s.location else ''}：{s.quote}" for s in p.sources]
    if p.computation:
        parts.append(f"计算：{p.computation}")
    return "\n".join(parts)


def review_rows(result: dict[str, Any]) -> list[list[Any]]:
    """One row per candidate fact (accepted by default) and per version of each conflict (none accepted)."""
    rows: list[list[Any]] = []
    for n, f in enumerate(result.get("facts", [])):
        p = FactProvenance.model_validate(f)
        rows.append([True, BLOCK_LABELS[p.block], p.text, _sources(p), "", f"F{n}"])
    for c_n, c in enumerate(result.get("conflicts", []), 1):
        for v_n, f in enumerate(c["facts"]):
            p = FactProvenance.model_validate(f)
            rows.append([False, BLOCK_LABELS[p.block], p.text, _sources(p),
                         f"数字冲突 {c_n}（{c['reason']}）：只选一个版本", f"C{c_n - 1}-{v_n}"])
    return rows


def accepted(rows: Sequence[Sequence[Any]], result: dict[str, Any]) -> list[FactProvenance]:
    """The rows the user kept, with their (possibly edited) text and the sources of the candidate they came
    from. Two versions of one conflict is an error: the user must decide."""
    chosen: list[FactProvenance] = []
    conflicts_taken: dict[str, int] = {}
    for row in rows:
        take, label, text, _src, _note, ident = (list(row) + [""] * 6)[:6]
        text = str(text or "").strip()
        if not _truthy(take) or not text:
            continue
        ident = str(ident)
        if ident.startswith("C"):
            c_n, v_n = (int(x) for x in ident[1:].split("-"))
            if c_n in conflicts_taken.values():
                raise gr.Error(f"数字冲突 {c_n + 1} 只能选一个版本", title="请选择")
            conflicts_taken[ident] = c_n
            base = result["conflicts"][c_n]["facts"][v_n]
        elif ident.startswith("F"):
            base = result["facts"][int(ident[1:])]
        else:  # a row the user added by hand: no source
            base = {"text": text, "block": LABEL_BLOCKS.get(str(label), "items")}
        p = FactProvenance.model_validate({**base, "text": text,
                                           "block": LABEL_BLOCKS.get(str(label), base.get("block", "items"))})
        chosen.append(p)
    return chosen


def _truthy(v: Any) -> bool:
    return v is True or str(v).strip().lower() in ("true", "1", "是", "✓")


def with_provenance(facts: Facts, provenance: Sequence[dict[str, Any]] | None) -> Facts:
    """The form's facts plus the sources of the lines still as extracted (an edited line has none)."""
    if not provenance:
        return facts
    lines = {fact_key(x) for x in facts.items + facts.shortcomings + facts.plans}
    kept = [FactProvenance.model_validate(p) for p in provenance if fact_key(str(p.get("text", ""))) in lines]
    return facts.model_copy(update={"provenance": kept})


class MaterialsActions:
    ws: Any
    w: Any

    def extract_materials(self, files: Sequence[Any] | None, year: Any, org: str) -> Update:
        from webui.handlers import _error

        if not files:
            raise gr.Error("请先选择材料文件（.docx/.txt/.md/.pdf/.xlsx/.csv，可多选）", title="没有文件")
        try:
            year_num = int(float(str(year)))
        except (TypeError, ValueError):
            raise gr.Error("请先在「逐项填写」中填写年度", title="缺少年度") from None
        paths, refused = [], []
        for f in files:
            path = uploaded_path(f)
            if path is None:
                refused.append(f"「{Path(_file_path(f)).name}」：不是本次上传的文件")
            else:
                paths.append(path)
        try:
            result = self.ws.extract_facts(paths, year_num, (org or "").strip() or None).public_dict()
        except DrafterError as exc:
            raise _error(exc) from exc
        rows = review_rows(result)
        notes = [f"读取 {len(result['files_read'])} 个文件，得到 {len(result['facts'])} 条候选事实"
                 + (f"，{len(result['conflicts'])} 处数字冲突待选择" if result["conflicts"] else "") + "。"]
        notes += [f"「{s['file']}」未读取：{s['reason']}" for s in result["skipped"]] + refused
        message = "<br>".join(esc(n) for n in notes)
        return {self.w.review_df: rows, self.w.extraction_state: result,
                self.w.materials_msg: f'<div class="upload-result">{message}</div>'}

    def accept_facts(self, rows: Any, result: dict[str, Any] | None, org: str, superior: str) -> Update:
        if not result:
            raise gr.Error("请先上传材料并点「提取事实」", title="没有候选事实")
        table = rows.values.tolist() if hasattr(rows, "values") else list(rows or [])
        chosen = accepted(table, result)
        if not any(p.block == "items" for p in chosen):
            raise gr.Error("至少采用一条「全年工作」", title="没有采用任何事实")
        by_block = {b: [p.text for p in chosen if p.block == b] for b in BLOCK_LABELS}
        gr.Info(f"已采用 {len(chosen)} 条事实，请在「逐项填写」中核对后生成提纲。", title="已填入表单")
        w = self.w
        return {w.items: "\n".join(by_block["items"]), w.shortcomings: "\n".join(by_block["shortcomings"]),
                w.plans: "\n".join(by_block["plans"]), w.org: org or result.get("org", ""),
                w.provenance_state: [p.model_dump() for p in chosen]}
