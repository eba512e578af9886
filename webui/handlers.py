"""The UI's actions (`DrafterUI`, one method per event); `ui.build_ui` wires them to widgets."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from drafter.errors import DrafterError, FactsError
from drafter.facts import Facts, parse_facts_text
from drafter.models import Draft, OutlineSection
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
from webui.render import (
    _file_path,
    _original_name,
    _preparing,
    backend_label,
    document_rows,
    esc,
    history_choices,
    render_check_result,
    render_draft,
    render_flag_summary,
    render_hits,
    render_progress,
    safe_filename,
    section_choices,
    upload_problem,
)

APP_TITLE = "工会年度工作总结起草工具"
STREAM_INTERVAL = 0.15  # seconds between re-renders while text streams in


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
