"""The numbers checker: amounts, dates and placeholders (kinds `amount`, `date`, `placeholder`).

It registers its kinds, its seven reasons (labels and hint templates) and itself here, as any kind's module
does (see `registry.py`). The rules are in docs/checker.md; the fact index is `support.py`.
For each amount of the draft: supported -> nothing; else, in this order, copied_from_exemplar, derived,
value_mismatch, unit_mismatch, not_in_facts.
"""

from __future__ import annotations

from .amounts import Mention
from .context import CheckContext
from .flags import Flag
from .registry import Rule, register_checker, register_kind, register_rule, rule
from .support import FactIndex, clean_text, context_bigrams

register_kind("amount", "数额")
register_kind("date", "日期")
register_kind("placeholder", "占位符")
for _r in (
    Rule("not_in_facts", ("amount",), "事实中没有", "事实中没有这个数字，请核实或删除", "请核实后改为事实中的数字，或删除"),
    Rule("value_mismatch", ("amount",), "与事实不符", "事实中为 {fact}", "请改为事实中的数字"),
    Rule("unit_mismatch", ("amount",), "单位与事实不符", "事实中为 {fact}，单位不同", "请核对数字和单位"),
    Rule("derived", ("amount",), "推算得出", "{how} = {value}", "事实中未直接给出，请确认推算无误或改写"),
    Rule("copied_from_exemplar", ("amount", "date"), "疑似照抄范文", "{source}中有「{text}」",
         "范文中的数字不是本单位的事实，请删除或改为事实中的数字"),
    Rule("date_not_in_facts", ("date",), "日期不在事实中", "事实中没有这个日期{year_note}", "请核对日期"),
    Rule("placeholder", ("placeholder",), "占位符未填写", "占位符未填写，请替换为实际内容", "请替换为实际内容"),
):
    register_rule(_r)


def _flag(d: Mention, reason: str, kind: str = "amount", **fields: object) -> Flag:
    value: float | list[float] = d.base if d.exact else [round(d.lo, 6), round(d.hi, 6)]
    # Validated: pydantic 2's model_construct (2.1 µs a flag) is slower than its validation (1.2 µs)
    return Flag(text=d.text, start=d.start, end=d.end, value=value, unit=d.unit, kind=kind, reason=reason,
                hint=rule(reason).explain(**fields))


class NumbersChecker:
    name = "numbers"
    kinds: tuple[str, ...] = ("amount", "date", "placeholder")
    order = 10

    def run(self, ctx: CheckContext) -> list[Flag]:
        index = ctx.fact_index
        norm = ctx.norm
        clean = ""
        flags: list[Flag] = []
        for d in ctx.mentions:
            if d.category == "placeholder":
                if not index.supports_placeholder(norm, d):
                    flags.append(Flag(text=d.text, start=d.start, end=d.end, kind="placeholder", reason="placeholder",
                                      hint=rule("placeholder").explain()))
                continue
            if d.category == "date":
                if index.supports_date(d):
                    continue
            elif index.supports(d):
                continue
            if not clean:
                clean = clean_text(norm)
            flag = _explain(d, clean, index, ctx)
            if flag is not None:
                flags.append(flag)
        return flags


def _explain(d: Mention, clean: str, index: FactIndex, cctx: CheckContext) -> Flag | None:
    ex_index = cctx.exemplar_index
    copied = ex_index.find(d) if ex_index is not None and not d.soft else None
    if d.category == "date":
        if copied is not None:
            return _flag(d, "copied_from_exemplar", "date", source=copied.source, text=copied.m.text)
        year_note = f"（事实中的年度为 {index.main_year}年）" if index.main_year else ""
        return _flag(d, "date_not_in_facts", "date", year_note=year_note)
    memo: dict[bool, frozenset[str]] = {}

    def ctx(wide: bool = False) -> frozenset[str]:
        if wide not in memo:
            memo[wide] = context_bigrams(clean, d.start, d.end, wide)
        return memo[wide]

    if d.soft:
        # a passing count of one (一名职工, 一次活动) is flagged only when a fact in the same context differs
        k = index.best_same_kind(d, ctx, threshold=3, loose=False)
        if k is None:
            return None
        return _flag(d, "value_mismatch", fact=k.m.text)
    if copied is not None:
        return _flag(d, "copied_from_exemplar", source=copied.source, text=copied.m.text)
    how = index.derived(d, ctx)
    if how is not None:
        return _flag(d, "derived", how=how[0], value=how[1])
    k = index.best_same_kind(d, ctx, threshold=2) if d.kind else None
    if k is not None:
        return _flag(d, "value_mismatch", fact=k.m.text)
    k = index.other_kind(d, ctx)
    if k is not None:
        return _flag(d, "unit_mismatch", fact=k.m.text)
    return _flag(d, "not_in_facts")


register_checker(NumbersChecker())
