"""Extraction behaviour: blocks, the summary year, dedup into several sources, conflicts, sheet computations,
provenance; and the front ends (CLI, API) and a facts file that `drafter draft` accepts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from drafter.api import create_app
from drafter.checking.numerals import normalise
from drafter.cli import main
from drafter.facts import load_facts
from drafter.materials import extract_materials
from drafter.materials.model import numbers_in, supported
from drafter.settings import Settings
from drafter.workspace import Workspace
from tests.support.material_files import corrupt_docx_bytes, docx_bytes, xlsx_bytes

DATA = Path(__file__).parent / "data" / "materials"


def _txt(name: str, *lines: str, encoding: str = "utf-8") -> tuple[str, bytes]:
    return name, "\n".join(lines).encode(encoding)


def _by_text(res: object) -> dict[str, object]:
    return {f.text: f for f in res.facts}  # type: ignore[attr-defined]


def test_blocks_from_headings_and_next_year_plans() -> None:
    res = extract_materials([_txt(
        "2024年四季度工作报告.txt", "XX公司工会2024年四季度工作报告", "一、主要工作",
        "11月，开展职工书屋读书活动，新增图书800册。", "二、存在的不足",
        "一是职工书屋利用率不高；二是基层工会干部业务能力有待提高。", "三、2025年工作打算",
        "2025年，公司工会将举办第二届职工运动会，计划建成职工健身房2处。")], 2024)
    blocks = {f.text: f.block for f in res.facts}
    assert blocks == {"11月，开展职工书屋读书活动，新增图书800册": "items", "职工书屋利用率不高": "shortcomings",
                      "基层工会干部业务能力有待提高": "shortcomings", "举办第二届职工运动会": "plans",
                      "建成职工健身房2处": "plans"}


def test_plans_for_later_this_year_are_neither_work_nor_next_years_plans() -> None:
    res = extract_materials([_txt(
        "3月月报.txt", "公司工会2024年3月工作月报", "一、本月工作", "组织青年职工义务植树，参加60人。",
        "二、下月工作计划", "4月中旬开展职工技能比武预赛，预计参赛120人。", "下月计划：启动“安康杯”竞赛。")], 2024)
    assert [f.text for f in res.facts] == ["组织青年职工义务植树，参加60人"]


def test_other_years_are_left_out_with_a_reason() -> None:
    res = extract_materials([
        _txt("报告.txt", "XX医院工会2024年第一季度工作报告", "1月慰问困难职工18户。",
             "另据统计，2023年全年共接待职工来访12人次。"),
        _txt("2023年12月简报.txt", "XX学校工会简报", "2023年第12期", "慰问困难教职工8人。", encoding="gb18030"),
    ], 2024)
    assert [f.text for f in res.facts] == ["1月慰问困难职工18户"]
    reasons = [s.reason for s in res.skipped]
    assert any("2023年" in r and "12人次" in r for r in reasons)
    assert any(s.file == "2023年12月简报.txt" and "2023年" in s.reason for s in res.skipped)


def test_one_activity_in_three_materials_is_one_fact_with_three_sources() -> None:
    res = extract_materials([
        _txt("一季度报告.txt", "XX公司工会2024年一季度工作报告", "3月8日，组织开展“巾帼心向党”健步走活动，120余名女职工参加。"),
        _txt("新闻.txt", "公司工会举办三八节健步走活动", "3月8日上午，公司工会组织开展“巾帼心向党”健步走活动，公司120余名女职工参加。",
             encoding="gbk"),
        _txt("3月月报.txt", "公司工会2024年3月工作月报", "3月8日组织女职工健步走活动，参加女职工120余名。"),
    ], 2024)
    (fact,) = res.facts
    assert {s.file for s in fact.sources} == {"一季度报告.txt", "新闻.txt", "3月月报.txt"}
    assert all("120余名" in s.quote for s in fact.sources)
    assert not res.conflicts


def test_different_numbers_for_one_activity_are_a_conflict_not_a_choice() -> None:
    res = extract_materials([
        _txt("上半年总结.txt", "XX中学工会2024年上半年工作总结", "5月组织全校教职工健康体检，参检186人。"),
        _txt("体检新闻.txt", "学校工会组织年度体检", "5月18日，学校工会组织全校教职工进行健康体检，共有182名教职工参加体检。"),
    ], 2024)
    assert res.facts == []
    (conflict,) = res.conflicts
    assert "186人" in conflict.reason and "182名" in conflict.reason
    assert {s.file for f in conflict.facts for s in f.sources} == {"上半年总结.txt", "体检新闻.txt"}


def test_similar_activities_in_different_months_stay_apart() -> None:
    res = extract_materials([
        _txt("a.txt", "XX公司工会2024年工作简报", "3月组织职工篮球赛，参赛职工96人。"),
        _txt("b.txt", "XX公司工会2024年工作简报", "9月组织职工篮球赛，参赛职工80人。"),
    ], 2024)
    assert len(res.facts) == 2 and not res.conflicts


def test_ledger_counted_summed_grouped_and_rows_of_other_years_reported() -> None:
    rows = [[1, "张三", "大病救助", "2024-03-01", 5000], [2, "李四", "子女助学", "2024-09-01", 1500],
            [3, "王五", "子女助学", "2024-09-02", 1500], [4, "赵六", "大病救助", "2023-12-20", 3000]]
    data = xlsx_bytes([("台账", "XX公司2024年困难职工帮扶台账",
                        [["序号", "姓名", "帮扶类别", "帮扶日期", "帮扶金额（元）"]], rows)])
    res = extract_materials([("帮扶台账.xlsx", data)], 2024)
    facts = _by_text(res)
    total = facts["全年帮扶困难职工3人次，帮扶金额合计8000元"]
    assert total.computation == "帮扶台账.xlsx「台账」第3–5行计数 = 3；帮扶金额（元）列求和 = 8000元"  # type: ignore[attr-defined]
    assert "其中子女助学2人次，帮扶金额合计3000元" in facts and "其中大病救助1人次，帮扶金额合计5000元" in facts
    assert any("第6行" in s.reason and "2023年" in s.reason for s in res.skipped)


def test_activity_register_one_fact_per_row_quoting_the_row() -> None:
    data = "日期,活动名称,参加人数,备注\n2024-04-20,职工篮球赛,96,8支代表队\n2024-06-15,趣味运动会,210,\n"
    res = extract_materials([("活动登记表.csv", data.encode("gbk"))], 2024)
    facts = _by_text(res)
    row = facts["4月20日职工篮球赛，参加96人，8支代表队"]
    assert row.sources[0].quote == "日期：2024-04-20；活动名称：职工篮球赛；参加人数：96；备注：8支代表队"  # type: ignore[attr-defined]
    assert row.sources[0].location == "活动登记表 第2行" and row.computation is None  # type: ignore[attr-defined]
    assert facts["全年登记活动2项，参加合计306人次"].computation  # type: ignore[attr-defined]


def test_every_fact_of_every_bundle_is_supported_by_its_quotes() -> None:
    for folder in sorted(DATA.iterdir()):
        gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
        inputs = [(f, (folder / "files" / f).read_bytes()) for f in gold["files"]]
        res = extract_materials(inputs, gold["year"])
        for f in res.facts + [v for c in res.conflicts for v in c.facts]:
            assert supported(f), f.text
            if f.computation is None:  # and verbatim: each number as written is inside a quote
                for numeral, _v in numbers_in(f.text):
                    assert any(part in normalise(s.quote) for s in f.sources for part in numeral.split()), (f.text, numeral)


def test_supported_rejects_a_number_not_in_the_quote() -> None:
    from drafter.facts import FactProvenance, FactSource

    ok = FactProvenance(text="慰问困难职工32户", sources=[FactSource(file="a.txt", quote="走访慰问困难职工32户。")])
    bad = FactProvenance(text="慰问困难职工35户", sources=[FactSource(file="a.txt", quote="走访慰问困难职工32户。")])
    computed = FactProvenance(text="全年慰问43人次", computation="a.xlsx 第2–44行计数 = 43")
    assert supported(ok) and not supported(bad) and supported(computed)


def test_org_and_type_guessed_from_titles() -> None:
    res = extract_materials([_txt("a.txt", "XX县人民医院工会2024年第三季度工作报告", "7月慰问一线职工430人次。")], 2024)
    assert (res.org, res.org_type) == ("XX县人民医院", "医院")


# --- front ends ------------------------------------------------------------------------------------------
def test_cli_json_shape_and_exit_codes(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted((DATA / "school" / "files").iterdir())
    assert main(["facts", "extract", *map(str, files), "--year", "2024", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"facts", "conflicts", "skipped"}
    fact = out["facts"][0]
    assert set(fact) >= {"text", "block", "sources", "computation"} and fact["block"] in ("items", "shortcomings", "plans")
    assert set(fact["sources"][0]) >= {"file", "quote"}
    assert all("/" not in s["file"] for f in out["facts"] for s in f["sources"])  # base names
    assert {s["file"] for s in out["skipped"]} >= {"工会活动照片集（扫描件）.pdf"}
    bad = tmp_path / "坏.docx"
    bad.write_bytes(corrupt_docx_bytes())
    assert main(["facts", "extract", str(bad), str(tmp_path / "没有.txt"), "--year", "2024", "--json"]) == 2
    err = capsys.readouterr()
    assert {s["file"] for s in json.loads(err.out)["skipped"]} == {"坏.docx", "没有.txt"}


def test_cli_out_is_a_facts_file_draft_accepts(tmp_path: Path, fast_ws: Workspace,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "m"
    shutil.copytree(DATA / "enterprise" / "files", folder)
    out = tmp_path / "facts.json"
    assert main(["facts", "extract", *map(str, sorted(folder.iterdir())), "--year", "2024", "--org", "XX市供电公司",
                 "--out", str(out)]) == 0
    facts = load_facts(out)
    assert facts.org == "XX市供电公司" and facts.year == 2024 and len(facts.provenance) == len(
        facts.items) + len(facts.shortcomings) + len(facts.plans)
    walk = facts.provenance_of("3月8日组织女职工健步走活动，参加女职工120余名")
    assert walk is not None and len(walk.sources) == 3
    # the conflict waits for the user: neither version is a fact, nor in the notes the opening is written from
    assert not any("45件" in x or "48件" in x for x in facts.all_lines())

    import asyncio

    draft = asyncio.run(fast_ws.draft(facts))
    again = fast_ws.get_draft(draft.id)
    assert again.facts.provenance == facts.provenance  # provenance survives into the stored draft
    placed = [line for s in again.sections for line in s.facts]
    assert placed and all(again.facts.provenance_of(line) is not None for line in placed)


def test_api_extract_multipart(data_dir: Path) -> None:
    client = TestClient(create_app(Workspace(Settings(data_dir=data_dir))))
    d = DATA / "community" / "files"
    files = [("files", ("../../etc/" + p.name, p.read_bytes())) for p in sorted(d.iterdir())]
    files.append(("files", ("坏.docx", corrupt_docx_bytes())))
    r = client.post("/api/v1/facts/extract", files=files, data={"year": "2025"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["org"] == "XX街道社区工会联合会" and body["year"] == 2025
    assert {s["file"] for f in body["facts"] for s in f["sources"]} <= {p.name for p in d.iterdir()}
    assert [s["file"] for s in body["skipped"] if "损坏" in s["reason"]] == ["坏.docx"]
    ledger = next(f for f in body["facts"] if f["computation"] and f["text"].startswith("全年"))
    assert ledger["text"] == "全年新就业形态劳动者入会468人"

    r = client.post("/api/v1/facts/extract", files=[("files", ("坏.docx", corrupt_docx_bytes()))], data={"year": "2024"})
    assert r.status_code == 422 and "损坏" in r.json()["detail"]
    r = client.post("/api/v1/facts/extract", files=[("files", ("a.txt", b"x"))], data={"year": "24"})
    assert r.status_code == 422


def test_api_upload_limit_applies(data_dir: Path) -> None:
    client = TestClient(create_app(Workspace(Settings(data_dir=data_dir))))
    big = b"a" * (21 << 20)
    r = client.post("/api/v1/facts/extract", files=[("files", ("a.txt", big))], data={"year": "2024"})
    assert r.status_code == 413


def test_docx_report_with_a_table_of_activities() -> None:
    data = docx_bytes(["XX中学工会2024年下半年工作素材", "# 一、重点活动一览", "# 二、存在不足", "青年教师参与工会活动的积极性有待提高。"],
                      tables=[(1, [["时间", "活动名称", "参加人数", "说明"],
                                   ["2024年10月", "教职工气排球比赛", "64", "8支代表队"]])])
    res = extract_materials([("素材.docx", data)], 2024)
    assert {(f.text, f.block) for f in res.facts} == {("10月教职工气排球比赛，参加64人，8支代表队", "items"),
                                                      ("青年教师参与工会活动的积极性有待提高", "shortcomings")}


def test_a_plan_with_a_number_is_no_deed() -> None:
    quarterly = _txt("2024年二季度工作报告.txt", "XX公司工会2024年二季度工作报告", "5月组织职工技能比武3场。",
                     "下一步，工会将新建职工书屋2个。")
    year_end = _txt("2024年工作总结.txt", "XX公司工会2024年工作总结", "全年组织职工技能比武8场。",
                    "下一步，工会将新建职工书屋2个。", "工会将销量考核到班组，全年评出营销能手12名。")
    q = extract_materials([quarterly], 2024)
    assert [f.text for f in q.facts] == ["5月组织职工技能比武3场"]
    y = {f.text: f.block for f in extract_materials([year_end], 2024).facts}
    assert y["新建职工书屋2个"] == "plans" and y["全年组织职工技能比武8场"] == "items"
    assert any(b == "items" and "12名" in t for t, b in y.items())  # 将 as 把 is no plan


@pytest.mark.parametrize("reports", [
    pytest.param([("四季度报告.txt", "XX公司工会2024年四季度工作报告", "全年共走访慰问困难职工家庭120户。"),
                  ("1月月报.txt", "XX公司工会2024年1月工作月报", "春节前走访慰问困难职工家庭32户。")],
                 id="a year total and a month's part"),
    pytest.param([("三季度报告.txt", "XX公司工会2024年三季度工作报告", "截至9月底，累计走访慰问困难职工家庭86户。"),
                  ("四季度报告.txt", "XX公司工会2024年四季度工作报告", "全年累计走访慰问困难职工家庭120户。")],
                 id="totals to different dates"),
])
def test_figures_of_different_spans_are_neither_merged_nor_a_conflict(reports: list[tuple[str, ...]]) -> None:
    res = extract_materials([_txt(*r) for r in reports], 2024)
    assert len(res.facts) == 2 and not res.conflicts


def test_amount_cells_written_with_yuan_are_summed() -> None:
    data = "序号,姓名,慰问金额\n1,张三,500元\n2,李四,\"1,200元\"\n"
    res = extract_materials([("2024年慰问登记.csv", data.encode())], 2024)
    assert res.facts[0].text.endswith("慰问金额合计1700元")


def test_markdown_pipe_tables_and_a_news_items_own_date() -> None:
    md = "\n".join(["# XX公司工会2024年活动汇总", "| 时间 | 活动名称 | 参加人数 |", "|---|---|---|",
                    "| 2024-04-20 | 职工篮球赛 | 96 |", "## 二、存在不足", "- 活动覆盖面不够广。"])
    news = _txt("迎新年联欢会.txt", "公司工会举办迎新年联欢会", "发布时间：2023-12-30", "12月29日，公司工会举办迎新年联欢会，300余名职工参加。")
    res = extract_materials([("汇总.md", md.encode()), news], 2024)
    assert {(f.text, f.block) for f in res.facts} == {("4月20日职工篮球赛，参加96人", "items"),
                                                      ("活动覆盖面不够广", "shortcomings")}
    assert any(s.file == "迎新年联欢会.txt" and "2023年" in s.reason for s in res.skipped)


def test_short_lines_under_a_label_are_facts_not_headings() -> None:
    res = extract_materials([_txt("2024年工作要点.txt", "XX公司工会2024年工作总结", "全年慰问困难职工32户。", "存在不足：",
                                  "职工书屋利用率不高", "基层工会干部业务能力有待提高", "明年打算：", "建成职工健身房2处")], 2024)
    assert {(f.text, f.block) for f in res.facts} == {
        ("全年慰问困难职工32户", "items"), ("职工书屋利用率不高", "shortcomings"),
        ("基层工会干部业务能力有待提高", "shortcomings"), ("建成职工健身房2处", "plans")}


def test_docx_heading_styles_set_the_block() -> None:
    data = docx_bytes(["XX公司工会2024年工作总结", "# 全年工作", "全年慰问困难职工32户。", "# 存在的困难和问题",
                       "活动阵地面积偏小，难以满足职工需求。"])
    res = extract_materials([("总结.docx", data)], 2024)
    assert {(f.text, f.block) for f in res.facts} == {("全年慰问困难职工32户", "items"),
                                                      ("活动阵地面积偏小，难以满足职工需求", "shortcomings")}


def test_date_cells_saved_as_serial_numbers() -> None:
    csv = "日期,活动名称,参加人数\n45402,职工篮球赛,96\n45100,羽毛球赛,30\n"
    res = extract_materials([("活动登记表.csv", csv.encode())], 2024)
    assert [f.text for f in res.facts] == ["4月20日职工篮球赛，参加96人"]
    assert any("第3行" in s.reason and "2023年" in s.reason for s in res.skipped)


def test_a_heading_for_shortcomings_and_plans_together() -> None:
    res = extract_materials([_txt("2024年工作总结.txt", "XX公司工会2024年工作总结", "全年慰问困难职工32户。",
                                  "二、存在的不足和下一步打算", "职工书屋利用率不高。",
                                  "下一步，将新建职工书屋2个，继续开展职工读书月活动。")], 2024)
    assert [(f.text, f.block) for f in res.facts] == [
        ("全年慰问困难职工32户", "items"), ("职工书屋利用率不高", "shortcomings"),
        ("新建职工书屋2个", "plans"), ("继续开展职工读书月活动", "plans")]


def test_an_event_without_figures_never_joins_two_differing_reports() -> None:
    res = extract_materials([
        _txt("新闻.txt", "运动会新闻", "10月19日，公司第三届员工运动会在奥体中心举行。"),
        _txt("总结.txt", "XX公司工会2024年工作总结", "10月举办第三届员工运动会，参赛员工680人。"),
        _txt("简报.txt", "XX公司工会2024年四季度简报", "10月举办第三届员工运动会，参赛员工650人。"),
    ], 2024)
    (conflict,) = res.conflicts
    assert sorted(f.text[-4:] for f in conflict.facts) == ["650人", "680人"]
    assert not any("680" in f.text or "650" in f.text for f in res.facts)
