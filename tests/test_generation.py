"""OpenAIGenerator with the real openai client against a real local HTTP server (FakeOpenAI)."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import openai
import pytest
from pydantic import SecretStr

from drafter.errors import ConfigError, GenerationError
from drafter.fakes import ScriptedGenerator
from drafter.generation import Generator, Message, OpenAIGenerator
from drafter.settings import Settings

try:
    from tests.support.fake_openai import FakeOpenAI, embed_text
except ModuleNotFoundError:  # pytest's default rootdir handling puts tests/ itself on sys.path
    from support.fake_openai import FakeOpenAI, embed_text  # type: ignore[no-redef]

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


def run(gen: Generator, display: Display | None = None, messages: list[Message] = MESSAGES) -> str:
    async def go() -> str:
        try:
            if display is None:
                return await gen.complete(messages)
            return await gen.complete(messages, on_delta=display.on_delta, on_retry=display.on_retry)
        finally:
            await gen.aclose()

    return asyncio.run(go())


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
    with FakeOpenAI(responder=const(REPLY), piece_chars=5) as srv:
        display = Display()
        assert run(make(srv), display) == REPLY
        (request,) = srv.requests_to("/chat/completions")
    assert len(display.deltas) == -(-len(REPLY) // 5)
    assert "".join(display.deltas) == REPLY and display.text == REPLY
    assert display.retries == []
    assert request.body["stream"] is True
    assert request.body["model"] == "test-model"
    assert [m["content"] for m in request.body["messages"]] == [m["content"] for m in MESSAGES]
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_500_then_success_is_retried() -> None:
    with FakeOpenAI(responder=const(REPLY)) as srv:
        srv.script([{"status": 500}])
        display = Display()
        assert run(make(srv), display) == REPLY
        assert len(srv.requests_to("/chat/completions")) == 2
    assert display.text == REPLY
    assert [a for a, _ in display.retries] == [2]
    assert "500" in display.retries[0][1]


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
    assert elapsed < 3
    assert display.text == REPLY  # the two pieces of the stalled attempt were cleared
    assert "".join(display.deltas) == REPLY[:8] + REPLY
    assert display.retries and "停滞" in display.retries[0][1]


def test_dropped_stream_is_retried() -> None:
    with FakeOpenAI(responder=const(REPLY)) as srv:
        srv.script([{"drop_after": 2}])
        display = Display()
        assert run(make(srv), display) == REPLY
        assert len(srv.requests_to("/chat/completions")) == 2
    assert display.text == REPLY
    assert "断开" in display.retries[0][1]


def test_dropped_non_streaming_request_is_retried() -> None:
    with FakeOpenAI(responder=const(REPLY)) as srv:
        srv.script([{"drop_after": 0}])
        assert run(make(srv, stream=False)) == REPLY
        assert len(srv.requests_to("/chat/completions")) == 2


def test_stream_ending_without_finish_reason_is_retried() -> None:
    with FakeOpenAI(responder=const(REPLY)) as srv:
        srv.script([{"end_after": 3}])
        display = Display()
        assert run(make(srv), display) == REPLY
        assert len(srv.requests) == 2
    assert display.text == REPLY and "未正常结束" in display.retries[0][1]


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
        assert time.monotonic() - started < 4
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
    assert time.monotonic() - started < 2
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
