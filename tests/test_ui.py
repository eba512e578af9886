"""The web UI's helpers and handlers, without a browser: highlighting, escaping, the flags summary, the facts
form, the outline editor, and the handlers run against a real workspace (hashing embedder, offline drafter)."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from docx import Document

import ui
from drafter.checking.flags import Flag
from drafter.corpus.embedding import HashEmbedder
from drafter.drafting.outline import plan_outline
from drafter.errors import FactsError
from drafter.facts import Facts, parse_facts_text
from drafter.models import Draft, Section, Source
from drafter.settings import Settings
from drafter.workspace import Workspace

EXAMPLE_FORM: Any = ui.form_values(ui.EXAMPLE)


def _flag(text: str, body: str, *, kind: str = "amount", reason: str = "not_in_facts", hint: str = "",
          start: int | None = None) -> Flag:
    pos = body.index(text) if start is None else start
    return Flag(text=text, start=pos, end=pos + len(text), kind=kind, reason=reason, hint=hint)  # type: ignore[arg-type]


def _marks(html: str) -> list[str]:
    return re.findall(r"<mark[^>]*>(.*?)</mark>", html)


# --- highlighting ---------------------------------------------------------------------------------------------
def test_highlight_marks_flags_at_their_offsets() -> None:
    text = "走访慰问困难职工家庭32户。\n另发放慰问品9999份，时间为2024年5月。"
    flags = [_flag("9999份", text, hint="事实中没有这个数字"),
             _flag("2024年5月", text, kind="date", reason="date_not_in_facts")]
    html = ui.highlight(text, flags, anchor_prefix="flag-3")
    assert html.count("<p>") == 2
    assert _marks(html) == ["9999份", "2024年5月"]
    assert '<mark class="flag flag-amount reason-not_in_facts" id="flag-3-0" data-reason="not_in_facts" ' \
           'title="事实中没有：事实中没有这个数字">9999份</mark>' in html
    assert 'class="flag flag-date reason-date_not_in_facts" id="flag-3-1"' in html
    # everything outside the marks is the text itself
    assert re.sub(r"<[^>]+>", "", html) == text.replace("\n", "")


def test_highlight_escapes_every_piece() -> None:
    text = "职工<script>alert(1)</script>提出建议 & “意见”30条"
    hint = '事实中为 "20条" <b>'
    html = ui.highlight(text, [_flag("30条", text, reason="value_mismatch", hint=hint)])
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp; “意见”" in html
    assert 'title="与事实不符：事实中为 &quot;20条&quot; &lt;b&gt;"' in html
    assert _marks(html) == ["30条"]


def test_highlight_survives_stale_overlapping_and_multiline_flags() -> None:
    text = "发放慰问金6.4万元，\n慰问32户"
    stale = Flag(text="32户", start=0, end=3)  # offsets from an older text: re-found where it is now
    gone = Flag(text="99户", start=2, end=5)  # no longer in the text: not marked, no error
    overlap = Flag(text="6.4万", start=text.index("6.4万"), end=text.index("6.4万") + 4)
    first = _flag("6.4万元", text)
    html = ui.highlight(text, [first, overlap, stale, gone])
    assert _marks(html) == ["6.4万元", "32户"]
    across = Flag(text="，\n慰问", start=text.index("，"), end=text.index("，") + 4)
    html = ui.highlight(text, [across], anchor_prefix="f")
    assert _marks(html) == ["，", "慰问"] and html.count('id="f-0"') == 1
    assert ui.highlight("", []) == ""


def test_flag_summary_counts_kinds_and_explains_in_chinese() -> None:
    a = "另发放慰问品9999份，于2023年12月发放，地点XX社区。"
    sections = [
        Section(index=0, kind="opening", text="开篇", status="done"),
        Section(index=2, kind="body", heading="二、关心<职工>生活", text=a, status="done", flags=[
            _flag("9999份", a, hint="事实中没有这个数字"),
            _flag("2023年12月", a, kind="date", reason="date_not_in_facts"),
            _flag("XX", a, kind="placeholder", reason="placeholder", hint="请替换为实际内容"),
        ]),
    ]
    html = ui.render_flag_summary(sections)
    assert 'data-count="3"' in html
    assert "数额 1" in html and "日期 1" in html and "占位符 1" in html
    assert "事实中没有" in html and "日期不在事实中" in html and "占位符" in html and "请替换为实际内容" in html
    assert 'href="#flag-2-0"' in html and "第 3 节" in html
    assert "&lt;职工&gt;" in html and "<职工>" not in html
    ok = ui.render_flag_summary([Section(index=0, kind="body", text="x", status="done")])
    assert 'data-count="0"' in ok and "flag-summary-ok" in ok
    assert ui.REASON_LABELS["copied_from_exemplar"] == "疑似照抄范文"
    assert set(ui.REASON_LABELS) >= {"not_in_facts", "value_mismatch", "unit_mismatch", "derived",
                                     "copied_from_exemplar", "date_not_in_facts", "placeholder"}


def test_render_draft_blocks_sources_and_failures() -> None:
    facts = Facts(org="<b>某</b>公司", year=2024, items=["慰问32户"])
    draft = Draft(id="abc", title="<b>某</b>公司2024年工会工作总结", backend="offline", facts=facts, sections=[
        Section(index=0, kind="opening", text="开篇<i>文字</i>", status="done",
                sources=[Source(doc_id="d1", title="范文<一>", section="一、标题 > 1、小标题", text="范文 正文")]),
        Section(index=1, kind="body", heading="一、关心职工", status="failed", error="模型服务超时 <502>"),
        Section(index=2, kind="closing", status="pending"),
    ])
    html = ui.render_draft(draft)
    assert 'id="section-0"' in html and 'id="section-1"' in html and 'id="section-2"' in html
    assert "<b>" not in html and "<i>" not in html and "&lt;b&gt;某&lt;/b&gt;公司" in html
    assert "<details" in html and "《范文&lt;一&gt;》" in html and "一、标题 &gt; 1、小标题" in html
    assert "生成失败" in html and "模型服务超时 &lt;502&gt;" in html and "重写本节" in html
    assert "等待撰写" in html
    streaming = ui.render_draft(draft, live={2: "正在写<的>"})
    assert "正在写&lt;的&gt;" in streaming and "正在撰写" in streaming
    progress = ui.render_progress(draft, live={2: "x"})
    assert 'data-done="2"' in progress and 'data-total="3"' in progress and "已完成 2 / 3 节" in progress
    assert "草稿未完成：共 3 节，1 节尚未写完，1 节失败" in ui.render_progress(draft, finished=True)
    assert ui.section_choices(draft)[1] == ("第 2 节 · 一、关心职工（失败）", 1)


def test_backend_label_never_shows_a_key() -> None:
    assert ui.backend_label("offline") == "离线起草（不编造数字）"
    assert ui.backend_label("gpt-4o-mini") == "大模型：gpt-4o-mini"


# --- facts form -----------------------------------------------------------------------------------------------
def test_facts_from_form_round_trip() -> None:
    facts = ui.facts_from_form(*EXAMPLE_FORM)
    assert facts.org == "宏远机械制造有限公司" and facts.year == 2024 and len(facts.items) == 8
    assert ui.form_values(facts) == EXAMPLE_FORM
    assert sum(any(c.isdigit() for c in item) for item in facts.items) == 8
    # list markers and blank lines are dropped; "2024年" and 2024.0 are years too
    form = ("公司", "2024年", "企业", "", "- 慰问32户\n\n2. 发放6.4万元\n", "", "", "")
    assert ui.facts_from_form(*form).items == ["慰问32户", "发放6.4万元"]
    assert ui.facts_from_form("公司", 2024.0, "企业", "", "慰问32户", "", "", "").year == 2024
    # markup is kept as text (escaped only when shown)
    assert ui.facts_from_form("<script>alert(1)</script>", 2024, "企业", "", "x", "", "", "").org.startswith("<script>")


@pytest.mark.parametrize(("form", "label"), [
    (("", 2024, "企业", "", "慰问32户", "", "", ""), "单位名称"),
    (("  ", 2024, "企业", "", "慰问32户", "", "", ""), "单位名称"),
    (("公司", None, "企业", "", "慰问32户", "", "", ""), "年度"),
    (("公司", "明年", "企业", "", "慰问32户", "", "", ""), "年度"),
    (("公司", 3024, "企业", "", "慰问32户", "", "", ""), "年度"),
    (("公司", 2024.5, "企业", "", "慰问32户", "", "", ""), "年度"),
    (("公司", float("nan"), "企业", "", "慰问32户", "", "", ""), "年度"),
    (("公司", 2024, "企业", "", "", "", "", ""), "全年工作"),
    (("公司", 2024, "企业", "", "- \n1.\n", "", "", ""), "全年工作"),
])
def test_facts_from_form_names_the_bad_field(form: tuple[Any, ...], label: str) -> None:
    with pytest.raises(FactsError) as info:
        ui.facts_from_form(*form)
    assert f"「{label}」" in str(info.value)


@pytest.mark.filterwarnings("ignore::UserWarning")  # gr.Info outside an event
def test_pasted_facts_fill_the_form_and_errors_are_chinese(handlers: ui.DrafterUI) -> None:
    text = Path(__file__).parent.joinpath("data/facts/enterprise.txt").read_text(encoding="utf-8")
    filled = handlers.w.by_name(handlers.parse_pasted(text))
    values = [filled[n] for n in ("org", "year", "org_type", "superior", "items", "shortcomings", "plans", "notes")]
    assert filled["org"] == "江州市供电公司" and filled["year"] == 2024 and len(filled["items"].splitlines()) == 10
    assert ui.facts_from_form(*values) == parse_facts_text(text)
    with pytest.raises(gr.Error) as info:
        handlers.parse_pasted("年度：2024\n慰问32户")
    assert "「单位名称」" in info.value.message
    with pytest.raises(gr.Error) as info:
        handlers.parse_pasted("单位：<b>公司</b>\n年度：2024")
    assert "「全年工作」" in info.value.message and "<b>" not in info.value.message
    with pytest.raises(gr.Error):
        handlers.parse_pasted("  ")


# --- outline editor -------------------------------------------------------------------------------------------
def test_outline_text_round_trip() -> None:
    facts = parse_facts_text(Path(__file__).parent.joinpath("data/facts/enterprise.txt").read_text(encoding="utf-8"))
    outline = plan_outline(facts)
    text = ui.outline_to_text(outline)
    assert text.startswith("【开篇】") and "【正文】一、" in text and "【结尾】" in text
    assert ui.text_to_outline(text, outline) == outline
    assert [s.model_dump(exclude={"query"}) for s in ui.text_to_outline(text)] == \
           [s.model_dump(exclude={"query"}) for s in outline]
    assert ui.unplaced_facts(outline, facts) == []


def test_outline_edits_are_renumbered_and_keep_queries() -> None:
    facts = Facts(org="公司", year=2024, items=["慰问32户", "技能比武86名", "篮球赛200人次"])
    outline = plan_outline(facts)
    text = """【开篇】
