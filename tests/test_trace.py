"""The 核对表: materials → facts (with sources) → draft → every number traced to its fact and source."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from drafter.api import create_app
from drafter.checking import check
from drafter.checking.trace import HAND_TYPED, trace
from drafter.cli import main as cli_main
from drafter.facts import FactProvenance, Facts, FactSource
from drafter.models import Draft, Section
from drafter.workspace import Workspace

MATERIALS = Path(__file__).parent / "data" / "materials" / "enterprise" / "files"


def _draft(text: str, facts: Facts) -> Draft:
    section = Section(index=0, kind="body", heading="一、关心职工生活", facts=facts.items, text=text,
                      flags=check(text, facts), status="done")
    return Draft(id="d1", title="某公司2024年工会工作总结", backend="offline", facts=facts, sections=[section])


def test_every_number_has_its_fact_and_source_or_its_flag() -> None:
    facts = Facts(org="某公司", year=2024,
                  items=["全年走访慰问困难职工家庭32户，发放慰问金6.4万元", "组织技能比武3场"],
                  provenance=[FactProvenance(text="全年走访慰问困难职工家庭32户，发放慰问金6.4万元", sources=[
                      FactSource(file="10月月报.docx", quote="本月走访慰问困难职工家庭32户，发放慰问金6.4万元。")])])
    text = "全年走访慰问困难职工家庭32户，发放慰问金6.4万元。组织技能比武3场，参赛职工500人。"
    rows = trace(_draft(text, facts)).rows
    assert [r.text for r in rows] == ["32户", "6.4万元", "3场", "500人"]
    assert all(text[r.start:r.end] == r.text for r in rows)
    assert rows[0].sources[0].file == "10月月报.docx" and rows[0].flag is None
    assert rows[2].fact == "组织技能比武3场" and rows[2].sources == [] and rows[2].note == HAND_TYPED
    assert rows[3].fact is None and rows[3].flag is not None and rows[3].flag.reason == "not_in_facts"


def test_fact_chosen_by_value_and_context_not_just_value() -> None:
    facts = Facts(org="某公司", year=2024, items=["举办职工篮球赛，参赛30人", "慰问困难职工30人"])
    rows = trace(_draft("慰问困难职工30人。", facts)).rows
    assert rows[0].fact == "慰问困难职工30人"


@pytest.fixture
def traced(fast_ws: Workspace) -> tuple[Workspace, str]:
    """Facts extracted from a bundle of real-looking materials, drafted offline."""
    result = fast_ws.extract_facts(sorted(MATERIALS.iterdir()), 2024, "XX市供电公司")
    facts = result.to_facts()
    assert facts.provenance
    draft = asyncio.run(fast_ws.draft(facts))
    return fast_ws, draft.id


def test_materials_to_draft_every_number_traceable(traced: tuple[Workspace, str]) -> None:
    ws, draft_id = traced
    t = ws.trace(draft_id)
    assert len(t.rows) >= 10
    supported = [r for r in t.rows if r.flag is None and r.kind == "amount"]
    assert supported and all(r.sources or r.computation for r in supported), \
        [(r.text, r.fact) for r in supported if not (r.sources or r.computation)]
    for r in supported:  # the number is in the quoted source (or came from the recorded computation)
        quoted = " ".join(s.quote for s in r.sources) + (r.computation or "")
        digits = "".join(ch for ch in r.text if ch.isdigit() or ch == ".")
        assert digits in quoted.replace(",", ""), (r.text, quoted)


def test_trace_through_api_cli_xlsx_and_docx(traced: tuple[Workspace, str], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    ws, draft_id = traced
    client = TestClient(create_app(ws))
    body = client.get(f"/api/v1/drafts/{draft_id}/trace").json()
    assert body["rows"] and {"section", "text", "start", "end", "kind", "fact", "sources", "computation",
                             "flag"} <= body["rows"][0].keys()
    assert client.get("/api/v1/drafts/nope/trace").status_code == 404
    r = client.get(f"/api/v1/drafts/{draft_id}/export", params={"format": "xlsx"})
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet["A2"].value == "序号" and sheet.max_row == 2 + len(body["rows"])

    monkeypatch.setenv("DRAFTER_DATA_DIR", str(ws.settings.data_dir))
    monkeypatch.setenv("DRAFTER_EMBED_MODEL", "hash-bigram-256")
    out = tmp_path / "核对表.xlsx"
    assert cli_main(["export", draft_id, "--trace", "--out", str(out)]) == 0
    rows = list(load_workbook(out).active.iter_rows(min_row=3, values_only=True))
    assert [row[2] for row in rows] == [row["text"] for row in body["rows"]]
    doc_path = tmp_path / "总结.docx"
    assert cli_main(["export", draft_id, "--trace", "--out", str(doc_path)]) == 0
    doc = Document(str(doc_path))
    assert any("数字核对表" in p.text for p in doc.paragraphs) and len(doc.tables[-1].rows) == 1 + len(body["rows"])
    assert cli_main(["export", draft_id, "--trace", "--out", str(tmp_path / "x.md")]) == 2
