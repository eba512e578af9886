"""Write the labelled material bundles under tests/data/materials/ (regenerate with this script).

Each bundle is what a union office drops in at year end: work reports (.docx/.pdf/.txt/.md), news items,
spreadsheets (台账, 活动登记表; .xlsx with merged title/header cells, GBK .csv), and one file that cannot be
read. Next to the files, gold.json holds what the user expects back, written from the user's side before
the extractor was tuned:

    {"year", "org", "org_type",
     "facts": [{"block", "text", "must": [substrings every matching fact contains], "sources": [files],
                "optional": bool}],
     "conflicts": [{"values": [the two numbers as written], "sources": [files]}],
     "skipped": [files that must be reported as unreadable],
     "forbidden": [substrings that must not appear in any fact: other years, plans for next month]}

What was written by hand (each document's text, the gold labels) is data, in tools/materials/<bundle>.json;
the code below makes the rest (spreadsheets of random names, unreadable files) and the labels counted from
them.

    python tools/make_materials.py            # rewrites tests/data/materials/
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.material_files import (  # noqa: E402 - the repo root must be importable first
    corrupt_docx_bytes,
    docx_bytes,
    pdf_bytes,
    scanned_pdf_bytes,
    write,
    xlsx_bytes,
)

OUT = ROOT / "tests" / "data" / "materials"
SOURCES = ROOT / "tools" / "materials"  # per bundle, the documents' text and the gold labels, written by hand
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文斌海燕春晓鹏辉丹萍宁凤云飞"


def names(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))) for _ in range(n)]


def fact(block: str, text: str, must: list[str], sources: list[str], optional: bool = False) -> dict:
    return {"block": block, "text": text, "must": must, "sources": sources, "optional": optional}


def render(doc: dict) -> bytes:
    """A hand-written document of tools/materials/*.json as its file: `docx` (lines, tables), `pdf` (pages of
    lines), or `text` (lines in `encoding`, after a byte-order mark with `bom`)."""
    if doc["as"] == "docx":
        return docx_bytes(doc["lines"], tables=[(at, rows) for at, rows in doc.get("tables", [])])
    if doc["as"] == "pdf":
        return pdf_bytes(doc["pages"])
    return (("\ufeff" if doc.get("bom") else "") + "\n".join(doc["lines"])).encode(doc["encoding"])


def bundle(name: str, made: dict[str, bytes], computed: Sequence[list[dict]] = (),
           forbidden: Sequence[str] = ()) -> tuple[dict[str, bytes], dict]:
    """A bundle's files and gold labels from what was written by hand (SOURCES/<name>.json) and what the code
    made. Files come in the order the JSON lists them; one listed as null is `made[file]`. A gold fact written
    as "@i" stands for the facts `computed[i]` (counted from a generated sheet); `forbidden` strings are
    added to the hand-written ones. A fact's "note" (why it is there) is not part of the labels."""
    src = json.loads((SOURCES / f"{name}.json").read_text(encoding="utf-8"))
    files = {file: made.pop(file) if doc is None else render(doc) for file, doc in src["documents"].items()}
    assert not made, f"{name}: made but not listed: {list(made)}"
    gold = src["gold"]
    facts: list[dict] = []
    for f in gold["facts"]:
        if isinstance(f, str):
            facts += computed[int(f.removeprefix("@"))]
        else:
            facts.append(fact(f["block"], f["text"], f["must"], f["sources"], f.get("optional", False)))
    gold["facts"] = facts
    gold["forbidden"] += forbidden
    return files, gold


# ---------------------------------------------------------------------------------------------------------
def enterprise() -> tuple[dict[str, bytes], dict]:
    ledger = "困难职工帮扶台账.xlsx"
    rng = random.Random(2024)
    cats = ["大病救助"] * 8 + ["子女助学"] * 15 + ["生活困难补助"] * 20
    rng.shuffle(cats)
    amount = {"大病救助": (3000, 5000, 8000), "子女助学": (1000, 1500, 2000), "生活困难补助": (800, 1000, 1200)}
    depts = ["运维检修部", "营销服务中心", "调度控制中心", "物资供应中心", "综合服务中心"]
    rows = []
    for i, (c, nm) in enumerate(zip(cats, names(rng, len(cats)), strict=True), 1):
        rows.append([i, nm, rng.choice(depts), c, f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                     rng.choice(amount[c]), ""])
    old = [[44 + k, nm, rng.choice(depts), "生活困难补助", f"2023-12-{20 + k}", 1000, "2023年度补录"]
           for k, nm in enumerate(names(rng, 3))]
    sheet = xlsx_bytes([("帮扶台账", "XX市供电公司2024年困难职工帮扶台账",
                         [["序号", "姓名", "所在部门", "帮扶类别", "帮扶日期", "帮扶金额（元）", "备注"]], rows + old)])
    total = sum(r[5] for r in rows)
    by = {c: (sum(1 for r in rows if r[3] == c), sum(r[5] for r in rows if r[3] == c)) for c in amount}
    counted = [fact("items", f"全年帮扶困难职工43人次，发放帮扶金{total}元", ["43", str(total)], [ledger]),
               *[fact("items", f"{c}{n}人次，{s}元", [c, str(n), str(s)], [ledger]) for c, (n, s) in by.items()]]
    return bundle("enterprise", {ledger: sheet, "12月简报.docx": corrupt_docx_bytes()}, [counted],
                  forbidden=[str(total + 3000)])


# ---------------------------------------------------------------------------------------------------------
def school() -> tuple[dict[str, bytes], dict]:
    return bundle("school", {"工会活动照片集（扫描件）.pdf": scanned_pdf_bytes(3)})


# ---------------------------------------------------------------------------------------------------------
def community() -> tuple[dict[str, bytes], dict]:
    rng = random.Random(2025)
    trades = ["快递"] * 180 + ["外卖"] * 201 + ["网约车"] * 87
    rng.shuffle(trades)
    platforms = {"快递": ["顺丰速运", "中通快递", "京东物流"], "外卖": ["美团", "饿了么"], "网约车": ["滴滴出行", "T3出行"]}
    rows = [[i, nm, t, rng.choice(platforms[t]), f"2025-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"]
            for i, (t, nm) in enumerate(zip(trades, names(rng, len(trades)), strict=True), 1)]
    old = [[469 + k, nm, "外卖", "美团", f"2024-12-{10 + k}"] for k, nm in enumerate(names(rng, 12))]
    sheet = xlsx_bytes([("入会登记", "XX街道2025年新就业形态劳动者入会登记台账",
                         [["序号", "姓名", "所属行业", "所在平台/企业", "入会日期"]], rows[:200] + old + rows[200:])])
    return bundle("community", {"会员发展台账.xlsx": sheet})


# ---------------------------------------------------------------------------------------------------------
def hospital() -> tuple[dict[str, bytes], dict]:
    ledger = "职工慰问台账.xlsx"
    rng = random.Random(7)
    reasons = ["生病住院"] * 12 + ["直系亲属去世"] * 5 + ["生育"] * 6 + ["退休"] * 3
    rng.shuffle(reasons)
    cash = {"生病住院": 500, "直系亲属去世": 500, "生育": 300, "退休": 0}
    goods = {"生病住院": 200, "直系亲属去世": 0, "生育": 200, "退休": 600}
    depts = ["内科", "外科", "儿科", "妇产科", "急诊科", "护理部", "后勤保障科"]
    rows = [[i, nm, rng.choice(depts), r, cash[r], goods[r], f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
            for i, (r, nm) in enumerate(zip(reasons, names(rng, len(reasons)), strict=True), 1)]
    sheet = xlsx_bytes([("慰问登记", "XX县人民医院工会2024年职工慰问台账",
                         [["序号", "姓名", "科室", "慰问事由", "慰问金额（元）", None, "慰问日期"],
                          [None, None, None, None, "现金", "物资", None]], rows)], merged_header=4)
    cash_total, goods_total = sum(r[4] for r in rows), sum(r[5] for r in rows)
    by = {r: (reasons.count(r), cash[r] * reasons.count(r), goods[r] * reasons.count(r)) for r in cash}
    counted = [fact("items", f"全年慰问职工26人次，现金{cash_total}元，物资{goods_total}元",
                    ["26", str(cash_total), str(goods_total)], [ledger]),
               *[fact("items", f"{r}慰问{n}人次", [r, str(n)], [ledger]) for r, (n, _c, _g) in by.items()]]
    return bundle("hospital", {ledger: sheet}, [counted])


# ---------------------------------------------------------------------------------------------------------
# Second set: written and labelled after the extractor existed, scored once as it then was ("first run").
def agency() -> tuple[dict[str, bytes], dict]:
    import datetime as dt

    ledger = "困难职工慰问明细.xlsx"
    rng = random.Random(11)
    kinds = ["生活困难"] * 15 + ["因病困难"] * 8
    rng.shuffle(kinds)
    pay = {"生活困难": 2000, "因病困难": 5000}
    offices = ["预算处", "国库处", "综合处", "办公室", "绩效处"]
    rows = [[i, nm, rng.choice(offices), k, pay[k], dt.date(2024, rng.choice((1, 2)), rng.randint(1, 28))]
            for i, (k, nm) in enumerate(zip(kinds, names(rng, len(kinds)), strict=True), 1)]
    rows.append([24, names(rng, 1)[0], "办公室", "生活困难", 2000, dt.date(2023, 12, 29)])
    total = sum(r[4] for r in rows[:23])
    rows.append(["合计", None, None, None, total + 2000, None])
    sheet = xlsx_bytes([("慰问明细", "填报单位：XX市财政局机关工会",
                         [["序号", "姓名", "所在处室", "慰问类型", "慰问金（元）", "慰问时间"]], rows)])
    by = {k: (kinds.count(k), pay[k] * kinds.count(k)) for k in pay}
    counted = [fact("items", f"全年慰问困难职工23人次，慰问金合计{total}元", ["23", str(total)], [ledger]),
               *[fact("items", f"{k}{n}人次，{s}元", [k, str(n), str(s)], [ledger]) for k, (n, s) in by.items()]]
    ole_doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)  # an old binary .doc the extractor cannot read
    return bundle("agency", {ledger: sheet, "活动照片.doc": ole_doc}, [counted],
                  forbidden=[str(total + 2000), str(total + 4000)])


def bank() -> tuple[dict[str, bytes], dict]:
    contest, pay = "网点劳动竞赛统计表.xlsx", "慰问金发放表.csv"
    rng = random.Random(5)
    outlets = [f"{p}支行" for p in ("城东", "城西", "城南", "城北", "高新", "开发区", "滨江", "湖滨", "新区", "老城", "火车站",
                                   "大学城", "科技园", "港口", "机场", "体育路", "人民路", "解放路", "中山路", "建设路", "和平路",
                                   "胜利路", "长江路", "黄河路", "文化路", "东风路", "红旗路", "光明路", "幸福路", "朝阳路",
                                   "青年路", "花园路", "金融街", "商贸城", "工业园", "南湖", "北湖", "西湖")]
    awards = ["优胜网点"] * 8 + ["参赛网点"] * 30
    rng.shuffle(awards)
    srows = [[o, rng.randint(8, 25), rng.randint(300, 2000), a] for o, a in zip(outlets, awards, strict=True)]
    sheet = xlsx_bytes([("竞赛统计", "2024年“开门红”劳动竞赛网点统计表", [["网点名称", "参赛人数", "营销积分", "获奖情况"]], srows)])
    part = sum(r[1] for r in srows)
    cats = ["生活困难"] * 12 + ["大病医疗"] * 6 + ["子女就学"] * 5
    rng.shuffle(cats)
    amt = {"生活困难": 1500, "大病医疗": 3000, "子女就学": 1800}
    lines = ["2024年XX分行困难员工帮扶资金发放表,,,,,", "序号,姓名,网点,帮扶类别,金额（元）,发放日期"]
    for i, (c, nm) in enumerate(zip(cats, names(rng, len(cats)), strict=True), 1):
        lines.append(f"{i},{nm},{rng.choice(outlets)},{c},{amt[c]},2024-01-{rng.randint(10, 28)}")
    ptotal = sum(amt[c] for c in cats)
    lines.append(f"合计,,,,{ptotal},")
    by = {c: (cats.count(c), amt[c] * cats.count(c)) for c in amt}
    counted_contest = [fact("items", f"“开门红”劳动竞赛38个网点参赛，参赛人数合计{part}人", ["38", str(part)], [contest])]
    counted_pay = [fact("items", f"全年帮扶困难员工23人次，金额合计{ptotal}元", ["23", str(ptotal)], [pay]),
                   *[fact("items", f"{c}{n}人次，{s}元", [c, str(n), str(s)], [pay]) for c, (n, s) in by.items()]]
    made = {contest: sheet, pay: ("\ufeff" + "\n".join(lines)).encode("utf-8"), "空白.txt": b""}
    return bundle("bank", made, [counted_contest, counted_pay], forbidden=[str(ptotal * 2)])


# ---------------------------------------------------------------------------------------------------------
# Third set: written and labelled before being scored (first run recorded in the README), like the second.
def factory() -> tuple[dict[str, bytes], dict]:
    rng = random.Random(12)
    levels = ["一等奖"] * 3 + ["二等奖"] * 9 + ["三等奖"] * 20
    trades = ["焊工", "钳工", "数控车工", "电工", "装配钳工", "起重工"]
    rows = [[i, nm, rng.choice(["一车间", "二车间", "三车间", "装配车间"]), rng.choice(trades), rng.randint(80, 99), lv]
            for i, (lv, nm) in enumerate(zip(levels, names(rng, 32), strict=True), 1)]
    sheet = xlsx_bytes([("获奖名单", "第十二届职工技能大赛获奖名单", [["序号", "姓名", "单位", "工种", "成绩", "奖项"]], rows)])
    return bundle("factory", {"技能大赛获奖名单.xlsx": sheet})


def university() -> tuple[dict[str, bytes], dict]:
    rng = random.Random(3)
    kinds = ["本科"] * 17 + ["研究生"] * 8
    rows = ["姓名\t学院\t类别\t金额(元)\t日期"]
    for nm, k in zip(names(rng, 25), kinds, strict=True):
        rows.append(f"{nm}\t{rng.choice(['机械学院', '材料学院', '理学院', '管理学院'])}\t{k}\t2000\t2024-09-{rng.randint(1, 28):02d}")
    rows.append(f"{names(rng, 1)[0]}\t理学院\t本科\t2000\t2023-12-25")
    whole = pdf_bytes([["XX理工大学工会2024年第四季度工作简报", "慰问教职工30人。"]])
    return bundle("university", {"助学金发放表.csv": "\n".join(rows).encode("gb18030"),
                                 "无法打开.pdf": whole[: len(whole) // 3]})


def transport() -> tuple[dict[str, bytes], dict]:
    import datetime as dt

    rng = random.Random(23)
    stations = [f"{n}驿站" for n in ("火车站", "客运东站", "南湖", "高新区", "大学城", "东风路", "人民广场", "体育中心", "开发区",
                                     "滨江", "北站", "西郊", "老城", "新港", "机场")]
    invest = [2.0, 2.5, 3.1, 1.8, 2.2, 2.6, 2.4, 2.0, 2.5, 2.7, 2.4, 2.4]  # 28.6 in all
    rows = [[st, rng.choice(["1路", "5路", "K8路", "12路"]) + "首末站", dt.date(2023, rng.randint(1, 12), rng.randint(1, 28)), v]
            for st, v in zip(stations[:12], invest, strict=True)]
    rows += [[st, "3路首末站", dt.date(2022, 9, 10 + k), 2.0] for k, st in enumerate(stations[12:])]
    sheet = xlsx_bytes([("驿站", "爱心驿站建设台账", [["驿站名称", "所在线路/场站", "建成时间", "投入资金（万元）"]], rows)])
    cats = ["生产经营"] * 12 + ["生活福利"] * 14 + ["安全生产"] * 6 + ["其他"] * 3
    rng.shuffle(cats)
    lines = ["提案编号,提案人,提案内容,类别,办理情况"]
    for i, (c, nm) in enumerate(zip(cats, names(rng, len(cats)), strict=True), 1):
        lines.append(f"T2023-{i:02d},{nm},关于改善{rng.choice(['场站', '车辆', '食堂', '排班'])}条件的建议,{c},"
                     f"{rng.choice(['已办结', '已办结', '正在办理'])}")
    return bundle("transport", {"爱心驿站台账.xlsx": sheet, "职工代表提案汇总.csv": "\n".join(lines).encode("gbk"),
                                "现场照片.jpg": bytes(range(256)) * 40})


BUNDLES = {"enterprise": enterprise, "school": school, "community": community, "hospital": hospital,
           "agency": agency, "bank": bank, "factory": factory, "university": university, "transport": transport}


def main() -> None:
    for name, make in BUNDLES.items():
        files, gold = make()
        folder = OUT / name
        for old in (folder / "files").glob("*") if (folder / "files").exists() else []:
            old.unlink()
        for fname, data in files.items():
            write(folder / "files" / fname, data)
        gold["files"] = list(files)
        (folder / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{name}: {len(files)} files, {len(gold['facts'])} gold facts")


if __name__ == "__main__":
    main()
