"""The offline drafter: writes every section from the facts and the genre's stock phrasing, inventing nothing.

It is what the tool does with no API key and no network. Each fact appears as the user wrote it (so every
amount is exactly theirs); the sentences around the facts are stock phrases of the genre that carry no
numbers, names or placeholders. The result is deterministic and its own check is clean.
"""

from __future__ import annotations

import re

from ..facts import Facts
from ..models import OutlineSection
from .outline import THEMES, Theme, bare_heading, open_word, staff_word, theme_of

CONNECTORS = ("", "同时，", "此外，", "与此同时，", "另外，")
ENUM = ("一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是", "九是", "十是")
_TRAILING = re.compile(r"[。；;，,、.！!？?\s]+$")


def as_sentence(fact: str) -> str:
    """A fact line as a sentence: trailing punctuation normalised to 。"""
    return _TRAILING.sub("", fact.strip()) + "。"


def _clause(fact: str) -> str:
    return _TRAILING.sub("", fact.strip())


def _fill(text: str, facts: Facts) -> str:
    return text.format(staff=staff_word(facts.org_type), open=open_word(facts.org_type))


def _superior(facts: Facts) -> str:
    return facts.superior or "上级工会和单位党组织"


def _enumerate(lines: list[str]) -> str:
    if len(lines) == 1:
        return as_sentence(lines[0])
    parts = [f"{ENUM[i] if i < len(ENUM) else ''}{_clause(line)}" for i, line in enumerate(lines)]
    return "；".join(parts) + "。"


def opening(facts: Facts) -> str:
    staff = staff_word(facts.org_type)
    note = f"{as_sentence(facts.notes)}" if facts.notes else ""
    return (
        f"{facts.year}年，{facts.union}在{_superior(facts)}的正确领导下，坚持以习近平新时代中国特色社会主义思想为指导，"
        f"紧紧围绕单位中心工作，团结动员广大{staff}建功立业，竭诚服务{staff}，各项工作取得了新的成效。{note}"
        "现将全年工作总结如下："
    )


def _theme_for(section: OutlineSection, facts: Facts) -> Theme:
    """The theme whose heading the section carries; otherwise the theme most of its facts belong to."""
    bare = bare_heading(section.heading)
    for theme in THEMES:
        if _fill(theme.heading, facts) == bare:
            return theme
    keys = [theme_of(f) for f in section.facts] or ["self"]
    best = max(keys, key=lambda k: (keys.count(k), -keys.index(k)))
    return next(t for t in THEMES if t.key == best)


def body(section: OutlineSection, facts: Facts, *, variant: int = 0, instruction: str = "") -> str:
    """Lead sentence, the facts (up to three a paragraph, joined by connectors), a closing sentence.

    `variant` (the section's version) and `instruction` give a regenerated section a different wording
    without touching a single fact: `简洁` drops the stock sentences, `突出X` puts the facts about X first.
    """
    theme = _theme_for(section, facts)
    items = list(section.facts)
    focus = re.search(r"(?:突出|强调|重点写|侧重)(.{1,8}?)(?:[，。,；;]|$)", instruction)
    if focus:
        word = focus.group(1)
        items.sort(key=lambda f: not any(w in f for w in (word, word[:2])))
    concise = any(w in instruction for w in ("简洁", "精简", "简短", "压缩", "简练"))
    sentences = [as_sentence(f) for f in items]
    paragraphs: list[str] = []
    for start in range(0, len(sentences), 3):
        group = sentences[start : start + 3]
        offset = start + variant
        joined = "".join(CONNECTORS[(offset + i) % len(CONNECTORS)] + s if i or start else s for i, s in enumerate(group))
        paragraphs.append(joined)
    if concise:
        return "\n".join(paragraphs) if paragraphs else _fill(theme.lead, facts)
    bare = bare_heading(section.heading)
    lead = _fill(theme.lead, facts) if variant % 2 == 0 else f"围绕“{bare}”，{_fill(theme.lead, facts)}"
    wrap = ("通过这些工作，" if variant % 2 == 0 else "一系列举措扎实推进，") + _fill(theme.wrap, facts)
    if paragraphs:
        paragraphs[0] = lead + paragraphs[0]
        paragraphs[-1] += wrap
    else:
        paragraphs.append(lead)
    return "\n".join(paragraphs)


def shortcomings(section: OutlineSection, facts: Facts) -> str:
    staff = staff_word(facts.org_type)
    lines = section.facts or [
        f"工作方法创新还不够，服务{staff}的针对性和实效性有待增强",
        "基层工会工作发展还不平衡，部分工作的深度和广度有待拓展",
    ]
    return (
        "回顾一年来的工作，我们也清醒地认识到还存在一些不足：" + _enumerate(lines)
        + "这些问题需要在今后的工作中认真加以改进。"
    )


def plans(section: OutlineSection, facts: Facts) -> str:
    staff = staff_word(facts.org_type)
    lines = section.facts or [
        f"继续加强思想政治引领，团结带领广大{staff}围绕中心建功立业",
        f"深化{open_word(facts.org_type)}和民主管理，切实维护{staff}合法权益",
        f"持续做好困难帮扶和送温暖工作，不断增强{staff}的获得感和幸福感",
    ]
    return f"新的一年，{facts.union}将重点抓好以下工作：" + _enumerate(lines)


def closing(facts: Facts) -> str:
    staff = staff_word(facts.org_type)
    return (
        f"总之，一年来{facts.union}工作取得了一定成绩。我们将在{_superior(facts)}的正确领导下，"
        f"坚定信心、再接再厉，团结带领广大{staff}为单位高质量发展作出新的更大贡献。"
    )


def write_section(section: OutlineSection, facts: Facts, *, variant: int = 0, instruction: str = "") -> str:
    if section.kind == "opening":
        return opening(facts)
    if section.kind == "closing":
        return closing(facts)
    if section.kind == "shortcomings":
        return shortcomings(section, facts)
    if section.kind == "plans":
        return plans(section, facts)
    return body(section, facts, variant=variant, instruction=instruction)
