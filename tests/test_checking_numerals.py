"""Numeral values: Arabic, Chinese and mixed; property tests with hypothesis."""

from __future__ import annotations

import cn2an
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drafter.checking.numerals import (
    format_number,
    normalise,
    parse_numeral,
    parse_positional,
    parse_value,
    precision_of,
    step_of,
)

DIGITS = "零一二三四五六七八九"


def render_chinese(n: int, short_ten: bool = True, liang: bool = False) -> str:
    """A standard Chinese rendering of 0 <= n <= 10**12 (`一万零五`, `十二`, `三亿零七万`)."""
    if n == 0:
        return "零"

    def section(x: int) -> str:
        out, zero = "", False
        for unit, p in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
            d = x // p % 10
            if d == 0:
                zero = bool(out)
                continue
            if zero:
                out += "零"
                zero = False
            digit = "两" if liang and d == 2 and unit in ("千", "百") else DIGITS[d]
            out += digit + unit
        return out

    groups = [(n // 10**8, "亿"), (n // 10**4 % 10**4, "万"), (n % 10**4, "")]
    out = ""
    for value, unit in groups:
        if value == 0:
            continue
        body = render_chinese(value) if value >= 10**4 else section(value)
        if out and value < 1000:
            out += "零"
        out += body + unit
    if short_ten and out.startswith("一十"):
        out = out[1:]
    return out


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1200", 1200), ("1,200", 1200), ("1，200", 1200), ("１２００", 1200), ("6.4万", 64000),
        ("1.5万", 15000), ("4万", 40000), ("3千", 3000), ("13万2千", 132000), ("2亿3000万", 230_000_000),
        ("三", 3), ("十二", 12), ("一千二百", 1200), ("两", 2), ("〇", 0), ("零", 0), ("两百", 200),
        ("一万零五", 10005), ("一百一十", 110), ("一万五", 15000), ("三千五", 3500), ("一百五", 150),
        ("十万", 100_000), ("一万亿", 10**12), ("三亿五千万", 350_000_000), ("百", 100), ("千", 1000),
        ("壹佰贰拾", 120),
    ],
)
def test_exact_values(text: str, value: float) -> None:
    assert parse_value(text) == value


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("二三十", 20, 30), ("两三", 2, 3), ("十一二", 11, 12), ("七八百", 700, 800), ("三五", 3, 5),
     ("一百二三十", 120, 130), ("两三万", 20000, 30000), ("十几", 11, 19), ("几十", 20, 90),
     ("数百", 200, 900), ("十几万", 110_000, 190_000)],
)
def test_ranges(text: str, low: float, high: float) -> None:
    assert parse_numeral(text) == (low, high)


@pytest.mark.parametrize("text", ["五一", "万一", "二〇二四", "", "亿万", "一十一百", "统一", "四五六"])
def test_not_numerals(text: str) -> None:
    assert parse_numeral(text) is None


def test_positional_years() -> None:
    assert parse_positional("二〇二四") == 2024
    assert parse_positional("二○二三") == 2023
    assert parse_positional("2024") == 2024
    assert parse_positional("两千") is None


def test_normalise_keeps_length() -> None:
    s = "２３％，１，２００人，ＸＸ公司"
    assert normalise(s) == "23%，1，200人，XX公司"
    assert len(normalise(s)) == len(s)


def test_step_and_precision() -> None:
    assert step_of(300) == 100
    assert step_of(28000) == 1000
    assert step_of(320) == 10
    assert step_of(1.5) == 0.1
    assert precision_of("6.4万", 64000) == 1000
    assert precision_of("23.5", 23.5) == pytest.approx(0.1)
    assert precision_of("35", 35) == 1
    assert format_number(40000.0) == "40000"
    assert format_number(23.456) == "23.46"


@given(st.integers(min_value=0, max_value=10**12), st.booleans(), st.booleans())
@settings(max_examples=400, deadline=None)
def test_chinese_roundtrip_own_renderer(n: int, short_ten: bool, liang: bool) -> None:
    text = render_chinese(n, short_ten=short_ten, liang=liang)
    assert parse_value(text) == n, text


@given(st.integers(min_value=0, max_value=10**12))
@settings(max_examples=300, deadline=None)
def test_chinese_roundtrip_cn2an(n: int) -> None:
    text = cn2an.an2cn(n)
    assert parse_value(text) == n, text


@given(st.integers(min_value=0, max_value=10**12))
@settings(max_examples=200, deadline=None)
def test_arabic_forms_roundtrip(n: int) -> None:
    assert parse_value(str(n)) == n
    assert parse_value(f"{n:,}") == n
    assert parse_value(f"{n:,}".replace(",", "，")) == n
    full = str(n).translate({ord(c): chr(0xFF10 + int(c)) for c in "0123456789"})
    assert parse_value(full) == n


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=0, max_value=9))
@settings(max_examples=200, deadline=None)
def test_mixed_roundtrip(wan: int, qian: int) -> None:
    text = f"{wan}万{qian}千" if qian else f"{wan}万"
    assert parse_value(text) == wan * 10_000 + qian * 1000


def test_cn2an_failure_cases_are_handled() -> None:
    """cn2an raises on these or mangles them; the checker's extractor reads them right."""
    from drafter.checking.amounts import extract

    for raw, text, lo, hi in [("4万多", "4万多元", 40000, 50000), ("28000余", "28000余元", 28000, 29000),
                              ("百分之二十三", "百分之二十三", 23, 23)]:
        with pytest.raises(ValueError):
            cn2an.cn2an(raw, "smart")
        _, mentions = extract(text)
        assert len(mentions) == 1, text
        assert (mentions[0].lo, mentions[0].hi) == (lo, hi), text
    assert cn2an.transform("两三个") == "23个"  # mangled
    _, mentions = extract("两三个")
    assert [(m.lo, m.hi, m.unit) for m in mentions] == [(2, 3, "个")]
    assert cn2an.transform("统一") == "统1"  # mangled
    assert extract("统一思想，统一行动")[1] == []
