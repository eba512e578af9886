"""Request and response models of the HTTP API: OpenAPI shows these shapes, and responses are validated
against them, so a field cannot go missing without a test noticing."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator

from ..corpus.records import DocInfo
from ..facts import Facts, coerce_facts, validate_facts
from ..models import OutlineSection


class FactsInput(BaseModel):
    """Facts as JSON (`facts`) or as the plain-text form a person types (`facts_text`)."""

    facts: dict[str, Any] | list[str] | None = None
    facts_text: str | None = Field(default=None, max_length=200_000)

    @model_validator(mode="after")
    def _one_of(self) -> FactsInput:
        if (self.facts is None) == (self.facts_text is None):
            raise ValueError("请提供 facts（JSON 对象）或 facts_text（纯文本）中的一个")
        return self

    def to_facts(self) -> Facts:
        """Complete facts, as drafting needs them (单位 and at least one item)."""
        if isinstance(self.facts, list):
            return validate_facts({"items": self.facts})  # names the missing field in Chinese
        if self.facts is not None:
            return validate_facts(self.facts)
        from ..facts import parse_facts_text

        return parse_facts_text(self.facts_text or "")

    def for_check(self) -> Any:
        """Facts as the checker reads them: the same reader as `drafter check` (nothing is required)."""
        return coerce_facts(self.facts if self.facts is not None else (self.facts_text or ""))


class DraftRequest(FactsInput):
    outline: list[OutlineSection] | None = None


class RegenerateRequest(BaseModel):
    instruction: str = Field(default="", max_length=500)


class EditRequest(BaseModel):
    text: str | None = Field(default=None, max_length=100_000)
    heading: str | None = Field(default=None, max_length=200)


class CheckRequest(FactsInput):
    draft: str = Field(max_length=200_000)
    exemplars: list[str] = Field(default_factory=list, max_length=50)


# --- responses ----------------------------------------------------------------------------------------------
class FlagOut(BaseModel):
    text: str
    start: int
    end: int
    value: float | list[float] | None = None
    unit: str = ""
    kind: str
    reason: str
    label: str = ""
    hint: str = ""


class SourceOut(BaseModel):
    doc_id: str
    title: str
    section: str
    text: str = ""
    score: float = 0.0


class SectionOut(BaseModel):
    index: int
    kind: str
    heading: str
    text: str
    status: str
    error: str = ""
    version: int
    facts: list[str]
    flags: list[FlagOut]
    sources: list[SourceOut]


class DraftOut(BaseModel):
    id: str
    title: str
    backend: str
    status: str = "done"
    created_at: str
    updated_at: str
    facts: dict[str, Any]
    sections: list[SectionOut]


class FactSourceOut(BaseModel):
    file: str
    quote: str = ""
    location: str = ""


class TraceRowOut(BaseModel):
    section: int
    text: str
    start: int
    end: int
    kind: str
    fact: str | None
    block: str | None = None
    sources: list[FactSourceOut]
    computation: str | None
    note: str = ""
    flag: FlagOut | None


class TraceOut(BaseModel):
    draft_id: str
    title: str
    rows: list[TraceRowOut]


class DraftSummary(BaseModel):
    id: str
    title: str
    backend: str
    status: str = "done"  # running | done | failed | interrupted
    sections: int = 0
    sections_done: int = 0
    created_at: str
    updated_at: str


class DraftList(BaseModel):
    drafts: list[DraftSummary]


class CheckOut(BaseModel):
    flags: list[FlagOut]


class HitOut(BaseModel):
    text: str
    doc_id: str
    title: str
    section: str
    score: float
    heading: str
    position: str
    level: int
    chunk_id: str
    start: int
    end: int
    has_placeholder: bool


class SearchOut(BaseModel):
    hits: list[HitOut]


DocumentOut = DocInfo  # the index's own record of a document (a dataclass FastAPI validates as it is)


class CorpusList(BaseModel):
    documents: list[DocumentOut]


class UploadError(BaseModel):
    file: str
    detail: str


class UploadResult(BaseModel):
    added: list[DocumentOut]
    errors: list[UploadError]
    detail: str | None = None


class RemoveResult(BaseModel):
    removed: DocumentOut


class IndexHealth(BaseModel):
    built: bool
    embed_model: str
    documents: int


class ServiceHealth(BaseModel):
    reachable: bool
    detail: str = ""
    kind: str | None = None  # database: sqlite | postgresql
    mode: str | None = None  # chroma: embedded | server


class Health(BaseModel):
    status: str  # ok | unavailable (then the answer is a 503)
    backend: str
    model: str | None
    database: ServiceHealth
    chroma: ServiceHealth
    index: IndexHealth


class ErrorOut(BaseModel):
    detail: str
    type: str | None = None
    field: str | None = None
