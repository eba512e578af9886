"""Real models' habits, end to end: a draft written through the real `openai` client against the local
OpenAI-compatible server (tests/support/fake_openai.py) answering like DeepSeek, Qwen or GPT do. Assertions
are on what the user gets: the stored sections (text, status, error, notes), the streamed events a display
shows, and what the server received."""

from __future__ import annotations

import asyncio
import re
import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from drafter.drafting.generation import CONTINUE_PROMPT, OpenAIGenerator
from drafter.drafting.pipeline import Drafter
from drafter.facts import parse_facts
from drafter.models import Draft
from drafter.settings import Settings
from drafter.storage.drafts import DraftStore
from tests.support.display import Display
from tests.support.fake_openai import FakeOpenAI, FakeReply

FACTS = parse_facts("单位：XX市供电公司\n年度：2024\n单位类型：企业\n上级组织：市总工会和公司党委\n"
                    "召开三届二次职工代表大会，审议通过集体合同\n全年走访慰问困难职工家庭32户，发放慰问金6.4万元\n"
                    "组织职工技能比武3场，参赛职工126人次\n存在不足：\n职工书屋利用率不高\n明年打算：\n开展第二届职工技能运动会")
SECTION_RE = re.compile(r"现在请写第 (\d+) 部分「(.*?)」")
LEAD = "工会围绕中心、服务大局，扎实推进各项工作。"
THINKING = "好的，用户让我写这一部分。我需要把事实逐条写进去，范文里的8888元不能照抄。"
Answer = Callable[[str, list[str], int], "str | FakeReply"]  # (heading, facts, nth call for this section)


def plain(heading: str, facts: list[str], n: int) -> str:
    return LEAD + "".join(f.rstrip("。") + "。" for f in facts)


class Model:
    """A fake model: section i answers with `habits[i]` (else `plain`); repair prompts get the draft back."""

    def __init__(self, habits: dict[int, Answer] | None = None, default: Answer = plain) -> None:
        self.habits = habits or {}
        self.default = default
        self.calls: dict[int, list[str]] = defaultdict(list)  # the user prompts each section was sent
        self.plain: dict[int, str] = {}  # the plain answer to each section's prompt, to compare with
        self.facts: dict[int, list[str]] = {}  # the fact lines each section's prompt carried
        self._lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> str | FakeReply:
        user = str(body["messages"][-1]["content"])
        if user.startswith("下面这一节草稿中"):
            return user.split("原草稿：\n", 1)[1].split("\n\n请改写这一节", 1)[0]
        prompt = user if user != CONTINUE_PROMPT else str(body["messages"][-3]["content"])
        m = SECTION_RE.search(prompt)
        assert m is not None, prompt[:200]
        index, heading = int(m.group(1)) - 1, m.group(2)
        facts = [ln[2:] for ln in prompt.split("范文片段", 1)[0].splitlines() if ln.startswith("- ")]
        with self._lock:
            self.calls[index].append(user)
            n = len(self.calls[index])
            self.plain[index], self.facts[index] = plain(heading, facts, n), facts
        return self.habits.get(index, self.default)(heading, facts, n)


def write(srv: FakeOpenAI, tmp_path: Path, display: Display | None = None, *, generator: OpenAIGenerator | None = None,
          **settings: Any) -> Draft:
    s = Settings(data_dir=tmp_path / "data", openai_base_url=srv.base_url, openai_api_key=SecretStr("sk-test"),
                 model="test-model", max_retries=1, timeout=5, **settings)
    s.ensure_dirs()
    gen = generator or OpenAIGenerator(api_key="sk-test", base_url=srv.base_url, model="test-model", timeout=5,
                                       max_retries=1, backoff_base=0.01, backoff_max=0.02, stall_timeout=2)
    drafter = Drafter(s, DraftStore(s.db_path), None, gen)
    draft = asyncio.run(drafter.draft(FACTS, on_event=display))
    assert drafter.store.get(draft.id) == draft  # what the user sees later is what was stored
    return draft


def write_without_repairs(answer: Answer, tmp_path: Path, *, piece_chars: int) -> tuple[Draft, Model, Display]:
    """A draft by a model answering every section with `answer`, streamed `piece_chars` characters a chunk;
    one request per section (nothing needed a repair)."""
    display = Display()
    model = Model(default=answer)
    with FakeOpenAI(model, piece_chars=piece_chars) as srv:
        draft = write(srv, tmp_path, display)
        assert len(srv.requests_to("/chat/completions")) == len(draft.sections)  # no repair needed
    return draft, model, display


