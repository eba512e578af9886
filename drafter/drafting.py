"""draft() and regenerate(): facts → outline → per section, concurrently: exemplars → prompt → text → check
→ (one repair) → stored version.

The LLM path and the offline path share everything but the step that produces a section's text, so a
regenerated section goes through exactly the same checks as a first draft.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import offline
from .checking import check, mask_amounts
from .documents import PLACEHOLDER_RE
from .errors import GenerationError, InputError
from .facts import Facts
from .generation import Generator, Message
from .models import Draft, OutlineSection, Section, Source
from .outline import bare_heading, cn_number, outline_from_model, plan_outline, staff_word
from .prompts import render
from .retrieval import Filters, Retriever
from .settings import Settings
from .store import DraftStore
from .tokens import count_tokens, encoding_for_model

EXEMPLARS_PER_SECTION = 3
EXEMPLAR_CHARS = 600
KIND_LABEL = {"opening": "开篇段落", "body": "正文部分", "shortcomings": "存在的不足", "plans": "下一步工作打算",
              "closing": "结尾段落"}
GUIDANCE = {
    "opening": "写一段开篇：年度、在谁的正确领导下、指导思想、围绕的中心工作、总体成效，最后以“现将全年工作总结如下：”结束。不要写标题。",
    "body": "先用一两句概括本部分工作，再把每条事实写成完整的句子，可分两三段；不要写本部分标题，不要加事实之外的数字。",
    "shortcomings": "用“一是……；二是……”的句式写两到四点不足，谦虚、概括；如果没有给出事实，就写概括性的不足，不得含数字。",
    "plans": "用“一是……；二是……”的句式写三到六点明年打算；没有给出事实的，写概括性的打算，不得含数字。",
    "closing": "写一小段结尾，表明决心，不含数字。",
}
_NUMBER_RE = re.compile(r"\d+(?:[.,，]\d+)*")


@dataclass
class DraftEvent:
    """What a front end shows as a draft is written: the outline, streamed text, finished sections."""

    type: str  # outline | delta | reset | section | done
    index: int | None = None
    text: str = ""
    section: Section | None = None
    draft: Draft | None = None
    extra: dict[str, Any] = field(default_factory=dict)


EventSink = Callable[[DraftEvent], None]


def mask_numbers(text: str) -> str:
    """Exemplars go to the model with their figures and redaction placeholders masked: a number it never
    sees is one it cannot copy, and `XX公司` becomes `某公司`, which it will not mistake for a slot to keep.
    The checker's extractor finds the figures (Chinese numerals too: `近万名`, `十场`); any Arabic digits
    left (`第3名`, `G20`) are masked as before."""
    return _NUMBER_RE.sub("若干", PLACEHOLDER_RE.sub("某", mask_amounts(text)))


def _label(path: str) -> str:
    """A heading path for the prompt: list markers dropped (`> 2、…`), figures and placeholders masked."""
    return mask_numbers(re.sub(r"(^|> )[（(]?\d{1,2}[)）、.．]\s*", r"\1", path))


def _strip_heading(text: str, heading: str) -> str:
    """Models often repeat the heading or add Markdown; the section's text is the body only."""
    lines = [ln.strip() for ln in text.strip().splitlines()]
    bare = bare_heading(heading)
    while lines and (not lines[0] or (bare and bare in lines[0] and len(lines[0]) <= len(heading) + 6)):
        lines.pop(0)
    body = "\n".join(ln.lstrip("#").strip() for ln in lines if ln)
    return re.sub(r"\*\*(.+?)\*\*", r"\1", body)