[正文] 三、关爱职工，温暖人心
· 慰问32户
【正文】劳动竞赛
- 技能比武86名
【不足】
【打算】
【结尾】"""
    edited = ui.text_to_outline(text, outline)
    assert [s.kind for s in edited] == ["opening", "body", "body", "shortcomings", "plans", "closing"]
    assert [s.heading for s in edited] == ["", "一、关爱职工，温暖人心", "二、劳动竞赛", "三、存在的不足", "四、下一步工作打算", ""]
    assert edited[1].facts == ["慰问32户"] and edited[2].facts == ["技能比武86名"]
    assert edited[0].query == outline[0].query and edited[-1].query == outline[-1].query
    assert ui.unplaced_facts(edited, facts) == ["篮球赛200人次"]


@pytest.mark.parametrize(("text", "needle"), [
    ("", "提纲为空"),
    ("慰问32户\n【正文】一、关爱", "第 1 行"),
    ("【开篇】\n【附录】材料", "第 2 行"),
    ("【开篇】\n\n【正文】\n- 慰问32户", "第 3 行"),
])
def test_outline_errors_name_the_line(text: str, needle: str) -> None:
    with pytest.raises(ui.OutlineError, match=needle):
        ui.text_to_outline(text)


# --- uploads --------------------------------------------------------------------------------------------------
def test_upload_problem(tmp_path: Path) -> None:
    big = tmp_path / "大.docx"
    with big.open("wb") as f:
        f.truncate(ui.MAX_UPLOAD_BYTES + 1)
    assert "20 MB" in (ui.upload_problem(big) or "")
    assert "只支持" in (ui.upload_problem(tmp_path / "a.pdf") or "")
    (tmp_path / "empty.txt").write_bytes(b"")
    assert "空" in (ui.upload_problem(tmp_path / "empty.txt") or "")
    (tmp_path / "ok.md").write_text("# 标题\n正文", encoding="utf-8")
    assert ui.upload_problem(tmp_path / "ok.md") is None
    assert ui.safe_filename('a/b:c*?"<>|2024年') == "a_b_c_2024年"
    assert ui.safe_filename("...") == "草稿"


# --- handlers on a real workspace -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def handlers(tmp_path_factory: pytest.TempPathFactory) -> ui.DrafterUI:
    data = tmp_path_factory.mktemp("ui") / "data"
    ws = Workspace(Settings(data_dir=data), embedder=HashEmbedder())
    ws.refresh_index()
    return ui.build_app(ws)[1]


Named = dict[str, Any]


async def _last(ui_: ui.DrafterUI, gen: AsyncIterator[dict[Any, Any]]) -> tuple[list[Named], Named]:
    """Every update a streaming handler yields, by component name, and the last one."""
    seen = [ui_.w.by_name(item) async for item in gen]
    return seen, seen[-1]


def _path(value: Any) -> Path:
    """A DownloadButton's value: the file Gradio copied into its cache (a FileData dict)."""
    return Path(value["path"] if isinstance(value, dict) else value)


