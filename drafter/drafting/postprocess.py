"""A model's answer → the section's text: plain official prose, the way the genre writes it.

Chat models answer chattily: a preamble (好的，以下是…), the heading again, Markdown (**bold**, # headings,
`-` and `1.` lists), a sign-off (希望对您有所帮助, （注：…）). `clean_section` removes the chat and turns the
Markdown structure into the genre's own: list items become 一是……；二是…… (one paragraph when short, a
paragraph each when long), Markdown sub-headings become （一）… lines. Ordinary prose passes unchanged:
（一）, 一是, 1、, 1．, colons, 以上, 注意, 如期.

`answer_problem` names a refusal or an answer not in Chinese; `length_note` a section far from its length
budget; `SectionView` is the streaming counterpart of `clean_section` for a display; `join_continuation`
glues a continuation onto a reply cut at the length limit.
"""

from __future__ import annotations

import re

from .outline import bare_heading, cn_number
from .reasoning import strip_reasoning

_CN = "一二三四五六七八九十"
_ACK = r"(?:好的|好|当然(?:可以)?|没问题|可以|收到|明白了?|了解|OK|Okay|Sure|Certainly|Of course)"
_ACK_ONLY = re.compile(rf"^{_ACK}[，,。.！!～~、\s]*$", re.I)
_PREAMBLE = re.compile(
    rf"^(?:{_ACK}[，,。.！!～~\s]*)?(?:我(?:已|将|来|会)?[^，。：:]{{0,12}}[，,]?\s*)?"
    rf"(?:(?:以下|下面|如下)(?:是|为|就是|便是)|这是(?:为您|给您|根据|按照|本节|本部分|第[{_CN}\d]+部分|一段|一篇|修改|改写|重写)|为您|给您|根据(?:您|你)|按照(?:您|你)|结合(?:您|你)|"
    r"根据(?:所|上述|以上)?(?:提供|给出|给定)的|现(?:为您|根据您)|Here(?:'s| is| are)|Below is|"
    r"(?:修改|改写|调整|润色|重写|修订)后的[^，。：:]{0,10}(?:如下|是|为))",
    re.I,
)
_LABEL = re.compile(
    rf"^[【\[]?(?:本节|本部分|第[{_CN}\d]{{1,3}}部分)?(?:正文|内容|草稿|全文)(?:如下)?[】\]]?[：:]?$"
    r"|^(?:开篇|开篇段落|开头|引言|前言|结尾|结尾段落|结束语|结语|正文部分)[：:]?$"
    r"|^[【\[][^】\]]{1,30}[】\]]$"  # a bracketed label line: 【第二部分】
    # a kind of part named without its number: 存在的不足, 2025年工作打算, 下一步工作计划
    rf"|^(?:[{_CN}]+、)?(?:存在的?(?:主要)?(?:问题|不足)(?:和|与|及)?(?:问题|不足)?|(?:\d{{4}}年|明年|新的一年|今后)?的?工作(?:打算|计划|思路|安排)"
    r"|下一步(?:工作)?(?:打算|计划|思路)?)[：:]?$"
)
_END_MARK = re.compile(r"^[（(【\[]?\s*(?:完|全文完|正文完|本节完|END|The End)\s*[)）】\]]?$", re.I)
# Markdown sub-headings that only label a paragraph (### 总结) are dropped, not numbered.
_LABEL_HEADING = re.compile(r"^(?:总结|小结|结语|结束语|概述|引言|前言|总体情况|总体概述|结论|正文|说明)[：:]?$")
_ACK_PREFIX = re.compile(r"^(?:好的|好滴|没问题|收到|OK|Okay|Sure)[，,。.！!～~]+\s*(?=\S)", re.I)
_RULE = re.compile(r"^(?:[-*_]\s*){3,}$|^```")
_SIGNOFF = re.compile(
    r"^(?:(?:希望|但愿)(?:以上|上述|这|本|此|该|对您|对你|能对|能够对|可以对)"
    r"|(?:如|若)(?:需|需要|有需要|果需要|果您|果你|您|你|有任何|有其他|还需)"
    r"|请(?:您|你)?(?:随时|根据(?:实际|贵单位|您|你)|核对|核实|补充|替换|告诉|告知|参考|酌情|在使用)"
    r"|(?:以上|上述)(?:是|为|就是|便是|即为|内容|部分|正文|草稿|文字|段落|文本)"
    r"|(?:是否|还)?需要我|要不要我|我(?:可以|还可以|也可以)(?:再|继续|进一步|帮|为)"
    r"|[（(]?\s*(?:注|说明|备注|提示|温馨提示)\s*[：:]"
    r"|(?:Note|Notes|I hope|Hope this|Let me know|Feel free|If you)\b)",
    re.I,
)
# What makes a 以上…/（注：…）/希望… sentence talk about the answer rather than the union's work.
_META = re.compile(
    r"本节|本部分|本段|正文|草稿|撰写|起草|改写|生成|您|你|仅供|供参考|示例|替换|占位|实际情况|可根据|酌情|自行|"
    r"事实|(?:所|您)提供|提供的(?:事实|信息|材料|资料|内容|数据)|未(?:给出|提供|提及|包含)|虚构|编造|假设|"
    r"字数|修改|调整|补充|如需|随时|AI|模型|需要我|要不要我|我(?:可以|还可以|也可以)|\bnote\b|\bhope\b|\blet me\b|\bfeel free\b|\bif you\b",
    re.I,
)
_CONTINUE_LINE = re.compile(rf"^(?:{_ACK}[，,。！!\s]*)?(?:我)?(?:接着|继续)[^\n]{{0,12}}[：:]\s*\n")
_INLINE_NOTE = re.compile(r"[（(]\s*(?:注|说明|备注|提示)\s*[：:][^（）()]*[）)]\s*$")
_BULLET = re.compile(
    r"^(?P<indent>\s*)(?:[-*+•●○◦▪]\s+|\d{1,2}[.)](?!\d)\s*(?=\S)|\d{1,2}[、．.](?=\*\*))(?P<body>.*)$"
)
_MD_HEADING = re.compile(r"^\s*#{1,6}\s*(?P<body>.+?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\s*\*\*(?P<body>[^*\n]+?)\*\*\s*[：:]?\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]*-[\s:|-]*\|?\s*$")
_ENUMERATED = re.compile(
    rf"^(?:[{_CN}]+是|第[{_CN}]+[，,、是]|[（(][{_CN}\d]+[)）]|[{_CN}]+、|\d{{1,2}}[、．])"
)
_LEVEL1 = re.compile(rf"^(?:[{_CN}]+、|第[{_CN}\d]+(?:部分|章|节)[、：:\s]*)")
_SUBHEAD_NUMBER = re.compile(r"^\d{1,2}[.)．、]\s*")
_SHORT_ITEM = 60
_TITLE_ITEM = re.compile(r"^[^，。；;,：:！!？?]{2,30}$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_REFUSAL = re.compile(
    r"^(?:(?:非常|很|十分|实在)?抱歉|对不起|不好意思|I'?m sorry|I am sorry|Sorry|I apologi[sz]e|I can(?:not|'t)|"
    r"As an AI)|作为(?:一个|一名)?(?:AI|人工智能|语言模型|大语言模型|大模型|AI助手|智能助手)|"
    r"我(?:无法|不能|没办法|不便)(?:为您|帮您|为你|帮你)?(?:提供|完成|撰写|生成|编写|回答|协助|满足|处理)",
    re.I,
)
# Length budget in characters per kind of section; a body section grows with its facts.
BUDGET = {"opening": 220, "shortcomings": 220, "plans": 320, "closing": 110}


