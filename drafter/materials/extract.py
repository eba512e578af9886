"""Rule-based extraction from prose: sentences that hold amounts and union-work verbs become candidate facts.

It invents nothing: a fact's text is a span of its source sentence (list markers, a leading subject such as
`公司工会` and trailing praise such as `增强了凝聚力` cut off), so every number in it is verbatim. Shortcomings
are the clauses under a 不足/问题 heading; plans are next year's, never this year's work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..checking.amounts import extract as find_amounts
from ..facts import Block
from . import period
from .readers import Material, Paragraph, is_heading

_SENTENCE_RE = re.compile(r"[^。！？!?]+[。！？!?]*")
_LIST_MARK = re.compile(r"^\s*(?:[-*•·]\s*|\d{1,2}\s*[.．、)）](?!\d)\s*|[（(]\d{1,2}[）)]\s*|[（(][一二三四五六七八九十]{1,3}[）)]\s*"
                        r"|[一二三四五六七八九十]{1,3}\s*、\s*|【[^】]{1,8}】\s*)")
_ENUM = re.compile(r"^(?:[一二三四五六七八九十]是|首先|其次|再次|最后|此外|另外|同时)[，,]?")
_LEAD_TIME = re.compile(r"^(?:[一二三四上下全]季度|上半年|下半年|今年以来|本月|本季度|一年来|全年|年内|近期|日前|目前)[，,]")
# A leading subject: the union (by any name) or 我们/我局. Cut when a verb follows.
_SUBJECT = re.compile(r"^(?:[^，。；“”]{0,16}?(?:工会联合会|工会委员会|工会)|联合会|我们|我[局校院司所])"
                      r"(?=(?:积极|认真|联合|会同|牵头|共同|先后|还|又|在|于|与|为|对|向|以|把|按照|围绕|通过|坚持|始终|"
                      r"深入|扎实|持续|大力|广泛|共)?(?:组织|开展|举办|举行|召开|慰问|走访|发放|开办|成立|组建|建立|评选|"
                      r"表彰|完成|推进|实施|启动|邀请|协调|积极|认真|联合|会同|牵头|先后|在|于|与|为|对|向|按照|围绕|"
                      r"通过|坚持|始终|深入|扎实|持续|大力|广泛|共同|共))")
# Clauses that praise or explain rather than report; dropped from the end of a fact.
_PRAISE = re.compile(r"^(?:进一步|有效|切实|充分|不断|极大|增强了?|提升了?|营造了?|丰富了?|激发了?|受到|得到|深受|展现了?|"
                     r"体现了?|促进了?|推动了?|彰显了?|为[^，]{0,20}(?:奠定|提供)|赢得|获得了?(?:一致|广泛|职工)|使|让|"
                     r"确保|形成了?|凝聚|活动(?:全程|现场|中)|精神饱满|现场气氛)")
WORK_VERBS = re.compile(
    r"召开|举办|举行|组织|开展|慰问|走访|看望|发放|帮扶|救助|资助|评选|表彰|评出|签订|审议|通过|征集|收集|立案|培训|"
    r"建成|新建|建立|组建|成立|吸纳|发展|入会|调解|办理|完成|参加|参与|参赛|参检|受众|接待|服务|新增|借阅|投入|拨付|"
    r"筹集|捐款|募集|选树|推荐|获|荣获|增设|达到|覆盖|更新|公开|体检|筛查|送去|送上|赠送|植树|安排|落实|提出|解决|"
    r"签约|覆盖|维修|改造|补助|报销|走访|承办|申报|推出|录制|印发|制定|修订|上报|编发|发表|刊发|刊登|录用|收到|选出|"
    r"聘请|配置|配备|现有|拥有|共有|编印|出版|开设|开通|设立|创建|命名|认定|验收|捐赠|捐助|认捐|结对|输送|培养|受理|"
    r"办结|答复|转办|评为|授予|获评|入选|建有|设有|累计|共计|合计|总计|参训|参学|参考|考核|考试|比赛|竞赛|运动会|联欢|晚会")
_EVENT_VERBS = re.compile(r"召开|举办|举行|审议通过|荣获|获得?[^，。]{0,8}(?:奖|称号|荣誉)|签订|成立|组建|建成")
_NAMED = re.compile(r"“[^”]{2,}”|《[^》]{2,}》|\d{1,2}月")
# An award or a rank is a result even without an amount: 获团体二等奖, 获得女子组第三名, 荣获…称号
_AWARD = re.compile(r"(?:获(?!奖)|荣获|获得|夺得)[^，。；]{1,12}?(?:(?:[一二三四五六七八九十\d]等|特等|优秀|金|银|铜)?奖(?=$|[，。；、）)])"
                    r"|称号|荣誉|第[一二三四五六七八九十\d]{1,2}名|冠军|亚军|季军)")
_NO_FACT = re.compile(r"^(?:发布时间|来源|作者|编辑|责任编辑|审核|供稿|通讯员|记者|联系电话|电话|地址|附件)[:：]")
_SHORT_CLAUSE = 6
_RESOLVE = re.compile(r"今后|下一步|一定要|努力|切实加以|认真(?:研究|解决|改进)|加以(?:改进|解决)|在.{0,10}中(?:逐步)?(?:解决|改进)")


@dataclass(slots=True)
class Candidate:
    text: str
    block: Block
    file: str
    quote: str
    location: str
    computation: str | None = None
    amounts: list[tuple[str, float, str]] = field(default_factory=list)  # (kind, value, as written)
    sheet: bool = False  # computed from or rendered from a spreadsheet row


@dataclass(slots=True)
class SkipNote:
    file: str
    reason: str


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.findall(text) if s.strip()]


def amounts_of(text: str) -> list[tuple[str, float, str]]:
    _norm, mentions = find_amounts(text)
    return [(m.kind or "bare", m.base, m.text) for m in mentions if m.category == "amount" and not m.soft]


def extract_prose(mat: Material, year: int, skipped: list[SkipNote]) -> list[Candidate]:
    """Candidates from a material's paragraphs, in order."""
    years = period.material_years(mat.file, mat.title)
    if years and year not in years and year + 1 not in years:
        other = sorted(years)[0]
        skipped.append(SkipNote(mat.file, f"材料日期为{other}年，不在{year}年度内，未提取"))
        return []
    if not years:
        dated = period.dated_outside([p.text for p in mat.paragraphs], year)
        if dated is not None:
            skipped.append(SkipNote(mat.file, f"材料落款日期为{dated}年，不在{year}年度内，未提取"))
            return []
    year_end = period.is_year_end(mat.file, mat.title)
    plan_document = bool(years) and year not in years and year + 1 in years
    out: list[Candidate] = []
    for i, para in enumerate(mat.paragraphs):
        if (i == 0 and len(para.text) <= 50 and not re.search(r"[。；！？]", para.text)) or _NO_FACT.match(para.text):
            continue  # the title (a news headline repeats the first sentence) and by-lines
        if is_heading(para.text) and not amounts_of(para.text):
            continue
        heading, body = para.heading, para.text
        label = re.match(r"^([^：:，。]{2,10})[：:](.+)$", body)
        if label and period.heading_block(label.group(1), year, year_end):
            heading, body = f"{heading} > {label.group(1)}", label.group(2)
        context = period.heading_block(heading, year, year_end) or "items"
        if plan_document and context == "items":
            context = "plans"  # `2025年工作要点`: all of it is next year's plan, figures included
        if context == "skip":
            continue
        out += _without_leads(_from_paragraph(mat.file, para, body, context, year, skipped, year_end))
    return out


