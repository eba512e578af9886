"""The offline drafter honours a rewrite instruction without touching a fact."""

from __future__ import annotations

from drafter.drafting import offline
from drafter.facts import Facts
from drafter.models import OutlineSection

FACTS = Facts(org="某机械厂", year=2024, items=["走访慰问困难职工家庭32户", "举办职工技能比武3场，参赛职工126人次",
                                             "组织职工篮球赛，参与职工300余人"])
SECTION = OutlineSection(kind="body", heading="一、围绕中心建功立业，服务职工暖心聚力", facts=FACTS.items)


def test_emphasis_puts_the_named_facts_first() -> None:
    plain = offline.body(SECTION, FACTS)
    assert plain.index("32户") < plain.index("126人次")
    for instruction in ("突出技能比武", "重点写技能比武。", "请强调技能比武，语气正式"):
        focused = offline.body(SECTION, FACTS, variant=1, instruction=instruction)
        assert focused.index("126人次") < focused.index("32户") and focused.index("126人次") < focused.index("300余人")
        assert all(x in focused for x in ("32户", "3场", "126人次", "300余人"))


def test_concise_drops_the_stock_sentences_but_no_fact() -> None:
    full = offline.body(SECTION, FACTS)
    short = offline.body(SECTION, FACTS, variant=1, instruction="更简洁")
    assert len(short) < len(full) and "通过这些工作" not in short
    assert all(x in short for x in ("32户", "3场", "126人次", "300余人"))
