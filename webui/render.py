"""HTML rendering for the web UI, and small helpers for labels, file names and uploads.

All text that came from users, models or the corpus is escaped here before it becomes HTML.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from drafter.checking import registry
from drafter.checking.flags import Flag
from drafter.models import Draft, OutlineSection, Section

MAX_UPLOAD_BYTES = 20 << 20  # 20 MB, as the HTTP API
UPLOAD_SUFFIXES = (".docx", ".txt", ".md")

# The checker's one table (drafter/checking/registry.py), live: kinds registered later show up too.
REASON_LABELS = registry.reason_labels()
FLAG_KIND_LABELS = registry.kind_labels()
SECTION_KIND_LABELS = {"opening": "开篇", "body": "正文", "shortcomings": "存在不足", "plans": "明年打算",
                       "closing": "结尾"}


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
    if section.notes and status != "writing":  # cut at the length limit, far too short or long
        body += "".join(f'<div class="section-note">请留意：{esc(n)}</div>' for n in section.notes)

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
        return '<div class="flag-summary flag-summary-wait">草稿完成后在这里汇总需要核对的内容。</div>'
    if any(s.status not in ("done", "failed") for s in sections):
        return ('<div class="flag-summary flag-summary-wait">草稿尚未写完，写完的各节核对结果见正文中的标记；'
                '可在「历史草稿」中打开后点「继续起草」。</div>')
    flags = [(s, k, f) for s in sections for k, f in enumerate(s.flags)]
    failed = [s for s in sections if s.status == "failed"]
    fail_note = ""
    if failed:
        names = "、".join(f"第 {s.index + 1} 节" for s in failed)
        fail_note = f'<div class="fail-note">{esc(names)}生成失败，可在「修改本节」中重写。</div>'
    if not flags:
        return (f'<div class="flag-summary flag-summary-ok"><span class="flag-total" data-count="0">0</span>'
                f' 处待核对：数额、日期、名称和完成情况都与事实相符，也没有照抄范文。{fail_note}</div>')
    counts = {k: sum(1 for _, _, f in flags if f.kind == k) for k in FLAG_KIND_LABELS}
    chips = "".join(f'<span class="count-chip chip-{k}">{FLAG_KIND_LABELS[k]} {n}</span>'
                    for k, n in counts.items() if n)
    legend = "".join(f'<mark class="flag flag-{esc(k)}">{esc(label)}</mark>' for k, label in FLAG_KIND_LABELS.items())
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
            f'<div class="flag-legend">草稿中{legend}已标出；把鼠标停在标记上可看原因。{esc(fix_hint)}</div></div>')


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
    unfinished = sum(1 for s in draft.sections if s.status not in ("done", "failed"))
    complete = bool(total) and not unfinished
    if finished and complete:
        text = f"草稿已完成：共 {total} 节" + (f"，其中 {failed} 节失败" if failed else "")
    elif finished:
        # Never call an incomplete draft complete (an interrupted run, a crash): say what is missing.
        text = f"草稿未完成：共 {total} 节，{unfinished} 节尚未写完" + (f"，{failed} 节失败" if failed else "")
    else:
        text = f"正在撰写… 已完成 {done} / {total} 节"
    pct = int(100 * done / max(total, 1)) if not (finished and complete) else 100
    state = "finished" if finished and complete else ("incomplete" if finished else "running")
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


STATUS_LABELS = {"done": "已完成", "running": "起草中", "interrupted": "未完成", "failed": "有失败"}


def history_choices(rows: Sequence[dict[str, str]]) -> list[tuple[str, str]]:
    """`title · status · time · id`; the status tells a finished draft from an interrupted one."""
    def label(r: dict[str, str]) -> str:
        status = STATUS_LABELS.get(r.get("status", ""), "")
        return " · ".join(x for x in (r["title"], status, local_time(r["updated_at"]), r["id"]) if x)

    return [(label(r), r["id"]) for r in rows]


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