def _draft(handlers: ui.DrafterUI) -> Named:
    planned = handlers.w.by_name(asyncio.run(handlers.plan(*EXAMPLE_FORM)))
    args: Any = (*EXAMPLE_FORM, planned["outline_box"], planned["outline_state"])
    seen, final = asyncio.run(_last(handlers, handlers.draft(*args)))
    assert len(seen) >= 3  # the outline, sections as they finish, the finished draft
    return final


def test_draft_handler_streams_and_exports(handlers: ui.DrafterUI) -> None:
    final = _draft(handlers)
    assert set(final) == {handlers.w.name_of(c) for c in handlers.w.view}
    draft = handlers.ws.get_draft(final["draft_id"])
    assert len(draft.sections) >= 4 and all(s.status == "done" for s in draft.sections)
    assert "progress-finished" in final["progress_html"] and 'data-count="0"' in final["summary_html"]
    assert all(f'id="section-{s.index}"' in final["draft_html"] for s in draft.sections)
    assert final["section_dd"].value == 0 and final["text_box"] == draft.sections[0].text
    docx_path, md_path = _path(final["dl_docx"].value), _path(final["dl_md"].value)
    assert docx_path.name == f"{draft.title}.docx" and md_path.name == f"{draft.title}.md"
    doc = Document(io.BytesIO(docx_path.read_bytes()))
    assert doc.paragraphs[0].text.strip() == draft.title
    assert md_path.read_text(encoding="utf-8").startswith(f"# {draft.title}")
    assert final["history_dd"].value == draft.id
    # exports go to a private folder of this process, not a shared, fixed one in /tmp
    folder = handlers.exports.root
    assert folder.name.startswith("drafter-exports-") and (folder.stat().st_mode & 0o077) == 0
    assert (folder / draft.id / f"{draft.title}.docx").read_bytes() == docx_path.read_bytes()


