"""`name`: a proper name the facts do not contain — another organisation, a place, a person, a named event or
an honour (`供电公司` in a school's draft, `“银龄杯”` when the facts say 职工运动会, a `全国五一劳动奖状` the facts
never mention).

Candidates are found by their form, not by a list of names:
- organisations: a name part before `公司/集团/厂/医院/银行/支行/学校/中学/小学/大学/学院/协会/…`; the
  government suffixes (`局/部/委/办/中心/站/所/院`) only after a place (`县委组织部`, `区人社局`);
- places: a place word (jieba's dictionary tags places `ns`) before `省/市/县/区/镇/乡/街道/村`, and after a
  verb of travel (`赴井冈山`);
- events: `…杯` in quotes or before 比赛/竞赛; a quoted name ending in an event or honour word (`“最美劳动者”`);
- honours: what follows 荣获/被评为/获评/授予 up to 称号, and `全国/省级/市级… + 奖状/奖章/工人先锋号/…`;
- persons: a surname and one or two characters before 同志/主席/书记/校长/行长/护士长/….

Never flagged: anything the facts contain (a candidate is looked up in the facts' text, and its character
bigrams mostly covered by the facts' count too: `市技能大赛一等奖` ← `参加市技能大赛获一等奖`), the
organisation and its superior and their short forms (a subsequence ending the same way: `宏达公司` ←
`宏达精密机械有限公司`), and the genre's generic vocabulary: every string found in at least 3 of the
bundled summaries (职工之家, 职工书屋, 职代会, 党委, 上级工会, 市总工会, 集团公司 … come out so), plus the
short documented lists below for what 18 summaries cannot teach (我/本/全/各 + 公司, 乡镇, 城区).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import numbers  # noqa: F401  (amount, date, placeholder register first: the UI and CLI list kinds in order)
from .context import CheckContext
from .factblocks import FactBlocks, fact_blocks
from .flags import Flag
from .namewords import (  # noqa: F401  (re-exported: tests and callers read the vocabularies here)
    _ASPIRATION,
    _AWARD_VERB,
    _BOUNDARY,
    _CJK,
    _CUP,
    _DICT_LINE,
    _EVENT_END,
    _GENERIC,
    _GOV_SUFFIX,
    _HOLIDAY,
    _HONOUR_END,
    _HONOUR_TITLES,
    _HONOUR_WORD,
    _LEAD_LENGTHS,
    _LEAD_SET,
    _LEAD_WORDS,
    _LEVEL,
    _MEASURE,
    _NAME_PARTS,
    _NAME_WORDS,
    _NOT_GIVEN,
    _NOT_PLACES,
    _NUMERALS,
    _ORG_SUFFIX,
    _PLACE_PREFIX,
    _PLACE_SUFFIX,
    _PRIZE,
    _QUALIFIERS,
    _QUALIFIERS_RE,
    _QUOTED,
    _SURNAMES,
    _TITLES,
    _TRAVEL,
    _TYPE_WORDS,
    _load_dictionary,
    _words,
    generic_vocabulary,
    nonname_words,
    place_words,
)
from .registry import Rule, register_checker, register_kind, register_rule, rule


@dataclass(frozen=True, slots=True)
class NameHit:
    start: int
    end: int
    category: str  # 单位 | 地名 | 人名 | 活动 | 荣誉


# --- candidates ----------------------------------------------------------------------------------------------
def _name_start(draft: str, end: int, limit: int = 12, parts: bool = False) -> int:
    """Where the name ending at `end` starts: back over CJK characters to a boundary character, then after
    the last lead word inside that stretch (`志愿者走进学校` -> `学校`, `组织职工联合市血液中心` -> `市血液中心`)."""
    start = end
    while start > 0 and end - start < limit:
        ch = draft[start - 1]
        if not ("\u4e00" <= ch <= "\u9fff") or ch in _BOUNDARY:
            break
        if ch == "为" and not (start >= 2 and draft[start - 2] == "华"):
            break  # `为` is a preposition (`人数为全厂`), except in `华为`
        if ch in _MEASURE and start >= 2 and draft[start - 2] in _NUMERALS:
            break  # `三十六家支行`: a count of units, not a name
        start -= 1
    stretch = draft[start:end]
    nonname = nonname_words()
    # The last lead word (or everyday verb, adverb, time word) inside the stretch, scanning from the right.
    for j in range(len(stretch), 0, -1):
        for n in _LEAD_LENGTHS:
            w = stretch[j - n : j] if j >= n else ""
            if w in _LEAD_SET and not (parts and j == len(stretch) and w in _NAME_PARTS):
                return start + j
        for n in (4, 3, 2):
            w = stretch[j - n : j] if j >= n else ""
            if w in nonname and not (parts and j == len(stretch) and w in _NAME_PARTS):
                return start + j
    return start


def _strip_qualifiers(core: str) -> str:
    return _QUALIFIERS_RE.sub("", core, count=1)


@lru_cache(maxsize=1)
def _suffix_re() -> re.Pattern[str]:
    # The look-ahead on the suffixes' first characters lets the engine skip the others fast (2.5x on a draft).
    suffixes = f"{_ORG_SUFFIX}|{_GOV_SUFFIX}|{_PLACE_SUFFIX}".split("|")
    first = re.escape("".join(sorted({w[0] for w in suffixes})))
    return re.compile(rf"(?=[{first}])(?:(?:{_ORG_SUFFIX})|(?:{_GOV_SUFFIX})|(?:{_PLACE_SUFFIX}))")


_COMMON_ENDINGS = frozenset(_words("大局 格局 布局 全局 结局 当局 开局 变局 新局 时局 政局 战局 僵局 残局 城市 超市 都市 门市 "
                                    "上市 股市 集市 夜市 全市 本市 我市 该市 全县 本县 我县 全区 本区 我区 全省 本省 我省 "
                                    "小区 园区 景区 辖区 片区 城区 校区 院区 病区 厂区 山区 地区 市区 郊区 误区 盲区 "
                                    "干部 全部 内部 外部 局部 支部 总部 重心 核心 圆心 爱心 信心 身心"))
_SUFFIX_AT_END = re.compile(rf"(?:{_ORG_SUFFIX}|{_GOV_SUFFIX}|{_PLACE_SUFFIX})$")
_WORD_AFTER = frozenset("务房长级规纪面势部场民直域内门分署位理于有属在以点员外际况委化业习生")
_ORG_SET = frozenset(_ORG_SUFFIX.split("|"))
_GOV_SET = frozenset(_GOV_SUFFIX.split("|"))
_PLACE_SET = frozenset(_PLACE_SUFFIX.split("|"))
_PERSON_RE = re.compile(rf"([{_SURNAMES}])([{_CJK}]{{1,2}}?)(?:{_TITLES})")
# A person named after a role, without a title after (`技术员孙丽获评…`, `职工张伟、李强`).
_ROLES = (
    "职工|员工|技术员|工程师|教师|老师|医生|护士|班组长|组长|队长|司机|会员|劳模|党员|干部|书记|主席|校长|院长|行长|局长|"
    "主任|经理|师傅|代表|骨干|工匠|选手|同志"
)
_ROLE_PERSON_RE = re.compile(
    rf"(?:{_ROLES})([{_SURNAMES}][{_CJK}]{{1,2}}?)(?=获|荣获|被评为|被授予|当选|带领|作为|同志|[，,、。；])"
)
# Venues that are organisations of their own, even without a name part (`青少年宫`, `工人文化宫`).
_VENUE_RE = re.compile(r"青少年宫|少年宫|文化宫|纪念馆|博物馆|科技馆|美术馆|体育中心")
_HONOUR_RE = re.compile(rf"({_LEVEL}[{_CJK}]{{0,8}}?)(?:{_HONOUR_TITLES})")


def candidates(draft: str) -> list[NameHit]:
    places = place_words()
    out: list[NameHit] = []
    # organisations and places, by suffix
    for m in _suffix_re().finditer(draft):
        suffix = m.group()
        end = m.end()
        if end < len(draft) and draft[end] in _WORD_AFTER:
            continue  # `厂务`, `局面`, `市场`, `公司化`, `银行业`: the suffix starts another word
        # `公司` inside `分公司`/`有限公司` is found once, at the longest suffix the regex matched.
        start = _name_start(draft, m.start(), parts=suffix in _GOV_SET)
        core = _strip_qualifiers(draft[start : m.start()])
        if len(core) < 2:
            continue
        start = m.start() - len(core)
        if len(suffix) == 1 and draft[m.start() - 1] in _NUMERALS:
            continue  # `十八所`: a count
        if len(suffix) == 1 and draft[m.start() - 1 : end] in _COMMON_ENDINGS:
            continue  # `大局`, `格局`, `布局`: a word, not a suffix
        if suffix in _ORG_SET:
            out.append(NameHit(start, end, "单位"))
        elif suffix in _PLACE_SET:
            if any(core.endswith(p) or core.startswith(p) for p in _prefixes(core) if p in places):
                out.append(NameHit(start, end, "地名"))
        elif (suffix in _GOV_SET and (_PLACE_PREFIX.match(core) or _starts_with_place(core, places))
              and not draft.startswith(("工作", "任务"), end)):
            out.append(NameHit(start, end, "单位"))
    # places after a verb of travel (no suffix): the first place word inside what follows (`赴嘉兴南湖`)
    for m in _TRAVEL.finditer(draft):
        word = m.group(1)
        for i in range(len(word) - 1):
            n = next((n for n in (4, 3, 2) if i + n <= len(word) and word[i : i + n] in places), 0)
            if n:
                out.append(NameHit(m.start(1), m.start(1) + i + n, "地名"))
                break
    # persons
    for m in _PERSON_RE.finditer(draft):
        given = m.group(2)
        if any(c in _NOT_GIVEN for c in given):
            continue
        if m.start() > 0 and "\u4e00" <= draft[m.start() - 1] <= "\u9fff" and draft[m.start() - 1] not in "长任记席理师员工生部队组科处局院校站所":
            continue  # `扩张` / `主张同志` — a surname character inside another word
        out.append(NameHit(m.start(1), m.end(2), "人名"))
    for m in _ROLE_PERSON_RE.finditer(draft):
        if not any(c in _NOT_GIVEN for c in m.group(1)[1:]):
            out.append(NameHit(m.start(1), m.end(1), "人名"))
    for m in _VENUE_RE.finditer(draft):
        out.append(NameHit(_name_start(draft, m.start(), limit=6), m.end(), "单位"))
    # cups, quoted event and honour names
    for m in _CUP.finditer(draft):
        s = _name_start(draft, m.end(1) - 1, limit=8)
        out.append(NameHit(s, m.end(1), "活动"))
    for m in _QUOTED.finditer(draft):
        inner = m.group(1)
        if re.search(r"[、，,；;：:。！？\s]", inner) or _HOLIDAY.search(inner):
            continue  # a slogan or a list, or a public holiday (`三八妇女节`)
        if len(inner) >= 3 and (_EVENT_END.search(inner) or inner.startswith(("最美", "十佳", "优秀"))):
            out.append(NameHit(m.start(1), m.end(1), "活动" if inner.endswith(("杯", "节", "赛")) else "荣誉"))
    # honours
    for m in _HONOUR_RE.finditer(draft):
        if not _ASPIRATION.search(draft, max(0, m.start() - 4), m.start()):
            out.append(NameHit(m.start(), m.end(), "荣誉"))
    for m in _AWARD_VERB.finditer(draft):
        if _ASPIRATION.search(draft, max(0, m.start() - 4), m.start()):
            continue
        if m.group() in ("获得", "获") and not re.match(rf"[{_CJK}“”]{{1,16}}?(?:称号|荣誉|奖)", draft[m.end() :]):
            continue
        e = _HONOUR_END.search(draft, m.end())
        stop = e.start() if e else len(draft)
        s = m.end()
        while s < stop and draft[s] in "“\"了":
            s += 1
        phrase_end = stop
        while phrase_end > s and draft[phrase_end - 1] in "”\"":
            phrase_end -= 1
        # the honour ends with its last honour word (`一等奖两项` -> `一等奖`)
        last = [h.end() for h in _HONOUR_WORD.finditer(draft, s, phrase_end)]
        phrase_end = max(last) if last else s
        if 2 <= phrase_end - s <= 20 and not _PRIZE.search(draft[s:phrase_end]):
            out.append(NameHit(s, phrase_end, "荣誉"))
    return _dedupe(out)


def _prefixes(core: str) -> list[str]:
    return [core[-n:] for n in (4, 3, 2) if len(core) >= n] + [core[:n] for n in (4, 3, 2) if len(core) >= n]


def _starts_with_place(core: str, places: frozenset[str]) -> bool:
    return any(core[:n] in places for n in (4, 3, 2) if len(core) > n)


def _dedupe(hits: list[NameHit]) -> list[NameHit]:
    """Longest first; a candidate inside a longer one is dropped."""
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[NameHit] = []
    for h in hits:
        if out and h.start < out[-1].end and h.end <= out[-1].end:
            continue
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out


# --- what the facts allow ------------------------------------------------------------------------------------
def _bigrams(text: str) -> set[str]:
    out: set[str] = set()
    for run in re.findall(rf"[{_CJK}A-Za-z0-9]+", text):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


@lru_cache(maxsize=64)
def _allowed(blocks: FactBlocks) -> tuple[str, frozenset[str], tuple[str, ...]]:
    """The facts' text, its bigrams, and the names a short form may abbreviate (org, superior and its parts)."""
    owners = [x for x in re.split(r"[和与及、，,；;\s]+", f"{blocks.org} {blocks.superior}") if len(x) >= 2]
    if blocks.org:
        owners.append(blocks.org)
    # `县市场监督管理局机关` is named `县市场监管局` too: the name without its trailing 机关/工会.
    owners += [re.sub(r"(?:机关工会|机关|工会委员会|工会)$", "", o) for o in owners]
    owners = [o for o in owners if len(o) >= 2]
    return blocks.text, frozenset(_bigrams(blocks.text)), tuple(owners)


