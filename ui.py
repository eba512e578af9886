"""Gradio web UI: facts → outline → streamed draft → per-section rewrite/edit with highlighted checker flags.

Every action is one Workspace call (drafter/workspace.py); this module only turns library objects into
widgets and HTML. All text that came from users, models or the corpus is escaped before it becomes HTML.

Layout: a header (backend, corpus status), then tabs 起草 / 核对文本 / 范文库 / 使用说明. The draft is one
HTML document with a block per section (`#section-{index}`, 0-based like the library and the HTTP API);
flagged spans are `<mark class="flag flag-{kind}">`.

Gradio 6 notes (checked against gradio 6.31 source):
- `theme`/`css` moved from `gr.Blocks()` to `launch()` / `mount_gradio_app()`, and `mount_gradio_app()`
  overwrites `blocks.css`/`blocks.theme` with its own arguments. So the page CSS is injected by the header
  `gr.HTML(head="<style>…</style>")` (Gradio appends non-script `head` elements to the document head) and
  works however the app is mounted; `mount_options()` gives the theme for callers that can pass it.
- `gr.HTML` renders `value` through `innerHTML` (after a JS template pass over `html_template`, not over the
  value), so anything shown there must be escaped here; `gr.Error`/`gr.Warning` messages are HTML too.
- Every event is a public API endpoint unless `api_visibility="private"`.
"""

from __future__ import annotations

import asyncio
import html
import math
import os
import re
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # imported after the analytics switch above
from pydantic import ValidationError

from drafter.checking.flags import Flag
from drafter.errors import DrafterError, FactsError
from drafter.facts import ORG_TYPES, Facts, parse_facts_text, validate_facts
from drafter.models import Draft, OutlineSection, Section
from drafter.outline import number_headings

APP_TITLE = "工会年度工作总结起草工具"
MAX_UPLOAD_BYTES = 20 << 20  # 20 MB, as the HTTP API
UPLOAD_SUFFIXES = (".docx", ".txt", ".md")
STREAM_INTERVAL = 0.15  # seconds between re-renders while text streams in

REASON_LABELS = {
    "not_in_facts": "事实中没有",
    "value_mismatch": "与事实不符",
    "unit_mismatch": "单位不符",
    "derived": "推算得出",
    "copied_from_exemplar": "疑似照抄范文",
    "date_not_in_facts": "日期不在事实中",
    "placeholder": "占位符",
}
FLAG_KIND_LABELS = {"amount": "数额", "date": "日期", "placeholder": "占位符"}
SECTION_KIND_LABELS = {"opening": "开篇", "body": "正文", "shortcomings": "存在不足", "plans": "明年打算",
                       "closing": "结尾"}
FIELD_LABELS = {"org": "单位名称", "year": "年度", "org_type": "单位类型", "superior": "上级组织", "items": "全年工作",
                "shortcomings": "存在不足", "plans": "明年打算", "notes": "备注", "facts": "事实"}
_PYDANTIC_REASONS = {
    "missing": "缺少此项",
    "string_too_short": "不能为空",
    "too_short": "至少需要填写一条",
    "greater_than_equal": "应在 1949–2100 之间",
    "less_than_equal": "应在 1949–2100 之间",
    "int_parsing": "应为四位数字的年份",
    "int_from_float": "应为整数",
    "string_type": "应为文字",
    "list_type": "应为逐行填写的列表",
}

SANS = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Hiragino Sans GB", '
        '"WenQuanYi Micro Hei", system-ui, -apple-system, "Segoe UI", sans-serif')
SERIF = ('"Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "STSong", "SimSun", "宋体", '
         '"Noto Serif", Georgia, serif')
MONO = '"Noto Sans Mono CJK SC", ui-monospace, "Cascadia Mono", Consolas, monospace'

# An official-document red (5xx is the primary button) instead of Gradio's default orange.
PALETTE = {"50": "#fdf3f2", "100": "#fbe4e2", "200": "#f6c7c3", "300": "#ec9d96", "400": "#dc6a60", "500": "#b3261e",
           "600": "#9c1f18", "700": "#821a14", "800": "#6b1611", "900": "#57130f", "950": "#3a0c09"}

EXAMPLE = {
    "org": "宏远机械制造有限公司",
    "year": 2024,
    "org_type": "企业",
    "superior": "市总工会和公司党委",
    "items": [
        "组织职工学习党的二十届三中全会精神，举办专题宣讲8场，覆盖职工960人次",
        "召开三届四次职工代表大会，征集职工代表提案21件，全部办结",
        "走访慰问困难职工和劳模家庭26户，发放慰问金5.2万元",
        "开展“夏送清凉”活动，为高温岗位职工发放防暑降温物资价值9.8万元",
        "举办数控车工、焊工技能比武，参赛选手64名，9人获评“技术能手”",
        "开展“五小”创新活动，收集合理化建议118条，采纳42条",
        "组织职工健康体检，参检职工1120人，体检率97.5%",
        "举办职工迎新春趣味运动会和篮球联赛，参与职工700余人次",
    ],
    "shortcomings": ["基层工会小组活动开展不够经常", "职工书屋利用率有待提高"],
    "plans": ["开展第三届职工技能比武", "推进职工之家标准化建设", "深化困难职工精准帮扶"],
    "notes": "",
}

ITEMS_PLACEHOLDER = "走访慰问困难职工家庭32户，发放慰问金6.4万元\n举办变电运维技能比武，参赛选手86名"
PASTE_PLACEHOLDER = """单位：XX市供电公司
年度：2024
单位类型：企业
上级组织：市总工会和公司党委
主要工作：
走访慰问困难职工家庭32户，发放慰问金6.4万元
举办变电运维技能比武，参赛选手86名
存在不足：
职工书屋利用率不高
明年打算：
开展第二届职工技能比武"""

OUTLINE_HELP = ("每节以【类型】开头（开篇、正文、不足、打算、结尾），后接标题；其下每行一条事实。"
                "可改标题、增删节、把事实移到别的节；编号会自动重排。清空提纲则按规则自动生成。")


# --- facts ---------------------------------------------------------------------------------------------------
_BULLET = re.compile(r"^(?:[-*•·－—]+|\d+[.、．)]|[（(]\d+[）)])\s*")


def default_year(today: datetime | None = None) -> int:
    """The year being summed up: this year from October on (summaries are written at year end), else last year."""
    today = today or datetime.now()
    return today.year if today.month >= 10 else today.year - 1


def split_lines(text: str | None) -> list[str]:
    """One fact per line; blank lines and lines that are only a list marker (「- 」「1.」) are dropped.
    The Facts model strips the markers themselves."""
    return [line.strip() for line in (text or "").splitlines() if _BULLET.sub("", line.strip()).strip()]


def facts_error_message(err: FactsError) -> str:
    """A FactsError as a Chinese sentence that names the field by its form label."""
    field = (err.field or "facts").split(".")[0]
    label = FIELD_LABELS.get(field, field)
    reason = ""
    cause = err.__cause__
    if isinstance(cause, ValidationError) and cause.errors():
        reason = _PYDANTIC_REASONS.get(cause.errors()[0]["type"], "")
    if not reason:
        reason = str(err).split("有误：", 1)[-1]
    return f"「{label}」有误：{reason}"


def facts_from_form(org: str | None, year: Any, org_type: str | None, superior: str | None, items: str | None,
                    shortcomings: str | None, plans: str | None, notes: str | None = "") -> Facts:
    """The form's fields as Facts; raises FactsError naming the field by its Chinese label."""
    if not (org or "").strip():
        raise FactsError("单位名称", "不能为空，请填写单位名称，如：XX市供电公司")
    if year is None or (isinstance(year, str) and not year.strip()):
        raise FactsError("年度", "不能为空，请填写年份，如 2024")
    try:
        year_num = float(str(year).strip().removesuffix("年"))
    except ValueError:
        raise FactsError("年度", f"应为四位数字的年份，收到「{year}」") from None
    if not math.isfinite(year_num) or year_num != int(year_num) or not 1949 <= year_num <= 2100:
        raise FactsError("年度", f"应为 1949–2100 之间的年份，收到「{year}」")
    lines = split_lines(items)
    if not lines:
        raise FactsError("全年工作", "至少填写一条，每行一件事，写清数字和单位")
    data = {
        "org": org or "", "year": int(year_num), "org_type": (org_type or "企业").strip() or "企业",
        "superior": superior or "", "items": lines, "shortcomings": split_lines(shortcomings),
        "plans": split_lines(plans), "notes": notes or "",
    }
    try:
        facts = validate_facts(data)
    except FactsError as exc:
        raise FactsError(FIELD_LABELS.get(exc.field.split(".")[0], exc.field),
                         facts_error_message(exc).split("有误：", 1)[-1]) from exc
    return facts


