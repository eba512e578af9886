"""OpenAIGenerator with the real openai client against a real local HTTP server (FakeOpenAI)."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import openai
import pytest
from pydantic import SecretStr

from drafter.drafting import streaming
from drafter.drafting.fakes import ScriptedGenerator
from drafter.drafting.generation import (
    CONTINUE_PROMPT,
    READ_EVERY,
    REASONING_HIDDEN,
    Generator,
    Message,
    OpenAIGenerator,
    Reply,
)
from drafter.errors import ConfigError, GenerationError
from drafter.settings import Settings

try:
    from tests.support.fake_openai import FakeOpenAI, FakeReply, embed_text
except ModuleNotFoundError:  # pytest's default rootdir handling puts tests/ itself on sys.path
    from support.fake_openai import FakeOpenAI, FakeReply, embed_text  # type: ignore[no-redef]

T = TypeVar("T")
KEY = "sk-test-Secret-0123456789"
REPLY = "2024年，工会围绕职工需求开展了帮扶、培训和文体活动，共覆盖职工1200余人次。"
MESSAGES: list[Message] = [
    {"role": "system", "content": "你是工会工作总结的起草助手。"},
    {"role": "user", "content": "请写一段年度工作概述。"},
]


def make(srv: FakeOpenAI, **overrides: Any) -> OpenAIGenerator:
    options: dict[str, Any] = {
        "api_key": KEY, "base_url": srv.base_url, "model": "test-model", "timeout": 5.0, "max_retries": 2,
        "stall_timeout": 0.3, "backoff_base": 0.01, "backoff_max": 0.05,
    }
    options.update(overrides)
    return OpenAIGenerator(**options)


class Display:
    """What a UI would show: pieces appended, cleared on every retry."""

    def __init__(self) -> None:
        self.text = ""
        self.deltas: list[str] = []
        self.retries: list[tuple[int, str]] = []

    def on_delta(self, piece: str) -> None:
        self.text += piece
        self.deltas.append(piece)

    def on_retry(self, attempt: int, reason: str) -> None:
        self.text = ""
        self.retries.append((attempt, reason))


def drive(gen: Generator, ask: Callable[..., Awaitable[T]], messages: list[Message], display: Display | None) -> T:
    """`ask(messages)` (`gen.complete` or `gen.reply`), with the display's callbacks when there is one; then
    `gen` is closed."""
    async def go() -> T:
        try:
            if display is None:
                return await ask(messages)
            return await ask(messages, on_delta=display.on_delta, on_retry=display.on_retry)
        finally:
            await gen.aclose()

    return asyncio.run(go())


def run(gen: Generator, display: Display | None = None, messages: list[Message] = MESSAGES) -> str:
    return drive(gen, gen.complete, messages, display)


def fails(gen: Generator) -> GenerationError:
    with pytest.raises(GenerationError) as info:
        run(gen, Display())
    return info.value


def const(text: str) -> Callable[[dict[str, Any]], str]:
    return lambda body: text


def test_non_streaming_reply_and_what_the_server_saw() -> None:
    with FakeOpenAI(responder=const(REPLY)) as srv:
        display = Display()
        assert run(make(srv, stream=False), display) == REPLY
        assert display.deltas == [REPLY]
        (request,) = srv.requests_to("/chat/completions")
    assert request.method == "POST" and request.path == "/v1/chat/completions"
    assert request.body["model"] == "test-model"
    assert request.body["messages"] == MESSAGES
    assert request.body.get("stream") in (None, False)
    assert request.body["temperature"] == 0.3
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_streaming_reply_arrives_in_pieces() -> None:
    with FakeOpenAI(responder=const(REPLY), piece_chars=5, chars_per_second=200) as srv:  # a chunk per 25 ms
        display = Display()
        gen = make(srv)
        gen.read_every = 0  # no pacing of reads: each piece is what one read found, whole chunks
        assert run(gen, display) == REPLY
        (request,) = srv.requests_to("/chat/completions")
    assert len(display.deltas) >= 3
    assert all(len(piece) % 5 == 0 for piece in display.deltas[:-1])
    assert "".join(display.deltas) == REPLY and display.text == REPLY
    assert display.retries == []
    assert request.body["stream"] is True
    assert request.body["model"] == "test-model"
    assert [m["content"] for m in request.body["messages"]] == [m["content"] for m in MESSAGES]
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_chunks_that_arrive_together_are_passed_on_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads are paced (READ_EVERY, from PACE_AFTER seconds into the reply: here at once): the chunks that
    came in between go on as one piece, in order, so a long reply costs one display update per read rather
    than one per chunk; it still streams."""
    monkeypatch.setattr(streaming, "PACE_AFTER", 0.0)
    seconds = 0.6
    with FakeOpenAI(responder=const(REPLY), piece_chars=2, chars_per_second=len(REPLY) / seconds) as srv:
        display = Display()
        assert run(make(srv), display) == REPLY
    chunks = -(-len(REPLY) // 2)
    assert "".join(display.deltas) == REPLY and display.text == REPLY
    assert 2 <= len(display.deltas) <= seconds / READ_EVERY + 2 < chunks


@pytest.mark.parametrize(("failure", "reason"), [
    ({"status": 500}, "500"),
    ({"drop_after": 2}, "断开"),  # the connection dropped mid-stream
    ({"end_after": 3}, "未正常结束"),  # the stream ended without a finish_reason
], ids=["500", "dropped-stream", "no-finish-reason"])
def test_one_failure_then_success_is_retried(failure: dict[str, int], reason: str) -> None:
    with FakeOpenAI(responder=const(REPLY)) as srv:
        srv.script([failure])
        display = Display()
        assert run(make(srv), display) == REPLY
        assert len(srv.requests_to("/chat/completions")) == 2
    assert display.text == REPLY
    assert [a for a, _ in display.retries] == [2]
    assert reason in display.retries[0][1]


@pytest.mark.parametrize("header", [{"retry_after": 0.3}, {"retry_after_ms": 300}])
def test_429_waits_for_retry_after(header: dict[str, float]) -> None:
    with FakeOpenAI(responder=const(REPLY)) as srv:
        srv.script([{"status": 429, **header}])
        assert run(make(srv)) == REPLY
        first, second = srv.requests_to("/chat/completions")
    assert second.at - first.at >= 0.3


def test_stalled_stream_is_abandoned_and_retried_without_duplicates() -> None:
    with FakeOpenAI(responder=const(REPLY), piece_chars=4) as srv:
        srv.script([{"stall_after": 2, "stall_seconds": 10}])
        display = Display()
        started = time.monotonic()
        assert run(make(srv, stall_timeout=0.3), display) == REPLY
        elapsed = time.monotonic() - started
        assert len(srv.requests_to("/chat/completions")) == 2
    assert elapsed < 8  # a hang guard, not a speed target: waiting out the stall would take 10 s
    assert display.text == REPLY  # the two pieces of the stalled attempt were cleared
    assert "".join(display.deltas) == REPLY[:8] + REPLY
    assert display.retries and "停滞" in display.retries[0][1]


def test_a_line_that_never_ends_is_cut_at_the_event_limit_retried_then_an_error() -> None:
    """A broken endpoint sends one `data:` line of 3 MB: the reader stops at MAX_EVENT_BYTES (it used to buffer
    and re-copy it until the timeout), retries once, then fails with a Chinese message."""
    with FakeOpenAI(responder=const(REPLY)) as srv:
        srv.script([{"endless_line": 3 << 20}])
        display = Display()
        assert run(make(srv), display) == REPLY  # the second attempt is a normal reply
        assert display.retries and "输出过程中" in display.retries[0][1]
        srv.script([{"endless_line": 3 << 20}] * 2)
        err = fails(make(srv, max_retries=1))
    assert "单条数据超过 1 MB" in str(err) and "模型服务在输出过程中报错" in str(err)


def test_dropped_non_streaming_request_is_retried() -> None:
    with FakeOpenAI(responder=const(REPLY)) as srv:
        srv.script([{"drop_after": 0}])
        assert run(make(srv, stream=False)) == REPLY
        assert len(srv.requests_to("/chat/completions")) == 2


def test_slow_response_times_out_then_is_an_error() -> None:
    with FakeOpenAI(responder=const(REPLY)) as srv:
        srv.script([{"delay": 5}] * 2)
        err = fails(make(srv, stream=False, timeout=0.2, max_retries=1))
        assert len(srv.requests) == 2
    assert "超时" in str(err) and "DRAFTER_TIMEOUT" in str(err)


def test_slow_first_chunk_counts_against_first_chunk_timeout() -> None:
    with FakeOpenAI(responder=const(REPLY), first_token_delay=0.25) as srv:
        assert run(make(srv, stall_timeout=1.0, first_chunk_timeout=2.0, max_retries=0)) == REPLY
        err = fails(make(srv, stall_timeout=1.0, first_chunk_timeout=0.1, max_retries=0))
    assert "停滞" in str(err)


def test_cancelled_call_closes_cleanly() -> None:
    with FakeOpenAI(responder=const(REPLY), chars_per_second=20) as srv:
        gen = make(srv)

        async def go() -> None:
            task = asyncio.create_task(gen.complete(MESSAGES))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert gen._leases == {}  # the shared client was closed with the last call

        asyncio.run(go())


def test_401_is_not_retried_and_never_shows_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeOpenAI(require_key="the-right-key") as srv:  # its 401 message echoes the key it was sent
        err = fails(make(srv))
        assert len(srv.requests_to("/chat/completions")) == 1
    assert "OPENAI_API_KEY" in str(err)
    assert "401" in str(err)
    for text in (str(err), repr(err), err.message, err.hint, caplog.text):
        assert KEY not in text and "Secret-0123" not in text
    assert err.__cause__ is None and err.__suppress_context__


def test_403_names_the_key_and_is_not_retried() -> None:
    with FakeOpenAI() as srv:
        srv.script([{"status": 403}])
        err = fails(make(srv))
        assert len(srv.requests) == 1
    assert "OPENAI_API_KEY" in str(err)


def test_404_names_model_and_base_url() -> None:
    with FakeOpenAI(models=["real-model"]) as srv:
        err = fails(make(srv, model="no-such-model"))
        assert len(srv.requests) == 1
    assert "DRAFTER_MODEL" in str(err) and "OPENAI_BASE_URL" in str(err) and "no-such-model" in str(err)


def test_all_attempts_failing_raises_after_max_retries_plus_one() -> None:
    with FakeOpenAI() as srv:
        srv.script([{"status": 503}] * 5)
        display = Display()
        with pytest.raises(GenerationError) as info:
            run(make(srv, max_retries=3), display)
        assert len(srv.requests_to("/chat/completions")) == 4
    assert "503" in str(info.value) and "4 次" in str(info.value)
    assert [a for a, _ in display.retries] == [2, 3, 4]


def test_persistent_429_suggests_lowering_concurrency() -> None:
    with FakeOpenAI() as srv:
        srv.script([{"status": 429, "retry_after": 0.01}] * 2)
        err = fails(make(srv, max_retries=1))
    assert "DRAFTER_CONCURRENCY" in str(err)


def test_connection_refused_names_base_url() -> None:
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gen = OpenAIGenerator(api_key=KEY, base_url=f"http://127.0.0.1:{port}/v1", max_retries=1,
                          timeout=2.0, backoff_base=0.01)
    err = fails(gen)
    assert "OPENAI_BASE_URL" in str(err) and f"127.0.0.1:{port}" in str(err)


def test_empty_completion_is_retried_then_an_error() -> None:
    with FakeOpenAI(responder=const(REPLY)) as srv:
        srv.script([{"reply": ""}])
        assert run(make(srv)) == REPLY
        srv.script([{"reply": "  "}] * 3)
        err = fails(make(srv, max_retries=2, stream=False))
    assert "空内容" in str(err) and "DRAFTER_MODEL" in str(err)


def test_temperature_rejected_by_reasoning_model_is_dropped() -> None:
    with FakeOpenAI(responder=const(REPLY)) as srv:
        srv.script([{"status": 400, "param": "temperature",
                     "message": "Unsupported value: 'temperature' does not support 0.3 with this model."}])
        assert run(make(srv, max_retries=0)) == REPLY
        first, second = srv.requests_to("/chat/completions")
    assert first.body["temperature"] == 0.3 and "temperature" not in second.body


def test_other_400_is_not_retried() -> None:
    with FakeOpenAI() as srv:
        srv.script([{"status": 400, "message": "context too long"}])
        err = fails(make(srv))
        assert len(srv.requests) == 1
    assert "context too long" in str(err)


def test_keyless_endpoint_gets_a_placeholder_key() -> None:
    with FakeOpenAI(responder=const(REPLY)) as srv:
        assert run(OpenAIGenerator(base_url=srv.base_url, model="qwen2.5:7b")) == REPLY
        assert srv.requests[0].headers["authorization"] == "Bearer not-needed"


def test_no_key_and_no_base_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        OpenAIGenerator(api_key=None, base_url=None)


def test_from_settings_with_overrides() -> None:
    settings = Settings(openai_api_key=SecretStr(KEY), openai_base_url="http://127.0.0.1:9/v1",
                        model="deepseek-chat", timeout=7.0, max_retries=1)
    gen = OpenAIGenerator.from_settings(settings)
    assert (gen.name, gen.base_url, gen.timeout, gen.max_retries, gen.stall_timeout) == (
        "deepseek-chat", "http://127.0.0.1:9/v1", 7.0, 1, 7.0)
    assert KEY not in repr(gen)
    gen = OpenAIGenerator.from_settings(settings, model="qwen-plus", max_retries=5)
    assert (gen.model, gen.max_retries) == ("qwen-plus", 5)


def test_one_generator_serves_several_event_loops() -> None:
    with FakeOpenAI(responder=const(REPLY)) as srv:
        gen = make(srv)
        assert asyncio.run(gen.complete(MESSAGES)) == REPLY
        assert asyncio.run(gen.complete(MESSAGES)) == REPLY  # a fresh loop gets a fresh client


def test_150_concurrent_streams() -> None:
    with FakeOpenAI(responder=lambda body: body["messages"][-1]["content"] * 3, first_token_delay=0.1) as srv:
        gen = make(srv)

        async def go() -> list[str]:
            try:
                return await asyncio.gather(*(gen.complete([{"role": "user", "content": f"第{i}段"}])
                                              for i in range(150)))
            finally:
                await gen.aclose()

        started = time.monotonic()
        replies = asyncio.run(go())
        # a hang guard: one at a time would take 15 s (150 × 0.1 s to the first token)
        assert time.monotonic() - started < 12
        assert replies == [f"第{i}段" * 3 for i in range(150)]


def test_fake_server_embeddings_models_and_clean_shutdown() -> None:
    before = set(threading.enumerate())

    async def go(srv: FakeOpenAI) -> None:
        async with openai.AsyncOpenAI(base_url=srv.base_url, api_key="k", max_retries=0) as client:
            texts = ["工会年度工作总结", "工会年度工作报告", "晴天"]
            a, b, c = (d.embedding for d in (await client.embeddings.create(model="e", input=texts)).data)
            assert len(a) == 64 and abs(sum(x * x for x in a) - 1) < 1e-5
            dot = lambda u, v: sum(x * y for x, y in zip(u, v, strict=True))  # noqa: E731
            assert dot(a, b) > dot(a, c)
            assert a == pytest.approx(embed_text("工会年度工作总结"), abs=1e-6)
            assert [m.id for m in (await client.models.list()).data]
            srv.script([{"stall_after": 1, "stall_seconds": 30}])
            request: dict[str, Any] = {"model": "m", "messages": MESSAGES, "stream": True}
            stream = await client.chat.completions.create(**request)
            await anext(stream.__aiter__())  # leave it hanging, then close the server under it

    srv = FakeOpenAI().start()
    asyncio.run(go(srv))
    started = time.monotonic()
    srv.close()
    assert time.monotonic() - started < 15  # a hang guard: the hanging stream would hold it 30 s
    assert srv.open_connections == 0
    leftover = [t for t in set(threading.enumerate()) - before if t.name.startswith("fake-openai")]
    assert leftover == []


def test_scripted_generator_records_and_streams() -> None:
    gen = ScriptedGenerator(["第一份草稿内容", RuntimeError("boom")], pieces=3)
    display = Display()
    assert asyncio.run(gen.complete(MESSAGES, on_delta=display.on_delta, temperature=0.7)) == "第一份草稿内容"
    assert display.deltas == ["第一份", "草稿内", "容"]
    assert gen.calls == [MESSAGES] and gen.last_messages == MESSAGES and gen.temperatures == [0.7]
    with pytest.raises(RuntimeError, match="boom"):
        asyncio.run(gen.complete(MESSAGES))
    with pytest.raises(AssertionError, match="no reply left"):
        asyncio.run(gen.complete(MESSAGES))

    echo = ScriptedGenerator(lambda messages: "答：" + messages[-1]["content"], name="fake-model")
    assert asyncio.run(echo.complete(MESSAGES)) == "答：请写一段年度工作概述。"
    assert echo.name == "fake-model" and len(echo.calls) == 1
    with pytest.raises(GenerationError):
        asyncio.run(ScriptedGenerator([""]).complete(MESSAGES))
    with pytest.raises(GenerationError):
        asyncio.run(ScriptedGenerator(["<think>只有推理</think>"]).complete(MESSAGES))
    assert asyncio.run(ScriptedGenerator(["<think>推理</think>\n答案"]).complete(MESSAGES)) == "答案"


# --- real models' habits ----------------------------------------------------------------------------------
THINKING = "好的，用户要我写一段年度工作概述。事实里有1200余人次，我记得范文里还有8888元，但不能照抄。"


def run_reply(gen: OpenAIGenerator, display: Display | None = None) -> Reply:
    return drive(gen, gen.reply, MESSAGES, display)


def assert_no_reasoning(display: Display, answer: str = REPLY) -> None:
    assert display.text == answer
    assert not any("8888" in d or "think" in d or "用户" in d for d in display.deltas)


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "json"])
@pytest.mark.parametrize("piece_chars", [1, 3, 4, 7])
def test_think_block_in_content_is_never_shown_or_returned(stream: bool, piece_chars: int) -> None:
    """Qwen3 / QwQ / DeepSeek-R1 on Ollama or vLLM without a reasoning parser: `<think>…</think>answer`."""
    with FakeOpenAI(responder=const(f"<think>\n{THINKING}\n</think>\n\n{REPLY}"), piece_chars=piece_chars) as srv:
        display = Display()
        assert run(make(srv, stream=stream), display) == REPLY
        assert len(srv.requests_to("/chat/completions")) == 1
    assert_no_reasoning(display)
    assert display.retries == []


