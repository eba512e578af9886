"""The hand-written server-sent-events decoder of the model stream (drafting/sse.py), fed as a network would."""

from __future__ import annotations

import json

import httpx2
import openai
import pytest

from drafter.drafting.sse import MAX_EVENT_BYTES, EventSplitter, EventTooLarge, decode_chunk


def chunk(content: str, finish: str | None = None) -> bytes:
    body = {"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}]}
    return b"data: " + json.dumps(body, ensure_ascii=False).encode() + b"\r\n\r\n"


class Response:
    http_request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")


def decode_all(blocks: list[bytes]) -> tuple[str, str | None]:
    events, text, finish = EventSplitter(), "", None
    for block in blocks:
        for data in events.feed(block):
            if data.startswith(b"[DONE]"):
                return text, finish
            piece, finish = decode_chunk(data, Response(), finish)
            text += piece
    return text, finish


def test_any_split_of_the_bytes_gives_the_same_text() -> None:
    """Reads end anywhere: inside a CR LF, inside a multi-byte character, inside the JSON."""
    stream = chunk("职工之家") + b": keep-alive\r\n\r\n" + chunk("建设，") + chunk("成效明显。", "stop") + b"data: [DONE]\r\n\r\n"
    whole = decode_all([stream])
    assert whole == ("职工之家建设，成效明显。", "stop")
    for size in (1, 2, 3, 7, 50):
        assert decode_all([stream[i:i + size] for i in range(0, len(stream), size)]) == whole


def test_line_separators_inside_json_strings_do_not_split_the_event() -> None:
    """U+2028/U+2029 and other Unicode line breaks are legal raw inside a JSON string."""
    text = "第一段\u2028第二段\u2029第三段\x1c完"
    assert decode_all([chunk(text, "stop")]) == (text, "stop")


def test_multi_line_data_and_lf_only_endings() -> None:
    body = json.dumps({"choices": [{"index": 0, "delta": {"content": "好"}, "finish_reason": "stop"}]})
    head, tail = body[:10], body[10:]
    assert decode_all([f"data: {head}\ndata: {tail}\n\n".encode()]) == ("好", "stop")


def test_invalid_utf8_keeps_the_rest_of_the_chunk() -> None:
    raw = chunk("工会X活动", "stop").replace(b"X", b"\xff")
    text, finish = decode_all([raw])
    assert text == "工会\ufffd活动" and finish == "stop"


def test_other_choices_and_garbage_are_ignored() -> None:
    other = json.dumps({"choices": [{"index": 1, "delta": {"content": "不该出现"}}]}).encode()
    stream = b"data: " + other + b"\n\ndata: not json\n\ndata: [1, 2]\n\n" + chunk("正文", "stop")
    assert decode_all([stream]) == ("正文", "stop")


def test_an_error_event_raises_the_clients_api_error() -> None:
    stream = b'data: {"error": {"message": "upstream overloaded", "type": "server_error"}}\n\n'
    with pytest.raises(openai.APIError, match="upstream overloaded"):
        decode_all([stream])


def test_a_whole_answer_in_one_event_passes_a_line_past_the_limit_does_not() -> None:
    whole = "职工之家建设成效明显。" * 2000  # ~66 KB of JSON in one event, as some servers send a whole answer
    assert decode_all([chunk(whole, "stop")]) == (whole, "stop")
    events = EventSplitter()
    with pytest.raises(EventTooLarge):
        for _ in range(MAX_EVENT_BYTES // (1 << 16) + 2):
            events.feed(b"data: " + b"x" * (1 << 16))  # no line end, ever
    many = EventSplitter()
    with pytest.raises(EventTooLarge):  # data lines that never get the blank line ending their event
        many.feed(b"".join(b"data: " + b"y" * 1000 + b"\n" for _ in range(MAX_EVENT_BYTES // 1000 + 2)))
