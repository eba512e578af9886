"""Past summaries as documents: reading files, cleaning scraped text, and parsing structure.

A document's `text` is its cleaned text, exactly as stored in `corpus/`; every section holds character
offsets into it, so a chunk can always be mapped back to its source.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..errors import BadFileError

Position = Literal["title", "opening", "body", "closing", "shortcomings", "plans"]
SUPPORTED_SUFFIXES = (".txt", ".md", ".docx")

# Size limits. An annual summary is 3–30 thousand characters; a 100-page .docx has a few MB of XML.
MAX_TEXT_CHARS = 500_000  # beyond this it is not one summary (and would take ~4 min to embed)
MAX_TEXT_FILE_BYTES = 4 * 1024 * 1024  # .txt/.md, checked before reading
MAX_DOCX_FILE_BYTES = 50 * 1024 * 1024
MAX_DOCX_PARTS = 1000  # Word writes 10–30; one per picture beyond that
MAX_DOCX_XML_BYTES = 30 * 1024 * 1024  # inflated XML, the part python-docx parses
MAX_DOCX_TOTAL_BYTES = 100 * 1024 * 1024  # inflated, pictures included (python-docx holds them in memory)
MAX_DOCX_RATIO = 100  # inflated/compressed for a part over 1 MB: XML deflates 5–20x, pictures ~1x

_CN_NUM = "一二三四五六七八九十百零〇两"
# Heading markers at three levels. Level 1: 一、 ; level 2: （一）(一) ; level 3: 1、 1. （1）(1)
_LEVEL_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^[{_CN_NUM}]{{1,3}}\s*[、.．]\s*")),
    (2, re.compile(rf"^[（(]\s*[{_CN_NUM}]{{1,3}}\s*[）)]\s*[、.．]?\s*")),
    (3, re.compile(r"^(?:\d{1,2}\s*[、.．](?!\d)|[（(]\d{1,2}[）)]|\d{1,2}\s*[）)])\s*")),
)
# Markdown markers, nested ones included (`# ## 一、…`): the last marker counts. One pass, no recursion
# (a line of 60,000 `# ` used to exhaust the stack).
_MD_HEADING = re.compile(r"(?:#{1,6}\s+)*(#{1,6})\s+")
_SENTENCE_END = re.compile(r"[。；！？]")

_SHORTCOMING_HEADING = re.compile(r"不足|差距|薄弱|存在的?(主要)?问题|问题[和与及]")
_PLAN_HEADING = re.compile(r"打算|设想|下一?步|明年|来年|今后|工作思路|工作要求|工作建议|努力方向|展望|工作计划$|工作安排$")
# Unnumbered paragraphs that introduce a list of shortcomings or plans (`下步主要工作：`).
_SHORTCOMING_INTRO = re.compile(r"不足|差距|存在.{0,8}问题|薄弱环节")
_PLAN_INTRO = re.compile(r"^(下一?步|明年|来年|今后|新的一年|\d{4}年(工作)?(打算|思路|计划))")
_CLOSING_CUES = ("总之", "总而言之", "总的来说", "总的看", "回顾", "新的一年", "展望", "我们相信", "我们将", "今后")

# Redaction placeholders kept in the text but marked, so no drafter takes them for facts.
PLACEHOLDER_RE = re.compile(r"20[xX×_]{2}|[xX×]{2,}|_{2,}|\*+|(?<![A-Za-z])[xX×](?![A-Za-z])|某某|XX")

_BOILERPLATE_LINES = re.compile(r"^(当前位置[:：].*内容页|本文来自.*|更多.*请访问.*)$")
_JUNK_OPEN, _JUNK_CLOSE = "#from", "end#"  # inline ad markers of the scraped site: `#from…end#` on one line
_CJK = r"[\u3400-\u9fff\uf900-\ufaff“”‘’（）《》、。，：；！？]"
_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}


@dataclass(frozen=True)
class Section:
    """A span of a document under one heading, up to the next heading of any level."""

    heading: str  # the heading's short title with its marker ("三、营造和谐工作氛围，关注教师身心健康"), or ""
    path: tuple[str, ...]  # headings from level 1 down to this one
    level: int  # 0 for opening/closing text outside headings, else 1..3
    position: Position
    start: int  # offsets into Document.text: the section's own text (heading line included)
    end: int

    @property
    def path_label(self) -> str:
        return " > ".join(self.path)


@dataclass
class Document:
    doc_id: str
    title: str
    text: str
    sections: list[Section] = field(default_factory=list)
    source: str = ""  # where it came from: a file path, or the seed file and its 篇 number

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]

    def section_text(self, section: Section) -> str:
        return self.text[section.start : section.end]


# ---------------------------------------------------------------------------------------------------------
# Cleaning


def clean_text(raw: str) -> str:
    """Normalise scraped text: drop boilerplate, restore full-width punctuation, one blank line between paras."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ").lstrip("\ufeff")
    text = _drop_inline_junk(text)
    # `?` between CJK inside a quoted title is a mangled middle dot (“欢乐虎年·温馨之家”).
    text = re.sub(r"(“[^”\n]{1,20}?[\u4e00-\u9fff])\?(?=[\u4e00-\u9fff][^”\n]{0,20}”)", r"\1·", text)
    for half, full in _HALF_TO_FULL.items():
        esc = re.escape(half)
        text = re.sub(rf"(?<={_CJK}){esc}|{esc}(?={_CJK})", full, text)
    # Straight double quotes around CJK become curly ones, alternating open/close within a paragraph.
    text = "\n".join(_curl_quotes(line) for line in text.split("\n"))
    # Half-width brackets around a CJK numeral or CJK text become full-width. The possessive run and the
    # CJK test in Python keep this linear: `[^()]*[CJK][^()]*\)` backtracked quadratically on `(` + CJK.
    text = _HALF_BRACKETS.sub(_full_brackets, text)
    text = re.sub(rf"\((?=[{_CN_NUM}])", "（", text)
    paras = []
    for line in text.split("\n"):
        line = re.sub(r"[ \t]+", " ", line).strip()
        if not line or _BOILERPLATE_LINES.match(line):
            continue
        line = re.sub(r"(?<=[\u4e00-\u9fff“”，。、；：]) (?=[\u4e00-\u9fff“”，。、；：])", "", line)
        paras.append(line)
    return "\n\n".join(paras) + ("\n" if paras else "")