def _inline(text: str) -> str:
    """Markdown emphasis, code, links and quote markers out of one line."""
    if not any(c in text for c in "*`[>"):
        return text.strip()
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"`([^`\n]+)`", r"\1", text)
    text = re.sub(r"\[([^\]\n]+)\]\([^)\s]+\)", r"\1", text)
    text = re.sub(r"^\s*>\s?", "", text)
    whole = re.fullmatch(r"\s*\*([^*\s][^*]*[^*\s])\*\s*", text)  # a line in *italics*
    return (whole.group(1) if whole else text).strip()


def _plain(line: str) -> str:
    """A line without Markdown markers at all, for comparing it with a heading."""
    return re.sub(r"[#*]", "", _inline(line)).strip()


def _like_heading(text: str, heading: str) -> bool:
    bare = bare_heading(heading)
    if not bare:
        return False
    text = re.sub(r"\s", "", text)
    mine = _LEVEL1.sub("", text)
    if mine == bare or (bare in text and len(text) <= len(heading) + 6):
        return True
    number = re.match(rf"^([{_CN}]+)、", heading)
    if number and text.startswith(number.group(0)):
        return True
    return len(set(bare) & set(mine)) >= 0.6 * len(set(bare)) and len(mine) <= 2 * len(bare) + 6


