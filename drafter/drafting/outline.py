"""Facts → outline: opening, 3–7 themed body sections with genre headings, shortcomings, plans, closing.

The rule-based planner needs no model: each fact goes to the theme its words point to, themes become
sections in the order the genre uses, and headings are the two-clause parallel phrases readers expect,
fitted to the organisation type. A model may propose an outline instead; an answer that does not parse
or does not place every fact exactly once falls back to the rules.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..facts import Facts
from ..models import OutlineSection

NUMERALS = "一二三四五六七八九十"
_HEADING_NUMBER = re.compile(rf"^[{NUMERALS}]+、\s*")


def bare_heading(heading: str) -> str:
    """A level-1 heading without its number: `三、关心职工生活` → `关心职工生活`."""
    return _HEADING_NUMBER.sub("", heading.strip())


@dataclass(frozen=True)
class Theme:
    key: str
    keywords: tuple[str, ...]
    heading: str  # {staff} and {open} are filled per organisation type
    query: str  # what retrieval looks for besides the facts themselves
    lead: str  # stock opening sentence of the section (no numbers)
    wrap: str  # stock closing sentence (no numbers)


THEMES: tuple[Theme, ...] = (
    Theme("politics", ("思想", "政治", "理论", "学习", "宣讲", "主题教育", "党", "宣传", "意识形态", "读书班", "报告会"),
          "加强思想政治引领，凝聚{staff}奋进力量", "思想政治 理论学习 宣传教育",
          "工会始终把思想政治引领放在首位，教育引导广大{staff}坚定理想信念、凝聚奋进力量。",
          "{staff}的思想认同和政治自觉进一步增强。"),
    Theme("democracy", ("职代会", "职工代表", "代表大会", "厂务公开", "校务公开", "院务公开", "政务公开", "务公开", "民主",
                        "合理化建议", "集体合同", "平等协商", "工资协商", "提案", "意见建议"),
          "深化民主管理，畅通{staff}诉求渠道", "职代会 {open} 民主管理 集体合同",
          "工会坚持以职工代表大会为基本形式，深入推进{open}，切实保障{staff}的知情权、参与权、表达权和监督权。",
          "民主管理的制度化、规范化水平进一步提升。"),
    Theme("rights", ("维权", "劳动争议", "法律", "普法", "调解", "劳动合同", "权益", "法律援助", "欠薪"),
          "依法履行维权职责，构建和谐劳动关系", "维护职工权益 劳动争议 法律服务",
          "工会认真履行维护职工合法权益的基本职责，积极预防和化解劳动关系矛盾。",
          "和谐稳定的劳动关系得到进一步巩固。"),
    Theme("care", ("慰问", "帮扶", "困难", "送温暖", "救助", "助学", "大病", "看望", "走访", "送清凉", "生日", "婚丧", "互助",
                   "暖心", "关爱", "节日"),
          "关心{staff}生活，体现组织温暖", "困难帮扶 送温暖 慰问职工",
          "工会坚持把为{staff}办实事、解难事作为工作的出发点和落脚点，把组织的温暖送到{staff}心坎上。",
          "广大{staff}切实感受到了工会组织的关怀和温暖。"),
    Theme("competition", ("竞赛", "比武", "技能", "练兵", "创新", "劳模", "工匠", "五小", "攻关", "技术革新", "创先争优", "立功"),
          "深入开展劳动竞赛，助推中心工作", "劳动竞赛 技能比武 岗位练兵",
          "工会紧紧围绕中心工作，广泛开展劳动竞赛和技能比武活动，激发{staff}的工作热情和创造活力。",
          "比学赶超的浓厚氛围在{staff}中进一步形成。"),
    Theme("learning", ("培训", "书屋", "读书", "学历", "素质", "讲座", "课堂", "图书", "阅读", "师德", "业务学习"),
          "提升{staff}素质，建设学习型组织", "职工素质 培训 职工书屋 读书活动",
          "工会把提升{staff}素质作为基础性工作，持续推进学习型组织建设。",
          "{staff}的综合素质和业务能力稳步提高。"),
    Theme("culture", ("文体", "运动会", "篮球", "羽毛球", "乒乓球", "足球", "联欢", "晚会", "文艺", "徒步", "健身", "趣味", "拔河",
                      "书画", "摄影", "演讲", "歌咏", "合唱", "球赛", "登山", "跳绳"),
          "丰富文体活动，营造和谐氛围", "文体活动 联欢会 体育比赛",
          "工会积极开展丰富多彩的文体活动，活跃{staff}业余文化生活。",
          "{staff}的凝聚力和归属感不断增强。"),
    Theme("women", ("女职工", "三八", "妇女", "母婴", "两癌", "女工", "巾帼", "妈妈小屋"),
          "做好女职工工作，维护女职工特殊权益", "女职工工作 三八妇女节 特殊权益保护",
          "工会重视发挥女职工委员会作用，维护女职工合法权益和特殊利益。",
          "女职工的获得感和幸福感不断提升。"),
    Theme("safety", ("安全", "安康杯", "劳动保护", "隐患", "体检", "疗休养", "健康", "职业病", "应急", "消防"),
          "强化劳动保护，守护{staff}安全健康", "安全生产 安康杯 劳动保护 职工体检",
          "工会坚持把{staff}的生命安全和身体健康放在突出位置，积极参与安全生产监督。",
          "{staff}安全健康的防线更加牢固。"),
    Theme("self", ("经费", "财务", "审计", "审查", "会员", "入会", "组建", "建会", "工会干部", "职工之家", "制度", "换届", "小组",
                   "规范化", "基层工会", "会费"),
          "加强工会自身建设，提升服务能力", "工会自身建设 经费管理 职工之家 会员发展",
          "工会按照规范化建设的要求，不断加强自身建设，提高服务{staff}的能力和水平。",
          "工会组织的凝聚力、服务力和影响力进一步增强。"),
    Theme("charity", ("捐款", "献爱心", "志愿", "公益", "献血", "捐赠", "慈善", "结对"),
          "践行社会责任，弘扬志愿服务精神", "献爱心 捐款 志愿服务",
          "工会积极引导{staff}投身公益事业，弘扬奉献、友爱、互助、进步的志愿精神。",
          "{staff}积极向上、崇德向善的良好风尚进一步彰显。"),
)
THEME_BY_KEY = {t.key: t for t in THEMES}
# Too many small themes for one summary: a small one joins the first present neighbour in its list.
MERGE_INTO: dict[str, tuple[str, ...]] = {
    "charity": ("care", "culture", "politics"), "women": ("care", "rights", "culture"),
    "rights": ("democracy", "care"), "safety": ("rights", "competition", "care", "democracy"),
    "culture": ("learning", "care", "politics"), "politics": ("learning", "self", "democracy"),
    "competition": ("learning", "safety", "politics"), "learning": ("competition", "culture", "politics"),
    "self": ("democracy", "politics"), "care": ("rights", "women", "charity"), "democracy": ("rights", "self"),
}


def target_sections(n_items: int) -> int:
    """About two facts a section, three to seven sections (fewer only when there are fewer facts)."""
    return max(min(3, n_items), min(7, round(n_items / 2)))


STAFF = {"学校": "教职工", "银行": "员工", "机关": "干部职工", "医院": "医务职工", "社区": "居民职工"}
OPEN = {"学校": "校务公开", "医院": "院务公开", "机关": "政务公开", "银行": "行务公开", "社区": "居务公开"}


def staff_word(org_type: str) -> str:
    return STAFF.get(org_type, "职工")


def open_word(org_type: str) -> str:
    return OPEN.get(org_type, "厂务公开")


def theme_of(item: str) -> str:
    """The theme with the most keyword hits (longer keywords weigh more); ties go to the earlier theme."""
    best, best_score = "self", 0.0
    for theme in THEMES:
        score = sum(len(k) for k in theme.keywords if k in item)
        if score > best_score:
            best, best_score = theme.key, score
    return best


def cn_number(n: int) -> str:
    if n <= 10:
        return "零一二三四五六七八九十"[n]
    return ("十" if n < 20 else NUMERALS[n // 10 - 1] + "十") + ("" if n % 10 == 0 else NUMERALS[n % 10 - 1])


def number_headings(sections: list[OutlineSection]) -> list[OutlineSection]:
    """Body sections get 一、二、…; other parts keep their own headings, numbered in sequence too."""
    out, n = [], 0
    for s in sections:
        if s.kind in ("opening", "closing"):
            out.append(s)
            continue
        n += 1
        bare = bare_heading(s.heading)
        out.append(s.model_copy(update={"heading": f"{cn_number(n)}、{bare}"}))
    return out


def _fill(text: str, facts: Facts) -> str:
    return text.format(staff=staff_word(facts.org_type), open=open_word(facts.org_type))


def plan_outline(facts: Facts) -> list[OutlineSection]:
    """The rule-based outline. Deterministic: the same facts give the same outline."""
    groups: dict[str, list[str]] = {}
    for item in facts.items:
        groups.setdefault(theme_of(item), []).append(item)
    order = [t.key for t in THEMES]
    members: dict[str, list[str]] = {}  # a merged section's themes, the receiving one first
    while len(groups) > target_sections(len(facts.items)):  # the smallest theme joins a neighbour
        smallest = min(groups, key=lambda k: (len(groups[k]), -order.index(k)))
        present = [k for k in MERGE_INTO[smallest] if k in groups]
        target = present[0] if present else min(
            (k for k in groups if k != smallest), key=lambda k: abs(order.index(k) - order.index(smallest))
        )
        groups[target].extend(groups.pop(smallest))
        members.setdefault(target, [target]).extend(members.pop(smallest, [smallest]))
    body = [
        OutlineSection(kind="body", heading=_heading_for(members.get(k, [k]), facts), facts=groups[k],
                       query=" ".join(_fill(THEME_BY_KEY[m].query, facts) for m in members.get(k, [k])[:2]))
        for k in order if k in groups
    ]
    # Fewer than three sections from many facts: split the largest section so the body has some shape.
    while len(body) < 3 and any(len(s.facts) >= 4 for s in body):
        big = max(range(len(body)), key=lambda i: len(body[i].facts))
        s = body[big]
        half = (len(s.facts) + 1) // 2
        first = s.model_copy(update={"facts": s.facts[:half]})
        second = s.model_copy(update={"facts": s.facts[half:], "heading": _second_heading(s.heading)})
        body[big : big + 1] = [first, second]
    sections = [OutlineSection(kind="opening", query="开篇 总体情况 正确领导 现将工作总结如下")]
    sections += body
    sections.append(OutlineSection(kind="shortcomings", heading="存在的不足", facts=list(facts.shortcomings),
                                   query="存在的不足和问题"))
    sections.append(OutlineSection(kind="plans", heading="下一步工作打算", facts=list(facts.plans),
                                   query="明年工作打算 下一步工作思路"))
    sections.append(OutlineSection(kind="closing", query="结尾 总之 再接再厉 新的一年"))
    return number_headings(sections)


def _heading_for(themes: list[str], facts: Facts) -> str:
    """One theme: its heading. Two merged themes: their first clauses as the parallel pair (`丰富文体活动，
    做好女职工工作`), so the heading covers what the section holds. More: the receiving theme's heading."""
    headings = [_fill(THEME_BY_KEY[k].heading, facts) for k in themes]
    if len(headings) == 2:
        return "，".join(h.split("，")[0] for h in headings)
    return headings[0]


