"""Find amounts, dates and placeholders in text: spans with value (or range), unit and unit kind.

Two compiled regexes, run once each over the text:
1. masks (`masks.py`): fixed phrases and names with numerals, blanked out with the same length;
2. the main pattern: placeholders, dates, then amounts (prefix, numeral or range, 余/多, unit, 左右/以上).
The per-match Python work is a handful of dict lookups. Offsets are Python str offsets into the caller's
text (normalisation and masking preserve length).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from .lexicon import ARABIC_ONLY_UNITS, SOFT_ONE, TIME_KINDS, UNITS
from .masks import mask
from .numerals import CN_CHARS, CN_DIGITS, CN_UNITS, normalise, parse_numeral, parse_positional, precision_of, step_of

_CN = CN_CHARS
_DIG = "".join(CN_DIGITS)


@dataclass(slots=True)
class Mention:
    """One amount, date or placeholder found in a text."""

    start: int
    end: int
    text: str
    category: str = "amount"  # "amount" | "date" | "placeholder"
    lo: float = 0.0
    hi: float = 0.0
    base: float = 0.0  # the number as written, before approximation
    approx: str = ""  # "" exact | "range" | "more" | "about" | "below"
    unit: str = ""  # canonical surface unit: 元, 人, 人次, %, 元/人 ...
    kind: str = ""  # unit kind: money, people, 户, percent ...; "" for bare numbers
    chinese: bool = False
    soft: bool = False  # a passing count of one: 一名职工, 一次活动
    numeral: str = ""  # the numeral as written: 6.4万, 三百, 百分之二十三
    unit_text: str = ""  # the measure word as written (名, 万元 -> 元, 元/人), for masking
    years: tuple[int, ...] = ()
    month: int = 0
    day: int = 0
    month_end: int = 0

    @property
    def exact(self) -> bool:
        return self.lo == self.hi

    @property
    def precision(self) -> float:
        """Rounding unit of the number as written: `35` 1, `23.5` 0.1, `6.4万` 1000."""
        return precision_of(self.numeral, self.base)

    @property
    def mantissa(self) -> float:
        """The number before a multiplier: 12 in `12万元`; the value otherwise."""
        mm = _MANTISSA_RE.fullmatch(self.numeral)
        return float(mm.group(1)) if mm else self.base


_MANTISSA_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?)[十百千万亿]+")


# --- the main pattern -------------------------------------------------------------------------------------
_ALL_UNITS: dict[str, tuple[str, str]] = {**UNITS, **ARABIC_ONLY_UNITS}
_ALL_UNITS["成"] = ("percent", "员|为|立|果|绩|就|效|长|本|功|熟|型|都|交|才|了|品|套|年|人|家|片|不变|色|分|"
                               "批|群|事|真|形|全|材|器|像|建|语|风|效|天|立|效")
_UNIT_CANON: dict[str, str] = {}
for _base, _canon in (("月", "个月"), ("小时", "小时"), ("钟头", "小时"), ("工作日", "个工作日")):
    for _inf in ("多", "余", "半"):
        _ALL_UNITS["个" + _inf + _base] = (_ALL_UNITS["个" + _base][0], "")
        _UNIT_CANON["个" + _inf + _base] = _canon
_UNIT_CANON.update({"天半": "天", "年半": "年", "日": "天", "个小时": "小时", "个钟头": "小时", "钟头": "小时", "元人民币": "元", "人民币": "元",
                    "元钱": "元", "块钱": "元", "周岁": "岁", "千克": "公斤", "平米": "平方米", "㎡": "平方米",
                    "百分点": "个百分点", "成": "%"})


def _unit_pattern() -> str:
    alts = []
    for u in sorted(_ALL_UNITS, key=len, reverse=True):
        excl = _ALL_UNITS[u][1]
        alts.append(re.escape(u) + (f"(?!{excl})" if excl else ""))
    return "|".join(alts)


_AR = r"[0-9]+(?:[,，][0-9]{3})*(?:\.[0-9]+)?"
# 3万2千, and colloquial 3万2 / 3千5 (= 32000 / 3500, as 一万五): one digit after 万/千 that ends the number
_MIX = rf"{_AR}(?:[十百千万亿]+(?:[0-9]+(?:\.[0-9]+)?[十百千万亿]+)*(?:(?<=[万千])[1-9](?![0-9.%年月日号]))?)?"
_CNNUM = rf"[{_CN}]+(?:点[零〇一二三四五六七八九]+[万亿]?)?"
_VAGUE = rf"(?:[{_DIG}]?十几[十百千万亿]?|[几数][十百千万]+[万亿]?)"
_NUM_AR = rf"(?<![0-9.A-Za-z第]){_MIX}"
_NUM_CN = rf"(?<![0-9{_CN}第])(?:{_VAGUE}|{_CNNUM})"
_NUM = rf"(?:{_NUM_AR}|{_NUM_CN})"
_YEAR = r"(?:19|20)[0-9]{2}|[〇○零一二][〇○零一二三四五六七八九]{3}"
_MON = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_DAY = r"3[01]|[12][0-9]|0?[1-9]|[二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"
_RSEP = r"[-~—–至到]"

_MAIN_RE = re.compile(
    rf"""
    (?=[0-9{_CN}xX×_＿大约将接近逾超不上￥¥几数])  # fast skip of ordinary characters
    (?:
    (?P<ph>(?<![0-9A-Za-z])(?:19|20)[xX×]{{2}}|(?<![A-Za-z])[xX]{{2,}}(?![A-Za-z])|×{{2,}}|_{{2,}}|＿{{2,}}
        |(?<![0-9A-Za-z×])(?:19|20)?[xX×](?=[万千百]?(?:元|名|人|户|次|个|项|场|位|家|期|篇|年|月|%)))
    |(?<![0-9{_CN}第])(?:
        (?P<y>{_YEAR})(?:{_RSEP}(?P<y2>{_YEAR}))?(?P<ys>学年度|学年|年度|年|届)
            (?:(?P<m>{_MON})月份?(?:(?P<d>{_DAY})[日号])?)?
        |(?P<ny>(?:19|20)[0-9]{{2}})(?P<nsep>[./])(?P<nm>1[0-2]|0?[1-9])(?:(?P=nsep)(?P<nd>3[01]|[12][0-9]|0?[1-9]))?(?![0-9])
        |(?P<iy>(?:19|20)[0-9]{{2}})-(?P<im>0[1-9]|1[0-2])-(?P<id>0[1-9]|[12][0-9]|3[01])(?![0-9])
        |(?P<rm>{_MON})(?:月份?)?{_RSEP}(?P<rme>{_MON})月份?
        |(?P<mm>{_MON})月份?(?:(?P<dd>{_DAY})[日号])?
        |(?P<dd2>3[01]|[12][0-9]|0?[1-9])日(?![常益])
    )
    |(?P<pre>约有|大约|(?<![节制签契预邀公条相隐简合])约|将近|接近|(?<![附亲就临贴靠邻走拉])近|逾|超过|(?<![赶])超|不到|不足
        |(?<![线网马晚早以之路])上(?=[百千万])|[￥¥])?
    (?:
        (?P<pct>百分之)(?P<pnum>{_CNNUM}|{_AR})
        |(?P<pctall>百分百)
        |(?<![0-9{_CN}])(?P<fd>[{_CN}]+)分之(?P<fn>[{_CN}]+)
        |(?P<num>{_NUM})(?:{_RSEP}(?P<num2>(?:{_MIX}|{_VAGUE}|{_CNNUM})))?
    )
    (?:(?P<infix>余|多|来(?=[{_CN}]|{_unit_pattern()}))(?P<mult2>[万千亿]{{1,2}})?)?
    (?P<unit>{_unit_pattern()})?
    (?:(?<=成)(?P<cheng>[1-9一二三四五六七八九](?![0-9{_CN}])|多|余))?  # 九成五 95%, 八成多 [80, 90)
    (?P<per>/(?:人次|人|户|年|月|次|天|小时|平方米))?
    (?P<suf>左右|以上|上下|之多|以下|以内|有余)?
    )
    """,
    re.X,
)

# Match.groups() read by index: the tuple is ~10x cheaper to get than groupdict() (0.3 ms of a 5,000-character
# draft's check, 259 matches)
(
    _G_PH, _G_Y, _G_Y2, _G_M, _G_D, _G_NY, _G_NM, _G_ND, _G_IY, _G_IM, _G_ID, _G_RM, _G_RME, _G_MM, _G_DD, _G_DD2,
    _G_PRE, _G_PCT, _G_PNUM, _G_PCTALL, _G_FD, _G_FN, _G_NUM, _G_NUM2, _G_INFIX, _G_MULT2, _G_UNIT, _G_CHENG,
    _G_PER, _G_SUF,
) = (_MAIN_RE.groupindex[name] - 1 for name in (
    "ph", "y", "y2", "m", "d", "ny", "nm", "nd", "iy", "im", "id", "rm", "rme", "mm", "dd", "dd2", "pre", "pct",
    "pnum", "pctall", "fd", "fn", "num", "num2", "infix", "mult2", "unit", "cheng", "per", "suf",
))

_TERM = frozenset("，。；！？,;!?）)」』”’》\n\r\t \u3000") | {""}
_LINE_END_RE = re.compile(r"[ \t\r\u3000]*(?:\n|$)")
_SINCE_RE = re.compile(r"多?(?:来|以来)")
_RHETORIC_UNITS = frozenset({"个", "项", "条", "种", "大", "点", "方面"})
_RHETORIC_RE = re.compile(
    r"(?:方面|层面|维度|重点|主线|目标|原则|环节|抓手|着力点|结合|转变|提升|坚持|必须|统筹|聚焦|突出|到位|一|"
    r"重点工作|主要工作|工作重点|工作(?=[：:])|关键|优先|机制|体系|理念|意识|自信|维护|确立|务必|全面|轮子|基本点|中心|覆盖|全覆盖)"
)
_LABEL_CHARS = frozenset("篇章节条款表图页号期第附届版卷册")
_PER_KIND = {"人": "people", "人次": "人次", "户": "户", "年": "year", "月": "month", "次": "次", "天": "天",
             "小时": "hour", "平方米": "m2"}
_ABOUT = {"约有", "大约", "约"}
_NEAR = {"将近", "接近", "近"}
_MORE = {"逾", "超过", "超", "上"}
_BELOW = {"不到", "不足"}


def extract(text: str, lenient: bool = False) -> tuple[str, list[Mention]]:
    """Every amount, date and placeholder in `text`, in order; also the normalised text (same offsets).

    `lenient` (for facts): keep bare numbers that would not count as amounts in a draft (`职工总数1200` as a
    whole line, `12351热线`), so that they can support the draft's figures."""
    norm = normalise(text)
    masked = mask(norm)
    out: list[Mention] = []
    for m in _MAIN_RE.finditer(masked):
        g = m.groups()
        if g[_G_PH]:
            out.append(Mention(m.start(), m.end(), text[m.start() : m.end()], category="placeholder"))
            continue
        mention: Mention | None
        if g[_G_DD2] and _DURATION_BEFORE_RE.search(masked, max(0, m.start() - 3), m.start()):
            mention = _days(m, g, text)  # 为期3日, 历时5日: a count of days, not a date
        else:
            mention = _date(m, g, text) if _is_date(g) else _amount(m, g, text, masked, lenient)
        if mention is not None:
            out.append(mention)
    if _TEMPLATE_RE.search(text):  # rare: models leave template slots (【具体人数】, [单位名称], 某某, ***)
        # mentions do not overlap and are sorted, so ends are sorted too: only the last one that starts
        # before a slot ends can overlap it (a bisection, not a scan: linear on text full of slots)
        starts, ends = [x.start for x in out], [x.end for x in out]
        for m in _TEMPLATE_RE.finditer(text):
            i = bisect_left(starts, m.end()) - 1
            if i < 0 or ends[i] <= m.start():
                out.append(Mention(m.start(), m.end(), m.group(), category="placeholder"))
        out.sort(key=lambda x: x.start)
    return norm, out