class Drafter:
    def __init__(self, settings: Settings, store: DraftStore, retriever: Retriever | None,
                 generator: Generator | None) -> None:
        self.settings = settings
        self.store = store
        self.retriever = retriever
        self.generator = generator
        self._enc: Any = None

    @property
    def backend(self) -> str:
        return self.generator.name if self.generator else "offline"

    # --- outline -----------------------------------------------------------------------------------------
    async def plan(self, facts: Facts, *, use_model: bool = False) -> list[OutlineSection]:
        rules = plan_outline(facts)
        if not (use_model and self.generator):
            return rules
        headings = "\n".join(await asyncio.to_thread(self._exemplar_headings, facts, rules))
        prompt = render(self.settings.prompts_dir, "outline", org=facts.org, org_type=facts.org_type, year=facts.year,
                        items="\n".join(f"{i}. {t}" for i, t in enumerate(facts.items)), example_headings=headings)
        try:
            answer = await self.generator.complete([{"role": "user", "content": prompt}], temperature=0.2)
        except GenerationError:
            return rules
        return outline_from_model(answer, facts) or rules

    def _exemplar_headings(self, facts: Facts, rules: list[OutlineSection]) -> list[str]:
        """Level-1 headings of past summaries about this year's themes, masked, for the model to imitate;
        the rule-based headings when there is no index."""
        own = [bare_heading(s.heading) for s in rules if s.kind == "body"]
        if self.retriever is None:
            return own
        queries = [s.query or s.heading for s in rules if s.kind == "body"]
        found: list[str] = []
        for hits in self.retriever.search_many(queries, 3, filters=Filters(levels=[1], positions=["body"])):
            for h in hits:
                bare = bare_heading(h.chunk.heading)
                if bare and not re.search(r"[0-9xX×_*]", bare) and bare not in found:
                    found.append(bare)
        return (found or own)[:12]

    # --- drafting ----------------------------------------------------------------------------------------
    async def stream(self, facts: Facts, outline: Sequence[OutlineSection] | None = None) -> AsyncIterator[DraftEvent]:
        """Write a whole draft, yielding events as sections stream in and complete."""
        outline = list(outline) if outline else await self.plan(facts, use_model=self.settings.model_outline)
        if not outline:
            raise InputError("提纲为空")
        draft = Draft(
            id=uuid.uuid4().hex[:12], title=facts.title, backend=self.backend, facts=facts,
            sections=[Section(index=i, **s.model_dump()) for i, s in enumerate(outline)],
        )
        self.store.save(draft)
        yield DraftEvent("outline", draft=draft.model_copy(deep=True))
        sources = await asyncio.to_thread(self._retrieve, draft.sections)
        queue: asyncio.Queue[DraftEvent | None] = asyncio.Queue()
        sem = asyncio.Semaphore(max(1, self.settings.concurrency))

        async def run(section: Section) -> None:
            async with sem:
                done = await self._write(draft, section, sources[section.index], queue.put_nowait, instruction="")
            queue.put_nowait(DraftEvent("section", index=done.index, section=done))

        tasks = [asyncio.create_task(run(s)) for s in draft.sections]
        finished = asyncio.gather(*tasks)
        finished.add_done_callback(lambda _: queue.put_nowait(None))
        try:
            while (event := await queue.get()) is not None:
                yield event
            await finished
        finally:
            for t in tasks:
                t.cancel()
        yield DraftEvent("done", draft=self.store.get(draft.id))

    async def draft(self, facts: Facts, outline: Sequence[OutlineSection] | None = None,
                    on_event: EventSink | None = None) -> Draft:
        result: Draft | None = None
        async for event in self.stream(facts, outline):
            if on_event:
                on_event(event)
            if event.type == "done":
                result = event.draft
        assert result is not None
        return result

    async def regenerate(self, draft_id: str, index: int, instruction: str = "",
                         on_event: EventSink | None = None) -> Draft:
        """Rewrite one section (optionally following an instruction); every other section stays as it is."""
        draft = self.store.get(draft_id)
        if not 0 <= index < len(draft.sections):
            raise InputError(f"草稿只有 {len(draft.sections)} 节，没有第 {index} 节", hint="节的编号从 0 开始")
        old = draft.sections[index]
        sources = old.sources or (await asyncio.to_thread(self._retrieve, [old]))[0]
        section = old.model_copy(update={"version": old.version + 1, "instruction": instruction.strip()})
        done = await self._write(draft, section, sources, on_event or (lambda e: None), instruction=instruction.strip())
        if on_event:
            on_event(DraftEvent("section", index=index, section=done))
        return self.store.get(draft_id)

    def edit_section(self, draft_id: str, index: int, *, text: str | None = None,
                     heading: str | None = None) -> Draft:
        """A user's own edit: stored as a new version and checked again."""
        draft = self.store.get(draft_id)
        if not 0 <= index < len(draft.sections):
            raise InputError(f"草稿没有第 {index} 节")
        old = draft.sections[index]
        new_text = old.text if text is None else text
        section = old.model_copy(update={
            "text": new_text, "heading": old.heading if heading is None else heading, "version": old.version + 1,
            "flags": check(new_text, draft.facts, old.sources), "status": "done", "error": "", "instruction": "编辑",
        })
        self.store.save_section(draft, section)
        return self.store.get(draft_id)

    # --- one section -------------------------------------------------------------------------------------
    def _retrieve(self, sections: Sequence[Section]) -> list[list[Source]]:
        """Exemplars for every section in one batched search, each from passages of the same kind of part."""
        if self.retriever is None or not sections:
            return [[] for _ in sections]
        results = self.retriever.search_many(
            [self._query(s) for s in sections], EXEMPLARS_PER_SECTION,
            filters=[Filters(positions=[s.kind]) for s in sections],
            dense_queries=[self._topic(s) for s in sections],
        )
        return [[Source(doc_id=h.chunk.doc_id, title=h.chunk.title, section=h.chunk.section, text=h.chunk.text,
                        score=h.score) for h in hits] for hits in results]

    @staticmethod
    def _topic(s: Section) -> str:
        """The dense query: heading and theme words only. Short, and recurring across drafts (cached)."""
        bare = bare_heading(s.heading)
        return " ".join(x for x in (bare, s.query) if x) or KIND_LABEL[s.kind]

    @staticmethod
    def _query(s: Section) -> str:
        """The lexical query: the topic plus the section's own facts."""
        bare = bare_heading(s.heading)
        return " ".join(x for x in (bare, s.query, "；".join(s.facts)) if x)[:300] or KIND_LABEL[s.kind]

    async def _write(self, draft: Draft, section: Section, sources: list[Source], emit: EventSink,
                     *, instruction: str) -> Section:
        facts = draft.facts
        try:
            if self.generator is None:
                text = offline.write_section(section, facts, variant=section.version, instruction=instruction)
                emit(DraftEvent("delta", index=section.index, text=text))
            else:
                text, sources = await self._generate(draft, section, sources, emit, instruction)
            flags = check(text, facts, sources)
            if flags and self.generator is not None and self.settings.repair:
                repaired = await self._repair(section, text, flags, facts)
                new_flags = check(repaired, facts, sources)
                if len(new_flags) <= len(flags):
                    text, flags = repaired, new_flags
                    emit(DraftEvent("reset", index=section.index, text=text))
            result = section.model_copy(update={"text": text, "flags": flags, "sources": sources, "status": "done",
                                                "error": ""})
        except GenerationError as exc:
            result = section.model_copy(update={"sources": sources, "status": "failed", "error": str(exc)})
        self.store.save_section(draft, result)
        return result

    def _messages(self, draft: Draft, section: Section, sources: list[Source], instruction: str
                  ) -> tuple[list[Message], list[Source]]:
        """The prompt, and the exemplars it really carries (the token budget may have dropped some)."""
        facts = draft.facts
        system = render(self.settings.prompts_dir, "system", org_type=facts.org_type)
        outline = "\n".join(s.heading or KIND_LABEL[s.kind] for s in draft.sections)
        fact_lines = "\n".join(f"- {f}" for f in section.facts) or "（本节没有指定事实，不得出现任何数字）"
        if section.kind == "opening":
            fact_lines = "\n".join(f"- {x}" for x in (f"年度：{facts.year}年", f"单位：{facts.org}",
                                                      f"上级组织：{facts.superior or '（未提供）'}", facts.notes) if x)

        def build(exemplars: list[Source], limit: int) -> str:
            # The corpus's titles and headings carry years and placeholders too: label passages neutrally.
            ex = "\n\n".join(f"【范文《片段{cn_number(n)}》· {_label(s.section) or KIND_LABEL[section.kind]}】\n"
                             f"{mask_numbers(s.text)[:limit]}" for n, s in enumerate(exemplars, 1)) or "（无）"
            return render(self.settings.prompts_dir, "section", org=facts.org, org_type=facts.org_type, year=facts.year,
                          superior=facts.superior or "上级工会", staff=staff_word(facts.org_type), outline=outline,
                          number=section.index + 1, heading=section.heading or KIND_LABEL[section.kind],
                          kind_label=KIND_LABEL[section.kind], facts=fact_lines, exemplars=ex,
                          guidance=GUIDANCE[section.kind],
                          instruction=f"修改要求：{instruction}" if instruction else "")

        # Token budget: exemplars are trimmed first (shorter, then fewer); the facts never are.
        exemplars, limit = list(sources), EXEMPLAR_CHARS
        user = build(exemplars, limit)
        while self._tokens(system + user) > self.settings.max_prompt_tokens and exemplars:
            if limit > 200:
                limit -= 200
            else:
                exemplars.pop()
            user = build(exemplars, limit)
        return [{"role": "system", "content": system}, {"role": "user", "content": user}], exemplars

    def _tokens(self, text: str) -> int:
        if self._enc is None:
            self._enc = encoding_for_model(self.settings.model, self.settings.cache_dir)
        return count_tokens(text, self._enc)

    async def _generate(self, draft: Draft, section: Section, sources: list[Source], emit: EventSink,
                        instruction: str) -> tuple[str, list[Source]]:
        assert self.generator is not None
        messages, kept = self._messages(draft, section, sources, instruction)
        text = await self.generator.complete(
            messages,
            on_delta=lambda piece: emit(DraftEvent("delta", index=section.index, text=piece)),
            on_retry=lambda attempt, reason: emit(DraftEvent("reset", index=section.index, text="",
                                                             extra={"attempt": attempt, "reason": reason})),
        )
        return _strip_heading(text, section.heading), kept

    async def _repair(self, section: Section, text: str, flags: list[Any], facts: Facts) -> str:
        assert self.generator is not None
        flag_lines = "\n".join(f"- 「{f.text}」：{f.hint or f.reason}" for f in flags)
        prompt = render(self.settings.prompts_dir, "repair", flags=flag_lines, draft=text,
                        facts="\n".join(f"- {x}" for x in facts.all_lines()))
        system = render(self.settings.prompts_dir, "system", org_type=facts.org_type)
        try:
            answer = await self.generator.complete([{"role": "system", "content": system},
                                                    {"role": "user", "content": prompt}], temperature=0.1)
        except GenerationError:
            return text
        return _strip_heading(answer, section.heading) or text