@pytest.mark.parametrize("piece_chars", [1, 4, 9])
def test_lone_closing_think_tag_hides_what_came_before(piece_chars: int) -> None:
    """R1 distills and QwQ: the template put `<think>` in the prompt, so the reply starts inside the reasoning."""
    with FakeOpenAI(responder=const(f"{THINKING}\n</think>\n\n{REPLY}"), piece_chars=piece_chars) as srv:
        display = Display()
        assert run(make(srv), display) == REPLY
    assert_no_reasoning(display)
    assert display.retries == []  # it opened like reasoning: held back, never shown


def test_unrecognisable_reasoning_is_cleared_then_held_for_that_model() -> None:
    odd = "考虑到范文结构，先概括再分述，8888元不能照抄。"
    with FakeOpenAI(responder=const(f"{odd}\n</think>\n\n{REPLY}")) as srv:
        gen = make(srv)
        first = Display()
        assert asyncio.run(gen.complete(MESSAGES, on_delta=first.on_delta, on_retry=first.on_retry)) == REPLY
        second = Display()
        assert asyncio.run(gen.complete(MESSAGES, on_delta=second.on_delta, on_retry=second.on_retry)) == REPLY
    assert first.text == REPLY and first.retries == [(1, REASONING_HIDDEN)]  # shown, then cleared
    assert_no_reasoning(second)  # the generator now knows this model starts inside its reasoning
    assert second.retries == []


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "json"])
def test_reasoning_field_beside_the_content_is_ignored(field: str, stream: bool) -> None:
    """DeepSeek-reasoner sends `reasoning_content` deltas (content null) before the answer; vLLM/Ollama `reasoning`."""
    with FakeOpenAI(responder=lambda body: FakeReply(REPLY, reasoning=THINKING), reasoning_field=field) as srv:
        display = Display()
        assert run(make(srv, stream=stream), display) == REPLY
    assert_no_reasoning(display)


