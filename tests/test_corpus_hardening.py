"""Hostile and unlucky corpus input: long runs that made regexes quadratic, zip bombs, bad upload names,
colliding ids, changes made by another process, crashes mid-add, and duplicate documents."""

from __future__ import annotations

import contextlib
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.corpus.chunking import chunk_document
from drafter.corpus.documents import clean_text, parse_document
from drafter.corpus.tokens import get_encoding

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
    from drafter.corpus.documents import heading_level

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
    from drafter.corpus.files import read_text_file
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
    from drafter.corpus.files import read_text_file
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
    from drafter.corpus.files import read_text_file
    from drafter.errors import BadFileError

    path = tmp_path / "long.txt"
    path.write_text(_corpus_text() * 15, encoding="utf-8")  # 590k characters
    with pytest.raises(BadFileError) as err:
        read_text_file(path)
    assert "过长" in err.value.reason


def test_docx_with_too_many_parts_is_refused(tmp_path: Path) -> None:
    from drafter.corpus.files import read_text_file
    from drafter.errors import BadFileError

    extra = {f"word/padding/part{i}.xml": b"<a/>" for i in range(3000)}
    path = tmp_path / "parts.docx"
    path.write_bytes(_rezip(_docx_bytes(SUMMARY_PARAS), {}, extra))
    with pytest.raises(BadFileError) as err:
        read_text_file(path)
    assert "3" in err.value.reason and "部件" in err.value.reason


def test_docx_entity_expansion_is_not_performed(tmp_path: Path) -> None:
    """A billion-laughs document.xml: python-docx's parser does not resolve entities; this pins that."""
    from drafter.corpus.files import read_text_file
    from drafter.errors import BadFileError

    lol = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "哈哈">{lol}]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           '<w:p><w:r><w:t>工会工作总结&l9;</w:t></w:r></w:p></w:body></w:document>').encode()
    path = tmp_path / "lol.docx"
    path.write_bytes(_rezip(_docx_bytes(SUMMARY_PARAS), {"word/document.xml": xml}))
    with hang_guard(20):
        try:
            text = read_text_file(path)
        except BadFileError:
            return
    assert len(text) < 10_000


def test_ordinary_docx_still_reads(tmp_path: Path) -> None:
    from drafter.corpus.files import read_text_file

    path = tmp_path / "ok.docx"
    path.write_bytes(_docx_bytes(SUMMARY_PARAS * 200))
    assert "走访慰问困难职工家庭25户" in read_text_file(path)


# ---------------------------------------------------------------------------------------------------------
# Shared by the corpus tests below

SUMMARY = ("某某公司2022年工会工作总结\n\n一年来，公司工会在上级工会领导下做了大量工作。\n\n一、关心困难职工\n\n"
           "走访慰问困难职工家庭25户。\n\n二、开展劳动竞赛\n\n组织技能比武3场，参赛职工180人次。\n")


def _summary(tag: str) -> str:
    """A distinct small summary; `tag` is a made-up word only this document contains."""
    return (f"{tag}公司2022年工会工作总结\n\n一年来，{tag}公司工会认真履职。\n\n一、关心困难职工\n\n"
            f"走访慰问{tag}困难职工家庭25户。\n\n二、开展劳动竞赛\n\n组织{tag}技能比武3场。\n")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _doc_ids_everywhere(ws) -> tuple[set[str], set[str], set[str]]:  # type: ignore[no-untyped-def]
    """(listed, in the chunk table, in Chroma): what list shows and what search can return."""
    ws.ensure_index()
    listed = {d.doc_id for d in ws.list_documents()}
    table = {c.doc_id for c in ws.index.chunks()}
    col = ws.index.collection()
    dense = {m["doc_id"] for m in col.get(include=["metadatas"], limit=100_000)["metadatas"]}
    return listed, table, dense


def _assert_agree(ws) -> set[str]:  # type: ignore[no-untyped-def]
    listed, table, dense = _doc_ids_everywhere(ws)
    assert listed == table == dense
    return listed


# ---------------------------------------------------------------------------------------------------------
# (6) Upload names


@pytest.mark.parametrize("name", ["..", ".", "/", "a\x00b.txt", "二〇二二年度工会工作总结" * 8 + ".txt", "", "x/",
                                  "总结\u202etxt.exe", "报告.pdf"])