# Template slots a model leaves unfilled: bracketed instructions, 某某, and runs of asterisks.
_TEMPLATE_RE = re.compile(
    r"[【\[［〔]\s*(?:请|此处|待|具体|填写|补充|输入|实际)?[^】\]］〕\n]{0,10}?"
    r"(?:数字|数量|金额|人数|户数|次数|场次|名称|单位|姓名|时间|日期|年份|百分比|比例|内容)[^】\]］〕\n]{0,6}[】\]］〕]"
    r"|[【\[［〔]\s*[xX×＿_?？]*\s*[】\]］〕]"  # 【X】, [__], 【】
    r"|某某|\*{2,}"
)


_DURATION_BEFORE_RE = re.compile(r"(?:为期|历时|连续|持续|用时|耗时|共计|累计|共|达|满)$")


def _days(m: re.Match[str], g: tuple[str | None, ...], text: str) -> Mention:
    n = float(int(g[_G_DD2] or 0))
    return Mention(m.start(), m.end(), text[m.start() : m.end()], lo=n, hi=n, base=n, unit="天", kind="天",
                   numeral=g[_G_DD2] or "", unit_text="日")


def _is_date(g: tuple[str | None, ...]) -> bool:
    return bool(g[_G_Y] or g[_G_NY] or g[_G_IY] or g[_G_RM] or g[_G_MM] or g[_G_DD2])