def test_regenerate_changes_one_section_and_edit_flags_amounts(handlers: ui.DrafterUI) -> None:
    draft_id = _draft(handlers)["draft_id"]
    before = handlers.ws.get_draft(draft_id)
    _, final = asyncio.run(_last(handlers, handlers.regenerate(draft_id, 2, "更简洁")))
    after = handlers.ws.get_draft(draft_id)
    assert after.sections[2].text != before.sections[2].text and after.sections[2].version == 1
    assert [s.text for i, s in enumerate(after.sections) if i != 2] == \
           [s.text for i, s in enumerate(before.sections) if i != 2]
    assert final["section_dd"].value == 2 and final["text_box"] == after.sections[2].text

    picked = handlers.w.by_name(handlers.select_section(draft_id, 3))
    assert picked["text_box"] == after.sections[3].text
    view = handlers.w.by_name(handlers.save_edit(draft_id, 3, picked["heading_box"],
                                                 picked["text_box"] + "另发放慰问品9999份。"))
    assert 'data-count="1"' in view["summary_html"] and "9999份" in view["summary_html"]
    section_html = view["draft_html"].split('id="section-3"')[1].split("</section>")[0]
    assert "9999份</mark>" in section_html and "flag-amount" in section_html
    with pytest.raises(gr.Error):
        handlers.save_edit(draft_id, 3, picked["heading_box"], "   ")
    with pytest.raises(gr.Error):
        asyncio.run(_last(handlers, handlers.regenerate("", 1, "")))

    reopened = handlers.w.by_name(handlers.open_draft(draft_id))
    assert reopened["draft_id"] == draft_id and reopened["org"] == "宏远机械制造有限公司"
    assert "【正文】" in reopened["outline_box"]