def test_safe_upload_name_refuses_bad_names(name: str) -> None:
    from drafter.corpus.files import safe_upload_name
    from drafter.errors import BadFileError

    with pytest.raises(BadFileError) as err:
        safe_upload_name(name)
    assert re.search(r"[\u4e00-\u9fff]", err.value.reason)


def test_safe_upload_name_keeps_only_the_last_component() -> None:
    from drafter.corpus.files import safe_upload_name

    assert safe_upload_name("../../etc/总结.txt") == "总结.txt"
    assert safe_upload_name("C:\\Users\\王\\2022年总结.docx") == "2022年总结.docx"
    assert safe_upload_name("二〇二二年度总结.md") == "二〇二二年度总结.md"


def test_bad_upload_names_do_not_drop_good_files(fast_ws) -> None:  # type: ignore[no-untyped-def]
    long_name = "二〇二二年度工会工作总结" * 8 + ".txt"
    files = [("..", b"x"), (".", b"x"), ("/", b"x"), ("a\x00.txt", b"x"), (long_name, _summary("长名").encode()),
             ("好文件.txt", _summary("好文件").encode()), ("second.md", _summary("第二篇").encode())]
    added, errors = fast_ws.add_uploads(files)
    assert sorted(d.source for d in added) == ["second.md", "好文件.txt"]
    assert len(errors) == 5
    assert all(re.search(r"[\u4e00-\u9fff]", e.reason) for e in errors)
    assert any("过长" in e.reason for e in errors) and any("控制字符" in e.reason for e in errors)
    listed = _assert_agree(fast_ws)
    assert {d.doc_id for d in added} <= listed