def ordinals(facts: list[str]) -> str:
    return "；".join(f"{'一二三四五六七八'[i]}是{f.rstrip('。')}" for i, f in enumerate(facts)) + "。"


# --- reasoning -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", ["think-tags", "lone-close", "reasoning_content"])
def test_reasoning_is_never_shown_stored_or_checked(shape: str, tmp_path: Path) -> None:
    def reasoning_model(heading: str, facts: list[str], n: int) -> str | FakeReply:
        answer = plain(heading, facts, n)
        if shape == "think-tags":
            return f"<think>\n{THINKING}\n</think>\n\n{answer}"
        if shape == "lone-close":
            return f"{THINKING}\n</think>\n\n{answer}"
        return FakeReply(answer, reasoning=THINKING)

    draft, model, display = write_without_repairs(reasoning_model, tmp_path, piece_chars=3)
    for s in draft.sections:
        assert s.status == "done" and s.text == model.plain[s.index]
        assert "8888" not in s.text and "用户" not in s.text
        assert not any("8888" in f.text for f in s.flags)  # the reasoning's figure was never checked
        assert display.text[s.index] == s.text
        assert not any("8888" in d or "think" in d or "用户" in d for d in display.deltas(s.index))


# --- chat and Markdown ---------------------------------------------------------------------------------------
EXTRA = ["持续健全工作机制", "不断加强宣传引导"]


def chatty(heading: str, facts: list[str], n: int) -> str:
    items = "\n".join(f"- **{f}**" for f in facts + EXTRA)
    return (f"好的，以下是“{heading or '本节'}”部分的正文：\n\n## {heading}\n\n{LEAD}主要做了以下工作：\n\n{items}\n\n"
            "---\n希望以上内容对您有所帮助！如需调整，请随时告诉我。\n\n（注：文中数字均来自您提供的事实。）")


def test_markdown_and_chat_become_plain_official_prose(tmp_path: Path) -> None:
    draft, model, display = write_without_repairs(chatty, tmp_path, piece_chars=4)
    for s in draft.sections:
        assert s.text == f"{LEAD}主要做了以下工作：{ordinals(model.facts[s.index] + EXTRA)}"
        assert not re.search(r"[*#]|好的|以下是|希望|如需|注：|---", s.text), s.text
        assert display.text[s.index] == s.text  # the display ends with exactly the stored text
        first = next(d for d in display.deltas(s.index) if d)
        assert first.startswith(LEAD[:2])  # the preamble and the heading were never streamed


# --- refusals and other languages ---------------------------------------------------------------------------
def test_refusal_and_english_get_one_firmer_retry_then_fail_alone(tmp_path: Path) -> None:
    refuses_once = lambda h, f, n: "抱歉，我无法协助撰写这部分内容。" if n == 1 else plain(h, f, n)  # noqa: E731
    english = lambda h, f, n: "Over the past year, the trade union organised 3 skills contests for 126 workers."  # noqa: E731
    model = Model({1: refuses_once, 2: english})
    display = Display()
    with FakeOpenAI(model) as srv:
        draft = write(srv, tmp_path, display)
    first, second = model.calls[1]
    assert "【重要】" not in first and "【重要】" in second and "拒绝" in second
    assert second.startswith(first)  # the same prompt, with the firmer instruction added
    assert draft.sections[1].status == "done" and draft.sections[1].text == model.plain[1]

    failed = draft.sections[2]
    assert len(model.calls[2]) == 2
    assert failed.status == "failed" and failed.text == ""
    assert "没有用中文" in failed.error and "重试" in failed.error and "DRAFTER_MODEL" in failed.error
    assert all(s.status == "done" for s in draft.sections if s.index != 2)
    assert any(e.type == "reset" and e.index == 2 and "中文" in e.extra.get("reason", "") for e in display.events)


