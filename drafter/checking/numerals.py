"""Numeral values: Arabic (half/full width, thousands separators), Chinese, and mixed (`1.5万`, `13万2千`).

Everything here works on short, already-isolated numeral strings; finding them in text is `amounts.py`'s job.
The Chinese parser is hand-written (cn2an raises on `4万多`, `28000余`, `百分之二十三`, mangles `两三个`,
and is slower); it returns None for strings that are not a well-formed numeral (`五一`, `万一`, `十四五`).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Length-preserving normalisation: full-width digits and symbols to ASCII, one char for one char, so that
# offsets into the normalised text are offsets into the original.
_FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)}
_FULLWIDTH.update({"％": "%", "．": ".", "Ｘ": "X", "ｘ": "x", "＿": "_", "～": "~", "－": "-", "／": "/"})
_FULLWIDTH_RE = re.compile("[" + re.escape("".join(_FULLWIDTH)) + "]")

CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4,
    "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
CN_UNITS: dict[str, int] = {
    "十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000,
    "万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000,
}
CN_CHARS = "".join(CN_DIGITS) + "".join(CN_UNITS)
_ZERO = frozenset("零〇○")
_TOKEN_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?|.", re.S)
_SEPARATOR_RE = re.compile(r"(?<=[0-9])[,，](?=[0-9]{3})")

Range = tuple[float, float]
_CN_DECIMAL_RE = re.compile(r"([零〇一二两三四五六七八九十百千]*)点([零〇一二三四五六七八九]+)([万亿]?)")


def normalise(text: str) -> str:
    """Full-width digits and symbols to ASCII; `len(normalise(t)) == len(t)` always."""
    if not _FULLWIDTH_RE.search(text):
        return text  # the common case; str.translate costs ~60 ns a character
    return _FULLWIDTH_RE.sub(lambda m: _FULLWIDTH[m.group()], text)


@lru_cache(maxsize=4096)
def parse_numeral(s: str) -> Range | None:
    """The value of one numeral string as (low, high); low == high unless it is a range like `二三十`.

    Accepts `1200`, `1,200`, `1，200`, `6.4万`, `13万2千`, `一千二百`, `两`, `〇`, `一万五`, `二三十`, `十几`,
    `数百`. Returns None for anything else (`五一`, `万一`, `十四五`, ``).
    """
    if not s:
        return None
    s = normalise(s)
    if "几" in s or s[0] == "数":
        return _parse_vague(s)
    m = _CN_DECIMAL_RE.fullmatch(s)
    if m:  # 十七点四万, 三点五: the integer part, the digits after 点, an optional 万/亿
        whole = _parse_exact(m.group(1)) if m.group(1) not in ("", "零", "〇") else 0.0
        if whole is None:
            return None
        frac = float("0." + "".join(str(CN_DIGITS[c]) for c in m.group(2)))
        value = round((whole + frac) * (CN_UNITS[m.group(3)] if m.group(3) else 1), 6)
        return (value, value)
    pair = _adjacent_pair(s)
    if pair is not None:
        i, d1, d2 = pair
        lo = _parse_exact(s[:i] + d1 + s[i + 2 :])
        hi = _parse_exact(s[:i] + d2 + s[i + 2 :])
        if lo is None or hi is None:
            return None
        return (lo, hi)
    v = _parse_exact(s)
    return None if v is None else (v, v)


def parse_value(s: str) -> float | None:
    """A single exact value, or None (ranges and malformed strings)."""
    r = parse_numeral(s)
    if r is None or r[0] != r[1]:
        return None
    return r[0]


def parse_positional(s: str) -> int | None:
    """Digit-by-digit Chinese or Arabic numerals, as in years: `二〇二四` -> 2024, `2024` -> 2024."""
    out = 0
    for ch in normalise(s):
        if ch.isascii() and ch.isdigit():
            d = ord(ch) - 48
        elif ch in CN_DIGITS and ch != "两":
            d = CN_DIGITS[ch]
        else:
            return None
        out = out * 10 + d
    return out if s else None


def _adjacent_pair(s: str) -> tuple[int, str, str] | None:
    """`二三十`, `两三`, `十一二`, `七八百`, `三五`: two non-zero digits side by side make a range."""
    for i in range(len(s) - 1):
        a, b = s[i], s[i + 1]
        if a in CN_DIGITS and b in CN_DIGITS and a not in _ZERO and b not in _ZERO:
            da, db = CN_DIGITS[a], CN_DIGITS[b]
            if db == da + 1 or (da, db) == (3, 5):
                rest = s[i + 2 :]
                if all(c in CN_UNITS for c in rest) and not any(c in CN_DIGITS for c in s[i + 2 :]):
                    return (i, a, b)
            return None
    return None


def _parse_vague(s: str) -> Range | None:
    """`十几` 11-19, `几十` 20-90, `数百` 200-900, `十几万` 110000-190000."""
    core = s[1:] if s[0] == "数" else s
    if "几" in core:
        i = core.index("几")
        before = core[:i]
    else:
        i, before = -1, ""
        core = "几" + core
        i = 0
    low_digit = "一" if before and before[-1] in CN_UNITS else "二"
    lo = _parse_exact(core.replace("几", low_digit, 1))
    hi = _parse_exact(core.replace("几", "九", 1))
    if lo is None or hi is None:
        return None
    return (lo, hi)


def _parse_exact(s: str) -> float | None:
    """Chinese or mixed numerals with units, positional lists of digits excluded."""
    s = _SEPARATOR_RE.sub("", s)
    if not s:
        return None
    if s[0] in "万萬亿億":
        return None
    tokens = _TOKEN_RE.findall(s)
    if len(tokens) == 1:
        t = tokens[0]
        if t[0].isdigit():
            return float(t)
        if t in CN_DIGITS:
            return float(CN_DIGITS[t])
        if t in ("十", "拾", "百", "佰", "千", "仟"):
            return float(CN_UNITS[t])
        return None
    total = 0.0  # complete 亿 groups
    wan = 0.0  # the 万 group below 亿
    section = 0.0  # below 万
    num: float | None = None
    last_small = 10_000  # small units must decrease inside a section
    prev = ""  # "n" number, "u" unit, "z" zero
    last_unit = 0
    wan_done = False
    for t in tokens:
        if t[0].isdigit():
            if num is not None:
                return None
            num, prev = float(t), "n"
        elif t in _ZERO:
            if num is not None or prev == "z":
                return None
            prev = "z"
        elif t in CN_DIGITS:
            if num is not None:
                return None
            num, prev = float(CN_DIGITS[t]), "n"
        elif t in CN_UNITS:
            m = CN_UNITS[t]
            if m < 10_000:
                if num is None:
                    if prev in ("", "z") or (prev == "u" and m == 10):
                        num = 1.0
                    else:
                        return None
                if m >= last_small:
                    return None
                section += num * m
                last_small = m
            elif m == 10_000:
                if wan_done or (num is None and section == 0):
                    return None
                wan = (section + (num or 0.0)) * 10_000
                section, last_small, wan_done = 0.0, 10_000, True
            else:
                group = wan + section + (num or 0.0)
                if group == 0:
                    return None
                total = (total + group) * 100_000_000
                wan, section, last_small, wan_done = 0.0, 0.0, 10_000, False
            num, prev, last_unit = None, "u", m
        else:
            return None
    if num is not None:
        if prev == "n" and last_unit >= 100 and _prev_token_is_unit(tokens):
            num *= last_unit / 10  # colloquial 一万五 = 15000, 三千五 = 3500
        section += num
    return total + wan + section


def _prev_token_is_unit(tokens: list[str]) -> bool:
    return len(tokens) >= 2 and tokens[-2] in CN_UNITS


def step_of(value: float) -> float:
    """The place value of the lowest non-zero digit: 300 -> 100, 28000 -> 1000, 320 -> 10, 1.5 -> 0.1.

    `300余` means 300 to 400, `28000余` 28000 to 29000: this is the width of such a range.
    """
    if value <= 0:
        return 1.0
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    if "." in text:
        return 10.0 ** -(len(text.split(".")[1]))
    stripped = text.rstrip("0")
    return 10.0 ** (len(text) - len(stripped))


@lru_cache(maxsize=4096)
def precision_of(numeral: str, value: float) -> float:
    """Rounding unit of a numeral as written: `35` 1, `23.5` 0.1, `6.4万` 1000, `三千` 1000."""
    s = _SEPARATOR_RE.sub("", normalise(numeral))
    m = re.fullmatch(r"([0-9]+)(?:\.([0-9]+))?([十百千万亿]*)", s)
    if m:
        mult = 1.0
        for c in m.group(3):
            mult *= CN_UNITS[c]
        decimals = len(m.group(2) or "")
        return mult * 10.0 ** -decimals if decimals else mult
    return step_of(value) if value else 1.0


def close(a: float, b: float, tol: float = 1e-6) -> bool:
    """Equal up to float noise (relative for large values)."""
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def format_number(v: float) -> str:
    """`40000.0` -> `40000`, `23.456` -> `23.46`, `0.5` -> `0.5`."""
    if abs(v - round(v)) < 1e-9:
        return str(round(v))
    return f"{v:.2f}".rstrip("0").rstrip(".")