def form_values(facts: Facts | dict[str, Any]) -> tuple[Any, ...]:
    """Facts back into the form's fields, in FACT_FIELDS order."""
    f = facts if isinstance(facts, Facts) else Facts.model_validate(facts)
    org_type = f.org_type if f.org_type in ORG_TYPES else "其他"
    return (f.org, f.year, org_type, f.superior, "\n".join(f.items), "\n".join(f.shortcomings), "\n".join(f.plans),
            f.notes)


# --- outline as editable text -------------------------------------------------------------------------------
_OUTLINE_KINDS = {
    "开篇": "opening", "开头": "opening", "前言": "opening",
    "正文": "body", "工作": "body", "主要工作": "body",
    "不足": "shortcomings", "存在不足": "shortcomings", "问题": "shortcomings", "存在问题": "shortcomings",
    "打算": "plans", "明年打算": "plans", "计划": "plans", "下一步": "plans", "工作打算": "plans",
    "结尾": "closing", "结束语": "closing", "结语": "closing",
}
_OUTLINE_LABEL = {"opening": "开篇", "body": "正文", "shortcomings": "不足", "plans": "打算", "closing": "结尾"}
_DEFAULT_HEADINGS = {"shortcomings": "存在的不足", "plans": "下一步工作打算"}
_SECTION_LINE = re.compile(r"^[【\[]\s*([^】\]]*?)\s*[】\]]\s*(.*)$")
_NUMERAL_PREFIX = re.compile(r"^[一二三四五六七八九十]+、\s*")


class OutlineError(ValueError):
    """The outline text does not parse; the message names the line, in Chinese."""


def _bare(heading: str) -> str:
    return _NUMERAL_PREFIX.sub("", heading.strip())


def outline_to_text(outline: Sequence[OutlineSection]) -> str:
    blocks = []
    for s in outline:
        lines = [f"【{_OUTLINE_LABEL[s.kind]}】{s.heading}".rstrip()]
        lines += [f"- {fact}" for fact in s.facts]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def text_to_outline(text: str, previous: Sequence[OutlineSection] | None = None) -> list[OutlineSection]:
    """Parse the outline editor. Retrieval queries are kept for sections that match the previous outline."""
    sections: list[dict[str, Any]] = []
    for n, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        m = _SECTION_LINE.match(line)
        if m:
            label, heading = m.group(1), m.group(2).strip()
            kind = _OUTLINE_KINDS.get(label)
            if kind is None:
                raise OutlineError(f"提纲第 {n} 行：不认识的类型「{label}」，可用：开篇、正文、不足、打算、结尾")
            if kind == "body" and not _bare(heading):
                raise OutlineError(f"提纲第 {n} 行：正文部分需要一个标题，如【正文】一、关心职工生活，体现组织温暖")
            sections.append({"kind": kind, "heading": heading or _DEFAULT_HEADINGS.get(kind, ""), "facts": []})
            continue
        if not sections:
            raise OutlineError(f"提纲第 {n} 行：请先用【开篇】【正文】等标记开始一节，再在其下逐行写事实")
        fact = _BULLET.sub("", line).strip()
        if fact:
            sections[-1]["facts"].append(fact)
    if not sections:
        raise OutlineError("提纲为空")
    by_heading = {(s.kind, _bare(s.heading)): s.query for s in previous or []}
    by_kind: dict[str, list[str]] = {}
    for s in previous or []:
        by_kind.setdefault(s.kind, []).append(s.query)
    out = []
    for new in sections:
        query = by_heading.get((new["kind"], _bare(new["heading"])))
        if query is None and new["kind"] != "body" and len(by_kind.get(new["kind"], [])) == 1:
            query = by_kind[new["kind"]][0]
        out.append(OutlineSection(kind=new["kind"], heading=new["heading"], facts=new["facts"], query=query or ""))
    return number_headings(out)


def unplaced_facts(outline: Sequence[OutlineSection], facts: Facts) -> list[str]:
    """Work items that no section carries (they would not appear in the draft)."""
    placed = {f for s in outline for f in s.facts}
    return [item for item in facts.items if item not in placed]


# --- HTML rendering -----------------------------------------------------------------------------------------
def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def flag_title(flag: Flag) -> str:
    reason = REASON_LABELS.get(flag.reason, flag.reason)
    return f"{reason}：{flag.hint}" if flag.hint else reason


def _flag_spans(text: str, flags: Sequence[Flag]) -> list[tuple[int, int, int, Flag]]:
    """(start, end, flag number, flag), sorted and non-overlapping. Stale offsets are re-found near where
    they were; a flag whose text is gone, or that overlaps an earlier one, is not highlighted."""
    spans = []
    for k, f in enumerate(flags):
        if not f.text:
            continue
        start, end = f.start, f.end
        if not (0 <= start < end <= len(text)) or text[start:end] != f.text:
            hits = [m.start() for m in re.finditer(re.escape(f.text), text)]
            if not hits:
                continue
            start = min(hits, key=lambda h: abs(h - f.start))
            end = start + len(f.text)
        spans.append((start, end, k, f))
    spans.sort(key=lambda s: (s[0], -s[1]))
    kept: list[tuple[int, int, int, Flag]] = []
    cursor = 0
    for span in spans:
        if span[0] >= cursor:
            kept.append(span)
            cursor = span[1]
    return kept


def _mark(piece: str, flag: Flag, anchor: str | None) -> str:
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return (f'<mark class="flag flag-{esc(flag.kind)} reason-{esc(flag.reason)}"{ident} '
            f'data-reason="{esc(flag.reason)}" title="{esc(flag_title(flag))}">{esc(piece)}</mark>')


def highlight(text: str, flags: Sequence[Flag], *, anchor_prefix: str = "flag") -> str:
    """The text as escaped <p> paragraphs with every flagged span wrapped in a <mark>.

    The text is sliced at the flags' offsets and every piece is escaped on its own, so markup in the text
    (a fact like `<script>`) shows as text. A flag that crosses a line break is marked on both lines; the
    first part carries the anchor `{anchor_prefix}-{k}` that the summary links to.
    """
    spans = _flag_spans(text, flags)
    paragraphs = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        start += len(line) - len(line.lstrip())
        end -= len(line) - len(line.rstrip())
        if start >= end:
            continue
        pieces, cursor = [], start
        for s, e, k, flag in spans:
            if e <= start or s >= end:
                continue
            a, b = max(s, start), min(e, end)
            pieces.append(esc(text[cursor:a]))
            pieces.append(_mark(text[a:b], flag, f"{anchor_prefix}-{k}" if a == s else None))
            cursor = b
        pieces.append(esc(text[cursor:end]))
        paragraphs.append(f"<p>{''.join(pieces)}</p>")
    return "".join(paragraphs)


def plain_paragraphs(text: str) -> str:
    return "".join(f"<p>{esc(line.strip())}</p>" for line in text.split("\n") if line.strip())


def section_label(section: OutlineSection | Section, *, short: bool = False) -> str:
    label = section.heading or SECTION_KIND_LABELS.get(section.kind, section.kind)
    if short:
        bare = re.split(r"[，,]", label)[0]
        return bare if len(bare) <= 12 else bare[:11] + "…"
    return label


def section_choices(draft: Draft) -> list[tuple[str, int]]:
    return [(f"第 {s.index + 1} 节 · {section_label(s)}" + ("（失败）" if s.status == "failed" else ""), s.index)
            for s in draft.sections]


def _section_status(section: Section, live: dict[int, str], writing: set[int]) -> str:
    if section.index in writing:
        return "writing"
    if section.status == "pending":
        return "writing" if section.index in live else "pending"
    return section.status