_HALF_BRACKETS = re.compile(r"\(([^()\n]*+)\)")
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")


def _full_brackets(m: re.Match[str]) -> str:
    return f"（{m.group(1)}）" if _HAS_CJK.search(m.group(1)) else m.group(0)


def _drop_inline_junk(text: str) -> str:
    """Remove `#from…end#` spans (shortest, within one line), in one left-to-right pass.

    The regex `#from.*?end#` rescanned the rest of the line from every unterminated `#from`: quadratic.
    """
    if _JUNK_OPEN not in text:
        return text
    out: list[str] = []
    for line in text.split("\n"):
        pos, parts = 0, []
        while (i := line.find(_JUNK_OPEN, pos)) >= 0:
            j = line.find(_JUNK_CLOSE, i + len(_JUNK_OPEN))
            if j < 0:  # no terminator after this marker, so none after any later one on this line either
                break
            parts.append(line[pos:i])
            pos = j + len(_JUNK_CLOSE)
        parts.append(line[pos:])
        out.append("".join(parts))
    return "\n".join(out)


def _curl_quotes(line: str) -> str:
    if '"' not in line or not re.search(r"[\u4e00-\u9fff]", line):
        return line
    out, opening = [], True
    for ch in line:
        if ch == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


def has_placeholder(text: str) -> bool:
    return PLACEHOLDER_RE.search(text) is not None


# ---------------------------------------------------------------------------------------------------------
# Structure


def heading_level(line: str) -> tuple[int, str] | None:
    """The heading level of a paragraph and its short title (marker included), or None for body text.

    A level-3 item often runs its heading and its body together (`1、抓好宣传报道。今年以来…`): the
    title is the first clause. A long paragraph that merely starts with a number is still a heading.
    """
    md = _MD_HEADING.match(line)
    if md:
        inner = line[md.end() :].strip()
        found = _numbered_level(inner)
        return found if found else (min(len(md.group(1)), 3), inner)
    return _numbered_level(line)