def _without_leads(cands: list[Candidate]) -> list[Candidate]:
    """A news item opens with the event (`6月20日，公司第十二届职工技能大赛在实训基地举行。`) and gives its
    figures in the next sentence: the opening is context, not a second fact."""
    from .dedup import _grams, similarity

    numbered = [_grams(c.text) for c in cands if c.amounts]
    if not numbered:
        return cands
    return [c for c in cands if c.amounts or c.block != "items" or _AWARD.search(c.text)
            or not any(similarity(_grams(c.text), g) >= 0.4 for g in numbered)]


def _from_paragraph(file: str, para: Paragraph, body: str, context: str, year: int,
                    skipped: list[SkipNote], year_end: bool) -> list[Candidate]:
    out: list[Candidate] = []
    mixed = bool(period.PLAN_HEADING.search(para.heading.split(" > ")[-1])) if para.heading else False
    for sent in sentences(_LIST_MARK.sub("", body)):
        other = period.other_year(sent, year)
        if other is not None:
            if amounts_of(sent):
                skipped.append(SkipNote(file, f"「{_short(sent)}」说的是{other}年的事，不在{year}年度内"))
            continue
        block: str = context
        if context == "items" and period.is_next_year_plan(sent, year):
            block = "plans"
        for clause in _clauses(sent, block):
            clause_block = block
            if block == "items" and period.is_plan_not_deed(clause):
                # `下一步将新建服务站5个` in a report: next year's plan when the report closes the year,
                # otherwise a plan for later this year, which is neither
                if not year_end:
                    continue
                clause_block = "plans"
            elif block == "shortcomings" and mixed and (period.is_future(clause) or period.is_plan_not_deed(clause)):
                clause_block = "plans"  # under `存在的不足和下一步打算`, what will be done is a plan
            parts = _clauses(clause, "plans") if clause_block == "plans" and block != "plans" else [clause]
            for part in parts:
                cand = _candidate(part, sent, clause_block, file, para.location, year)
                if cand is not None:
                    out.append(cand)
    return out