def render_section(section: Section, *, live: str | None = None, writing: bool = False) -> str:
    status = "writing" if writing else section.status
    flags = section.flags
    badges = [f'<span class="badge">第 {section.index + 1} 节</span>']
    if status == "writing":
        badges.append('<span class="badge badge-busy">正在撰写…</span>')
    elif section.status == "failed":
        badges.append('<span class="badge badge-fail">生成失败</span>')
    elif section.status == "done":
        if flags:
            badges.append(f'<span class="badge badge-warn">{len(flags)} 处待核对</span>')
        else:
            badges.append('<span class="badge badge-ok">数字已核对</span>')
    if section.version > 0:
        note = f"第 {section.version + 1} 版"
        if section.instruction:
            note += f" · {section.instruction}"
        badges.append(f'<span class="badge">{esc(note)}</span>')
    if section.heading:
        head = f'<h3 class="section-heading">{esc(section.heading)}</h3>'
    else:
        head = f'<div class="section-kind">{esc(SECTION_KIND_LABELS.get(section.kind, section.kind))}</div>'

    if status == "writing":
        shown = live if live is not None else ""
        body = plain_paragraphs(shown) if shown.strip() else '<p class="placeholder-text">正在撰写本节…</p>'
    elif section.status == "failed":
        body = (f'<div class="section-error"><strong>本节生成失败：</strong>{esc(section.error or "未知原因")}'
                '<br>请在右侧「修改本节」中选中本节，点击「重写本节」重试。</div>')
        if section.text:
            body += highlight(section.text, flags, anchor_prefix=f"flag-{section.index}")
    elif section.status == "pending":
        body = '<p class="placeholder-text">等待撰写…</p>'
    else:
        body = highlight(section.text, flags, anchor_prefix=f"flag-{section.index}")

    sources = ""
    if section.sources:
        items = []
        for src in section.sources:
            excerpt = re.sub(r"\s+", " ", src.text).strip()
            excerpt = excerpt[:140] + ("…" if len(excerpt) > 140 else "")
            where = f'<span class="src-section">{esc(src.section)}</span>' if src.section else ""
            items.append(f'<li><span class="src-title">《{esc(src.title)}》</span>{where}'
                         f'<div class="src-excerpt">{esc(excerpt)}</div></li>')
        sources = (f'<details class="section-sources"><summary>参考范文 {len(section.sources)} 段</summary>'
                   f'<ul>{"".join(items)}</ul></details>')
    return (f'<section class="draft-section status-{esc(status)}" id="section-{section.index}" '
            f'data-index="{section.index}" data-version="{section.version}">'
            f'<div class="section-head">{head}<div class="badges">{"".join(badges)}</div></div>'
            f'<div class="section-text">{body}</div>{sources}</section>')


def render_draft(draft: Draft | None, *, live: dict[int, str] | None = None, writing: set[int] | None = None) -> str:
    if draft is None:
        return ('<div class="draft-paper draft-empty"><p>草稿将在这里逐节出现。</p>'
                '<p>先在上方填写全年事实（或点击「填入示例」），再点「生成提纲」「生成草稿」。</p></div>')
    live = live or {}
    writing = writing or set()
    blocks = []
    for s in draft.sections:
        is_writing = _section_status(s, live, writing) == "writing"
        blocks.append(render_section(s, live=live.get(s.index), writing=is_writing))
    backend = backend_label(draft.backend)
    meta = f"编号 {esc(draft.id)} · {esc(backend)} · 更新于 {esc(local_time(draft.updated_at))}"
    return (f'<article class="draft-paper" data-draft-id="{esc(draft.id)}">'
            f'<h2 class="draft-title">{esc(draft.title)}</h2><div class="draft-meta">{meta}</div>'
            f'{"".join(blocks)}</article>')


def render_flag_summary(sections: Sequence[Section], *, ready: bool = True,
                        fix_hint: str = "改正后点「保存修改」会重新核对。") -> str:
    """Counts by kind, then one row per flag: section (linked), the text, the reason and the hint."""
    if not sections:
        return ""
    if not ready:
        return '<div class="flag-summary flag-summary-wait">草稿完成后在这里汇总需要核对的数字。</div>'
    flags = [(s, k, f) for s in sections for k, f in enumerate(s.flags)]
    failed = [s for s in sections if s.status == "failed"]
    fail_note = ""
    if failed:
        names = "、".join(f"第 {s.index + 1} 节" for s in failed)
        fail_note = f'<div class="fail-note">{esc(names)}生成失败，可在「修改本节」中重写。</div>'
    if not flags:
        return (f'<div class="flag-summary flag-summary-ok"><span class="flag-total" data-count="0">0</span>'
                f' 处待核对：草稿中的数额、日期都能在事实中找到。{fail_note}</div>')
    counts = {k: sum(1 for _, _, f in flags if f.kind == k) for k in FLAG_KIND_LABELS}
    chips = "".join(f'<span class="count-chip chip-{k}">{FLAG_KIND_LABELS[k]} {n}</span>'
                    for k, n in counts.items() if n)
    rows = []
    for s, k, f in flags:
        where = f'<a href="#flag-{s.index}-{k}">第 {s.index + 1} 节 · {esc(section_label(s, short=True))}</a>'
        rows.append(f'<tr class="flag-row" data-kind="{esc(f.kind)}"><td>{where}</td>'
                    f'<td><mark class="flag flag-{esc(f.kind)}">{esc(f.text)}</mark></td>'
                    f'<td>{esc(REASON_LABELS.get(f.reason, f.reason))}</td><td>{esc(f.hint)}</td></tr>')
    return (f'<div class="flag-summary"><div class="flag-counts">需要核对 <span class="flag-total" '
            f'data-count="{len(flags)}">{len(flags)}</span> 处 {chips}</div>{fail_note}'
            '<table class="flag-table"><thead><tr><th>位置</th><th>内容</th><th>原因</th><th>说明</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>'
            '<div class="flag-legend">草稿中<mark class="flag flag-amount">数额</mark>'
            '<mark class="flag flag-date">日期</mark><mark class="flag flag-placeholder">占位符</mark>'
            f'已标出；把鼠标停在标记上可看原因。{esc(fix_hint)}</div></div>')


def render_progress(draft: Draft | None, *, live: dict[int, str] | None = None, writing: set[int] | None = None,
                    finished: bool = False) -> str:
    if draft is None:
        return ""
    live = live or {}
    writing = writing or set()
    steps, done = [], 0
    for s in draft.sections:
        status = _section_status(s, live, writing)
        done += status in ("done", "failed")
        label = {"done": "完成", "failed": "失败", "writing": "撰写中", "pending": "等待"}[status]
        steps.append(f'<li class="step step-{status}" title="{esc(section_label(s))}：{label}">'
                     f'{esc(section_label(s, short=True))}</li>')
    total = len(draft.sections)
    failed = sum(1 for s in draft.sections if s.status == "failed")
    if finished:
        text = f"草稿已完成：共 {total} 节" + (f"，其中 {failed} 节失败" if failed else "")
    else:
        text = f"正在撰写… 已完成 {done} / {total} 节"
    pct = 100 if finished else int(100 * done / max(total, 1))
    state = "finished" if finished else "running"
    return (f'<div class="draft-progress progress-{state}" data-done="{done}" data-total="{total}">'
            f'<div class="progress-label">{esc(text)}</div>'
            f'<div class="progress-bar"><span style="width:{pct}%"></span></div>'
            f'<ol class="progress-steps">{"".join(steps)}</ol></div>')


def _preparing(text: str) -> str:
    return (f'<div class="draft-progress progress-running" data-done="0" data-total="0">'
            f'<div class="progress-label">{esc(text)}</div><div class="progress-bar progress-indeterminate">'
            '<span></span></div></div>')


def render_check_result(text: str, flags: Sequence[Flag]) -> str:
    """The check tab: the pasted text highlighted, with the same summary as a draft."""
    section = Section(index=0, kind="body", heading="", text=text, flags=list(flags), status="done")
    summary = render_flag_summary([section], fix_hint="改正后再点「核对」。").replace("第 1 节 · 正文", "原文")
    return (f'{summary}<article class="draft-paper"><div class="section-text">'
            f'{highlight(text, flags, anchor_prefix="flag-0")}</div></article>')


