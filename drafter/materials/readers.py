"""Materials as text: one reader per format, each returning paragraphs (with the heading they sit under)
and tables (header + rows), or raising `Unreadable` with a Chinese reason a person can act on.

Formats: .docx (paragraphs and tables), .txt/.md (UTF-8, UTF-16 with BOM, GBK/GB18030), .pdf with a
text layer (pypdf; a scan is reported as such), .xlsx (openpyxl, read-only), .csv (any of those encodings).
Zip containers (.docx/.xlsx) are checked for their inflated size before any parser opens them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

MAX_FILE_BYTES = 50 << 20  # a year's materials are small; a 50 MB file is a mistake or an attack
MAX_INFLATED_BYTES = 300 << 20  # sum of a zip container's parts once inflated
MAX_RATIO = 150  # deflate reaches ~10-30x on XML; 150x on a large part is a zip bomb
MAX_SHEET_ROWS = 1_048_576  # Excel's own limit
SUFFIXES = (".docx", ".txt", ".md", ".pdf", ".xlsx", ".csv")


class Unreadable(Exception):
    """A material that cannot be read; `reason` is Chinese and says what to do."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class Paragraph:
    text: str
    location: str  # 第3段, 第2页
    heading: str = ""  # the headings it sits under, joined by " > "


@dataclass(slots=True)
class Table:
    name: str  # 表1, or the sheet's name
    title: str  # a title row above the header (`2024年困难职工慰问台账`), or ""
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the user sees it, cells as text)
    heading: str = ""  # for tables inside a document: the heading above them


@dataclass
class Material:
    file: str  # base name, as given
    kind: str  # docx | txt | md | pdf | xlsx | csv
    paragraphs: list[Paragraph] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.paragraphs[0].text if self.paragraphs else ""


def read_material(name: str, data: bytes) -> Material:
    """Read one material from its bytes; `name` decides the format."""
    base = PurePath(name).name or "未命名"
    suffix = PurePath(base).suffix.lower()
    if suffix not in SUFFIXES:
        raise Unreadable(f"不支持的文件类型 {suffix or '（无扩展名）'}；支持 .docx .txt .md .pdf .xlsx .csv"
                         + ("（旧版 Office 文件请另存为 .docx/.xlsx）" if suffix in (".doc", ".xls", ".wps", ".et") else ""))
    if not data:
        raise Unreadable("文件为空")
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(f"文件过大（{len(data) / (1 << 20):.0f} MB，上限 {MAX_FILE_BYTES >> 20} MB）")
    kind = suffix[1:]
    if suffix in (".docx", ".xlsx"):
        _check_zip(data, suffix)
        mat = _read_docx(base, data) if suffix == ".docx" else _read_xlsx(base, data)
    elif suffix == ".pdf":
        mat = _read_pdf(base, data)
    elif suffix == ".csv":
        mat = Material(base, kind, tables=[_csv_table(decode_text(data), base)])
    elif suffix == ".md":
        text, tables = _markdown_tables(decode_text(data))
        mat = Material(base, kind, paragraphs=paragraphs_from_text(text, markdown=True), tables=tables)
    else:
        mat = Material(base, kind, paragraphs=paragraphs_from_text(decode_text(data)))
    if not mat.paragraphs and not any(t.rows for t in mat.tables):
        raise Unreadable("文件中没有可读的文字内容")
    return mat


# --- text ------------------------------------------------------------------------------------------------
def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise Unreadable("无法识别文字编码（不是 UTF-8，也不是 GBK/GB18030）；请另存为 UTF-8 文本") from exc
    if "\x00" in text or sum(ch < " " and ch not in "\n\r\t\f" for ch in text[:4000]) > 20:
        raise Unreadable("看起来是二进制文件，不是文本")
    return text


_HEADING_RE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十]{1,3}[）)]|#{1,6}\s)")
_SUB_HEADING_RE = re.compile(r"^(?:\d{1,2}\s*[、.．](?!\d)|[（(]\d{1,2}[）)])")
_MD_MARKUP = re.compile(r"\*\*|__|^\s*[-*+]\s+|^\s*>\s*|`")


