"""The year's facts: one typed model, read from JSON or from the plain-text form a person types.

Plain-text form (every line optional but 单位 and at least one fact):

    单位：XX市供电公司
    年度：2024
    单位类型：企业
    上级组织：市总工会和公司党委
    全年走访慰问困难职工家庭32户，发放慰问金6.4万元
    ...
    存在不足：
    职工书屋利用率不高
    明年打算：
    开展第二届职工技能比武
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from .errors import FactsError

ORG_TYPES = ("企业", "学校", "机关", "银行", "医院", "社区", "事业单位", "其他")

_FIELD_LABELS = {
    "org": ("单位", "单位名称", "组织", "名称"),
    "year": ("年度", "年份", "年"),
    "org_type": ("单位类型", "类型"),
    "superior": ("上级组织", "上级", "领导单位"),
    "notes": ("备注", "说明"),
}
_BLOCK_LABELS = {
    "items": ("主要工作", "全年工作", "工作", "事实", "今年工作"),
    "shortcomings": ("存在不足", "不足", "存在问题", "问题"),
    "plans": ("明年打算", "明年工作打算", "下一步打算", "下一步工作", "工作打算", "打算", "计划"),
}
_LABEL_RE = re.compile(r"^\s*([\u4e00-\u9fff]{1,8})\s*[：:]\s*(.*)$")
# A heading line of its own (nothing after the colon) that names a block in other words:
# 存在的不足：, 2025年工作打算：, 下一年工作计划：, 一年来的主要工作：
_BLOCK_HEADING_RE = re.compile(r"^\s*[#\s]*([0-9\u4e00-\u9fff、]{1,16})\s*[：:]?\s*$")
_BLOCK_CUES = (("shortcomings", ("不足", "问题", "差距")), ("plans", ("打算", "计划", "思路", "设想", "安排")),
               ("items", ("工作", "事实", "成绩", "情况")))
_BULLET_RE = re.compile(r"^\s*(?:[-*•·]|\d+(?:[.．](?!\d)|[、)）])|[（(]\d+[）)])\s*")


def strip_bullet(line: str) -> str:
    """A fact line without its list marker (`- `, `1.`, `（2）`); `1.5万元…` keeps its number."""
    return _BULLET_RE.sub("", line).strip()


Block = Literal["items", "shortcomings", "plans"]
BLOCKS: tuple[Block, ...] = ("items", "shortcomings", "plans")


class FactSource(BaseModel):
    """Where a fact was read: the material's file name and the exact span quoted from it.

    `quote` is verbatim (a sentence, a paragraph, or a spreadsheet row rendered as `列名：值；…`);
    `location` says where in the file (`第3段`, `表1第5行`, `慰问台账 第2–44行`), "" when unknown."""

    file: str = Field(min_length=1)
    quote: str = ""
    location: str = ""


class FactProvenance(BaseModel):
    """One fact line and what supports it: its sources, or the computation that produced its numbers
    (`慰问台账.xlsx 第2–44行计数 = 43；金额列求和 = 64500元`)."""

    text: str = Field(min_length=1)
    block: Block = "items"
    sources: list[FactSource] = Field(default_factory=list)
    computation: str | None = None

    @field_validator("text", mode="before")
    @classmethod
    def _strip_text(cls, v: Any) -> Any:
        return strip_bullet(v) if isinstance(v, str) else v


def fact_key(line: str) -> str:
    """What two spellings of one fact line share: no list marker, no whitespace, no final stop."""
    return re.sub(r"\s+", "", strip_bullet(line)).rstrip("。；;，,")


MAX_ITEMS = 500
MAX_BLOCK_LINES = 100


class Facts(BaseModel):
    """What the user knows about the year. Every number in a draft must come from here."""

    org: str = Field(min_length=1, description="单位名称")
    year: int = Field(ge=1949, le=2100, description="年度")
    org_type: str = Field(default="企业", description="单位类型")
    superior: str = Field(default="", description="上级组织，如 县总工会和公司党委")
    # A summary carries tens of facts; the caps keep one request from tying up the server (bench_abuse.py).
    items: list[str] = Field(min_length=1, max_length=MAX_ITEMS, description="全年所做的工作，每条一件事，带数字")
    shortcomings: list[str] = Field(default_factory=list, max_length=MAX_BLOCK_LINES)
    plans: list[str] = Field(default_factory=list, max_length=MAX_BLOCK_LINES)
    notes: str = ""
    # Where each fact came from, when the facts were extracted from materials (`drafter facts extract`);
    # empty for facts typed by hand. Lines that were edited after extraction simply have no entry.
    provenance: list[FactProvenance] = Field(default_factory=list)

    # "before" validators: strip first, so the length constraints see what is really there.
    @field_validator("org", "org_type", "superior", "notes", mode="before")
    @classmethod
    def _strip(cls, v: Any) -> Any:
        return v.strip() if isinstance(v, str) else v

    @field_validator("items", "shortcomings", "plans", mode="before")
    @classmethod
    def _clean_lines(cls, v: Any) -> Any:
        if not isinstance(v, list):
            return v
        cleaned = [strip_bullet(line) if isinstance(line, str) else line for line in v]
        return [line for line in cleaned if not isinstance(line, str) or line]

    @property
    def union(self) -> str:
        """The union's name: `XX公司工会`, or the org itself when it already is one (`机关工会`)."""
        return self.org if re.search(r"工会(委员会|工作委员会|联合会)?$", self.org) else f"{self.org}工会"

    @property
    def title(self) -> str:
        """`XX公司2024年工会工作总结`; for an org that is a union, `XX工会2024年工作总结`."""
        if self.union == self.org:
            return f"{self.org}{self.year}年工作总结"
        return f"{self.org}{self.year}年工会工作总结"

    def provenance_of(self, line: str, block: Block | None = None) -> FactProvenance | None:
        """The provenance of a fact line (as typed or as placed in a draft section), or None.

        Matching ignores list markers, whitespace and a final stop; `block` narrows the search when the
        same sentence sits in two blocks."""
        key = fact_key(line)
        if not key:
            return None
        for p in self.provenance:
            if (block is None or p.block == block) and fact_key(p.text) == key:
                return p
        return None

    def all_lines(self) -> list[str]:
        """Every fact line, for the checker: the year and org count as stated facts too."""
        head = [f"{self.org}{self.year}年", self.superior, self.notes]
        return [line for line in head + self.items + self.shortcomings + self.plans if line]

    def to_text(self) -> str:
        """The plain-text form; `parse_facts_text(f.to_text()) == f` (provenance has no plain-text form: use JSON)."""
        lines = [f"单位：{self.org}", f"年度：{self.year}", f"单位类型：{self.org_type}"]
        if self.superior:
            lines.append(f"上级组织：{self.superior}")
        if self.notes:
            lines.append(f"备注：{self.notes}")
        lines.append("主要工作：")
        lines += [_escape_line(x) for x in self.items]
        if self.shortcomings:
            lines.append("存在不足：")
            lines += [_escape_line(x) for x in self.shortcomings]
        if self.plans:
            lines.append("明年打算：")
            lines += [_escape_line(x) for x in self.plans]
        return "\n".join(lines)


