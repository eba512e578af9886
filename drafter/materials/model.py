"""What extraction returns: candidate facts with their sources, conflicts, and what was skipped and why."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from ..checking.amounts import extract as find_amounts
from ..checking.numerals import close, normalise
from ..facts import Block, FactProvenance, Facts, FactSource, validate_facts


class Conflict(BaseModel):
    """One activity reported with different numbers in different materials: every version, never resolved."""

    reason: str
    facts: list[FactProvenance]


class Skipped(BaseModel):
    file: str
    reason: str


class ExtractionResult(BaseModel):
    year: int
    org: str = ""
    org_type: str = "企业"
    files_read: list[str] = Field(default_factory=list)
    facts: list[FactProvenance] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)
    dropped: int = 0  # model-proposed facts dropped because a number was not in their quote

    @property
    def anything_read(self) -> bool:
        return bool(self.files_read)

    def public_dict(self) -> dict[str, Any]:
        """The documented JSON (`drafter facts extract --json`, `POST /api/v1/facts/extract`)."""
        return {
            "facts": [f.model_dump() for f in self.facts],
            "conflicts": [c.model_dump() for c in self.conflicts],
            "skipped": [s.model_dump() for s in self.skipped],
            "year": self.year, "org": self.org, "org_type": self.org_type,
            "files_read": self.files_read, "dropped": self.dropped,
        }

    def to_facts(self, org: str | None = None, org_type: str | None = None) -> Facts:
        """A facts file `drafter draft` accepts, provenance kept. Conflicting versions are left out
        altogether until the user picks one (they are in `conflicts`): not in the blocks, and not in `notes`
        either, which the opening paragraph is written from and the checker reads as support."""
        blocks: dict[Block, list[str]] = {"items": [], "shortcomings": [], "plans": []}
        for f in self.facts:
            blocks[f.block].append(f.text)
        return validate_facts({"org": org or self.org or "本单位", "year": self.year,
                               "org_type": org_type or self.org_type, **blocks,
                               "provenance": [f.model_dump() for f in self.facts]})


# --- the provenance rule, shared by the rule-based and the model extractor --------------------------------
def numbers_in(text: str) -> list[tuple[str, float]]:
    """Every amount and date in `text` as (numeral as written, value): what a quote must contain."""
    _norm, mentions = find_amounts(text, lenient=True)
    out = []
    for m in mentions:
        if m.category == "amount":
            out.append((m.numeral or m.text, m.base))
        elif m.category == "date":
            out.append((re.sub(r"\D+", " ", normalise(m.text)).strip(), m.base))
    return out


def supported(fact: FactProvenance) -> bool:
    """Every number of the fact appears, as written or by value, in one of its quotes (or it was computed)."""
    if fact.computation:
        return True
    quotes = [normalise(s.quote) for s in fact.sources]
    values = [v for q in quotes for _n, v in numbers_in(q)]
    for numeral, value in numbers_in(fact.text):
        if any(_digits_in(numeral, q) for q in quotes):
            continue
        if not any(close(value, v) for v in values):
            return False
    return True


def _digits_in(numeral: str, quote: str) -> bool:
    parts = [p for p in re.split(r"\s+", normalise(numeral)) if p]
    return bool(parts) and all(p in quote for p in parts)


def source(file: str, quote: str, location: str = "") -> FactSource:
    return FactSource(file=file, quote=quote, location=location)