def _numbered_level(line: str) -> tuple[int, str] | None:
    for level, pattern in _LEVEL_PATTERNS:
        m = pattern.match(line)
        if not m:
            continue
        rest = line[m.end() :]
        marker = line[: m.end()].strip()
        if not rest or (marker.endswith((".", "．")) and rest[:1].isdigit()):
            return None
        end = _SENTENCE_END.search(rest)
        title = rest[: end.start()] if end else rest
        if len(title) > 40:  # a numbered sentence, not a heading: keep the first clause as the title
            title = re.split(r"[，,：:]", title, maxsplit=1)[0][:40]
        return level, f"{marker}{title}".strip()
    return None


def _position_for(title: str, inherited: Position) -> Position:
    if _SHORTCOMING_HEADING.search(title):
        return "shortcomings"
    if _PLAN_HEADING.search(title):
        return "plans"
    return inherited if inherited in ("shortcomings", "plans") else "body"


def _intro_position(para: str, next_para: str | None) -> Position | None:
    """Shortcomings/plans introduced by a plain paragraph followed by a numbered list (or ending in ：)."""
    nxt = heading_level(next_para) if next_para is not None else None
    introduces = para.endswith(("：", ":")) or (nxt is not None and nxt[0] >= 2)
    if not introduces or len(para) > 300:
        return None
    if _PLAN_INTRO.search(para):
        return "plans"
    if _SHORTCOMING_INTRO.search(para):
        return "shortcomings"
    return None


def parse_structure(text: str) -> list[Section]:
    """Split a cleaned text (paragraphs separated by blank lines) into non-overlapping sections."""
    paras: list[tuple[int, int, str]] = []
    for m in re.finditer(r"[^\n]+", text):
        paras.append((m.start(), m.end(), m.group()))
    if not paras:
        return []

    sections: list[Section] = []
    path: list[str] = []
    path_levels: list[int] = []
    positions: list[Position] = []
    context: Position = "body"  # set by an unnumbered intro paragraph, cleared by the next level-1 heading
    cur: dict | None = None

    def close(end: int) -> None:
        if cur is not None:
            sections.append(Section(cur["heading"], cur["path"], cur["level"], cur["position"], cur["start"], end))

    for i, (start, _end, para) in enumerate(paras):
        found = heading_level(para)
        if found is None:
            if cur is None:
                cur = {"heading": "", "path": (), "level": 0, "position": "opening", "start": start}
                continue
            nxt = paras[i + 1][2] if i + 1 < len(paras) else None
            intro = _intro_position(para, nxt) if cur["position"] != "opening" else None
            if intro is not None:
                close(paras[i - 1][1])
                path.clear()
                path_levels.clear()
                positions.clear()
                context = intro
                cur = {"heading": "", "path": (), "level": 0, "position": intro, "start": start}
            continue
        level, title = found
        close(paras[i - 1][1] if i else start)
        while path_levels and path_levels[-1] >= level:
            path_levels.pop()
            path.pop()
            positions.pop()
        if level == 1:
            context = "body"
        inherited: Position = positions[-1] if positions else context
        position = _position_for(title, inherited)
        path.append(title)
        path_levels.append(level)
        positions.append(position)
        cur = {"heading": title, "path": tuple(path), "level": level, "position": position, "start": start}
    close(paras[-1][1])
    return _split_closing(text, sections)


def _split_closing(text: str, sections: list[Section]) -> list[Section]:
    """Trailing paragraphs of resolve (总之… / 新的一年…) after the last heading become a closing section."""
    if not sections or sections[-1].level == 0:
        return sections
    last = sections[-1]
    body = text[last.start : last.end]
    paras = [(m.start() + last.start, m.end() + last.start, m.group()) for m in re.finditer(r"[^\n]+", body)]
    if len(paras) < 2:
        return sections
    cut = None
    for i in range(len(paras) - 1, 0, -1):
        para = paras[i][2]
        if para.startswith(_CLOSING_CUES) or (i == len(paras) - 1 and _looks_like_closing(para)):
            cut = i
        else:
            break
    if cut is None:
        return sections
    head = Section(last.heading, last.path, last.level, last.position, last.start, paras[cut - 1][1])
    closing = Section("", (), 0, "closing", paras[cut][0], last.end)
    return [*sections[:-1], head, closing]


