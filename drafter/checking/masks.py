"""Fixed phrases and names with numerals, blanked out before amounts are looked for.

`mask(text)` replaces each with a private-use filler character of the same length, so offsets stay valid and
the amount pattern never sees `三个代表`, `统一`, `《2019年工作要点》`, `“两学一做”`, `9:30`, `G20`, `5·12`.
"""

from __future__ import annotations

import re

from .lexicon import ARABIC_ONLY_UNITS, FIXED_PHRASES, UNITS
from .numerals import CN_CHARS

_FILL = "\ue000"
_CN = CN_CHARS


def _alternation(words: list[str]) -> str:
    """A trie-shaped regex for a word list, longest match first: the engine checks one branch per character
    instead of every word (`三个代表|三八` -> `三(?:个代表|八)`)."""
    trie: dict[str, dict] = {}
    for w in set(words):
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        end = "" in node
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and not end else "(?:" + "|".join(alts) + ")"
        return body + "?" if end else body

    return emit(trie)


_digit_start = [w for w in FIXED_PHRASES if w[0].isdigit() and not w[-1].isdigit()]
_digit_only = [w for w in FIXED_PHRASES if w[0].isdigit() and w[-1].isdigit()]  # 12345, 12351, 95598, 985
# A digit string followed by a multiplier, 余/多 or a measure word is an amount, whatever it looks like:
# `12345元`, `12351万元`, `12345678元` (not a hotline or a phone number).
_units = [u for u in (*UNITS, *ARABIC_ONLY_UNITS, "%") if u]
_AMOUNT_AHEAD = rf"(?![0-9.]|[十百千万亿余多]|{_alternation(_units)})"
_cn_start = [w for w in FIXED_PHRASES if w[0] in _CN]
_other = [w for w in FIXED_PHRASES if not w[0].isdigit() and w[0] not in _CN]

_MASK_FIRST = re.escape("".join(sorted(set("《“「『\"〔[【(（五两" + _CN + "".join(w[0] for w in _other)))))
_MASK_FIRST += "0-9A-Za-z"
_MASK_RE = re.compile(
    # the leading look-ahead lets the engine skip ordinary characters fast (6x faster on real text)
    f"(?=[{_MASK_FIRST}])(?:"
    + "|".join(
        [
            r"《[^》\n]{1,60}》",  # titles of documents and books
            r"[“「『\"][^”」』\"\n0-9]{1,10}[”」』\"]",  # short quoted names: checked in code
            r"[〔\[【(（][0-9]{4}[〕\]】)）]\s*[0-9]+号",  # document numbers
            r"(?<![0-9])[0-9]{1,2}[:：][0-9]{2}(?![0-9])",  # times of day
            r"(?<![0-9.])[0-9]{1,2}[·•][0-9]{1,2}(?![0-9])",  # 5·12 护士节, 3·15
            rf"(?<![0-9])(?:0[0-9]{{2,3}}-)?[0-9]{{7,8}}{_AMOUNT_AHEAD}|(?<![0-9])1[3-9][0-9]{{9}}{_AMOUNT_AHEAD}",  # phones
            # G20, 5G, ISO9001, 4S; tried only where a run of letters and digits starts (linear on long runs)
            r"(?<![A-Za-z0-9])(?:[A-Za-z]+[0-9]+[A-Za-z0-9]*|[0-9]+[A-Za-z]+[A-Za-z0-9]*)",
            r"五小(?!时)|两节(?!课)",
            rf"(?<![0-9{_CN}])(?:[0-9]{{1,2}}|[一二三四五六七八九十]{{1,3}})分钟[^，。；\n]{{0,6}}圈",  # 15分钟生活圈
            r"(?<![0-9])24小时(?=服务|值守|值班|热线|在线|不间断|开放|待命|全天候)",
            rf"(?<![0-9{_CN}])[0-9{_CN}]{{1,3}}届(?:[0-9{_CN}]{{1,3}}次|(?=[^，。；\n]{{0,8}}(?:代表大会|职代会|工代会|全委会|委员会|全会|会议|理事会)))",
            rf"(?<![0-9])(?:{_alternation(_digit_start)})(?![0-9])",
            rf"(?<![0-9])(?:{_alternation(_digit_only)}){_AMOUNT_AHEAD}",
            rf"(?<![0-9{_CN}])(?:{_alternation(_cn_start)})",
            _alternation(_other),
        ]
    )
    + ")"
)
_QUOTE_OPEN = "“「『\""
_PLACEHOLDER_TOKEN = re.compile(r"[0-9]*[xX]+[0-9]*")
_HAS_CN_NUM = re.compile(rf"[{_CN}]")


def mask(text: str) -> str:
    """Replace fixed phrases and names by filler characters (same length)."""
    parts: list[str] = []
    last = 0
    for m in _MASK_RE.finditer(text):
        s, e = m.span()
        token = m.group()
        if _PLACEHOLDER_TOKEN.fullmatch(token):
            continue  # 20xx is a placeholder, not a code
        if token[0] in _QUOTE_OPEN:
            inner = token[1:-1]
            if not _HAS_CN_NUM.search(inner):
                continue
        parts.append(text[last:s])
        parts.append(_FILL * (e - s))
        last = e
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)
