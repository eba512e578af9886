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

The parts live in the `webui` package (forms, render, theme, handlers); this module lays them out and
re-exports the names other code and the tests use, so `from ui import build_ui, mount_options` keeps working.
"""

from __future__ import annotations

from typing import Any

import webui  # noqa: F401  # first: it imports gradio with analytics off and without the MCP SDK

# isort: split
import gradio as gr

from drafter.facts import ORG_TYPES
from webui.forms import (
    EXAMPLE,
    OutlineError,
    default_year,
    facts_from_form,
    form_values,
    outline_to_text,
    text_to_outline,
    unplaced_facts,
)
from webui.handlers import APP_TITLE, DrafterUI
from webui.materials_view import REVIEW_HEADERS
from webui.render import (
    MAX_UPLOAD_BYTES,
    REASON_LABELS,
    backend_label,
    highlight,
    render_draft,
    render_flag_summary,
    render_progress,
    safe_filename,
    section_choices,
    upload_problem,
)
from webui.theme import CSS, PALETTE, mount_options
from webui.widgets import Widgets

__all__ = [
    "EXAMPLE",
    "MAX_UPLOAD_BYTES",
    "PALETTE",
    "REASON_LABELS",
    "DrafterUI",
    "OutlineError",
    "backend_label",
    "build_app",
    "build_ui",
    "facts_from_form",
    "form_values",
    "highlight",
    "mount_options",
    "outline_to_text",
    "render_draft",
    "render_flag_summary",
    "render_progress",
    "safe_filename",
    "section_choices",
    "text_to_outline",
    "unplaced_facts",
    "upload_problem",
]

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
    return build_app(workspace)[0]


def build_app(workspace: Any) -> tuple[gr.Blocks, DrafterUI]:
    """The Blocks, and the handlers bound to its widgets (tests call the handlers directly)."""
    # delete_cache: Gradio's copies of downloads/uploads older than a day are removed every 6 hours.
    with gr.Blocks(title=APP_TITLE, analytics_enabled=False, delete_cache=(6 * 3600, 86400)) as demo:
        header = _html(DrafterUI(workspace).header_html(), head=f"<style>{CSS}</style>", elem_id="app-header")

        draft_id = gr.State("")
        outline_state = gr.State([])
        provenance_state = gr.State([])  # sources of the facts accepted from materials
        extraction_state = gr.State(None)

        with gr.Tabs():
            with gr.Tab("起草", id="draft-tab"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=5, min_width=380):
                        _html('<div class="step-title">① 填写全年事实</div>')
                        with gr.Tabs(selected="form-tab"):
                            with gr.Tab("从材料提取", id="materials-tab"):
                                materials_files = gr.File(
                                    label="上传全年材料（工作报告、月报、新闻稿、台账等：.docx/.txt/.md/.pdf/.xlsx/.csv，可多选）",
                                    file_count="multiple", type="filepath", elem_id="materials-upload")
                                extract_btn = gr.Button("提取事实（按「逐项填写」中的年度和单位）", elem_id="btn-extract")
                                materials_msg = _html("", elem_id="materials-message")
                                review_df = gr.Dataframe(
                                    headers=REVIEW_HEADERS, datatype=["bool", "str", "str", "str", "str", "str"],
                                    value=[], interactive=True, wrap=True, type="array", elem_id="review-table",
                                    label="候选事实：勾选采用，可直接修改文字；数字冲突的几个版本只选一个",
                                    column_widths=["7%", "10%", "33%", "34%", "11%", "5%"])
                                accept_btn = gr.Button("采用勾选的事实，填入表单", variant="primary",
                                                       elem_id="btn-accept-facts")
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
                        with gr.Accordion("数字核对表：每个数字的依据和来源", open=False, elem_id="trace-panel"):
                            trace_html = _html("", elem_id="trace-view")
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
                        dl_trace = gr.DownloadButton("下载数字核对表（Excel）", value=None, interactive=False,
                                                     size="md", elem_id="btn-download-trace")
                        with gr.Accordion("历史草稿", open=False):
                            history_dd = gr.Dropdown(label="以前的草稿", choices=[], value=None,
                                                     elem_id="history-select")
                            with gr.Row():
                                open_btn = gr.Button("打开", size="sm", elem_id="btn-open")
                                resume_btn = gr.Button("继续起草", size="sm", elem_id="btn-resume")
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
                        replace_cb = gr.Checkbox(label="替换同名范文（否则同名文件不会覆盖已有范文）", value=False,
                                                 elem_id="corpus-replace")
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

        w = Widgets(header=header, draft_id=draft_id, outline_state=outline_state, org=org, year=year,
                    org_type=org_type, superior=superior, items=items, shortcomings=shortcomings, plans=plans,
                    notes=notes, pasted=pasted, outline_box=outline_box, provenance_state=provenance_state,
                    extraction_state=extraction_state, materials_files=materials_files, review_df=review_df,
                    materials_msg=materials_msg, progress_html=progress_html,
                    summary_html=summary_html, draft_html=draft_html, section_dd=section_dd, instruction=instruction,
                    heading_box=heading_box, text_box=text_box, dl_docx=dl_docx, dl_md=dl_md, trace_html=trace_html,
                    dl_trace=dl_trace, history_dd=history_dd,
                    check_input=check_input, check_html=check_html, query_box=query_box, hits_html=hits_html,
                    files=files, replace_cb=replace_cb, corpus_msg=corpus_msg, remove_dd=remove_dd, docs_table=docs_table)
        ui = DrafterUI(workspace, w)
        fact_fields = w.fact_fields
        outline_out = [outline_box, outline_state]
        private: dict[str, Any] = {"api_visibility": "private"}
        corpus: dict[str, Any] = {"concurrency_limit": 1, "concurrency_id": "corpus"}

        form_out = [*fact_fields, provenance_state]
        example_btn.click(ui.fill_example, None, form_out, **private)
        clear_btn.click(ui.clear_form, None, [*form_out, *outline_out], **private)
        parse_btn.click(ui.parse_pasted, pasted, form_out, api_name="parse_facts")
        extract_btn.click(ui.extract_materials, [materials_files, year, org], [review_df, extraction_state, materials_msg],
                          api_name="extract_facts", concurrency_limit=2)
        accept_btn.click(ui.accept_facts, [review_df, extraction_state, org, superior],
                         [items, shortcomings, plans, org, provenance_state], **private)
        plan_btn.click(ui.plan, fact_fields, outline_out, api_name="outline", show_progress="hidden")
        draft_inputs = [*fact_fields, *outline_out, provenance_state]
        draft_btn.click(ui.draft, draft_inputs, w.view, api_name="draft", show_progress="hidden",
                        js=_scroll_js("draft-progress", len(draft_inputs)))
        regen_btn.click(ui.regenerate, [draft_id, section_dd, instruction], w.view, api_name="regenerate",
                        show_progress="hidden")
        section_dd.change(ui.select_section, [draft_id, section_dd], [heading_box, text_box], **private)
        save_btn.click(ui.save_edit, [draft_id, section_dd, heading_box, text_box], w.view, api_name="edit_section")
        open_btn.click(ui.open_draft, history_dd, [*w.view, *form_out, *outline_out], api_name="open_draft")
        resume_btn.click(ui.resume, history_dd, w.view, api_name="resume_draft", show_progress="hidden")
        refresh_hist_btn.click(ui.refresh_history, None, [history_dd], **private)
        check_btn.click(ui.check_text, [*fact_fields, check_input], [check_html], api_name="check")
        search_btn.click(ui.search, query_box, [hits_html], api_name="search")
        query_box.submit(ui.search, query_box, [hits_html], **private)
        upload_btn.click(ui.upload, [files, replace_cb], w.corpus_view, api_name="add_documents", **corpus)
        remove_btn.click(ui.remove, remove_dd, w.corpus_view, api_name="remove_document", **corpus)
        rebuild_btn.click(ui.rebuild, None, w.corpus_view, api_name="rebuild_index", **corpus)

        demo.load(ui.header, None, [header], **private)
        demo.load(ui.refresh_history, None, [history_dd], **private)
        demo.load(ui.documents, None, [docs_table, remove_dd], **private)

    demo.queue(default_concurrency_limit=8)
    # Gradio checks that an input file was uploaded to this app (not any path a caller names) only for
    # apps it launched itself; `mount_gradio_app` leaves the flag down and copies any named server file into
    # its cache. Raising it turns Gradio's own check on; webui.uploads checks again on our side.
    demo.has_launched = True
    return demo, ui