def _looks_like_closing(para: str) -> bool:
    return len(para) < 200 and any(w in para for w in ("为实现", "再上新台阶", "再接再厉", "共同努力", "奋力开创", "做出新的更大贡献", "作出新的更大贡献", "再创佳绩", "新的更大"))


# ---------------------------------------------------------------------------------------------------------
# Documents from text and files


MAX_NAME_BYTES = 255  # what ext4 and most file systems allow for one name
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAME_HINT = "请给文件起一个普通的名字，如“2022年工会工作总结.docx”"


def safe_upload_name(name: str | None) -> str:
    """The file name to store an upload under, or BadFileError (in Chinese) saying what is wrong with it.

    Path components are dropped (a browser on Windows may send `C:\\Users\\…\\a.docx`; a hostile client sends
    `../../x.txt`); nothing is left, `.`/`..`, control characters (NUL), more than 255 bytes and unsupported
    types are refused. Call it on every uploaded name before touching the disk.
    """
    shown = (name or "").replace("\x00", "\\0")
    shown = shown if len(shown) <= 80 else shown[:77] + "…"
    if not name or not name.strip():
        raise BadFileError(shown or "（无文件名）", "缺少文件名", hint=_NAME_HINT)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise BadFileError(shown, "文件名含有控制字符（如 NUL），请改名后再上传", hint=_NAME_HINT)
    if any(ch in _BIDI_CONTROLS for ch in name):  # `总结\u202excod.exe` would display as `总结exe.docx`
        raise BadFileError(shown.encode("unicode_escape").decode("ascii"), "文件名含有改变文字方向的隐藏字符，请改名后再上传",
                           hint=_NAME_HINT)
    base = re.split(r"[/\\]", name)[-1].strip()
    if base in ("", ".", ".."):
        raise BadFileError(shown, "文件名无效（不能为空，也不能是“.”“..”或目录）", hint=_NAME_HINT)
    size = len(base.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        raise BadFileError(shown, f"文件名过长（{size} 字节，上限 {MAX_NAME_BYTES} 字节，约 85 个汉字），请改短后再上传", hint=_NAME_HINT)
    suffix = Path(base).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise BadFileError(base, f"不支持的文件类型 {suffix or '（无扩展名）'}，请上传 .docx、.txt 或 .md")
    return base


def name_key(name: str) -> str:
    """What makes two file names "the same document name": the stem, case and width folded.

    `Dup.md`, `dup.txt` and `ＤＵＰ.docx` share a key; a re-upload under such a name is a replacement.
    """
    return unicodedata.normalize("NFKC", Path(name).stem).casefold().strip()


def make_doc_id(name: str) -> str:
    """A stable, URL-safe id from a file name: its ASCII stem, or a short hash for non-ASCII names."""
    stem = Path(name).stem
    if re.fullmatch(r"[A-Za-z0-9_-]{1,60}", stem):
        return stem.lower()
    return "doc-" + hashlib.sha1(stem.encode("utf-8")).hexdigest()[:8]


def parse_document(raw: str, doc_id: str, *, title: str = "", source: str = "") -> Document:
    """Clean raw text and parse it. A short first line without a marker is the title unless one is given."""
    if not title:
        lines = raw.lstrip("\ufeff").strip().split("\n", 1)
        first = lines[0].strip().lstrip("#").strip()
        if first and len(first) <= 40 and heading_level(first) is None and not _SENTENCE_END.search(first[-1:]):
            title = first
            raw = lines[1] if len(lines) > 1 else ""
    title = title or Path(source).stem or doc_id
    text = clean_text(raw)
    return Document(doc_id=doc_id, title=title, text=text, sections=parse_structure(text), source=source)


def read_text_file(path: Path) -> str:
    """Text of a .txt/.md/.docx file; BadFileError names the file and says what is wrong."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise BadFileError(str(path), f"不支持的文件类型 {suffix or '（无扩展名）'}")
    limit = MAX_DOCX_FILE_BYTES if suffix == ".docx" else MAX_TEXT_FILE_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise BadFileError(str(path), f"文件过大（{_mb(size)}，上限 {_mb(limit)}），不像一篇年度总结")
        data = path.read_bytes()
    except OSError as exc:
        raise BadFileError(str(path), f"无法打开（{exc.strerror or type(exc).__name__}）") from exc
    if suffix == ".docx":
        text = _read_docx(path, data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BadFileError(str(path), "不是 UTF-8 编码的文本（如为 GBK，请另存为 UTF-8）") from exc
        if "\x00" in text:
            raise BadFileError(str(path), "看起来是二进制文件，不是文本")
    if len(text) > MAX_TEXT_CHARS:
        raise BadFileError(str(path), f"文字过长（{len(text)} 字，上限 {MAX_TEXT_CHARS} 字），不像一篇年度总结；"
                                      "请拆分后分别上传")
    if not re.search(r"[\u4e00-\u9fff]", text):
        raise BadFileError(str(path), "文件为空或不含中文内容")
    return text


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def check_docx_archive(path: Path, data: bytes) -> None:
    """Refuse a .docx whose parts would inflate past the limits, before anything is inflated.

    The sizes come from the zip's central directory. A lying header does not get past this: zipfile stops
    reading a member at its declared size and then fails the CRC check, so a declared size bounds the output.
    """
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise BadFileError(str(path), "不是有效的 .docx 文件（文件可能已损坏）") from exc
    if len(infos) > MAX_DOCX_PARTS:
        raise BadFileError(str(path), f"压缩包内有 {len(infos)} 个部件（正常的 .docx 不超过 {MAX_DOCX_PARTS} 个），"
                                      "疑似恶意构造的文件，已拒绝")
    xml_total = total = 0
    for info in infos:
        size = info.file_size
        if size > 1024 * 1024 and size > MAX_DOCX_RATIO * max(info.compress_size, 1):
            raise BadFileError(
                str(path), f"部件 {info.filename} 解压后异常膨胀（{info.compress_size} 字节解压为 {_mb(size)}，"
                           f"超过 {MAX_DOCX_RATIO} 倍），疑似“压缩炸弹”，已拒绝")
        total += size
        if not info.filename.lower().startswith("word/media/"):
            xml_total += size
    if xml_total > MAX_DOCX_XML_BYTES:
        raise BadFileError(str(path), f"解压后正文部分过大（{_mb(xml_total)}，上限 {_mb(MAX_DOCX_XML_BYTES)}），"
                                      "不像一篇年度总结；请删去无关内容，或另存为 .txt 后上传")
    if total > MAX_DOCX_TOTAL_BYTES:
        raise BadFileError(str(path), f"解压后过大（{_mb(total)}，上限 {_mb(MAX_DOCX_TOTAL_BYTES)}），"
                                      "请删去图片后再上传")


def _read_docx(path: Path, data: bytes) -> str:
    import io

    check_docx_archive(path, data)
    import docx  # python-docx; imported here because it costs ~0.2 s and most runs never read .docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BadFileError(str(path), "不是有效的 .docx 文件（文件可能已损坏）") from exc
    except Exception as exc:  # python-docx raises assorted errors on corrupt parts
        raise BadFileError(str(path), f"不是有效的 .docx 文件（{type(exc).__name__}）") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def load_file(path: str | Path) -> Document:
    p = Path(path)
    return parse_document(read_text_file(p), make_doc_id(p.name), source=str(p))


# `[ \t]*`, not `\s*`: with re.M, `^\s*` spanned newlines and rescanned every blank run from each line start.
_SEED_HEADER = re.compile(r"^[ \t]*\d{4}年工会年度工作总结范文[ \t]*篇[ \t]*(\d+)[ \t]*$", re.M)


def split_seed(raw: str) -> list[tuple[int, str]]:
    """The bundled seed file holds 18 summaries under headers `2023年工会年度工作总结范文 篇N`."""
    heads = list(_SEED_HEADER.finditer(raw))
    out = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(raw)
        out.append((int(m.group(1)), raw[m.end() : end]))
    return out
