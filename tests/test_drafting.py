"""The drafting pipeline end to end: facts → outline → per section exemplars → prompt → text → check → repair
→ store, offline and through a real OpenAI-compatible HTTP server (FakeOpenAI) with the real `openai` client.

Assertions are on what the server received and what came back. One Chroma index (HashEmbedder on the bundled
corpus) is built per module and shared: each test has its own data dir, hence its own draft store.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import json
import re
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from pydantic import SecretStr

from drafter.cli import main as cli_main
from drafter.corpus.embedding import HashEmbedder
from drafter.corpus.index import CorpusIndex
from drafter.corpus.tokens import count_tokens, encoding_for_model
from drafter.drafting.exemplars import heading_label, mask_numbers
from drafter.drafting.generation import OpenAIGenerator
from drafter.drafting.outline import cn_number, plan_outline
from drafter.drafting.pipeline import DraftEvent
from drafter.drafting.prompts import render
from drafter.drafting.section_prompt import EXEMPLAR_CHARS, KIND_LABEL
from drafter.facts import Facts, load_facts, parse_facts
from drafter.models import Draft
from drafter.settings import REPO_ROOT, Settings
from drafter.workspace import Workspace
from tests.support.display import Display
from tests.support.fake_openai import FakeOpenAI, RecordedRequest

FACTS_DIR = Path(__file__).parent / "data" / "facts"
ENTERPRISE = FACTS_DIR / "enterprise.txt"
SCHOOL = FACTS_DIR / "school.json"
HOSPITAL = FACTS_DIR / "hospital.txt"
MANUFACTURER = FACTS_DIR / "manufacturer_six_sections.txt"  # also the benchmark's facts: 6 body sections
FACT_FILES = [ENTERPRISE, SCHOOL, HOSPITAL, MANUFACTURER]
KEY = "sk-test"
MODEL = "test-model"
INVENTED = "另发放补贴8888元。"
CN = "一二三四五六七八九十"

# Amount strings as a person writes them: Arabic or Chinese numerals, 万, 余/多, a unit.
AMOUNT_RE = re.compile(
    r"[0-9][0-9.]*万?(?:余|多)?(?:元|毫升|人次|人|户|名|件|场|次|条|批次|册|%)"
    r"|[零〇一二两三四五六七八九十百千]+(?:余|多)?(?:人次|人|户|名|件|场|次|条|批次|册)"
)
PLACEHOLDER_RE = re.compile(r"20[xX×]{2}|[xX]{2}|××|＿|__|某某")
SECTION_RE = re.compile(r"现在请写第 (\d+) 部分「(.*?)」")
EXEMPLAR_RE = re.compile(r"【范文《(.*?)》· (.*?)】\n(.*?)(?=\n\n【范文《|\n\n写作要求：)", re.S)


# --- fixtures and helpers --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> CorpusIndex:
    ws = Workspace(Settings(data_dir=tmp_path_factory.mktemp("shared-index") / "data"), embedder=HashEmbedder())
    ws.refresh_index()
    return ws.index


def fast_generator(srv: FakeOpenAI, **overrides: Any) -> OpenAIGenerator:
    options: dict[str, Any] = {"api_key": KEY, "base_url": srv.base_url, "model": MODEL, "timeout": 5.0,
                               "max_retries": 2, "stall_timeout": 2.0, "backoff_base": 0.01, "backoff_max": 0.05}
    options.update(overrides)
    return OpenAIGenerator(**options)


def llm_ws(data_dir: Path, srv: FakeOpenAI, index: CorpusIndex, *, from_settings: bool = False,
           stall_timeout: float = 2.0, **settings: Any) -> Workspace:
    """A workspace drafting through `srv`. The generator comes from Settings when `from_settings`,
    otherwise it is built with millisecond back-off (and `stall_timeout`) so retries are quick."""
    s = Settings(data_dir=data_dir, openai_base_url=srv.base_url, openai_api_key=SecretStr(KEY), model=MODEL,
                 max_retries=2, timeout=5, **settings)
    gen = None if from_settings else fast_generator(srv, stall_timeout=stall_timeout)
    return Workspace(s, embedder=HashEmbedder(), generator=gen, index=index)  # the module's index: no rebuild


def offline_ws(data_dir: Path, index: CorpusIndex) -> Workspace:
    return Workspace(Settings(data_dir=data_dir), embedder=HashEmbedder(), index=index)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def user_text(req: RecordedRequest) -> str:
    return str(req.messages[-1]["content"])


def section_index(user: str) -> int | None:
    m = SECTION_RE.search(user)
    return int(m.group(1)) - 1 if m else None


def index_of(req: RecordedRequest) -> int:
    """The section a section request is for."""
    i = section_index(user_text(req))
    assert i is not None, user_text(req)[:200]
    return i


def prompt_facts(user: str) -> list[str]:
    """The `- ` lines of the section prompt's facts block."""
    block = user.split("本节必须写进的本单位事实（逐条写入，数字照抄）：\n", 1)[1].split("\n\n范文片段", 1)[0]
    return [ln[2:] for ln in block.splitlines() if ln.startswith("- ")]


def prompt_exemplars(user: str) -> list[tuple[str, str, str]]:
    """(title, section, text) of each 【范文《…》· …】 block of a section prompt."""
    return [(m.group(1), m.group(2), m.group(3)) for m in EXEMPLAR_RE.finditer(user)]


def chat(srv: FakeOpenAI) -> list[RecordedRequest]:
    return srv.requests_to("/chat/completions")


def section_requests(srv: FakeOpenAI) -> dict[int, list[RecordedRequest]]:
    out: dict[int, list[RecordedRequest]] = defaultdict(list)
    for r in chat(srv):
        i = section_index(user_text(r))
        if i is not None:
            out[i].append(r)
    return out


def repair_requests(srv: FakeOpenAI) -> list[RecordedRequest]:
    return [r for r in chat(srv) if user_text(r).startswith("下面这一节草稿中")]


def sentence(fact: str) -> str:
    return fact.rstrip("。；;，, ") + "。"


