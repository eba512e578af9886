"""Past summaries as documents: cleaning scraped text and parsing structure (reading files: files.py).

A document's `text` is its cleaned text, exactly as stored in `corpus/`; every section holds character
offsets into it, so a chunk can always be mapped back to its source.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Position = Literal["title", "opening", "body", "closing", "shortcomings", "plans"]

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

# What starts the shortcomings or the plans: words in a heading, tried in this order; and unnumbered
# paragraphs that introduce a list of them (`下步主要工作：`), plans tried first.
_HEADING_CUES: dict[Position, re.Pattern[str]] = {
    "shortcomings": re.compile(r"不足|差距|薄弱|存在的?(主要)?问题|问题[和与及]"),
    "plans": re.compile(r"打算|设想|下一?步|明年|来年|今后|工作思路|工作要求|工作建议|努力方向|展望|工作计划$|工作安排$"),
}
_INTRO_CUES: dict[Position, re.Pattern[str]] = {
    "plans": re.compile(r"^(下一?步|明年|来年|今后|新的一年|\d{4}年(工作)?(打算|思路|计划))"),
    "shortcomings": re.compile(r"不足|差距|存在.{0,8}问题|薄弱环节"),
}
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
    cued = next((position for position, cue in _HEADING_CUES.items() if cue.search(title)), None)
    return cued or (inherited if inherited in ("shortcomings", "plans") else "body")


def _intro_position(para: str, next_para: str | None) -> Position | None:
    """Shortcomings/plans introduced by a plain paragraph followed by a numbered list (or ending in ：)."""
    nxt = heading_level(next_para) if next_para is not None else None
    introduces = para.endswith(("：", ":")) or (nxt is not None and nxt[0] >= 2)
    if not introduces or len(para) > 300:
        return None
    return next((position for position, cue in _INTRO_CUES.items() if cue.search(para)), None)


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


_SEED_HEADER = re.compile(r"^[ \t]*\d{4}年工会年度工作总结范文[ \t]*篇[ \t]*(\d+)[ \t]*$", re.M)


def split_seed(raw: str) -> list[tuple[int, str]]:
    """The bundled seed file holds 18 summaries under headers `2023年工会年度工作总结范文 篇N`."""
    heads = list(_SEED_HEADER.finditer(raw))
    out = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(raw)
        out.append((int(m.group(1)), raw[m.end() : end]))
    return out
