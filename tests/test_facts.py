"""Facts: the JSON form, the plain-text form a person types, the round trip, and errors that name the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drafter.errors import FactsError
from drafter.facts import Facts, load_facts, parse_facts, validate_facts

FACTS_DIR = Path(__file__).parent / "data" / "facts"

PLAIN = """\
单位：江州市供电公司
年度：2024年
单位类型：企业
上级组织：市总工会和公司党委
备注：全年工作在公司党委统一部署下开展
- 走访慰问困难职工家庭32户，发放慰问金6.4万元
* 举办变电运维技能比武，参赛选手86名
1. 组织职工健康体检，参检职工2150人，体检率98.6%
2、举办职工篮球赛，参与职工九百余人次
（3）召开四届三次职工代表大会
• 新发展工会会员45人

存在不足：
- 基层分会工作发展不平衡
- 职工书屋利用率不高
明年打算：
1. 开展第二届职工技能比武
2. 推进职工之家标准化建设
"""

EXPECTED = Facts(
    org="江州市供电公司", year=2024, org_type="企业", superior="市总工会和公司党委",
    notes="全年工作在公司党委统一部署下开展",
    items=["走访慰问困难职工家庭32户，发放慰问金6.4万元", "举办变电运维技能比武，参赛选手86名",
           "组织职工健康体检，参检职工2150人，体检率98.6%", "举办职工篮球赛，参与职工九百余人次",
           "召开四届三次职工代表大会", "新发展工会会员45人"],
    shortcomings=["基层分会工作发展不平衡", "职工书屋利用率不高"],
    plans=["开展第二届职工技能比武", "推进职工之家标准化建设"],
)


# --- reading ---------------------------------------------------------------------------------------------
def test_plain_text_labels_blocks_and_bullets() -> None:
    assert parse_facts(PLAIN) == EXPECTED


def test_plain_text_school_type_and_alternative_labels() -> None:
    text = "单位名称：青山县第一中学\n年份：2023\n类型：学校\n上级：县教育工会\n主要工作：组织师德学习8次\n" \
           "看望慰问21人次\n存在问题：场地不足\n下一步打算：筹建健身活动室"
    f = parse_facts(text)
    assert (f.org, f.year, f.org_type, f.superior) == ("青山县第一中学", 2023, "学校", "县教育工会")
    assert f.items == ["组织师德学习8次", "看望慰问21人次"]  # text after a block label is its first line
    assert f.shortcomings == ["场地不足"]
    assert f.plans == ["筹建健身活动室"]


def test_plain_text_with_ascii_colons_and_bom() -> None:
    f = parse_facts("\ufeff单位: 甲公司\n年度: 2024\n开展活动3次\n不足:\n场地不足\n")
    assert (f.org, f.year, f.items, f.shortcomings) == ("甲公司", 2024, ["开展活动3次"], ["场地不足"])


def test_unknown_label_is_a_fact_line() -> None:
    """`培训：…` is not a label the parser knows: the whole line is a fact, colon and all."""
    f = parse_facts("单位：甲公司\n年度：2024\n培训：举办工会干部培训班2期")
    assert f.items == ["培训：举办工会干部培训班2期"]


def test_json_form() -> None:
    data = EXPECTED.model_dump()
    data["items"] = ["- " + x for x in data["items"]] + ["  ", ""]  # bullets stripped, blank lines dropped
    assert parse_facts(json.dumps(data, ensure_ascii=False)) == EXPECTED


def test_json_defaults() -> None:
    f = parse_facts('{"org": "甲公司", "year": 2024, "items": ["开展活动3次"]}')
    assert (f.org_type, f.superior, f.shortcomings, f.plans, f.notes) == ("企业", "", [], [], "")


@pytest.mark.parametrize("path", sorted(FACTS_DIR.iterdir()), ids=lambda p: p.name)
def test_fixture_files_load(path: Path) -> None:
    f = load_facts(path)
    assert f.org and 2000 <= f.year <= 2100
    assert 8 <= len(f.items) <= 12
    assert f.shortcomings and f.plans
    assert all(not x.startswith(("-", "1.", "（")) for x in f.items)


def test_all_lines_carries_org_year_and_every_fact() -> None:
    lines = EXPECTED.all_lines()
    assert lines[0] == "江州市供电公司2024年"
    for x in EXPECTED.items + EXPECTED.shortcomings + EXPECTED.plans + [EXPECTED.superior, EXPECTED.notes]:
        assert x in lines


# --- round trip ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", sorted(FACTS_DIR.iterdir()), ids=lambda p: p.name)
def test_round_trip_fixture_files(path: Path) -> None:
    f = load_facts(path)
    assert parse_facts(f.to_text()) == f
    assert parse_facts(json.dumps(f.model_dump(), ensure_ascii=False)) == f


def test_round_trip_minimal_and_full() -> None:
    minimal = Facts(org="甲公司", year=2024, items=["开展活动3次"])
    assert parse_facts(minimal.to_text()) == minimal
    assert parse_facts(EXPECTED.to_text()) == EXPECTED


def test_round_trip_item_that_looks_like_a_label() -> None:
    f = Facts(org="甲公司", year=2024, items=["问题：职工反映的食堂问题全部解决", "开展活动3次"])
    assert parse_facts(f.to_text()) == f


# --- errors name the field -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("年度：2024\n开展活动3次", "org"),  # missing org
        ('{"year": 2024, "items": ["开展活动3次"]}', "org"),
        ("单位：甲公司\n年度：二〇二四\n开展活动3次", "year"),  # bad year (text form)
        ("单位：甲公司\n年度：去年\n开展活动3次", "year"),
        ('{"org": "甲公司", "year": 1800, "items": ["开展活动3次"]}', "year"),  # out of range
        ('{"org": "甲公司", "year": "明年", "items": ["开展活动3次"]}', "year"),
        ('{"org": "甲公司", "items": ["开展活动3次"]}', "year"),  # missing year
        ("单位：甲公司\n年度：2024", "items"),  # no facts at all
        ('{"org": "甲公司", "year": 2024, "items": []}', "items"),
        ('{"org": "甲公司", "year": 2024, "items": "开展活动3次"}', "items"),  # not a list
        ('{"org": "甲公司", "year": 2024,', "facts"),  # malformed JSON
        ("   \n  ", "facts"),  # empty
    ],
)
def test_invalid_facts_name_the_field(text: str, field: str) -> None:
    with pytest.raises(FactsError) as info:
        parse_facts(text)
    assert info.value.field == field
    assert f"「{field}」" in str(info.value)
    assert info.value.exit_code == 2


def test_malformed_json_says_where() -> None:
    with pytest.raises(FactsError) as info:
        parse_facts('{\n"org": "甲公司",\n"year": 2024,\n}')
    assert "JSON" in str(info.value) and "第 4 行" in str(info.value)


def test_load_facts_missing_file_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(FactsError) as info:
        load_facts(tmp_path / "nope.txt")
    assert info.value.field == "facts" and "nope.txt" in str(info.value)
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("单位：甲公司\n年度：2024\n开展活动3次".encode("gbk"))
    with pytest.raises(FactsError) as info:
        load_facts(gbk)
    assert "UTF-8" in str(info.value)


def test_validate_facts_from_dict() -> None:
    assert validate_facts(EXPECTED.model_dump()) == EXPECTED
    with pytest.raises(FactsError) as info:
        validate_facts({"org": "甲公司", "year": 2024, "items": ["a"], "shortcomings": "不是列表"})
    assert info.value.field == "shortcomings"


# --- edge cases: decimals, blank values, label-like facts -----------------------------------------------
def test_decimal_at_line_start_is_not_a_bullet() -> None:
    f = parse_facts("单位：甲公司\n年度：2024\n1.5万元慰问金全部发放到位\n12.6万元用于职工体检")
    assert f.items == ["1.5万元慰问金全部发放到位", "12.6万元用于职工体检"]


def test_blank_org_is_rejected() -> None:
    with pytest.raises(FactsError) as info:
        parse_facts('{"org": "   ", "year": 2024, "items": ["开展活动3次"]}')
    assert info.value.field == "org"


@pytest.mark.parametrize("items", [["", "   "], ["- ", "•"]])
def test_blank_items_are_rejected(items: list[str]) -> None:
    with pytest.raises(FactsError) as info:
        parse_facts(json.dumps({"org": "甲公司", "year": 2024, "items": items}))
    assert info.value.field == "items"


@pytest.mark.parametrize("line", ["- a", "* a", "• a", "· a", "1. a", "1、a", "1）a", "(1) a", "（1）a", "12. a"])
def test_bullets_and_numbering_are_stripped(line: str) -> None:
    assert parse_facts(f"单位：甲公司\n年度：2024\n{line.replace('a', '开展活动3次')}").items == ["开展活动3次"]


@pytest.mark.parametrize("line", ["1.5万元慰问金全部发放到位", "3月份开展技能比武", "2024年新建职工书屋2个"])
def test_numbers_that_start_a_fact_are_kept(line: str) -> None:
    assert parse_facts(f"单位：甲公司\n年度：2024\n{line}").items == [line]


def test_five_digit_year_is_refused() -> None:
    with pytest.raises(FactsError) as info:
        parse_facts("单位：甲公司\n年度：20245\n开展活动3次")
    assert info.value.field == "year"


def test_block_headings_in_other_words() -> None:
    f = parse_facts("单位名称：XX医院\n年度：2024年\n一、主要工作：\n召开职代会1次\n慰问困难职工12户\n"
                    "存在的不足：\n活动形式单一\n2025年工作打算：\n举办运动会")
    assert f.items == ["召开职代会1次", "慰问困难职工12户"]
    assert f.shortcomings == ["活动形式单一"] and f.plans == ["举办运动会"]

