"""Drafts as the pipeline produces, stores, exports and serves them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from .checking.flags import Flag
from .facts import Facts

SectionKind = Literal["opening", "body", "shortcomings", "plans", "closing"]
SectionStatus = Literal["pending", "done", "failed"]
# running: being written; done: every section written; failed: written, but a section failed (regenerate it);
# interrupted: stopped before every section was written (crash, shutdown) — `Workspace.resume` finishes it.
DraftStatus = Literal["running", "done", "failed", "interrupted"]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Source(BaseModel):
    """An exemplar passage a section was written from."""

    doc_id: str
    title: str
    section: str  # heading path in the source document
    text: str = ""
    score: float = 0.0


class OutlineSection(BaseModel):
    kind: SectionKind
    heading: str = ""  # e.g. 一、关心职工生活，体现组织温暖 ; "" for opening/closing
    facts: list[str] = Field(default_factory=list)  # the fact lines this section must carry
    query: str = ""  # what retrieval searches for


class Section(OutlineSection):
    index: int
    text: str = ""
    flags: list[Flag] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    status: SectionStatus = "pending"
    error: str = ""
    version: int = 0
    instruction: str = ""
    notes: list[str] = Field(default_factory=list)  # shown to the user: cut at the length limit, far too short…


class Draft(BaseModel):
    id: str
    title: str
    backend: str  # "offline" or the model's name
    facts: Facts
    sections: list[Section] = Field(default_factory=list)
    status: DraftStatus = "running"
    created_at: str = Field(default_factory=now_iso)
    updated_at: str = Field(default_factory=now_iso)

    @property
    def flags(self) -> list[Flag]:
        return [f for s in self.sections for f in s.flags]

    def public_dict(self) -> dict[str, Any]:
        """The documented JSON shape (CLI `--json`, HTTP API): flags' offsets are into that section's text."""
        return {
            "id": self.id,
            "title": self.title,
            "backend": self.backend,
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "facts": self.facts.model_dump(),
            "sections": [
                {
                    "index": s.index, "kind": s.kind, "heading": s.heading, "text": s.text, "status": s.status,
                    "error": s.error, "notes": s.notes, "version": s.version, "facts": s.facts,
                    "flags": [f.model_dump() for f in s.flags], "sources": [src.model_dump() for src in s.sources],
                }
                for s in self.sections
            ],
        }

    @property
    def complete(self) -> bool:
        """Every section written (some may have failed): what a front end may call finished."""
        return self.status in ("done", "failed")

    def text(self) -> str:
        """The whole draft as plain text: title, then each section's heading and text."""
        parts = [self.title]
        for s in self.sections:
            if s.heading:
                parts.append(s.heading)
            if s.text:
                parts.append(s.text)
        return "\n\n".join(parts)