def test_incomplete_draft_is_never_called_complete(handlers: ui.DrafterUI) -> None:
    """An interrupted draft (sections still pending) is shown as unfinished, with no "0 处待核对"."""
    draft = handlers.ws.get_draft(_draft(handlers)["draft_id"])
    draft.sections[1] = draft.sections[1].model_copy(update={"status": "pending", "text": ""})
    progress = ui.render_progress(draft, finished=True)
    summary = ui.render_flag_summary(draft.sections)
    assert "草稿已完成" not in progress and "未完成" in progress and "progress-finished" not in progress
    assert 'data-count="0"' not in summary and "尚未写完" in summary


def test_check_handler(handlers: ui.DrafterUI) -> None:
    args: Any = (*EXAMPLE_FORM, "全年慰问困难职工家庭27户，<i>发放</i>慰问金5.2万元。")
    html = handlers.w.by_name(handlers.check_text(*args))["check_html"]
    assert 'data-count="1"' in html and "27户</mark>" in html and "与事实不符" in html and "<i>" not in html
    with pytest.raises(gr.Error) as info:
        handlers.check_text("", 2024, "企业", "", "x", "", "", "", "文本")
    assert "「单位名称」" in info.value.message


@pytest.mark.filterwarnings("ignore::UserWarning")  # gr.Warning/gr.Info outside an event are Python warnings
def test_corpus_handlers_refuse_bad_files_and_keep_the_corpus(handlers: ui.DrafterUI, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    uploads = tmp_path / "gradio"  # Gradio's upload folder: files that arrived with a request are here
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(uploads))
    (uploads / "a1").mkdir(parents=True)
    w = handlers.w
    rows = handlers.w.by_name(handlers.documents())["docs_table"]
    count = len(rows)
    assert count >= 3 and all(r[2] == "内置" for r in rows)
    good = uploads / "a1" / "我们的2023年总结.txt"
    good.write_text("某公司工会2023年工作总结\n\n一、关心职工生活\n全年走访慰问困难职工。\n\n二、开展劳动竞赛\n"
                    "组织技能比武。\n", encoding="utf-8")
    corrupt = uploads / "a1" / "坏文件.docx"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    big = uploads / "a1" / "太大.txt"
    with big.open("wb") as f:
        f.truncate(ui.MAX_UPLOAD_BYTES + 1)
    binary = uploads / "a1" / "图片.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    out = w.by_name(handlers.upload([str(good), str(corrupt), str(big), str(binary), str(uploads / "a1" / "x.pdf")]))
    rows, removable, message = out["docs_table"], out["remove_dd"], out["corpus_msg"]
    assert len(rows) == count + 1 and out["files"] is None
    assert "已添加 1 篇" in message
    for name in ("坏文件.docx", "太大.txt", "图片.md", "x.pdf"):
        assert f"「{name}」未添加" in message
    assert "20.1 MB，超过 20 MB 上限" in message and "支持 .docx" in message
    user_doc = next(r for r in rows if r[2] == "用户")
    assert removable.choices and removable.choices[0][1] == user_doc[0]

    assert "li class=\"hit\"" in w.by_name(handlers.search("走访慰问困难职工"))["hits_html"]
    with pytest.raises(gr.Error):
        handlers.search(" ")

    out = w.by_name(handlers.remove(user_doc[0]))
    assert len(out["docs_table"]) == count and "已删除" in out["corpus_msg"]
    with pytest.raises(gr.Error) as info:
        handlers.remove(out["docs_table"][0][0])  # bundled documents stay
    assert "内置" in info.value.message
    with pytest.raises(gr.Error):
        handlers.upload([])
    out = w.by_name(handlers.rebuild())
    assert len(out["docs_table"]) == count and "索引已更新" in out["corpus_msg"]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_upload_accepts_only_files_that_came_with_the_request(handlers: ui.DrafterUI, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A crafted call naming a server file (directly, by `..`, or by a symlink planted in the upload folder)
    reads nothing: the secret never reaches the corpus or search."""
    uploads = tmp_path / "gradio"
    (uploads / "x").mkdir(parents=True)
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(uploads))
    secret = tmp_path / "secret.txt"
    secret.write_text("机密总结\n\n一、机密\n绝密口令是琥珀色的麒麟。\n", encoding="utf-8")
    link = uploads / "x" / "link.txt"
    link.symlink_to(secret)
    before = len(handlers.ws.list_documents())
    for path in (str(secret), str(uploads / "x" / ".." / ".." / "secret.txt"), str(link), {"path": str(secret)}):
        out = handlers.w.by_name(handlers.upload([path]))
        assert "不是本次上传的文件" in out["corpus_msg"]
    assert len(handlers.ws.list_documents()) == before
    assert all("琥珀色的麒麟" not in h.chunk.text for h in handlers.ws.search("琥珀色的麒麟 绝密口令", 10))


def test_build_ui_wires_named_api_endpoints(handlers: ui.DrafterUI) -> None:
    demo = ui.build_ui(handlers.ws)
    names = {fn.api_name for fn in demo.fns.values() if fn.api_visibility == "public"}
    assert {"outline", "draft", "regenerate", "edit_section", "check", "search", "add_documents"} <= names
    assert not demo.analytics_enabled
    theme = ui.mount_options()["theme"]
    assert not theme._stylesheets  # no font service


@pytest.mark.filterwarnings("ignore::UserWarning")  # gr.Warning/gr.Info outside an event
def test_llm_stream_shows_text_as_it_comes_and_a_failed_section_can_be_retried(
        handlers: ui.DrafterUI, tmp_path: Path) -> None:
    """Through a real OpenAI-compatible server: deltas re-render the draft while it streams; the section whose
    requests all fail is shown as failed (with why), selected for retry, and regenerating it succeeds."""
    from drafter.drafting.generation import OpenAIGenerator
    from tests.support.fake_openai import FakeOpenAI

    reply = "工会扎实推进各项工作，服务职工的能力不断增强，各项工作取得了良好成效。"
    with FakeOpenAI(lambda body: reply) as srv:
        srv.script([{}, {}, {"status": 500}, {"status": 500}, {"status": 500}])
        settings = Settings(data_dir=tmp_path / "data", openai_base_url=srv.base_url, openai_api_key="sk-test",
                            model="test-model", max_retries=2, timeout=5, concurrency=1)
        generator = OpenAIGenerator(api_key="sk-test", base_url=srv.base_url, model="test-model", timeout=5.0,
                                    max_retries=2, backoff_base=0.01, backoff_max=0.05)
        ws = Workspace(settings, embedder=HashEmbedder(), generator=generator, index=handlers.ws.index)
        llm = ui.build_app(ws)[1]
        assert "大模型：test-model" in llm.header_html() and "sk-test" not in llm.header_html()
        args: Any = (*EXAMPLE_FORM, "", [])
        seen, final = asyncio.run(_last(llm, llm.draft(*args)))
        streaming = [item["draft_html"] for item in seen[:-1] if "正在撰写" in item.get("draft_html", "")]
        assert streaming and any(reply in html for html in streaming)
        draft = ws.get_draft(final["draft_id"])
        failed = [s.index for s in draft.sections if s.status == "failed"]
        assert len(failed) == 1 and final["section_dd"].value == failed[0]
        assert "生成失败" in final["draft_html"] and "HTTP 500" in final["draft_html"]
        assert "生成失败" in final["summary_html"] and "其中 1 节失败" in final["progress_html"]
        _, retried = asyncio.run(_last(llm, llm.regenerate(draft.id, failed[0], "")))
        again = ws.get_draft(draft.id)
        assert again.sections[failed[0]].status == "done" and again.sections[failed[0]].text == reply
        assert "生成失败" not in retried["draft_html"]


def test_mount_options_theme_uses_local_fonts_and_the_palette(handlers: ui.DrafterUI) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    app = gr.mount_gradio_app(FastAPI(), ui.build_ui(handlers.ws), path="/", **ui.mount_options())
    with TestClient(app) as client:
        css = client.get("/theme.css").text
        page = client.get("/").text
    assert ui.PALETTE["500"] in css and "Noto Sans CJK SC" in css
    assert "googleapis" not in css and "googleapis" not in page


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_same_name_upload_is_refused_unless_replace_is_ticked(handlers: ui.DrafterUI, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    uploads = tmp_path / "gradio"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(uploads))
    first, second = uploads / "a" / "本厂总结.txt", uploads / "b" / "本厂总结.txt"
    for path, deed in ((first, "开展送清凉活动"), (second, "开展职工疗休养")):
        path.parent.mkdir(parents=True)
        path.write_text(f"本厂工会2023年工作总结\n\n一、关心职工\n全年{deed}，覆盖一线班组。\n", encoding="utf-8")
    w = handlers.w
    assert "已添加 1 篇" in w.by_name(handlers.upload([str(first)]))["corpus_msg"]
    refused = w.by_name(handlers.upload([str(second)]))["corpus_msg"]
    assert "「本厂总结.txt」未添加" in refused and "替换同名范文" in refused and "支持 .docx" not in refused
    replaced = w.by_name(handlers.upload([str(second)], True))["corpus_msg"]
    assert "已添加 1 篇" in replaced
    assert any("疗休养" in h.chunk.text for h in handlers.ws.search("职工疗休养", 5))
    doc = next(d for d in handlers.ws.list_documents() if d.title == "本厂工会2023年工作总结")
    handlers.remove(doc.doc_id)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_removal_toast_shows_the_title_as_text(handlers: ui.DrafterUI, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Toasts are HTML: a title with markup (a link was injected this way) arrives escaped."""
    import webui.uploads

    uploads = tmp_path / "gradio"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(uploads))
    path = uploads / "t" / "注入.txt"
    path.parent.mkdir(parents=True)
    path.write_text('<a href="http://evil">点我</a>总结\n\n一、关心职工\n全年开展送温暖活动。\n', encoding="utf-8")
    handlers.upload([str(path)])
    doc = next(d for d in handlers.ws.list_documents() if "点我" in d.title)
    toasts: list[str] = []
    monkeypatch.setattr(webui.uploads.gr, "Info", lambda message, **_: toasts.append(message))
    out = handlers.w.by_name(handlers.remove(doc.doc_id))
    assert toasts and "&lt;a href=" in toasts[0] and "<a href" not in toasts[0]
    assert "<a href" not in out["corpus_msg"]