def _cn_or_int(s: str | None) -> int:
    if not s:
        return 0
    r = parse_numeral(s)
    return int(r[0]) if r and r[0] == r[1] else 0


def _date(m: re.Match[str], g: tuple[str | None, ...], text: str) -> Mention | None:
    years: list[int] = []
    month = day = month_end = 0
    if g[_G_Y]:
        for y in (g[_G_Y], g[_G_Y2]):
            if y:
                v = parse_positional(y)
                if v is None or not 1900 <= v <= 2100:
                    return None
                years.append(v)
        month, day = _cn_or_int(g[_G_M]), _cn_or_int(g[_G_D])
    elif g[_G_NY] or g[_G_IY]:
        years = [int(g[_G_NY] or g[_G_IY] or 0)]
        month, day = int(g[_G_NM] or g[_G_IM] or 0), int(g[_G_ND] or g[_G_ID] or 0)
    elif g[_G_RM]:
        month, month_end = _cn_or_int(g[_G_RM]), _cn_or_int(g[_G_RME])
    elif g[_G_MM]:
        month, day = _cn_or_int(g[_G_MM]), _cn_or_int(g[_G_DD])
    else:
        day = int(g[_G_DD2] or 0)
    if not (0 <= month <= 12 and 0 <= month_end <= 12 and 0 <= day <= 31):
        return None
    unit = "年" if years else ("月" if month else "日")
    value = float(years[0] if years else month or day)
    return Mention(m.start(), m.end(), text[m.start() : m.end()], category="date", lo=value, hi=value, base=value,
                   unit=unit, kind="date", years=tuple(years), month=month, day=day, month_end=month_end)


