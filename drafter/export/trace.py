"""The 核对表 as files: an .xlsx workbook, and an appendix table at the end of the .docx."""

from __future__ import annotations

import io
from typing import Any

from ..checking.trace import Trace, TraceRow

HEADERS = ("序号", "节", "内容", "类型", "依据的事实", "来源文件", "原文引用", "计算过程", "核对结论")
KIND_LABELS = {"amount": "数额", "date": "日期", "placeholder": "占位符"}


def _cells(n: int, row: TraceRow, headings: dict[int, str]) -> tuple[str, ...]:
    files = "；".join(s.file + (f"（{s.location}）" if s.location else "") for s in row.sources)
    quotes = "\n".join(s.quote for s in row.sources if s.quote)
    if row.flag is not None:
        verdict = f"待核对：{row.flag.label}" + (f"（{row.flag.hint}）" if row.flag.hint else "")
    elif row.sources or row.computation:
        verdict = "有据可查"
    else:
        verdict = row.note or "有事实依据"
    return (str(n), headings.get(row.section, f"第{row.section + 1}节"), row.text, KIND_LABELS.get(row.kind, row.kind),
            row.fact or "", files, quotes, row.computation or "", verdict)


def _headings(trace: Trace, draft: Any) -> dict[int, str]:
    if draft is None:
        return {}
    labels = {"opening": "开篇", "closing": "结尾", "shortcomings": "存在不足", "plans": "明年打算"}
    return {s.index: s.heading or labels.get(s.kind, "正文") for s in draft.sections}


def to_xlsx(trace: Trace, draft: Any = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "核对表"
    ws.append([f"{trace.title} · 数字核对表"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(list(HEADERS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    headings = _headings(trace, draft)
    warn = PatternFill("solid", fgColor="FDE2E1")
    for n, row in enumerate(trace.rows, 1):
        ws.append(list(_cells(n, row, headings)))
        if row.flag is not None:
            for cell in ws[ws.max_row]:
                cell.fill = warn
    for col, width in zip("ABCDEFGHI", (6, 24, 14, 8, 40, 22, 48, 30, 30), strict=True):
        ws.column_dimensions[col].width = width
    for r in ws.iter_rows(min_row=3):
        for cell in r:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def add_appendix(doc: Any, trace: Trace, draft: Any = None) -> None:
    """附件：数字核对表 — a page break, a heading and one table row per number."""
    from docx.enum.text import WD_BREAK

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph(f"附件：{trace.title}数字核对表")
    columns = (0, 1, 2, 4, 5, 6, 7, 8)  # the kind is evident from the text
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for i, c in enumerate(columns):
        table.rows[0].cells[i].text = HEADERS[c]
    headings = _headings(trace, draft)
    for n, row in enumerate(trace.rows, 1):
        values = _cells(n, row, headings)
        cells = table.add_row().cells
        for i, c in enumerate(columns):
            cells[i].text = values[c]
