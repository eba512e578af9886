"""The UI's actions (`DrafterUI`, one method per event); `ui.build_ui` wires them to widgets.

Each handler returns `{component: value}` for the components it changes (see webui/widgets.py). Streaming
handlers fold the library's draft events with `drafter.views`, so they keep no bookkeeping of their own.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import gradio as gr

from drafter.errors import DrafterError, FactsError
from drafter.facts import Facts, parse_facts_text
from drafter.models import Draft, OutlineSection
from drafter.views import LiveDraft, events_of, follow
from webui.forms import (
    EXAMPLE,
    OutlineError,
    default_year,
    facts_error_message,
    facts_from_form,
    form_values,
    outline_to_text,
    text_to_outline,
    unplaced_facts,
)
from webui.materials_view import MaterialsActions, with_provenance
from webui.render import (
    _preparing,
    backend_label,
    esc,
    history_choices,
    render_check_result,
    render_draft,
    render_flag_summary,
    render_progress,
    safe_filename,
    section_choices,
    section_label,
)
from webui.trace_view import render_trace
from webui.uploads import CorpusActions
from webui.widgets import Widgets

APP_TITLE = "工会年度工作总结起草工具"
STREAM_INTERVAL = 0.15  # seconds between re-renders while text streams in
Update = dict[Any, Any]


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


class ExportFolder:
    """Downloads are written to a private folder of this process (mode 0700, random name, so nothing can be
    planted in it), keep only the latest files of the most recent drafts, and are removed at exit."""

    KEEP = 50

    def __init__(self) -> None:
        self._root: Path | None = None

    @property
    def root(self) -> Path:
        if self._root is None or not self._root.is_dir():
            self._root = Path(tempfile.mkdtemp(prefix="drafter-exports-"))
            atexit.register(shutil.rmtree, self._root, True)
        return self._root

    def write(self, draft_id: str, name: str, data: bytes) -> str:
        folder = self.root / draft_id
        folder.mkdir(mode=0o700, exist_ok=True)
        target = folder / name
        tmp = folder / f".{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, target)
        self._prune()
        return str(target)

    def _prune(self) -> None:
        folders = sorted((p for p in self.root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
        for old in folders[: max(0, len(folders) - self.KEEP)]:
            shutil.rmtree(old, ignore_errors=True)


class DrafterUI(CorpusActions, MaterialsActions):
    """The UI's actions, one method per event; build_ui wires them to widgets. Testable without a browser."""

    def __init__(self, workspace: Any, widgets: Widgets | None = None) -> None:
        self.ws = workspace
        self._w = widgets
        self.exports = ExportFolder()

    @property
    def w(self) -> Widgets:
        if self._w is None:
            raise RuntimeError("DrafterUI has no widgets: build it with ui.build_app()")
        return self._w

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
                f'{self.status_html()}{self.user_html()}</header>')

    def user_html(self) -> str:
        """Who is signed in, with sign-out (accounts mode only; webui.scope.RequestWorkspace provides it)."""
        who = getattr(type(self.ws), "who_html", None)
        return who(self.ws) if callable(who) else ""

    def header(self) -> Update:
        return {self.w.header: self.header_html()}

    # facts
    def _form(self, facts: Facts | dict[str, Any]) -> Update:
        """The facts into the form; their provenance (if any) into its state."""
        prov = facts.provenance if isinstance(facts, Facts) else []
        return {**dict(zip(self.w.fact_fields, form_values(facts), strict=True)),
                self.w.provenance_state: [p.model_dump() for p in prov]}

    def fill_example(self) -> Update:
        return self._form(EXAMPLE)

    def clear_form(self) -> Update:
        values = ("", default_year(), "企业", "", "", "", "", "")
        return {**dict(zip(self.w.fact_fields, values, strict=True)), self.w.outline_box: "",
                self.w.outline_state: [], self.w.provenance_state: []}

    def parse_pasted(self, text: str) -> Update:
        if not (text or "").strip():
            raise gr.Error("请先粘贴事实文本", title="无法识别")
        try:
            facts = parse_facts_text(text)
        except FactsError as exc:
            raise _error(exc) from exc
        gr.Info(f"已识别：{len(facts.items)} 条全年工作，{len(facts.shortcomings)} 条不足，{len(facts.plans)} 条打算。"
                "请在「逐项填写」中核对。", title="识别完成")
        return self._form(facts)

    def _facts(self, *fields: Any, provenance: list[dict[str, Any]] | None = None) -> Facts:
        try:
            return with_provenance(facts_from_form(*fields), provenance)
        except FactsError as exc:
            raise _error(exc) from exc

    async def plan(self, org: str, year: Any, org_type: str, superior: str, items: str, shortcomings: str,
                   plans: str, notes: str) -> Update:
        """Facts → the outline as editable text (and the outline itself, to keep retrieval queries)."""
        facts = self._facts(org, year, org_type, superior, items, shortcomings, plans, notes)
        try:
            outline = await self.ws.plan(facts)
        except DrafterError as exc:
            raise _error(exc) from exc
        return {self.w.outline_box: outline_to_text(outline), self.w.outline_state: [s.model_dump() for s in outline]}

    # the draft view
    def _view(self, draft: Draft, *, select: int | None = None) -> Update:
        """Every component a finished (or reopened) draft updates."""
        if select is None or not 0 <= select < len(draft.sections):
            failed = [s.index for s in draft.sections if s.status == "failed"]
            select = failed[0] if failed else 0
        section = draft.sections[select] if draft.sections else None
        docx, md = self._exports(draft)
        trace_file, trace_html = self._trace(draft)
        w = self.w
        return {
            w.draft_id: draft.id,
            w.progress_html: render_progress(draft, finished=True),
            w.summary_html: render_flag_summary(draft.sections),
            w.draft_html: render_draft(draft),
            w.section_dd: gr.Dropdown(choices=section_choices(draft), value=select, interactive=True),
            w.heading_box: section.heading if section else "",
            w.text_box: section.text if section else "",
            w.dl_docx: gr.DownloadButton(value=docx, interactive=True),
            w.dl_md: gr.DownloadButton(value=md, interactive=True),
            w.trace_html: trace_html,
            w.dl_trace: gr.DownloadButton(value=trace_file, interactive=trace_file is not None),
            w.history_dd: gr.Dropdown(choices=history_choices(self.ws.list_drafts(50)), value=draft.id),
        }

    def _streaming(self, view: LiveDraft) -> Update:
        assert view.draft is not None
        return {self.w.draft_id: view.draft.id,
                self.w.progress_html: render_progress(view.draft, live=view.live, writing=view.writing),
                self.w.summary_html: render_flag_summary(view.draft.sections, ready=False),
                self.w.draft_html: render_draft(view.draft, live=view.live, writing=view.writing)}

    def _exports(self, draft: Draft) -> tuple[str | None, str | None]:
        paths: list[str | None] = []
        for fmt in ("docx", "md"):
            try:
                data = self.ws.export(draft.id, fmt)
            except DrafterError as exc:
                _warn(f"导出 {fmt} 失败：{exc}")
                paths.append(None)
                continue
            paths.append(self.exports.write(draft.id, f"{safe_filename(draft.title)}.{fmt}", data))
        return paths[0], paths[1]

    def _trace(self, draft: Draft) -> tuple[str | None, str]:
        """The 核对表 as HTML, and as an .xlsx to download."""
        try:
            trace = self.ws.trace(draft.id)
            data = self.ws.export(draft.id, "xlsx")
        except DrafterError as exc:
            _warn(f"核对表生成失败：{exc}")
            return None, ""
        headings = {s.index: section_label(s, short=True) for s in draft.sections}
        path = self.exports.write(draft.id, f"{safe_filename(draft.title)}-核对表.xlsx", data)
        return path, render_trace(trace, headings)

    def _outline(self, facts: Facts, outline_text: str, outline_state: list[dict[str, Any]] | None
                 ) -> list[OutlineSection] | None:
        if not (outline_text or "").strip():
            return None
        previous = [OutlineSection.model_validate(s) for s in outline_state or []]
        try:
            outline = text_to_outline(outline_text, previous)
        except OutlineError as exc:
            raise _error(exc) from exc
        missing = unplaced_facts(outline, facts)
        if missing:
            _warn("以下事实没有安排进提纲，草稿中不会出现：" + "；".join(missing))
        return outline

    async def draft(self, org: str, year: Any, org_type: str, superior: str, items: str, shortcomings: str,
                    plans: str, notes: str, outline_text: str, outline_state: list[dict[str, Any]] | None,
                    provenance: list[dict[str, Any]] | None = None) -> AsyncIterator[Update]:
        """Write a whole draft, streaming each section in as it is written."""
        facts = self._facts(org, year, org_type, superior, items, shortcomings, plans, notes, provenance=provenance)
        outline = self._outline(facts, outline_text, outline_state)
        yield {self.w.progress_html: _preparing("正在检索往年范文、准备起草…"), self.w.summary_html: ""}
        view: LiveDraft | None = None
        try:
            await asyncio.to_thread(self.ws.ensure_index)
            async for view, ev in follow(self.ws.draft_stream(facts, outline), interval=STREAM_INTERVAL):
                if ev.type != "done":
                    yield self._streaming(view)
        except DrafterError as exc:
            raise _error(exc) from exc
        if view is None or view.draft is None:
            raise gr.Error("没有生成草稿", title="无法完成")
        yield self._finish(self.ws.get_draft(view.draft.id))

    async def resume(self, draft_id: str) -> AsyncIterator[Update]:
        """Finish an interrupted draft: only its unfinished sections are written."""
        if not draft_id:
            raise gr.Error("请先在「历史草稿」中选择一份草稿", title="没有选择")
        try:
            draft = self.ws.get_draft(draft_id)
            if draft.complete:
                gr.Info("这份草稿已经写完，无需继续", title="已完成")
                yield self._view(draft)
                return
            await asyncio.to_thread(self.ws.ensure_index)
            async for view, ev in follow(self.ws.resume_stream(draft_id), interval=STREAM_INTERVAL):
                if ev.type != "done":
                    yield self._streaming(view)
        except DrafterError as exc:
            raise _error(exc) from exc
        yield self._finish(self.ws.get_draft(draft_id))

    def _finish(self, final: Draft, *, select: int | None = None) -> Update:
        failed = [s for s in final.sections if s.status == "failed"]
        if failed:
            _warn(f"有 {len(failed)} 节生成失败，已选中第 {failed[0].index + 1} 节，可点「重写本节」重试。")
        return self._view(final, select=select)

    async def regenerate(self, draft_id: str, index: Any, instruction: str) -> AsyncIterator[Update]:
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
        instruction = (instruction or "").strip()[:200]
        view = LiveDraft(draft=draft, live={idx: ""}, writing={idx})
        yield self._streaming(view)

        async def run(sink: Any) -> Draft:
            return await self.ws.regenerate(draft_id, idx, instruction, sink)

        try:
            async for view, ev in follow(events_of(run), interval=STREAM_INTERVAL):
                if ev.type in ("delta", "reset"):
                    yield self._streaming(view)
        except DrafterError as exc:
            raise _error(exc) from exc
        result = self.ws.get_draft(draft_id)
        section = result.sections[idx]
        if section.status == "failed":
            _warn(f"第 {idx + 1} 节重写失败：{section.error}")
        else:
            found = f"，{len(section.flags)} 处待核对" if section.flags else "，数字已核对"
            gr.Info(f"第 {idx + 1} 节已重写{found}", title="完成")
        yield self._view(result, select=idx)

    def select_section(self, draft_id: str, index: Any) -> Update:
        heading, text = "", ""
        if draft_id and index is not None:
            try:
                draft = self.ws.get_draft(draft_id)
            except DrafterError:
                draft = None
            idx = int(index)
            if draft is not None and 0 <= idx < len(draft.sections):
                heading, text = draft.sections[idx].heading, draft.sections[idx].text
        return {self.w.heading_box: heading, self.w.text_box: text}

    def save_edit(self, draft_id: str, index: Any, heading: str, text: str) -> Update:
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
        found = f"{n} 处待核对" if n else "与事实相符"
        gr.Info(f"第 {idx + 1} 节已保存并重新核对：{found}", title="已保存")
        return self._view(draft, select=idx)

    def open_draft(self, draft_id: str) -> Update:
        """Reopen a past draft: the view, and its facts and outline back in the form."""
        if not draft_id:
            raise gr.Error("请先在列表中选择一份草稿", title="没有选择")
        try:
            draft = self.ws.get_draft(draft_id)
        except DrafterError as exc:
            raise _error(exc) from exc
        outline = [OutlineSection(kind=s.kind, heading=s.heading, facts=s.facts, query=s.query)
                   for s in draft.sections]
        return {**self._view(draft), **self._form(draft.facts), self.w.outline_box: outline_to_text(outline),
                self.w.outline_state: [s.model_dump() for s in outline]}

    def refresh_history(self) -> Update:
        return {self.w.history_dd: gr.Dropdown(choices=history_choices(self.ws.list_drafts(50)))}

    # check any text
    def check_text(self, org: str, year: Any, org_type: str, superior: str, items: str, shortcomings: str,
                   plans: str, notes: str, text: str) -> Update:
        facts = self._facts(org, year, org_type, superior, items, shortcomings, plans, notes)
        if not (text or "").strip():
            raise gr.Error("请粘贴要核对的文本", title="没有文本")
        try:
            flags = self.ws.check(text, facts)
        except DrafterError as exc:
            raise _error(exc) from exc
        return {self.w.check_html: render_check_result(text, flags)}

    def search(self, query: str, k: Any = 6) -> Update:
        from webui.render import render_hits

        if not (query or "").strip():
            raise gr.Error("请输入要检索的内容，如：困难职工帮扶", title="没有检索词")
        try:
            hits = self.ws.search(query.strip()[:500], int(k or 6))
        except DrafterError as exc:
            raise _error(exc) from exc
        return {self.w.hits_html: render_hits(hits)}

