"""Each rule of the amount checker, on small realistic sentences."""

from __future__ import annotations

import pytest

from drafter.checking import Flag, check
from drafter.facts import Facts
from drafter.models import Source


def flagged(draft: str, facts: object, exemplars: object = None) -> list[tuple[str, str]]:
    return [(f.text, f.reason) for f in check(draft, facts, exemplars)]  # type: ignore[arg-type]


FACTS = Facts(
    org="XX市供电公司",
    year=2024,
    superior="市总工会和公司党委",
    items=["全年走访慰问困难职工家庭30户，发放慰问金6.4万元", "举办安全知识讲座12场", "会员1200人，其中女职工480人",
           "慰问困难职工15户", "慰问困难党员20户", "3月8日组织女职工登山活动"],
    plans=["开展第二届职工技能比武"],
)


# --- what counts as the same quantity ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fact", "draft"),
    [("发放慰问金4万元", "发放慰问金40000元"), ("发放慰问金40000元", "发放慰问金四万元"),
     ("参与率百分之二十三", "参与率23%"), ("参与率23%", "参与率２３％"), ("学习3次", "学习三次"),
     ("培训120人", "培训120名"), ("培训120人", "培训120位"), ("服务1,200人次", "服务1，200人次"),
     ("参与率三成", "参与率30%"), ("发放13.2万元", "发放13万2千元"), ("骑行20公里", "骑行二十公里")],
)
def test_same_value_same_kind_is_supported(fact: str, draft: str) -> None:
    assert flagged(draft, [fact]) == []


@pytest.mark.parametrize(
    ("fact", "draft", "text"),
    [("举办讲座12场", "投入经费12万元", "12万元"), ("举办讲座12场", "帮扶12户", "12户"),
     ("培训300人次", "培训300人", "300人"), ("家访86户", "家访学生86人", "86人")],
)
def test_other_kind_of_unit_is_unit_mismatch(fact: str, draft: str, text: str) -> None:
    assert flagged(draft, [fact]) == [(text, "unit_mismatch")]


def test_value_mismatch_shows_the_fact() -> None:
    flags = check("走访慰问困难职工家庭32户", ["走访慰问困难职工家庭30户"])
    assert [(f.text, f.reason, f.hint) for f in flags] == [("32户", "value_mismatch", "事实中为 30户")]


def test_same_kind_without_related_fact_is_not_in_facts() -> None:
    assert flagged("组织职工观影8场", ["举办安全知识讲座12场"]) == [("8场", "not_in_facts")]


# --- approximations and ranges ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fact", "draft"),
    [("发放慰问金4.6万元", "发放慰问金4万多元"), ("参加职工326人", "参加职工300余人"),
     ("慰问金4860元", "慰问金近5000元"), ("参与教职工196人", "参与教职工200人左右"),
     ("覆盖员工1036人", "覆盖员工逾千人"), ("募集28650元", "募集28000余元"), ("参与1580人", "参与一千五百余人"),
     ("满意度96%", "满意度95%以上"), ("参加300余人", "参加300人"), ("每期25人", "每期20-30人"),
     ("每期25人", "每期二三十人"), ("每户2.5万元", "每户两到三万元"), ("理赔9800元", "理赔近万元")],
)
def test_approximation_supported(fact: str, draft: str) -> None:
    assert flagged(draft, [fact]) == []


def test_approximation_outside_range_is_flagged() -> None:
    assert flagged("发放慰问金3万多元", ["发放慰问金6.4万元"]) == [("3万多元", "value_mismatch")]
    flags = check("参加职工500余人", ["参加职工326人"])
    assert flags[0].value == [500.0, 600.0]


# --- derived figures --------------------------------------------------------------------------------------
def test_sum_is_derived_with_computation() -> None:
    flags = check("慰问困难职工和困难党员共35户", FACTS)
    assert [(f.text, f.reason, f.hint) for f in flags] == [("35户", "derived", "15户 + 20户 = 35户")]


def test_ratio_is_derived() -> None:
    flags = check("女职工占会员总数的40%", FACTS)
    assert [(f.text, f.reason) for f in flags] == [("40%", "derived")]
    assert "480人 ÷ 1200人" in flags[0].hint


def test_growth_and_per_capita_are_derived() -> None:
    assert flagged("今年发展会员150人，同比增长25%", ["今年发展会员150人", "去年发展会员120人"]) == [("25%", "derived")]
    # an unrelated sentence with the same figure is not presented as a computation
    assert flagged("食堂满意度提高25%", ["今年发展会员150人", "去年发展会员120人"]) == [("25%", "not_in_facts")]
    assert flagged("慰问困难职工40人，人均800元", ["发放慰问金3.2万元", "慰问困难职工40人"]) == [("800元", "derived")]