class Writer:
    """A fake model: writes each section from the `- ` fact lines it finds in the prompt, answers the outline
    prompt with `outline` and the repair prompt per `repair` ("keep" returns the draft as it was, "clean"
    drops `extra`, "worse" adds another invented figure). `empty_for` sections get an empty reply (a failure the client retries)."""

    LEAD = "工会围绕中心、服务大局，扎实推进各项工作。"
    SHORT = "简要而言："

    def __init__(self, *, extra: str = "", repair: str = "keep", outline: str | None = None,
                 empty_for: frozenset[int] = frozenset()) -> None:
        self.extra, self.repair, self.outline, self.empty_for = extra, repair, outline, empty_for
        self.replies: dict[int, list[str]] = defaultdict(list)
        self._lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> str:
        user = str(body["messages"][-1]["content"])
        if "拟定正文提纲" in user:
            return self.outline if self.outline is not None else "{}"
        if user.startswith("下面这一节草稿中"):
            draft = user.split("原草稿：\n", 1)[1].split("\n\n请改写这一节", 1)[0]
            if self.repair == "worse":
                return draft + "另有9999人次参加。"
            return draft if self.repair == "keep" else draft.replace(self.extra, "")
        index = section_index(user)
        assert index is not None, user[:200]
        if index in self.empty_for:
            return ""
        lead = self.SHORT if "修改要求：" in user else self.LEAD
        text = lead + "".join(sentence(f) for f in prompt_facts(user)) + self.extra
        with self._lock:
            self.replies[index].append(text)
        return text

    def last(self, index: int) -> str:
        return self.replies[index][-1]


def opening_fact_lines(facts: Facts) -> list[str]:
    return [f"年度：{facts.year}年", f"单位：{facts.org}", f"上级组织：{facts.superior or '（未提供）'}"] + (
        [facts.notes] if facts.notes else [])


def expected_prompt_facts(draft: Draft, index: int) -> list[str]:
    s = draft.sections[index]
    return opening_fact_lines(draft.facts) if s.kind == "opening" else list(s.facts)


# --- 1. offline ------------------------------------------------------------------------------------------
def test_fixture_facts_are_realistic() -> None:
    """The facts files carry what the brief asks: Arabic and Chinese numerals, 万元, %, 人次, 8–12 items."""
    all_amounts: list[str] = []
    for path in FACT_FILES:
        f = load_facts(path)
        amounts = AMOUNT_RE.findall("\n".join(f.items))
        assert 8 <= len(f.items) <= 12 and len(amounts) >= 10, path.name
        assert f.shortcomings and f.plans
        all_amounts += amounts
    assert any("万元" in a for a in all_amounts) and any(a.endswith("%") for a in all_amounts)
    assert any(a.endswith("人次") for a in all_amounts)
    assert any(a[0] in CN for a in all_amounts) and any(a[0].isdigit() for a in all_amounts)
    assert load_facts(SCHOOL).org_type == "学校" and load_facts(HOSPITAL).org_type == "医院"


@pytest.mark.parametrize("path", FACT_FILES, ids=lambda p: p.name)
def test_offline_draft(path: Path, data_dir: Path, index: CorpusIndex) -> None:
    facts = load_facts(path)
    ws = offline_ws(data_dir, index)
    draft = run(ws.draft(facts))
    text = draft.text()

    assert draft.backend == "offline" and ws.backend == "offline"
    assert draft.title == f"{facts.org}{facts.year}年工会工作总结"
    kinds = [s.kind for s in draft.sections]
    assert len(kinds) >= 4 and kinds[0] == "opening" and kinds[-1] == "closing"
    assert {"body", "shortcomings", "plans"} <= set(kinds)
    # every amount the user wrote, verbatim, and every fact line (give or take its final punctuation)
    amounts = AMOUNT_RE.findall("\n".join(facts.items + facts.shortcomings + facts.plans))
    assert len(amounts) >= 10
    for amount in amounts:
        assert amount in text, amount
    for fact in facts.items + facts.shortcomings + facts.plans:
        assert fact.rstrip("。；") in text, fact
    # each fact is placed in exactly one section
    placed = [f for s in draft.sections for f in s.facts if s.kind == "body"]
    assert sorted(placed) == sorted(facts.items)
    for s in draft.sections:
        assert s.status == "done" and s.text and s.flags == [], (s.index, s.flags)
        for f in s.facts:
            assert f.rstrip("。；") in s.text
    assert not PLACEHOLDER_RE.search(text)
    assert f"{facts.year}年" in draft.sections[0].text and facts.org in draft.sections[0].text
    headings = [s.heading for s in draft.sections if s.heading]
    assert [h.split("、", 1)[0] for h in headings] == list(CN[: len(headings)])
    assert draft.sections[0].heading == "" and draft.sections[-1].heading == ""
    staff = {"学校": "教职工", "医院": "医务职工"}.get(facts.org_type, "职工")
    assert staff in text
    # the draft is the stored one
    assert ws.get_draft(draft.id) == draft


def test_offline_draft_is_deterministic(data_dir: Path, index: CorpusIndex) -> None:
    ws = offline_ws(data_dir, index)
    facts = load_facts(SCHOOL)
    a, b = run(ws.draft(facts)), run(ws.draft(facts))
    assert a.id != b.id
    assert [s.text for s in a.sections] == [s.text for s in b.sections]


# --- 2. the LLM path: what the server received ------------------------------------------------------------
def test_llm_draft_prompts_and_sources(data_dir: Path, index: CorpusIndex) -> None:
    facts = load_facts(ENTERPRISE)
    writer = Writer()
    with FakeOpenAI(writer) as srv:
        ws = llm_ws(data_dir, srv, index, from_settings=True)  # the real client, built from Settings
        draft = run(ws.draft(facts))
        requests = chat(srv)

    n = len(draft.sections)
    assert draft.backend == MODEL and n >= 6
    assert len(requests) == n  # one chat request per section, no outline or repair request
    by_section = {index_of(r): r for r in requests}
    assert sorted(by_section) == list(range(n))  # each section asked for exactly once
    system = render(REPO_ROOT / "prompts", "system", org_type=facts.org_type)
    for i, req in by_section.items():
        section = draft.sections[i]
        body, user = req.body, user_text(req)
        assert body["model"] == MODEL and body["stream"] is True
        assert req.headers["authorization"] == f"Bearer {KEY}"
        assert [m["role"] for m in body["messages"]] == ["system", "user"]
        assert body["messages"][0]["content"] == system
        assert f"「{section.heading or KIND_LABEL[section.kind]}」" in user
        assert prompt_facts(user) == expected_prompt_facts(draft, i)  # the section's facts, verbatim
        for fact in section.facts:
            assert f"- {fact}\n" in user
        # exemplars: present, masked, and exactly the sources recorded for the section
        blocks = prompt_exemplars(user)
        assert len(blocks) == len(section.sources) >= 1
        for n, ((title, where, text), src) in enumerate(zip(blocks, section.sources, strict=True), 1):
            assert not re.search(r"\d", text), text  # numbers masked
            assert text == mask_numbers(src.text)[:EXEMPLAR_CHARS]
            # passages are labelled neutrally; the corpus's titles carry years and 篇N
            assert title == f"片段{cn_number(n)}" and where == (heading_label(src.section) or KIND_LABEL[section.kind])
            assert src.doc_id and src.text
        # the section's text is what the model wrote
        assert section.status == "done" and section.text == writer.last(i)
        assert section.flags == []
    docs = {d.doc_id: d.title for d in index.list_documents()}
    for s in draft.sections:
        for src in s.sources:
            assert docs[src.doc_id] == src.title
    assert ws.get_draft(draft.id) == draft


