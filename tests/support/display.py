"""What a front end shows while a draft streams in, as the tests follow it: every event, and per section
the text so far (deltas appended, a reset replaces the text)."""

from __future__ import annotations

from collections import defaultdict

from drafter.drafting.pipeline import DraftEvent


class Display:
    def __init__(self) -> None:
        self.text: dict[int, str] = defaultdict(str)
        self.events: list[DraftEvent] = []

    def __call__(self, event: DraftEvent) -> None:
        self.events.append(event)
        if event.index is None:
            return
        if event.type == "delta":
            self.text[event.index] += event.text
        elif event.type == "reset":
            self.text[event.index] = event.text

    def of(self, kind: str) -> list[DraftEvent]:
        return [e for e in self.events if e.type == kind]

    def deltas(self, index: int) -> list[str]:
        return [e.text for e in self.events if e.type == "delta" and e.index == index]