def _escape_line(line: str) -> str:
    """A fact that starts like a label (`问题：…`) gets a bullet, so reading the text back keeps it a fact."""
    m = _LABEL_RE.match(line)
    if m and (_field_for(m.group(1), _FIELD_LABELS) or _field_for(m.group(1), _BLOCK_LABELS)):
        return f"- {line}"
    return line


def _field_for(label: str, table: dict[str, tuple[str, ...]]) -> str | None:
    for field, labels in table.items():
        if label in labels:
            return field
    return None


def _block_heading(line: str) -> str | None:
    """`存在的不足：` or `2025年工作打算：` alone on a line starts a block; a fact never ends with a colon."""
    m = _BLOCK_HEADING_RE.match(line)
    if not m or not line.rstrip().endswith(("：", ":")):
        return None
    for block, cues in _BLOCK_CUES:
        if any(c in m.group(1) for c in cues):
            return block
    return None


def labelled_lines(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, str, str | None, str]]:
    """The non-blank lines of a form, stripped, as (line number from 1, line, label, rest): where `pattern`
    matches, its first group is the label and its second, stripped, the rest; elsewhere the label is None."""
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        m = pattern.match(line)
        yield (n, line, m.group(1), m.group(2).strip()) if m else (n, line, None, "")


def read_labelled(text: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The plain-text form's labelled fields (单位：…) and its three blocks of lines, as written. Unlabelled
    lines before any block are the year's work items. Shared by the facts reader and the checker."""
    fields: dict[str, str] = {}
    blocks: dict[str, list[str]] = {"items": [], "shortcomings": [], "plans": []}
    block = "items"
    for _n, line, label, rest in labelled_lines(text, _LABEL_RE):
        if label is not None:
            field = _field_for(label, _FIELD_LABELS)
            if field:
                fields[field] = rest
                continue
            blk = _field_for(label, _BLOCK_LABELS)
            if blk:
                block = blk
                if rest:
                    blocks[block].append(rest)
                continue
        fuzzy = _block_heading(line)
        if fuzzy:
            block = fuzzy
            continue
        blocks[block].append(line)
    return fields, blocks


def parse_facts_text(text: str) -> Facts:
    """Read the plain-text form. Unlabelled lines before any block are the year's work items."""
    fields, blocks = read_labelled(text)
    data: dict[str, Any] = {**fields, **blocks}
    if "year" in data:
        m_year = re.fullmatch(r"\s*(\d{4})\s*年?度?\s*", str(data["year"]))
        if not m_year:
            raise FactsError("year", f"年度应为四位数字（如 2024），收到「{data['year']}」")
        data["year"] = int(m_year.group(1))
    return validate_facts(data)


def validate_facts(data: Any) -> Facts:
    """Validate a dict into Facts; the error names the first bad field in Chinese."""
    try:
        return Facts.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "facts"
        raise FactsError(field, _reason(err)) from exc


def _reason(err: Any) -> str:
    """pydantic's reasons in Chinese for the errors a person typing facts can make."""
    ctx = err.get("ctx") or {}
    return {
        "missing": "缺少此字段",
        "string_too_short": "不能为空",
        "too_short": "至少需要一条",
        "too_long": f"条数太多（最多 {ctx.get('max_length', '')} 条；一份总结用不了这么多，请合并同类事项）",
        "list_type": "应为列表（每条一项）",
        "string_type": "应为文字",
        "int_parsing": "应为整数（如 2024）",
        "int_type": "应为整数（如 2024）",
        "int_from_float": "应为整数（如 2024）",
        "greater_than_equal": f"不能小于 {ctx.get('ge', '')}",
        "less_than_equal": f"不能大于 {ctx.get('le', '')}",
        "dict_type": "应为 JSON 对象",
        "model_type": "应为 JSON 对象",
    }.get(err["type"], err.get("msg", "格式不正确"))


def parse_facts(text: str) -> Facts:
    """JSON if it looks like JSON, the plain-text form otherwise."""
    stripped = text.lstrip("\ufeff").strip()
    if not stripped:
        raise FactsError("facts", "内容为空")
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise FactsError("facts", f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）：{exc.msg}") from exc
        return validate_facts(data)
    return parse_facts_text(stripped)


def load_facts(path: str | Path) -> Facts:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise FactsError("facts", f"找不到文件 {p}") from exc
    except UnicodeDecodeError as exc:
        raise FactsError("facts", f"文件 {p} 不是 UTF-8 编码") from exc
    return parse_facts(text)


CheckFacts = Facts | str | list[str]


def coerce_facts(value: Any) -> CheckFacts:
    """Any facts input, as the checker reads it — the one reader for the library, the CLI, the API and the
    benches: a JSON object (the Facts model; one that does not validate, say without 单位, still gives its
    fact lines), a string (JSON, the plain-text form or raw lines) or a list of lines. Nothing is required:
    checking a text needs only the facts' lines."""
    if isinstance(value, Facts):
        return value
    if isinstance(value, dict):
        try:
            return validate_facts(value)
        except FactsError:
            lines = _loose_lines(value)
            if not lines:
                raise
            return lines
    if isinstance(value, list):
        if not all(isinstance(x, str) for x in value):
            raise FactsError("facts", "列表中的每一项都应是文字")
        return list(value)
    if isinstance(value, str):
        stripped = value.lstrip("\ufeff").strip()
        if stripped.startswith(("{", "[")):
            try:
                return coerce_facts(json.loads(stripped))
            except json.JSONDecodeError as exc:
                raise FactsError("facts", f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）：{exc.msg}") from exc
        # The plain-text form (单位：/年度：/明年打算：…) is read as raw lines on purpose: its labels carry the
        # year and the plans for the checker anyway, 单位/年度 are not required, and no line is rewritten
        # (parse_facts_text strips a leading `1.` bullet, which would turn `1.5万元` into `5万元`).
        return stripped
    raise FactsError("facts", "应为 JSON 对象、文字或文字列表")


def _loose_lines(obj: dict[str, Any]) -> list[str]:
    """A facts object that does not validate (no 单位, say) still gives its fact lines."""
    lines: list[str] = []
    if isinstance(obj.get("year"), int | str) and str(obj.get("year")).strip():
        lines.append(f"{obj['year']}年")
    for key in ("org", "superior", "notes"):
        if isinstance(obj.get(key), str) and obj[key].strip():
            lines.append(obj[key])
    for key in ("items", "shortcomings", "plans"):
        if isinstance(obj.get(key), list):
            lines += [x for x in obj[key] if isinstance(x, str)]
    return lines
