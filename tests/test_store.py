"""The drafts database on SQLite and PostgreSQL: concurrent writes keep every edit, versions are unique,
edits are validated, outlines are bounded, old databases are migrated, backups restore everything.

Each test runs once per engine (`db_url`); PostgreSQL comes from DRAFTER_TEST_DATABASE_URL (see
tests/support/databases.py and tools/pg_test_cluster.sh).
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from drafter.errors import InputError
from drafter.facts import load_facts
from drafter.models import Draft, OutlineSection
from drafter.workspace import Workspace
from tests.support.gated import GatedGenerator, bare_workspace, reply_for

pytest_plugins = ["tests.support.db_fixtures"]  # the db_url fixture: one run per engine
FACTS = Path(__file__).parent / "data" / "facts" / "manufacturer_six_sections.txt"


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def offline_draft(ws: Workspace) -> Draft:
    draft = run(ws.draft(load_facts(FACTS)))
    assert len(draft.sections) >= 8 and all(s.status == "done" for s in draft.sections)
    return draft


# --- lost updates (hardening issue, defect 2) --------------------------------------------------------------
def test_seven_concurrent_edits_to_seven_sections_all_survive(data_dir: Path, db_url: str) -> None:
    ws = bare_workspace(data_dir, db_url)
    draft = offline_draft(ws)
    others = [bare_workspace(data_dir, db_url) for _ in range(3)]  # separate engines, as separate workers have
    rounds = 4
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads switch often: the read-modify-write windows overlap as under load
    try:
        for r in range(rounds):
            start = threading.Barrier(7)

            def edit(i: int, r: int = r, start: threading.Barrier = start) -> None:
                target = ws if i % 2 else others[i // 2 % 3]
                start.wait(10)
                target.edit_section(draft.id, i, text=f"第{i}节由用户第{r}次改写：本节以此为准。")

            with ThreadPoolExecutor(7) as pool:
                list(pool.map(edit, range(7)))
            stored = ws.get_draft(draft.id)
            lost = [i for i in range(7) if stored.sections[i].text != f"第{i}节由用户第{r}次改写：本节以此为准。"]
            assert lost == [], f"round {r}: the edits of sections {lost} were lost"
    finally:
        sys.setswitchinterval(old_interval)
    for i in range(7):
        assert [v.version for v in ws.store.versions(draft.id, i)] == list(range(rounds + 1))
    stored = ws.get_draft(draft.id)
    for s in stored.sections[7:]:
        assert s == draft.sections[s.index]  # untouched


def test_edit_made_while_another_section_regenerates_survives(data_dir: Path, db_url: str) -> None:
    gen = GatedGenerator(hold={2})
    ws = bare_workspace(data_dir, db_url, gen)
    gen.release(2)
    draft = run(ws.draft(load_facts(FACTS)))
    gen._gates[2].clear()  # the next request for section 2 is held

    async def scenario() -> Draft:
        regen = asyncio.create_task(ws.regenerate(draft.id, 2, "更简洁"))
        await asyncio.to_thread(gen.started, 2)
        while gen.asked[2] < 2:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(ws.edit_section, draft.id, 4, text="用户在重写第二节时改了第四节。")
        gen.release(2)
        return await regen

    after = run(scenario())
    assert after.sections[4].text == "用户在重写第二节时改了第四节。"
    assert after.sections[2].text == reply_for(2, 1) and after.sections[2].version == 1
    assert ws.get_draft(draft.id) == after


def test_edit_made_while_the_first_draft_streams_survives(data_dir: Path, db_url: str) -> None:
    gen = GatedGenerator(hold={5, 6})
    ws = bare_workspace(data_dir, db_url, gen)

    async def scenario() -> tuple[str, Draft]:
        events = ws.draft_stream(load_facts(FACTS))
        draft_id = ""
        async for event in events:
            if event.type == "outline":
                draft_id = event.draft.id  # type: ignore[union-attr]
            if event.type == "section" and event.index == 1:
                break
        # section 1 is written, 5 and 6 are still being written: edit one of each
        await asyncio.to_thread(ws.edit_section, draft_id, 1, text="用户改写的第一节。")
        await asyncio.to_thread(ws.edit_section, draft_id, 5, text="用户抢先写好的第五节。")
        gen.release(5, 6)
        async for event in events:
            if event.type == "done":
                return draft_id, event.draft  # type: ignore[return-value]
        raise AssertionError("no done event")

    draft_id, final = run(scenario())
    assert final.sections[1].text == "用户改写的第一节。" and final.sections[1].version == 1
    assert final.sections[5].text == "用户抢先写好的第五节。"  # the newer version stays shown …
    assert [v.text for v in ws.store.versions(draft_id, 5)] == [reply_for(5, 0), "用户抢先写好的第五节。"]  # … both kept
    assert final.sections[6].text == reply_for(6, 0)
    assert ws.get_draft(draft_id) == final
    assert final.status == "done"


def test_concurrent_regenerates_of_one_section_get_distinct_versions(data_dir: Path, db_url: str) -> None:
    gen = GatedGenerator(wait_for=2)  # both regenerations are in flight before either answers
    first = bare_workspace(data_dir, db_url)
    draft = offline_draft(first)
    workers = [bare_workspace(data_dir, db_url, gen) for _ in range(2)]  # two engines, two event loops

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda w: run(w.regenerate(draft.id, 3, "突出重点")), workers))
    history = first.store.versions(draft.id, 3)
    assert [v.version for v in history] == [0, 1, 2]
    assert sorted(v.text for v in history[1:]) == sorted([reply_for(3, 0), reply_for(3, 1)])
    shown = first.get_draft(draft.id).sections[3]
    assert shown.version == 2 and shown == history[2]
    assert {r.sections[3].version for r in results} <= {1, 2}


def test_sections_saved_together_keep_newer_versions_and_history(data_dir: Path, db_url: str) -> None:
    """save_sections (the offline drafter's one transaction): a section whose shown version is newer keeps it,
    a version number already taken is never overwritten, and every written text is in the history."""
    ws = bare_workspace(data_dir, db_url)
    draft = offline_draft(ws)
    allocated = ws.store.allocate_version(draft.id, 1)  # a regeneration of section 1 starts…
    edited = ws.edit_section(draft.id, 1, text="用户改过的第二节。").sections[1]  # …the user edits it meanwhile
    late = draft.sections[1].model_copy(update={"text": "晚到的第二节。", "version": allocated})
    taken = draft.sections[2].model_copy(update={"text": "晚到的第三节。"})  # version 0: already taken
    shown = ws.store.save_sections(draft.id, [late, taken])
    assert (allocated, edited.version) == (1, 2)
    assert shown[0] == edited  # the user's newer edit stays shown
    assert shown[1].text == "晚到的第三节。" and shown[1].version == 1  # the next version, not over version 0
    assert [v.text for v in ws.store.versions(draft.id, 1)] == [draft.sections[1].text, "晚到的第二节。", edited.text]
    assert [v.text for v in ws.store.versions(draft.id, 2)] == [draft.sections[2].text, "晚到的第三节。"]
    again = ws.get_draft(draft.id)
    assert again.sections[1] == edited and again.sections[2] == shown[1]


# --- edits that are not edits (defect 13) -----------------------------------------------------------------
def test_blank_unchanged_and_nul_edits(data_dir: Path, db_url: str) -> None:
    ws = bare_workspace(data_dir, db_url)
    draft = offline_draft(ws)
    body = next(s for s in draft.sections if s.kind == "body")
    for blank in ("", "   \n\t", "\x00", " \x00 \n"):
        with pytest.raises(InputError, match="正文不能为空"):
            ws.edit_section(draft.id, body.index, text=blank)
    with pytest.raises(InputError, match="标题不能为空"):
        ws.edit_section(draft.id, body.index, heading="  ")
    same = ws.edit_section(draft.id, body.index, text=body.text)
    same = ws.edit_section(draft.id, body.index, text=body.text + "\n", heading=body.heading)
    assert same.sections[body.index] == body and len(ws.store.versions(draft.id, body.index)) == 1
    edited = ws.edit_section(draft.id, body.index, text="全年\x00慰问困难职工。", heading="一、\x00送温暖")
    s = edited.sections[body.index]
    assert (s.text, s.heading, s.version) == ("全年慰问困难职工。", "一、送温暖", 1)
    assert "\x00" not in json.dumps(ws.get_draft(draft.id).public_dict())
    assert [v.version for v in ws.store.versions(draft.id, body.index)] == [0, 1]


# --- outline size (defect 11) -----------------------------------------------------------------------------
@pytest.mark.parametrize("n", [31, 2000])
def test_outline_over_the_limit_is_refused_before_anything_is_stored(n: int, data_dir: Path, db_url: str) -> None:
    ws = bare_workspace(data_dir, db_url)
    outline = [OutlineSection(kind="body", heading=f"第{i}部分", facts=[]) for i in range(n)]
    with pytest.raises(InputError, match="超过上限 30 节") as err:
        run(ws.draft(load_facts(FACTS), outline))
    assert err.value.http_status == 422 and err.value.exit_code == 2
    assert ws.list_drafts() == []
    ok = run(ws.draft(load_facts(FACTS), outline[:30]))
    assert len(ok.sections) == 30 and all(s.status == "done" for s in ok.sections)


# --- status in the list -----------------------------------------------------------------------------------
def test_list_shows_each_drafts_status(data_dir: Path, db_url: str) -> None:
    gen = GatedGenerator(hold={0})
    ws = bare_workspace(data_dir, db_url, gen)

    async def scenario() -> None:
        run_ = await ws.start_draft(load_facts(FACTS))
        await asyncio.to_thread(gen.started, 0)
        rows = {r["id"]: r for r in await asyncio.to_thread(ws.list_drafts)}
        assert rows[run_.draft_id]["status"] == "running"
        assert rows[run_.draft_id]["sections_done"] < rows[run_.draft_id]["sections"]
        gen.release(0)
        await run_.result()

    run(scenario())
    (row,) = ws.list_drafts()
    assert row["status"] == "done" and row["sections_done"] == row["sections"] >= 8
    assert ws.get_draft(row["id"]).public_dict()["status"] == "done"
