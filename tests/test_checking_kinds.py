"""The `status`, `copied` and `name` kinds: rules, the labelled set's thresholds, and how they reach
`check()`, the Workspace, `drafter check`, `/api/v1/check` and the repair prompt."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from drafter.api import create_app
from drafter.checking import check, registry
from drafter.checking.copied import CopyIndex, Source, find_copied
from drafter.checking.factblocks import fact_blocks
from drafter.checking.names import _GENERIC, find_names, generic_vocabulary
from drafter.checking.status import find_status
from drafter.cli import main as cli_main
from drafter.drafting.fakes import ScriptedGenerator
from drafter.drafting.pipeline import Drafter
from drafter.facts import parse_facts_text
from drafter.settings import Settings
from drafter.storage.drafts import DraftStore
from drafter.workspace import Workspace
from tests.support.bench_modules import load_bench

ROOT = Path(__file__).resolve().parents[1]
KINDS_SET = ROOT / "tests" / "data" / "check_kinds.jsonl"

FACTS = """单位：青山区实验小学
年度：2024
单位类型：学校
上级组织：区教育工会
召开第五届教职工代表大会第二次会议
启动教职工心理健康驿站建设
正在筹建职工书屋，已完成选址
举办教职工趣味运动会
存在不足：
青年教师参与工会活动的积极性不高
明年打算：
建成教职工心理健康驿站
举办首届青年教师基本功大赛"""


def kinds_of(draft: str, facts: object = FACTS, **kw: object) -> list:
    return [f for f in check(draft, facts, **kw) if f.kind in ("status", "copied", "name")]  # type: ignore[arg-type]


def assert_slices(draft: str, flags: list) -> None:
    for f in flags:
        assert draft[f.start : f.end] == f.text and f.text


# --- status ------------------------------------------------------------------------------------------------
def test_a_plan_written_as_done_is_flagged_and_the_hint_quotes_the_fact() -> None:
    draft = "今年，学校工会建成了教职工心理健康驿站，为老师们提供了放松的空间。"
    flags = kinds_of(draft)
    assert [(f.kind, f.reason) for f in flags] == [("status", "status_plan_as_done")]
    assert "建成了教职工心理健康驿站" in flags[0].text
    assert "明年打算：建成教职工心理健康驿站" in flags[0].hint and "尚未完成" in flags[0].hint
    assert flags[0].model_dump()["label"] == "打算写成已完成"
    assert_slices(draft, flags)


@pytest.mark.parametrize("draft", [
    "明年，学校工会将建成教职工心理健康驿站，举办首届青年教师基本功大赛。",
    "一是青年教师参与工会活动的积极性还不高；二是活动形式有待丰富。",
    "学校启动了教职工心理健康驿站建设，职工书屋正在筹建，已完成选址。",
    "召开第五届教职工代表大会第二次会议，举办教职工趣味运动会，全体教职工踊跃参加。",
    "2025年工作打算：\n一是建成教职工心理健康驿站；二是举办首届青年教师基本功大赛。",
    "学校工会将围绕立德树人，重点抓好以下工作：\n一是建成教职工心理健康驿站；二是举办首届青年教师基本功大赛。",
    "一是建成教职工心理健康驿站；二是举办首届青年教师基本功大赛。",  # a plans section without its heading
])
def test_plans_as_plans_shortcomings_as_shortcomings_and_done_work_are_not_flagged(draft: str) -> None:
    assert kinds_of(draft) == []


def test_a_list_that_reports_the_past_is_still_flagged() -> None:
    flags = kinds_of("一是建成了教职工心理健康驿站；二是成功举办首届青年教师基本功大赛。")
    assert [f.reason for f in flags] == ["status_plan_as_done"] * 2


def test_an_ongoing_item_written_as_completed_and_a_shortcoming_turned_achievement() -> None:
    blocks = fact_blocks(FACTS)
    hits = find_status("职工书屋已全面建成并对职工开放。青年教师参与工会活动热情高涨，积极性显著提升。", blocks)
    assert [h.reason for h in hits] == ["status_ongoing_as_done", "status_shortcoming_as_achievement"]
    assert "全年工作：正在筹建职工书屋" in hits[0].fact and "存在不足：青年教师" in hits[1].fact


def test_status_reads_facts_objects_dicts_and_lines_alike() -> None:
    draft = "首届青年教师基本功大赛圆满落下帷幕。"
    facts = parse_facts_text(FACTS)
    for given in (facts, facts.model_dump(), FACTS, FACTS.splitlines()):
        assert [f.reason for f in kinds_of(draft, given)] == ["status_plan_as_done"]


# --- copied ------------------------------------------------------------------------------------------------
PASSAGE = "工会领导经常深入制造一线，认真了解员工家庭的生活、工作状况，及时反映职工的意见和诉求。"
OTHER = "学校工会以教工之家为阵地，开设瑜伽、书法、合唱等兴趣社团，丰富教职工的业余生活。"
STOCK = "既维护企业的整体利益，又维护了员工的具体利益"


def small_index() -> CopyIndex:
    return CopyIndex.build([
        (Source("d1", "甲公司工会总结", "二、关心职工生活"), PASSAGE + STOCK + "。"),
        (Source("d2", "乙学校工会总结", "三、丰富文体活动"), OTHER + "我们" + STOCK + "。"),
        (Source("d3", "丙公司工会总结", "一、民主管理"), "我们" + STOCK + "，实现了共同发展。"),
        (Source("d4", "丁公司工会总结", "一、民主管理"), "职工代表大会审议通过集体合同。"),
    ])


def test_a_copied_run_is_one_flag_with_offsets_into_the_draft_and_the_source_named() -> None:
    index = small_index()
    draft = "一年来，工会领导经常深入制造一线,认真了解员工家庭的生活工作状况，及时掌握思想动态。"
    flags = kinds_of(draft, copy_index=index)
    assert [(f.kind, f.reason) for f in flags] == [("copied", "copied_text")]
    f = flags[0]
    assert f.text == "工会领导经常深入制造一线,认真了解员工家庭的生活工作状况，及时"  # punctuation ignored inside
    assert "甲公司工会总结" in f.hint and "二、关心职工生活" in f.hint
    assert_slices(draft, flags)


def test_short_runs_stock_runs_and_the_facts_own_words_are_not_copying() -> None:
    index = small_index()
    assert index.stock_docs == 3  # a window in 3 documents is stock
    assert kinds_of("工会领导经常深入制造一线，了解员工家庭。", copy_index=index) == []  # 12 characters
    assert kinds_of(f"公司工会{STOCK}。", copy_index=index) == []  # shared by three summaries
    facts = FACTS + "\n工会领导经常深入制造一线，认真了解员工家庭的生活、工作状况"
    assert kinds_of("工会领导经常深入制造一线，认真了解员工家庭的生活、工作状况。", facts, copy_index=index) == []


def test_an_exemplar_is_a_source_too_and_json_exemplars_work() -> None:
    draft = "学校工会以教工之家为阵地，开设瑜伽、书法、合唱等兴趣社团。"
    hits = find_copied(draft, None, [{"title": "某中学总结", "text": OTHER}])
    assert len(hits) == 1 and hits[0].exemplar and hits[0].source.title == "某中学总结"
    flags = kinds_of(draft, exemplars=[OTHER], copy_index=CopyIndex.build(()))
    assert [f.kind for f in flags] == ["copied"] and "本节参考的范文" in flags[0].hint


def test_without_an_index_check_uses_the_bundled_corpus() -> None:
    # seed-03's sentence, as an LLM might lift it
    draft = "为保证工会工作的顺利开展，我局坚持“两纳入”机制，即工会工作纳入局工作议事日程。"
    flags = kinds_of(draft)
    assert [f.kind for f in flags] == ["copied"] and "篇3" in flags[0].hint


# --- name --------------------------------------------------------------------------------------------------
def test_generic_union_words_are_learned_from_the_corpus_not_listed() -> None:
    vocab = generic_vocabulary()
    for w in ("职工之家", "职工书屋", "职代会", "党委", "上级工会"):
        assert w in vocab and w not in _GENERIC


def test_generic_vocabulary_is_every_string_in_enough_summaries(tmp_path: Path) -> None:
    """Counted one length at a time (a frequent string has frequent prefixes): the same vocabulary as counting
    every 2..8-character string of every summary, here on a small corpus of overlapping texts."""
    import re
    from collections import Counter

    texts = ["职工书屋新增图书，职工之家建设", "职工之家挂牌，职工书屋开放", "建设职工之家，职工书屋图书",
             "慰问困难职工", "职工书屋，职工之家，困难职工"]
    for i, t in enumerate(texts):
        (tmp_path / f"{i}.txt").write_text(t, encoding="utf-8")
    df: Counter[str] = Counter()
    for t in texts:
        df.update({run[i : i + n] for run in re.findall(r"[\u4e00-\u9fff]+", t) for n in range(2, 9)
                   for i in range(len(run) - n + 1)})
    for min_docs in (2, 3):
        expected = {g for g, c in df.items() if c >= min_docs}
        got = generic_vocabulary(tmp_path, min_docs=min_docs) - _GENERIC
        assert got == expected - _GENERIC and "职工之家" in got and "职工书屋" in got


@pytest.mark.parametrize(("draft", "name"), [
    ("学校工会与供电公司联合开展安全用电知识讲座。", "供电公司"),
    ("举办“银龄杯”教职工趣味运动会。", "银龄杯"),
    ("学校工会荣获全国五一劳动奖状。", "全国五一劳动奖状"),
    ("组织教职工赴井冈山开展红色教育。", "井冈山"),
    ("校长李明华同志亲自参加教代会。", "李明华"),
    ("积极参加西湖区总工会组织的演讲比赛。", "西湖区总工会"),
])
def test_names_the_facts_do_not_contain_are_flagged(draft: str, name: str) -> None:
    flags = kinds_of(draft)
    assert [f.kind for f in flags] == ["name"] and name in flags[0].text, flags
    assert name in flags[0].hint and flags[0].reason == "name_not_in_facts"
    assert_slices(draft, flags)


def test_the_org_its_superior_short_forms_facts_names_and_generic_words_are_not() -> None:
    draft = ("在区教育工会和学校党委的正确领导下，青山区实验小学工会（我校工会）团结全体教职工，实验小学上下一心。"
             "公司、本行、全体职工、职工之家、职工书屋、职代会、上级工会、市总工会都积极参与。")
    assert kinds_of(draft) == []
    assert find_names("宏达公司工会开展活动。", fact_blocks("单位：宏达精密机械有限公司\n开展活动")) == []


# --- the labelled set --------------------------------------------------------------------------------------
def test_labelled_set_shape_and_thresholds() -> None:
    items = [json.loads(line) for line in KINDS_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len({it["id"] for it in items}) == len(items)
    for kind in ("status", "copied", "name"):
        mine = [it for it in items if it["kind"] == kind]
        assert len(mine) >= 40
        assert sum(bool(it["expect"]) for it in mine) >= 20 and sum(not it["expect"] for it in mine) >= 20
        assert {it["org_type"] for it in mine} >= {"企业", "学校", "医院", "银行", "社区", "机关"}
    res = load_bench("eval_check_kinds").evaluate(items, CopyIndex.from_directory(ROOT / "corpus"))
    for kind, r in res.items():
        assert r["recall"] >= 0.9, (kind, r)
        assert r["fpr"] <= 0.03, (kind, r)


# --- registration and front ends ---------------------------------------------------------------------------
def test_the_kinds_are_registered_with_chinese_labels() -> None:
    labels = registry.kind_labels()
    assert (labels["status"], labels["copied"], labels["name"]) == ("状态", "照抄", "名称")
    assert [k.kind for k in registry.kinds()][:3] == ["amount", "date", "placeholder"]
    for reason in ("status_plan_as_done", "status_ongoing_as_done", "status_shortcoming_as_achievement",
                   "copied_text", "name_not_in_facts"):
        assert registry.label(reason) != reason


def test_workspace_check_and_api_use_the_corpus_with_uploads(fast_ws: Workspace, tmp_path: Path) -> None:
    upload = ("2023年某银行支行工会工作总结\n\n一、深化劳动竞赛\n\n"
              "支行工会坚持把网点服务竞赛作为凝聚员工的主抓手，按季度评选服务明星，以赛促学、以学促干。\n")
    path = tmp_path / "上传总结.txt"
    path.write_text(upload, encoding="utf-8")
    first = fast_ws.copy_index()
    assert first is not None and fast_ws.copy_index() is first  # built once
    fast_ws.add_documents([path])
    second = fast_ws.copy_index()
    assert second is not first and second.documents == first.documents + 1  # rebuilt after the change
    draft = "本行工会坚持把网点服务竞赛作为凝聚员工的主抓手，按季度评选服务明星。"
    facts = "单位：农商银行河西支行\n开展网点服务竞赛"
    flags = [f for f in fast_ws.check(draft, facts) if f.kind == "copied"]
    assert len(flags) == 1 and "2023年某银行支行工会工作总结" in flags[0].hint
    body = TestClient(create_app(fast_ws)).post("/api/v1/check", json={"facts_text": facts, "draft": draft}).json()
    assert [(f["kind"], f["label"]) for f in body["flags"]] == [("copied", "照抄范文原文")]


def test_drafter_check_cli_returns_the_new_kinds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "facts.txt").write_text(FACTS, encoding="utf-8")
    (tmp_path / "draft.txt").write_text("学校工会建成了教职工心理健康驿站，并与供电公司共建。", encoding="utf-8")
    code = cli_main(["check", "--facts", str(tmp_path / "facts.txt"), str(tmp_path / "draft.txt"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert {f["kind"] for f in out["flags"]} == {"status", "name"}
    cli_main(["check", "--facts", str(tmp_path / "facts.txt"), str(tmp_path / "draft.txt")])
    text = capsys.readouterr().out
    assert "状态" in text and "名称" in text and "供电公司" in text


def test_the_repair_prompt_carries_what_was_wrong_and_what_the_fact_says(data_dir: Path) -> None:
    facts = parse_facts_text(FACTS)
    gen = ScriptedGenerator(["学校工会正在推进教职工心理健康驿站建设。"])
    drafter = Drafter(Settings(data_dir=data_dir), DraftStore(data_dir / "d.sqlite3"), None, gen)
    text = "学校工会建成了教职工心理健康驿站。"
    flags = check(text, facts)
    section = type("S", (), {"heading": ""})()
    repaired = asyncio.run(drafter._repair(section, text, flags, facts))  # type: ignore[arg-type]
    prompt = gen.last_messages[-1]["content"]
    assert "建成了教职工心理健康驿站」：写成了已完成，但事实为「明年打算：建成教职工心理健康驿站」" in prompt
    assert "不要写成已经完成" in prompt and "不只是数字" in prompt
    assert check(repaired, facts) == []