def test_reply_with_nothing_but_reasoning_is_retried_as_empty() -> None:
    with FakeOpenAI(responder=const(REPLY)) as srv:
        srv.script([{"reply": f"<think>{THINKING}</think>"}, {"reply": "", "reasoning": THINKING}])
        display = Display()
        assert run(make(srv), display) == REPLY
        assert len(srv.requests_to("/chat/completions")) == 3
    assert_no_reasoning(display)
    assert [a for a, _ in display.retries] == [2, 3] and all("空内容" in r for _, r in display.retries)


def _cut_then_rest(cut_again: bool = False, overlap: int = 0) -> Callable[[dict[str, Any]], Any]:
    def respond(body: dict[str, Any]) -> Any:
        if body["messages"][-1]["content"] == CONTINUE_PROMPT:
            return FakeReply(REPLY[20 - overlap : 30] if cut_again else REPLY[20 - overlap :],
                             finish_reason="length" if cut_again else "stop")
        return FakeReply(REPLY[:20], finish_reason="length")
    return respond


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "json"])
def test_reply_cut_at_the_length_limit_is_continued_once(stream: bool) -> None:
    with FakeOpenAI(responder=_cut_then_rest(overlap=6)) as srv:  # the model repeats 6 characters: dropped
        display = Display()
        reply = run_reply(make(srv, stream=stream), display)
        first, second = srv.requests_to("/chat/completions")
    assert reply.text == REPLY and reply.continued and not reply.truncated and reply.finish_reason == "stop"
    assert second.body["messages"] == [*MESSAGES, {"role": "assistant", "content": REPLY[:20]},
                                       {"role": "user", "content": CONTINUE_PROMPT}]
    assert first.body["messages"] == MESSAGES
    assert display.text.startswith(REPLY[:20]) and display.retries == []