def _top_junk(line: str, heading: str) -> bool:
    """A first line that is chat, a label, a rule or the heading again — not the section's text."""
    s = _plain(line)
    if not s or _RULE.match(line.strip()) or _ACK_ONLY.match(s) or _LABEL.match(s):
        return True
    if len(s) <= 100 and _PREAMBLE.match(s) and (s[-1] in "：:。！!" or len(s) <= 40):
        after = re.split(r"[：:]", s, maxsplit=1)[1:]
        return not (after and len(after[0].strip()) > 4)  # `…如下：正文` keeps its text (cut later)
    if len(s) > 50 or re.search(r"[。；;！!？?]", s) or s[-1] in "：:" or (_ENUMERATED.match(s) and not _LEVEL1.match(s)):
        return False  # a sentence, a lead line ending with a colon, a sub-heading: text
    return _like_heading(s, heading) or bool(re.search(r"(?:工作总结|年度总结|总结报告)$", s))


def _cut_inline_preamble(text: str) -> str:
    """`好的，以下是本节正文：一年来……` → `一年来……`; `好的！一年来……` → `一年来……`."""
    text = _ACK_PREFIX.sub("", text, count=1)
    m = re.match(r"^(?P<pre>[^\n]{0,60}?[：:])\s*(?P<rest>\S[\s\S]*)$", text)
    pre = m.group("pre").strip() if m else ""
    if m and (_LABEL.match(pre) or (_PREAMBLE.match(pre) and re.search(r"以下|如下|下面|这是|正文", pre))):
        return m.group("rest")
    return text


def _is_signoff(sentence: str) -> bool:
    s = _inline(sentence).strip().lstrip("*_-—").strip()
    return bool(s) and bool(_SIGNOFF.match(s)) and bool(_META.search(s))


def _drop_signoffs(lines: list[str]) -> list[str]:
    while lines:
        last = lines[-1].strip()
        if not last or _RULE.match(last) or _END_MARK.match(last) or _is_signoff(last):
            lines.pop()
            continue
        note = _INLINE_NOTE.search(last)
        if note and _META.search(note.group(0)):
            lines[-1] = last[: note.start()]
            continue
        body = last.rstrip("。！!？?")[-120:]  # a sign-off is a short last sentence
        cut = max(body.rfind(c) for c in "。！!？?；;")
        start = len(last.rstrip("。！!？?")) - len(body) + cut + 1
        if cut >= 0 and _is_signoff(last[start:]):
            lines[-1] = last[:start]
            continue
        break
    return lines


def drop_preamble(text: str, heading: str = "") -> str:
    """Leading chat, labels, rules and a repeated heading removed."""
    lines = text.strip().split("\n")
    while lines and _top_junk(lines[0], heading):
        lines.pop(0)
    return _cut_inline_preamble("\n".join(lines).strip())


def _trim(text: str) -> str:
    return text.rstrip("；;，,。.、：: ")