def test_one_unexpected_failure_does_not_drop_the_other_files(fast_ws, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import drafter.corpus.adding as index_mod  # add_files reads the files there

    real = index_mod.read_text_file

    def flaky(path: Path) -> str:
        if path.name == "boom.txt":
            raise RuntimeError("unexpected")
        return real(path)

    monkeypatch.setattr(index_mod, "read_text_file", flaky)
    good = _write(tmp_path, "fine.txt", _summary("正常"))
    boom = _write(tmp_path, "boom.txt", _summary("爆炸"))
    added, errors = fast_ws.add_documents([boom, good])
    assert [d.doc_id for d in added] == ["fine"] and [Path(e.path).name for e in errors] == ["boom.txt"]


# ---------------------------------------------------------------------------------------------------------
# (7) Ids never collide, a name in use is never overwritten silently, list and search agree


def test_bundled_ids_are_reserved(fast_ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from drafter.retrieval.search import Filters

    added, errors = fast_ws.add_documents([_write(tmp_path, "seed-01.txt", _summary("影子"))])
    assert not errors and added[0].doc_id != "seed-01" and added[0].doc_id.startswith("seed-01")
    docs = {d.doc_id: d for d in fast_ws.list_documents()}
    assert docs["seed-01"].bundled and docs["seed-01"].title == "2023年工会年度工作总结范文 篇1"
    assert not docs[added[0].doc_id].bundled
    hits = fast_ws.search("影子技能比武", 3, filters=Filters(doc_ids=[added[0].doc_id]))
    assert hits and "影子" in hits[0].chunk.text
    assert all("影子" not in h.chunk.text for h in fast_ws.search("技能比武", 5, filters=Filters(doc_ids=["seed-01"])))
    _assert_agree(fast_ws)


def test_same_name_is_refused_unless_replace(fast_ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first, _ = fast_ws.add_documents([_write(tmp_path, "dup.txt", _summary("甲乙"))])
    other = tmp_path / "other"
    other.mkdir()
    added, errors = fast_ws.add_documents([_write(other, "Dup.md", _summary("丙丁"))])
    assert added == [] and "dup" in errors[0].reason and "替换" in errors[0].reason
    assert [c for c in fast_ws.index.chunks() if "甲乙" in c.text] and not [c for c in fast_ws.index.chunks() if "丙丁" in c.text]
    added, errors = fast_ws.add_documents([other / "Dup.md"], replace=True)
    assert not errors and added[0].doc_id == first[0].doc_id and added[0].source == "Dup.md"
    texts = " ".join(c.text for c in fast_ws.index.chunks())
    assert "丙丁" in texts and "甲乙" not in texts
    assert len([d for d in fast_ws.list_documents() if not d.bundled]) == 1
    _assert_agree(fast_ws)


def test_cli_add_replace_flag(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    from drafter.cli import main as cli_main

    monkeypatch.setenv("DRAFTER_EMBED_MODEL", "hash-bigram-256")
    path = _write(tmp_path, "年度总结.txt", _summary("初版"))
    assert cli_main(["add", str(path)]) == 0
    path.write_text(_summary("修订版"), encoding="utf-8")
    capsys.readouterr()
    assert cli_main(["add", str(path)]) == 2
    assert "--replace" in capsys.readouterr().err
    assert cli_main(["add", "--replace", str(path)]) == 0
    assert "已添加" in capsys.readouterr().out
    assert cli_main(["list", "--json"]) == 0
    import json

    docs = [d for d in json.loads(capsys.readouterr().out)["documents"] if not d["bundled"]]
    assert len(docs) == 1 and "修订版" in docs[0]["title"]


def test_list_and_search_agree_after_every_step(fast_ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = _assert_agree(fast_ws)
    steps = [
        ("add", "a.txt", "甲"), ("add", "b.md", "乙"), ("add", "seed-02.txt", "丙"), ("add", "A.md", "丁"),
        ("replace", "A.md", "戊"), ("remove", "b", ""), ("add", "b.txt", "己"), ("remove", "a", ""),
        ("add", "总结.docx.txt", "庚"), ("add", "总结.txt", "辛"),
    ]
    for i, (op, name, tag) in enumerate(steps):
        if op == "remove":
            fast_ws.remove_document(name)
        else:
            folder = tmp_path / str(i)
            folder.mkdir()
            fast_ws.add_documents([_write(folder, name, _summary(tag))], replace=op == "replace")
        listed = _assert_agree(fast_ws)
        assert base <= listed
    user = {d.doc_id for d in fast_ws.list_documents() if not d.bundled}
    assert len(user) == len({d.doc_id.casefold() for d in fast_ws.list_documents()}) - len(base)
    assert len(user) == 4  # seed-02-2, b, and the two 总结 names


# ---------------------------------------------------------------------------------------------------------
# (8) Changes made by another process; crashes mid-add


def _hash_ws(data_dir: Path):  # type: ignore[no-untyped-def]
    from drafter.corpus.embedding import HashEmbedder
    from drafter.settings import Settings
    from drafter.workspace import Workspace

    return Workspace(Settings(data_dir=data_dir), embedder=HashEmbedder())


def test_a_second_index_on_the_same_data_dir_sees_adds_and_removes(data_dir: Path, tmp_path: Path) -> None:
    from drafter.retrieval.search import Filters

    server, cli = _hash_ws(data_dir), _hash_ws(data_dir)
    server.refresh_index()
    assert server.search("技能比武", 3)  # warm: chunks, BM25 and Chroma loaded in the "server"
    added, _ = cli.add_documents([_write(tmp_path, "外部.txt", _summary("琥珀"))])
    doc_id = added[0].doc_id
    hits = server.search("琥珀技能比武", 5, filters=Filters(doc_ids=[doc_id]))
    assert hits and all(h.chunk.doc_id == doc_id for h in hits)
    dense = server.search("琥珀技能比武", 5, mode="dense", filters=Filters(doc_ids=[doc_id]))
    assert dense and dense[0].chunk.doc_id == doc_id  # the vectors too, not only the chunk table
    assert doc_id in {d.doc_id for d in server.list_documents()}
    _assert_agree(server)
    cli.remove_document(doc_id)
    assert not server.search("琥珀技能比武", 5, filters=Filters(doc_ids=[doc_id]))
    assert doc_id not in _assert_agree(server)
    # A third change: the server reopens Chroma again and retires the old client, which the other index
    # in this process still uses: it must keep working.
    again, _ = cli.add_documents([_write(tmp_path, "再来.txt", _summary("珊瑚"))])
    assert server.search("珊瑚技能比武", 3, mode="dense", filters=Filters(doc_ids=[again[0].doc_id]))
    assert cli.search("珊瑚技能比武", 3, mode="dense", filters=Filters(doc_ids=[again[0].doc_id]))
    assert _assert_agree(server) == _assert_agree(cli)


def _drafter_env(data_dir: Path) -> dict[str, str]:
    import os

    from drafter.settings import REPO_ROOT

    return {**os.environ, "DRAFTER_DATA_DIR": str(data_dir), "DRAFTER_EMBED_MODEL": "hash-bigram-256",
            "PYTHONPATH": str(REPO_ROOT)}


def test_cli_add_in_another_process_is_found_by_a_running_workspace(data_dir: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    from drafter.retrieval.search import Filters

    server = _hash_ws(data_dir)
    server.refresh_index()
    server.search("技能比武", 3)
    path = _write(tmp_path, "cli_doc.txt", _summary("玛瑙"))
    proc = subprocess.Popen([sys.executable, "-m", "drafter", "add", str(path)], env=_drafter_env(data_dir),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    searches = 0
    while proc.poll() is None:  # the "server" keeps searching while the other process adds
        assert len(server.search("技能比武", 3)) == 3
        listed, table, _ = _doc_ids_everywhere(server)
        assert listed == table
        searches += 1
    assert proc.wait(300) == 0 and searches > 0
    hits = server.search("玛瑙技能比武", 3, filters=Filters(doc_ids=["cli_doc"]))
    assert hits and hits[0].chunk.doc_id == "cli_doc"
    assert "dense" in hits[0].ranks
    _assert_agree(server)


@pytest.mark.parametrize("failing_step", ["_embed_and_add", "_write_chunks", "_write_manifest"])
def test_a_failure_mid_add_leaves_nothing(fast_ws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                          failing_step: str) -> None:
    from drafter.corpus.index import CorpusIndex
    from drafter.errors import NotFoundError

    before = _assert_agree(fast_ws)

    def crash(self: object, *args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated crash")

    with monkeypatch.context() as m:
        m.setattr(CorpusIndex, failing_step, crash)
        with pytest.raises(RuntimeError):
            fast_ws.add_documents([_write(tmp_path, "half.txt", _summary("半截"))])
    assert _assert_agree(fast_ws) == before
    assert not (fast_ws.index.docs_dir / "half.txt").exists()
    with pytest.raises(NotFoundError):
        fast_ws.remove_document("half")
    fresh = _hash_ws(fast_ws.settings.data_dir)  # a restart sees the same
    assert _assert_agree(fresh) == before
    added, errors = fresh.add_documents([tmp_path / "half.txt"])  # and the file can be added afterwards
    assert not errors and added[0].doc_id == "half"
    assert "half" in _assert_agree(fresh)


def test_kill_9_mid_add_leaves_a_complete_listed_document(data_dir: Path, tmp_path: Path) -> None:
    """A real SIGKILL after the document is committed but before it is indexed: the next process adopts it."""
    import subprocess
    import sys

    _hash_ws(data_dir).refresh_index()
    path = _write(tmp_path, "killed.txt", _summary("翡翠"))
    script = (
        "import os, signal, sys\n"
        "from drafter.corpus.index import CorpusIndex\n"
        "CorpusIndex._embed_and_add = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from drafter.cli import main\n"
        "sys.exit(main(['add', sys.argv[1]]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(path)], env=_drafter_env(data_dir),
                          capture_output=True, timeout=300)
    assert proc.returncode == -9
    ws = _hash_ws(data_dir)
    listed = _assert_agree(ws)
    assert "killed" in listed
    assert any("翡翠" in h.chunk.text for h in ws.search("翡翠技能比武", 5))
    ws.remove_document("killed")
    assert "killed" not in _assert_agree(_hash_ws(data_dir))  # and it does not come back


# ---------------------------------------------------------------------------------------------------------
# (15) Duplicate documents


def test_identical_content_under_another_name_is_refused(fast_ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from drafter.settings import REPO_ROOT

    first, _ = fast_ws.add_documents([_write(tmp_path, "原件.txt", _summary("孪生"))])
    added, errors = fast_ws.add_documents([_write(tmp_path, "副本.txt", _summary("孪生"))])
    assert added == [] and first[0].doc_id in errors[0].reason and "相同" in errors[0].reason
    seed = (REPO_ROOT / "corpus" / "seed-03.txt").read_text(encoding="utf-8")
    added, errors = fast_ws.add_documents([_write(tmp_path, "我的范文.txt", seed)])
    assert added == [] and "seed-03" in errors[0].reason
    assert len([d for d in fast_ws.list_documents() if not d.bundled]) == 1


def test_search_never_returns_the_same_text_twice(fast_ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from drafter.retrieval.search import Filters

    shared = "\n\n二、开展劳动竞赛\n\n组织青工技能比武和岗位练兵，评选红旗班组9个，职工合理化建议168条。\n"
    a = _write(tmp_path, "a.txt", _summary("子丑") + shared)
    b = _write(tmp_path, "b.txt", _summary("寅卯").replace("二、开展劳动竞赛", "三、其他") + shared)
    added, errors = fast_ws.add_documents([a, b])
    assert not errors and len(added) == 2
    ids = [d.doc_id for d in added]
    hits = fast_ws.search("青工技能比武 红旗班组 合理化建议", 6, filters=Filters(doc_ids=ids))
    texts = [h.chunk.text for h in hits]
    assert any("红旗班组" in t for t in texts)
    assert len(texts) == len(set(texts))


def test_upload_route_refuses_bad_names_by_name_and_keeps_the_rest(fast_ws) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from drafter.api import create_app

    client = TestClient(create_app(fast_ws))
    long_name = "二〇二二年度工会工作总结" * 8 + ".txt"
    files = [("files", (n, b"x", "text/plain")) for n in ("..", ".", "/", "a\x00.txt")]
    files += [("files", (long_name, _summary("长名").encode(), "text/plain")),
              ("files", ("好.txt", _summary("好的").encode(), "text/plain"))]
    r = client.post("/api/v1/corpus", files=files)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [d["source"] for d in body["added"]] == ["好.txt"]
    assert len(body["errors"]) == 5 and all(re.search(r"[\u4e00-\u9fff]", e["detail"]) for e in body["errors"])
    assert all("/tmp" not in e["file"] and "drafter-upload" not in e["file"] for e in body["errors"])
    # The same name again is refused (409-style conflict reported per file) unless replace is asked for.
    again = [("files", ("好.txt", _summary("新版").encode(), "text/plain"))]
    r = client.post("/api/v1/corpus", files=again)
    assert r.status_code == 422 and "替换" in r.json()["detail"]
    r = client.post("/api/v1/corpus", params={"replace": "true"}, files=again)
    assert r.status_code == 200 and r.json()["added"][0]["doc_id"] == body["added"][0]["doc_id"]
    _assert_agree(fast_ws)


def test_an_unreadable_stored_file_is_set_aside_not_half_listed(fast_ws) -> None:  # type: ignore[no-untyped-def]
    docs = fast_ws.index.docs_dir
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "junk.txt").write_bytes(b"\xff\xfe not utf-8")
    listed = _assert_agree(_hash_ws(fast_ws.settings.data_dir))
    assert "junk" not in listed and (docs / "junk.txt.broken").exists()
    assert _assert_agree(fast_ws) == listed


def test_adds_removes_and_searches_on_threads_do_not_deadlock(fast_ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The API runs each request in a worker thread: adds, removes and searches interleave freely."""
    import threading
    import traceback

    failures: list[str] = []
    stop = threading.Event()

    def guarded(fn):  # type: ignore[no-untyped-def]
        def run() -> None:
            try:
                fn()
            except BaseException:  # reported by the test, with where it happened
                failures.append(traceback.format_exc())
        return run

    def writer(tag: str) -> None:
        for i in range(3):
            folder = tmp_path / f"{tag}{i}"
            folder.mkdir()
            added, errors = fast_ws.add_documents([_write(folder, f"{tag}{i}.txt", _summary(f"{tag}{i}号"))])
            assert added and not errors
        fast_ws.remove_document(f"{tag}1")

    def reader() -> None:
        while not stop.is_set():
            assert len(fast_ws.search("技能比武", 3)) == 3
            fast_ws.list_documents()

    writers = [threading.Thread(target=guarded(lambda t=t: writer(t))) for t in ("w", "v")]
    readers = [threading.Thread(target=guarded(reader)) for _ in range(2)]
    for t in writers + readers:
        t.start()
    for t in writers:
        t.join(120)
    stop.set()
    for t in readers:
        t.join(30)
    assert not any(t.is_alive() for t in writers + readers), "deadlock"
    assert not failures, "\n".join(failures)
    user = {d.doc_id for d in fast_ws.list_documents() if not d.bundled}
    assert user == {"w0", "w2", "v0", "v2"}
    _assert_agree(fast_ws)