def render_hits(hits: Sequence[Any]) -> str:
    if not hits:
        return '<div class="hits-empty">没有找到相关的范文段落。</div>'
    items = []
    for rank, h in enumerate(hits, start=1):
        c = h.chunk
        items.append(f'<li class="hit"><div class="hit-head"><span class="hit-rank">{rank}</span>'
                     f'<span class="src-title">《{esc(c.title)}》</span>'
                     f'<span class="src-section">{esc(c.section)}</span>'
                     f'<span class="hit-score">相关度 {h.score:.3f}</span></div>'
                     f'{_excerpt_block(c.text)}</li>')
    return f'<ol class="hits">{"".join(items)}</ol>'


def _excerpt_block(text: str, limit: int = 160) -> str:
    """A passage's opening, and the whole passage in a <details> when it is longer."""
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= limit:
        return f'<div class="hit-text">{plain_paragraphs(text)}</div>'
    return (f'<div class="hit-text"><p>{esc(flat[:limit])}…</p></div>'
            f'<details class="hit-more"><summary>展开全文</summary><div class="hit-text">{plain_paragraphs(text)}'
            '</div></details>')


def backend_label(backend: str) -> str:
    return "离线起草（不编造数字）" if backend in ("", "offline") else f"大模型：{backend}"


def local_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def history_choices(rows: Sequence[dict[str, str]]) -> list[tuple[str, str]]:
    return [(f"{r['title']} · {local_time(r['updated_at'])} · {r['id']}", r["id"]) for r in rows]


def document_rows(docs: Sequence[Any]) -> list[list[Any]]:
    return [[d.doc_id, d.title, "内置" if d.bundled else "用户", d.sections, d.chunks] for d in docs]