def is_heading(line: str) -> bool:
    """A line that heads what follows: `一、…`, `（二）…`, `## …`, or a short line with no sentence stop."""
    s = line.strip()
    if _HEADING_RE.match(s):  # `（一）关爱员工。全年慰问…` is a paragraph with a run-in heading, not a heading
        return len(s) <= 40 and not re.search(r"[。；！？]", s[:-1])
    if s.startswith("#"):
        return True
    # An unmarked short line heads what follows only when it says what kind of part it is (存在不足, 下一步
    # 工作打算, 本月工作情况); `职工书屋利用率不高` on a line of its own is a fact, not a heading.
    return (len(s) <= 22 and not re.search(r"[。；！？，,]", s) and not re.search(r"\d{2,}", s)
            and bool(_HEADING_WORDS.search(s) or s.endswith(("：", ":"))))


_HEADING_WORDS = re.compile(r"工作|情况|问题|不足|打算|计划|思路|安排|总结|报告|简报|纪要|月报|概况|一览|成效|措施|"
                            r"做法|体会|要求|重点|展望|方向|目标|差距|短板|困难|建议|回顾|附件|附表|汇总|简介")


def paragraphs_from_text(text: str, *, markdown: bool = False, unit: str = "段") -> list[Paragraph]:
    """Non-empty lines as paragraphs, each with the level-1/level-2 headings above it."""
    out: list[Paragraph] = []
    h1 = h2 = ""
    n = 0
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.replace("\u3000", " ").strip()
        if markdown:
            line = _MD_MARKUP.sub("", line).strip()
        if not line:
            continue
        n += 1
        shown = line.lstrip("#").strip() if re.match(r"#{1,6}\s", line) else line
        out.append(Paragraph(shown, f"第{n}{unit}", " > ".join(h for h in (h1, h2) if h)))
        if is_heading(line):
            bare = line.lstrip("#").strip()
            if line.startswith(("（", "(")):
                h2 = bare
            else:
                h1, h2 = bare, ""
        elif _SUB_HEADING_RE.match(line) and len(line) <= 30 and not re.search(r"[。；]", line):
            h2 = line
    return out


def _markdown_tables(text: str) -> tuple[str, list[Table]]:
    """Pipe tables (`| 活动 | 人数 |`) out of a Markdown text, as tables; the rest stays prose."""
    lines: list[str] = []
    tables: list[Table] = []
    block: list[list[str]] = []
    for line in [*text.replace("\r\n", "\n").split("\n"), ""]:
        if line.strip().startswith("|"):
            if not re.fullmatch(r"\s*\|?[\s:|-]+\|?\s*", line):
                block.append([_cell_text(c) for c in line.strip().strip("|").split("|")])
            continue
        if block:
            tables.append(_table_from_grid(f"表{len(tables) + 1}", block))
            block = []
        lines.append(line)
    return "\n".join(lines), tables


# --- zip containers ----------------------------------------------------------------------------------------
def _check_zip(data: bytes, suffix: str) -> None:
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise Unreadable("文件已加密（设置了打开密码），或是旧版 .doc/.xls 另改了扩展名；请取消密码或另存为 "
                         f"{suffix} 后再试")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise Unreadable(f"不是有效的 {suffix} 文件（文件可能已损坏或不完整）") from exc
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if total > MAX_INFLATED_BYTES:
            raise Unreadable(f"解压后内容过大（{total >> 20} MB），疑似异常文件")
        for i in infos:
            if i.file_size > (1 << 20) and i.file_size > MAX_RATIO * max(1, i.compress_size):
                raise Unreadable("压缩比异常（疑似“压缩炸弹”），已拒绝读取")


