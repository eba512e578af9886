"""Export a draft as Markdown or as a .docx laid out like a Chinese official document (GB/T 9704-2012).

The export is the clean document: checker flags are not highlighted here.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml.etree import _Element

from ..models import Draft, Section

# Fonts of GB/T 9704-2012. The docx only names them; a machine without them substitutes.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"

TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
LINE_SPACING = Pt(28)  # fixed ("exactly"): 22 lines on the 225 mm type area
INDENT = Pt(32)  # two characters of 三号

_THEME_ATTRS = tuple(qn(a) for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"))

H1_RE = re.compile(r"^[一二三四五六七八九十百]+、")
H2_RE = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")
# Characters XML 1.0 cannot hold; lxml refuses them, so they are dropped from user text.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# ---------------------------------------------------------------- shared


def failure_note(section: Section) -> str | None:
    """The visible note for a section that has no text, or None when it has text."""
    if section.status == "failed":
        reason = section.error.strip() or "未知原因"
    elif not section.text.strip():
        reason = section.error.strip() or ("尚未生成" if section.status == "pending" else "内容为空")
    else:
        return None
    return f"（本节生成失败：{reason}）"


def section_lines(section: Section) -> list[str]:
    """The section's non-empty text lines; a first line repeating the heading is dropped."""
    lines = [line.strip() for line in section.text.splitlines()]
    lines = [line for line in lines if line]
    if lines and section.heading and lines[0] == section.heading.strip():
        lines = lines[1:]
    return lines


# ---------------------------------------------------------------- markdown


def to_markdown(draft: Draft) -> str:
    """`# title`, then per section `## heading` (when present) and one paragraph per text line.

    Sub-headings inside a section's text (`（一）…`, `1、…`) stay plain text lines. Text is not
    escaped: whoever renders this Markdown to HTML must sanitise it.
    """
    blocks = [f"# {draft.title.strip()}"]
    for section in draft.sections:
        if section.heading.strip():
            blocks.append(f"## {section.heading.strip()}")
        note = failure_note(section)
        if note is not None:
            blocks.append(note)
            continue
        blocks.extend(section_lines(section))
    return "\n\n".join(blocks) + "\n"


# ---------------------------------------------------------------- docx: fonts and styles


def _clean(text: str) -> str:
    return _XML_INVALID_RE.sub("", text)