def test_exemplars_come_from_the_same_part_of_past_summaries(data_dir: Path, index: CorpusIndex) -> None:
    """An opening is written from openings, a plans section from plans sections: each source is a chunk of
    the index whose position is the section's kind, and no passage is given twice."""
    chunks = {(c.doc_id, c.section, c.text): c for c in index.chunks()}
    with FakeOpenAI(Writer()) as srv:
        draft = run(llm_ws(data_dir, srv, index).draft(load_facts(ENTERPRISE)))
    for s in draft.sections:
        assert s.sources
        keys = [(src.doc_id, src.section, src.text) for src in s.sources]
        assert len(set(keys)) == len(keys)
        for key in keys:
            assert chunks[key].position == s.kind, (s.kind, key[:2])


def test_exemplar_markers_carry_no_numbers_or_placeholders(data_dir: Path, index: CorpusIndex) -> None:
    with FakeOpenAI(Writer()) as srv:
        run(llm_ws(data_dir, srv, index).draft(load_facts(ENTERPRISE)))
        users = [user_text(r) for r in chat(srv)]
    markers = [m.group(0) for u in users for m in re.finditer(r"【范文《.*?》· .*?】", u)]
    assert markers
    assert not [m for m in markers if re.search(r"\d|20xx", m)]


# --- 3. invented amounts: flagged, repaired once --------------------------------------------------------
def test_invented_amount_is_flagged_after_a_repair_that_keeps_it(data_dir: Path, index: CorpusIndex) -> None:
    writer = Writer(extra=INVENTED, repair="keep")
    display = Display()
    with FakeOpenAI(writer) as srv:
        draft = run(llm_ws(data_dir, srv, index).draft(load_facts(ENTERPRISE), on_event=display))
        repairs = repair_requests(srv)
        firsts = section_requests(srv)

    n = len(draft.sections)
    assert len(firsts) == n and all(len(v) == 1 for v in firsts.values())
    assert len(repairs) == n  # one repair per section: each had the invented amount
    for r in repairs:
        user = user_text(r)
        assert "「8888元」" in user and INVENTED in user  # the flag and the draft it is in
        assert r.body["temperature"] == pytest.approx(0.1)
        assert r.body["messages"][0]["role"] == "system"
        for line in draft.facts.items:
            assert f"- {line}" in user  # the repair prompt lists the facts
    for s in draft.sections:
        assert s.status == "done" and s.text.endswith(INVENTED)
        assert [(f.text, f.reason, f.kind) for f in s.flags] == [("8888元", "not_in_facts", "amount")], s.flags
        f = s.flags[0]
        assert s.text[f.start : f.end] == "8888元"
        assert display.text[s.index] == s.text  # what was shown is the final text, not twice
    assert len(draft.flags) == n


def repaired_draft(data_dir: Path, index: CorpusIndex, repair: str) -> tuple[Draft, Writer, Display]:
    """A draft whose every section carries the invented amount, with the repair answered as `repair` says;
    exactly one repair request per section."""
    writer = Writer(extra=INVENTED, repair=repair)
    display = Display()
    with FakeOpenAI(writer) as srv:
        draft = run(llm_ws(data_dir, srv, index).draft(load_facts(ENTERPRISE), on_event=display))
        assert len(repair_requests(srv)) == len(draft.sections)
    return draft, writer, display


def test_repair_that_removes_the_amount_clears_the_flag(data_dir: Path, index: CorpusIndex) -> None:
    draft, writer, display = repaired_draft(data_dir, index, "clean")
    for s in draft.sections:
        assert s.flags == [] and "8888" not in s.text
        assert s.text == writer.last(s.index).replace(INVENTED, "")
        assert display.text[s.index] == s.text  # the repaired text replaced the streamed one
    assert all(e.text for e in display.of("reset"))  # each reset carries the repaired text


def test_a_repair_that_makes_it_worse_is_discarded(data_dir: Path, index: CorpusIndex) -> None:
    draft, writer, display = repaired_draft(data_dir, index, "worse")
    for s in draft.sections:
        assert s.text == writer.last(s.index) and "9999" not in s.text  # the first answer is kept
        assert [f.text for f in s.flags] == ["8888元"]
        assert display.text[s.index] == s.text
    assert display.of("reset") == []


def test_no_repair_request_when_repair_is_off(data_dir: Path, index: CorpusIndex) -> None:
    with FakeOpenAI(Writer(extra=INVENTED)) as srv:
        draft = run(llm_ws(data_dir, srv, index, repair=False).draft(load_facts(ENTERPRISE)))
        assert repair_requests(srv) == []
        assert len(chat(srv)) == len(draft.sections)
    for s in draft.sections:
        assert [f.text for f in s.flags] == ["8888元"]
        assert s.text[s.flags[0].start : s.flags[0].end] == "8888元"