# --- exemplars --------------------------------------------------------------------------------------------
def test_copied_from_exemplar_names_the_source() -> None:
    src = Source(doc_id="d1", title="某局工会工作总结", section="二", text="支付学费及房屋建筑费28000余元。")
    flags = check("为困难职工支付学费28000余元", ["为困难职工支付学费"], [src])
    assert [(f.reason, f.hint) for f in flags] == [("copied_from_exemplar", "范文《某局工会工作总结》中有「28000余元」")]
    assert flagged("支付学费28000余元", ["支付学费"], ["学费28000余元"]) == [("28000余元", "copied_from_exemplar")]


def test_supported_amount_in_exemplar_is_not_flagged() -> None:
    assert flagged("慰问32户", ["慰问32户"], ["慰问32户"]) == []


# --- never amounts ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "draft",
    ["一、加强组织建设", "（二）深化民主管理", "1、强化服务", "第一，坚持政治引领", "以“三个代表”重要思想为指导",
     "学习党的二十大精神", "紧扣“十四五”规划", "十四五期间", "开展“一帮一”活动", "第一时间了解困难", "一年来",
     "扎根一线", "三八妇女节", "五一劳动节", "六一儿童节", "推行一岗多能", "统一思想，一起努力，进一步凝聚力量",
     "一些问题得到一定解决", "一直坚持", "一系列举措", "高度一致", "唯一选择", "万一出现", "一流队伍", "一体化",
     "三公经费", "全国两会", "两学一做", "增强四个意识", "五四青年节", "七一建党", "八一建军节", "十一国庆期间",
     "双十一", "一季度", "第三季度", "上半年", "百花齐放", "千方百计", "万众一心", "评选十佳职工",
     "三八红旗手", "五好家庭", "一把手", "一对一帮扶", "一站式服务", "一次性补助", "每一位职工",
     "获得第3名", "荣获第一名", "获第四名", "荣获一等奖", "二等奖", "前三名", "第二届运动会", "四届三次职代会",
     "今年以来", "去年同期", "服务热线12351", "通过ISO9001认证", "9:30召开会议", "《2019年工作要点》",
     "〔2024〕15号文件", "7×24小时服务", "15分钟生活圈", "两节期间", "建党百年", "近三年来", "三年来"],
)
def test_never_flagged(draft: str) -> None:
    assert flagged(draft, ["全年走访慰问困难职工家庭30户"]) == []


def test_count_of_one_is_not_flagged_unless_contradicted() -> None:
    assert flagged("一名职工说收获很大，组织一次义诊", ["开展职工技能培训"]) == []
    assert flagged("举办职工运动会一次", ["举办职工运动会2次"]) == [("一次", "value_mismatch")]
    assert flagged("选派1名职工参赛", ["开展培训"]) == [("1名", "not_in_facts")]


def test_prize_count_is_an_amount_but_the_rank_is_not() -> None:
    assert [t for t, _ in flagged("一等奖1篇、二等奖3篇", ["征文比赛获一等奖1篇"])] == ["3篇"]


# --- dates ------------------------------------------------------------------------------------------------
def test_years() -> None:
    assert flagged("2024年，工会走访30户", FACTS) == []
    assert flagged("二〇二四年，工会走访30户", FACTS) == []
    flags = check("2023年，工会走访30户", FACTS)
    assert [(f.text, f.kind, f.reason) for f in flags] == [("2023年", "date", "date_not_in_facts")]
    # next year is the plans' year; a year further is not
    assert flagged("2025年，工会将开展第二届职工技能比武", FACTS) == []
    assert flagged("2026年，工会将开展技能比武", FACTS) == [("2026年", "date_not_in_facts")]


def test_months_and_days() -> None:
    assert flagged("3月8日，组织女职工登山", FACTS) == []
    assert flagged("3月，组织女职工登山", FACTS) == []
    assert flagged("3月9日，组织女职工登山", FACTS) == [("3月9日", "date_not_in_facts")]
    assert flagged("5月份举办运动会", FACTS) == [("5月份", "date_not_in_facts")]
    assert flagged("今年上半年，去年下半年", FACTS) == []


def test_year_without_facts_year() -> None:
    assert flagged("2024年走访30户", ["走访30户"]) == [("2024年", "date_not_in_facts")]
    assert flagged("2024年走访30户", ["2024年走访30户"]) == []


# --- placeholders -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("draft", "text"), [("20xx年工作总结", "20xx"), ("XX公司工会", "XX"), ("××单位", "××"),
                                             ("在__的领导下", "__"), ("发放慰问金X万元", "X"), ("ＸＸ学校", "ＸＸ")])
def test_placeholders(draft: str, text: str) -> None:
    flags = check(draft, ["走访30户"])
    assert [(f.text, f.kind, f.reason) for f in flags] == [(text, "placeholder", "placeholder")]


def test_placeholder_the_facts_use_is_not_flagged() -> None:
    assert flagged("XX市供电公司工会2024年走访30户", FACTS) == []


