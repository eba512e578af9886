"""A real OpenAI-compatible HTTP server on 127.0.0.1, for tests and benchmarks (stdlib only).

    with FakeOpenAI(responder=lambda body: "你好") as srv:
        client = AsyncOpenAI(base_url=srv.base_url, api_key="k")   # http://127.0.0.1:PORT/v1

Speaks `POST /v1/chat/completions` (JSON, or server-sent events in OpenAI's chunk format ending with
`data: [DONE]`), `POST /v1/embeddings` (deterministic bigram-hash vectors, float or base64) and
`GET /v1/models`. Every request is recorded in `srv.requests`. Failures are scripted with `srv.script([...])`
and consumed in order before normal replies. A responder returns the reply's text, or a `FakeReply` for a
reasoning model's reply (`reasoning_content` deltas before the content, as DeepSeek sends them) or one
that ends with another finish reason (`"length"`). Also runs standalone for demos and benchmarks:

    python tests/support/fake_openai.py --port 8001 --chars-per-second 100 --first-token-delay 0.5
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import math
import signal
import socket
import struct
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class FakeReply:
    """A reply with more than text: the reasoning sent beside it, and how it ends."""

    content: str
    reasoning: str = ""  # streamed first as `reasoning_content` (see FakeOpenAI.reasoning_field)
    finish_reason: str = "stop"  # "length": cut at the token limit


Responder = Callable[[dict[str, Any]], str | FakeReply]

SCRIPT_KEYS = frozenset(
    {"endpoint", "status", "message", "code", "type", "param", "retry_after", "retry_after_ms", "headers",
     "stall_after", "stall_seconds", "drop_after", "end_after", "delay", "reply", "reasoning", "finish_reason",
     "endless_line"}
)
_DEFAULT_MESSAGES = {
    400: ("Invalid request.", "invalid_request_error", None),
    401: ("Incorrect API key provided: {key}.", "invalid_request_error", "invalid_api_key"),
    403: ("You are not allowed to sample from this model.", "invalid_request_error", None),
    404: ("The model `{model}` does not exist or you do not have access to it.", "invalid_request_error",
          "model_not_found"),
    422: ("Unprocessable entity.", "invalid_request_error", None),
    429: ("Rate limit reached for requests.", "requests", "rate_limit_exceeded"),
}


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it. Header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float  # time.monotonic() on arrival

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", [])) if isinstance(self.body, dict) else []


def default_responder(body: Mapping[str, Any]) -> str:
    """Deterministic reply: `回复：` + the text of the last user message."""
    for message in reversed(body.get("messages") or []):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):  # multimodal parts
                content = "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            return f"回复：{content}"
    return "回复：（无用户消息）"


def embed_text(text: str, dim: int = 64) -> list[float]:
    """Signed hashing of character bigrams, L2-normalised: texts sharing bigrams get similar vectors."""
    grams = [text[i : i + 2] for i in range(len(text) - 1)] or [text]
    vec = [0.0] * dim
    for gram in grams:
        digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
        vec[int.from_bytes(digest[:4], "little") % dim] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vec))
    if norm == 0.0:
        vec[0], norm = 1.0, 1.0
    return [v / norm for v in vec]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # FakeOpenAI joins its own handler threads
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, owner: FakeOpenAI, address: tuple[str, int]) -> None:
        self.owner = owner
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        def run() -> None:
            try:
                self.process_request_thread(request, client_address)
            finally:
                self.owner._untrack(threading.current_thread(), request)

        thread = threading.Thread(target=run, name="fake-openai-conn", daemon=True)
        self.owner._track(thread, request)
        thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):  # client went away (aborted stall, closed early)
            return
        super().handle_error(request, client_address)


class _Abort(Exception):
    """Stop handling this connection without writing anything else."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # idle keep-alive connections
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # ---- entry points -------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch(None)

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        self._dispatch(body)

    def _dispatch(self, body: Any) -> None:
        fake = self.server.owner
        path = urlsplit(self.path).path
        fake._record(RecordedRequest(self.command, path, {k.lower(): v for k, v in self.headers.items()},
                                     body, time.monotonic()))
        route = path.removeprefix("/v1").rstrip("/")
        try:
            wanted_auth = f"Bearer {fake.require_key}"
            if fake.require_key is not None and self.headers.get("authorization") != wanted_auth:
                return self._error(401)
            if self.command == "GET":
                return self._models(route)
            endpoint = {"/chat/completions": "chat", "/embeddings": "embeddings"}.get(route)
            if endpoint is None:
                return self._error(404, f"Unknown path {path}", code="unknown_url")
            if not isinstance(body, dict):
                return self._error(400, "We could not parse the JSON body of your request.")
            item = fake._next_script(endpoint)
            self._wait(float(item.get("delay", 0.0)))
            if "status" in item:
                return self._scripted_error(item, body)
            model = str(body.get("model", ""))
            if fake.models is not None and model not in fake.models:
                return self._error(404, model=model)
            if endpoint == "embeddings":
                return self._embeddings(body)
            answer = item["reply"] if "reply" in item else fake.responder(body)
            reply = answer if isinstance(answer, FakeReply) else FakeReply(str(answer))
            if "reasoning" in item:
                reply = replace(reply, reasoning=str(item["reasoning"]))
            if "finish_reason" in item:
                reply = replace(reply, finish_reason=str(item["finish_reason"]))
            if body.get("stream"):
                return self._stream(body, reply, item)
            return self._complete(body, reply, item)
        except _Abort:
            self._drop()

    # ---- responses ----------------------------------------------------------------------------------
    def _json(self, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str | None = None, *, code: str | None = None,
               type_: str | None = None, param: str | None = None, headers: Mapping[str, str] | None = None,
               model: str = "") -> None:
        d_message, d_type, d_code = _DEFAULT_MESSAGES.get(
            status, ("The server had an error while processing your request.", "server_error", None)
        )
        provided = (self.headers.get("authorization") or "").removeprefix("Bearer ")
        text = (message or d_message).replace("{key}", provided).replace("{model}", model)
        error = {"message": text, "type": type_ or d_type, "param": param, "code": code or d_code}
        self._json(status, {"error": error}, headers)

    def _scripted_error(self, item: Mapping[str, Any], body: Mapping[str, Any]) -> None:
        headers = {str(k): str(v) for k, v in dict(item.get("headers") or {}).items()}
        if "retry_after" in item:
            headers["retry-after"] = str(item["retry_after"])
        if "retry_after_ms" in item:
            headers["retry-after-ms"] = str(item["retry_after_ms"])
        self._error(int(item["status"]), item.get("message"), code=item.get("code"), type_=item.get("type"),
                    param=item.get("param"), headers=headers, model=str(body.get("model", "")))

    def _models(self, route: str) -> None:
        fake = self.server.owner
        ids = sorted(fake.models) if fake.models is not None else [fake.model, "text-embedding-3-small"]
        cards = [{"id": i, "object": "model", "created": 1700000000, "owned_by": "fake-openai"} for i in ids]
        if route == "/models":
            return self._json(200, {"object": "list", "data": cards})
        wanted = route.removeprefix("/models/")
        card = next((c for c in cards if c["id"] == wanted), None)
        if card is None or not route.startswith("/models/"):
            return self._error(404, model=wanted)
        self._json(200, card)

    def _embeddings(self, body: Mapping[str, Any]) -> None:
        raw = body.get("input")
        single = isinstance(raw, str) or (raw and isinstance(raw[0], int))
        items: list[Any] = [raw] if single else list(raw or [])
        texts = [x if isinstance(x, str) else " ".join(map(str, x)) for x in items]
        if not texts or any(t == "" for t in texts):
            return self._error(400, "'$.input' is invalid: input cannot be empty.", param="input")
        dim = int(body.get("dimensions") or self.server.owner.embedding_dim)
        data = []
        for index, text in enumerate(texts):
            vec: Any = embed_text(text, dim)
            if body.get("encoding_format") == "base64":
                vec = base64.b64encode(struct.pack(f"<{dim}f", *vec)).decode("ascii")
            data.append({"object": "embedding", "index": index, "embedding": vec})
        tokens = sum(len(t) for t in texts)
        self._json(200, {"object": "list", "data": data, "model": body.get("model"),
                         "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    def _complete(self, body: Mapping[str, Any], reply: FakeReply, item: Mapping[str, Any]) -> None:
        fake = self.server.owner
        text = reply.content
        if "drop_after" in item:
            raise _Abort
        if "stall_after" in item:
            self._wait(float(item.get("stall_seconds", 3600.0)))
        cps = fake.chars_per_second
        self._wait(fake.first_token_delay + (len(text) / cps if cps else 0.0))
        prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages") or [])
        message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None, "annotations": []}
        if reply.reasoning:
            message[fake.reasoning_field] = reply.reasoning
        self._json(200, {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion",
            "created": int(time.time()), "model": body.get("model"), "system_fingerprint": "fp_fake",
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": reply.finish_reason}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": len(text),
                      "total_tokens": prompt + len(text)},
        })

    def _stream(self, body: Mapping[str, Any], reply: FakeReply, item: Mapping[str, Any]) -> None:
        fake = self.server.owner
        text = reply.content
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        base = {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion.chunk",
                "created": int(time.time()), "model": body.get("model"), "system_fingerprint": "fp_fake"}
        usage = bool((body.get("stream_options") or {}).get("include_usage"))

        def event(delta: dict[str, Any], finish: str | None = None) -> None:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            chunk = {**base, "choices": [choice]}
            if usage:
                chunk["usage"] = None
            self._sse(json.dumps(chunk, ensure_ascii=False))

        self._wait(fake.first_token_delay)
        field = fake.reasoning_field
        step, cps = max(1, fake.piece_chars), fake.chars_per_second
        if reply.reasoning:  # DeepSeek: content is null while the reasoning streams, and the other way round
            event({"role": "assistant", "content": None, field: ""})
            for i in range(0, len(reply.reasoning), step):
                event({"content": None, field: reply.reasoning[i : i + step]})
        else:
            event({"role": "assistant", "content": "", "refusal": None})
        if "endless_line" in item:  # a broken endpoint: one `data:` line of that many bytes that never ends
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gives up first
                left = int(item["endless_line"])
                self._chunk(b"data: ")
                while left > 0:
                    n = min(left, 1 << 16)
                    self._chunk(b"x" * n)
                    left -= n
                self.wfile.write(b"0\r\n\r\n")
            return
        pieces = [text[i : i + step] for i in range(0, len(text), step)]
        start, sent = time.monotonic(), 0
        for index, piece in enumerate(pieces):
            if index == item.get("drop_after"):
                raise _Abort
            if index == item.get("end_after"):  # a clean end of body, but no finish_reason and no [DONE]
                self.wfile.write(b"0\r\n\r\n")
                return
            if index == item.get("stall_after"):
                self._wait(float(item.get("stall_seconds", 3600.0)))
                start, sent = time.monotonic(), 0
            if cps:
                sent += len(piece)
                self._wait(start + sent / cps - time.monotonic())
            event({"content": piece, field: None} if reply.reasoning else {"content": piece})
        event({}, reply.finish_reason)
        if usage:
            counts = {"prompt_tokens": 0, "completion_tokens": len(text), "total_tokens": len(text)}
            self._sse(json.dumps({**base, "choices": [], "usage": counts}))
        self._sse("[DONE]")
        self.wfile.write(b"0\r\n\r\n")

    # ---- helpers ------------------------------------------------------------------------------------
    def _sse(self, data: str) -> None:
        self._chunk(f"data: {data}\n\n".encode())

    def _chunk(self, payload: bytes) -> None:
        self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")

    def _wait(self, seconds: float) -> None:
        """Sleep, but give up at once (and drop the connection) when the server is closing."""
        if seconds > 0 and self.server.owner._closing.wait(seconds):
            raise _Abort

    def _drop(self) -> None:
        """Close the socket abruptly (RST), as a crashed upstream or a proxy cutting the stream would."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class FakeOpenAI:
    """An OpenAI-compatible server on 127.0.0.1 in a background thread; a context manager.

    Timing controls (plain attributes, changeable while running): `first_token_delay` seconds before the
    first chunk (or before a non-streamed reply), `chars_per_second` to pace the reply (None = no pacing),
    `piece_chars` characters per streamed chunk. `models`: if set, chat/embeddings for another model get 404.
    `require_key`: answer 401 unless `Authorization: Bearer <require_key>`. `reasoning_field`: the delta and
    message field a `FakeReply`'s reasoning goes in (`reasoning_content`, DeepSeek; `reasoning`, Ollama/vLLM).
    """

    def __init__(self, responder: Responder | None = None, *, host: str = "127.0.0.1", port: int = 0,
                 model: str = "gpt-4o-mini", models: Iterable[str] | None = None,
                 require_key: str | None = None, first_token_delay: float = 0.0,
                 chars_per_second: float | None = None, piece_chars: int = 4,
                 embedding_dim: int = 64, reasoning_field: str = "reasoning_content") -> None:
        self.responder: Responder = responder or default_responder
        self.host, self._port = host, port
        self.model = model
        self.models = set(models) if models is not None else None
        self.require_key = require_key
        self.first_token_delay = first_token_delay
        self.chars_per_second = chars_per_second
        self.piece_chars = piece_chars
        self.embedding_dim = embedding_dim
        self.reasoning_field = reasoning_field
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._script: list[dict[str, Any]] = []
        self._conns: dict[threading.Thread, Any] = {}
        self._closing = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        if self._server is None:
            self._closing.clear()
            self._server = _Server(self, (self.host, self._port))
            self._port = self._server.server_address[1]
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                            name="fake-openai", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, cut every open connection (stalled streams included) and join all threads."""
        server, self._server = self._server, None
        if server is None:
            return
        self._closing.set()
        server.shutdown()
        with self._lock:
            conns = dict(self._conns)
        for sock in conns.values():
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in conns:
            thread.join(timeout=5)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._conns)

    # ---- scripting and records ----------------------------------------------------------------------
    def script(self, items: Iterable[Mapping[str, Any]]) -> None:
        """Queue failures/overrides consumed in order, one per matching request, before normal replies.

        Items: {"status": 500} / {"status": 429, "retry_after": 0.2} (also "retry_after_ms", "headers",
        "message", "code", "type", "param"); {"stall_after": 2, "stall_seconds": 10} (2 content chunks, then
        hang, then go on); {"drop_after": 2} (2 content chunks, then cut the socket); {"end_after": 2} (2
        content chunks, then end the body cleanly without finish_reason or [DONE]); {"delay": 1.0} (wait
        before answering); {"reply": ""} (this text instead of the responder's); {"reasoning": "…"} (streamed
        first as reasoning); {"finish_reason": "length"} (how the reply ends). "endpoint": "chat" or
        "embeddings" restricts an item to that endpoint (default: the next POST to either).
        """
        new = []
        for item in items:
            unknown = set(item) - SCRIPT_KEYS
            if unknown:
                raise ValueError(f"unknown script keys {sorted(unknown)}; known: {sorted(SCRIPT_KEYS)}")
            new.append(dict(item))
        with self._lock:
            self._script.extend(new)

    @property
    def pending_script(self) -> int:
        with self._lock:
            return len(self._script)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, route: str) -> list[RecordedRequest]:
        """Requests whose path ends with `route`, e.g. "/chat/completions"."""
        return [r for r in self.requests if r.path.endswith(route)]

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self._script.clear()

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _next_script(self, endpoint: str) -> dict[str, Any]:
        with self._lock:
            for index, item in enumerate(self._script):
                if item.get("endpoint", endpoint) == endpoint:
                    return self._script.pop(index)
        return {}

    def _track(self, thread: threading.Thread, sock: Any) -> None:
        with self._lock:
            self._conns[thread] = sock

    def _untrack(self, thread: threading.Thread, sock: Any) -> None:
        with self._lock:
            self._conns.pop(thread, None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="OpenAI-compatible fake server for demos and benchmarks.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--model", default="gpt-4o-mini")
    parser.add_argument("--chars-per-second", type=float, default=None)
    parser.add_argument("--first-token-delay", type=float, default=0.0)
    parser.add_argument("--piece-chars", type=int, default=4)
    parser.add_argument("--require-key", default=None)
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with FakeOpenAI(host=args.host, port=args.port, model=args.model, require_key=args.require_key,
                    first_token_delay=args.first_token_delay, chars_per_second=args.chars_per_second,
                    piece_chars=args.piece_chars) as srv:
        print(f"fake OpenAI server at {srv.base_url}", flush=True)
        while not stop.wait(0.2):
            pass


if __name__ == "__main__":
    main()
