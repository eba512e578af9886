"""Server-sent events of an OpenAI-compatible chat stream, decoded by hand from raw bytes: the library's typed
stream builds a pydantic model per chunk (~150 ms of CPU per draft), and the per-line async iterators of
httpx and openai cost more than the decoding itself."""

from __future__ import annotations

import json
from typing import Any

import openai


class EventSplitter:
    """Raw bytes in, the `data:` payload of each complete event out (comments, names, keep-alives dropped)."""

    def __init__(self) -> None:
        self._buf = b""
        self._data: list[str] = []

    def feed(self, block: bytes) -> list[str]:
        self._buf += block
        if self._buf.endswith(b"\r"):
            return []  # a CR LF may be split across reads: wait for the LF
        lines = self._buf.splitlines()
        self._buf = b"" if self._buf.endswith((b"\n", b"\r")) else lines.pop()
        events: list[str] = []
        for raw_line in lines:
            line = raw_line.decode("utf-8", "replace")
            if line.startswith("data:"):
                self._data.append(line[5:].lstrip())
                continue
            if line or not self._data:
                continue
            events.append("\n".join(self._data))
            self._data = []
        return events


def decode_chunk(data: str, response: Any, finish: str | None) -> tuple[str, str | None]:
    """One chunk's text and finish reason; an error event becomes the library's APIError."""
    try:
        chunk = json.loads(data)
    except json.JSONDecodeError:
        return "", finish
    if isinstance(chunk, dict) and chunk.get("error"):
        error = chunk["error"]
        message = error.get("message") if isinstance(error, dict) else None
        raise openai.APIError(message=str(message or "An error occurred during streaming"),
                              request=response.http_request, body=error)
    piece = ""
    for choice in (chunk.get("choices") or []) if isinstance(chunk, dict) else []:
        if not isinstance(choice, dict) or choice.get("index", 0) != 0:
            continue
        piece += (choice.get("delta") or {}).get("content") or ""
        finish = choice.get("finish_reason") or finish
    return piece, finish