def _clauses(sentence: str, block: str) -> list[str]:
    """`一是…；二是…` and `A；B` split into their parts; plans also split at commas between verb phrases."""
    body = sentence.rstrip("。！？!?；;")
    parts = [p.strip() for p in re.split(r"[；;]", body) if p.strip()]
    if block == "plans" and len(parts) == 1:
        head = re.match(r"^(?:(?:20\d\d|明)年[，,]?)?(?:[^，]{0,14}?(?:工会联合会|工会|联合会)?(?:将|拟|计划)?)?", body)
        pieces = [p for p in re.split(r"[，,]", body) if p]
        if len(pieces) > 1 and all(period.is_future(p) or _verb_start(p) for p in pieces[1:]):
            first = pieces[0]
            if head and head.group() and len(first) <= len(head.group()) + 1:
                pieces = pieces[1:]  # `2025年，` alone is no plan
            parts = pieces
    return [_ENUM.sub("", p).strip() for p in parts]


def _verb_start(p: str) -> bool:
    # A new plan starts with its verb; `全年举办不少于6期` elaborates the plan before it.
    return bool(re.match(r"^(?:并|还|同时|要|将)?(?:举办|开展|建成|新建|建设|组织|推动|深化|打造|争创|力争|计划)", p))


def _candidate(clause: str, sentence: str, block: str, file: str, location: str, year: int) -> Candidate | None:
    amounts = amounts_of(clause)
    if block == "items":
        if period.is_future(clause) and not amounts:
            return None
        if not amounts and not (_EVENT_VERBS.search(clause) and _NAMED.search(clause)) and not _AWARD.search(clause):
            return None
        if not WORK_VERBS.search(clause):
            return None
    if block == "shortcomings" and (period.is_future(clause) or _RESOLVE.search(clause)):
        return None
    text = concise(clause, keep_numbers=bool(amounts), trim=block == "items")
    if len(text) < _SHORT_CLAUSE or not re.search(r"[\u4e00-\u9fff]{3}", text):
        return None
    if block == "plans":
        text = re.sub(r"^(?:(?:(?:20\d\d|明|来)年|下一步|下阶段|今后|新的一年)(?:里|中)?[，,]?\s*)?"
                      r"(?:[^，]{0,14}?(?:工会联合会|工会|联合会|我们))?(?:还)?(?:将|拟|计划|要)(?!近)", "", text).strip("，, ") or text
    return Candidate(text, block, file, sentence, location, amounts=amounts_of(text))  # type: ignore[arg-type]


def concise(clause: str, *, keep_numbers: bool, trim: bool = True) -> str:
    """The clause in the facts form's register: no list marker, no leading subject, no lead-in context before
    the deed, no trailing praise. What remains is a span of the clause, so its numbers are verbatim."""
    s = _LIST_MARK.sub("", clause).strip()
    s = _ENUM.sub("", s)
    s = _LEAD_TIME.sub("", s)
    pieces = split_pieces(s)
    if keep_numbers and trim:  # a plan's lead-in is the plan (`深化…品牌，全年举办不少于6期`)
        with_amounts = [i for i, p in enumerate(pieces) if amounts_of(p)]
        if with_amounts:
            first, last = with_amounts[0], with_amounts[-1]
            while first > 0 and _deed_or_time(pieces[first - 1]):
                first -= 1
            end = last + 1
            while end < len(pieces) and WORK_VERBS.search(pieces[end]) and not _PRAISE.match(pieces[end]):
                end += 1
            pieces = pieces[first:end]
    # Leading subject, also after a date: `3月8日，公司工会组织…`
    for i, p in enumerate(pieces[:2]):
        cut = _SUBJECT.sub("", p, count=1)
        if cut != p and len(cut) >= 2:
            pieces[i] = cut
            break
    while len(pieces) > 1 and _PRAISE.match(pieces[-1].strip("，, ")) and not (keep_numbers and amounts_of(pieces[-1])):
        pieces.pop()
    return "".join(pieces).strip("，,。 ")


_TIME_PIECE = re.compile(r"^[^，]{0,10}(?:[0-9一二三四五六七八九十]+月|年初|年中|年底|年末|春节|节前|节日|期间|前夕|以来|当天|上午|下午)"
                         r"[^，]{0,4}[，,]?$")


def _deed_or_time(piece: str) -> bool:
    return bool(WORK_VERBS.search(piece) or _TIME_PIECE.match(piece))


def split_pieces(s: str) -> list[str]:
    """Split at commas outside quotes and brackets; each piece keeps its comma."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(s):
        if ch in "“《（(「":
            depth += 1
        elif ch in "”》）)」":
            depth = max(0, depth - 1)
        elif ch in "，," and depth == 0:
            out.append(s[start : i + 1])
            start = i + 1
    if start < len(s):
        out.append(s[start:])
    return [p for p in out if p]


def _short(s: str, n: int = 30) -> str:
    s = s.strip()
    return s if len(s) <= n else s[:n] + "…"
