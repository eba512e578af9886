"""The bundled corpus parses into the genre's structure; cleaning restores full-width punctuation."""

from __future__ import annotations

import re

import pytest

from drafter.corpus.documents import clean_text, heading_level, parse_document, split_seed
from drafter.corpus.files import load_file
from drafter.settings import REPO_ROOT

CORPUS = REPO_ROOT / "corpus"
SEED = REPO_ROOT.parent / "shared" / "seeds" / "000_ae8e917456bcdb4a.txt"

# doc number → (number of level-1 sections, must have level-2, must have level-3)
EXPECTED_LEVEL1 = {1: 5, 2: 3, 3: 4, 4: 5, 5: 4, 6: 4, 7: 5, 8: 3, 9: 6, 10: 0, 11: 6, 12: 5, 13: 0, 14: 5,
                   15: 6, 16: 3, 17: 6, 18: 3}


def _doc(n: int):
    return load_file(CORPUS / f"seed-{n:02d}.txt")


def test_corpus_has_18_utf8_files() -> None:
    files = sorted(CORPUS.glob("seed-*.txt"))
    assert len(files) == 18
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert "当前位置" not in text and "#from" not in text and "gkstk" not in text


@pytest.mark.parametrize("n", range(1, 19))
def test_parse_each_summary(n: int) -> None:
    doc = _doc(n)
    assert doc.doc_id == f"seed-{n:02d}"
    assert doc.title == f"2023年工会年度工作总结范文 篇{n}"
    level1 = [s for s in doc.sections if s.level == 1]
    assert len(level1) == EXPECTED_LEVEL1[n], [s.heading for s in level1]
    # Sections tile the text in order and never overlap; every heading is found at its section's start.
    for a, b in zip(doc.sections, doc.sections[1:], strict=False):
        assert a.end <= b.start
    for s in doc.sections:
        body = doc.text[s.start : s.end]
        assert body.strip()
        if s.heading:
            marker = re.match(r"^(\S{1,4}?[、.．）)])", s.heading)
            assert marker and body.startswith(marker.group(1)[:1])
    # No half-width comma/colon/semicolon is left between two CJK characters.
    assert not re.search(r"[\u4e00-\u9fff][,:;][\u4e00-\u9fff]", doc.text)


def test_documents_without_level_one_use_level_two() -> None:
    for n in (10, 13):
        doc = _doc(n)
        assert not [s for s in doc.sections if s.level == 1]
        assert len([s for s in doc.sections if s.level == 2]) >= 5
        assert [s for s in doc.sections if s.level == 3]


def test_positions_found() -> None:
    assert [s.position for s in _doc(1).sections if s.position == "plans"]
    assert [s.position for s in _doc(1).sections if s.position == "shortcomings"]
    assert _doc(1).sections[0].position == "opening"
    assert any(s.position == "plans" for s in _doc(8).sections)  # 下步主要工作： introduces a list
    assert any(s.position == "shortcomings" for s in _doc(2).sections)
    assert _doc(7).sections[-1].position == "closing"
    assert _doc(2).sections[-1].position == "closing"
    plans8 = [s for s in _doc(8).sections if s.position == "plans" and s.level == 3]
    assert len(plans8) == 6


def test_heading_paths_nest() -> None:
    doc = _doc(6)
    child = next(s for s in doc.sections if s.heading.startswith("（二）拓宽参政议政渠道"))
    assert child.path == ("二、建“和谐之家”，推进民主治行", "（二）拓宽参政议政渠道")
    assert child.path_label == "二、建“和谐之家”，推进民主治行 > （二）拓宽参政议政渠道"


def _seed_text() -> str:
    """The real seed file when it sits beside the repo; otherwise one in its format made from the 18 bundled
    summaries, which keep their `篇N` header lines (a fresh clone has no ../shared): tested either way."""
    if SEED.exists():
        return SEED.read_text(encoding="utf-8")
    bodies = [(REPO_ROOT / "corpus" / f"seed-{n:02d}.txt").read_text(encoding="utf-8") for n in range(1, 19)]
    return "当前位置:作文吧实用文档工作总结内容页\n\n2023年工会年度工作总结范文\n\n" + "\n\n".join(bodies)


def test_seed_split_and_boilerplate() -> None:
    parts = split_seed(_seed_text())
    assert [n for n, _ in parts] == list(range(1, 19))
    assert all(len(body.strip()) > 500 for _, body in parts)


def test_clean_text_rules() -> None:
    raw = "工会开展了活动,取得成效:一是;二是?好!\n\n举办“欢乐虎年?温馨之家”联欢会,投入1,200元。\n#from本文来自gkstk.end#"
    out = clean_text(raw)
    assert "活动，取得成效：一是；二是？好！" in out
    assert "“欢乐虎年·温馨之家”" in out
    assert "1,200元" in out  # digits keep their separator
    assert "#from" not in out


def test_heading_levels() -> None:
    assert heading_level("一、领导重视，健全工会机制") == (1, "一、领导重视，健全工会机制")
    assert heading_level("（三）丰富文体活动。举办新年联欢会")[0] == 2
    assert heading_level("(1)对工伤员工的关心")[0] == 3
    assert heading_level("1、抓好宣传报道，做实品牌。今年以来")[1] == "1、抓好宣传报道，做实品牌"
    assert heading_level("1.5万元用于慰问") is None
    assert heading_level("一年来，工会坚持") is None


def test_user_document_title_and_placeholders() -> None:
    doc = parse_document("XX公司2022年工会工作总结\n\n一年来，工会做了很多工作。\n\n一、关心职工\n\n慰问职工20xx人。", "u1")
    assert doc.title == "XX公司2022年工会工作总结"
    assert [s.position for s in doc.sections] == ["opening", "body"]