def _read_docx(name: str, data: bytes) -> Material:
    import docx  # python-docx: ~0.2 s to import, only when a .docx arrives
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises assorted errors on corrupt parts
        raise Unreadable("不是有效的 .docx 文件（文件可能已损坏）") from exc
    lines: list[str] = []
    tables: list[Table] = []
    anchors: list[int] = []  # index into lines where each table stood
    names = {st.style_id: st.name or "" for st in document.styles}
    for block in document.iter_inner_content():
        if isinstance(block, DocxParagraph):
            ppr = block._p.pPr  # the style id straight from the XML: `block.style` resolves defaults per call (slow)
            style = names.get(ppr.pStyle.val, "") if ppr is not None and ppr.pStyle is not None else ""
            level = re.search(r"(?:[Hh]eading|标题)\s*(\d)", style)
            # A heading style says what the text alone may not (`关爱职工` as Heading 2)
            lines.append(("#" * int(level.group(1)) + " " + block.text) if level and block.text.strip() else block.text)
        elif isinstance(block, DocxTable):
            grid = [[_cell_text(c.text) for c in row.cells] for row in block.rows]
            grid = [_dedupe_merged(r) for r in grid]
            if grid:
                tables.append(_table_from_grid(f"表{len(tables) + 1}", grid))
                anchors.append(len(lines))
    paragraphs = paragraphs_from_text("\n".join(lines), markdown=True)
    for table, at in zip(tables, anchors, strict=True):
        before = [p for p in paragraphs if int(p.location[1:-1]) <= at]
        table.heading = before[-1].heading if before else ""
    return Material(name, "docx", paragraphs=paragraphs, tables=tables)


def _cell_text(s: str) -> str:
    return " ".join(s.split())


def _dedupe_merged(row: list[str]) -> list[str]:
    """python-docx repeats a merged cell's text in every grid cell it spans; keep it once."""
    out: list[str] = []
    for i, c in enumerate(row):
        out.append("" if i and c and c == row[i - 1] else c)
    return out


# --- spreadsheets ------------------------------------------------------------------------------------------
def _read_xlsx(name: str, data: bytes) -> Material:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises KeyError/InvalidFileException/... on broken parts
        raise Unreadable("不是有效的 .xlsx 文件（文件可能已损坏）") from exc
    tables: list[Table] = []
    try:
        for ws in wb.worksheets:
            grid: list[list[str]] = []
            for row in ws.iter_rows(values_only=True):
                if len(grid) >= MAX_SHEET_ROWS:
                    raise Unreadable(f"工作表「{ws.title}」超过 {MAX_SHEET_ROWS} 行，请拆分后再试")
                grid.append([_value_text(v) for v in row])
            if any(any(c for c in r) for r in grid):
                tables.append(_table_from_grid(ws.title, grid))
    finally:
        wb.close()
    return Material(name, "xlsx", tables=tables)


def _value_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m-%d")  # type: ignore[union-attr]
    return _cell_text(str(v))


def _csv_table(text: str, name: str) -> Table:
    sample = text[:4096]
    delim = max(",\t;，", key=sample.count) if sample else ","
    grid = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delim)]
    if len(grid) > MAX_SHEET_ROWS:
        raise Unreadable(f"表格超过 {MAX_SHEET_ROWS} 行，请拆分后再试")
    return _table_from_grid(PurePath(name).stem, grid)


def _table_from_grid(name: str, grid: list[list[str]]) -> Table:
    """Find the title rows, the (possibly two-row, merged) header, and the data rows of a sheet."""
    rows = [(i + 1, r) for i, r in enumerate(grid) if any(r)]
    title_parts: list[str] = []
    # Title rows: a single filled cell (merged across the sheet), or a `填报单位：…` line above the header.
    while rows and (sum(1 for c in rows[0][1] if c) == 1 or re.match(r"^(填报|制表|单位|日期)[^，,]{0,8}[:：]", _first(rows[0][1]))) \
            and len(rows) > 1:
        title_parts.append(" ".join(c for c in rows[0][1] if c))
        rows = rows[1:]
    if not rows:
        return Table(name, " ".join(title_parts), [], [])
    header = _ffill(rows[0][1])
    rows = rows[1:]
    # A second header row under merged parent cells: mostly text, no numbers, and not a record.
    if rows and _looks_like_subheader(rows[0][1], header):
        sub = rows[0][1]
        header = [f"{h}{s}" if s and s != h else h for h, s in zip(header, sub + [""] * len(header), strict=False)]
        rows = rows[1:]
    width = len(header)
    body = [(n, r if len(r) == width else (r + [""] * width)[:width]) for n, r in rows]
    # Trailing 合计/制表人 lines are not records (they only ever close a sheet).
    while body and _FOOTER.match(_first(body[-1][1])):
        body.pop()
    return Table(name, " ".join(title_parts), [h.strip() for h in header], body)