# --- other units and bare numbers -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fact", "draft", "expect"),
    [("为60岁以上退休职工体检", "为65岁以上退休职工体检", [("65岁以上", "value_mismatch")]),
     ("建成职工之家500平方米", "建成500平米职工之家", []),
     ("餐补标准20元/人", "餐补标准25元/人", [("25元/人", "value_mismatch")]),
     ("书屋经费2万元/年", "书屋经费2万元/年", []), ("心理服务40小时", "心理服务四十个小时", []),
     ("增幅3个百分点", "增幅提高3个百分点", []), ("职工总数1200人", "职工总数1200，入会率高", []),
     ("职工总数1200人", "职工总数1500，入会率高", [("1500", "not_in_facts")]),
     ("惠及职工2万人", "惠及3万职工", [("3万", "not_in_facts")])],
)
def test_units_and_bare_numbers(fact: str, draft: str, expect: list[tuple[str, str]]) -> None:
    assert flagged(draft, [fact]) == expect


# --- the entry point --------------------------------------------------------------------------------------
def test_facts_forms_and_flag_fields() -> None:
    draft = "全年走访慰问困难职工家庭32户，发放慰问金6.4万元"
    for facts in (FACTS, "全年走访慰问困难职工家庭30户\n发放慰问金6.4万元", ["全年走访慰问困难职工家庭30户", "发放慰问金6.4万元"]):
        flags = check(draft, facts)
        assert len(flags) == 1
        f = flags[0]
        assert isinstance(f, Flag)
        assert (f.text, f.value, f.unit, f.kind) == ("32户", 32.0, "户", "amount")
        assert draft[f.start : f.end] == f.text


def test_flags_sorted_and_sliced() -> None:
    draft = "20xx年，走访32户，2019年发放3万元。XX公司组织8场讲座。"
    flags = check(draft, FACTS)
    assert [f.start for f in flags] == sorted(f.start for f in flags)
    assert all(draft[f.start : f.end] == f.text for f in flags)
    assert {f.kind for f in flags} == {"amount", "date", "placeholder"}


def test_empty_inputs() -> None:
    assert check("", FACTS) == []
    assert check("走访30户", []) == [Flag(text="30户", start=2, end=5, value=30.0, unit="户", reason="not_in_facts",
                                         hint="事实中没有这个数字，请核实或删除")]
    assert check("走访30户", "") != []


def test_rounding_with_a_multiplier_or_percentage() -> None:
    facts = ["全年发放慰问金64,280元", "职工满意度96.47%"]
    assert flagged("发放慰问金6.4万元，满意度96.5%", facts) == []
    # written out in full, a figure claims to be exact; one significant digit is too coarse
    assert flagged("发放慰问金64000元", facts) == [("64000元", "value_mismatch")]
    assert flagged("发放慰问金6万元", facts) == [("6万元", "value_mismatch")]
    assert flagged("发放慰问金6.5万元", facts) == [("6.5万元", "value_mismatch")]


def test_bare_numbers_in_facts_support_the_draft() -> None:
    facts = ["职工总数1200", "开通12351热线"]
    assert flagged("公司职工总数1200，会员1200名", facts) == []


@pytest.mark.parametrize(("draft", "slot"), [
    ("共慰问困难职工【具体人数】户。", "【具体人数】"),
    ("活动由[单位名称]承办。", "[单位名称]"),
    ("某某同志被评为先进个人。", "某某"),
    ("**市总工会授予荣誉称号。", "**"),
])
def test_template_slots_left_by_a_model_are_placeholders(draft: str, slot: str) -> None:
    # the numbers checker's kinds (`先进个人` the facts never mention is a `name` flag of its own)
    flags = [f for f in check(draft, "慰问困难职工30户") if f.kind in ("amount", "date", "placeholder")]
    assert [(f.text, f.kind, f.reason) for f in flags] == [(slot, "placeholder", "placeholder")]
    assert all(draft[f.start : f.end] == f.text for f in flags)


def test_bracketed_names_are_not_slots() -> None:
    assert check("召开【职工代表大会】，开展【安康杯】竞赛。", "召开职工代表大会") == []


def test_context_stops_at_a_line_break_and_reaches_one_clause_back() -> None:
    from drafter.checking.support import clean_text, context_bigrams

    text = "走访慰问困难家庭\n40户得到帮扶"  # the line before is not this figure's sentence
    start = text.index("40")
    assert context_bigrams(clean_text(text), start, start + 3) == {"得到", "到帮", "帮扶"}
    text = "为困难职工发放慰问金，共计32户"  # `共计` alone is too short: the clause before counts
    start = text.index("32")
    grams = context_bigrams(clean_text(text), start, start + 3)
    assert {"困难", "慰问", "问金"} <= grams and "共计" not in grams
    text = "慰问困难职工，为他们送去温暖，全年走访32户"  # a clause with words of its own stands alone
    start = text.index("32")
    assert context_bigrams(clean_text(text), start, start + 3) == {"年走", "走访"}
