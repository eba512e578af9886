"""Prompt templates: strict rendering, and every file in prompts/ renders with what drafting.py passes."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

import drafter.drafting.pipeline as drafting
import drafter.drafting.section_prompt as section_prompt
from drafter.drafting.fakes import ScriptedGenerator
from drafter.drafting.generation import Message
from drafter.drafting.prompts import load_template, render, render_text, variables
from drafter.errors import ConfigError, PromptError
from drafter.facts import load_facts
from drafter.settings import REPO_ROOT, Settings
from drafter.workspace import Workspace

PROMPTS = REPO_ROOT / "prompts"
FACTS = Path(__file__).parent / "data" / "facts" / "enterprise.txt"


# --- strict rendering ------------------------------------------------------------------------------------
def test_render_text_substitutes_every_variable() -> None:
    out = render_text("单位：{{org}}，年度：{{ year }}年。{{org}}", {"org": "甲公司", "year": 2024})
    assert out == "单位：甲公司，年度：2024年。甲公司"


def test_single_braces_are_literal() -> None:
    """outline.md shows JSON with single braces: they are text, not variables."""
    template = '只输出 JSON：{"sections": [{"heading": "{{h}}"}]}'
    assert variables(template) == {"h"}
    assert render_text(template, {"h": "甲"}) == '只输出 JSON：{"sections": [{"heading": "甲"}]}'


def test_missing_variable_is_an_error() -> None:
    with pytest.raises(PromptError) as info:
        render_text("{{org}}{{year}}年", {"org": "甲公司"}, name="prompts/x.md")
    assert "year" in str(info.value) and "prompts/x.md" in str(info.value)
    assert isinstance(info.value, ConfigError)


def test_unknown_variable_is_an_error() -> None:
    with pytest.raises(PromptError) as info:
        render_text("{{org}}", {"org": "甲公司", "typo": "x"}, name="prompts/x.md")
    assert "typo" in str(info.value)


def test_missing_template_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(PromptError) as info:
        render(tmp_path, "section", org="甲")
    assert str(tmp_path / "section.md") in str(info.value)
    with pytest.raises(PromptError):
        load_template(tmp_path, "nope")


def test_non_utf8_template_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_bytes("单位：{{org}}".encode("gbk"))
    with pytest.raises(PromptError) as info:
        render(tmp_path, "bad", org="甲")
    assert "UTF-8" in str(info.value)


def test_edited_template_is_reread(tmp_path: Path) -> None:
    path = tmp_path / "t.md"
    path.write_text("一：{{a}}", encoding="utf-8")
    assert render(tmp_path, "t", a="x") == "一：x"
    path.write_text("二：{{a}}！", encoding="utf-8")
    import os

    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))  # mtime is the cache key
    assert render(tmp_path, "t", a="x") == "二：x！"


# --- every template, through the real pipeline -----------------------------------------------------------
def _model(messages: list[Message]) -> str:
    """Outline → a valid JSON outline; section → the facts plus one invented amount; repair → clean text."""
    user = messages[-1]["content"]
    if "拟定正文提纲" in user:
        block = user.split("编号从 0 开始）：", 1)[1].split("\n\n", 1)[0]
        n = len(re.findall(r"^\d+\. ", block, re.M))
        return json.dumps({"sections": [{"heading": "做好各项工作，服务广大职工", "items": list(range(n))}]},
                          ensure_ascii=False)
    if user.startswith("下面这一节草稿中"):
        return "工会扎实开展各项工作。"
    facts = [ln[2:] for ln in user.splitlines() if ln.startswith("- ")]
    return "工会扎实开展各项工作。" + "".join(f + "。" for f in facts) + "另发放补贴8888元。"


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any], str]]:
    calls: list[tuple[str, dict[str, Any], str]] = []
    real = drafting.render

    def spy(prompts_dir: Path, name: str, **values: Any) -> str:
        out = real(prompts_dir, name, **values)
        calls.append((name, values, out))
        return out

    monkeypatch.setattr(drafting, "render", spy)  # outline, repair
    monkeypatch.setattr(section_prompt, "render", spy)  # system, section
    return calls


def test_every_template_renders_with_what_drafting_passes(fast_ws: Workspace, data_dir: Path,
                                                          rendered: list[tuple[str, dict[str, Any], str]]) -> None:
    gen = ScriptedGenerator(_model, name="scripted-model")
    ws = Workspace(Settings(data_dir=data_dir, model_outline=True), generator=gen,
                   index=fast_ws.index)  # reuse the index built by the fixture
    draft = asyncio.run(ws.draft(load_facts(FACTS)))

    assert all(s.status == "done" for s in draft.sections), [s.error for s in draft.sections]
    names = {name for name, _, _ in rendered}
    assert names == {p.stem for p in PROMPTS.glob("*.md")}  # outline, section, system, repair: all used
    for name, values, out in rendered:
        assert set(values) == variables(load_template(PROMPTS, name)), name
        assert "{{" not in out and "}}" not in out, name
    # and they reached the model: the outline prompt first, then a section prompt and a repair prompt
    users = [c[-1]["content"] for c in gen.calls]
    assert "拟定正文提纲" in users[0]
    assert any("现在请写第" in u for u in users)
    assert any(u.startswith("下面这一节草稿中") and "「8888元」" in u for u in users)
    assert draft.sections[1].heading == "一、做好各项工作，服务广大职工"


def test_a_template_with_an_unknown_variable_fails_the_draft_loudly(fast_ws: Workspace, data_dir: Path,
                                                                   tmp_path: Path) -> None:
    """A hole in a template is a configuration error, not a section that quietly fails."""
    prompts = tmp_path / "prompts"
    shutil.copytree(PROMPTS, prompts)
    section = prompts / "section.md"
    section.write_text(section.read_text(encoding="utf-8") + "\n{{signature}}\n", encoding="utf-8")
    gen = ScriptedGenerator(_model)
    ws = Workspace(Settings(data_dir=data_dir, prompts_dir=prompts), generator=gen,
                   index=fast_ws.index)
    with pytest.raises(PromptError) as info:
        asyncio.run(ws.draft(load_facts(FACTS)))
    assert "signature" in str(info.value)
    assert gen.calls == []  # nothing was sent


def test_missing_prompts_dir_names_the_path(fast_ws: Workspace, data_dir: Path, tmp_path: Path) -> None:
    gen = ScriptedGenerator(_model)
    ws = Workspace(Settings(data_dir=data_dir, prompts_dir=tmp_path / "gone"), generator=gen,
                   index=fast_ws.index)
    with pytest.raises(PromptError) as info:
        asyncio.run(ws.draft(load_facts(FACTS)))
    assert str(tmp_path / "gone") in str(info.value)