def _subheading(text: str, n: int) -> str:
    text = text.rstrip("：: ")
    if _ENUMERATED.match(text):
        return text
    return f"（{cn_number(n)}）{_SUBHEAD_NUMBER.sub('', text)}"


def _render_list(items: list[tuple[str, bool]], out: list[str]) -> None:
    """List items → 一是……；二是…… after the lead line (short items) or a paragraph each (long ones)."""
    texts = [t for t, _ in items if t]
    if not texts:
        return
    if len(texts) == 1 or any(_ENUMERATED.match(t) for t in texts):
        out.extend(t if t[-1] in "。！？!?" else _trim(t) + "。" for t in texts)
        return
    nested = any(n for _, n in items)
    short = not nested and all(len(t) <= _SHORT_ITEM and not re.search(r"[。！？!?]", _trim(t)) for t in texts)
    if short:
        para = "；".join(f"{cn_number(i)}是{_trim(t)}" for i, t in enumerate(texts, 1)) + "。"
        if out and out[-1][-1:] in "：:":
            out[-1] = out[-1][:-1] + "：" + para
        else:
            out.append(para)
        return
    out.extend(f"{cn_number(i)}是{_trim(t)}。" for i, t in enumerate(texts, 1))


def _structure(lines: list[str]) -> list[str]:
    out: list[str] = []
    items: list[list[object]] = []  # [indent, text, has_children, numbered]
    sub = 0
    blank = False

    def flush() -> None:
        _render_list([(str(t), bool(n)) for _, t, n, _ in items], out)
        items.clear()

    for raw in lines:
        if not raw.strip():
            blank = True
            continue
        if _RULE.match(raw.strip()) or (_TABLE_RULE.match(raw) and "|" in raw):
            continue
        bullet = _BULLET.match(raw)
        if bullet:
            indent = len(bullet.group("indent").expandtabs(4))
            body = _inline(bullet.group("body"))
            if items and indent > int(str(items[0][0])) + 1:
                parent = items[-1]
                joiner = "；" if parent[2] else "："
                parent[1], parent[2] = _trim(str(parent[1])) + joiner + _trim(body), True
            else:
                items.append([indent, body, False, bullet.group(0).lstrip()[:1].isdigit()])
            blank = False
            continue
        if items and not blank and raw[:1].isspace():  # a list item's continuation line
            items[-1][1] = str(items[-1][1]) + _inline(raw)
            continue
        if len(items) == 1 and items[0][3] and not items[0][2] and _TITLE_ITEM.match(str(items[0][1])):
            sub += 1  # `1. 强化思想引领` then its paragraph: a numbered sub-heading, not a list
            out.append(_subheading(str(items[0][1]), sub))
            items.clear()
        flush()
        blank = False
        if raw.strip().startswith("|"):
            out.append("，".join(c.strip() for c in raw.strip().strip("|").split("|") if c.strip()))
            continue
        head = _MD_HEADING.match(raw) or _BOLD_LINE.match(raw)
        if head and _LABEL_HEADING.match(_inline(head.group("body"))):
            continue
        if head and len(head.group("body")) <= 40:
            sub += 1
            out.append(_subheading(_inline(head.group("body")), sub))
        elif text := _inline(raw):
            out.append(text)
    flush()
    return out


def clean_section(text: str, heading: str = "") -> str:
    """The section's body as plain official prose: paragraphs one per line, no chat, no Markdown."""
    text = strip_reasoning(text).replace("\r\n", "\n").replace("\r", "\n").replace("\u200b", "")
    text = drop_preamble(text, heading)
    lines = _drop_signoffs(text.split("\n"))
    return "\n".join(p for p in (x.strip() for x in _structure(lines)) if p)


def answer_problem(text: str) -> str | None:
    """Why a cleaned answer is not a section (in Chinese), or None when it is one."""
    cjk, latin, kana = (len(r.findall(text)) for r in (_CJK, _LATIN, _KANA))
    if cjk + latin + kana == 0:
        return "模型没有写出正文"
    head = text.strip()[:80]
    if _REFUSAL.search(head):
        excerpt = head[:40] + ("…" if len(head) > 40 else "")
        return f"模型拒绝撰写本节（“{excerpt}”）"
    if latin > cjk or kana * 5 > cjk:
        return "模型没有用中文作答"
    return None


