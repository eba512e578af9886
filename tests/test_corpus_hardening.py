"""Hostile and unlucky corpus input: long runs that made regexes quadratic, zip bombs, bad upload names,
colliding ids, changes made by another process, crashes mid-add, and duplicate documents."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.chunking import chunk_document
from drafter.documents import clean_text, parse_document
from drafter.tokens import get_encoding

# ---------------------------------------------------------------------------------------------------------
# (3) Cleaning and parsing stay linear on long runs


@contextlib.contextmanager
def hang_guard(seconds: float) -> Iterator[None]:
    """Fail instead of hanging: re checks for signals while matching, so SIGALRM interrupts a runaway regex."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"took longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


RUN = 60_000  # 120 KB of CJK: the `(` case took 60 s before

LONG_RUNS = {
    "paren_then_cjk": "(" + "工会" * (RUN // 2),
    "paren_cjk_repeated": "(工会工作" * (RUN // 5),
    "fullwidth_parens": "（" * RUN,
    "half_parens": "(" * RUN + "工",
    "cjk_without_close": "一、" + "工" * RUN,
    "digits": "工会" + "1" * RUN,
    "from_without_end": "#from" * RUN + "工",
    "from_then_cjk": "#from" + "工" * RUN,
    "spaces": "工 " * (RUN // 2),
    "newlines": "工" + "\n" * RUN + "会",
    "level1_markers": "一、" * (RUN // 2),
    "level3_markers": "1、" * (RUN // 2),
    "md_hashes": "# " * (RUN // 2) + "工会",
    "quotes_and_question_marks": "“工?会" * (RUN // 4),
    "more_without_visit": "更多" * (RUN // 2),
    "paragraphs": "一、工会\n\n" * (RUN // 6),
}


@pytest.mark.parametrize("name", list(LONG_RUNS))
def test_long_runs_parse_in_linear_time(name: str, tmp_path: Path) -> None:
    enc = get_encoding("o200k_base", str(tmp_path / "tk"))
    with hang_guard(10):  # each takes well under a second now; `(` + 120 KB of CJK took 60 s before
        doc = parse_document(LONG_RUNS[name], "x")
        chunk_document(doc, enc, 400, 40)


@pytest.mark.parametrize("name", ["digits", "cjk_without_close", "level1_markers", "spaces", "paren_then_cjk"])
def test_long_runs_chunks_cover_the_text(name: str, tmp_path: Path) -> None:
    """Repetitive text used to map every split piece back to the same offset: 120 KB became one 400-char chunk."""
    enc = get_encoding("o200k_base", str(tmp_path / "tk"))
    doc = parse_document(LONG_RUNS[name][:20_000], "x")
    chunks = chunk_document(doc, enc, 400, 40)
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
    covered = [False] * len(doc.text)
    for c in chunks:
        covered[c.start : c.end] = [True] * (c.end - c.start)
    missing = [i for i, (ok, ch) in enumerate(zip(covered, doc.text, strict=True)) if not ok and not ch.isspace()]
    assert not missing, f"{len(missing)} characters in no chunk, first at {missing[0]}"


def test_cleaning_rules_unchanged_by_linear_rewrites() -> None:
    out = clean_text("前文#from广告end#中间#from又一条end#后文\n#from没有结尾的\n（一）工作(重点)和(a+b)与(二)项")
    assert "前文中间后文" in out
    assert "#from没有结尾的" in out  # an unterminated marker is text, as before
    assert "工作（重点）" in out and "(a+b)" in out and "（二）项" in out


def test_markdown_heading_nesting_without_recursion() -> None:
    from drafter.documents import heading_level

    assert heading_level("## 一、关心职工") == (1, "一、关心职工")
    assert heading_level("# ## 二、劳动竞赛")[0] == 1
    assert heading_level("### 具体做法") == (3, "具体做法")
    with hang_guard(10):
        assert heading_level("# " * 50_000 + "工会")[1] == "工会"



# ---------------------------------------------------------------------------------------------------------
# (4) Zip bombs and other hostile .docx files are refused before anything is inflated


def _docx_bytes(paragraphs: list[str]) -> bytes:
    import io

    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, replace: dict[str, bytes], extra: dict[str, bytes] | None = None) -> bytes:
    """The same .docx with some parts replaced or added (deflated, as Word writes them)."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, blob in (extra or {}).items():
            dst.writestr(name, blob)
    return out.getvalue()


SUMMARY_PARAS = ["某公司2023年工会工作总结", "一年来，公司工会做了大量工作。", "一、关心困难职工", "走访慰问困难职工家庭25户。"]


def _document_xml(paragraphs: list[str], padding: int = 0) -> bytes:
    """A well-formed document.xml; `padding` bytes of whitespace after each paragraph deflate ~1000-fold."""
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
    body = b"".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>".encode() + b" " * padding for p in paragraphs)
    return head + body + b"</w:body></w:document>"


def test_docx_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    from drafter.documents import read_text_file
    from drafter.errors import BadFileError

    xml = _document_xml(SUMMARY_PARAS * 13, padding=1024 * 1024)  # 52 paragraphs, 52 MB inflated
    bomb = _rezip(_docx_bytes(SUMMARY_PARAS), {"word/document.xml": xml})
    assert len(bomb) < 300_000
    path = tmp_path / "炸弹.docx"
    path.write_bytes(bomb)
    with hang_guard(20), pytest.raises(BadFileError) as err:
        read_text_file(path)
    assert "解压" in err.value.reason and "document.xml" in err.value.reason


def _corpus_text() -> str:
    from drafter.settings import REPO_ROOT

    return "".join(p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "corpus").glob("seed-*.txt")))


def test_docx_with_too_much_inflated_text_is_refused(tmp_path: Path) -> None:
    """Not a bomb by ratio (varied text deflates ~3x) but far too big to be a summary."""
    from drafter.documents import read_text_file
    from drafter.errors import BadFileError

    paras = [p for p in _corpus_text().split("\n") if p.strip()]
    xml = _document_xml(paras * 300)
    assert len(xml) > 31 * 1024 * 1024
    path = tmp_path / "big.docx"
    path.write_bytes(_rezip(_docx_bytes(SUMMARY_PARAS), {"word/document.xml": xml}))
    with hang_guard(20), pytest.raises(BadFileError) as err:
        read_text_file(path)
    assert "过大" in err.value.reason


def test_text_far_too_long_for_a_summary_is_refused(tmp_path: Path) -> None:
    from drafter.documents import read_text_file
    from drafter.errors import BadFileError

    path = tmp_path / "long.txt"
    path.write_text(_corpus_text() * 15, encoding="utf-8")  # 590k characters
    with pytest.raises(BadFileError) as err:
        read_text_file(path)
    assert "过长" in err.value.reason


def test_docx_with_too_many_parts_is_refused(tmp_path: Path) -> None:
    from drafter.documents import read_text_file
    from drafter.errors import BadFileError

    extra = {f"customXml/item{i}.xml": b"<a/>" for i in range(3000)}
    path = tmp_path / "parts.docx"
    path.write_bytes(_rezip(_docx_bytes(SUMMARY_PARAS), {}, extra))
    with pytest.raises(BadFileError) as err:
        read_text_file(path)
    assert "3" in err.value.reason and "部件" in err.value.reason


def test_ordinary_docx_still_reads(tmp_path: Path) -> None:
    from drafter.documents import read_text_file

    path = tmp_path / "ok.docx"
    path.write_bytes(_docx_bytes(SUMMARY_PARAS * 200))
    assert "走访慰问困难职工家庭25户" in read_text_file(path)