def safe_filename(title: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", title).strip(" ._") or "草稿"
    return name[:80]


def upload_problem(path: str | Path) -> str | None:
    """Why an uploaded file is refused before the library sees it, or None."""
    p = Path(path)
    if p.suffix.lower() not in UPLOAD_SUFFIXES:
        return "只支持 .docx、.txt、.md 格式的往年总结"
    try:
        size = p.stat().st_size
    except OSError:
        return "文件上传不完整，请重新上传"
    if size > MAX_UPLOAD_BYTES:
        return f"文件大小 {math.ceil(size / (1 << 20) * 10) / 10:.1f} MB，超过 20 MB 上限"
    if size == 0:
        return "文件是空的"
    return None


def _file_path(f: Any) -> str:
    """gr.File gives str paths (type="filepath"); older payloads may be objects with .name/.path."""
    if isinstance(f, str | Path):
        return str(f)
    return str(getattr(f, "path", None) or getattr(f, "name", None) or f)


def _original_name(path: str) -> str:
    return Path(path).name


# --- theme and CSS ------------------------------------------------------------------------------------------
_PALETTE_VARS = " ".join(f"--primary-{k}: {v};" for k, v in PALETTE.items())
CSS = f"""
:root {{ {_PALETTE_VARS} --font: {SANS}; --font-mono: {MONO}; }}
.gradio-container {{ font-family: {SANS}; }}
.gradio-container textarea, .gradio-container input {{ font-family: {SANS}; }}
#outline-editor textarea, #paste-facts textarea {{ font-family: {MONO}; font-size: 14px; line-height: 1.7; }}
#section-text-editor textarea {{ font-family: {SERIF}; font-size: 16px; line-height: 1.9; }}
.app-header {{ display: flex; flex-wrap: wrap; align-items: flex-end; justify-content: space-between; gap: 8px 24px;
  padding: 14px 4px 12px; border-bottom: 3px solid #b3261e; margin-bottom: 4px; }}
.app-header .app-title {{ font-family: {SERIF}; font-size: 28px; font-weight: 700; color: #b3261e;
  letter-spacing: 0.12em; margin: 0; line-height: 1.3; }}
.app-header .app-sub {{ color: #57534e; font-size: 14px; margin-top: 2px; }}
.app-status {{ display: flex; gap: 8px; flex-wrap: wrap; font-size: 13px; }}
.status-pill {{ background: #f5f5f4; color: #292524; border: 1px solid #e7e5e4; border-radius: 999px;
  padding: 3px 12px; white-space: nowrap; }}
.status-pill.backend-offline {{ background: #ecfdf5; border-color: #a7f3d0; color: #065f46; }}
.status-pill.backend-llm {{ background: #eff6ff; border-color: #bfdbfe; color: #1e3a8a; }}
.step-title {{ font-size: 17px; font-weight: 700; color: #1c1917; margin: 6px 0 2px;
  border-left: 4px solid #b3261e; padding-left: 10px; }}
.dark .step-title {{ color: #f5f5f4; }}
.hint {{ color: #78716c; font-size: 13px; }}
#edit-panel {{ position: sticky; top: 8px; align-self: flex-start; }}

/* the draft: a sheet of paper in the official-document manner */
.draft-paper {{ background: #fffdf8; color: #1c1917; border: 1px solid #e7e2d6; border-radius: 6px;
  box-shadow: 0 1px 3px rgba(0,0,0,.06); padding: 36px 48px 40px; font-family: {SERIF}; }}
.draft-empty {{ color: #78716c; font-family: {SANS}; padding: 28px 32px; text-align: center; line-height: 1.9; }}
.draft-paper .draft-title {{ text-align: center; font-family: {SERIF}; font-size: 26px; font-weight: 700; margin: 0 0 6px;
  color: #1c1917; letter-spacing: 0.04em; line-height: 1.5; }}
.draft-meta {{ text-align: center; color: #a8a29e; font-family: {SANS}; font-size: 12px; margin-bottom: 22px; }}
.draft-section {{ border-left: 3px solid transparent; padding: 6px 0 6px 14px; margin: 0 0 10px -17px;
  scroll-margin-top: 80px; transition: background .3s; }}
.draft-section.status-writing {{ border-left-color: #f59e0b; background: #fffbeb; }}
.draft-section.status-failed {{ border-left-color: #dc2626; background: #fef2f2; }}
.draft-section.status-pending {{ opacity: .6; }}
.section-head {{ display: flex; align-items: baseline; justify-content: space-between; gap: 12px; flex-wrap: wrap; }}
.draft-section .section-heading {{ font-family: {SANS}; font-size: 18px; font-weight: 700; margin: 10px 0 4px; color: #1c1917; }}
.section-kind {{ font-family: {SANS}; font-size: 12px; color: #a8a29e; letter-spacing: .1em; margin: 4px 0 0; }}
.badges {{ display: flex; gap: 6px; flex-wrap: wrap; font-family: {SANS}; }}
.badge {{ font-size: 12px; color: #57534e; background: #f5f5f4; border-radius: 4px; padding: 1px 8px;
  white-space: nowrap; }}
.badge-warn {{ background: #fee2e2; color: #991b1b; }}
.badge-ok {{ background: #dcfce7; color: #166534; }}
.badge-fail {{ background: #dc2626; color: #fff; }}
.badge-busy {{ background: #fef3c7; color: #92400e; }}
.section-text p {{ font-family: {SERIF}; font-size: 17px; line-height: 1.9; text-indent: 2em; margin: 0 0 .35em;
  text-align: justify; color: #1c1917; }}
.section-text p.placeholder-text {{ color: #a8a29e; text-indent: 0; font-family: {SANS}; font-size: 14px; }}
.section-error {{ font-family: {SANS}; color: #991b1b; font-size: 14px; line-height: 1.7; padding: 6px 0; }}

mark.flag {{ color: inherit; border-radius: 3px; padding: 0 2px; cursor: help; }}
mark.flag-amount {{ background: #fecaca; box-shadow: inset 0 -2px 0 #dc2626; }}
mark.flag-amount.reason-derived {{ background: #fed7aa; box-shadow: inset 0 -2px 0 #ea580c; }}
mark.flag-date {{ background: #fef9c3; box-shadow: inset 0 -2px 0 #ca8a04; }}
mark.flag-placeholder {{ background: #ede9fe; box-shadow: none; outline: 1px dashed #7c3aed; }}
mark.flag:target {{ outline: 2px solid #b3261e; }}

.section-sources {{ font-family: {SANS}; font-size: 13px; color: #57534e; margin-top: 4px; }}
.section-sources summary {{ cursor: pointer; color: #78716c; width: fit-content; }}
.section-sources ul {{ margin: 6px 0 0; padding-left: 18px; }}
.section-sources li {{ margin-bottom: 6px; }}
.src-title {{ font-weight: 600; color: #44403c; }}
.src-section {{ color: #78716c; margin-left: 6px; }}
.src-excerpt {{ color: #78716c; font-size: 12px; line-height: 1.6; }}

.flag-summary {{ font-family: {SANS}; background: #fff7ed; border: 1px solid #fed7aa; color: #1c1917;
  border-radius: 6px; padding: 12px 16px; font-size: 14px; }}
.flag-summary-ok {{ background: #f0fdf4; border-color: #bbf7d0; color: #14532d; }}
.flag-summary-wait {{ background: #f5f5f4; border-color: #e7e5e4; color: #57534e; }}
.flag-counts {{ font-size: 15px; font-weight: 600; margin-bottom: 6px; display: flex; gap: 8px; align-items: center;
  flex-wrap: wrap; }}
.flag-total {{ font-size: 20px; color: #b91c1c; font-weight: 700; }}
.flag-summary-ok .flag-total {{ color: #15803d; }}
.count-chip {{ font-size: 12px; font-weight: 500; border-radius: 999px; padding: 1px 10px; background: #fee2e2;
  color: #991b1b; }}
.count-chip.chip-date {{ background: #fef9c3; color: #854d0e; }}
.count-chip.chip-placeholder {{ background: #ede9fe; color: #5b21b6; }}
.flag-table {{ width: 100%; border-collapse: collapse; margin: 4px 0 6px; font-size: 13px; }}
.flag-table th {{ text-align: left; color: #78716c; font-weight: 500; border-bottom: 1px solid #fed7aa;
  padding: 4px 6px; }}
.flag-table td {{ border-bottom: 1px dashed #fde4c8; padding: 4px 6px; vertical-align: top; }}
.flag-table a {{ color: #b3261e; text-decoration: none; }}
.flag-table a:hover {{ text-decoration: underline; }}
.flag-legend {{ color: #78716c; font-size: 12px; }}
.flag-legend mark {{ margin: 0 2px; }}
.fail-note {{ color: #b91c1c; font-weight: 600; margin: 4px 0; }}

.draft-progress {{ font-family: {SANS}; font-size: 13px; color: #44403c; }}
.progress-label {{ font-weight: 600; margin-bottom: 4px; }}
.progress-bar {{ height: 6px; background: #e7e5e4; border-radius: 3px; overflow: hidden; }}
.progress-bar span {{ display: block; height: 100%; background: #b3261e; transition: width .3s; }}
.progress-finished .progress-bar span {{ background: #16a34a; }}
.progress-indeterminate span {{ width: 30%; animation: drafter-slide 1.2s ease-in-out infinite; }}
@keyframes drafter-slide {{ from {{ margin-left: -30%; }} to {{ margin-left: 100%; }} }}
.progress-steps {{ display: flex; flex-wrap: wrap; gap: 6px; list-style: none; padding: 0; margin: 8px 0 0; }}
.step {{ border-radius: 4px; padding: 2px 8px; background: #f5f5f4; color: #78716c; font-size: 12px; }}
.step-done {{ background: #dcfce7; color: #166534; }}
.step-done::before {{ content: "✓ "; }}
.step-writing {{ background: #fef3c7; color: #92400e; }}
.step-failed {{ background: #fee2e2; color: #991b1b; }}
.step-failed::before {{ content: "✕ "; }}
.dark .draft-progress {{ color: #e7e5e4; }}

.hits {{ list-style: none; padding: 0; margin: 0; font-family: {SANS}; }}
.hit {{ border: 1px solid #e7e5e4; border-radius: 6px; padding: 10px 14px; margin-bottom: 8px; background: #fff;
  color: #1c1917; }}
.hit-head {{ display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; font-size: 13px; }}
.hit-rank {{ background: #b3261e; color: #fff; border-radius: 999px; min-width: 20px; text-align: center;
  font-size: 12px; }}
.hit-score {{ margin-left: auto; color: #a8a29e; font-size: 12px; }}
.hit-text p {{ font-family: {SERIF}; line-height: 1.9; margin: 4px 0; text-indent: 2em; font-size: 15px; }}
.hits-empty {{ color: #78716c; }}
.hit-more summary {{ cursor: pointer; color: #78716c; font-size: 13px; width: fit-content; }}
.help-doc {{ line-height: 1.9; }}
@media (max-width: 640px) {{
  .draft-paper {{ padding: 20px 16px 24px; }}
  .draft-section {{ margin-left: -11px; padding-left: 8px; }}
  .flag-table td:last-child, .flag-table th:last-child {{ display: none; }}
}}
"""


def _font_names(stack: str) -> list[str]:
    """A CSS font stack as theme fonts: named fonts only, plus the generic family (Gradio quotes names, so
    keywords like system-ui would become font names)."""
    names = [f.strip().strip('"') for f in stack.split(",")]
    return [n for n in names if n and not n.startswith(("-", "system-ui", "ui-"))]


def make_theme() -> Any:
    """System fonts only: nothing is fetched from a font service."""
    return gr.themes.Default(
        primary_hue=gr.themes.Color(**{f"c{k}": v for k, v in PALETTE.items()}, name="official-red"),
        neutral_hue=gr.themes.colors.stone,
        font=_font_names(SANS),
        font_mono=_font_names(MONO),
    )


def mount_options() -> dict[str, Any]:
    """Extra arguments for `gr.mount_gradio_app(app, build_ui(ws), path="/", **mount_options())`.

    The CSS is injected by build_ui itself, so it is not repeated here.
    """
    return {"theme": make_theme(), "footer_links": ["api"], "max_file_size": "25mb"}


# --- handlers -----------------------------------------------------------------------------------------------
def _error(exc: Exception) -> gr.Error:
    """A gr.Error whose message is escaped (Gradio renders it as HTML)."""
    if isinstance(exc, FactsError):
        message = facts_error_message(exc)
    elif isinstance(exc, OutlineError | DrafterError):
        message = str(exc)
    else:
        message = f"出错了：{exc}"
    return gr.Error(esc(message), title="无法完成", print_exception=not isinstance(exc, DrafterError | OutlineError))


def _warn(*lines: str) -> None:
    """A warning toast; each line escaped (Gradio renders the message as HTML)."""
    gr.Warning("<br>".join(esc(line) for line in lines), title="请注意")


class DrafterUI:
    """The UI's actions, one method per event; build_ui wires them to widgets. Testable without a browser."""

    def __init__(self, workspace: Any) -> None:
        self.ws = workspace

    # status
    def status_html(self) -> str:
        """Backend and corpus state; never builds the index (health() only reads the manifest)."""
        backend = backend_label(self.ws.backend)
        kind = "backend-offline" if self.ws.backend == "offline" else "backend-llm"
        try:
            index = self.ws.health()["index"]
            corpus = (f"范文库：{index['documents']} 篇" if index["built"]
                      else "范文库：索引未建立（首次起草时自动建立）")
        except DrafterError as exc:
            corpus = f"范文库：{exc.message}"
        return (f'<div class="app-status"><span class="status-pill {kind}" title="当前起草方式">{esc(backend)}</span>'
                f'<span class="status-pill">{esc(corpus)}</span></div>')

    def header_html(self) -> str:
        return (f'<header class="app-header"><div><h1 class="app-title">{APP_TITLE}</h1>'
                '<div class="app-sub">依据全年事实和往年范文起草，每一个数字都与事实核对</div></div>'
                f'{self.status_html()}</header>')

    # facts
    def fill_example(self) -> tuple[Any, ...]:
        return form_values(EXAMPLE)

    def clear_form(self) -> tuple[Any, ...]:
        return ("", default_year(), "企业", "", "", "", "", "", "", [])

    def parse_pasted(self, text: str) -> tuple[Any, ...]:
        if not (text or "").strip():
            raise gr.Error("请先粘贴事实文本", title="无法识别")
        try:
            facts = parse_facts_text(text)
        except FactsError as exc:
            raise _error(exc) from exc
        gr.Info(f"已识别：{len(facts.items)} 条全年工作，{len(facts.shortcomings)} 条不足，{len(facts.plans)} 条打算。"
                "请在「逐项填写」中核对。", title="识别完成")
        return form_values(facts)

    def _facts(self, *fields: Any) -> Facts:
        try:
            return facts_from_form(*fields)
        except FactsError as exc:
            raise _error(exc) from exc

    async def plan(self, org: str, year: Any, org_type: str, superior: str, items: str, shortcomings: str,
                   plans: str, notes: str) -> tuple[str, list[dict[str, Any]]]:
        """Facts → the outline as editable text (and the outline itself, to keep retrieval queries)."""
        facts = self._facts(org, year, org_type, superior, items, shortcomings, plans, notes)
        try:
            outline = await self.ws.plan(facts)
        except DrafterError as exc:
            raise _error(exc) from exc
        return outline_to_text(outline), [s.model_dump() for s in outline]

    # the draft view: every output a finished draft updates
    def _view(self, draft: Draft, *, select: int | None = None) -> tuple[Any, ...]:
        if select is None or not 0 <= select < len(draft.sections):
            failed = [s.index for s in draft.sections if s.status == "failed"]
            select = failed[0] if failed else 0
        section = draft.sections[select] if draft.sections else None
        docx, md = self._exports(draft)
        return (
            draft.id,
            render_progress(draft, finished=True),
            render_flag_summary(draft.sections),
            render_draft(draft),
            gr.Dropdown(choices=section_choices(draft), value=select, interactive=True),
            section.heading if section else "",
            section.text if section else "",
            gr.DownloadButton(value=docx, interactive=True),
            gr.DownloadButton(value=md, interactive=True),
            gr.Dropdown(choices=history_choices(self.ws.list_drafts(50)), value=draft.id),
        )

    def _streaming(self, draft: Draft, live: dict[int, str], writing: set[int]) -> tuple[Any, ...]:
        return (draft.id, render_progress(draft, live=live, writing=writing),
                render_flag_summary(draft.sections, ready=False), render_draft(draft, live=live, writing=writing),
                *([gr.skip()] * 6))

    def _exports(self, draft: Draft) -> tuple[str | None, str | None]:
        folder = Path(tempfile.gettempdir()) / "drafter-exports" / draft.id
        folder.mkdir(parents=True, exist_ok=True)
        paths: list[str | None] = []
        for fmt in ("docx", "md"):
            try:
                data = self.ws.export(draft.id, fmt)
            except DrafterError as exc:
                _warn(f"导出 {fmt} 失败：{exc}")
                paths.append(None)
                continue
            target = folder / f"{safe_filename(draft.title)}.{fmt}"
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
            paths.append(str(target))
        return paths[0], paths[1]

    async def draft(self, org: str, year: Any, org_type: str, superior: str, items: str, shortcomings: str,
                    plans: str, notes: str, outline_text: str, outline_state: list[dict[str, Any]] | None
                    ) -> AsyncIterator[tuple[Any, ...]]:
        """Write a whole draft, streaming each section in as it is written."""
        facts = self._facts(org, year, org_type, superior, items, shortcomings, plans, notes)
        outline: list[OutlineSection] | None = None
        if (outline_text or "").strip():
            previous = [OutlineSection.model_validate(s) for s in outline_state or []]
            try:
                outline = text_to_outline(outline_text, previous)
            except OutlineError as exc:
                raise _error(exc) from exc
            missing = unplaced_facts(outline, facts)
            if missing:
                _warn("以下事实没有安排进提纲，草稿中不会出现：" + "；".join(missing))
        yield (gr.skip(), _preparing("正在检索往年范文、准备起草…"), "", gr.skip(), *([gr.skip()] * 6))
        try:
            await asyncio.to_thread(self.ws.ensure_index)
            draft: Draft | None = None
            live: dict[int, str] = {}
            last = 0.0
            async for ev in self.ws.draft_stream(facts, outline):
                if ev.type == "outline" and ev.draft is not None:
                    draft = ev.draft
                elif draft is None:
                    continue
                elif ev.type == "delta" and ev.index is not None:
                    live[ev.index] = live.get(ev.index, "") + ev.text
                elif ev.type == "reset" and ev.index is not None:
                    live[ev.index] = ev.text
                elif ev.type == "section" and ev.section is not None:
                    draft.sections[ev.section.index] = ev.section
                    live.pop(ev.section.index, None)
                elif ev.type == "done" and ev.draft is not None:
                    draft = ev.draft
                    continue
                now = time.monotonic()
                if ev.type != "delta" or now - last >= STREAM_INTERVAL:
                    last = now
                    yield self._streaming(draft, live, set())
        except DrafterError as exc:
            raise _error(exc) from exc
        if draft is None:
            raise gr.Error("没有生成草稿", title="无法完成")
        final = self.ws.get_draft(draft.id)
        failed = [s for s in final.sections if s.status == "failed"]
        if failed:
            _warn(f"有 {len(failed)} 节生成失败，已选中第 {failed[0].index + 1} 节，可点「重写本节」重试。")
        yield self._view(final)

    async def regenerate(self, draft_id: str, index: Any, instruction: str) -> AsyncIterator[tuple[Any, ...]]:
        """Rewrite one section (optionally following an instruction); the others stay as they are."""
        if not draft_id:
            raise gr.Error("请先生成或打开一份草稿", title="没有草稿")
        if index is None:
            raise gr.Error("请先选择要重写的一节", title="没有选择")
        idx = int(index)
        try:
            draft = self.ws.get_draft(draft_id)
            await asyncio.to_thread(self.ws.ensure_index)
        except DrafterError as exc:
            raise _error(exc) from exc
        queue: asyncio.Queue[Any] = asyncio.Queue()
        instruction = (instruction or "").strip()[:200]
        task = asyncio.create_task(self.ws.regenerate(draft_id, idx, instruction, queue.put_nowait))
        task.add_done_callback(lambda _: queue.put_nowait(None))
        live: dict[int, str] = {idx: ""}
        yield self._streaming(draft, live, {idx})
        last = 0.0
        try:
            while (ev := await queue.get()) is not None:
                if ev.type == "delta":
                    live[idx] += ev.text
                elif ev.type == "reset":
                    live[idx] = ev.text
                else:
                    continue
                if time.monotonic() - last >= STREAM_INTERVAL:
                    last = time.monotonic()
                    yield self._streaming(draft, live, {idx})
            result = await task
        except DrafterError as exc:
            raise _error(exc) from exc
        finally:
            if not task.done():
                task.cancel()
        section = result.sections[idx]
        if section.status == "failed":
            _warn(f"第 {idx + 1} 节重写失败：{section.error}")
        else:
            found = f"，{len(section.flags)} 处待核对" if section.flags else "，数字已核对"
            gr.Info(f"第 {idx + 1} 节已重写{found}", title="完成")
        yield self._view(result, select=idx)

    def select_section(self, draft_id: str, index: Any) -> tuple[str, str]:
        if not draft_id or index is None:
            return "", ""
        try:
            draft = self.ws.get_draft(draft_id)
        except DrafterError:
            return "", ""
        idx = int(index)
        if not 0 <= idx < len(draft.sections):
            return "", ""
        return draft.sections[idx].heading, draft.sections[idx].text

    def save_edit(self, draft_id: str, index: Any, heading: str, text: str) -> tuple[Any, ...]:
        """The user's own text for one section: stored as a new version and checked again."""
        if not draft_id:
            raise gr.Error("请先生成或打开一份草稿", title="没有草稿")
        if index is None:
            raise gr.Error("请先选择要修改的一节", title="没有选择")
        idx = int(index)
        if not (text or "").strip():
            raise gr.Error("本节正文不能为空；如要重新生成，请点「重写本节」", title="无法保存")
        try:
            old = self.ws.get_draft(draft_id).sections[idx]
            draft = self.ws.edit_section(draft_id, idx, text=(text or "").strip(),
                                         heading=(heading or "").strip() if old.heading or heading else None)
        except (DrafterError, IndexError) as exc:
            raise _error(exc) from exc
        n = len(draft.sections[idx].flags)
        found = f"{n} 处待核对" if n else "数字都能在事实中找到"
        gr.Info(f"第 {idx + 1} 节已保存并重新核对：{found}", title="已保存")
        return self._view(draft, select=idx)

    def open_draft(self, draft_id: str) -> tuple[Any, ...]:
        """Reopen a past draft: the view, and its facts and outline back in the form."""
        if not draft_id:
            raise gr.Error("请先在列表中选择一份草稿", title="没有选择")
        try:
            draft = self.ws.get_draft(draft_id)
        except DrafterError as exc:
            raise _error(exc) from exc
        outline = [OutlineSection(kind=s.kind, heading=s.heading, facts=s.facts, query=s.query)
                   for s in draft.sections]
        return (*self._view(draft), *form_values(draft.facts), outline_to_text(outline),
                [s.model_dump() for s in outline])

    def refresh_history(self) -> Any:
        return gr.Dropdown(choices=history_choices(self.ws.list_drafts(50)))

    # check any text
    def check_text(self, org: str, year: Any, org_type: str, superior: str, items: str, shortcomings: str,
                   plans: str, notes: str, text: str) -> str:
        facts = self._facts(org, year, org_type, superior, items, shortcomings, plans, notes)
        if not (text or "").strip():
            raise gr.Error("请粘贴要核对的文本", title="没有文本")
        return render_check_result(text, self.ws.check(text, facts))

    # corpus
    def documents(self) -> tuple[list[list[Any]], Any]:
        try:
            docs = self.ws.list_documents()
        except DrafterError as exc:
            raise _error(exc) from exc
        removable = [(f"{d.title}（{d.doc_id}）", d.doc_id) for d in docs if not d.bundled]
        return document_rows(docs), gr.Dropdown(choices=removable, value=None)

    def upload(self, files: Sequence[Any] | None, progress: gr.Progress = gr.Progress()  # noqa: B008 - Gradio idiom
               ) -> tuple[Any, ...]:
        if not files:
            raise gr.Error("请先选择要上传的文件（.docx/.txt/.md）", title="没有文件")
        accepted, problems = [], []
        for f in files:
            path = _file_path(f)
            problem = upload_problem(path)
            if problem:
                problems.append(f"「{_original_name(path)}」未添加：{problem}")
            else:
                accepted.append(path)
        added: list[Any] = []
        if accepted:
            def report(stage: str, done: int, total: int) -> None:
                progress((done, total), desc="正在写入索引")

            try:
                added, errors = self.ws.add_documents(accepted, report)
            except DrafterError as exc:
                raise _error(exc) from exc
            problems += [f"「{_original_name(e.path)}」未添加：{e.reason}" for e in errors]
            if errors:
                problems.append("（支持 .docx、.txt、.md；文本文件需为 UTF-8 编码）")
        lines = []
        if added:
            lines.append(f"已添加 {len(added)} 篇：" + "、".join(f"《{d.title}》（{d.sections} 节）" for d in added))
        lines += problems
        if problems:
            _warn(*problems)
        if added:
            gr.Info(f"已添加 {len(added)} 篇范文", title="上传完成")
        rows, removable = self.documents()
        message = "<br>".join(esc(line) for line in lines) or "没有添加任何文件"
        return rows, removable, f'<div class="upload-result">{message}</div>', None

    def remove(self, doc_id: str | None) -> tuple[Any, ...]:
        if not doc_id:
            raise gr.Error("请先选择要删除的范文", title="没有选择")
        try:
            info = self.ws.remove_document(doc_id)
        except DrafterError as exc:
            raise _error(exc) from exc
        gr.Info(f"已删除《{info.title}》", title="已删除")
        rows, removable = self.documents()
        return rows, removable, f'<div class="upload-result">已删除《{esc(info.title)}》</div>'

    def rebuild(self, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008 - Gradio idiom

        def report(stage: str, done: int, total: int) -> None:
            progress((done, total), desc="正在计算向量")

        progress(0, desc="正在读取范文")
        try:
            report_ = self.ws.refresh_index(report)
        except DrafterError as exc:
            raise _error(exc) from exc
        rows, removable = self.documents()
        msg = (f"索引已更新：{report_.documents} 篇范文，{report_.chunks} 个片段，"
               f"本次新计算 {report_.embedded} 个，移除 {report_.removed} 个。")
        return rows, removable, f'<div class="upload-result">{esc(msg)}</div>'

    def search(self, query: str, k: Any = 6) -> str:
        if not (query or "").strip():
            raise gr.Error("请输入要检索的内容，如：困难职工帮扶", title="没有检索词")
        try:
            hits = self.ws.search(query.strip()[:500], int(k or 6))
        except DrafterError as exc:
            raise _error(exc) from exc
        return render_hits(hits)


HELP = """
### 怎么用

1. **填写事实**：单位名称、年度、单位类型、上级组织，以及「全年工作」——每行一件事，数字和单位写清楚（如“走访慰问困难职工家庭32户，发放慰问金6.4万元”）。也可以在「粘贴全文」中一次贴入，点「识别并填入」。
2. **生成提纲**：工具按主题把事实分到各节，给出公文常用的两句式标题。提纲可以直接修改：改标题、增删节、把事实挪到别的节。
3. **生成草稿**：各节依次写出。写完后，草稿中凡是**事实里没有的数额**都会用红色标出，日期用黄色、占位符用紫色；顶部列出所有待核对之处及原因。
4. **修改**：在右侧选中某一节，可以写一句要求（如“更简洁”“突出劳动竞赛”）后「重写本节」，其他各节不受影响；也可以直接改文字后「保存修改」，工具会重新核对数字。
5. **导出**：下载 Word（按党政机关公文格式排版）或 Markdown。历史草稿可随时重新打开。

### 关于数字
草稿中的每个数额都应来自你填写的事实。离线起草方式只使用事实原文，不会编造数字；使用大模型时，工具会逐一核对，标出事实中找不到、与事实不符、由事实推算或疑似照抄范文的数字。

### 范文库
「范文库」收录往年的工作总结，起草时检索相近段落作参考（数字会被遮盖，不会被照抄）。可以上传自己单位的往年总结（.docx/.txt/.md，每个不超过 20 MB）。
"""


# --- layout -------------------------------------------------------------------------------------------------
def _scroll_js(elem_id: str, n_inputs: int) -> str:
    """Runs in the browser before the event: bring the draft area into view (the button sits above it), and
    pass the inputs on unchanged (a js hook gets the inputs' then the outputs' values, returns the inputs)."""
    return (f"(...args) => {{ document.getElementById('{elem_id}')?.scrollIntoView({{behavior: 'smooth', "
            f"block: 'start'}}); return args.slice(0, {n_inputs}); }}")


def _html(value: str = "", **kwargs: Any) -> gr.HTML:
    """Our own HTML: no click-to-event script and no Gradio prose styles (the CSS above styles it)."""
    return gr.HTML(value, js_on_load=None, apply_default_css=False, **kwargs)


def build_ui(workspace: Any) -> gr.Blocks:
    ui = DrafterUI(workspace)
    # delete_cache: Gradio's copies of downloads/uploads older than a day are removed every 6 hours.
    with gr.Blocks(title=APP_TITLE, analytics_enabled=False, delete_cache=(6 * 3600, 86400)) as demo:
        header = _html(ui.header_html(), head=f"<style>{CSS}</style>", elem_id="app-header")

        draft_id = gr.State("")
        outline_state = gr.State([])

        with gr.Tabs():
            with gr.Tab("起草", id="draft-tab"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=5, min_width=380):
                        _html('<div class="step-title">① 填写全年事实</div>')
                        with gr.Tabs():
                            with gr.Tab("逐项填写", id="form-tab"):
                                with gr.Row():
                                    org = gr.Textbox(label="单位名称", placeholder="如：XX市供电公司", scale=3,
                                                     elem_id="f-org")
                                    year = gr.Number(label="年度", value=default_year(), precision=0, scale=1, elem_id="f-year")
                                with gr.Row():
                                    org_type = gr.Dropdown(label="单位类型", choices=list(ORG_TYPES), value="企业",
                                                           scale=1, elem_id="f-org-type")
                                    superior = gr.Textbox(label="上级组织", placeholder="如：市总工会和公司党委",
                                                          scale=3, elem_id="f-superior")
                                items = gr.Textbox(label="全年工作（每行一件事，写清数字和单位）", lines=9,
                                                   max_lines=30, placeholder=ITEMS_PLACEHOLDER, elem_id="f-items")
                                with gr.Row():
                                    shortcomings = gr.Textbox(label="存在不足（每行一条，可不填）", lines=3,
                                                              max_lines=10, elem_id="f-shortcomings")
                                    plans = gr.Textbox(label="明年打算（每行一条，可不填）", lines=3, max_lines=10,
                                                       elem_id="f-plans")
                                notes = gr.Textbox(label="备注（可不填，会写入开篇）", lines=1, elem_id="f-notes")
                            with gr.Tab("粘贴全文", id="paste-tab"):
                                pasted = gr.Textbox(label="整段事实文本", lines=14, max_lines=40,
                                                    placeholder=PASTE_PLACEHOLDER, elem_id="paste-facts")
                                parse_btn = gr.Button("识别并填入表单", elem_id="btn-parse")
                        with gr.Row():
                            example_btn = gr.Button("填入示例", size="md", elem_id="btn-example")
                            clear_btn = gr.Button("清空", size="md", elem_id="btn-clear")
                            plan_btn = gr.Button("生成提纲", variant="secondary", size="md", elem_id="btn-plan")
                    with gr.Column(scale=6, min_width=380):
                        _html('<div class="step-title">② 确认提纲（可修改）</div>')
                        outline_box = gr.Textbox(label="提纲", lines=17, max_lines=40, info=OUTLINE_HELP,
                                                 placeholder="点「生成提纲」后在这里显示；也可以直接点「生成草稿」，提纲将自动生成。",
                                                 elem_id="outline-editor")
                        draft_btn = gr.Button("生成草稿", variant="primary", size="lg", elem_id="btn-draft")

                _html('<div class="step-title">③ 草稿</div>')
                progress_html = _html("", elem_id="draft-progress")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=7, min_width=480):
                        summary_html = _html("", elem_id="flag-summary")
                        draft_html = _html(render_draft(None), elem_id="draft-view")
                    with gr.Column(scale=4, min_width=320, elem_id="edit-panel"):
                        _html('<div class="step-title">修改本节</div>')
                        section_dd = gr.Dropdown(label="选择一节", choices=[], value=None, interactive=True,
                                                 elem_id="section-select")
                        instruction = gr.Textbox(label="重写要求（可不填）", max_lines=2,
                                                 placeholder="如：更简洁 / 突出劳动竞赛 / 语气更正式",
                                                 elem_id="rewrite-instruction")
                        regen_btn = gr.Button("重写本节", variant="primary", elem_id="btn-regenerate")
                        with gr.Accordion("直接修改本节文字", open=True):
                            heading_box = gr.Textbox(label="标题", max_lines=1, placeholder="开篇和结尾没有标题",
                                                     elem_id="section-heading-editor")
                            text_box = gr.Textbox(label="正文", lines=10, max_lines=30, elem_id="section-text-editor")
                            save_btn = gr.Button("保存修改（重新核对数字）", elem_id="btn-save")
                        _html('<div class="step-title">导出</div>')
                        with gr.Row():
                            dl_docx = gr.DownloadButton("下载 Word", value=None, interactive=False, size="md",
                                                        elem_id="btn-download-docx")
                            dl_md = gr.DownloadButton("下载 Markdown", value=None, interactive=False, size="md",
                                                      elem_id="btn-download-md")
                        with gr.Accordion("历史草稿", open=False):
                            history_dd = gr.Dropdown(label="以前的草稿", choices=[], value=None,
                                                     elem_id="history-select")
                            with gr.Row():
                                open_btn = gr.Button("打开", size="sm", elem_id="btn-open")
                                refresh_hist_btn = gr.Button("刷新列表", size="sm", elem_id="btn-history-refresh")

            with gr.Tab("核对文本", id="check-tab"):
                gr.Markdown("把任意一段总结文字贴在这里，按「起草」页填写的事实核对其中的数额、日期和占位符。")
                check_input = gr.Textbox(label="待核对的文本", lines=10, max_lines=40, elem_id="check-input")
                check_btn = gr.Button("核对", variant="primary", elem_id="btn-check")
                check_html = _html("", elem_id="check-result")

            with gr.Tab("范文库", id="corpus-tab"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=6):
                        _html('<div class="step-title">检索范文</div>')
                        with gr.Row():
                            query_box = gr.Textbox(label="检索内容", placeholder="如：困难职工帮扶 送温暖", scale=4,
                                                   elem_id="search-query")
                            search_btn = gr.Button("检索", scale=1, elem_id="btn-search")
                        hits_html = _html("", elem_id="search-hits")
                    with gr.Column(scale=5):
                        _html('<div class="step-title">上传往年总结</div>')
                        files = gr.File(label="选择文件（.docx / .txt / .md，每个不超过 20 MB，可多选）",
                                        file_count="multiple", type="filepath", elem_id="corpus-upload")
                        upload_btn = gr.Button("添加到范文库", variant="primary", elem_id="btn-upload")
                        corpus_msg = _html("", elem_id="corpus-message")
                        with gr.Row():
                            remove_dd = gr.Dropdown(label="删除用户上传的范文", choices=[], value=None, scale=3,
                                                    elem_id="remove-select")
                            remove_btn = gr.Button("删除", variant="stop", scale=1, elem_id="btn-remove")
                        rebuild_btn = gr.Button("重建索引", elem_id="btn-rebuild")
                docs_table = gr.Dataframe(headers=["编号", "标题", "来源", "节数", "片段数"], value=[],
                                          interactive=False, wrap=True, label="范文列表", elem_id="corpus-table",
                                          column_widths=["22%", "48%", "10%", "10%", "10%"])

            with gr.Tab("使用说明", id="help-tab"):
                gr.Markdown(HELP, elem_classes=["help-doc"])

        fact_fields = [org, year, org_type, superior, items, shortcomings, plans, notes]
        view = [draft_id, progress_html, summary_html, draft_html, section_dd, heading_box, text_box, dl_docx, dl_md,
                history_dd]
        private: dict[str, Any] = {"api_visibility": "private"}

        example_btn.click(ui.fill_example, None, fact_fields, **private)
        clear_btn.click(ui.clear_form, None, [*fact_fields, outline_box, outline_state], **private)
        parse_btn.click(ui.parse_pasted, pasted, fact_fields, api_name="parse_facts")
        plan_btn.click(ui.plan, fact_fields, [outline_box, outline_state], api_name="outline", show_progress="hidden")
        draft_inputs = [*fact_fields, outline_box, outline_state]
        draft_btn.click(ui.draft, draft_inputs, view, api_name="draft", show_progress="hidden",
                        js=_scroll_js("draft-progress", len(draft_inputs)))
        regen_btn.click(ui.regenerate, [draft_id, section_dd, instruction], view, api_name="regenerate",
                        show_progress="hidden")
        section_dd.change(ui.select_section, [draft_id, section_dd], [heading_box, text_box], **private)
        save_btn.click(ui.save_edit, [draft_id, section_dd, heading_box, text_box], view, api_name="edit_section")
        open_btn.click(ui.open_draft, history_dd, [*view, *fact_fields, outline_box, outline_state],
                       api_name="open_draft")
        refresh_hist_btn.click(ui.refresh_history, None, history_dd, **private)
        check_btn.click(ui.check_text, [*fact_fields, check_input], check_html, api_name="check")
        search_btn.click(ui.search, query_box, hits_html, api_name="search")
        query_box.submit(ui.search, query_box, hits_html, **private)
        upload_btn.click(ui.upload, files, [docs_table, remove_dd, corpus_msg, files], api_name="add_documents",
                         concurrency_limit=1, concurrency_id="corpus")
        remove_btn.click(ui.remove, remove_dd, [docs_table, remove_dd, corpus_msg], api_name="remove_document",
                         concurrency_limit=1, concurrency_id="corpus")
        rebuild_btn.click(ui.rebuild, None, [docs_table, remove_dd, corpus_msg], api_name="rebuild_index",
                          concurrency_limit=1, concurrency_id="corpus")

        demo.load(ui.header_html, None, header, **private)
        demo.load(ui.refresh_history, None, history_dd, **private)
        demo.load(ui.documents, None, [docs_table, remove_dd], **private)

    demo.queue(default_concurrency_limit=8)
    return demo
