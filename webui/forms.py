"""The facts form (form fields ⇄ Facts, with Chinese error messages) and the outline as editable text."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from drafter.drafting.outline import bare_heading, number_headings
from drafter.errors import FactsError
from drafter.facts import ORG_TYPES, Facts, labelled_lines, strip_bullet, validate_facts
from drafter.models import OutlineSection

FIELD_LABELS = {"org": "单位名称", "year": "年度", "org_type": "单位类型", "superior": "上级组织", "items": "全年工作",
                "shortcomings": "存在不足", "plans": "明年打算", "notes": "备注", "facts": "事实"}

EXAMPLE = {
    "org": "宏远机械制造有限公司",
    "year": 2024,
    "org_type": "企业",
    "superior": "市总工会和公司党委",
    "items": [
        "组织职工学习党的二十届三中全会精神，举办专题宣讲8场，覆盖职工960人次",
        "召开三届四次职工代表大会，征集职工代表提案21件，全部办结",
        "走访慰问困难职工和劳模家庭26户，发放慰问金5.2万元",
        "开展“夏送清凉”活动，为高温岗位职工发放防暑降温物资价值9.8万元",
        "举办数控车工、焊工技能比武，参赛选手64名，9人获评“技术能手”",
        "开展“五小”创新活动，收集合理化建议118条，采纳42条",
        "组织职工健康体检，参检职工1120人，体检率97.5%",
        "举办职工迎新春趣味运动会和篮球联赛，参与职工700余人次",
    ],
    "shortcomings": ["基层工会小组活动开展不够经常", "职工书屋利用率有待提高"],
    "plans": ["开展第三届职工技能比武", "推进职工之家标准化建设", "深化困难职工精准帮扶"],
    "notes": "",
}


# --- facts ---------------------------------------------------------------------------------------------------


def default_year(today: datetime | None = None) -> int:
    """The year being summed up: this year from October on (summaries are written at year end), else last year."""
    today = today or datetime.now()
    return today.year if today.month >= 10 else today.year - 1


def split_lines(text: str | None) -> list[str]:
    """One fact per line; blank lines and lines that are only a list marker (「- 」「1.」) are dropped.
    The Facts model strips the markers themselves."""
    return [line.strip() for line in (text or "").splitlines() if strip_bullet(line)]


def facts_error_message(err: FactsError) -> str:
    """A FactsError as a Chinese sentence that names the field by its form label."""
    field = (err.field or "facts").split(".")[0]
    label = FIELD_LABELS.get(field, field)
    return f"「{label}」有误：{err.reason}"


def facts_from_form(org: str | None, year: Any, org_type: str | None, superior: str | None, items: str | None,
                    shortcomings: str | None, plans: str | None, notes: str | None = "") -> Facts:
    """The form's fields as Facts; raises FactsError naming the field by its Chinese label."""
    if not (org or "").strip():
        raise FactsError("单位名称", "不能为空，请填写单位名称，如：XX市供电公司")
    if year is None or (isinstance(year, str) and not year.strip()):
        raise FactsError("年度", "不能为空，请填写年份，如 2024")
    try:
        year_num = float(str(year).strip().removesuffix("年"))
    except ValueError:
        raise FactsError("年度", f"应为四位数字的年份，收到「{year}」") from None
    if not math.isfinite(year_num) or year_num != int(year_num) or not 1949 <= year_num <= 2100:
        raise FactsError("年度", f"应为 1949–2100 之间的年份，收到「{year}」")
    lines = split_lines(items)
    if not lines:
        raise FactsError("全年工作", "至少填写一条，每行一件事，写清数字和单位")
    data = {
        "org": org or "", "year": int(year_num), "org_type": (org_type or "企业").strip() or "企业",
        "superior": superior or "", "items": lines, "shortcomings": split_lines(shortcomings),
        "plans": split_lines(plans), "notes": notes or "",
    }
    try:
        facts = validate_facts(data)
    except FactsError as exc:
        raise FactsError(FIELD_LABELS.get(exc.field.split(".")[0], exc.field),
                         facts_error_message(exc).split("有误：", 1)[-1]) from exc
    return facts


