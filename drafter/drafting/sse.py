"""Server-sent events of an OpenAI-compatible chat stream, decoded by hand from raw bytes: the library's typed
stream builds a pydantic model per chunk (~150 ms of CPU per draft), and the per-line async iterators of
httpx and openai cost more than the decoding itself. Lines are split as bytes and each event's JSON is
parsed by orjson straight from them (no text decoding in between: ~1,000 events a draft)."""

from __future__ import annotations

import json
from typing import Any

import openai
import orjson

# One event of a chat stream is well under 1 KB; a whole section sent as one event, some 50 KB. A line or an
# event that grows past this comes from a broken endpoint: without a cap it grew (and was copied on every
# read) until the stall or overall timeout.
MAX_EVENT_BYTES = 1 << 20


class EventTooLarge(ValueError):
    """A line or an event of the stream past MAX_EVENT_BYTES."""


class EventSplitter:
    """Raw bytes in, the `data:` payload of each complete event out (comments, names, keep-alives dropped).

    Split as bytes, so only CR, LF and CR LF end a line, as the SSE format says (`str.splitlines` would also
    cut at a raw U+2028, which is legal inside a JSON string). EventTooLarge past MAX_EVENT_BYTES."""

    def __init__(self) -> None:
        self._buf = b""
        self._data: list[bytes] = []
        self._data_bytes = 0

    def feed(self, block: bytes) -> list[bytes]:
        buf = self._buf + block if self._buf else block
        if buf.endswith(b"\r"):
            self._keep(buf)
            return []  # a CR LF may be split across reads: wait for the LF
        lines = buf.splitlines()
        self._keep(b"" if buf.endswith(b"\n") else lines.pop())
        events: list[bytes] = []
        for line in lines:
            if line.startswith(b"data:"):
                self._data.append(line[5:].lstrip())
                self._data_bytes += len(line)
                if self._data_bytes > MAX_EVENT_BYTES:
                    raise EventTooLarge(f"an event of more than {MAX_EVENT_BYTES} bytes")
                continue
            if line or not self._data:
                continue
            events.append(b"\n".join(self._data))
            self._data, self._data_bytes = [], 0
        return events

    def _keep(self, rest: bytes) -> None:
        if len(rest) > MAX_EVENT_BYTES:
            raise EventTooLarge(f"a line of more than {MAX_EVENT_BYTES} bytes")
        self._buf = rest


def _loads(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    try:  # orjson refuses invalid UTF-8 outright; keep what can be read, as a text decoder would
        return json.loads(data.decode("utf-8", "replace"))
    except json.JSONDecodeError:
        return None


def decode_chunk(data: bytes, response: Any, finish: str | None) -> tuple[str, str | None]:
    """One chunk's text and finish reason; an error event becomes the library's APIError."""
    chunk = _loads(data)
    if not isinstance(chunk, dict):
        return "", finish
    if chunk.get("error"):
        error = chunk["error"]
        message = error.get("message") if isinstance(error, dict) else None
        raise openai.APIError(message=str(message or "An error occurred during streaming"),
                              request=response.http_request, body=error)
    piece = ""
    for choice in chunk.get("choices") or []:
        if not isinstance(choice, dict) or choice.get("index", 0) != 0:
            continue
        piece += (choice.get("delta") or {}).get("content") or ""
        finish = choice.get("finish_reason") or finish
    return piece, finish