# --- length ---------------------------------------------------------------------------------------------------
def test_cut_section_is_continued_and_one_still_cut_is_noted(tmp_path: Path) -> None:
    def cut(times: int) -> Answer:
        def answer(h: str, f: list[str], n: int) -> FakeReply:
            whole = plain(h, f, n)
            if n == 1:
                return FakeReply(whole[:15], finish_reason="length")
            return FakeReply(whole[15:] if n > times else whole[15:25], finish_reason="stop" if n > times else "length")
        return answer

    model = Model({1: cut(1), 2: cut(2)})
    display = Display()
    with FakeOpenAI(model) as srv:
        draft = write(srv, tmp_path, display)
        continuations = [r for r in srv.requests_to("/chat/completions")
                         if r.body["messages"][-1]["content"] == CONTINUE_PROMPT]
    assert len(continuations) == 2 and all(r.body["messages"][-2]["role"] == "assistant" for r in continuations)
    whole = draft.sections[1]
    assert whole.status == "done" and whole.text == model.plain[1] and whole.notes == []
    cut_twice = draft.sections[2]
    assert cut_twice.status == "done" and cut_twice.text == model.plain[2][:25]
    assert len(model.calls[2]) == 2  # one continuation, no more
    assert any("长度上限" in n for n in cut_twice.notes)
    assert draft.public_dict()["sections"][2]["notes"] == cut_twice.notes  # the API and `--json` show it
    assert display.text[1] == whole.text and display.text[2] == cut_twice.text


def test_empty_and_reasoning_only_answers_are_retried(tmp_path: Path) -> None:
    model = Model({1: lambda h, f, n: "" if n == 1 else plain(h, f, n),
                   2: lambda h, f, n: f"<think>{THINKING}</think>" if n == 1 else plain(h, f, n)})
    with FakeOpenAI(model) as srv:
        draft = write(srv, tmp_path)
    assert len(model.calls[1]) == 2 and len(model.calls[2]) == 2
    assert all(s.status == "done" and s.text.startswith(LEAD) for s in draft.sections)


def test_section_far_from_its_length_is_noted(tmp_path: Path) -> None:
    model = Model({1: lambda h, f, n: "工作扎实。", 2: lambda h, f, n: plain(h, f, n) + "工会工作成效明显。" * 200})
    with FakeOpenAI(model) as srv:
        draft = write(srv, tmp_path)
    short, long = draft.sections[1], draft.sections[2]
    assert short.status == "done" and short.text == "工作扎实。" and "只有 5 字" in short.notes[0]
    assert long.status == "done" and "精简" in long.notes[0]
    assert all(s.notes == [] for s in draft.sections if s.index not in (1, 2))


# --- provider options -------------------------------------------------------------------------------------------
def test_provider_options_from_the_environment_reach_every_request(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTER_EXTRA_BODY", '{"chat_template_kwargs": {"enable_thinking": false}}')
    monkeypatch.setenv("DRAFTER_TEMPERATURE", "0.6")
    invented = lambda h, f, n: plain(h, f, n) + "另发放补贴8888元。"  # noqa: E731 - a flag, hence a repair request
    with FakeOpenAI(Model({1: invented})) as srv:
        settings = Settings(data_dir=tmp_path / "d", openai_base_url=srv.base_url, model="qwen3-32b")
        draft = write(srv, tmp_path, generator=OpenAIGenerator.from_settings(settings))
        requests = srv.requests_to("/chat/completions")
    assert len(requests) == len(draft.sections) + 1  # the repair request too
    for r in requests:
        assert r.body["chat_template_kwargs"] == {"enable_thinking": False} and r.body["temperature"] == 0.6


def test_sections_one_and_two_are_body_sections_with_facts(tmp_path: Path) -> None:
    """The tests above give sections 1 and 2 their habits: both must be body sections carrying facts."""
    with FakeOpenAI(Model()) as srv:
        draft = write(srv, tmp_path)
    assert [draft.sections[i].kind for i in (1, 2)] == ["body", "body"]
    assert all(draft.sections[i].facts for i in (1, 2))


def test_notes_are_shown_in_the_web_ui() -> None:
    from drafter.models import Section
    from webui.render import render_section

    section = Section(index=2, kind="body", heading="二、关心职工生活", text=LEAD, status="done",
                      notes=["模型输出达到长度上限，续写一次后仍未写完，本节结尾可能不完整，请检查或重写本节"])
    html = render_section(section)
    assert 'class="section-note"' in html and "长度上限" in html
    assert "section-note" not in render_section(section.model_copy(update={"notes": []}))
