"""The corpus page's actions: list, upload, remove, rebuild.

An upload is only ever a file that arrived with the request, in Gradio's upload folder. Gradio skips its
own check of that for apps mounted with `mount_gradio_app`, so a crafted API call could otherwise name any
file on the server (`/etc/passwd`, the drafts database) and have it read into the corpus.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.utils import get_upload_folder

from drafter.errors import DocumentConflictError, DrafterError
from webui.render import _file_path, document_rows, esc, upload_problem

Update = dict[Any, Any]


def uploaded_path(f: Any) -> Path | None:
    """The real path of a file Gradio received in this app's upload folder, or None for anything else
    (a path elsewhere, a symlink out of the folder, a folder)."""
    raw = _file_path(f)
    folder = Path(os.path.realpath(get_upload_folder()))
    try:
        real = Path(os.path.realpath(raw))
    except (OSError, ValueError):
        return None
    if not real.is_relative_to(folder) or real == folder or not real.is_file():
        return None
    return real


class CorpusActions:
    ws: Any
    w: Any

    def _error(self, exc: Exception) -> gr.Error:
        from webui.handlers import _error

        return _error(exc)

    def documents(self) -> Update:
        try:
            docs = self.ws.list_documents()
        except DrafterError as exc:
            raise self._error(exc) from exc
        manage = bool(self.ws.can_manage_corpus)  # a writer sees the documents but no remove choices
        removable = [(f"{d.title}（{d.doc_id}）", d.doc_id) for d in docs if not d.bundled] if manage else []
        dropdown = (gr.Dropdown(choices=removable, value=None) if manage else
                    gr.Dropdown(choices=removable, value=None, interactive=False, label="删除用户上传的范文（仅管理员）"))
        return {self.w.docs_table: document_rows(docs), self.w.remove_dd: dropdown}

    def upload(self, files: Sequence[Any] | None, replace: bool = False,
               progress: gr.Progress = gr.Progress()  # noqa: B008 - Gradio idiom
               ) -> Update:
        """Add past summaries; a name already in use is refused unless `replace` (「替换同名范文」)."""
        if not files:
            raise gr.Error("请先选择要上传的文件（.docx/.txt/.md）", title="没有文件")
        accepted: list[Path] = []
        problems: list[str] = []
        for f in files:
            name = Path(_file_path(f)).name
            path = uploaded_path(f)
            if path is None:
                problems.append(f"「{name}」未添加：不是本次上传的文件")
                continue
            problem = upload_problem(str(path))
            if problem:
                problems.append(f"「{name}」未添加：{problem}")
            else:
                accepted.append(path)
        added: list[Any] = []
        if accepted:
            def report(stage: str, done: int, total: int) -> None:
                progress((done, total), desc="正在写入索引")

            try:
                added, errors = self.ws.add_documents(accepted, report, replace=bool(replace))
            except DrafterError as exc:
                raise self._error(exc) from exc
            problems += [f"「{Path(e.path).name}」未添加：{e.reason}" for e in errors]
            if any(not isinstance(e, DocumentConflictError) for e in errors):  # a format problem, not a name
                problems.append("（支持 .docx、.txt、.md；文本文件需为 UTF-8 编码）")
            elif errors:
                problems.append("（要更新同名范文，请勾选「替换同名范文」后再上传）")
        lines = []
        if added:
            lines.append(f"已添加 {len(added)} 篇：" + "、".join(f"《{d.title}》（{d.sections} 节）" for d in added))
        lines += problems
        if problems:
            gr.Warning("<br>".join(esc(line) for line in problems), title="请注意")
        if added:
            gr.Info(f"已添加 {len(added)} 篇范文", title="上传完成")
        message = "<br>".join(esc(line) for line in lines) or "没有添加任何文件"
        return {**self.documents(), self.w.corpus_msg: f'<div class="upload-result">{message}</div>',
                self.w.files: None}

    def remove(self, doc_id: str | None) -> Update:
        if not doc_id:
            raise gr.Error("请先选择要删除的范文", title="没有选择")
        try:
            info = self.ws.remove_document(doc_id)
        except DrafterError as exc:
            raise self._error(exc) from exc
        gr.Info(f"已删除《{esc(info.title)}》", title="已删除")  # toasts are HTML: the title is escaped
        return {**self.documents(), self.w.corpus_msg: f'<div class="upload-result">已删除《{esc(info.title)}》</div>'}

    def rebuild(self, progress: gr.Progress = gr.Progress()) -> Update:  # noqa: B008 - Gradio idiom

        def report(stage: str, done: int, total: int) -> None:
            progress((done, total), desc="正在计算向量")

        progress(0, desc="正在读取范文")
        try:
            report_ = self.ws.refresh_index(report)
        except DrafterError as exc:
            raise self._error(exc) from exc
        msg = (f"索引已更新：{report_.documents} 篇范文，{report_.chunks} 个片段，"
               f"本次新计算 {report_.embedded} 个，移除 {report_.removed} 个。")
        return {**self.documents(), self.w.corpus_msg: f'<div class="upload-result">{esc(msg)}</div>'}
