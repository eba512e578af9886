"""Export: Markdown structure and the GB/T 9704 .docx layout, read back with python-docx."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from drafter.export.document import to_docx, to_markdown, write_docx
from drafter.facts import Facts
from drafter.models import Draft, Section

TITLE = "XX公司2024年工会工作总结"
ORG = "XX公司工会"
HEADINGS = [
    "一、加强思想引领，凝聚职工力量",
    "二、维护职工权益，构建和谐劳动关系",
    "三、关心职工生活，体现组织温暖",
    "四、丰富文体活动，建设职工之家",
]
SUB_HEADING = "（一）强化政治理论学习。"
SUB_RUN_IN = "全年组织职工集中学习12次，参学职工860人次。"
UNSAFE = "职工提出<script>alert(1)</script> & “建议” 15条"


def _draft(*, fail_third: bool = False) -> Draft:
    facts = Facts(
        org=ORG,
        year=2024,
        superior="市总工会和公司党委",
        items=["全年走访慰问困难职工家庭32户，发放慰问金6.4万元"],
    )
    specs: list[dict[str, object]] = [
        {
            "kind": "opening",
            "text": "2024年，公司工会在市总工会和公司党委的正确领导下，紧紧围绕公司中心工作，"
            "现将全年工作总结如下。",
        },
        {
            "kind": "body",
            "heading": HEADINGS[0],
            "text": f"{SUB_HEADING}{SUB_RUN_IN}\n（二）开展主题宣传教育\n全年开展宣讲活动6场。",
        },
        {
            "kind": "body",
            "heading": HEADINGS[1],
            "text": f"坚持职工代表大会制度，{UNSAFE}，全部按期答复。",
        },
        {
            "kind": "body",
            "heading": HEADINGS[2],
            "text": "全年走访慰问困难职工家庭32户，发放慰问金6.4万元。",
        },
        {
            "kind": "body",
            "heading": HEADINGS[3],
            "text": "1、举办职工运动会\n参赛职工420人。\n\n2、开展读书活动\n新增图书800册。",
        },
        {"kind": "shortcomings", "heading": "五、存在的不足", "text": "职工书屋利用率不高。"},
        {"kind": "plans", "heading": "六、2025年工作打算", "text": "开展第二届职工技能比武。"},
        {"kind": "closing", "text": "新的一年，公司工会将继续努力，为公司高质量发展作出新的贡献。"},
    ]
    sections = [Section(index=i, status="done", **spec) for i, spec in enumerate(specs)]  # type: ignore[arg-type]
    if fail_third:
        sections[3] = sections[3].model_copy(update={"status": "failed", "text": "", "error": "模型超时"})
    return Draft(id="d1", title=TITLE, backend="offline", facts=facts, sections=sections)


def _east_asia(p: Paragraph, run_index: int = 0) -> str | None:
    rfonts = p.runs[run_index]._element.rPr.find(qn("w:rFonts"))
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return to_docx(_draft())


@pytest.fixture(scope="module")
def paragraphs(docx_bytes: bytes) -> list[Paragraph]:
    return [p for p in Document(io.BytesIO(docx_bytes)).paragraphs if p.text.strip()]


def _find(paragraphs: list[Paragraph], start: str) -> Paragraph:
    return next(p for p in paragraphs if p.text.startswith(start))


# ---------------------------------------------------------------- markdown


def test_markdown_structure() -> None:
    md = to_markdown(_draft())
    lines = md.split("\n\n")
    assert lines[0] == f"# {TITLE}"
    assert lines[1].startswith("2024年，公司工会")  # the opening has no heading
    for heading in [*HEADINGS, "五、存在的不足", "六、2025年工作打算"]:
        assert f"## {heading}" in lines
    assert md.count("## ") == 6
    # sub-headings stay plain text lines, in order, not Markdown headings
    i = lines.index(f"## {HEADINGS[0]}")
    expected = [f"{SUB_HEADING}{SUB_RUN_IN}", "（二）开展主题宣传教育", "全年开展宣讲活动6场。"]
    assert lines[i + 1 : i + 4] == expected
    assert "1、举办职工运动会" in lines
    assert lines[-1].strip() == "新的一年，公司工会将继续努力，为公司高质量发展作出新的贡献。"
    assert md.endswith("\n")


def test_markdown_keeps_user_text_exactly() -> None:
    assert UNSAFE in to_markdown(_draft())


def test_markdown_failed_section_note() -> None:
    md = to_markdown(_draft(fail_third=True))
    assert f"## {HEADINGS[2]}\n\n（本节生成失败：模型超时）" in md
    assert "慰问金6.4万元" not in md


def test_markdown_empty_section_note() -> None:
    draft = _draft()
    draft.sections[5].text = "  \n"
    assert "## 五、存在的不足\n\n（本节生成失败：内容为空）" in to_markdown(draft)


# ---------------------------------------------------------------- docx


def test_docx_page_setup(docx_bytes: bytes) -> None:
    doc = Document(io.BytesIO(docx_bytes))
    sec = doc.sections[0]
    # .docx stores twips (1/20 pt), so a length reads back within a fraction of a millimetre
    measured = [sec.page_width, sec.page_height, sec.top_margin, sec.bottom_margin]
    measured += [sec.left_margin, sec.right_margin]
    for got, want in zip(measured, [210, 297, 37, 35, 28, 26], strict=True):
        assert got is not None and abs(got - Mm(want)) < Mm(0.05), (got.mm if got else None, want)
    assert doc.core_properties.title == TITLE


def test_docx_title(paragraphs: list[Paragraph]) -> None:
    title = paragraphs[0]
    assert title.text == TITLE
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].font.size == Pt(22)
    assert _east_asia(title) == "方正小标宋简体"


def test_docx_body_paragraphs(paragraphs: list[Paragraph]) -> None:
    body = [
        _find(paragraphs, "2024年，公司工会"),
        _find(paragraphs, "坚持职工代表大会制度"),
        _find(paragraphs, "全年走访慰问"),
        _find(paragraphs, "新的一年"),
    ]
    for p in body:
        assert p.runs[0].font.size == Pt(16)
        assert _east_asia(p) == "仿宋_GB2312"
        fmt = p.paragraph_format
        assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert fmt.line_spacing == Pt(28)
        assert fmt.first_line_indent == Pt(32)
        assert fmt.space_before == Pt(0) and fmt.space_after == Pt(0)
        assert p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY


def test_docx_headings(paragraphs: list[Paragraph]) -> None:
    for heading in HEADINGS:
        p = _find(paragraphs, heading)
        assert p.text == heading
        assert _east_asia(p) == "黑体"
        assert p.runs[0].font.size == Pt(16)
    level2 = _find(paragraphs, "（一）")
    assert level2.text == SUB_HEADING + SUB_RUN_IN
    assert level2.runs[0].text == SUB_HEADING
    assert _east_asia(level2, 0) == "楷体_GB2312"
    assert _east_asia(level2, 1) == "仿宋_GB2312"  # the run-in text after the heading
    assert _east_asia(_find(paragraphs, "（二）开展主题宣传教育")) == "楷体_GB2312"
    assert _east_asia(_find(paragraphs, "1、举办职工运动会")) == "仿宋_GB2312"


def test_docx_section_order(paragraphs: list[Paragraph]) -> None:
    texts = [p.text for p in paragraphs]
    positions = [texts.index(h) for h in HEADINGS]
    assert positions == sorted(positions)
    assert texts[-2:] == [ORG, "2024年12月"]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.RIGHT for p in paragraphs[-2:])


def test_docx_no_theme_fonts(docx_bytes: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        for name in ("word/document.xml", "word/styles.xml"):
            xml = z.read(name).decode("utf-8")
            assert "eastAsiaTheme" not in xml, name
            assert "asciiTheme" not in xml and "hAnsiTheme" not in xml, name
        styles = z.read("word/styles.xml").decode("utf-8")
    assert 'w:eastAsia="仿宋_GB2312"' in styles


def test_docx_page_number_field(docx_bytes: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        footers = [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/footer")]
    assert footers
    for xml in footers:
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml and "— " in xml


def test_docx_failed_section_note() -> None:
    doc = Document(io.BytesIO(to_docx(_draft(fail_third=True))))
    texts = [p.text for p in doc.paragraphs]
    i = texts.index(HEADINGS[2])
    assert texts[i + 1] == "（本节生成失败：模型超时）"


def test_docx_user_text_round_trips(paragraphs: list[Paragraph]) -> None:
    p = _find(paragraphs, "坚持职工代表大会制度")
    assert p.text == f"坚持职工代表大会制度，{UNSAFE}，全部按期答复。"


def test_docx_drops_xml_invalid_characters() -> None:
    draft = _draft()
    draft.sections[0].text = "开头\x00文字\x1f。"
    doc = Document(io.BytesIO(to_docx(draft)))
    assert any(p.text == "开头文字。" for p in doc.paragraphs)


def test_docx_without_signature() -> None:
    doc = Document(io.BytesIO(to_docx(_draft(), signature=False)))
    texts = [p.text for p in doc.paragraphs if p.text.strip()]
    assert texts[-1].startswith("新的一年")


def test_write_docx(tmp_path) -> None:
    path = write_docx(_draft(), tmp_path / "out" / "summary.docx")
    assert path.exists()
    assert Document(str(path)).paragraphs[0].text == TITLE
