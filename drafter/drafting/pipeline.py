"""draft() and regenerate(): facts → outline → per section, concurrently: exemplars → prompt → text → check
→ (one repair) → stored version.

The LLM path and the offline path share everything but the step that produces a section's text, so a
regenerated section goes through exactly the same checks as a first draft.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..checking import check
from ..corpus.tokens import encoding_for_model
from ..errors import ConflictError, GenerationError, InputError
from ..facts import Facts
from ..models import Draft, OutlineSection, Section, Source
from ..retrieval.search import Filters, Retriever
from ..settings import Settings
from ..storage import runners
from . import offline
from .cpu import on_cpu_thread
from .generation import Generator, Message, Reply
from .outline import bare_heading, outline_from_model, plan_outline
from .postprocess import FIRMER, TRUNCATED_NOTE, SectionView, answer_problem, clean_section, length_note
from .prompts import render
from .runs import DraftEvent, DraftRun, EventSink
from .section_prompt import KIND_LABEL, section_messages

if TYPE_CHECKING:
    from ..storage.drafts import DraftStore

MAX_SECTIONS = 30  # an outline of 2,000 sections once took 3.5 min and 55 MB; a summary has about ten
EXEMPLARS_PER_SECTION = 3
def check_outline(outline: Sequence[OutlineSection]) -> None:
    """Refuse an outline nobody could mean: empty, or longer than MAX_SECTIONS sections."""
    if not outline:
        raise InputError("提纲为空")
    if len(outline) > MAX_SECTIONS:
        raise InputError(f"提纲有 {len(outline)} 节，超过上限 {MAX_SECTIONS} 节",
                         hint="请合并相近的部分；年度工作总结通常在十节以内")


def _on_this_loop(run: DraftRun) -> bool:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return True  # called outside any loop: the caller will follow it on the loop it then starts
    return run.task is None or run.task.get_loop() is loop


class Drafter:
    def __init__(self, settings: Settings, store: DraftStore, retriever: Retriever | None,
                 generator: Generator | None, copy_index: Callable[[], Any] | None = None) -> None:
        self.settings = settings
        self.store = store
        self.retriever = retriever
        self.generator = generator
        self.copy_index = copy_index  # the corpus's copy index for the `copied` check (None: the bundled one)
        self._enc: Any = None
        self._runs: dict[str, DraftRun] = {}

    def warm_up(self) -> None:
        """With a model: load the token encoding of the prompt budget now (a server's start), not in the first
        draft (0.4 s). Loading it builds a 28 MB table that is dropped at once: early, it is not on top of a
        busy server's memory (the peak RSS of bench/bench_api_load.py)."""
        if self.generator is not None:
            self._encoding()

    def _encoding(self) -> Any:
        """The prompt budget's token encoding, loaded once."""
        if self._enc is None:
            self._enc = encoding_for_model(self.settings.model, self.settings.cache_dir)
        return self._enc

    def _check(self, text: str, facts: Facts, sources: Sequence[Source]) -> list[Any]:
        return check(text, facts, sources, copy_index=self.copy_index() if self.copy_index else None)

    @property
    def backend(self) -> str:
        return self.generator.name if self.generator else "offline"

    # --- outline -----------------------------------------------------------------------------------------
    async def plan(self, facts: Facts, *, use_model: bool = False) -> list[OutlineSection]:
        rules = await on_cpu_thread(plan_outline, facts)  # CPU work stays off the event loop
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
    # A draft is written by a task of its own (DraftRun): whoever watches its events (an SSE client, the
    # web UI) may leave without stopping it. The task ends by settling the draft's status; cancelled (server
    # shutdown) it leaves `interrupted`, and a process killed outright leaves `running`, which the next
    # start-up turns into `interrupted` (DraftStore.recover). `resume()` writes the sections still pending.
    async def start(self, facts: Facts, outline: Sequence[OutlineSection] | None = None) -> DraftRun:
        """Store the outline as a new `running` draft and start writing it; events can be watched at once."""
        outline = list(outline) if outline else await self.plan(facts, use_model=self.settings.model_outline)
        check_outline(outline)
        draft = Draft(
            id=uuid.uuid4().hex[:12], title=facts.title, backend=self.backend, facts=facts, status="running",
            sections=[Section(index=i, **s.model_dump()) for i, s in enumerate(outline)],
        )
        await asyncio.to_thread(self.store.save, draft)
        return self._launch(draft, draft.sections)

    async def start_resume(self, draft_id: str) -> DraftRun:
        """Carry on an interrupted draft: only its pending sections are written. A draft this process is
        writing already is joined; a finished one gives a run that only reports it."""
        if (run := self._runs.get(draft_id)) is not None:
            if _on_this_loop(run):
                return run
            raise ConflictError("这份草稿正在生成中", hint="请等它写完后再试")
        draft = await asyncio.to_thread(self.store.claim, draft_id)
        if draft is None:
            return DraftRun.finished(await asyncio.to_thread(self.store.get, draft_id))
        return self._launch(draft, [s for s in draft.sections if s.status == "pending"])

    def running(self, draft_id: str) -> DraftRun | None:
        """The run writing this draft in this process, if any (to watch it again after a disconnect). A run on
        another event loop (a second loop in the same process) is watched through the store instead: its
        events cannot wake this loop."""
        run = self._runs.get(draft_id)
        return run if run is not None and _on_this_loop(run) else None

    def _launch(self, draft: Draft, todo: list[Section]) -> DraftRun:
        run = DraftRun(draft.id)
        self._runs[draft.id] = run
        run.task = asyncio.create_task(self._run(run, draft, todo), name=f"draft-{draft.id}")
        return run

    async def _run(self, run: DraftRun, draft: Draft, todo: list[Section]) -> Draft:
        try:
            run.publish(DraftEvent("outline", draft=draft.model_copy(deep=True)))
            sources = await asyncio.to_thread(self._retrieve, todo)
            await self._write_all(run, draft, todo, sources)
            final = await asyncio.to_thread(self.store.finish, draft.id)
            run.publish(DraftEvent("done", draft=final))
            return final
        except BaseException as exc:
            # Cancelled (shutdown) or broken: what is written stays; the draft is settled as interrupted.
            with contextlib.suppress(Exception):
                self.store.finish(draft.id)
            if not isinstance(exc, asyncio.CancelledError):
                run.publish(DraftEvent("error", text=str(exc)))
            raise
        finally:
            self._runs.pop(draft.id, None)
            run.close()

    async def _write_all(self, run: DraftRun, draft: Draft, todo: list[Section], sources: list[list[Source]]) -> None:
        if self.generator is None:  # instant and CPU-only: every section in one hop, stored in one transaction
            written = await on_cpu_thread(lambda: [self._offline(draft.facts, s, found, "")
                                                   for s, found in zip(todo, sources, strict=True)])
            shown_now = await asyncio.to_thread(self.store.save_sections, draft.id, written)
            for result, shown in zip(written, shown_now, strict=True):
                run.publish(DraftEvent("delta", index=result.index, text=result.text))
                run.publish(DraftEvent("section", index=shown.index, section=shown))
            return
        sem = asyncio.Semaphore(max(1, self.settings.concurrency))

        async def one(section: Section, found: list[Source]) -> None:
            async with sem:
                shown = await self._write(draft, section, found, run.publish, instruction="")
            run.publish(DraftEvent("section", index=shown.index, section=shown))

        tasks = [asyncio.create_task(one(s, found)) for s, found in zip(todo, sources, strict=True)]
        tasks.append(asyncio.create_task(self._heartbeat(draft.id)))
        try:
            await asyncio.gather(*tasks[:-1])
        finally:
            for t in tasks:  # the heartbeat always; the sections too when one broke or we are cancelled
                t.cancel()

    async def _heartbeat(self, draft_id: str) -> None:
        while True:
            await asyncio.sleep(runners.HEARTBEAT_EVERY)
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.store.heartbeat, draft_id)

    async def stream(self, facts: Facts, outline: Sequence[OutlineSection] | None = None) -> AsyncIterator[DraftEvent]:
        """Write a whole draft, yielding events as sections stream in and complete. Leaving early (closing
        the iterator) does not stop the draft: it is finished and saved all the same."""
        run = await self.start(facts, outline)
        async for event in run.events():
            yield event

    async def draft(self, facts: Facts, outline: Sequence[OutlineSection] | None = None,
                    on_event: EventSink | None = None) -> Draft:
        return await self._follow(await self.start(facts, outline), on_event)

    async def resume(self, draft_id: str, on_event: EventSink | None = None) -> Draft:
        return await self._follow(await self.start_resume(draft_id), on_event)

    @staticmethod
    async def _follow(run: DraftRun, on_event: EventSink | None) -> Draft:
        async for event in run.events():
            if on_event:
                on_event(event)
        return await run.result()

    async def regenerate(self, draft_id: str, index: int, instruction: str = "",
                         on_event: EventSink | None = None) -> Draft:
        """Rewrite one section (optionally following an instruction); every other section stays as it is."""
        draft = await asyncio.to_thread(self.store.get, draft_id)
        if not 0 <= index < len(draft.sections):
            raise InputError(f"草稿只有 {len(draft.sections)} 节，没有第 {index} 节", hint="节的编号从 0 开始")
        old = draft.sections[index]
        sources = old.sources or (await asyncio.to_thread(self._retrieve, [old]))[0]
        version = await asyncio.to_thread(self.store.allocate_version, draft_id, index)
        section = old.model_copy(update={"version": version, "instruction": instruction.strip()})
        shown = await self._write(draft, section, sources, on_event or (lambda e: None), instruction=instruction.strip())
        if on_event:
            on_event(DraftEvent("section", index=index, section=shown))
        return await asyncio.to_thread(self.store.get, draft_id)

    def edit_section(self, draft_id: str, index: int, *, text: str | None = None,
                     heading: str | None = None) -> Draft:
        """A user's own edit: stored as a new version and checked again. An edit that changes nothing makes
        no version; a blank text is refused; NUL characters are dropped."""
        if text is not None:
            text = text.replace("\x00", "").strip()
            if not text:
                raise InputError("正文不能为空", hint="请填写本节内容，或用「重写本节」重新生成")
        if heading is not None:
            heading = heading.replace("\x00", "").strip()

        def change(facts: Facts, old: Section) -> Section | None:
            new_text = old.text if text is None else text
            new_heading = old.heading if heading is None else heading
            if new_heading == "" and old.heading:
                raise InputError("标题不能为空", hint="请填写本节标题")
            if new_text == old.text and new_heading == old.heading:
                return None
            return old.model_copy(update={
                "text": new_text, "heading": new_heading, "flags": self._check(new_text, facts, old.sources),
                "status": "done", "error": "", "instruction": "编辑", "notes": [],
            })

        return self.store.edit_section(draft_id, index, change)

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

    def _offline(self, facts: Facts, section: Section, sources: list[Source], instruction: str) -> Section:
        """A section by the offline drafter (it only restates the facts), checked like any other."""
        text = offline.write_section(section, facts, variant=section.version, instruction=instruction)
        return section.model_copy(update={"text": text, "flags": self._check(text, facts, sources), "sources": sources,
                                          "status": "done", "error": "", "notes": []})

    async def _write(self, draft: Draft, section: Section, sources: list[Source], emit: EventSink,
                     *, instruction: str) -> Section:
        """Write, check and store one section; returns the section shown now (a newer edit may win)."""
        facts = draft.facts
        if self.generator is None:
            result = await on_cpu_thread(self._offline, facts, section, sources, instruction)
            emit(DraftEvent("delta", index=section.index, text=result.text))
            return await asyncio.to_thread(self.store.save_section, draft.id, result)
        try:
            text, sources, notes = await self._generate(draft, section, sources, emit, instruction)
            flags = await on_cpu_thread(self._check, text, facts, sources)
            if flags and self.settings.repair:
                repaired = await self._repair(section, text, flags, facts)
                new_flags = await on_cpu_thread(self._check, repaired, facts, sources)
                if len(new_flags) <= len(flags):
                    text, flags = repaired, new_flags
                    emit(DraftEvent("reset", index=section.index, text=text))
            result = section.model_copy(update={"text": text, "flags": flags, "sources": sources, "status": "done",
                                                "error": "", "notes": notes})
        except GenerationError as exc:
            result = section.model_copy(update={"sources": sources, "status": "failed", "error": str(exc),
                                                "notes": []})
        return await asyncio.to_thread(self.store.save_section, draft.id, result)

    async def _generate(self, draft: Draft, section: Section, sources: list[Source], emit: EventSink,
                        instruction: str) -> tuple[str, list[Source], list[str]]:
        """The section's cleaned text, the exemplars it was written from, and notes for the user. A refusal
        or an answer not in Chinese is asked again once, more firmly; then the section fails."""
        messages, kept = section_messages(self.settings, draft, section, sources, instruction, self._encoding())
        reply, text = await self._ask(messages, section, emit)
        problem = answer_problem(text)
        if problem:
            emit(DraftEvent("reset", index=section.index, text="", extra={"reason": problem}))
            firmer = f"{messages[-1]['content']}\n\n{FIRMER.format(reason=problem)}"
            reply, text = await self._ask([*messages[:-1], {"role": "user", "content": firmer}], section, emit)
            if again := answer_problem(text):
                raise GenerationError(f"{again}，用更明确的要求重试一次后仍未写出本节",
                                      hint="请点「重写本节」再试，或换用中文写作能力更强的模型（DRAFTER_MODEL）")
        notes = [TRUNCATED_NOTE] if reply.truncated else []
        if note := length_note(text, section.kind, len(section.facts)):
            notes.append(note)
        return text, kept, notes

    async def _ask(self, messages: list[Message], section: Section, emit: EventSink) -> tuple[Reply, str]:
        """One request; the display sees the section's text only once it starts, and the final text at the end."""
        assert self.generator is not None
        view, index = SectionView(section.heading), section.index

        def on_delta(piece: str) -> None:
            if shown := view.feed(piece):
                emit(DraftEvent("delta", index=index, text=shown))

        def on_retry(attempt: int, reason: str) -> None:
            view.reset()
            emit(DraftEvent("reset", index=index, text="", extra={"attempt": attempt, "reason": reason}))

        reply = await self.generator.reply(messages, on_delta=on_delta, on_retry=on_retry)
        if rest := view.flush():
            emit(DraftEvent("delta", index=index, text=rest))
        text = clean_section(reply.text, section.heading)
        if text != view.shown:  # lists joined, a sign-off dropped…: the display gets the final text
            emit(DraftEvent("reset", index=index, text=text))
        return reply, text

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
        cleaned = clean_section(answer, section.heading)
        return text if answer_problem(cleaned) else cleaned
