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

    python tools/make_materials.py            # rewrites tests/data/materials/
"""

from __future__ import annotations

import json
import random
import sys
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
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文斌海燕春晓鹏辉丹萍宁凤云飞"


def names(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))) for _ in range(n)]


def fact(block: str, text: str, must: list[str], sources: list[str], optional: bool = False) -> dict:
    return {"block": block, "text": text, "must": must, "sources": sources, "optional": optional}


# ---------------------------------------------------------------------------------------------------------
def enterprise() -> tuple[dict[str, bytes], dict]:
    q1, news, march, q4 = ("2024年一季度工会工作报告.docx", "三八健步走新闻.txt", "3月工作月报.txt",
                           "2024年四季度工会工作报告.pdf")
    ledger, acts, broken = "困难职工帮扶台账.xlsx", "活动登记表.csv", "12月简报.docx"
    files: dict[str, bytes] = {}
    files[q1] = docx_bytes([
        "XX市供电公司工会2024年一季度工作报告",
        "# 一、主要工作开展情况",
        "## （一）强化思想政治引领",
        "一季度，公司工会认真学习贯彻党的二十大和二十届二中全会精神，坚持以职工为中心的工作导向，团结引导广大职工听党话、跟党走。",
        "1月18日，组织基层工会主席和工会干部开展专题学习2次，参学42人次。",
        "## （二）推进民主管理",
        "2月27日，召开公司三届二次职工代表大会，应到代表120名，实到116名，审议通过《集体合同》和《女职工权益保护专项集体合同》。",
        "会前共征集职工代表提案45件，立案31件，目前已全部落实承办部门。",
        "## （三）开展春节送温暖",
        "春节前夕，公司领导班子成员和工会干部分成6个小组，走访慰问困难职工家庭32户，发放慰问金6.4万元；慰问春节期间坚守一线的职工580人次。",
        "此外，2023年12月28日组织的迎新年登山活动（参加职工85人）相关表彰已于1月完成。",
        "## （四）做好女职工工作",
        "3月8日，组织开展“巾帼心向党·奋进新征程”健步走活动，120余名女职工参加。",
        "为全体315名女职工开展“两癌”筛查，切实维护女职工身体健康。",
        "# 二、存在的问题",
        "一是部分基层工会活动经费使用进度偏慢；二是职工文体活动的覆盖面还不够广。",
        "# 三、二季度工作安排",
        "4月下旬举办“五一”劳模先进表彰大会，筹备第二届职工篮球赛。",
    ])
    files[news] = "\n".join([
        "巾帼心向党 奋进新征程——公司工会举办三八节健步走活动",
        "发布时间：2024-03-09  来源：公司工会",
        "3月8日上午，XX市供电公司工会组织开展“巾帼心向党·奋进新征程”健步走活动，公司120余名女职工参加。",
        "活动全程5公里，沿滨江绿道行进，女职工们精神饱满、步伐矫健。",
        "公司工会主席在启动仪式上致辞，向全体女职工致以节日的问候。",
        "此次活动丰富了女职工的业余文化生活，增强了团队凝聚力。",
    ]).encode("gbk")
    files[march] = "\n".join([
        "公司工会2024年3月工作月报",
        "一、本月重点工作",
        "1. 完成三届二次职代会提案的分类整理，共征集职工代表提案48件，立案31件，已转交相关部门办理。",
        "2. 3月8日组织女职工健步走活动，参加女职工120余名。",
        "3. 3月12日组织青年职工开展义务植树活动，参加青年职工60人，植树200余棵。",
        "4. 启动“安康杯”竞赛，全公司38个班组报名参赛。",
        "二、下月工作计划",
        "1. 4月中旬开展职工技能比武预赛。",
        "2. 筹备“五一”表彰工作。",
    ]).encode("utf-8")
    files[q4] = pdf_bytes([[
        "XX市供电公司工会2024年四季度工作报告",
        "一、主要工作",
        "10月至11月，组织开展配网运维、电力营销、安全技能3个工种的职工技能比武，参赛职工126人次，评出技术能手12名。",
        "11月，开展职工书屋“悦读”活动，新增图书800册，借阅1260人次。",
        "12月，完成年度职工健康体检，共体检职工1046人。",
        "全年共发展新会员37名，会员入会率保持在99%以上。",
    ], [
        "二、存在的不足",
        "一是职工书屋利用率不高，部分职工读书习惯尚未养成；二是基层工会干部业务能力有待进一步提高。",
        "三、2025年工作打算",
        "2025年，公司工会将举办第二届职工技能运动会，计划建成职工健身房2处，力争职工书屋借阅量提高20%。",
        "同时，继续深化“安康杯”竞赛，推动厂务公开向班组延伸。",
    ]])
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
    files[ledger] = xlsx_bytes([("帮扶台账", "XX市供电公司2024年困难职工帮扶台账",
                                 [["序号", "姓名", "所在部门", "帮扶类别", "帮扶日期", "帮扶金额（元）", "备注"]],
                                 rows + old)])
    total = sum(r[5] for r in rows)
    by = {c: (sum(1 for r in rows if r[3] == c), sum(r[5] for r in rows if r[3] == c)) for c in amount}
    files[acts] = "\n".join([
        "日期,活动名称,组织部门,参加人数,备注",
        "2024-04-20,职工篮球赛,工会文体委员会,96,8支代表队",
        "2024-06-15,职工趣味运动会,公司工会,210,",
        "2024-09-12,乒乓球比赛,工会文体委员会,48,",
        "2024-10-26,秋季登山活动,公司工会,135,",
        "2023-11-05,羽毛球比赛,工会文体委员会,60,上年度活动",
    ]).encode("gbk")
    files[broken] = corrupt_docx_bytes()
    gold = {
        "year": 2024, "org": "XX市供电公司", "org_type": "企业",
        "facts": [
            fact("items", "组织工会干部开展专题学习2次，参学42人次", ["2次", "42人次"], [q1]),
            fact("items", "召开三届二次职工代表大会，实到代表116名，审议通过集体合同", ["116名", "集体合同"], [q1]),
            fact("items", "走访慰问困难职工家庭32户，发放慰问金6.4万元", ["32户", "6.4万元"], [q1]),
            fact("items", "慰问春节期间坚守一线的职工580人次", ["580人次"], [q1]),
            fact("items", "组织“巾帼心向党·奋进新征程”健步走活动，120余名女职工参加", ["健步走", "120余名"], [q1, news, march]),
            fact("items", "为315名女职工开展“两癌”筛查", ["315名"], [q1]),
            fact("items", "活动全程5公里", ["5公里"], [news], optional=True),
            fact("items", "组织青年职工义务植树，参加60人，植树200余棵", ["60人", "200余棵"], [march]),
            fact("items", "启动“安康杯”竞赛，38个班组报名参赛", ["38个班组"], [march]),
            fact("items", "组织3个工种的职工技能比武，参赛职工126人次，评出技术能手12名", ["126人次", "12名"], [q4]),
            fact("items", "开展职工书屋“悦读”活动，新增图书800册，借阅1260人次", ["800册", "1260人次"], [q4]),
            fact("items", "完成年度职工健康体检，体检职工1046人", ["1046人"], [q4]),
            fact("items", "全年发展新会员37名，会员入会率保持在99%以上", ["37名", "99%"], [q4]),
            fact("items", f"全年帮扶困难职工43人次，发放帮扶金{total}元", ["43", str(total)], [ledger]),
            *[fact("items", f"{c}{n}人次，{s}元", [c, str(n), str(s)], [ledger]) for c, (n, s) in by.items()],
            fact("items", "组织职工篮球赛，参加96人", ["篮球赛", "96"], [acts]),
            fact("items", "组织职工趣味运动会，参加210人", ["趣味运动会", "210"], [acts]),
            fact("items", "组织乒乓球比赛，参加48人", ["乒乓球", "48"], [acts]),
            fact("items", "组织秋季登山活动，参加135人", ["登山", "135"], [acts]),
            fact("items", "全年组织文体活动4场，参加489人次", ["4", "489"], [acts], optional=True),
            fact("shortcomings", "部分基层工会活动经费使用进度偏慢", ["经费", "进度"], [q1]),
            fact("shortcomings", "职工文体活动的覆盖面还不够广", ["覆盖面"], [q1]),
            fact("shortcomings", "职工书屋利用率不高", ["书屋", "利用率"], [q4]),
            fact("shortcomings", "基层工会干部业务能力有待进一步提高", ["业务能力"], [q4]),
            fact("plans", "举办第二届职工技能运动会", ["第二届职工技能运动会"], [q4]),
            fact("plans", "建成职工健身房2处", ["健身房2处"], [q4]),
            fact("plans", "职工书屋借阅量提高20%", ["20%"], [q4]),
            fact("plans", "继续深化“安康杯”竞赛", ["安康杯"], [q4]),
            fact("plans", "推动厂务公开向班组延伸", ["厂务公开"], [q4]),
        ],
        "conflicts": [{"values": ["45件", "48件"], "sources": [q1, march]}],
        "skipped": [broken],
        "forbidden": ["85人", "羽毛球", "4月下旬", "4月中旬", "46人次", str(total + 3000)],
    }
    return files, gold


# ---------------------------------------------------------------------------------------------------------
def school() -> tuple[dict[str, bytes], dict]:
    half, news, h2, scan, old = ("2024年上半年工会工作总结.md", "教职工体检新闻.txt", "2024年下半年工会工作素材.docx",
                                 "工会活动照片集（扫描件）.pdf", "2023年12月工会简报.txt")
    files: dict[str, bytes] = {}
    files[half] = "\n".join([
        "# XX市第一中学工会2024年上半年工作总结",
        "",
        "上半年，学校工会在学校党委和市教育工会的领导下，围绕立德树人根本任务，团结动员广大教职工履职尽责。",
        "",
        "## 一、加强师德师风建设",
        "- 3月，组织全体教职工签订师德承诺书，签订率100%。",
        "- 4月，开展“最美教师”评选活动，评出“最美教师”10名。",
        "## 二、推进民主管理",
        "- 1月12日召开第七届教代会第三次会议，参会代表86名，审议通过《绩效工资分配方案》。",
        "- 上半年校务公开栏更新12期，公开事项涉及职称评聘、评优评先等内容。",
        "## 三、关心关爱教职工",
        "- 春节前慰问退休教职工120人，发放慰问品价值3.6万元。",
        "- 5月组织全校教职工健康体检，参检186人。",
        "- 三八节组织女教职工赴城郊湿地公园开展踏青活动，参加女教职工74人。",
        "## 四、下半年工作思路",
        "- 筹备教师节庆祝活动，做好新学期教职工慰问。",
    ]).encode("utf-8")
    files[news] = "\n".join([
        "关爱教职工健康 学校工会组织年度体检",
        "（2024年5月20日）",
        "5月18日至19日，学校工会组织全校教职工到市人民医院进行健康体检，共有182名教职工参加体检。",
        "体检项目涵盖内科、外科、B超、心电图等14项。",
        "学校工会将根据体检结果，为教职工建立健康档案。",
    ]).encode("utf-8")
    files[h2] = docx_bytes([
        "XX市第一中学工会2024年下半年工作素材",
        "# 一、重点活动一览",
        "# 二、存在不足",
        "工会活动与教育教学工作结合还不够紧密。",
        "青年教师参与工会活动的积极性有待提高。",
        "# 三、明年打算",
        "明年，学校工会将继续开展“最美教师”评选，筹建教职工心理健康驿站1个。",
        "2025年计划组织教职工疗休养2批次。",
    ], tables=[(1, [
        ["时间", "活动名称", "参加人数", "说明"],
        ["2024年9月10日", "庆祝第40个教师节表彰大会", "240", "表彰优秀教师25名、优秀班主任12名"],
        ["2024年10月", "教职工气排球比赛", "64", "8支代表队"],
        ["2024年11月", "金秋助学", "", "资助困难教职工子女6名，发放助学金1.2万元"],
    ])])
    files[scan] = scanned_pdf_bytes(3)
    files[old] = "\n".join([
        "XX市第一中学工会简报",
        "2023年第12期",
        "12月15日，学校工会举办2023年教职工迎新年联欢会，全校200余名教职工参加。",
        "12月28日，慰问困难教职工8人，发放慰问金1.6万元。",
    ]).encode("gb18030")
    gold = {
        "year": 2024, "org": "XX市第一中学", "org_type": "学校",
        "facts": [
            fact("items", "组织全体教职工签订师德承诺书，签订率100%", ["师德承诺书", "100%"], [half]),
            fact("items", "开展“最美教师”评选，评出“最美教师”10名", ["最美教师", "10名"], [half]),
            fact("items", "召开第七届教代会第三次会议，参会代表86名", ["86名"], [half]),
            fact("items", "校务公开栏更新12期", ["12期"], [half]),
            fact("items", "春节前慰问退休教职工120人，发放慰问品价值3.6万元", ["120人", "3.6万元"], [half]),
            fact("items", "三八节组织女教职工踏青活动，参加74人", ["74人"], [half]),
            fact("items", "体检项目14项", ["14项"], [news], optional=True),
            fact("items", "庆祝第40个教师节表彰大会，参加240人，表彰优秀教师25名、优秀班主任12名", ["教师节", "240"], [h2]),
            fact("items", "教职工气排球比赛，参加64人", ["气排球", "64"], [h2]),
            fact("items", "金秋助学，资助困难教职工子女6名，发放助学金1.2万元", ["6名", "1.2万元"], [h2]),
            fact("shortcomings", "工会活动与教育教学工作结合还不够紧密", ["教育教学", "结合"], [h2]),
            fact("shortcomings", "青年教师参与工会活动的积极性有待提高", ["青年教师", "积极性"], [h2]),
            fact("plans", "继续开展“最美教师”评选", ["最美教师"], [h2]),
            fact("plans", "筹建教职工心理健康驿站1个", ["心理健康驿站"], [h2]),
            fact("plans", "组织教职工疗休养2批次", ["疗休养"], [h2]),
        ],
        "conflicts": [{"values": ["186人", "182名"], "sources": [half, news]}],
        "skipped": [scan],
        "forbidden": ["200余名", "1.6万元", "迎新年联欢会", "教师节庆祝活动"],
    }
    return files, gold


# ---------------------------------------------------------------------------------------------------------
def community() -> tuple[dict[str, bytes], dict]:
    monthly, news, ledger, h2 = ("2025年1-6月工作月报汇编.txt", "夏送清凉新闻稿.docx", "会员发展台账.xlsx",
                                 "2025年下半年工作总结及2026年打算.pdf")
    files: dict[str, bytes] = {}
    files[monthly] = "\n".join([
        "XX街道社区工会联合会工作月报（2025年1—6月）",
        "【1月】",
        "回顾2024年，联合会共服务户外劳动者3.2万人次。",
        "1月20日，联合辖区爱心企业开展“春节送温暖”活动，慰问困难职工和新就业形态劳动者56户，发放米面油等慰问品折合2.8万元。",
        "【2月】",
        "组建快递、外卖、网约车3个行业工会联合会，吸纳新就业形态劳动者入会412人。",
        "【3月】",
        "举办“法律进社区”普法讲座4场，受众320余人次。",
        "开展劳动争议调解，成功调解欠薪纠纷7起，涉及金额23.5万元。",
        "【4月】",
        "在户外劳动者服务站增设冷柜、微波炉等设施，全街道服务站总数达到15个。",
        "【5月】",
        "5月1日，举办“最美劳动者”故事分享会，表彰最美劳动者20名。",
        "【6月】",
        "开展“送清凉”活动，为一线环卫工人、快递员送去防暑降温物品1200份。",
        "下月计划：启动暑期“爱心托管班”。",
    ]).encode("gbk")
    files[news] = docx_bytes([
        "街道社区工会联合会开展“夏送清凉”活动",
        "6月25日，街道社区工会联合会开展“夏送清凉”活动，为辖区一线环卫工人、快递小哥、外卖骑手等户外劳动者送去防暑降温物品1200份。",
        "今年以来，街道户外劳动者服务站共提供休息、饮水等服务1.5万人次。",
        "联合会负责人表示，将持续做好新就业形态劳动者服务工作。",
    ])
    rng = random.Random(2025)
    trades = ["快递"] * 180 + ["外卖"] * 201 + ["网约车"] * 87
    rng.shuffle(trades)
    platforms = {"快递": ["顺丰速运", "中通快递", "京东物流"], "外卖": ["美团", "饿了么"], "网约车": ["滴滴出行", "T3出行"]}
    rows = [[i, nm, t, rng.choice(platforms[t]), f"2025-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"]
            for i, (t, nm) in enumerate(zip(trades, names(rng, len(trades)), strict=True), 1)]
    old = [[469 + k, nm, "外卖", "美团", f"2024-12-{10 + k}"] for k, nm in enumerate(names(rng, 12))]
    files[ledger] = xlsx_bytes([("入会登记", "XX街道2025年新就业形态劳动者入会登记台账",
                                 [["序号", "姓名", "所属行业", "所在平台/企业", "入会日期"]], rows[:200] + old + rows[200:])])
    files[h2] = pdf_bytes([[
        "XX街道社区工会联合会2025年下半年工作总结",
        "一、工作开展情况",
        "7月至8月，开办暑期“爱心托管班”2期，服务新就业形态劳动者子女85名。",
        "9月，组织新就业形态劳动者职业技能培训3期，培训学员156人，其中132人取得职业技能等级证书。",
        "10月，开展“工会进万家”走访活动，走访辖区非公企业46家。",
        "11月，举办新就业形态劳动者趣味运动会，参赛队伍12支、队员180人。",
        "二、存在问题",
        "新就业形态劳动者流动性大，入会后的服务和联系难以常态化。",
        "社区工会工作人员力量薄弱，兼职人员多。",
    ], [
        "三、2026年工作打算",
        "2026年，计划新建户外劳动者服务站5个。",
        "深化“八小时以外”关爱行动，持续开展“春送岗位、夏送清凉、金秋助学、冬送温暖”四季服务。",
    ]])
    gold = {
        "year": 2025, "org": "XX街道社区工会联合会", "org_type": "社区",
        "facts": [
            fact("items", "开展“春节送温暖”活动，慰问困难职工和新就业形态劳动者56户，发放慰问品折合2.8万元", ["56户", "2.8万元"], [monthly]),
            fact("items", "组建3个行业工会联合会，吸纳新就业形态劳动者入会412人", ["412人"], [monthly]),
            fact("items", "举办“法律进社区”普法讲座4场，受众320余人次", ["4场", "320余人次"], [monthly]),
            fact("items", "成功调解欠薪纠纷7起，涉及金额23.5万元", ["7起", "23.5万元"], [monthly]),
            fact("items", "全街道户外劳动者服务站总数达到15个", ["15个"], [monthly]),
            fact("items", "举办“最美劳动者”故事分享会，表彰最美劳动者20名", ["20名"], [monthly]),
            fact("items", "开展“送清凉”活动，为户外劳动者送去防暑降温物品1200份", ["1200份"], [monthly, news]),
            fact("items", "服务站共提供休息、饮水等服务1.5万人次", ["1.5万人次"], [news]),
            fact("items", "全年新就业形态劳动者入会468人", ["468"], [ledger]),
            fact("items", "快递行业入会180人", ["快递", "180"], [ledger]),
            fact("items", "外卖行业入会201人", ["外卖", "201"], [ledger]),
            fact("items", "网约车行业入会87人", ["网约车", "87"], [ledger]),
            fact("items", "开办暑期“爱心托管班”2期，服务劳动者子女85名", ["2期", "85名"], [h2]),
            fact("items", "组织职业技能培训3期，培训学员156人，132人取得职业技能等级证书", ["156人", "132人"], [h2]),
            fact("items", "开展“工会进万家”走访活动，走访非公企业46家", ["46家"], [h2]),
            fact("items", "举办新就业形态劳动者趣味运动会，参赛队伍12支、队员180人", ["12支", "180人"], [h2]),
            fact("shortcomings", "新就业形态劳动者流动性大，入会后的服务和联系难以常态化", ["流动性"], [h2]),
            fact("shortcomings", "社区工会工作人员力量薄弱，兼职人员多", ["力量薄弱"], [h2]),
            fact("plans", "新建户外劳动者服务站5个", ["服务站5个"], [h2]),
            fact("plans", "持续开展四季服务", ["四季服务"], [h2]),
            # added after the first run: the labeller had missed the sentence's first plan
            fact("plans", "深化“八小时以外”关爱行动", ["八小时以外"], [h2]),
        ],
        "conflicts": [],
        "skipped": [],
        "forbidden": ["3.2万人次", "480", "启动暑期"],
    }
    return files, gold


# ---------------------------------------------------------------------------------------------------------
def hospital() -> tuple[dict[str, bytes], dict]:
    q3, news, ledger, q1 = ("2024年第三季度工会工作报告.docx", "护理技能大赛新闻.txt", "职工慰问台账.xlsx",
                            "2024年第一季度工作报告.pdf")
    files: dict[str, bytes] = {}
    files[q3] = docx_bytes([
        "XX县人民医院工会2024年第三季度工作报告",
        "# 一、主要工作",
        "7月，开展“送清凉”慰问活动，走访慰问高温一线医务人员和后勤职工430人次，发放防暑降温物品价值4.3万元。",
        "8月19日，举办第七个“中国医师节”庆祝大会，表彰“优秀医师”20名、“优秀护士”15名。",
        "9月，举办“医者仁心”护理技能大赛，全院112名护士参赛。",
        "组织职工参加县总工会“安康杯”知识竞赛，获团体二等奖。",
        "# 二、存在的问题",
        "部分科室职工参加工会活动受工作时间限制，参与率不高。",
        "# 三、四季度工作打算",
        "开展年度职工健康体检，做好元旦春节慰问准备。",
    ])
    files[news] = "\n".join([
        "医院举办“医者仁心”护理技能大赛",
        "9月20日，医院工会联合护理部举办“医者仁心”护理技能大赛，全院112名护士参赛，经过理论考试和实操考核，评出一等奖2名、二等奖4名、三等奖6名。",
        "院领导为获奖选手颁奖，并勉励大家精益求精、守护患者健康。",
    ]).encode("gb18030")
    rng = random.Random(7)
    reasons = ["生病住院"] * 12 + ["直系亲属去世"] * 5 + ["生育"] * 6 + ["退休"] * 3
    rng.shuffle(reasons)
    cash = {"生病住院": 500, "直系亲属去世": 500, "生育": 300, "退休": 0}
    goods = {"生病住院": 200, "直系亲属去世": 0, "生育": 200, "退休": 600}
    depts = ["内科", "外科", "儿科", "妇产科", "急诊科", "护理部", "后勤保障科"]
    rows = [[i, nm, rng.choice(depts), r, cash[r], goods[r], f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
            for i, (r, nm) in enumerate(zip(reasons, names(rng, len(reasons)), strict=True), 1)]
    files[ledger] = xlsx_bytes([("慰问登记", "XX县人民医院工会2024年职工慰问台账",
                                 [["序号", "姓名", "科室", "慰问事由", "慰问金额（元）", None, "慰问日期"],
                                  [None, None, None, None, "现金", "物资", None]], rows)], merged_header=4)
    cash_total, goods_total = sum(r[4] for r in rows), sum(r[5] for r in rows)
    files[q1] = pdf_bytes([[
        "XX县人民医院工会2024年第一季度工作报告",
        "一、主要工作",
        "1月，开展“冬送温暖”活动，慰问困难职工18户，发放慰问金3.6万元。",
        "3月，召开二届四次职工代表大会，审议通过《医院绩效考核分配方案》。",
        "3月8日，组织女职工开展插花技艺培训，参加女职工65人。",
        "另据统计，2023年全年共接待职工来访12人次。",
        "二、下一步工作",
        "二季度将组织开展“5·12”国际护士节系列活动。",
    ]])
    by = {r: (reasons.count(r), cash[r] * reasons.count(r), goods[r] * reasons.count(r)) for r in cash}
    gold = {
        "year": 2024, "org": "XX县人民医院", "org_type": "医院",
        "facts": [
            fact("items", "开展“送清凉”慰问活动，慰问一线医务人员和后勤职工430人次，发放防暑降温物品价值4.3万元", ["430人次", "4.3万元"], [q3]),
            fact("items", "举办“中国医师节”庆祝大会，表彰“优秀医师”20名、“优秀护士”15名", ["20名", "15名"], [q3]),
            fact("items", "举办“医者仁心”护理技能大赛，全院112名护士参赛", ["112名"], [q3, news]),
            fact("items", "组织职工参加“安康杯”知识竞赛，获团体二等奖", ["安康杯", "二等奖"], [q3]),
            fact("items", f"全年慰问职工26人次，现金{cash_total}元，物资{goods_total}元", ["26", str(cash_total), str(goods_total)], [ledger]),
            *[fact("items", f"{r}慰问{n}人次", [r, str(n)], [ledger]) for r, (n, _c, _g) in by.items()],
            fact("items", "开展“冬送温暖”活动，慰问困难职工18户，发放慰问金3.6万元", ["18户", "3.6万元"], [q1]),
            fact("items", "召开二届四次职工代表大会，审议通过《医院绩效考核分配方案》", ["职工代表大会", "绩效考核"], [q1]),
            fact("items", "组织女职工插花技艺培训，参加65人", ["65人"], [q1]),
            fact("shortcomings", "部分科室职工参加工会活动受工作时间限制，参与率不高", ["参与率"], [q3]),
        ],
        "conflicts": [],
        "skipped": [],
        "forbidden": ["接待职工来访", "护士节", "元旦春节慰问"],
    }
    return files, gold


# ---------------------------------------------------------------------------------------------------------
# Second set: written and labelled after the extractor existed, scored once as it then was ("first run").
def agency() -> tuple[dict[str, bytes], dict]:
    import datetime as dt

    summ, minutes, ledger, news, old, doc = ("局机关工会2024年工作总结（初稿）.docx", "局机关工会委员会会议纪要（2024年第3次）.txt",
                                             "困难职工慰问明细.xlsx", "气排球比赛通讯稿.txt", "2023年度工会经费收支情况.pdf",
                                             "活动照片.doc")
    files: dict[str, bytes] = {}
    files[summ] = docx_bytes([
        "XX市财政局机关工会2024年工作总结",
        "2024年，局机关工会在局党组和市直机关工会的正确领导下，紧紧围绕财政中心工作，团结带领干部职工真抓实干，现将一年来的工作总结如下：",
        "# 一、突出政治引领",
        "全年组织干部职工开展“学习贯彻党的二十届三中全会精神”专题学习6次，举办“财政大讲堂”4期，累计参学860人次。",
        "# 二、关心干部职工生活",
        "元旦春节期间，走访慰问困难干部职工23户、退休老干部46人，发放慰问金及慰问品共计9.2万元。",
        "为全局312名干部职工办理职工互助保障，参保率100%。",
        "坚持“婚丧嫁娶、生病住院必访”制度，全年看望生病住院干部职工17人次。",
        "# 三、丰富文体活动",
        "6月举办第五届“财政杯”气排球比赛，12支代表队140余名干部职工参赛；10月组织“喜迎国庆”健步行活动，参加干部职工280人。",
        "# 四、存在的问题和不足",
        "一年来，机关工会工作取得了一定成效，但也存在一些不足：一是服务干部职工的方式方法还不够多样；二是工会干部多为兼职，精力投入有限。",
        "# 五、2025年工作思路",
        "一是深化“财政大讲堂”品牌，全年举办不少于6期；二是推进“职工之家”提档升级，新建母婴室1间；三是组织干部职工疗休养，力争覆盖率达到30%以上。",
    ])
    files[minutes] = "\n".join([
        "XX市财政局机关工会委员会会议纪要",
        "时间：2024年6月12日  地点：局机关三楼会议室",
        "出席：工会委员7人  列席：2人",
        "会议听取了上半年工会工作情况汇报。",
        "会议研究决定，拨付专项经费5万元用于“职工之家”活动室改造。",
        "会议明确，下半年重点做好“金秋助学”和迎新年系列活动。",
    ]).encode("utf-8")
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
    files[ledger] = xlsx_bytes([("慰问明细", "填报单位：XX市财政局机关工会",
                                 [["序号", "姓名", "所在处室", "慰问类型", "慰问金（元）", "慰问时间"]], rows)])
    files[news] = "\n".join([
        "市财政局举办第五届“财政杯”气排球比赛",
        "6月14日至15日，市财政局第五届“财政杯”气排球比赛在市体育馆举行，来自局属各单位的12支代表队140余名干部职工参加比赛。",
        "经过两天激烈角逐，预算处代表队获得冠军。",
        "比赛展现了财政干部职工团结协作、奋勇争先的精神风貌。",
    ]).encode("gbk")
    files[old] = pdf_bytes([["XX市财政局机关工会2023年度经费收支情况", "2023年全年工会经费收入48.6万元，支出45.2万元。"]])
    files[doc] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)
    by = {k: (kinds.count(k), pay[k] * kinds.count(k)) for k in pay}
    gold = {
        "year": 2024, "org": "XX市财政局", "org_type": "机关", "set": "second",
        "facts": [
            fact("items", "组织专题学习6次，举办“财政大讲堂”4期，累计参学860人次", ["860人次"], [summ]),
            fact("items", "走访慰问困难干部职工23户、退休老干部46人，发放慰问金及慰问品共计9.2万元", ["23户", "46人", "9.2万元"], [summ]),
            fact("items", "为312名干部职工办理职工互助保障，参保率100%", ["312名", "100%"], [summ]),
            fact("items", "看望生病住院干部职工17人次", ["17人次"], [summ]),
            fact("items", "举办第五届“财政杯”气排球比赛，12支代表队140余名干部职工参赛", ["12支", "140余名"], [summ, news]),
            fact("items", "组织“喜迎国庆”健步行活动，参加干部职工280人", ["280人"], [summ]),
            fact("items", "拨付专项经费5万元用于“职工之家”活动室改造", ["5万元"], [minutes], optional=True),
            fact("items", "预算处代表队获得冠军", ["冠军"], [news], optional=True),
            fact("items", f"全年慰问困难职工23人次，慰问金合计{total}元", ["23", str(total)], [ledger]),
            *[fact("items", f"{k}{n}人次，{s}元", [k, str(n), str(s)], [ledger]) for k, (n, s) in by.items()],
            fact("shortcomings", "服务干部职工的方式方法还不够多样", ["方式方法"], [summ]),
            fact("shortcomings", "工会干部多为兼职，精力投入有限", ["兼职"], [summ]),
            fact("plans", "深化“财政大讲堂”品牌，全年举办不少于6期", ["财政大讲堂"], [summ]),
            fact("plans", "推进“职工之家”提档升级，新建母婴室1间", ["母婴室"], [summ]),
            fact("plans", "组织干部职工疗休养，力争覆盖率达到30%以上", ["30%"], [summ]),
        ],
        "conflicts": [],
        "skipped": [doc],
        "forbidden": ["48.6万元", "45.2万元", "列席", "下半年重点", str(total + 2000), str(total + 4000)],
    }
    return files, gold


def bank() -> tuple[dict[str, bytes], dict]:
    summ, news, sheet, brief, pay, empty = ("2024年工会工作总结.pdf", "员工运动会新闻.docx", "网点劳动竞赛统计表.xlsx",
                                            "三季度工会工作简报.txt", "慰问金发放表.csv", "空白.txt")
    files: dict[str, bytes] = {}
    files[summ] = pdf_bytes([[
        "XX银行XX分行工会2024年工作总结",
        "一、主要工作",
        "（一）服务经营发展。围绕全行中心工作，组织开展“开门红”劳动竞赛，全行38个网点参赛，评选优胜网点8个、营销能手45名。",
        "（二）关爱员工。全年慰问困难员工二十三户，发放帮扶资金四万五千元；为1260名员工送上生日祝福。",
        "（三）文体活动。成功举办第三届员工运动会，设置项目15个，参赛员工680余人。",
        "截至11月底，全行工会会员1302人，入会率100%。",
    ], [
        "二、存在的不足",
        "基层网点员工工作压力较大，工会活动参与时间难以保证。",
        "三、2025年工作打算",
        "深入开展“减压赋能”行动，全年组织心理健康讲座不少于4场。",
        "建设“爱心驿站”10个，服务户外劳动者。",
    ]])
    files[news] = docx_bytes([
        "XX分行第三届员工运动会圆满落幕",
        "2024年10月19日，XX分行第三届员工运动会在市奥体中心举行。本届运动会设置田径、趣味等项目15个，全行680余名员工参赛。",
        "运动会共决出团体一等奖1个、二等奖2个，个人奖项60余个。",
    ])
    rng = random.Random(5)
    outlets = [f"{p}支行" for p in ("城东", "城西", "城南", "城北", "高新", "开发区", "滨江", "湖滨", "新区", "老城", "火车站",
                                   "大学城", "科技园", "港口", "机场", "体育路", "人民路", "解放路", "中山路", "建设路", "和平路",
                                   "胜利路", "长江路", "黄河路", "文化路", "东风路", "红旗路", "光明路", "幸福路", "朝阳路",
                                   "青年路", "花园路", "金融街", "商贸城", "工业园", "南湖", "北湖", "西湖")]
    awards = ["优胜网点"] * 8 + ["参赛网点"] * 30
    rng.shuffle(awards)
    srows = [[o, rng.randint(8, 25), rng.randint(300, 2000), a] for o, a in zip(outlets, awards, strict=True)]
    files[sheet] = xlsx_bytes([("竞赛统计", "2024年“开门红”劳动竞赛网点统计表",
                                [["网点名称", "参赛人数", "营销积分", "获奖情况"]], srows)])
    part = sum(r[1] for r in srows)
    files[brief] = "\n".join([
        "XX分行工会2024年第三季度工作简报",
        "7月，开展“夏送清凉”活动，为全行38个网点送去防暑降温物品，价值3.8万元。",
        "8月，组织青年员工参加总行“青春建功”演讲比赛，获得二等奖1个。",
        "9月，为员工子女发放金秋助学金，资助员工子女考入大学12人，每人2000元。",
        "另：去年同期资助9人。",
        "四季度计划：组织员工年度体检。",
    ]).encode("utf-8")
    cats = ["生活困难"] * 12 + ["大病医疗"] * 6 + ["子女就学"] * 5
    rng.shuffle(cats)
    amt = {"生活困难": 1500, "大病医疗": 3000, "子女就学": 1800}
    lines = ["2024年XX分行困难员工帮扶资金发放表,,,,,", "序号,姓名,网点,帮扶类别,金额（元）,发放日期"]
    for i, (c, nm) in enumerate(zip(cats, names(rng, len(cats)), strict=True), 1):
        lines.append(f"{i},{nm},{rng.choice(outlets)},{c},{amt[c]},2024-01-{rng.randint(10, 28)}")
    ptotal = sum(amt[c] for c in cats)
    lines.append(f"合计,,,,{ptotal},")
    files[pay] = ("\ufeff" + "\n".join(lines)).encode("utf-8")
    files[empty] = b""
    by = {c: (cats.count(c), amt[c] * cats.count(c)) for c in amt}
    gold = {
        "year": 2024, "org": "XX银行XX分行", "org_type": "银行", "set": "second",
        "facts": [
            fact("items", "组织开展“开门红”劳动竞赛，全行38个网点参赛，评选优胜网点8个、营销能手45名", ["38个网点", "45名"], [summ]),
            fact("items", "全年慰问困难员工二十三户，发放帮扶资金四万五千元", ["二十三户", "四万五千元"], [summ]),
            fact("items", "为1260名员工送上生日祝福", ["1260名"], [summ]),
            fact("items", "举办第三届员工运动会，设置项目15个，参赛员工680余人", ["15个", "680余"], [summ, news]),
            fact("items", "全行工会会员1302人，入会率100%", ["1302人", "100%"], [summ]),
            fact("items", "运动会决出团体一等奖1个、二等奖2个，个人奖项60余个", ["60余个"], [news], optional=True),
            fact("items", f"“开门红”劳动竞赛38个网点参赛，参赛人数合计{part}人", ["38", str(part)], [sheet]),
            fact("items", "其中优胜网点8个", ["优胜网点", "8"], [sheet], optional=True),
            fact("items", "其中参赛网点30个", ["参赛网点", "30"], [sheet], optional=True),
            fact("items", "开展“夏送清凉”活动，为38个网点送去防暑降温物品，价值3.8万元", ["3.8万元"], [brief]),
            fact("items", "组织青年员工参加“青春建功”演讲比赛，获得二等奖1个", ["演讲比赛", "二等奖"], [brief]),
            fact("items", "资助员工子女考入大学12人，每人2000元", ["12人", "2000元"], [brief]),
            fact("items", f"全年帮扶困难员工23人次，金额合计{ptotal}元", ["23", str(ptotal)], [pay]),
            *[fact("items", f"{c}{n}人次，{s}元", [c, str(n), str(s)], [pay]) for c, (n, s) in by.items()],
            fact("shortcomings", "基层网点员工工作压力较大，工会活动参与时间难以保证", ["工作压力"], [summ]),
            fact("plans", "深入开展“减压赋能”行动，全年组织心理健康讲座不少于4场", ["心理健康讲座"], [summ]),
            fact("plans", "建设“爱心驿站”10个", ["爱心驿站"], [summ]),
        ],
        "conflicts": [],
        "skipped": [empty],
        "forbidden": ["去年同期", "年度体检", str(ptotal * 2)],
    }
    return files, gold


# ---------------------------------------------------------------------------------------------------------
# Third set: written and labelled before being scored (first run recorded in the README), like the second.
def factory() -> tuple[dict[str, bytes], dict]:
    jan, jun, prize, minutes, news, last = ("1月工会工作月报.docx", "6月工会工作月报.docx", "技能大赛获奖名单.xlsx",
                                            "职工之家建设专题会议纪要.pdf", "十二届技能大赛新闻.md", "2023年度工会工作总结.docx")
    files: dict[str, bytes] = {}
    files[jan] = docx_bytes([
        "XX重工机械有限公司工会1月工作月报",
        "# 一、本月工作完成情况",
        "1. 召开公司第四届职工代表大会第二次会议，104名职工代表参会，审议通过《2024年度工资集体协商协议》。",
        "2. 开展“两节”送温暖活动，公司领导带队走访慰问困难职工41户、劳动模范9名，发放慰问金及物资合计12.3万元。",
        "3. 为一线倒班职工发放春节坚守岗位慰问品，共计1350份。",
        "# 二、下月工作计划",
        "1. 组织元宵节灯谜竞猜活动。",
    ])
    files[jun] = docx_bytes([
        "XX重工机械有限公司工会6月工作月报",
        "# 一、本月工作完成情况",
        "1. 开展“安全生产月”活动，组织班组安全隐患排查，共查出隐患73项，已整改68项。",
        "2. 举办第十二届职工技能大赛，设焊工、钳工、数控车工等6个工种，参赛选手216人，32人获“技术能手”称号。",
        "3. 端午节为全体职工发放节日慰问品，覆盖职工2860人。",
        "# 二、存在问题",
        "部分车间职工参加工会活动的时间难以保证。",
    ])
    rng = random.Random(12)
    levels = ["一等奖"] * 3 + ["二等奖"] * 9 + ["三等奖"] * 20
    trades = ["焊工", "钳工", "数控车工", "电工", "装配钳工", "起重工"]
    rows = [[i, nm, rng.choice(["一车间", "二车间", "三车间", "装配车间"]), rng.choice(trades), rng.randint(80, 99), lv]
            for i, (lv, nm) in enumerate(zip(levels, names(rng, 32), strict=True), 1)]
    files[prize] = xlsx_bytes([("获奖名单", "第十二届职工技能大赛获奖名单",
                                [["序号", "姓名", "单位", "工种", "成绩", "奖项"]], rows)])
    files[minutes] = pdf_bytes([[
        "XX重工机械有限公司工会专题会议纪要",
        "2024年3月15日，公司工会召开职工之家建设专题会议，工会委员及各分工会主席共15人参加。",
        "会议确定，2024年投入资金45万元，对3个车间职工休息室进行改造升级。",
        "会议要求，各分工会要于4月底前上报职工需求清单。",
    ]])
    files[news] = "\n".join([
        "# 公司第十二届职工技能大赛落幕",
        "",
        "6月20日至22日，公司第十二届职工技能大赛在实训基地举行。大赛设6个工种，216名选手同台竞技，最终32名选手获得“技术能手”称号。",
        "",
        "公司党委书记出席闭幕式并为获奖选手颁奖。",
    ]).encode("utf-8")
    files[last] = docx_bytes([
        "XX重工机械有限公司工会2023年度工作总结",
        "# 一、主要工作",
        "2023年，公司工会走访慰问困难职工38户，发放慰问金7.6万元。",
        "# 二、2024年工作打算",
        "2024年计划举办第十二届职工技能大赛，建成职工书屋分馆2个。",
    ])
    gold = {
        "year": 2024, "org": "XX重工机械有限公司", "org_type": "企业", "set": "third",
        "facts": [
            fact("items", "召开第四届职代会第二次会议，104名职工代表参会，审议通过工资集体协商协议", ["104名"], [jan]),
            fact("items", "走访慰问困难职工41户、劳动模范9名，发放慰问金及物资合计12.3万元", ["41户", "12.3万元"], [jan]),
            fact("items", "为一线倒班职工发放春节坚守岗位慰问品1350份", ["1350份"], [jan]),
            fact("items", "开展“安全生产月”活动，查出隐患73项，已整改68项", ["73项", "68项"], [jun]),
            fact("items", "举办第十二届职工技能大赛，6个工种，参赛选手216人，32人获“技术能手”称号", ["216"], [jun, news]),
            fact("items", "端午节发放节日慰问品，覆盖职工2860人", ["2860人"], [jun]),
            fact("items", "技能大赛获奖32人", ["32"], [prize]),
            fact("items", "其中一等奖3人", ["一等奖", "3"], [prize]),
            fact("items", "其中二等奖9人", ["二等奖", "9"], [prize]),
            fact("items", "其中三等奖20人", ["三等奖", "20"], [prize]),
            fact("items", "召开职工之家建设专题会议，15人参加", ["15人"], [minutes], optional=True),
            fact("items", "投入资金45万元，改造3个车间职工休息室", ["45万元"], [minutes], optional=True),
            fact("shortcomings", "部分车间职工参加工会活动的时间难以保证", ["时间难以保证"], [jun]),
        ],
        "conflicts": [],
        "skipped": [],
        "forbidden": ["灯谜", "需求清单", "38户", "7.6万元", "书屋分馆"],
    }
    return files, gold


def university() -> tuple[dict[str, bytes], dict]:
    summ, brief, aid, plan, broken = ("2024年工会工作总结.txt", "教代会简报.docx", "助学金发放表.csv",
                                      "2025年工作要点（征求意见稿）.docx", "无法打开.pdf")
    files: dict[str, bytes] = {}
    files[summ] = "\n".join([
        "XX理工大学工会2024年工作总结",
        "一、主要工作",
        "（一）民主管理。召开第八届教职工代表大会第四次会议，收到提案５６件，立案４２件，答复率１００％。",
        "（二）关爱帮扶。全年走访慰问困难教职工及退休教职工一百零六人次，发放慰问金二十一万元。",
        "（三）文体活动。组织教职工参加省高校教职工排球赛，获得女子组第三名；举办校园健步走活动，参与教职工1,200余人。",
        "二、存在的不足",
        "教职工文体活动场地不足，活动开展受到一定限制。",
        "三、二〇二五年工作设想",
        "1. 推进二级教代会规范化建设，实现二级单位全覆盖。",
        "2. 建设教职工健身中心1个。",
    ]).encode("gb18030")
    files[brief] = docx_bytes([
        "XX理工大学第八届教代会第四次会议胜利闭幕",
        "2024年3月28日，学校第八届教职工代表大会第四次会议胜利闭幕。大会共收到提案56件，经提案工作委员会审查，立案42件。",
    ])
    rng = random.Random(3)
    kinds = ["本科"] * 17 + ["研究生"] * 8
    rows = ["姓名\t学院\t类别\t金额(元)\t日期"]
    for nm, k in zip(names(rng, 25), kinds, strict=True):
        rows.append(f"{nm}\t{rng.choice(['机械学院', '材料学院', '理学院', '管理学院'])}\t{k}\t2000\t2024-09-{rng.randint(1, 28):02d}")
    rows.append(f"{names(rng, 1)[0]}\t理学院\t本科\t2000\t2023-12-25")
    files[aid] = "\n".join(rows).encode("gb18030")
    files[plan] = docx_bytes([
        "XX理工大学工会2025年工作要点",
        "# 一、加强思想政治引领",
        "全年举办教职工骨干培训班4期。",
        "# 二、提升服务水平",
        "组织教职工疗休养，覆盖300人。",
    ])
    whole = pdf_bytes([["XX理工大学工会2024年第四季度工作简报", "慰问教职工30人。"]])
    files[broken] = whole[: len(whole) // 3]
    gold = {
        "year": 2024, "org": "XX理工大学", "org_type": "学校", "set": "third",
        "facts": [
            fact("items", "召开第八届教代会第四次会议，收到提案56件，立案42件，答复率100%", ["提案"], [summ, brief]),
            fact("items", "全年走访慰问困难教职工及退休教职工一百零六人次，发放慰问金二十一万元", ["一百零六人次", "二十一万元"], [summ]),
            fact("items", "组织教职工参加省高校教职工排球赛，获得女子组第三名", ["排球赛", "第三名"], [summ]),
            fact("items", "举办校园健步走活动，参与教职工1,200余人", ["1,200余人"], [summ]),
            fact("items", "全年发放助学金25人次，合计50000元", ["25", "50000"], [aid]),
            fact("items", "其中本科17人次，34000元", ["本科", "17", "34000"], [aid]),
            fact("items", "其中研究生8人次，16000元", ["研究生", "8", "16000"], [aid]),
            fact("shortcomings", "教职工文体活动场地不足，活动开展受到一定限制", ["场地不足"], [summ]),
            fact("plans", "推进二级教代会规范化建设，实现二级单位全覆盖", ["二级教代会"], [summ]),
            fact("plans", "建设教职工健身中心1个", ["健身中心"], [summ]),
            fact("plans", "全年举办教职工骨干培训班4期", ["培训班4期"], [plan]),
            fact("plans", "组织教职工疗休养，覆盖300人", ["疗休养"], [plan]),
        ],
        "conflicts": [],
        "skipped": [broken],
        "forbidden": ["52000", "30人"],
    }
    return files, gold


def transport() -> tuple[dict[str, bytes], dict]:
    import datetime as dt

    summ, news, ledger, old, motions, photo = ("2023年工会工作总结.docx", "送清凉新闻.txt", "爱心驿站台账.xlsx",
                                               "2022年度总结.pdf", "职工代表提案汇总.csv", "现场照片.jpg")
    files: dict[str, bytes] = {}
    files[summ] = docx_bytes([
        "XX市公共交通集团有限公司工会2023年工作总结",
        "# 一、主要工作及成效",
        "（一）围绕安全运营，深化劳动竞赛。全年共组织驾驶员技能比武2场，参赛驾驶员386人次，评选“星级驾驶员”50名。",
        "（二）改善一线条件，建设爱心驿站。投入资金28.6万元，新建、改造职工爱心驿站12个，为一线驾驶员提供休息、热饭等服务。",
        "（三）落实帮扶制度，传递组织温暖。元旦春节期间慰问困难职工、劳模及一线职工共计1120人次，发放慰问金和慰问品折合56万元。",
        "（四）倾听职工心声。组织开展“司机之家”满意度调查，收回问卷1500份，满意率达96.5%。",
        "# 二、存在的问题",
        "一是部分老旧场站休息设施仍较简陋；二是驾驶员工作时间长，参加工会活动难。",
        "# 三、2024年工作计划",
        "1. 新建“司机之家”5个。",
        "2. 开展第十届驾驶员技能比武。",
        "3. 力争困难职工帮扶覆盖率达到100%。",
    ])
    files[news] = ("\ufeff" + "\n".join([
        "公交集团工会“夏送清凉”慰问一线职工",
        "7月15日起，公司工会开展“夏送清凉”慰问活动，历时一个月，走访慰问一线驾驶员、修理工等2300余人次，发放防暑降温物品价值18万元。",
        "据了解，去年同期公司工会共发放防暑降温物品价值15万元。",
    ])).encode("utf-8")
    rng = random.Random(23)
    stations = [f"{n}驿站" for n in ("火车站", "客运东站", "南湖", "高新区", "大学城", "东风路", "人民广场", "体育中心", "开发区",
                                     "滨江", "北站", "西郊", "老城", "新港", "机场")]
    invest = [2.0, 2.5, 3.1, 1.8, 2.2, 2.6, 2.4, 2.0, 2.5, 2.7, 2.4, 2.4]  # 28.6 in all
    rows = [[st, rng.choice(["1路", "5路", "K8路", "12路"]) + "首末站", dt.date(2023, rng.randint(1, 12), rng.randint(1, 28)), v]
            for st, v in zip(stations[:12], invest, strict=True)]
    rows += [[st, "3路首末站", dt.date(2022, 9, 10 + k), 2.0] for k, st in enumerate(stations[12:])]
    files[ledger] = xlsx_bytes([("驿站", "爱心驿站建设台账", [["驿站名称", "所在线路/场站", "建成时间", "投入资金（万元）"]], rows)])
    files[old] = pdf_bytes([["XX市公共交通集团有限公司工会2022年度工作总结", "全年慰问一线职工980人次，发放慰问金41万元。"]])
    cats = ["生产经营"] * 12 + ["生活福利"] * 14 + ["安全生产"] * 6 + ["其他"] * 3
    rng.shuffle(cats)
    lines = ["提案编号,提案人,提案内容,类别,办理情况"]
    for i, (c, nm) in enumerate(zip(cats, names(rng, len(cats)), strict=True), 1):
        lines.append(f"T2023-{i:02d},{nm},关于改善{rng.choice(['场站', '车辆', '食堂', '排班'])}条件的建议,{c},"
                     f"{rng.choice(['已办结', '已办结', '正在办理'])}")
    files[motions] = "\n".join(lines).encode("gbk")
    files[photo] = bytes(range(256)) * 40
    gold = {
        "year": 2023, "org": "XX市公共交通集团有限公司", "org_type": "企业", "set": "fourth",
        "facts": [
            fact("items", "组织驾驶员技能比武2场，参赛驾驶员386人次，评选“星级驾驶员”50名", ["386人次", "50名"], [summ]),
            fact("items", "投入资金28.6万元，新建、改造职工爱心驿站12个", ["28.6"], [summ, ledger]),
            fact("items", "元旦春节期间慰问职工共计1120人次，发放慰问金和慰问品折合56万元", ["1120人次", "56万元"], [summ]),
            fact("items", "开展“司机之家”满意度调查，收回问卷1500份，满意率达96.5%", ["1500份", "96.5%"], [summ]),
            fact("items", "开展“夏送清凉”慰问活动，慰问一线职工2300余人次，发放防暑降温物品价值18万元", ["2300余人次", "18万元"], [news]),
            fact("items", "职工代表提案35件", ["35"], [motions]),
            fact("items", "其中生活福利14件", ["生活福利", "14"], [motions], optional=True),
            fact("items", "其中生产经营12件", ["生产经营", "12"], [motions], optional=True),
            fact("items", "其中安全生产6件", ["安全生产", "6"], [motions], optional=True),
            fact("items", "其中其他3件", ["其他", "3"], [motions], optional=True),
            fact("shortcomings", "部分老旧场站休息设施仍较简陋", ["休息设施"], [summ]),
            fact("shortcomings", "驾驶员工作时间长，参加工会活动难", ["工作时间长"], [summ]),
            fact("plans", "新建“司机之家”5个", ["司机之家”5个"], [summ]),
            fact("plans", "开展第十届驾驶员技能比武", ["第十届"], [summ]),
            fact("plans", "力争困难职工帮扶覆盖率达到100%", ["100%"], [summ]),
        ],
        "conflicts": [],
        "skipped": [photo],
        "forbidden": ["15万元", "980人次", "41万元", "34.6", "15个"],
    }
    return files, gold


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
