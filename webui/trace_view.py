"""The 核对表 in the web UI: one row per number of the draft, its fact and the fact's source, or why not."""

from __future__ import annotations

from drafter.checking.trace import Trace
from webui.render import esc


def render_trace(trace: Trace | None, headings: dict[int, str] | None = None) -> str:
    if trace is None:
        return ""
    if not trace.rows:
        return '<div class="trace-empty">草稿中没有数额或日期。</div>'
    headings = headings or {}
    rows = []
    for r in trace.rows:
        where = esc(headings.get(r.section, f"第 {r.section + 1} 节"))
        if r.flag is not None:
            verdict = f'<span class="trace-bad">待核对：{esc(r.flag.label)}</span>'
            support = esc(r.flag.hint)
        else:
            verdict = '<span class="trace-ok">有据</span>'
            sources = "".join(f'<div class="trace-source"><b>{esc(s.file)}</b>'
                              f'{"（" + esc(s.location) + "）" if s.location else ""}：“{esc(s.quote)}”</div>'
                              for s in r.sources)
            computation = f'<div class="trace-computation">计算：{esc(r.computation)}</div>' if r.computation else ""
            note = f'<div class="trace-note">{esc(r.note)}</div>' if r.note else ""
            support = f'<div class="trace-fact">事实：{esc(r.fact or "")}</div>{sources}{computation}{note}'
        rows.append(f'<tr class="trace-row{" trace-flagged" if r.flag else ""}"><td>{where}</td>'
                    f'<td><a href="#section-{r.section}">{esc(r.text)}</a></td><td>{verdict}</td><td>{support}</td></tr>')
    flagged = len(trace.unsupported)
    head = (f'<div class="trace-head">共 {len(trace.rows)} 个数字和日期，'
            f'{"全部有据" if not flagged else f"其中 {flagged} 个待核对"}。</div>')
    return (f'{head}<table class="trace-table" data-rows="{len(trace.rows)}"><thead><tr><th>位置</th><th>内容</th>'
            f'<th>结论</th><th>依据与来源</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
