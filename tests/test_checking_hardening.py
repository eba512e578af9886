"""Hostile inputs: every pattern is linear on long runs, the check is ~linear in facts × amounts, and the
documented limits raise InputError. Hang guards are generous (the quadratic cases took 25 s and more)."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from drafter.checking import MAX_CHECK_CHARS, MAX_FACT_LINES, check, check_limits
from drafter.checking.amounts import extract
from drafter.checking.support import FactIndex, _compatible
from drafter.cli import main
from drafter.errors import InputError
from tests.support.hostile import hostile_runs

ROOT = Path(__file__).resolve().parents[1]
N = MAX_CHECK_CHARS  # the longest text a check accepts


def _inputs() -> dict[str, str]:
    return hostile_runs(N)


@pytest.mark.parametrize(("name", "text"), list(_inputs().items()), ids=list(_inputs()))
def test_long_hostile_runs_are_linear(name: str, text: str) -> None:
    t0 = time.perf_counter()
    flags = check(text, ["走访慰问困难职工家庭30户", "XX公司"])
    elapsed = time.perf_counter() - t0
    assert elapsed < 15, f"{name}: {elapsed:.1f} s"  # linear: < 2 s here; quadratic: minutes
    assert all(text[f.start : f.end] == f.text for f in flags)


def test_many_facts_times_many_amounts() -> None:
    """2,000 fact lines (the limit) against a draft with 3,500 amounts (~60,000 characters, the limit) none of
    them supports: every amount is explained (value_mismatch needs the best same-context fact), without a
    scan of the facts each."""
    facts = [f"走访慰问困难职工家庭{i}户，发放慰问金{i * 100}元" for i in range(1, MAX_FACT_LINES + 1)]
    rnd = random.Random(1)
    draft = "".join(f"走访慰问困难职工家庭{rnd.randint(3000, 90000)}户，" for _ in range(3500))
    t0 = time.perf_counter()
    flags = check(draft, facts)
    assert time.perf_counter() - t0 < 20  # was ~25 s before the facts were indexed; ~1 s now
    assert len(flags) == 3500 and {f.reason for f in flags} <= {"value_mismatch", "unit_mismatch", "derived", "not_in_facts"}
    supported = "".join(f"走访慰问困难职工家庭{i}户，" for i in range(1, 2001))
    assert check(supported, facts) == []


def test_indexed_support_agrees_with_a_scan_of_every_fact() -> None:
    """The value index finds exactly what comparing the draft amount with every fact amount finds."""
    for path in sorted((ROOT / "tests" / "data").glob("check_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            facts = item["facts"]
            lines = facts.splitlines() if isinstance(facts, str) else (
                facts if isinstance(facts, list) else [str(v) for v in facts.get("items", [])])
            index = FactIndex(lines)
            for d in extract(item["draft"])[1]:
                if d.category != "amount":
                    continue
                pool = index.amounts if d.kind == "" else index.by_kind.get(d.kind, []) + index.by_kind.get("", [])
                assert index.supports(d) == any(_compatible(d, k.m) for k in pool), (item["id"], d.text)


def test_limits_raise_input_error_in_chinese() -> None:
    with pytest.raises(InputError, match="过长"):
        check("慰问30户。" * (MAX_CHECK_CHARS // 6 + 1), ["慰问30户"])
    with pytest.raises(InputError, match="事实过多"):
        check("慰问30户。", [f"慰问{i}户" for i in range(MAX_FACT_LINES + 1)])
    with pytest.raises(InputError):
        check_limits("x" * (MAX_CHECK_CHARS + 1), [])
    check_limits("x" * MAX_CHECK_CHARS, ["慰问30户"] * MAX_FACT_LINES)  # at the limits: fine


def test_cli_reports_the_limit_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    facts = tmp_path / "facts.txt"
    facts.write_text("\n".join(f"慰问{i}户" for i in range(MAX_FACT_LINES + 1)), encoding="utf-8")
    draft = tmp_path / "draft.txt"
    draft.write_text("慰问30户。", encoding="utf-8")
    assert main(["check", "--facts", str(facts), str(draft)]) == 2
    assert "事实过多" in capsys.readouterr().err
