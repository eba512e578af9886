"""Properties of check(): never crashes, offsets always slice the flag's text, flags sorted, stable."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drafter.checking import check, registry
from drafter.checking.amounts import extract

# Text that exercises the extractor: numerals, units, approximation words, punctuation, placeholders.
_PIECES = list("0123456789０１２３４５６７８９,，.．%％-~至到一二两三四五六七八九十百千万亿〇零几数余多近约逾左右以上"
               "元人名位户次场项个年月日号届期第xX×_＿“”《》（）、，。；\n ")
_PIECES += ["人次", "万元", "百分之", "分之", "成", "平方米", "公里", "岁", "小时", "个月", "元/人", "统一", "三个代表",
            "二〇二四年", "20xx", "一名", "一次", "走访慰问", "困难职工", "慰问金", "第一", "一等奖"]

chinese_ish = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)
any_text = st.text(max_size=200)
mixed = st.one_of(chinese_ish, any_text, st.tuples(chinese_ish, any_text).map("".join))


@given(draft=mixed, facts=st.lists(mixed, max_size=4), exemplars=st.lists(mixed, max_size=2))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_check_never_crashes_and_offsets_slice(draft: str, facts: list[str], exemplars: list[str]) -> None:
    flags = check(draft, facts, exemplars)
    starts = [f.start for f in flags]
    assert starts == sorted(starts)
    for f in flags:
        assert 0 <= f.start < f.end <= len(draft)
        assert draft[f.start : f.end] == f.text
        assert registry.is_kind(f.kind)
        if isinstance(f.value, list):
            assert len(f.value) == 2 and f.value[0] <= f.value[1]


@given(text=mixed)
@settings(max_examples=300, deadline=None)
def test_a_text_supports_itself(text: str) -> None:
    """Every amount and date of a text is supported by the same text given as facts."""
    assert [f for f in check(text, text) if f.kind != "placeholder"] == []


@given(text=mixed)
@settings(max_examples=300, deadline=None)
def test_mentions_do_not_overlap(text: str) -> None:
    _, mentions = extract(text)
    for a, b in itertools.pairwise(mentions):
        assert a.end <= b.start
    for m in mentions:
        assert text[m.start : m.end] == m.text


@given(prefix=chinese_ish, suffix=chinese_ish)
@settings(max_examples=200, deadline=None)
def test_offsets_shift_with_a_prefix(prefix: str, suffix: str) -> None:
    """An amount after a newline is found at the same place whatever came before."""
    draft = f"{prefix}\n走访慰问困难职工家庭32户。\n{suffix}"
    flags = check(draft, ["走访慰问困难职工家庭30户"])
    at = draft.index("32户")
    assert any(f.start == at and f.text == "32户" for f in flags)