def _unquote(s: str) -> str:
    return s.translate(_QUOTES)


_QUOTES = str.maketrans("", "", "“”\"‘’「」『』")


def is_allowed(name: str, blocks: FactBlocks, generic: frozenset[str], category: str = "") -> bool:
    text, grams, owners = _allowed(blocks)
    name = _unquote(name)
    if name in text or name in generic or name in _unquote(text):
        return True
    if category == "单位":
        suffix = _SUFFIX_AT_END.search(name)
        part = _strip_qualifiers(name[: suffix.start()]) if suffix else ""
        # `社区工会联合会`, `保险公司`, `综合医院`: a common word or a kind before the suffix is no name.
        if part and (part in _TYPE_WORDS or part[-2:] in _TYPE_WORDS
                     or (part in generic and part not in place_words())):
            return True
    core = _strip_qualifiers(name)
    if core in generic or len(core) < 2:
        return True
    # A short form of the organisation or its superior: same last character, a subsequence of the full name.
    if any(len(name) >= 2 and name[-1] == o[-1] and _subsequence(name, o) for o in owners):
        return True
    if any(_subsequence(name, o) and name[-2:] == o[-2:] for o in owners):
        return True
    if category == "活动":
        part = re.sub(r"(?:节|大赛|比赛|竞赛|联赛|赛)$", "", name)  # a cup (`化工杯`) is always named
        if part != name and part in generic and part not in place_words():
            return True
    if category not in ("荣誉", "活动"):
        return False  # an organisation, place or person must be named as the facts name it
    g = _bigrams(name)
    return len(g) >= 3 and len(g & grams) >= 0.8 * len(g)


