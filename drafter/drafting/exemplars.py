"""Exemplars as the model sees them: figures and redaction placeholders masked, headings labelled neutrally."""

from __future__ import annotations

import functools
import re

from ..checking import mask_amounts
from ..corpus.documents import PLACEHOLDER_RE

_NUMBER_RE = re.compile(r"\d+(?:[.,，]\d+)*")


@functools.lru_cache(maxsize=4096)
def mask_numbers(text: str) -> str:
    """Exemplars go to the model with their figures and redaction placeholders masked: a number it never
    sees is one it cannot copy, and `XX公司` becomes `某公司`, which it will not mistake for a slot to keep.
    The checker's extractor finds the figures (Chinese numerals too: `近万名`, `十场`); any Arabic digits
    left (`第3名`, `G20`) are masked as before. Cached: the same corpus passages come back draft after
    draft, and the extractor is the costliest step of building a prompt."""
    return _NUMBER_RE.sub("若干", PLACEHOLDER_RE.sub("某", mask_amounts(text)))


def heading_label(path: str) -> str:
    """A heading path for the prompt: list markers dropped (`> 2、…`), figures and placeholders masked."""
    return mask_numbers(re.sub(r"(^|> )[（(]?\d{1,2}[)）、.．]\s*", r"\1", path))
