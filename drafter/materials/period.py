"""The summary year: what a material, a heading or a sentence says about when things happened.

A sentence that names only other years is left out (with the reason); one that names the next year, or
sits under a heading about next year's plans, is a plan; plans for the rest of the same year (下月计划,
二季度工作安排) are neither the year's work nor next year's plans, unless the material closes the year.
"""

from __future__ import annotations

import re

from ..checking.amounts import extract as find_amounts

_CN_YEAR = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "〇": 0, "零": 0, "○": 0}
_YEAR_RE = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
_CN_YEAR_RE = re.compile(r"([一二][〇○零一二三四五六七八九]{3})年")

SHORTCOMING_HEADING = re.compile(r"不足|差距|薄弱|存在.{0,6}问题|问题[和与及]|短板|困难和问题|问题和困难")
PLAN_HEADING = re.compile(r"打算|设想|下一?步|明年|来年|今后|思路|计划|安排|展望|努力方向|工作要求")
# 计划/安排/思路 alone are weak: `做好工会工作计划，发展新会员` is a body heading about this year's deeds.
_STRONG_PLAN = re.compile(r"打算|设想|下一?步|明年|来年|今后|展望|努力方向|[0-9]{4}年.{0,4}(?:计划|安排|思路)|"
                          r"下[月季半]|下个月|[一二三四]季度|[0-9一二三四五六七八九十]{1,2}月")
# A plan heading about the rest of this year (a monthly or quarterly report looking ahead).
_WITHIN_YEAR = re.compile(r"下月|下个月|下季度|下一季度|[一二三四]季度|下半年|[0-9一二三四五六七八九十]{1,2}月")
_NEXT_YEAR_WORDS = re.compile(r"明年|来年|新的一年|下一年|新一年|下年度")
# Said of last year: `去年同期…`, `另：去年…`, `据了解，去年同期…` (a comparison inside a clause, `较去年增长10%`,
# is about this year and does not match).
_LAST_YEAR_START = re.compile(r"^(?:[^，。；]{0,6}[，,：:])?(?:另|此外|又|而)?[，,：:]?(?:去年|上年|上一年)")
# Materials that close the year: their 下一步 means next year.
_YEAR_END = re.compile(r"全年|年度|年终|第?四季度|下半年|12月|十二月|[0-9]{1,2}\s*[-—–~至]\s*12月|总结及")
# Modals that announce a plan. 将 as a modal (将继续, 将组织), not as 把 (将销量考核到工班, 将3名青年员工充实到…);
# 计划/拟/准备 before a verb, not as nouns or words (年有计划, 培训计划从…, 拟订).
_PLAN_VERB = (r"(?:要|会|继续|进一步|在|于|全面|着力|重点|大力|持续|深入|积极|加快|推进|开展|组织|举办|建设|新建|建成|完善|"
              r"加强|做好|启动|实施|争取|力争|筹|按照|围绕|以|召开|完成|投入|发展|培训|推出|修订|制定|打造|争创|实现|提高|提升)")
_MODAL = rf"(?:(?:将|拟|计划|准备)(?={_PLAN_VERB})|力争|打算|预计)"
STRONG_FUTURE_RE = re.compile(rf"^(?:[^。；]{{0,14}}?){_MODAL}(?!近)|^(?:下一步|下阶段|今后|明年|来年|新的一年)")
FUTURE_RE = re.compile(rf"^(?:[^，。]{{0,12}}?){_MODAL}(?!近)|^(?:继续|持续|进一步|筹建|筹备|推动|深化|加强|做好|启动)")


def years_in(text: str) -> set[int]:
    """Four-digit years named in `text` (2024, 二〇二四年); not codes or amounts like 2024元."""
    out = set()
    for m in _YEAR_RE.finditer(text):
        after = text[m.end() : m.end() + 1]
        if after in ("年", "-", "/", ".", "届", "学") or not after or after in "—–~至）)，、 ":
            out.add(int(m.group(1)))
    for m in _CN_YEAR_RE.finditer(text):
        out.add(int("".join(str(_CN_YEAR[c]) for c in m.group(1))))
    return out


def material_years(name: str, title: str) -> set[int]:
    """The years a material is about, from its file name and its title line."""
    return years_in(name) | years_in(title[:60])


_DATELINE = re.compile(r"((?:19|20)\d{2})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*\d{1,2}")


def dated_outside(lines: list[str], year: int) -> int | None:
    """A news item's or minutes' own date line near the top (发布时间：2023-12-30, （2024年5月20日）, 时间：…)
    that puts it in another year, or None. Early January of the next year still reports on this year."""
    for line in lines[:4]:
        if len(line) > 60:
            continue
        m = _DATELINE.search(line)
        if m:
            y, month = int(m.group(1)), int(m.group(2))
            if y == year or (y == year + 1 and month == 1):
                return None
            return y
    return None


_YEAR_SUMMARY = re.compile(r"(?:19|20)\d{2}\s*年(?:度)?[^季月半，。]{0,10}总结")
_PART_OF_YEAR = re.compile(r"上半年|季度|(?<![0-9])\d{1,2}\s*月|[一二三四五六七八九十]月")


def is_year_end(name: str, title: str) -> bool:
    """A material that closes the year (四季度报告, 下半年总结, `2024年工作总结`): its 下一步 is next year."""
    for s in (name, title[:60]):
        if _YEAR_END.search(s) or (_YEAR_SUMMARY.search(s) and not _PART_OF_YEAR.search(s)):
            return True
    return False


def heading_block(heading: str, year: int, year_end: bool) -> str | None:
    """`items`, `shortcomings`, `plans`, or `skip` (plans for later this year) for a heading path."""
    last = heading.split(" > ")
    for h in reversed(last):
        if SHORTCOMING_HEADING.search(h):
            return "shortcomings"
        if PLAN_HEADING.search(h) and not re.search(r"(开展|完成|落实)情况|主要工作|工作回顾", h) \
                and (_STRONG_PLAN.search(h) or not re.search(r"[，,]", h)):
            ys = years_in(h)
            if year + 1 in ys or _NEXT_YEAR_WORDS.search(h):
                return "plans"
            if year in ys or _WITHIN_YEAR.search(h):
                return "skip"
            return "plans" if year_end else "skip"
    return None


def sentence_years(sentence: str) -> set[int]:
    """Years a sentence's dates name (2023年12月28日, 2024-04-20, 回顾2024年)."""
    _norm, mentions = find_amounts(sentence)
    out = {y for m in mentions if m.category == "date" for y in m.years}
    return out | years_in(sentence)


def other_year(sentence: str, year: int) -> int | None:
    """The other year a sentence is about, or None when it is (or may be) about `year`."""
    ys = sentence_years(sentence)
    if ys and year not in ys and year + 1 not in ys:
        return min(ys, key=lambda y: abs(y - year))
    if not ys and _LAST_YEAR_START.match(sentence):
        return year - 1
    return None


def is_next_year_plan(sentence: str, year: int) -> bool:
    ys = sentence_years(sentence)
    if year + 1 in ys and year not in ys:
        return True
    return bool(_NEXT_YEAR_WORDS.search(sentence[:12]))


def is_future(clause: str) -> bool:
    """Reads like a plan: a modal (将继续, 计划, 力争) or a clause opening with 继续/深化/做好…"""
    return bool(FUTURE_RE.search(clause))


def is_plan_not_deed(clause: str) -> bool:
    """Says what will be done (将组织, 计划新建, 力争), so it is no deed of the year even with a number in it."""
    return bool(STRONG_FUTURE_RE.search(clause))