def _amount(m: re.Match[str], g: tuple[str | None, ...], text: str, masked: str, lenient: bool) -> Mention | None:
    start, end = m.span()
    pre, infix, suf, unit = g[_G_PRE] or "", g[_G_INFIX] or "", g[_G_SUF] or "", g[_G_UNIT] or ""
    num = g[_G_NUM] or ""
    kind = ""
    r: tuple[float, float] | None
    if unit:
        if unit in ARABIC_ONLY_UNITS and not num[:1].isdigit():
            return None
        kind = _ALL_UNITS[unit][0]
    if g[_G_PCT] or g[_G_PCTALL] or g[_G_FD]:
        if unit:
            return None
        if g[_G_PCTALL]:
            r = (100.0, 100.0)
        elif g[_G_PCT]:
            r = parse_numeral(g[_G_PNUM] or "")
        else:
            den, nom = parse_numeral(g[_G_FD] or ""), parse_numeral(g[_G_FN] or "")
            if not den or not nom or den[0] == 0 or den != (den[0], den[0]) or nom != (nom[0], nom[0]):
                return None
            r = (round(nom[0] / den[0] * 100, 2),) * 2
        if r is None:
            return None
        unit, kind, numeral = "%", "percent", text[start:end]
        chinese = True
    else:
        numeral = num
        chinese = not num[:1].isdigit()
        r = parse_numeral(num)
        if r is None and num in ("万", "亿") and (pre or infix in ("余", "多")):
            r = (float(CN_UNITS[num]),) * 2  # 近万元, 上万人, 万余元
        if r is None:
            return None
        num2 = g[_G_NUM2]
        if num2:
            r2 = parse_numeral(num2)
            if r2 is None:
                return None
            lo = r[0]
            if lo <= 10 and r2[1] >= 1000 and num2[-1] in "千万亿" and num[-1] not in "千万亿":
                lo *= CN_UNITS[num2[-1]]  # 两到三万元, 1-2万元
            if lo >= r2[1]:
                return None
            r = (lo, r2[1])
    if pre in ("￥", "¥"):
        if unit and kind != "money":
            return None
        unit, kind, pre = unit or "元", "money", ""
    if unit == "成":  # 七成 70%, 六七成 60-70%, 九成五 95%, 八成多 80-90%
        if len(numeral) != (1 if r[0] == r[1] else 2) or r[1] > 10:
            return None
        cheng = g[_G_CHENG] or ""
        tenth = int(cheng) if cheng.isdigit() else CN_DIGITS.get(cheng, 0)
        r = (r[0] * 10 + tenth, r[1] * 10)
        if tenth:
            if r[1] != r[0] - tenth:
                return None  # 六七成五
            r = (r[0], r[0])
            numeral += "成" + cheng
        elif cheng in ("多", "余"):
            infix = cheng
    prev = masked[start - 1] if start else ""
    if unit in ("名", "位") and prev == "前":
        return None  # 前三名: a rank
    if unit == "日" and prev and prev in "月于在至号初底":
        return None  # 本月三日, 于二十日: a day of the month, not a count of days
    if prev and prev in "×*/" and not pre:
        return None
    nxt = masked[end] if end < len(masked) else ""
    base = r[0]
    if kind in TIME_KINDS and _SINCE_RE.match(masked, end):
        return None  # 三年来, 五年以来: a period of reference
    if not unit:
        if chinese:
            return None  # Chinese numerals need a measure word to be an amount
        year = _bare_year(numeral, r, m, text)
        if year is not None:
            return year
        if (prev and prev in "-#/") or (nxt and nxt in "）)" and (not prev or prev in "（( \n\ufeff")):
            return None  # list markers (1) 1）, codes
        digits = numeral.replace(",", "").replace("，", "")
        if digits.isdigit() and len(digits) >= 7:
            return None  # phone and ID numbers
        if "万" not in numeral and "亿" not in numeral and not lenient:
            if nxt not in _TERM:
                return None  # 12351热线, 500强, 3号: a code or a name, not a quantity
            if not (infix or suf) and (r[1] < 10 or (prev and prev in _LABEL_CHARS) or _heading(masked, start, end)):
                return None  # 篇3, 附件2, a number ending a short heading line
    if chinese and unit in _RHETORIC_UNITS and r[1] <= 10 and _RHETORIC_RE.match(masked, end):
        return None  # 突出两个重点, 抓好三项工作, 实现三个提升: the draft's own structure, not a fact
    canon = _UNIT_CANON.get(unit, unit)
    lo, hi, approx = r[0], r[1], ("range" if r[0] != r[1] else "")
    if "半" in unit:
        lo = hi = base = base + 0.5
    mult2 = g[_G_MULT2]
    if infix in ("余", "多") or "多" in unit or "余" in unit:
        lo, hi, approx = base, base + step_of(base), "more"
        if mult2:  # 十余万元, 20多万元: the multiplier comes after 余/多
            factor = 1.0
            for c in mult2:
                factor *= CN_UNITS[c]
            lo, hi, base = lo * factor, hi * factor, base * factor
            numeral += mult2
    elif infix == "来":
        lo, hi, approx = base * 0.9, base * 1.1, "about"
    if pre in _ABOUT or suf in ("左右", "上下"):
        lo, hi, approx = base * 0.9, base * 1.1, "about"
    elif pre in _NEAR:
        if kind in TIME_KINDS:
            return None  # 近三年(来): a period of reference, not a quantity
        lo, hi, approx = base * 0.9, base, "below"
    elif pre in _MORE or suf in ("以上", "之多", "有余"):
        lo, hi, approx = r[0], r[1] + step_of(r[1]), "more"
        if kind == "percent":
            hi = min(100.0, r[1] + 10.0) if r[1] < 100 else r[1]
    elif pre in _BELOW or suf in ("以下", "以内"):
        lo, hi, approx = base * 0.8, r[1], "below"
    per_unit = g[_G_PER] or ""
    if per_unit:
        per = per_unit[1:]
        canon, kind = f"{canon}/{per}", f"{kind}/{_PER_KIND.get(per, per)}"
    soft = (
        numeral in SOFT_ONE and bool(unit) and not approx and not pre and kind not in ("percent", "money")
    )
    return Mention(start, end, text[start:end], lo=lo, hi=hi, base=base, approx=approx, unit=canon, kind=kind,
                   chinese=chinese, soft=soft, numeral=numeral, unit_text=unit + per_unit)


def _heading(masked: str, start: int, end: int) -> bool:
    """A number at the end of a short line (`范文 篇12`, `表 3`) labels the line; it counts nothing."""
    if not _LINE_END_RE.match(masked, end):
        return False
    line_start = masked.rfind("\n", max(0, start - 40), start) + 1
    if line_start == 0 and start > 40:
        return False
    return len(masked[line_start:start].strip()) <= 15


def _bare_year(numeral: str, r: tuple[float, float], m: re.Match[str], text: str) -> Mention | None:
    """A bare 4-digit number 1900-2100 (or a range of two) is a year."""
    if not (numeral.isdigit() and len(numeral) == 4 and 1900 <= r[0] <= 2100 and 1900 <= r[1] <= 2100):
        return None
    years = (int(r[0]),) if r[0] == r[1] else (int(r[0]), int(r[1]))
    return Mention(m.start(), m.end(), text[m.start() : m.end()], category="date", lo=r[0], hi=r[0],
                   base=r[0], unit="年", kind="date", years=years)
