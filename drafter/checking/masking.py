"""`mask_amounts`: a text with every figure the checker recognises replaced, for exemplars sent to a model.

A number the model never sees is one it cannot copy. The checker's own extractor decides what a figure is, so
Chinese numerals (`近万名`, `十场`, `四期`), mixed ones (`3万2千元`), percentages (`八成`), dates and placeholders
are masked as well as Arabic digits: an amount becomes `若干` + its measure word (`若干名`, `若干元`), a
percentage `一定比例`, the numerals of a date `某` (`某年某月`), a placeholder `某`. A passing count of one
(`一名职工`, `一次活动`) is narration, not a figure, and stays.
"""

from __future__ import annotations

import re

from .amounts import extract

_DATE_NUMERAL_RE = re.compile(r"[0-9]+|[〇○零一二两三四五六七八九十]+")


def mask_amounts(text: str) -> str:
    """`text` with its amounts, dates and placeholders replaced (lengths change; use for prompts only)."""
    _, mentions = extract(text, lenient=True)
    if not mentions:
        return text
    parts: list[str] = []
    last = 0
    for m in mentions:
        if m.category == "amount" and m.soft:
            continue
        parts.append(text[last : m.start])
        if m.category == "placeholder":
            parts.append("某")
        elif m.category == "date":
            parts.append(_DATE_NUMERAL_RE.sub("某", m.text))
        elif m.kind == "percent":
            parts.append("一定比例")
        else:
            parts.append("若干" + m.unit_text)
        last = m.end
    parts.append(text[last:])
    return "".join(parts)