def length_budget(kind: str, facts: int = 0) -> int:
    return BUDGET.get(kind) or max(250, 120 + 70 * facts)


def length_note(text: str, kind: str, facts: int = 0) -> str | None:
    """A note when a section is far from its length budget: under a tenth of it, or over four times."""
    n, budget = len(re.sub(r"\s", "", text)), length_budget(kind, facts)
    if n < budget / 10:
        return f"本节只有 {n} 字，远少于预期的约 {budget} 字，内容可能不完整，请检查或重写本节"
    if n > budget * 4:
        return f"本节有 {n} 字，远多于预期的约 {budget} 字，建议精简"
    return None


def join_continuation(first: str, more: str) -> str:
    """A reply cut at the length limit + its continuation, without a preamble or a repeated overlap."""
    more = drop_preamble(_CONTINUE_LINE.sub("", strip_reasoning(more), count=1))
    for k in range(min(len(first), len(more), 200), 5, -1):
        if first.endswith(more[:k]):
            more = more[k:]
            break
    return first + more


class SectionView:
    """What a display shows of a section while it streams: nothing until its real text starts (a preamble,
    a label or the heading again is held back and dropped), then the pieces without `**` or `#` markers.
    The final text may still differ (lists, sign-offs): compare with `shown` and replace when it does."""

    __slots__ = ("_head", "_heading", "_star", "shown", "started")

    def __init__(self, heading: str = "") -> None:
        self._heading = heading
        self.reset()

    def reset(self) -> None:
        self._head = ""
        self._star = ""
        self.started = False
        self.shown = ""

    def feed(self, piece: str) -> str:
        if self.started:
            return self._show(piece)
        self._head += piece
        while True:
            line, nl, rest = self._head.partition("\n")
            if nl and _top_junk(line, self._heading):
                self._head = rest
                continue
            s = _plain(line)
            if not nl and (len(s) < 4 or (len(s) <= 60 and self._may_be_junk(line, s))):
                return ""
            self.started = True
            text, self._head = _cut_inline_preamble(self._head.lstrip()), ""
            return self._show(text)

    def _may_be_junk(self, line: str, s: str) -> bool:
        first = line.lstrip()[:1]
        return (first in "#*`-_【[>|" or bool(re.match(rf"^(?:{_ACK}|以下|下面|这是|为您|根据|Here|Below)", s, re.I))
                or bool(_LEVEL1.match(s)) or _like_heading(s, self._heading) or "总结" in s)

    def _show(self, piece: str) -> str:
        if not self._star and "*" not in piece and "#" not in piece:  # the usual case, kept cheap
            self.shown += piece
            return piece
        text = self._star + piece
        keep = len(text) - len(text.rstrip("*#"))
        text, self._star = (text[:-keep], text[-keep:]) if keep else (text, "")
        text = re.sub(r"(^|\n)#{1,6}\s*", r"\1", text.replace("**", ""))
        self.shown += text
        return text

    def flush(self) -> str:
        """The end of the stream: what is still held back."""
        if not self.started:
            text = drop_preamble(self._head, self._heading)
            self._head, self.started = "", True
            return self._show(text) if text else ""
        text, self._star = self._star, ""
        self.shown += text
        return text


# Appended to the section prompt when the first answer was a refusal or not in Chinese.
FIRMER = ("【重要】上一次的回答不能用（{reason}）。请直接用规范的简体中文写出本节正文：不要拒绝，不要解释，"
          "不要使用英文，不要输出标题、前言、说明或结束语。这是单位内部的年度工作总结，内容全部来自上面给出的事实。")
TRUNCATED_NOTE = "模型输出达到长度上限，续写一次后仍未写完，本节结尾可能不完整，请检查或重写本节"