_FOOTER = re.compile(r"^(合\s*计|总\s*计|小\s*计|制表|审核|填表|备注[:：])")


def _first(row: list[str]) -> str:
    return next((c for c in row if c), "")


def _ffill(row: list[str]) -> list[str]:
    out: list[str] = []
    for c in row:
        out.append(c or (out[-1] if out else ""))
    return out


def _looks_like_subheader(row: list[str], header: list[str]) -> bool:
    filled = [c for c in row if c]
    if not filled or any(re.search(r"\d", c) for c in filled):
        return False
    repeated = sum(1 for i in range(1, len(header)) if header[i] == header[i - 1])
    return repeated > 0 and len(filled) <= len(header)


def render_row(header: list[str], cells: list[str]) -> str:
    """A spreadsheet row as the quoted text of a source: `姓名：张三；金额（元）：500`."""
    return "；".join(f"{h}：{c}" if h else c for h, c in zip(header, cells, strict=False) if c)


# --- pdf ---------------------------------------------------------------------------------------------------
def _read_pdf(name: str, data: bytes) -> Material:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns on every odd xref; the reason is ours
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise Unreadable("不是有效的 PDF 文件")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("PDF 已加密（需要密码）；请提供未加密的文件")
        pages = list(reader.pages)
        texts = [p.extract_text() or "" for p in pages]
    except Unreadable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise Unreadable("PDF 文件已损坏，无法读取") from exc
    except Exception as exc:  # pypdf on malformed streams, missing crypto backends, ...
        raise Unreadable(f"PDF 无法读取（{type(exc).__name__}）") from exc
    if not any(re.search(r"[\u4e00-\u9fff0-9A-Za-z]", t) for t in texts):
        has_images = any(_page_has_image(p) for p in pages)
        if has_images:
            raise Unreadable("这是扫描版 PDF（页面只有图片，没有文字层）；请先做文字识别（OCR），或提供原始 Word 文件")
        raise Unreadable("PDF 中没有可提取的文字")
    paragraphs: list[Paragraph] = []
    for n, t in enumerate(texts, 1):
        for p in paragraphs_from_text(_join_pdf_lines(t)):
            paragraphs.append(Paragraph(p.text, f"第{n}页", p.heading or (paragraphs[-1].heading if paragraphs else "")))
    # Headings carry across pages: recompute on the whole text, keep page numbers.
    whole = paragraphs_from_text("\n".join(p.text for p in paragraphs))
    for p, w in zip(paragraphs, whole, strict=True):
        p.heading = w.heading
    return Material(name, "pdf", paragraphs=paragraphs)


def _page_has_image(page: object) -> bool:
    try:
        res = page["/Resources"]  # type: ignore[index]
        xobjects = res.get("/XObject") if res else None
        if xobjects:
            xobjects = xobjects.get_object()
            return any(xobjects[k].get_object().get("/Subtype") == "/Image" for k in xobjects)
    except Exception:  # an odd resource dictionary is no evidence either way
        return False
    return False


def _join_pdf_lines(text: str) -> str:
    """PDF text breaks lines at the page width; a line that does not end a sentence continues."""
    out: list[str] = []
    for line in text.split("\n"):
        s = line.strip()
        if not s:
            continue
        if out and not re.search(r"[。！？：:；]$", out[-1]) and not is_heading(out[-1]) and not _HEADING_RE.match(s) \
                and not _SUB_HEADING_RE.match(s):
            out[-1] += s
        else:
            out.append(s)
    return "\n".join(out)
