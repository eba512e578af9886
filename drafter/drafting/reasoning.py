"""Reasoning models' thinking, kept out of the answer: `<think>…</think>` inside the content.

Three shapes reach us through OpenAI-compatible servers:
- `<think>reasoning</think>answer` — Qwen3, QwQ and DeepSeek-R1 on Ollama or on vLLM without a reasoning
  parser;
- `reasoning</think>answer` with no opening tag — the chat template of R1 distills and QwQ puts `<think>` into
  the prompt, so the reply starts inside the reasoning;
- `reasoning_content` (DeepSeek) or `reasoning` (Ollama, vLLM) beside `content` in the deltas — never read.

`strip_reasoning` cleans a whole reply; `ReasoningFilter` does the same on a stream, holding text back while
it may still be reasoning, so a display shows the answer only once its real text starts.
"""

from __future__ import annotations

import re

_NAMES = ("think", "thinking", "reasoning")
_BLOCK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.S | re.I)
_OPEN = re.compile(r"<(?:think|thinking|reasoning)>", re.I)
_CLOSE = re.compile(r"</(?:think|thinking|reasoning)>", re.I)
_TAGS = tuple(f"<{n}>" for n in _NAMES) + tuple(f"</{n}>" for n in _NAMES)
_LONGEST_TAG = max(len(t) for t in _TAGS)
# How reasoning without an opening tag begins (R1 distills, QwQ): it talks about the task, not the topic.
_REASONING_START = re.compile(
    r"^(?:好的|好，|嗯|首先|我(?:需要|现在|要|得|先|来|应该)|用户|让我|现在(?:我|需要|要)|这(?:个|次)?(?:任务|问题)|"
    r"Okay|OK[,.]|Ok[,.]|Alright|Let me|Let's|Hmm|So,|Well,|I need|I'll|I will|We need|The user|First,)",
    re.I,
)
# A one-line preamble ("好的，以下是本节正文：") is an answer's first line, not reasoning.
_PREAMBLE_LINE = re.compile(r"^.{0,60}(?:以下|如下|下面)[^\n]{0,30}[：:]\s*$")
_DECIDE_CHARS = 8  # characters needed before judging whether a reply opens with reasoning
_OPENER_FIRST = frozenset("好嗯首我用让现这oalhswitf")  # first characters of those openers: others decide at once


def strip_reasoning(text: str) -> str:
    """The answer without its reasoning. A `<think>` never closed means the reply ended inside it."""
    text = _BLOCK.sub("", text)
    closes = list(_CLOSE.finditer(text))
    if closes:
        text = text[closes[-1].end():]
    opened = _OPEN.search(text)
    if opened:
        text = text[: opened.start()]
    return text.strip()


def _partial_tag_at_end(text: str) -> int:
    """Length of a suffix of `text` that may be the start of a tag (`<`, `</th`, …), else 0."""
    start = text.rfind("<", max(0, len(text) - _LONGEST_TAG))
    if start < 0:
        return 0
    tail = text[start:].lower()
    return len(tail) if any(t.startswith(tail) for t in _TAGS) else 0


class ReasoningFilter:
    """Streamed pieces in, the visible answer out.

    `feed(piece)` returns `(clear, text)`: `clear` means everything returned so far was reasoning after all
    (a closing tag came with no opening one, in a reply that did not look like reasoning) and must be
    removed from any display; `text` is what to show next. `flush()` returns what is held at the end.
    `expect_reasoning`: the model is known to start inside its reasoning, so nothing is shown before the
    closing tag (or the end of the reply, when it had none). `lone_close` tells that this reply had such a
    closing tag. `text` is the visible answer so far.
    """

    __slots__ = ("_buf", "_expect", "_scan_from", "_skip_space", "_state", "lone_close", "text")

    def __init__(self, *, expect_reasoning: bool = False) -> None:
        self._buf = ""
        self._state = "start"  # start | think | held | answer
        self._expect = expect_reasoning
        self._scan_from = 0
        self._skip_space = False  # after a closing tag: the blank lines before the answer are not shown
        self.lone_close = False
        self.text = ""

    def feed(self, piece: str) -> tuple[bool, str]:
        self._buf += piece
        clear = False
        out: list[str] = []
        while True:
            state = self._state
            if state == "start":
                if not self._decide():
                    break
            elif state == "think":
                close = _CLOSE.search(self._buf, self._scan_from)
                if close is None:
                    keep = _partial_tag_at_end(self._buf)
                    self._buf = self._buf[len(self._buf) - keep:] if keep else ""
                    self._scan_from = 0
                    break
                self._buf = self._buf[close.end():]
                self._state, self._scan_from, self._skip_space = "answer", 0, True
            elif state == "held":
                close = _CLOSE.search(self._buf, self._scan_from)
                if close is not None:
                    self.lone_close = True
                    self._buf = self._buf[close.end():]
                    self._state, self._scan_from, self._skip_space = "answer", 0, True
                    continue
                if not self._expect and self._scan_from < 200:  # a preamble is the first line, and short
                    first, nl, _ = self._buf[:200].partition("\n")
                    if nl and _PREAMBLE_LINE.match(first):
                        self._state = "answer"
                        continue
                self._scan_from = max(0, len(self._buf) - _LONGEST_TAG)
                break
            else:  # answer
                if self._skip_space:
                    self._buf = self._buf.lstrip()
                    if not self._buf:
                        break
                    self._skip_space = False
                if "<" not in self._buf:  # the usual case, kept cheap
                    out.append(self._buf)
                    self._buf = ""
                    break
                found = _CLOSE.search(self._buf) or _OPEN.search(self._buf)
                if found is None:
                    keep = _partial_tag_at_end(self._buf)
                    emit, self._buf = (self._buf[:-keep], self._buf[-keep:]) if keep else (self._buf, "")
                    out.append(emit)
                    break
                if found.group(0).startswith("</"):  # everything before was reasoning
                    self.lone_close = True
                    clear = clear or bool(self.text)
                    out.clear()
                    self.text = ""
                    self._buf = self._buf[found.end():]
                    self._skip_space = True
                else:
                    out.append(self._buf[: found.start()])
                    self._buf = self._buf[found.end():]
                    self._state, self._scan_from = "think", 0
        text = "".join(out)
        if clear:
            self.text = ""
        self.text += text
        return clear, text

    def _decide(self) -> bool:
        """In state start: choose think / held / answer once enough is known; False to wait for more."""
        head = self._buf.lstrip()
        if not head:
            return False
        opened = _OPEN.match(head)
        if opened:
            self._buf, self._state = head[opened.end():], "think"
            return True
        lowered = head[:_LONGEST_TAG].lower()
        if any(t.startswith(lowered) for t in _TAGS) and len(head) < _LONGEST_TAG:
            return False  # may still become a tag
        if self._expect:
            self._buf, self._state = head, "held"
            return True
        if head[0].lower() not in _OPENER_FIRST:
            self._buf, self._state = head, "answer"
            return True
        if len(head) < _DECIDE_CHARS and "\n" not in head:
            return False
        self._buf = head
        self._state = "held" if _REASONING_START.match(head) else "answer"
        return True

    def flush(self) -> str:
        """The end of the reply: what is still held is answer, unless it is inside an unclosed `<think>`."""
        if self._state == "think":
            rest = ""
        elif self._state == "start":
            rest = self._buf.strip()
        else:
            rest = self._buf
            if self._state == "held":
                rest = rest.strip()
        self._buf, self._state = "", "answer"
        self.text += rest
        return rest