def test_amount_copied_from_an_exemplar_is_flagged_as_such(data_dir: Path, index: CorpusIndex) -> None:
    """The model never sees exemplar numbers (masked); if a figure of a section's exemplar still ends up in
    that section (say the user pasted it), the flag names the exemplar."""
    facts = load_facts(ENTERPRISE)
    ws = offline_ws(data_dir, index)
    draft = run(ws.draft(facts))
    amount_re = re.compile(r"[1-9]\d*(?:\.\d+)?(?:万元|人次|户)")
    found = [(s, src, m.group()) for s in draft.sections for src in s.sources for m in amount_re.finditer(src.text)
             if m.group() not in facts.model_dump_json()]
    assert found, "no exemplar amount to copy"
    section, _, amount = found[0]
    edited = ws.edit_section(draft.id, section.index, text=f"全年共计{amount}。")
    flags = edited.sections[section.index].flags
    assert [(f.text, f.reason) for f in flags] == [(amount, "copied_from_exemplar")]
    assert "范文" in flags[0].hint
    assert edited.sections[section.index].version == 1


# --- 4. failures -----------------------------------------------------------------------------------------
def test_server_error_then_success(data_dir: Path, index: CorpusIndex) -> None:
    writer = Writer()
    display = Display()
    with FakeOpenAI(writer) as srv:
        srv.script([{"status": 500, "endpoint": "chat"}])
        draft = run(llm_ws(data_dir, srv, index).draft(load_facts(ENTERPRISE), on_event=display))
        per = section_requests(srv)
        assert srv.pending_script == 0
    n = len(draft.sections)
    assert len(chat(srv)) == n + 1
    retried = [i for i, reqs in per.items() if len(reqs) == 2]
    assert len(retried) == 1 and all(len(reqs) == 1 for i, reqs in per.items() if i not in retried)
    assert user_text(per[retried[0]][0]) == user_text(per[retried[0]][1])  # the same prompt, sent again
    assert all(s.status == "done" and s.text == writer.last(s.index) for s in draft.sections)
    resets = [e for e in display.of("reset") if e.index == retried[0]]
    assert resets and "500" in resets[0].extra["reason"]
    assert display.text[retried[0]] == draft.sections[retried[0]].text


def test_rate_limit_honours_retry_after(data_dir: Path, index: CorpusIndex) -> None:
    writer = Writer()
    with FakeOpenAI(writer) as srv:
        srv.script([{"status": 429, "retry_after": 0.4, "endpoint": "chat"}])
        draft = run(llm_ws(data_dir, srv, index).draft(load_facts(ENTERPRISE)))
        per = section_requests(srv)
    retried = [reqs for reqs in per.values() if len(reqs) == 2]
    assert len(retried) == 1
    first, second = retried[0]
    assert second.at - first.at >= 0.38  # waited as told, not the 10 ms back-off
    assert all(s.status == "done" and s.text == writer.last(s.index) for s in draft.sections)


@pytest.mark.parametrize("failure", [{"stall_after": 2, "stall_seconds": 3}, {"drop_after": 2},
                                     {"end_after": 2}], ids=["stall", "drop", "no-finish"])
def test_broken_stream_is_retried_without_duplicating_text(failure: dict[str, Any], data_dir: Path,
                                                           index: CorpusIndex) -> None:
    writer = Writer()
    display = Display()
    with FakeOpenAI(writer) as srv:
        srv.script([{**failure, "endpoint": "chat"}])
        ws = llm_ws(data_dir, srv, index, stall_timeout=0.3)
        draft = run(ws.draft(load_facts(ENTERPRISE), on_event=display))
        per = section_requests(srv)
    retried = [i for i, reqs in per.items() if len(reqs) == 2]
    assert len(retried) == 1
    i = retried[0]
    s = draft.sections[i]
    assert s.status == "done" and s.text == writer.last(i)
    assert s.text.count(Writer.LEAD) == 1  # the two chunks before the break are not kept
    # the display got the first pieces, a reset, then the whole text once
    deltas_before_reset = []
    for e in display.events:
        if e.index != i:
            continue
        if e.type == "reset":
            break
        if e.type == "delta":
            deltas_before_reset.append(e.text)
    assert "".join(deltas_before_reset) == s.text[:8]  # 2 chunks of 4 characters
    assert display.text[i] == s.text
    assert all(x.status == "done" for x in draft.sections)


def test_section_whose_every_attempt_fails_is_marked_failed(data_dir: Path, index: CorpusIndex) -> None:
    writer = Writer(empty_for=frozenset({2}))
    with FakeOpenAI(writer) as srv:
        ws = llm_ws(data_dir, srv, index)
        draft = run(ws.draft(load_facts(ENTERPRISE)))
        per = section_requests(srv)
    assert len(per[2]) == 3  # max_retries=2: three attempts
    failed = draft.sections[2]
    assert failed.status == "failed" and failed.text == ""
    assert "空内容" in failed.error and "3 次" in failed.error
    assert re.search(r"[\u4e00-\u9fff]", failed.error)
    assert len(failed.sources) >= 1  # what it would have been written from is kept
    stored = ws.get_draft(draft.id)
    assert stored == draft
    for s in stored.sections:
        if s.index != 2:
            assert s.status == "done" and s.text == writer.last(s.index) and len(per[s.index]) == 1


def test_scripted_server_errors_fail_one_section_sequentially(data_dir: Path, index: CorpusIndex) -> None:
    """concurrency=1: the third request and its two retries get HTTP 500; that section alone fails, and the
    sections are written one at a time (no request overlaps another)."""
    writer = Writer()
    with FakeOpenAI(writer) as srv:
        srv.script([{}, {}, {"status": 500}, {"status": 500}, {"status": 500}])
        ws = llm_ws(data_dir, srv, index, concurrency=1)
        draft = run(ws.draft(load_facts(ENTERPRISE)))
        per = section_requests(srv)
        order = [index_of(r) for r in chat(srv)]
    third = order[2]  # whichever section was asked for third: one at a time, so it got all three 500s
    assert order[2:5] == [third] * 3
    runs = [k for k, _ in itertools.groupby(order)]
    assert len(runs) == len(set(runs)) == len(draft.sections)  # each section's requests back to back
    failed = [s for s in draft.sections if s.status == "failed"]
    assert [s.index for s in failed] == [third] and len(per[third]) == 3
    assert "HTTP 500" in failed[0].error and "3 次" in failed[0].error
    assert all(s.status == "done" and len(per[s.index]) == 1 for s in draft.sections if s.index != third)
    assert ws.get_draft(draft.id).sections[third].status == "failed"