def _set_rfonts(rpr: _Element, font: str) -> None:
    """Name `font` for Latin and East Asian text and drop theme fonts, which would override it."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(attr, None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)


def _font_run(paragraph: Paragraph, text: str, font: str, size: Pt) -> Run:
    run = paragraph.add_run(_clean(text))
    run.font.size = size
    _set_rfonts(run._element.get_or_add_rPr(), font)
    return run


def _strip_theme_fonts(root: _Element) -> None:
    for rfonts in root.iter(qn("w:rFonts")):
        for attr in _THEME_ATTRS:
            rfonts.attrib.pop(attr, None)


def _setup_styles(doc: DocxDocument) -> None:
    """Body font, size and spacing as the document defaults and the Normal style; no theme fonts."""
    styles = doc.styles.element
    _strip_theme_fonts(styles)
    rpr_default = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr_default is not None:
        _set_rfonts(rpr_default, BODY_FONT)
        lang = rpr_default.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:val"), "zh-CN")
            lang.set(qn("w:eastAsia"), "zh-CN")
    ppr_default = styles.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}")
    if ppr_default is not None:
        spacing = ppr_default.find(qn("w:spacing"))
        if spacing is not None:
            ppr_default.remove(spacing)

    normal = doc.styles["Normal"]
    normal.font.size = BODY_SIZE
    _set_rfonts(normal.element.get_or_add_rPr(), BODY_FONT)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_SPACING
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _setup_page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(37)
    section.bottom_margin = Mm(35)
    section.left_margin = Mm(28)
    section.right_margin = Mm(26)
    section.header_distance = Mm(15)
    # The page number's dash sits about 7 mm below the type area.
    section.footer_distance = Mm(24)


# ---------------------------------------------------------------- docx: paragraphs


def _paragraph(
    doc: DocxDocument,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
) -> Paragraph:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_SPACING
    fmt.first_line_indent = INDENT if indent else Pt(0)
    return p


def _blank(doc: DocxDocument) -> None:
    _font_run(_paragraph(doc, indent=False), "", BODY_FONT, BODY_SIZE)


def _add_title(doc: DocxDocument, title: str) -> None:
    p = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _font_run(p, title, TITLE_FONT, TITLE_SIZE)
    _blank(doc)  # one empty line between the title and the text


def _add_heading(doc: DocxDocument, text: str) -> None:
    _font_run(_paragraph(doc), text, H1_FONT, BODY_SIZE)


def _add_line(doc: DocxDocument, line: str) -> None:
    """One text line: a `一、` heading in 黑体, a `（一）` heading in 楷体 (its run-in text, after the
    first 。, back in 仿宋), anything else a body paragraph."""
    if H1_RE.match(line):
        _add_heading(doc, line)
        return
    p = _paragraph(doc)
    if H2_RE.match(line):
        head, sep, rest = line.partition("。")
        if sep and rest:
            _font_run(p, head + sep, H2_FONT, BODY_SIZE)
            _font_run(p, rest, BODY_FONT, BODY_SIZE)
        else:
            _font_run(p, line, H2_FONT, BODY_SIZE)
        return
    _font_run(p, line, BODY_FONT, BODY_SIZE)


def _text_width(text: str) -> float:
    """Approximate width in points at 三号: full-width characters 16 pt, ASCII 8 pt."""
    return sum(8.0 if ord(c) < 0x80 else 16.0 for c in text)


def _add_signature(doc: DocxDocument, org: str, date: str) -> None:
    """Date right-aligned four characters in from the margin, the org name centred above it."""
    _blank(doc)
    date_indent = 4 * 16.0
    org_indent = max(date_indent + (_text_width(date) - _text_width(org)) / 2, 0.0)
    for text, indent in ((org, org_indent), (date, date_indent)):
        p = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        p.paragraph_format.right_indent = Pt(indent)
        _font_run(p, text, BODY_FONT, BODY_SIZE)


# ---------------------------------------------------------------- docx: page numbers


def _add_page_field(paragraph: Paragraph) -> None:
    """A PAGE field: begin, instruction, separate, a cached "1", end, each in its own run."""
    parts: list[tuple[str, str]] = [
        ("w:fldChar", "begin"),
        ("w:instrText", " PAGE "),
        ("w:fldChar", "separate"),
        ("w:t", "1"),
        ("w:fldChar", "end"),
    ]
    for tag, value in parts:
        run = _font_run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        el = OxmlElement(tag)
        if tag == "w:fldChar":
            el.set(qn("w:fldCharType"), value)
        else:
            el.set(qn("xml:space"), "preserve")
            el.text = value
        run._element.append(el)


def _page_number_paragraph(paragraph: Paragraph, align: WD_ALIGN_PARAGRAPH) -> None:
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Pt(0)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    # One character in from the outer edge.
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(14)
    else:
        fmt.left_indent = Pt(14)
    _font_run(paragraph, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    _add_page_field(paragraph)
    _font_run(paragraph, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def _setup_page_numbers(doc: DocxDocument) -> None:
    """`— 1 —` in 宋体 四号: odd pages at the right, even pages at the left (the outer edge)."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    _page_number_paragraph(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number_paragraph(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


# ---------------------------------------------------------------- docx: public


def build_docx(draft: Draft, *, signature: bool = True) -> DocxDocument:
    """The draft as a python-docx Document in the GB/T 9704 layout."""
    doc = Document()
    _setup_styles(doc)
    _setup_page(doc)
    _setup_page_numbers(doc)

    title = draft.title.strip()
    props = doc.core_properties
    props.title = _clean(title)
    props.author = _clean(draft.facts.org)
    props.last_modified_by = "drafter"
    props.language = "zh-CN"
    props.comments = ""

    _add_title(doc, title)
    for section in draft.sections:
        if section.heading.strip():
            _add_heading(doc, section.heading.strip())
        note = failure_note(section)
        if note is not None:
            _font_run(_paragraph(doc), note, BODY_FONT, BODY_SIZE)
            continue
        for line in section_lines(section):
            _add_line(doc, line)
    if signature:
        _add_signature(doc, draft.facts.org, f"{draft.facts.year}年12月")

    _strip_theme_fonts(doc.element)
    return doc


def to_docx(draft: Draft, *, signature: bool = True) -> bytes:
    """The .docx file's bytes; `signature` adds the org name and `YYYY年12月` at the end."""
    buf = io.BytesIO()
    build_docx(draft, signature=signature).save(buf)
    return buf.getvalue()


def write_docx(draft: Draft, path: str | Path, *, signature: bool = True) -> Path:
    """Write the .docx to `path` (parent directories are created) and return the path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(to_docx(draft, signature=signature))
    return p
