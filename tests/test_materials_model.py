"""The provenance data model on Facts: additive, JSON round trip, lookup of a fact line's sources."""

from __future__ import annotations

import json

import pytest

from drafter.errors import FactsError
from drafter.facts import FactProvenance, Facts, FactSource, fact_key, parse_facts


def _facts_json() -> str:
    return json.dumps({
        "org": "XX市供电公司", "year": 2024,
        "items": ["全年走访慰问困难职工家庭32户，发放慰问金6.4万元", "组织职工技能比武3场"],
        "plans": ["开展第二届职工技能运动会"],
        "provenance": [
            {"text": "全年走访慰问困难职工家庭32户，发放慰问金6.4万元", "block": "items",
             "sources": [{"file": "1月工作简报.docx", "quote": "春节前走访慰问困难职工家庭32户，发放慰问金6.4万元。"},
                         {"file": "慰问新闻.txt", "quote": "共走访困难职工家庭32户。", "location": "第2段"}]},
            {"text": "组织职工技能比武3场", "block": "items", "sources": [],
             "computation": "活动登记表.xlsx 第3–5行计数 = 3"},
            {"text": "开展第二届职工技能运动会", "block": "plans",
             "sources": [{"file": "四季度总结.docx", "quote": "明年将开展第二届职工技能运动会。"}]},
        ],
    }, ensure_ascii=False)


def test_facts_with_provenance_load_from_json_and_round_trip() -> None:
    facts = parse_facts(_facts_json())
    assert len(facts.provenance) == 3
    assert facts.provenance[0].sources[1].location == "第2段"
    assert facts.provenance[1].computation == "活动登记表.xlsx 第3–5行计数 = 3"
    again = Facts.model_validate_json(facts.model_dump_json())
    assert again == facts


def test_plain_facts_still_work_and_have_no_provenance() -> None:
    facts = parse_facts("单位：XX学校\n年度：2024\n慰问退休教职工120人")
    assert facts.provenance == []
    assert facts.provenance_of("慰问退休教职工120人") is None
    assert parse_facts(facts.to_text()) == facts


def test_provenance_of_ignores_bullets_spaces_and_final_stop() -> None:
    facts = parse_facts(_facts_json())
    p = facts.provenance_of("1. 全年走访慰问困难职工家庭 32户，发放慰问金6.4万元。")
    assert p is not None and [s.file for s in p.sources] == ["1月工作简报.docx", "慰问新闻.txt"]
    assert facts.provenance_of("开展第二届职工技能运动会", block="items") is None
    assert facts.provenance_of("开展第二届职工技能运动会", block="plans") is not None
    assert facts.provenance_of("组织职工技能比武4场") is None


def test_bad_provenance_names_the_field() -> None:
    data = json.loads(_facts_json())
    data["provenance"][0]["block"] = "misc"
    with pytest.raises(FactsError) as err:
        parse_facts(json.dumps(data, ensure_ascii=False))
    assert err.value.field.startswith("provenance")


def test_fact_key_and_models() -> None:
    assert fact_key("- 召开职代会 1 次。") == "召开职代会1次"
    p = FactProvenance(text="（2）召开职代会1次", sources=[FactSource(file="a.txt", quote="召开职代会1次。")])
    assert p.text == "召开职代会1次" and p.block == "items" and p.computation is None
