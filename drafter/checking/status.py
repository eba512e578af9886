"""`status`: something written as done (or as an achievement) that the facts do not say is done.

- a 明年打算 item written as completed (`建成了职工书屋` when the plan is `建成职工书屋`);
- a work item the facts give as ongoing (`正在筹建`, `推进`, `启动`, `计划`) written as completed with a verb
  the fact does not use (`已建成` against `启动…建设`; `已完成选址` against `…已完成选址` is fine);
- a 存在不足 item turned into an achievement (`利用率大幅提升` against `职工书屋利用率不高`).

A draft sentence is matched to the fact it is about by shared character bigrams (numerals, status words and
the genre's generic words left out). Plans written as plans (将, 计划, 力争, 进一步 … before the verb, or
anywhere in a paragraph that opens the plans: 明年, 下一步, 新的一年) and shortcomings written as
shortcomings (不高, 偏少, 有待, 仍 …) are never flagged. When a finished work item matches as well as the
plan or shortcoming does, the sentence is taken to be about the finished item (no flag).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import numbers  # noqa: F401  (amount, date, placeholder register first: the UI and CLI list kinds in order)
from .context import CheckContext
from .factblocks import BLOCK_LABELS, FactBlocks, fact_blocks
from .flags import Flag
from .registry import Rule, register_checker, register_kind, register_rule, rule


def _words(s: str) -> list[str]:
    return s.split()


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_CJK_CHARS = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_CLAUSE_SPLIT = re.compile(r"[，,：:]")
# Words of the genre and of status that say nothing about which fact a sentence is about.
_STOP = frozenset(_words(
    "职工 工会 开展 组织 活动 工作 全年 今年 明年 我们 积极 进一 一步 建设 全体 广大 单位 不断 持续 切实 认真 深入 "
    "建成 完成 实现 推进 筹建 启动 计划 投入 入使 使用 投用 正在 已经 顺利 圆满 成功 力争 争取 加快 开通 上线 成立 "
    "建立 组建 举办 召开 目前 年内 一是 二是 三是 四是 五是 进行 提供 为了 通过 以及 并且 同时 其中"
))
_ONGOING = re.compile(r"正在|筹建|推进|启动|计划|拟|着手|准备|即将|尚未|试点|前期|规划|筹备|争取|申报|在建|建设中|进行中")
# Verbs of completion. `已` + a verb within a few characters, and the verbs themselves.
_DONE_VERBS = ("建成|完成|落成|竣工|投入使用|投用|启用|开通|上线|成立|建立|组建|设立|实现|覆盖|开放|运行|举办|召开|举行|"
               "开展|启动|改造|配备|建起")
_COMPLETION = re.compile(
    rf"(?:已经?|业已)(?!有|知|是|成为|列入|纳入)[\u4e00-\u9fff]{{0,6}}?(?:{_DONE_VERBS})"
    r"|建成|完成|落成|竣工|完工|投入使用|投用|投运|全覆盖|应建尽建|上线|开通|启用|挂牌|揭牌|落地|建好|办成"
    r"|正式(?:启用|运行|上线|开通|成立|开放|挂牌|投用)|上线运行|开通上线|挂牌成立"
    r"|全面(?:建成|完成|覆盖|到位|落实)"
    r"|(?:举办|召开|举行|开展|组织|建立|成立|组建|开通|上线|设立|启动|实施|实现|建起)了"
    r"|实现"
    r"|(?:圆满|顺利|成功)(?:举办|召开|完成|建成|开展|落幕|上线|创建|举行|组建|开通)"
    r"|落下帷幕|圆满结束|取得了?(?:显著|明显|良好|积极|丰硕|圆满)?(?:成效|成果|成绩|成功)"
    r"|荣获|获评|被评为|被授予"
)
_NEGATED = re.compile(r"(?:未|没有|尚未|未能|还没|没|不)[\u4e00-\u9fff]{0,2}$")
# A plan cue before the completion verb in the same clause: `力争早日建成`, `将完成`, `预计明年投入使用`.
_PLAN_CUE = re.compile(
    r"将|计划|打算|拟|力争|争取|确保|预计|准备|筹备|着手|正在|加快|推动|推进|努力|继续|进一步|明年|来年|下一步|下一年|"
    r"今后|新的一年|目标|要|需|待|有望|期待|希望|谋划|全力|早日|尽快|抓紧|适时|逐步|争创|创建|申报|规划|设想|年底前|年内"
)
_STRONG_PLAN = re.compile(r"将|计划|打算|拟|力争|明年|来年|下一步|新的一年|今后|预计|\d{4}年[，,]")
# A paragraph that has opened the plans: every later sentence in it is a plan.
_PLAN_PARAGRAPH = re.compile(
    r"明年|来年|下一步|新的一年|下一年度|今后(?:一个时期|的工作中|工作)|\d{4}年(?:工作)?(?:打算|计划|思路)|工作打算|工作计划|"
    r"努力方向|工作思路|将重点|重点做好以下|以下(?:几项|几个方面的?)?工作|重点抓好|着力抓好|努力做好|将从以下|将着力|将继续|"
    r"将进一步|将围绕|将坚持"
)
_SHORTCOMING_PARAGRAPH = re.compile(r"不足|差距|存在.{0,8}问题|薄弱环节|短板")
# A sentence that states a shortcoming as one.
_NEG_CUE = re.compile(
    r"不(?!断|仅|少|懈|忘|辞|负|遗余力)|未|没有|缺乏|缺少|较少|偏少|偏低|较低|偏小|偏窄|较窄|薄弱|欠缺|尚|仍|有待|亟待|亟需|"
    r"需要|短板|差距|滞后|单一|困难|问题|难以|制约|还需|还要|一般|紧张|老化|陈旧|受限|不多|较差|欠佳|短缺|匮乏"
)
# Words that make a sentence about a shortcoming an achievement.
_POS_CUE = re.compile(
    r"(?:明显|显著|大幅|不断|持续|稳步|全面|进一步)?(?:提升|提高|增强|扩大|改善|加强)了|(?:明显|显著|大幅|不断|持续|稳步|大大)"
    r"(?:提升|提高|增强|扩大|改善|加强|增加)|得到.{0,4}(?:提升|提高|改善|保障|保证|解决|加强|增强)|实现|全面|广泛|普遍|充分|"
    r"丰富多样|丰富多彩|形式多样|多姿多彩|精彩纷呈|焕然一新|面广|全员|覆盖全|齐全|宽敞|充足|高涨|踊跃|家喻户晓|深入人心|空前|"
    r"新台阶|满意|好评|欢迎|到位|规范高效|高效|成效|成果|突破|攀升|火热|浓厚|保障有力"
)
_STRONG_DONE = ("建成", "完成", "落成", "竣工", "完工", "投入使用", "投用", "投运", "启用", "开通", "上线", "成立",
                "开放", "运行", "实现", "覆盖", "建立", "设立", "组建", "到位", "挂牌", "揭牌", "落地", "建好", "办成")
# A plan that the sentence says has been happening this year (`关爱行动深入开展，累计服务…`, `上线以来`).
_HAPPENED = re.compile(
    r"(?:深入|扎实|广泛|全面|持续|有序|常态化|精心|认真)(?:开展|实施|组织)|累计|先后|陆续|以来|反响热烈|好评如潮|"
    r"受到.{0,6}(?:欢迎|好评)|深受.{0,6}欢迎|取得.{0,4}(?:成效|成果|成绩)"
)
_ENUMERATION = re.compile(r"\s*(?:[一二三四五六七八九十]是|[（(]?[一二三四五六七八九十\d]+[)）、.．])")
# What makes a verb a report of the past rather than an item of a list of plans.
_PAST = re.compile(r"了|已|圆满|顺利|成功|正式|落下帷幕|荣获|获评|被评为|被授予|取得|今年|年内|全年")
# A plan to go on with this year's work: that it happened this year is no error.
_CONTINUING = re.compile(r"持续|继续|进一步|深入|深化|坚持|不断|常态化|巩固|保持|延续")
# The sentence itself says the work is still going on: a finished step of it is no claim of completion.
_STILL_GOING = re.compile(r"正在|稳步推进|有序推进|加紧|紧张|进行中|建设中|施工中|筹建中|推进中|抓紧")


def bigrams(text: str) -> frozenset[str]:
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(out - _STOP)


@dataclass(frozen=True, slots=True)
class _Fact:
    block: str  # items | shortcomings | plans
    text: str
    grams: frozenset[str]
    ongoing: bool  # an item the facts give as not finished
    chars: frozenset[str]
    clauses: tuple[frozenset[str], ...]  # bigrams of each clause (`正在筹建职工书屋` / `已完成选址`)
    problem: frozenset[str]  # a shortcoming's words just before its negative cue (`利用率` in `利用率不高`)
    distinct: frozenset[str]  # a plan's words no work item has (`第二届` when a 技能比武 was held this year)

    def quote(self) -> str:
        return f"事实为「{BLOCK_LABELS[self.block]}：{self.text}」"


@dataclass(frozen=True, slots=True)
class StatusHit:
    start: int
    end: int
    reason: str  # status_plan_as_done | status_ongoing_as_done | status_shortcoming_as_achievement
    fact: str  # the fact as it stands: 事实为「明年打算：建成职工书屋」


@lru_cache(maxsize=64)
def _facts(blocks: FactBlocks) -> tuple[_Fact, ...]:
    # The organisation's and superior's names are in every other sentence: they say nothing about topic.
    own: set[str] = set()
    for name in (blocks.org, blocks.superior):
        if name:
            own |= bigrams(name) | bigrams(name + "工会")
    done_grams: set[str] = set()  # words of finished work (an ongoing item does not hide a plan's words)
    for block, line in blocks.blocks():
        if block == "items" and not _ONGOING.search(line):
            done_grams |= bigrams(line)
    out = []
    for block, line in blocks.blocks():
        grams = bigrams(line) - own
        if grams:
            clauses = tuple(g for g in (bigrams(c) - own for c in re.split(r"[，,；;。、：:]", line)) if g)
            problem = grams
            if block == "shortcomings":
                neg = _NEG_CUE.search(line)
                window = bigrams(line[max(0, neg.start() - 5) : neg.start()]) - own if neg else frozenset()
                problem = window or grams
            distinct = grams - done_grams if block == "plans" else grams
            out.append(_Fact(block, line, grams, block == "items" and bool(_ONGOING.search(line)),
                             frozenset(_CJK_CHARS.findall(line)), clauses, frozenset(problem), frozenset(distinct)))
    return tuple(out)


def _best(text: str, facts: tuple[_Fact, ...], grams: frozenset[str] | None = None) -> list[_Fact]:
    """The facts the text is most about: most shared bigrams (at least 2, and a third of the fact's own or
    of one of its clauses); among equals, most shared characters (`家喻户晓` is nearer `知晓度不高` than
    `已投入使用`)."""
    if grams is None:
        grams = bigrams(text)
    scored = []
    for f in facts:
        n = len(grams & f.grams)
        if not grams & f.distinct:
            continue  # a plan must be told apart from this year's work by its own words
        if n >= 2 and (3 * n >= len(f.grams) or n >= 4 or any(
                len(grams & c) >= 2 and 3 * len(grams & c) >= len(c) for c in f.clauses)):
            scored.append((n, f))
    if not scored:
        return []
    top = max(n for n, _ in scored)
    best = [f for n, f in scored if n == top]
    if len(best) > 1:
        chars = frozenset(_CJK_CHARS.findall(text))
        shared = [len(chars & f.chars) for f in best]
        best = [f for f, c in zip(best, shared, strict=True) if c == max(shared)]
    return best


def _clauses(draft: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in _CLAUSE_SPLIT.finditer(draft, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return [(a, b) for a, b in out if b > a]


def _trim(draft: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not draft[start].strip():
        start += 1
    while end > start and (not draft[end - 1].strip() or draft[end - 1] in "。！？!?；;，,"):
        end -= 1
    return start, end


def _completion(draft: str, s: int, a: int, b: int) -> re.Match[str] | None:
    """The first completion verb of a clause that is neither negated nor preceded by a plan cue (in its
    clause, or a strong one anywhere earlier in the sentence: `新的一年，工会将……，完成……`)."""
    for m in _COMPLETION.finditer(draft, a, b):
        before = draft[a : m.start()]
        if _NEGATED.search(before) or _PLAN_CUE.search(before) or _STRONG_PLAN.search(draft, s, m.start()):
            continue
        return m
    return None


def _happened(draft: str, s: int, a: int, b: int) -> re.Match[str] | None:
    for m in _HAPPENED.finditer(draft, a, b):
        if not (_PLAN_CUE.search(draft, a, m.start()) or _STRONG_PLAN.search(draft, s, m.start())):
            return m
    return None


def _verb_in_fact(cue: str, fact: str) -> bool:
    """An ongoing item supports a completion cue whose strong verbs it uses itself (`已完成选址`); weak verbs
    (`启动了`, `开展了`) claim no more than the item does."""
    return all(v in fact for v in _STRONG_DONE if v in cue)


@lru_cache(maxsize=64)
def _open_grams(blocks: FactBlocks) -> frozenset[str]:
    """Bigrams of the facts that are not plain finished work: a sentence sharing fewer than two of them
    cannot be flagged, so most sentences are skipped after one set intersection."""
    out: set[str] = set()
    for f in _facts(blocks):
        if f.block != "items" or f.ongoing:
            out |= f.grams
    return frozenset(out)


def find_status(draft: str, blocks: FactBlocks) -> list[StatusHit]:
    facts = _facts(blocks)
    open_grams = _open_grams(blocks)
    if not open_grams:
        return []
    hits: list[StatusHit] = []
    para_start = 0
    for sm in _SENTENCE.finditer(draft):
        s, e = sm.start(), sm.end()
        sentence = sm.group()
        # cheap test first: two of the open facts' bigrams must occur in the sentence
        if sum(g in sentence for g in open_grams) < 2:
            continue
        grams = bigrams(sentence)
        if len(grams & open_grams) < 2:
            continue
        nl = draft.rfind("\n", 0, s)
        para_start = nl + 1 if nl >= 0 else 0
        paragraph = draft[para_start:s]
        prev_line = _previous_line(draft, para_start)
        plan_ctx = bool(_PLAN_PARAGRAPH.search(paragraph)) or _opens(prev_line, _PLAN_PARAGRAPH)
        short_ctx = bool(_SHORTCOMING_PARAGRAPH.search(paragraph)) or _opens(prev_line, _SHORTCOMING_PARAGRAPH)
        hit = None if plan_ctx else _completed(draft, s, e, facts)
        if hit is None and not plan_ctx and not short_ctx:
            hit = _achievement(draft, s, e, facts, grams)
        if hit is not None:
            hits.append(hit)
    return hits


def _previous_line(draft: str, para_start: int) -> str:
    """The last non-empty line before a paragraph (a heading or an intro ending in `：`)."""
    end = para_start - 1
    while end > 0:
        start = draft.rfind("\n", 0, end) + 1
        line = draft[start:end].strip()
        if line:
            return line
        end = start - 1
    return ""


def _opens(line: str, cue: re.Pattern[str]) -> bool:
    """A heading or an intro line (`2025年工作打算：`, `三、存在的不足`) that opens a block."""
    return bool(line) and (line.endswith(("：", ":")) or len(line) <= 30) and bool(cue.search(line))


def _completed(draft: str, s: int, e: int, facts: tuple[_Fact, ...]) -> StatusHit | None:
    clauses = _clauses(draft, s, e)
    still_going = bool(_STILL_GOING.search(draft, s, e))
    enumerated = bool(_ENUMERATION.match(draft, s))
    for i, (a, b) in enumerate(clauses):
        m = _completion(draft, s, a, b)
        happened_only = False
        if m is None:
            m = None if enumerated else _happened(draft, s, a, b)
            happened_only = m is not None
        if m is None:
            continue
        if enumerated and not _PAST.search(draft, a, min(b, m.end() + 1)):
            continue  # `一是建成职工书屋；二是……`: a list of bare verbs is how plans are written
        seg_start = clauses[i - 1][0] if i > 0 else a
        best = _best(draft[seg_start:b], facts)
        if not best:
            continue
        # A finished item, or an ongoing one whose own words say this much, explains the sentence.
        if any(f.block == "items" and (not f.ongoing or _verb_in_fact(m.group(), f.text)) for f in best):
            continue
        fact = next((f for f in best if f.block == "plans"), None) or next(
            (f for f in best if f.block == "items"), best[0])
        if happened_only and (fact.block != "plans" or _CONTINUING.search(fact.text)):
            continue  # `深入开展` says no more than an ongoing item, a shortcoming or `持续开展…` allows
        if still_going and fact.block != "shortcomings":
            continue
        if fact.block == "shortcomings":
            if _NEG_CUE.search(draft[s:e]) or not bigrams(draft[s:e]) & fact.problem:
                continue
            start, end = _trim(draft, s, e)
            return StatusHit(start, end, "status_shortcoming_as_achievement", fact.quote())
        reason = "status_plan_as_done" if fact.block == "plans" else "status_ongoing_as_done"
        start, end = _trim(draft, s, e)  # the whole sentence: it is the statement that is wrong
        return StatusHit(start, end, reason, fact.quote())
    return None


def _achievement(draft: str, s: int, e: int, facts: tuple[_Fact, ...], grams: frozenset[str]
                 ) -> StatusHit | None:
    """A sentence about a shortcoming that states it as an achievement."""
    sentence = draft[s:e]
    if _NEG_CUE.search(sentence):
        return None
    best = _best(sentence, facts, grams)
    # About a shortcoming (or equally about a plan, which is not done either), and no finished item.
    if not any(f.block == "shortcomings" for f in best) or any(f.block == "items" for f in best):
        return None
    best = [f for f in best if f.block == "shortcomings" and grams & f.problem]
    if not best:
        return None
    if not _POS_CUE.search(sentence):
        return None
    start, end = _trim(draft, s, e)
    return StatusHit(start, end, "status_shortcoming_as_achievement", best[0].quote())


# --- registration ----------------------------------------------------------------------------------------
register_kind("status", "状态")
for _r in (
    Rule("status_plan_as_done", ("status",), "打算写成已完成", "写成了已完成，但{fact}，尚未完成",
         "请按事实写成打算（将、计划、力争），或删去"),
    Rule("status_ongoing_as_done", ("status",), "进行中写成已完成", "写成了已完成，但{fact}，仍在进行",
         "请按事实写成正在进行，或删去"),
    Rule("status_shortcoming_as_achievement", ("status",), "不足写成成绩", "写成了成绩，但{fact}，这是不足",
         "请写入存在不足，或删去"),
):
    register_rule(_r)


class StatusChecker:
    name = "status"
    kinds: tuple[str, ...] = ("status",)
    order = 30

    def run(self, ctx: CheckContext) -> list[Flag]:
        hits = find_status(ctx.draft, fact_blocks(ctx.facts))
        return [Flag(text=ctx.draft[h.start : h.end], start=h.start, end=h.end, kind="status", reason=h.reason,
                     hint=rule(h.reason).explain(fact=h.fact)) for h in hits]


register_checker(StatusChecker())