# `在街道党工委和上级工会的领导下`: who leads is the superior's place; a body named by level only is generic.
_LEADERSHIP = re.compile(
    r"在([^，。；;！？\n]{2,30}?)的?(?:正确|坚强|大力|亲切|具体|直接|悉心)?(?:领导|指导|关心|支持|带领|关怀|帮助)(?:和[^，。；\n]{0,12})?下"
)


def _generic_level(name: str) -> bool:
    """A body named by its level only (`街道党工委`, `市委`, `县总工会`): no place or person name in it."""
    places = place_words()
    return not any(name[i : i + n] in places for n in (4, 3, 2) for i in range(len(name) - n + 1))


def find_names(draft: str, blocks: FactBlocks, generic: frozenset[str] | None = None) -> list[NameHit]:
    vocab = generic_vocabulary() if generic is None else generic
    lead = [m.span(1) for m in _LEADERSHIP.finditer(draft)]
    out = []
    for h in candidates(draft):
        name = draft[h.start : h.end]
        if is_allowed(name, blocks, vocab, h.category):
            continue
        if h.category == "单位" and _generic_level(name) and any(a <= h.start and h.end <= b for a, b in lead):
            continue
        out.append(h)
    return out


# --- registration ----------------------------------------------------------------------------------------
register_kind("name", "名称")
register_rule(Rule("name_not_in_facts", ("name",), "事实中没有的名称", "事实中没有{category}「{text}」{own}",
                   "请删去，或改为事实中的说法"))


class NamesChecker:
    name = "names"
    kinds: tuple[str, ...] = ("name",)
    order = 50

    def run(self, ctx: CheckContext) -> list[Flag]:
        blocks = fact_blocks(ctx.facts)
        flags = []
        for h in find_names(ctx.draft, blocks):
            text = ctx.draft[h.start : h.end]
            own = f"（本单位为{blocks.org}）" if blocks.org and h.category == "单位" else ""
            flags.append(Flag(text=text, start=h.start, end=h.end, kind="name", reason="name_not_in_facts",
                              hint=rule("name_not_in_facts").explain(category=h.category, text=text, own=own)))
        return flags


register_checker(NamesChecker())