def test_failed_section_can_be_regenerated(data_dir: Path, index: CorpusIndex) -> None:
    writer = Writer(empty_for=frozenset({2}))
    with FakeOpenAI(writer) as srv:
        ws = llm_ws(data_dir, srv, index)
        draft = run(ws.draft(load_facts(ENTERPRISE)))
        assert draft.sections[2].status == "failed"
        writer.empty_for = frozenset()
        again = run(ws.regenerate(draft.id, 2))
    s = again.sections[2]
    assert s.status == "done" and s.error == "" and s.version == 1 and s.text == writer.last(2)
    assert [v.status for v in ws.store.versions(draft.id, 2)] == ["failed", "done"]


def test_wrong_model_fails_every_section_without_retries(data_dir: Path, index: CorpusIndex) -> None:
    with FakeOpenAI(Writer(), models=["other-model"]) as srv:
        draft = run(llm_ws(data_dir, srv, index).draft(load_facts(ENTERPRISE)))
        assert len(chat(srv)) == len(draft.sections)  # 404 is not retried
    assert all(s.status == "failed" and "DRAFTER_MODEL" in s.error for s in draft.sections)


# --- 5. regenerate ---------------------------------------------------------------------------------------
def test_regenerate_one_section_with_an_instruction(data_dir: Path, index: CorpusIndex) -> None:
    writer = Writer()
    with FakeOpenAI(writer) as srv:
        ws = llm_ws(data_dir, srv, index)
        draft = run(ws.draft(load_facts(ENTERPRISE)))
        first_prompt = user_text(section_requests(srv)[2][0])
        srv.clear()
        events = Display()
        after = run(ws.regenerate(draft.id, 2, "更简洁", on_event=events))
        requests = chat(srv)

    assert len(requests) == 1  # one request, for that one section
    prompt = user_text(requests[0])
    assert section_index(prompt) == 2 and "修改要求：更简洁" in prompt
    assert prompt.replace("修改要求：更简洁", "") == first_prompt  # same facts, same exemplars
    new, old = after.sections[2], draft.sections[2]
    assert new.text == writer.last(2) and new.text.startswith(Writer.SHORT) and new.text != old.text
    assert (new.version, new.instruction, new.status) == (1, "更简洁", "done")
    assert new.sources == old.sources
    for a, b in zip(after.sections, draft.sections, strict=True):
        if a.index != 2:
            assert a.model_dump_json() == b.model_dump_json()
    assert [v.version for v in ws.store.versions(draft.id, 2)] == [0, 1]
    assert [v.text for v in ws.store.versions(draft.id, 2)] == [old.text, new.text]
    assert [v.version for v in ws.store.versions(draft.id, 1)] == [0]
    assert [e.type for e in events.events if e.type != "delta"] == ["section"]
    assert ws.get_draft(draft.id) == after


def test_regenerate_offline_changes_wording_not_facts(data_dir: Path, index: CorpusIndex) -> None:
    ws = offline_ws(data_dir, index)
    draft = run(ws.draft(load_facts(ENTERPRISE)))
    old = draft.sections[2]
    after = run(ws.regenerate(draft.id, 2, "更简洁"))
    new = after.sections[2]
    assert new.text != old.text and len(new.text) < len(old.text)
    assert new.facts == old.facts and new.flags == [] and new.version == 1
    for fact in old.facts:
        assert fact.rstrip("。") in new.text
    assert AMOUNT_RE.findall(new.text) == AMOUNT_RE.findall(old.text)
    for a, b in zip(after.sections, draft.sections, strict=True):
        if a.index != 2:
            assert a.model_dump_json() == b.model_dump_json()
    # without an instruction: another wording again, still the same facts
    third = run(ws.regenerate(draft.id, 2)).sections[2]
    assert third.version == 2 and third.text not in (old.text, new.text)
    assert AMOUNT_RE.findall(third.text) == AMOUNT_RE.findall(old.text) and third.flags == []
    assert [v.version for v in ws.store.versions(draft.id, 2)] == [0, 1, 2]


def test_regenerate_bad_index_and_unknown_draft(data_dir: Path, index: CorpusIndex) -> None:
    from drafter.errors import InputError, NotFoundError

    ws = offline_ws(data_dir, index)
    draft = run(ws.draft(load_facts(SCHOOL)))
    with pytest.raises(InputError):
        run(ws.regenerate(draft.id, len(draft.sections)))
    with pytest.raises(NotFoundError):
        run(ws.regenerate("nope", 0))


def test_edit_section_is_checked_and_versioned(data_dir: Path, index: CorpusIndex) -> None:
    ws = offline_ws(data_dir, index)
    draft = run(ws.draft(load_facts(ENTERPRISE)))
    edited = ws.edit_section(draft.id, 3, text="走访慰问困难职工家庭32户，发放慰问金9.9万元。")
    s = edited.sections[3]
    assert [f.text for f in s.flags] == ["9.9万元"] and s.version == 1 and s.instruction == "编辑"
    assert [v.version for v in ws.store.versions(draft.id, 3)] == [0, 1]


# --- 6. concurrency --------------------------------------------------------------------------------------
def test_sections_are_written_concurrently(data_dir: Path, index: CorpusIndex) -> None:
    """Without clocks (bench/bench_draft.py measures the speed-up): the first `limit` section requests are
    all in flight together (each waits at a barrier only that many arrivals can open — a sequential pipeline
    would break it), and never more than `limit` are."""
    writer = Writer()
    in_flight, peak, seen, lock = [0], [0], [0], threading.Lock()
    barrier: list[threading.Barrier] = []

    def concurrent(body: dict[str, Any]) -> str:
        user = str(body["messages"][-1]["content"])
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
            is_section = section_index(user) is not None
            seen[0] += is_section
            first_wave = is_section and seen[0] <= (barrier[0].parties if barrier else 0)
        try:
            if first_wave:
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier[0].wait(timeout=30)
            return writer(body)
        finally:
            with lock:
                in_flight[0] -= 1

    with FakeOpenAI(concurrent) as srv:
        ws = llm_ws(data_dir, srv, index, concurrency=4)
        facts = load_facts(ENTERPRISE)
        n = len(asyncio.run(ws.plan(facts)))
        limit = min(ws.settings.concurrency, n)
        barrier.append(threading.Barrier(limit))
        draft = run(ws.draft(facts))
    assert n >= 6 and limit == 4 and all(s.status == "done" for s in draft.sections)
    assert not barrier[0].broken  # `limit` requests were in flight at once
    assert peak[0] == limit  # and never more


