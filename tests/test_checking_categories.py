"""Categories of amounts a held-out set found missing: mixed numerals, 成, 百分之百 totals, Chinese ranges,
counts of days, 余-approximations, hotline-like digit strings with a unit. The labelled examples are in
tests/data/check_categories.jsonl (reported per category by bench/eval_check.py)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from drafter.checking import check
from drafter.checking.amounts import extract
from tests.support.bench_modules import load_bench

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = ROOT / "tests" / "data" / "check_categories.jsonl"


@pytest.fixture(scope="module")
def ev() -> ModuleType:
    return load_bench("eval_check")


def amounts(text: str) -> list[tuple[str, float, float, str]]:
    return [(m.text, m.lo, m.hi, m.kind) for m in extract(text)[1] if m.category == "amount"]


@pytest.mark.parametrize(("text", "expected"), [
    # mixed numerals: Arabic digits with Chinese units inside one number
    ("发放3万2千元", ("3万2千元", 32000, 32000, "money")),
    ("服务1.2万人次", ("1.2万人次", 12000, 12000, "人次")),
    ("捐款5千余元", ("5千余元", 5000, 6000, "money")),
    ("参加2百多名", ("2百多名", 200, 300, "people")),
    ("补助3千5百元", ("3千5百元", 3500, 3500, "money")),
    ("募集3万2，", ("3万2", 32000, 32000, "")),  # colloquial, as 一万五
    ("满意度9成5", ("9成5", 95, 95, "percent")),
    # 成 as a ratio
    ("满意率七成", ("七成", 70, 70, "percent")),
    ("参与率8成以上", ("8成以上", 80, 90, "percent")),
    ("满意度九成五", ("九成五", 95, 95, "percent")),
    ("六成多的职工", ("六成多", 60, 70, "percent")),
    ("比例为六七成", ("六七成", 60, 70, "percent")),
    # totals
    ("参保率百分之百", ("百分之百", 100, 100, "percent")),
    ("入会率百分百", ("百分百", 100, 100, "percent")),
    # ranges of Chinese numerals
    ("举办三至五场", ("三至五场", 3, 5, "场")),
    ("听课三到五次", ("三到五次", 3, 5, "次")),
    ("参加五六十人", ("五六十人", 50, 60, "people")),
    ("走访二三十户", ("二三十户", 20, 30, "户")),
    ("成立十几个", ("十几个", 11, 19, "个")),
    # counts of days
    ("培训3天", ("3天", 3, 3, "天")),
    ("为期五天", ("五天", 5, 5, "天")),
    ("集中培训两日", ("两日", 2, 2, "天")),
    ("为期3日", ("3日", 3, 3, "天")),
    ("培训一天半", ("一天半", 1.5, 1.5, "天")),
    # 余 next to a count
    ("慰问30余户", ("30余户", 30, 40, "户")),
    ("三十余人参加", ("三十余人", 30, 40, "people")),
    ("表彰百余名", ("百余名", 100, 200, "people")),
    ("发放1万余元", ("1万余元", 10000, 20000, "money")),
    ("参与职工万余人次", ("万余人次", 10000, 20000, "人次")),
    # hotline-like digit strings followed by a unit are amounts
    ("发放12345元", ("12345元", 12345, 12345, "money")),
    ("投入12351万元", ("12351万元", 123510000, 123510000, "money")),
    ("价值12345678元", ("12345678元", 12345678, 12345678, "money")),
])
def test_category_amounts_are_extracted(text: str, expected: tuple[str, float, float, str]) -> None:
    assert amounts(text) == [expected]


@pytest.mark.parametrize("text", [
    "拨打12345热线", "畅通12351职工服务热线", "做好95598客服保障", "电话12345678，", "三五成群", "十天半个月",
    "一年半载", "本月三日召开", "三天两头", "近两日", "成绩显著", "半天",
])
def test_not_amounts(text: str) -> None:
    assert amounts(text) == []


@pytest.mark.parametrize(("facts", "draft", "flagged"), [
    (["参保率98%"], "参保率达到百分之百。", ["百分之百"]),
    (["职工全员参保"], "参保率达到百分之百。", []),
    (["集体合同应签尽签"], "集体合同签订率100%。", []),
    (["困难诉求28件全部办结"], "办结率百分之百。", []),
    (["满意率七成"], "满意率达到70%。", []),
    (["满意率70%"], "满意率达到九成。", ["九成"]),
    (["走访35户"], "走访30余户。", []),
    (["走访45户"], "走访30余户。", ["30余户"]),
    (["培训3天"], "集中培训两日。", ["两日"]),
    (["培训2天"], "集中培训两日。", []),
    (["发放12000元"], "依托12345热线，发放12345元。", ["12345元"]),
])
def test_category_support(facts: list[str], draft: str, flagged: list[str]) -> None:
    assert [f.text for f in check(draft, facts)] == flagged


def test_categories_set(ev: ModuleType) -> None:
    items = ev.load(CATEGORIES)
    cats = {it["category"] for it in items}
    assert cats == {"mixed", "cheng", "total", "range", "days", "yu", "hotline"}
    assert {it["org_type"] for it in items} >= {"企业", "学校", "银行", "医院", "社区", "机关"}
    result = ev.evaluate(items)
    assert result["recall"] >= 0.98, result["details"]
    assert result["fpr"] <= 0.02, result["details"]
    for cat, figures in result["by_category"].items():
        assert figures["recall"] >= 0.95, (cat, figures)