def form_values(facts: Facts | dict[str, Any]) -> tuple[Any, ...]:
    """Facts back into the form's fields, in FACT_FIELDS order."""
    f = facts if isinstance(facts, Facts) else Facts.model_validate(facts)
    org_type = f.org_type if f.org_type in ORG_TYPES else "其他"
    return (f.org, f.year, org_type, f.superior, "\n".join(f.items), "\n".join(f.shortcomings), "\n".join(f.plans),
            f.notes)


# --- outline as editable text -------------------------------------------------------------------------------
_OUTLINE_KINDS = {
    "开篇": "opening", "开头": "opening", "前言": "opening",
    "正文": "body", "工作": "body", "主要工作": "body",
    "不足": "shortcomings", "存在不足": "shortcomings", "问题": "shortcomings", "存在问题": "shortcomings",
    "打算": "plans", "明年打算": "plans", "计划": "plans", "下一步": "plans", "工作打算": "plans",
    "结尾": "closing", "结束语": "closing", "结语": "closing",
}
_OUTLINE_LABEL = {"opening": "开篇", "body": "正文", "shortcomings": "不足", "plans": "打算", "closing": "结尾"}
_DEFAULT_HEADINGS = {"shortcomings": "存在的不足", "plans": "下一步工作打算"}
_SECTION_LINE = re.compile(r"^[【\[]\s*([^】\]]*?)\s*[】\]]\s*(.*)$")


class OutlineError(ValueError):
    """The outline text does not parse; the message names the line, in Chinese."""


def outline_to_text(outline: Sequence[OutlineSection]) -> str:
    blocks = []
    for s in outline:
        lines = [f"【{_OUTLINE_LABEL[s.kind]}】{s.heading}".rstrip()]
        lines += [f"- {fact}" for fact in s.facts]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def text_to_outline(text: str, previous: Sequence[OutlineSection] | None = None) -> list[OutlineSection]:
    """Parse the outline editor. Retrieval queries are kept for sections that match the previous outline."""
    sections: list[dict[str, Any]] = []
    for n, line, label, heading in labelled_lines(text or "", _SECTION_LINE):
        if label is not None:
            kind = _OUTLINE_KINDS.get(label)
            if kind is None:
                raise OutlineError(f"提纲第 {n} 行：不认识的类型「{label}」，可用：开篇、正文、不足、打算、结尾")
            if kind == "body" and not bare_heading(heading):
                raise OutlineError(f"提纲第 {n} 行：正文部分需要一个标题，如【正文】一、关心职工生活，体现组织温暖")
            sections.append({"kind": kind, "heading": heading or _DEFAULT_HEADINGS.get(kind, ""), "facts": []})
            continue
        if not sections:
            raise OutlineError(f"提纲第 {n} 行：请先用【开篇】【正文】等标记开始一节，再在其下逐行写事实")
        fact = strip_bullet(line)
        if fact:
            sections[-1]["facts"].append(fact)
    if not sections:
        raise OutlineError("提纲为空")
    by_heading = {(s.kind, bare_heading(s.heading)): s.query for s in previous or []}
    by_kind: dict[str, list[str]] = {}
    for s in previous or []:
        by_kind.setdefault(s.kind, []).append(s.query)
    out = []
    for new in sections:
        query = by_heading.get((new["kind"], bare_heading(new["heading"])))
        if query is None and new["kind"] != "body" and len(by_kind.get(new["kind"], [])) == 1:
            query = by_kind[new["kind"]][0]
        out.append(OutlineSection(kind=new["kind"], heading=new["heading"], facts=new["facts"], query=query or ""))
    return number_headings(out)


def unplaced_facts(outline: Sequence[OutlineSection], facts: Facts) -> list[str]:
    """Work items that no section carries (they would not appear in the draft)."""
    placed = {f for s in outline for f in s.facts}
    return [item for item in facts.items if item not in placed]

