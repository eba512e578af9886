"""The checker's one table: CLI, API JSON and UI show the registry's labels; a new kind plugs in by itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from drafter.checking import CheckContext, Flag, check, registry
from drafter.checking.command import render_text
from drafter.cli import main
from webui import render

BUILTIN_REASONS = {"not_in_facts", "value_mismatch", "unit_mismatch", "derived", "copied_from_exemplar",
                   "date_not_in_facts", "placeholder"}

# One draft that raises every built-in reason, with its facts and an exemplar.
FACTS = ["2024年", "走访慰问困难职工家庭15户", "走访慰问困难职工家庭20户", "组织技能比武12场"]
DRAFT = ("全年走访慰问困难职工家庭共35户。其中走访慰问困难职工家庭16户。为困难职工支付学费28000余元。"
         "组织技能比武12户。新建职工书屋9999个。2019年3月召开会议。XX公司参加。")
EXEMPLAR = "局工会为困难职工支付学费28000余元。"


def test_every_builtin_reason_is_registered_with_a_chinese_label_and_kind() -> None:
    rules = {r.reason: r for r in registry.rules()}
    assert set(rules) >= BUILTIN_REASONS
    for r in rules.values():
        assert r.label and all("\u4e00" <= ch <= "\u9fff" or ch in "，、" for ch in r.label)
        assert all(registry.is_kind(k) for k in r.kinds)
    assert [k.kind for k in registry.kinds()][:3] == ["amount", "date", "placeholder"]


def test_the_draft_raises_every_builtin_reason() -> None:
    flags = check(DRAFT, FACTS, [EXEMPLAR])
    assert {f.reason for f in flags} == BUILTIN_REASONS, [(f.text, f.reason) for f in flags]


def test_cli_lines_use_the_registry_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "facts.txt").write_text("\n".join(FACTS), encoding="utf-8")
    (tmp_path / "draft.txt").write_text(DRAFT, encoding="utf-8")
    (tmp_path / "ex.txt").write_text(EXEMPLAR, encoding="utf-8")
    base = ["check", "--facts", str(tmp_path / "facts.txt"), str(tmp_path / "draft.txt"),
            "--exemplars", str(tmp_path / "ex.txt")]
    assert main(base) == 1
    out = capsys.readouterr().out
    flags = check(DRAFT, FACTS, [_Ex(EXEMPLAR, "ex")])
    for f in flags:
        line = next(ln for ln in out.splitlines() if f"「{f.text}」" in ln)
        assert f"「{f.text}」{registry.rule(f.reason).label}：{f.hint}" in line
    for info in registry.kinds()[:3]:
        assert f"{info.label}（" in out  # groups headed by the registry's kind labels
    assert main([*base, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {f["reason"]: f["label"] for f in data["flags"]} == {r: registry.label(r) for r in BUILTIN_REASONS}


def test_ui_and_cli_show_the_same_label_for_every_reason() -> None:
    for r in registry.rules():
        flag = Flag(text="32户", start=0, end=3, kind=r.kinds[0], reason=r.reason, hint="提示")
        assert render.flag_title(flag) == f"{r.label}：提示"
        assert f"「32户」{r.label}：提示" in render_text("32户", [flag])
        assert render.REASON_LABELS[r.reason] == r.label == flag.label
    assert dict(render.FLAG_KIND_LABELS) == {k.kind: k.label for k in registry.kinds()}


def test_unknown_kind_or_reason_is_rejected() -> None:
    with pytest.raises(ValidationError):
        Flag(text="x", start=0, end=1, reason="made_up")
    with pytest.raises(ValidationError):
        Flag(text="x", start=0, end=1, kind="made_up")


@pytest.fixture
def scratch_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registrations made by a test are dropped afterwards."""
    registry.load()
    for name in ("_KINDS", "_RULES", "_CHECKERS"):
        monkeypatch.setattr(registry, name, dict(getattr(registry, name)))


@pytest.mark.usefixtures("scratch_registry")
def test_a_new_kind_registers_itself_and_every_front_end_shows_it() -> None:
    registry.register_kind("echo", "回声")
    registry.register_rule(registry.Rule("echo_word", ("echo",), "重复用词", "「{word}」出现了两次"))
    seen: list[CheckContext] = []

    class Echo:
        name, kinds, order = "echo", ("echo",), 50

        def run(self, ctx: CheckContext) -> list[Flag]:
            seen.append(ctx)
            i = ctx.draft.find("坚持坚持")
            if i < 0:
                return []
            return [Flag(text="坚持坚持", start=i, end=i + 4, kind="echo", reason="echo_word",
                         hint=registry.rule("echo_word").explain(word="坚持"))]

    registry.register_checker(Echo())
    draft = "坚持坚持服务职工，走访32户。"
    flags = check(draft, ["走访30户"], copy_index={"corpus": 1})
    assert [(f.text, f.kind, f.reason, f.label) for f in flags] == [
        ("坚持坚持", "echo", "echo_word", "重复用词"), ("32户", "amount", "value_mismatch", "与事实不符")]
    ctx = seen[0]
    assert ctx.copy_index == {"corpus": 1} and ctx.fact_lines == ["走访30户"]
    assert [m.text for m in ctx.mentions] == ["32户"]
    assert "回声（1 处）" in render_text(draft, flags) and "「坚持坚持」重复用词：「坚持」出现了两次" in render_text(draft, flags)
    assert render.REASON_LABELS["echo_word"] == "重复用词"
    assert "回声" in render.render_flag_summary([_section(draft, flags)])


def test_registration_conflicts_are_errors() -> None:
    with pytest.raises(ValueError):
        registry.register_kind("amount", "金额")  # another label for a known kind
    with pytest.raises(ValueError):
        registry.register_rule(registry.Rule("x_reason", ("no_such_kind",), "标签"))


class _Ex:
    def __init__(self, text: str, title: str) -> None:
        self.text, self.title = text, title


def _section(text: str, flags: list[Flag]):  # type: ignore[no-untyped-def]
    from drafter.models import Section

    return Section(index=1, kind="body", heading="一、", text=text, status="done", flags=flags)