# --- 7. drafts are kept ----------------------------------------------------------------------------------
def test_draft_survives_a_new_workspace(data_dir: Path, index: CorpusIndex) -> None:
    with FakeOpenAI(Writer(extra=INVENTED)) as srv:
        draft = run(llm_ws(data_dir, srv, index).draft(load_facts(HOSPITAL)))
    other = Workspace(Settings(data_dir=data_dir), embedder=HashEmbedder())  # a new process would do this
    listed = other.list_drafts()
    assert [(d["id"], d["title"], d["backend"]) for d in listed] == [(draft.id, draft.title, MODEL)]
    loaded = other.get_draft(draft.id)
    assert loaded == draft and loaded.model_dump_json() == draft.model_dump_json()
    assert loaded.flags and loaded.flags == draft.flags


def test_each_section_is_saved_as_it_completes(data_dir: Path, index: CorpusIndex) -> None:
    snapshots: list[tuple[int, list[str]]] = []
    with FakeOpenAI(Writer(), first_token_delay=0.05, chars_per_second=2000) as srv:
        ws = llm_ws(data_dir, srv, index)
        store = ws.store

        draft_id: list[str] = []

        def on_event(e: DraftEvent) -> None:
            if e.type == "outline":
                assert e.draft is not None
                draft_id.append(e.draft.id)
                snapshots.append((-1, [s.status for s in store.get(e.draft.id).sections]))
            if e.type == "section":
                assert e.section is not None and e.index is not None
                stored = store.get(draft_id[0]).sections
                snapshots.append((e.index, [s.status for s in stored]))
                assert stored[e.index] == e.section  # saved before it was announced

        draft = run(ws.draft(load_facts(ENTERPRISE), on_event=on_event))
    n = len(draft.sections)
    assert snapshots[0] == (-1, ["pending"] * n)  # the outline is stored before any section is written
    sections = snapshots[1:]
    assert sorted(i for i, _ in sections) == list(range(n))
    for i, statuses in sections:
        assert statuses[i] == "done"
    assert "pending" in sections[0][1]  # the first finished section was stored while others were not
    done_counts = [st.count("done") for _, st in sections]
    assert done_counts == sorted(done_counts) and done_counts[-1] == n


def test_draft_stream_yields_outline_deltas_sections_done(data_dir: Path, index: CorpusIndex) -> None:
    async def collect(ws: Workspace, facts: Facts) -> list[DraftEvent]:
        return [e async for e in ws.draft_stream(facts)]

    writer = Writer()
    with FakeOpenAI(writer) as srv:
        ws = llm_ws(data_dir, srv, index)
        events = run(collect(ws, load_facts(SCHOOL)))
    assert events[0].type == "outline" and events[-1].type == "done"
    final = events[-1].draft
    assert final is not None and final == ws.get_draft(final.id)
    assert all(s.status == "pending" for s in events[0].draft.sections)  # type: ignore[union-attr]
    sections = [e for e in events if e.type == "section"]
    assert sorted(e.index for e in sections) == list(range(len(final.sections)))  # type: ignore[type-var]
    for i in range(len(final.sections)):
        deltas = "".join(e.text for e in events if e.type == "delta" and e.index == i)
        assert deltas == final.sections[i].text == writer.last(i)
        last_delta = max(k for k, e in enumerate(events) if e.type == "delta" and e.index == i)
        section_at = next(k for k, e in enumerate(events) if e.type == "section" and e.index == i)
        assert last_delta < section_at


def test_a_server_start_loads_the_prompt_budget_encoding_only_with_a_model(data_dir: Path, index: CorpusIndex) -> None:
    """Workspace.warm_up (a server's start) loads the token encoding the prompt budget needs, so the first
    draft does not; without a model nothing counts tokens and nothing is loaded."""
    with FakeOpenAI(Writer()) as srv:
        ws = llm_ws(data_dir, srv, index)
        assert ws.drafter._enc is None
        assert ws.warm_up() is True
        assert ws.drafter._enc is not None and ws.drafter._enc.name == "o200k_base"
        offline = Workspace(Settings(data_dir=data_dir / "offline"), index=index)
        offline.warm_up()
        assert offline.drafter.generator is None and offline.drafter._enc is None


# --- 8. token budget -------------------------------------------------------------------------------------
@pytest.mark.parametrize("budget", [900, 200])
def test_token_budget_trims_exemplars_never_facts(budget: int, data_dir: Path, index: CorpusIndex) -> None:
    facts = load_facts(ENTERPRISE)
    with FakeOpenAI(Writer()) as srv:
        full = run(llm_ws(data_dir, srv, index).draft(facts))
        wide = {i: user_text(r[0]) for i, r in section_requests(srv).items()}
        srv.clear()
        ws = llm_ws(data_dir, srv, index, max_prompt_tokens=budget)
        small = run(ws.draft(facts))
        narrow = {i: (r[0].messages[0]["content"], user_text(r[0])) for i, r in section_requests(srv).items()}
    enc = encoding_for_model(MODEL, ws.settings.cache_dir)
    trimmed = 0
    for i, (system, user) in narrow.items():
        assert prompt_facts(user) == expected_prompt_facts(small, i)  # every fact line is still there
        kept = prompt_exemplars(user)
        before = prompt_exemplars(wide[i])
        assert sum(len(t) for *_, t in kept) <= sum(len(t) for *_, t in before)
        trimmed += sum(len(t) for *_, t in kept) < sum(len(t) for *_, t in before)
        for _, _, text in kept:
            assert not re.search(r"\d", text)
        if kept:
            assert count_tokens(system + user, enc) <= budget
        else:
            assert "（无）" in user
    assert trimmed >= len(narrow) // 2  # most sections lost exemplar text under this budget
    if budget <= 200:  # not even one exemplar fits: none is sent, the facts still are
        assert all(not prompt_exemplars(user) for _, user in narrow.values())
    assert all(s.status == "done" for s in small.sections)
    assert [s.text for s in small.sections] == [s.text for s in full.sections]  # the facts made it through