def test_reply_still_cut_after_one_continuation_is_marked_truncated() -> None:
    with FakeOpenAI(responder=_cut_then_rest(cut_again=True)) as srv:
        reply = run_reply(make(srv))
        assert len(srv.requests_to("/chat/completions")) == 2  # one continuation, no more
    assert reply.truncated and reply.continued and reply.text == REPLY[:30]


def test_failed_continuation_keeps_the_first_part_as_truncated() -> None:
    with FakeOpenAI(responder=_cut_then_rest()) as srv:
        srv.script([{}, {"status": 400, "message": "context too long"}])
        reply = run_reply(make(srv))
    assert reply.truncated and reply.text == REPLY[:20]


def test_extra_body_and_temperature_from_the_environment_reach_every_request(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTER_EXTRA_BODY", '{"enable_thinking": false, "chat_template_kwargs": {"enable_thinking": false}}')
    monkeypatch.setenv("DRAFTER_TEMPERATURE", "0.7")
    with FakeOpenAI(responder=_cut_then_rest()) as srv:
        settings = Settings(openai_api_key=SecretStr(KEY), openai_base_url=srv.base_url, model="qwen3-8b")
        gen = OpenAIGenerator.from_settings(settings)
        assert asyncio.run(gen.complete(MESSAGES, temperature=0.1)) == REPLY
        requests = srv.requests_to("/chat/completions")
    assert len(requests) == 2  # the continuation request carries them too
    for request in requests:
        assert request.body["enable_thinking"] is False
        assert request.body["chat_template_kwargs"] == {"enable_thinking": False}
        assert request.body["temperature"] == 0.7
        assert request.body["model"] == "qwen3-8b" and request.body["messages"][:2] == MESSAGES


def test_extra_body_given_as_an_argument() -> None:
    with FakeOpenAI(responder=const(REPLY)) as srv:
        settings = Settings(openai_base_url=srv.base_url, extra_body={"thinking": {"type": "disabled"}})
        assert run(OpenAIGenerator.from_settings(settings, stream=False)) == REPLY
        (request,) = srv.requests_to("/chat/completions")
    assert request.body["thinking"] == {"type": "disabled"} and request.body["temperature"] == 0.3


def test_blank_provider_options_are_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTER_EXTRA_BODY", " ")
    monkeypatch.setenv("DRAFTER_TEMPERATURE", "")
    gen = OpenAIGenerator.from_settings(Settings(openai_base_url="http://127.0.0.1:9/v1"))
    assert gen.extra_body == {} and gen.temperature is None


@pytest.mark.parametrize("value", ["{enable_thinking: false}", "[1, 2]", '"x"', "{"])
def test_bad_extra_body_is_a_config_error_naming_the_variable(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTER_EXTRA_BODY", value)
    with pytest.raises(ConfigError) as info:
        OpenAIGenerator.from_settings(Settings(openai_base_url="http://127.0.0.1:9/v1"))
    assert "DRAFTER_EXTRA_BODY" in str(info.value) and "JSON" in str(info.value)
