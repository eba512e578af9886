"""Model-assisted wording: with a model configured, it may propose a better-worded sentence for each fact.

The model only rewords; code decides. A proposal is kept when every number in it appears, as written or by
value, in one of the fact's own quotes (`model.supported`, the same rule the offline extractor meets);
otherwise the offline wording stays and the proposal is counted in `dropped`. A reply that is not the JSON
asked for changes nothing. Computed facts (from spreadsheets) keep the code's wording.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..drafting.generation import Generator
from ..drafting.prompts import render
from .model import ExtractionResult, supported

BATCH = 30  # facts per request: short enough for any context window, few enough requests for a year


async def reword(result: ExtractionResult, generator: Generator, prompts_dir: Path) -> ExtractionResult:
    facts = list(result.facts)
    dropped = 0
    todo = [i for i, f in enumerate(facts) if not f.computation and f.sources]
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        listing = "\n".join(
            f"{n}. 当前表述：{facts[i].text}\n   原文：{facts[i].sources[0].quote}" for n, i in enumerate(batch, 1))
        prompt = render(prompts_dir, "materials/extract", org=result.org or "本单位", year=result.year, facts=listing)
        reply = await generator.complete([{"role": "user", "content": prompt}], temperature=0.1)
        for n, text in _proposals(reply).items():
            if not 1 <= n <= len(batch):
                continue
            i = batch[n - 1]
            candidate = facts[i].model_copy(update={"text": text})
            if supported(candidate) and _numbers_kept(facts[i].text, text):
                facts[i] = candidate
            else:
                dropped += 1
    return result.model_copy(update={"facts": facts, "dropped": result.dropped + dropped})


def _proposals(reply: str) -> dict[int, str]:
    """{id: text} from the reply; anything malformed is ignored (the offline wording stays)."""
    reply = re.sub(r"<think>.*?</think>", "", reply, flags=re.S)
    match = re.search(r"\{.*\}", reply, re.S)
    if not match:
        return {}
    try:
        data = json.loads(match.group())
        items = data["facts"]
        out = {}
        for item in items:
            text = str(item.get("text", "")).strip().rstrip("。")
            if isinstance(item.get("id"), int) and 4 <= len(text) <= 200:
                out[item["id"]] = text
        return out
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


_RESULT_KINDS = {"money", "people", "户", "人次", "percent"}


def _numbers_kept(before: str, after: str) -> bool:
    """The rewording keeps the fact's results (money, people, 户, 人次, %): a model may drop `分成6个小组`, not
    the `32户` or the `6.4万元`."""
    from .extract import amounts_of

    kept = {round(v, 6) for _k, v, _w in amounts_of(after)}
    return all(round(v, 6) in kept for k, v, _w in amounts_of(before) if k.split("/")[0] in _RESULT_KINDS)
