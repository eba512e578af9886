"""Cleaning model text: reasoning (whole and streamed), chat around the answer, Markdown → the genre's prose,
refusals and answers not in Chinese, length notes — on answers shaped like DeepSeek's, Qwen's and GPT's,
and on ordinary genre prose (the bundled corpus, the checker's labelled sections), which must pass unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from drafter.drafting.postprocess import (
    SectionView,
    answer_problem,
    clean_section,
    join_continuation,
    length_budget,
    length_note,
)
from drafter.drafting.reasoning import ReasoningFilter, strip_reasoning

ROOT = Path(__file__).resolve().parent.parent
HEADING = "二、关心职工生活，体现组织温暖"
BODY = "一年来，工会始终坚持以职工为中心，把服务职工作为工作的出发点和落脚点。"
FACT1 = "全年走访慰问困难职工家庭32户，发放慰问金6.4万元"
FACT2 = "组织职工健康体检1790人"
FACT3 = "举办青年职工联谊活动2场，参与青年职工210人"


# --- reasoning -------------------------------------------------------------------------------------------
REASONING_CASES = [
    # (raw reply, answer): Qwen3/QwQ/R1 on Ollama or vLLM without a reasoning parser
    (f"<think>\n好的，用户让我写第二部分，事实有三条，我要逐条写进去，数字照抄，比如32户、6.4万元。\n</think>\n\n{BODY}", BODY),
    (f"<think></think>\n\n{BODY}", BODY),  # Qwen3 with enable_thinking off still sends the empty pair
    (f"<THINK>大小写不同</THINK>{BODY}", BODY),
    (f"<thinking>I should write about 8888 yuan.</thinking>\n{BODY}", BODY),
    # R1 distills and QwQ: `<think>` was in the prompt, the reply starts inside the reasoning
    (f"嗯，我现在需要写一段关于职工生活的内容。首先，事实里有32户……\n</think>\n\n{BODY}", BODY),
    (f"Okay, so I need to write the section in Chinese. Let me think.\n</think>\n{BODY}", BODY),
    (f"考虑到范文的结构，先概括再分述。\n</think>\n\n{BODY}", BODY),  # an opener not recognised
    # cut inside the reasoning: no answer at all
    ("<think>用户需要一段总结，我先列出事实：1. 走访慰问", ""),
    # ordinary answers
    (BODY, BODY),
    (f"{BODY}并在“<”与“>”之间填写。", f"{BODY}并在“<”与“>”之间填写。"),
]


@pytest.mark.parametrize(("raw", "answer"), REASONING_CASES)
def test_strip_reasoning(raw: str, answer: str) -> None:
    assert strip_reasoning(raw) == answer


def stream(raw: str, size: int, *, expect: bool = False) -> tuple[list[str], int, ReasoningFilter]:
    """What a display shows, fed `raw` in pieces of `size`: the visible text after each piece, and clears."""
    f = ReasoningFilter(expect_reasoning=expect)
    shown, clears, views = "", 0, []
    for i in range(0, len(raw), size):
        clear, text = f.feed(raw[i : i + size])
        if clear:
            shown, clears = "", clears + 1
        shown += text
        views.append(shown)
    shown += f.flush()
    views.append(shown)
    assert shown == f.text
    return views, clears, f


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 11, 64])
@pytest.mark.parametrize(("raw", "answer"), REASONING_CASES)
def test_reasoning_filter_on_a_stream_gives_the_same_answer(raw: str, answer: str, size: int) -> None:
    views, _, _ = stream(raw, size)
    assert views[-1].strip() == answer


@pytest.mark.parametrize("size", [1, 3, 4, 9])
@pytest.mark.parametrize("raw", [c[0] for c in REASONING_CASES[:6]])
def test_reasoning_is_never_shown_when_it_is_recognisable(raw: str, size: int) -> None:
    """Tagged reasoning, and untagged reasoning that opens like reasoning, never reach the display."""
    views, clears, _ = stream(raw, size)
    assert clears == 0
    for view in views:
        assert BODY.startswith(view.strip()) or view.strip() == ""


def test_unrecognised_reasoning_is_cleared_and_the_model_remembered() -> None:
    raw = REASONING_CASES[6][0]
    views, clears, f = stream(raw, 4)
    assert clears == 1 and f.lone_close and views[-1].strip() == BODY
    # The generator then expects reasoning from this model: nothing is shown before the closing tag
    views, clears, _ = stream(raw, 4, expect=True)
    assert clears == 0 and all(BODY.startswith(v.strip()) for v in views)
    # …and a reply without reasoning from it is still shown, in full, at the end
    views, _, _ = stream(BODY, 4, expect=True)
    assert views[-1] == BODY


def test_plain_answer_streams_piece_by_piece() -> None:
    f = ReasoningFilter()
    pieces = [BODY[i : i + 4] for i in range(0, len(BODY), 4)]
    assert [f.feed(p) for p in pieces] == [(False, p) for p in pieces]


def test_a_preamble_line_ends_the_wait_for_reasoning() -> None:
    raw = f"好的，以下是第二部分的正文：\n\n{BODY}"
    views, clears, _ = stream(raw, 3)
    assert clears == 0 and views[-1] == raw
    assert any(v.startswith("好的，以下是") and len(v) < len(raw) for v in views)  # streamed, not held to the end


# --- chat, Markdown → prose --------------------------------------------------------------------------------
CLEANED = [
    # DeepSeek-V3 style: preamble, the heading in Markdown, a dash list after a lead line, a sign-off
    (f"好的，以下是“关心职工生活”部分的正文：\n\n## {HEADING}\n\n{BODY}全年重点做了以下工作：\n\n- {FACT1}\n- {FACT2}\n"
     f"- {FACT3}\n\n希望以上内容对您有所帮助！如需调整，请随时告诉我。",
     f"{BODY}全年重点做了以下工作：一是{FACT1}；二是{FACT2}；三是{FACT3}。"),
    # Qwen2.5 style: bold heading, numbered items with bold titles, a note in parentheses
    (f"**{HEADING}**\n\n{BODY}\n\n1. **困难帮扶**：{FACT1}。\n2. **健康关爱**：{FACT2}。\n\n"
     "（注：本节所有数字均来自您提供的事实，未作改动。）",
     f"{BODY}\n一是困难帮扶：{FACT1}；二是健康关爱：{FACT2}。"),
    # GPT style: English preamble, long items (sentences inside) → a paragraph each
    (f"Sure! Here is the section:\n\n{BODY}\n\n* **困难帮扶**：{FACT1}。工会建立了困难职工档案，实行动态管理。\n"
     f"* **健康关爱**：{FACT2}。体检结果及时反馈职工本人。\n\nLet me know if you need any changes.",
     f"{BODY}\n一是困难帮扶：{FACT1}。工会建立了困难职工档案，实行动态管理。\n"
     f"二是健康关爱：{FACT2}。体检结果及时反馈职工本人。"),
    # Markdown sub-headings → （一）…
    (f"### 困难帮扶\n{FACT1}。\n\n### 2. 健康关爱\n{FACT2}。\n\n**文体活动**\n{FACT3}。",
     f"（一）困难帮扶\n{FACT1}。\n（二）健康关爱\n{FACT2}。\n（三）文体活动\n{FACT3}。"),
    # sub-headings already numbered the genre's way keep their numbers
    (f"**（一）困难帮扶**\n{FACT1}。\n**（二）健康关爱**\n{FACT2}。",
     f"（一）困难帮扶\n{FACT1}。\n（二）健康关爱\n{FACT2}。"),
    # shortcomings as a numbered list, a colon-ended preamble with the answer on the same line
    ("当然可以，以下为“存在的不足”部分：1. 职工书屋利用率不高，阅读氛围不够浓厚。\n2. 工会干部业务能力有待提升。\n"
     "3. 基层工会活动经费保障不足。",
     "一是职工书屋利用率不高，阅读氛围不够浓厚；二是工会干部业务能力有待提升；三是基层工会活动经费保障不足。"),
    # nested list: the sub-items join their parent
    (f"{BODY}主要做法：\n- 困难帮扶：\n  - {FACT1}\n  - 建立困难职工档案\n- 健康关爱：\n  - {FACT2}",
     f"{BODY}主要做法：\n一是困难帮扶：{FACT1}；建立困难职工档案。\n二是健康关爱：{FACT2}。"),
    # the draft's title at the top of the opening, a label line, a rule and a trailing sign-off sentence
    ("XX市供电公司工会2024年工作总结\n\n【正文】\n一年来，公司工会在市总工会和公司党委的坚强领导下扎实工作。现将全年工作总结如下：\n\n---\n\n"
     "以上是根据您提供的事实撰写的开篇段落，可根据实际情况修改。",
     "一年来，公司工会在市总工会和公司党委的坚强领导下扎实工作。现将全年工作总结如下："),
    # a sign-off in the same line as the last paragraph, a bare acknowledgement first
    (f"好的。\n{BODY}希望这段内容符合您的要求！", BODY),
    # the heading repeated in other words, with its number
    (f"二、切实关心职工生活，不断增强职工幸福感\n{BODY}", BODY),
    # reasoning, then a Markdown answer
    (f"<think>先写概括，再列事实。</think>\n\n# {HEADING}\n\n{BODY}", BODY),
    # inline emphasis, code and links out; a table row flattened
    (f"工会**高度重视**职工健康，`{FACT2}`，详见[通知](http://example.com)。\n| 项目 | 数量 |\n|---|---|\n| 体检 | 1790人 |",
     f"工会高度重视职工健康，{FACT2}，详见通知。\n项目，数量\n体检，1790人"),
    # an italic note at the end, and a "说明" in bold after a rule
    (f"{BODY}\n\n*注：文中数字均取自所给事实。*", BODY),
    (f"{BODY}\n\n---\n**说明**：本节未出现事实之外的数字。", BODY),
    # a repair answer's preamble, a bracketed label, a fenced answer, a summary sub-heading, questions back
    (f"修改后的正文如下：\n\n{BODY}", BODY),
    (f"【第二部分】\n{BODY}", BODY),
    (f"正文：{BODY}", BODY),
    (f"**存在的不足**\n\n{BODY}\n\n（完）", BODY),
    (f"### 2025年工作打算\n{BODY}", BODY),
    # numbered titles each followed by their paragraph: sub-headings, not a list
    (f"1. 困难帮扶\n{FACT1}。\n\n2. **健康关爱**\n{FACT2}。\n\n- {FACT3}",
     f"（一）困难帮扶\n{FACT1}。\n（二）健康关爱\n{FACT2}。\n{FACT3}。"),
    (f"```markdown\n{BODY}\n```", BODY),
    (f"{BODY}\n\n### 总结\n总之，工会工作成效明显。", f"{BODY}\n总之，工会工作成效明显。"),
    (f"好的！{BODY}需要我进一步调整语气吗？", BODY),
    (f"第二部分：关心职工生活，体现组织温暖\n{BODY}", BODY),
    (f"我将为您撰写这一部分。\n{BODY}\n如果您需要更详细的内容或调整语气，请告诉我。", BODY),
    (f"根据您提供的信息，以下是工会2024年工作总结的第二部分：\n{BODY}\nI hope this helps!", BODY),
]


@pytest.mark.parametrize(("raw", "clean"), CLEANED)
def test_clean_section(raw: str, clean: str) -> None:
    assert clean_section(raw, HEADING) == clean


# Genre prose that looks a little like chat or Markdown, and must come through exactly.
UNTOUCHED = [
    "一是职工书屋利用率不高，阅读氛围不够浓厚；二是工会干部业务能力有待提升。",
    "（一）强化思想政治引领\n工会组织职工开展理论学习12次。\n（二）深化劳动竞赛\n组织技能比武3场。",
    "一年来，工会在公司党委的坚强领导下扎实工作，取得了新的成效。现将全年工作总结如下：",
    "工会主要做了以下工作：\n1、深入开展创先争优活动。\n2、扎实开展送温暖活动。",
    "工会主要做了以下几个方面的工作：\n1．深入开展创先争优活动。\n2．扎实开展送温暖活动。",
    "以上工作得到了市总工会的充分肯定。",
    "如有不足之处，敬请批评指正。",
    "注重发挥职工主体作用，注意做好安全生产宣传。",
    "我们希望广大职工再接再厉，为公司高质量发展作出新的更大贡献。",
    "根据市总工会部署，工会开展了“两节”送温暖活动。",
    "下面，重点做好以下几项工作：一是加强思想引领；二是深化劳动竞赛。",
    "这是工会成立以来规模最大的一次职工运动会。",
    "可以说，这一年是工会工作取得突出成绩的一年。",
    "好的做法得到推广，职工满意度明显提升。",
    "如期完成集体合同修改工作，修改后的合同更加完善。",
    "第一，坚持政治引领；第二，坚持服务职工。",
    "全年发放慰问金1.5万元，慰问职工20户。",
    "工会推广EAP员工帮助计划，开通“职工之家”APP线上服务。",
    "关心关爱职工：全年走访慰问困难职工家庭32户。",
    "共__人参加，发放XX元。",
    "工会坚持思想引领，凝聚职工力量：",
    "当然，我们也清醒地看到，工作中还存在一些不足。",
    "以上是我们一年来的主要工作。",
    "【职工之家】建设取得新进展，新建职工之家2个。",
]


@pytest.mark.parametrize("text", UNTOUCHED)
def test_ordinary_prose_is_not_touched(text: str) -> None:
    assert clean_section(text, HEADING) == text
    assert clean_section(text) == text
    assert answer_problem(text) is None


def _corpus_sections() -> list[tuple[str, str]]:
    level1 = re.compile(r"^[一二三四五六七八九十]+、.*$", re.M)
    out = []
    for path in sorted((ROOT / "corpus").glob("seed-*.txt")):
        text = path.read_text(encoding="utf-8").split("\n", 1)[1]  # the title line is not a section
        heading, pos = "", 0
        for m in [*level1.finditer(text), None]:
            body = text[pos : m.start() if m else len(text)]
            if body.strip():
                out.append((heading, body))
            if m:
                heading, pos = m.group(0), m.end()
    return out


def _labelled_drafts() -> list[str]:
    texts = []
    for path in sorted((ROOT / "tests" / "data").glob("check_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            draft = json.loads(line).get("draft")
            if isinstance(draft, str) and draft.strip():
                texts.append(draft)
    return texts


def test_every_corpus_section_and_labelled_draft_passes_unchanged() -> None:
    """89 real summary sections (headings, （一）, 1、, colons, placeholders) and ~490 LLM-style sections."""
    sections = _corpus_sections()
    drafts = _labelled_drafts()
    assert len(sections) > 80 and len(drafts) > 400
    for heading, text in [*sections, *(("", d) for d in drafts)]:
        expected = "\n".join(ln.strip() for ln in text.strip().splitlines() if ln.strip())
        assert clean_section(text, heading) == expected, text[:80]
        assert answer_problem(expected) is None, text[:80]


# --- refusals, other languages, length -----------------------------------------------------------------------
@pytest.mark.parametrize(("text", "reason"), [
    ("抱歉，我无法协助完成这个请求。", "拒绝"),
    ("很抱歉，作为一个AI语言模型，我不能提供这方面的内容。", "拒绝"),
    ("作为人工智能助手，我没有足够的信息来撰写这份总结。", "拒绝"),
    ("由于缺少具体信息，我无法为您撰写本节内容。", "拒绝"),
    ("I'm sorry, but I can't help with that.", "拒绝"),
    ("Over the past year, the trade union has carried out a range of activities for 1,200 workers.", "中文"),
    ("この一年間、労働組合は職工のために様々な活動を行いました。", "中文"),
    ("", "没有写出"),
    ("……", "没有写出"),
])
def test_answer_problem_names_the_reason(text: str, reason: str) -> None:
    problem = answer_problem(text)
    assert problem is not None and reason in problem


def test_length_note_only_far_from_the_budget() -> None:
    assert length_budget("body", 3) == 330 and length_budget("closing") == 110
    assert length_note("工会" * 100, "body", 3) is None
    short = length_note("工会工作成效明显。", "body", 3)
    assert short is not None and "9 字" in short and "330" in short
    long = length_note("工会" * 700, "body", 3)
    assert long is not None and "精简" in long
    assert length_note(BODY, "closing") is None


def test_join_continuation_drops_repetition_and_preamble() -> None:
    first = "一年来，工会始终坚持以职工为中心，全年走访慰问困难职工家庭"
    assert join_continuation(first, "32户，发放慰问金6.4万元。") == first + "32户，发放慰问金6.4万元。"
    assert join_continuation(first, "好的，接着写：\n以职工为中心，全年走访慰问困难职工家庭32户。") == first + "32户。"
    assert join_continuation(first, "<think>接着写</think>32户。") == first + "32户。"


# --- the streaming view ------------------------------------------------------------------------------------
def view_of(raw: str, size: int, heading: str = HEADING) -> tuple[list[str], SectionView]:
    v = SectionView(heading)
    shown, views = "", []
    for i in range(0, len(raw), size):
        shown += v.feed(raw[i : i + size])
        views.append(shown)
    shown += v.flush()
    views.append(shown)
    assert shown == v.shown
    return views, v


@pytest.mark.parametrize("size", [1, 4, 9])
def test_display_starts_with_the_real_text(size: int) -> None:
    raw = f"好的，以下是本节正文：\n\n## {HEADING}\n\n{BODY}**全年**{FACT1}。"
    views, _ = view_of(raw, size)
    final = f"{BODY}全年{FACT1}。"
    assert all(final.startswith(shown) for shown in views)  # never the preamble, the heading or a marker
    assert views[-1] == final == clean_section(raw, HEADING)


def test_display_of_plain_text_starts_at_once() -> None:
    pieces = [BODY[i : i + 4] for i in range(0, len(BODY), 4)]
    v = SectionView(HEADING)
    assert v.feed(pieces[0]) == pieces[0]  # nothing held: it cannot be a preamble or the heading
    assert [v.feed(p) for p in pieces[1:]] == pieces[1:]