def _second_heading(heading: str) -> str:
    bare = bare_heading(heading)
    return "持续深化" + bare.split("，")[0].removeprefix("加强").removeprefix("深入").removeprefix("开展") + "，推动工作再上台阶"


def outline_from_model(answer: str, facts: Facts) -> list[OutlineSection] | None:
    """Parse a model's outline; None when it does not parse or does not place every fact exactly once."""
    match = re.search(r"\{.*\}", answer, re.S)
    if not match:
        return None
    try:
        data = json.loads(match.group())
        proposed = data["sections"]
        body, seen = [], []
        for s in proposed:
            heading = str(s["heading"]).strip()
            idx = [int(i) for i in s["items"]]
            if not heading or re.search(r"\d", heading) or not idx:
                return None
            seen += idx
            body.append(OutlineSection(kind="body", heading=heading, facts=[facts.items[i] for i in idx],
                                       query=heading))
    except (ValueError, KeyError, TypeError, IndexError, json.JSONDecodeError):
        return None
    if sorted(seen) != list(range(len(facts.items))) or not 1 <= len(body) <= 7:
        return None
    rules = plan_outline(facts)
    head = [s for s in rules if s.kind == "opening"]
    tail = [s for s in rules if s.kind in ("shortcomings", "plans", "closing")]
    return number_headings(head + body + tail)