# --- 9. model outline ------------------------------------------------------------------------------------
def _model_outline(facts: Facts) -> str:
    n = len(facts.items)
    groups = [list(range(0, n, 3)), list(range(1, n, 3)), list(range(2, n, 3))]
    headings = ["夯实思想根基，凝聚奋进力量", "竭诚服务职工，办好民生实事", "建功立业新时代，争创一流业绩"]
    return "好的，提纲如下：\n```json\n" + json.dumps(
        {"sections": [{"heading": h, "items": g} for h, g in zip(headings, groups, strict=True)]},
        ensure_ascii=False) + "\n```"


def test_model_outline_is_used(data_dir: Path, index: CorpusIndex) -> None:
    facts = load_facts(ENTERPRISE)
    writer = Writer(outline=_model_outline(facts))
    with FakeOpenAI(writer) as srv:
        ws = llm_ws(data_dir, srv, index, model_outline=True)
        draft = run(ws.draft(facts))
        requests = chat(srv)
    outline_req = requests[0]
    user = user_text(outline_req)
    assert "拟定正文提纲" in user and outline_req.body["temperature"] == pytest.approx(0.2)
    for i, item in enumerate(facts.items):
        assert f"{i}. {item}" in user
    # the example headings are real level-1 headings of past summaries, with no digits or placeholders
    examples = user.split("范文常用的一级标题示例：", 1)[1].split("要求：", 1)[0].split()
    corpus_headings = {c.heading.split("、", 1)[-1] for c in index.chunks() if c.level == 1}
    assert examples and set(examples) <= corpus_headings
    assert not any(re.search(r"[0-9xX]", h) for h in examples)
    body = [s for s in draft.sections if s.kind == "body"]
    assert [s.heading for s in body] == ["一、夯实思想根基，凝聚奋进力量", "二、竭诚服务职工，办好民生实事",
                                         "三、建功立业新时代，争创一流业绩"]
    assert body[0].facts == [facts.items[i] for i in range(0, len(facts.items), 3)]
    tail = [s.heading for s in draft.sections if s.kind != "body" and s.heading]
    assert tail == ["四、存在的不足", "五、下一步工作打算"]
    assert len(requests) == 1 + len(draft.sections)
    assert all(s.status == "done" for s in draft.sections)


@pytest.mark.parametrize("answer", [
    "我认为可以分为思想引领、民主管理和帮扶三个部分。",
    '{"sections": [{"heading": "关心职工生活", "items": [0, 1]}]}',  # not every fact placed
    '{"sections": [{"heading": "1、关心职工生活", "items": [0,1,2,3,4,5,6,7,8,9]}]}',  # digits in heading
    '{"sections": [{"heading": "甲", "items": [0,1,2,3,4,5,6,7,8,9,9]}]}',  # a fact twice
    '{"sections": [{"heading": "甲", "items": [0,1,2,3,4,5,6,7,8,99]}]}',  # out of range
    '{"sections": "全部"}',
    "{不是 JSON}",
], ids=["prose", "missing", "digits", "twice", "range", "shape", "broken"])
def test_unusable_model_outline_falls_back_to_the_rules(answer: str, data_dir: Path, index: CorpusIndex) -> None:
    facts = load_facts(ENTERPRISE)
    with FakeOpenAI(Writer(outline=answer)) as srv:
        ws = llm_ws(data_dir, srv, index, model_outline=True)
        draft = run(ws.draft(facts))
        assert "拟定正文提纲" in user_text(chat(srv)[0])
    assert [s.heading for s in draft.sections] == [s.heading for s in plan_outline(facts)]
    assert all(s.status == "done" for s in draft.sections)


def test_outline_request_failure_falls_back_to_the_rules(data_dir: Path, index: CorpusIndex) -> None:
    facts = load_facts(SCHOOL)
    with FakeOpenAI(Writer(outline=_model_outline(facts))) as srv:
        srv.script([{"status": 500}] * 3)  # the outline request and its two retries
        ws = llm_ws(data_dir, srv, index, model_outline=True)
        plan = run(ws.plan(facts))
    assert [s.heading for s in plan] == [s.heading for s in plan_outline(facts)]


def test_plan_without_model_outline_sends_nothing(data_dir: Path, index: CorpusIndex) -> None:
    facts = load_facts(SCHOOL)
    with FakeOpenAI(Writer()) as srv:
        plan = run(llm_ws(data_dir, srv, index).plan(facts))
        assert chat(srv) == []
    assert plan == plan_outline(facts)


def test_a_given_outline_is_followed(data_dir: Path, index: CorpusIndex) -> None:
    facts = load_facts(SCHOOL)
    ws = offline_ws(data_dir, index)
    outline = run(ws.plan(facts))
    outline[1] = outline[1].model_copy(update={"heading": "一、用户自己改的标题"})
    draft = run(ws.draft(facts, outline))
    assert draft.sections[1].heading == "一、用户自己改的标题"
    assert [s.facts for s in draft.sections] == [s.facts for s in outline]


