"""The web UI's 「从材料提取」 step, through its handlers: upload → review → accept → draft with sources."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

import ui
from drafter.corpus.embedding import HashEmbedder
from drafter.settings import Settings
from drafter.workspace import Workspace

MATERIALS = Path(__file__).parent / "data" / "materials" / "enterprise" / "files"


@pytest.fixture
def handlers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ui.DrafterUI:
    ws = Workspace(Settings(data_dir=tmp_path / "data"), embedder=HashEmbedder())
    ws.refresh_index()
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    return ui.build_app(ws)[1]


def _uploaded(tmp_path: Path) -> list[str]:
    folder = tmp_path / "gradio" / "up1"
    shutil.copytree(MATERIALS, folder)
    return [str(p) for p in sorted(folder.iterdir())]


@pytest.mark.filterwarnings("ignore::UserWarning")  # gr.Info outside an event
def test_upload_review_accept_draft(handlers: ui.DrafterUI, tmp_path: Path) -> None:
    w = handlers.w
    out = w.by_name(handlers.extract_materials(_uploaded(tmp_path), 2024, "XX市供电公司"))
    rows, result = out["review_df"], out["extraction_state"]
    assert "候选事实" in out["materials_msg"] and "数字冲突" in out["materials_msg"]
    facts_rows = [r for r in rows if r[5].startswith("F")]
    conflict_rows = [r for r in rows if r[5].startswith("C")]
    assert facts_rows and all(r[0] is True for r in facts_rows)
    assert len(conflict_rows) >= 2 and not any(r[0] for r in conflict_rows)  # nothing chosen for the user
    assert all(r[3] for r in facts_rows)  # every candidate shows its source

    # picking both versions of a conflict is refused
    both = [[True if r[5].startswith("C0-") else r[0], *r[1:]] for r in rows]
    with pytest.raises(gr.Error, match="只能选一个版本"):
        handlers.accept_facts(both, result, "XX市供电公司", "")

    # accept: drop one fact, edit one, pick the first version of each conflict
    edited: list[list[Any]] = []
    for r in rows:
        r = list(r)
        if r[5] == "F1":
            r[0] = False
        if r[5] == "F0":
            r[2] = r[2] + "（已核实）"
        if r[5].endswith("-0"):
            r[0] = True
        edited.append(r)
    form = w.by_name(handlers.accept_facts(edited, result, "XX市供电公司", ""))
    dropped = next(r[2] for r in rows if r[5] == "F1")
    assert dropped not in form["items"] + form["shortcomings"] + form["plans"]
    assert "（已核实）" in form["items"] or "（已核实）" in form["shortcomings"] + form["plans"]
    prov = form["provenance_state"]
    assert prov and all(p["sources"] or p["computation"] for p in prov if not p["text"].endswith("（已核实）"))

    # draft from the form: the facts keep their sources, so the 核对表 shows them
    args: Any = ("XX市供电公司", 2024, "企业", "", form["items"], form["shortcomings"], form["plans"], "", "", [], prov)
    final = asyncio.run(_last(handlers, handlers.draft(*args)))
    draft = handlers.ws.get_draft(final["draft_id"])
    assert draft.facts.provenance
    assert "trace-table" in final["trace_html"] and final["dl_trace"].value
    rows_traced = handlers.ws.trace(draft.id).rows
    assert any(r.sources for r in rows_traced)


async def _last(h: ui.DrafterUI, gen: Any) -> dict[str, Any]:
    seen = [h.w.by_name(x) async for x in gen]
    return seen[-1]


def test_extract_refuses_files_not_uploaded(handlers: ui.DrafterUI, tmp_path: Path) -> None:
    """A crafted call naming a server file extracts nothing from it."""
    (tmp_path / "gradio").mkdir()
    out = handlers.w.by_name(handlers.extract_materials([str(MATERIALS / "3月工作月报.txt")], 2024, ""))
    assert "不是本次上传的文件" in out["materials_msg"] and out["review_df"] == []


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_resume_an_interrupted_draft_from_history(tmp_path: Path) -> None:
    """A draft cut off mid-run shows as unfinished; 「继续起草」 writes only its pending sections."""
    from drafter.facts import load_facts
    from tests.support.gated import GatedGenerator, cut_draft

    gen = GatedGenerator(hold={2})
    ws = Workspace(Settings(data_dir=tmp_path / "data"), embedder=HashEmbedder(), generator=gen)
    ws.refresh_index()
    h = ui.build_app(ws)[1]

    draft_id = asyncio.run(cut_draft(ws, load_facts(Path(__file__).parent / "data" / "facts" / "enterprise.txt")))
    opened = h.w.by_name(h.open_draft(draft_id))
    assert "未完成" in opened["progress_html"] and "已完成" not in opened["progress_html"].split("：")[0]
    assert any("未完成" in label for label, _ in opened["history_dd"].choices)
    gen.release()
    final = asyncio.run(_last(h, h.resume(draft_id)))
    draft = ws.get_draft(draft_id)
    assert draft.complete and "草稿已完成" in final["progress_html"]
    assert gen.asked[2] == 2 and all(gen.asked[i] == 1 for i in range(len(draft.sections)) if i != 2)