# --- 10. command line ------------------------------------------------------------------------------------
@pytest.fixture
def cli_env(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DRAFTER_EMBED_MODEL", "hash-bigram-256")
    return data_dir


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = cli_main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_draft_regenerate_list_export(cli_env: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    facts = load_facts(ENTERPRISE)
    rc, out, err = cli(capsys, "draft", str(ENTERPRISE), "--json")
    assert rc == 0, err
    data = json.loads(out)
    assert {"id", "title", "backend", "sections"} <= set(data)
    assert data["title"] == "江州市供电公司2024年工会工作总结" and data["backend"] == "offline"
    for i, s in enumerate(data["sections"]):
        assert {"index", "heading", "text", "flags", "sources"} <= set(s)
        assert s["index"] == i and s["text"] and s["flags"] == []
        assert all({"doc_id", "title", "section", "text"} <= set(src) for src in s["sources"])
    assert "6.4万元" in "".join(s["text"] for s in data["sections"])
    draft_id = data["id"]

    rc, out, err = cli(capsys, "regenerate", draft_id, "2", "--instruction", "更简洁", "--json")
    assert rc == 0, err
    again = json.loads(out)
    assert again["id"] == draft_id and again["sections"][2]["version"] == 1
    assert again["sections"][2]["text"] != data["sections"][2]["text"]
    assert [s["text"] for k, s in enumerate(again["sections"]) if k != 2] == \
           [s["text"] for k, s in enumerate(data["sections"]) if k != 2]

    rc, out, _ = cli(capsys, "drafts")
    assert rc == 0 and draft_id in out and "江州市供电公司2024年工会工作总结" in out and "offline" in out
    rc, out, _ = cli(capsys, "drafts", "--json")
    assert [d["id"] for d in json.loads(out)["drafts"]] == [draft_id]

    docx_path, md_path = tmp_path / "x.docx", tmp_path / "x.md"
    assert cli(capsys, "export", draft_id, "--out", str(docx_path))[0] == 0
    assert cli(capsys, "export", draft_id, "--out", str(md_path))[0] == 0
    doc_text = "\n".join(p.text for p in Document(str(docx_path)).paragraphs)
    md = md_path.read_text(encoding="utf-8")
    for s in again["sections"]:
        if s["heading"]:
            assert s["heading"] in doc_text and s["heading"] in md
    for item in facts.items:
        assert item in doc_text and item in md

    rc, out, err = cli(capsys, "draft", str(SCHOOL))  # the plain form: text on stdout, a summary on stderr
    assert rc == 0 and out.startswith("青山县第一中学2023年工会工作总结") and "标记 0 处" in err

    assert cli(capsys, "regenerate", draft_id, "99")[0] == 2
    assert cli(capsys, "regenerate", "nope", "1")[0] == 3


@pytest.mark.parametrize(("content", "field"), [
    ("年度：2024\n开展活动3次", "org"),
    ("单位：甲公司\n年度：明年\n开展活动3次", "year"),
    ("单位：甲公司\n年度：2024\n", "items"),
    ('{"org": "甲公司", "year": 2024,', "facts"),
])
def test_cli_bad_facts_file(content: str, field: str, cli_env: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "facts.txt"
    path.write_text(content, encoding="utf-8")
    rc, out, err = cli(capsys, "draft", str(path), "--json")
    assert rc == 2 and out == ""
    assert f"「{field}」" in err
    assert not (cli_env / "drafter.sqlite3").exists()  # refused before anything was stored


def test_cli_missing_facts_file(cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = cli(capsys, "draft", str(tmp_path / "nope.txt"))
    assert rc == 2 and "nope.txt" in err


def test_cli_llm_backend_and_failed_section_exit_code(cli_env: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    writer = Writer(empty_for=frozenset({1}))
    with FakeOpenAI(writer) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("DRAFTER_MODEL", MODEL)
        monkeypatch.setenv("DRAFTER_MAX_RETRIES", "0")
        rc, out, _ = cli(capsys, "draft", str(ENTERPRISE), "--json")
        data = json.loads(out)
        assert rc == 1  # a section failed
        assert data["backend"] == MODEL
        assert data["sections"][1]["status"] == "failed" and data["sections"][1]["error"]
        assert data["sections"][2]["text"] == writer.last(2)
        assert len(section_requests(srv)[1]) == 1  # DRAFTER_MAX_RETRIES=0
        writer.empty_for = frozenset()
        rc, out, _ = cli(capsys, "regenerate", data["id"], "1", "--json")
        assert rc == 0 and json.loads(out)["sections"][1]["status"] == "done"


# --- 11. export ------------------------------------------------------------------------------------------
def test_export_docx_and_markdown(data_dir: Path, index: CorpusIndex) -> None:
    writer = Writer(empty_for=frozenset({3}))
    with FakeOpenAI(writer) as srv:
        ws = llm_ws(data_dir, srv, index)
        draft = run(ws.draft(load_facts(HOSPITAL)))
    doc = Document(io.BytesIO(ws.export(draft.id, "docx")))
    paragraphs = [p.text for p in doc.paragraphs]
    md = ws.export(draft.id, "md").decode("utf-8")
    assert paragraphs[0] == draft.title and md.startswith(f"# {draft.title}")
    joined = "\n".join(paragraphs)
    for s in draft.sections:
        if s.heading:
            assert s.heading in paragraphs and f"## {s.heading}" in md
        if s.status == "done":
            assert s.text in joined and s.text in md
    note = "（本节生成失败："
    assert note in md and note in joined  # the failed section is visible, not silently missing
    assert ws.export(draft.id, "markdown") == ws.export(draft.id, "md")
    from drafter.errors import InputError

    with pytest.raises(InputError):
        ws.export(draft.id, "pdf")


# --- the display contract ------------------------------------------------------------------------------
def test_display_matches_the_stored_text_through_retries_and_repairs(data_dir: Path, index: CorpusIndex) -> None:
    writer = Writer(extra=INVENTED, repair="clean")
    display = Display()
    with FakeOpenAI(writer) as srv:
        srv.script([{"status": 500, "endpoint": "chat"}, {"drop_after": 3, "endpoint": "chat"}])
        ws = llm_ws(data_dir, srv, index)
        draft = run(ws.draft(load_facts(SCHOOL), on_event=display))
    for s in draft.sections:
        assert display.text[s.index] == s.text and s.flags == []



# --- outline and wording details ---------------------------------------------------------------------------
def test_org_that_is_a_union_is_not_doubled(data_dir: Path, index: CorpusIndex) -> None:
    facts = parse_facts("单位：市交通运输局机关工会\n年度：2024\n单位类型：机关\n组织干部职工理论学习12次\n"
                        "举办乒乓球比赛，参赛干部职工120人次\n工会经费收入45.6万元")
    draft = run(offline_ws(data_dir, index).draft(facts))
    assert draft.title == "市交通运输局机关工会2024年工作总结"
    assert "工会工会" not in draft.text()
    assert all(not s.flags for s in draft.sections)


def test_merged_themes_get_a_heading_for_both() -> None:
    facts = parse_facts("单位：甲单位\n年度：2024\n组织职工理论学习12次\n工会经费收入45.6万元\n举办乒乓球比赛，参赛120人次\n"
                        "开展三八节女职工健步走，参加76人\n开展职工疗休养，参加职工58人")
    body = [s for s in plan_outline(facts) if s.kind == "body"]
    assert len(body) == 3 and sorted(f for s in body for f in s.facts) == sorted(facts.items)
    merged = [s for s in body if len(s.facts) == 2]
    assert merged and all(len(s.heading.split("，")) == 2 for s in merged)
    assert any("女职工" in s.heading and "劳动保护" in s.heading for s in merged)
