"""Chunks, the index (embedded and server Chroma), incremental adds, bad files, and the search CLI."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from pathlib import Path

import docx
import pytest

from drafter.cli import main as cli_main
from drafter.corpus.chunking import chunk_document
from drafter.corpus.embedding import HashEmbedder
from drafter.corpus.files import load_file
from drafter.corpus.tokens import get_encoding
from drafter.errors import BadFileError, NotFoundError
from drafter.retrieval.search import Filters
from drafter.settings import REPO_ROOT, Settings
from drafter.workspace import Workspace

CORPUS = REPO_ROOT / "corpus"
SUMMARY = "某某公司2022年工会工作总结\n\n一年来，公司工会在上级工会领导下做了大量工作。\n\n一、关心困难职工\n\n走访慰问困难职工家庭25户。\n\n二、开展劳动竞赛\n\n组织技能比武3场，参赛职工180人次。\n"


def test_chunks_stay_in_sections_and_map_back(tmp_path: Path) -> None:
    enc = get_encoding("o200k_base", str(tmp_path / "tk"))
    for path in sorted(CORPUS.glob("*.txt")):
        doc = load_file(path)
        for size in (60, 400):
            chunks = chunk_document(doc, enc, size, 10)
            for c in chunks:
                assert doc.text[c.start : c.end] == c.text
                section = doc.sections[c.section_index]
                assert section.start <= c.start and c.end <= section.end  # never straddles two sections
                assert c.section == section.path_label and c.position == section.position
                assert c.tokens == len(enc.encode(c.text))
            # Long sections really are split, and every section's text is covered by its chunks.
            for i, s in enumerate(doc.sections):
                covered = "".join(c.text for c in chunks if c.section_index == i)
                assert set(doc.text[s.start : s.end].replace("\n", "")) <= set(covered.replace("\n", ""))
        assert max(c.tokens for c in chunk_document(doc, enc, 60, 10)) <= 60 + 10


def test_placeholders_marked(fast_ws: Workspace) -> None:
    chunks = fast_ws.index.chunks()
    flagged = [c for c in chunks if c.has_placeholder]
    assert flagged and all(any(p in c.text for p in ("xx", "XX", "x", "X", "__", "*")) for c in flagged)
    assert any("20xx" in c.text for c in flagged)
    assert not any(c.has_placeholder for c in chunks if not any(p in c.text for p in "xX_*×某"))


def test_index_metadata_and_rebuild_on_config_change(data_dir: Path) -> None:
    ws = Workspace(Settings(data_dir=data_dir), embedder=HashEmbedder())
    first = ws.refresh_index()
    assert first.rebuilt and first.documents == 18 and first.embedded == first.chunks
    again = ws.refresh_index()
    assert not again.rebuilt and again.embedded == 0
    meta = ws.index.collection().metadata
    assert meta["embed_model"] == "hash-bigram-256" and meta["chunk_tokens"] == "400"
    # Another chunk size is another index: it is rebuilt, not mixed.
    ws2 = Workspace(Settings(data_dir=data_dir, chunk_tokens=200), embedder=HashEmbedder())
    rebuilt = ws2.refresh_index()
    assert rebuilt.rebuilt and rebuilt.chunks > first.chunks


def test_reopened_collection_needs_no_embedding_function(fast_ws: Workspace) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(fast_ws.settings.chroma_dir),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    col = client.get_collection("drafter_chunks")  # no embedding_function passed
    assert col.count() == len(fast_ws.index.chunks())
    ef = col.configuration["embedding_function"]
    assert type(ef).__name__ == "DrafterEmbeddingFunction" and ef.get_config() == {"model": "hash-bigram-256"}
    # Chroma embeds the query text itself with the registered function, rebuilt from the stored config.
    res = col.query(query_texts=["慰问困难职工"], n_results=3)
    assert len(res["ids"][0]) == 3


def test_incremental_add_remove(fast_ws: Workspace, tmp_path: Path) -> None:
    f = tmp_path / "summary2022.txt"
    f.write_text(SUMMARY, encoding="utf-8")
    before = len(fast_ws.index.chunks())
    added, errors = fast_ws.add_documents([f])
    assert not errors and added[0].doc_id == "summary2022" and added[0].title == "某某公司2022年工会工作总结"
    assert len(fast_ws.index.chunks()) > before
    hits = fast_ws.search("技能比武", 3, filters=Filters(doc_ids=["summary2022"]))
    assert hits and all(h.chunk.doc_id == "summary2022" for h in hits)
    # Unchanged file: nothing re-embedded.
    calls = []
    real = fast_ws.index.embedder.passages
    fast_ws.index.embedder.passages = lambda texts: calls.append(len(texts)) or real(texts)  # type: ignore[method-assign]
    fast_ws.add_documents([f])
    assert calls == []
    # A changed file re-embeds only its changed chunks.
    f.write_text(SUMMARY.replace("25户", "26户"), encoding="utf-8")
    _, refused = fast_ws.add_documents([f])  # a name in use is never overwritten silently
    assert calls == [] and "替换" in refused[0].reason
    fast_ws.add_documents([f], replace=True)
    assert sum(calls) == 1
    fast_ws.remove_document("summary2022")
    assert all(c.doc_id != "summary2022" for c in fast_ws.index.chunks())
    assert fast_ws.index.collection().count() == before
    with pytest.raises(NotFoundError):
        fast_ws.remove_document("summary2022")


def test_docx_ingestion(fast_ws: Workspace, tmp_path: Path) -> None:
    d = docx.Document()
    for para in SUMMARY.split("\n\n"):
        d.add_paragraph(para.strip())
    path = tmp_path / "report.docx"
    d.save(str(path))
    added, errors = fast_ws.add_documents([path])
    assert not errors
    info = added[0]
    assert info.title == "某某公司2022年工会工作总结" and info.sections == 3
    texts = [c.text for c in fast_ws.index.chunks() if c.doc_id == info.doc_id]
    assert any("180人次" in t for t in texts)


def test_bad_files_are_refused_and_nothing_is_lost(fast_ws: Workspace, tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text("# 2021年工会工作总结\n\n## 一、送温暖\n\n慰问困难职工12户。\n", encoding="utf-8")
    fast_ws.add_documents([good])
    before = len(fast_ws.index.chunks())
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("工会工作总结，慰问职工。".encode("gbk"))
    corrupt = tmp_path / "broken.docx"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    added, errors = fast_ws.add_documents([gbk, corrupt, empty, pdf])
    assert added == []
    assert [Path(e.path).name for e in errors] == ["gbk.txt", "broken.docx", "empty.txt", "scan.pdf"]
    assert all(isinstance(e, BadFileError) for e in errors)
    assert "UTF-8" in str(errors[0]) and ".docx" in str(errors[1])
    assert len(fast_ws.index.chunks()) == before
    assert "good" in {d.doc_id for d in fast_ws.list_documents()}


def test_cli_add_bad_file_exit_code(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTER_EMBED_MODEL", "hash-bigram-256")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    assert cli_main(["add", str(bad)]) == 2
    assert "bad.txt" in capsys.readouterr().err


def test_search_json_shape_and_batch(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTER_EMBED_MODEL", "hash-bigram-256")
    assert cli_main(["index"]) == 0
    capsys.readouterr()
    assert cli_main(["search", "慰问困难职工", "--k", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    hits = out["hits"]
    assert len(hits) == 5
    for h in hits:
        assert {"text", "doc_id", "title", "section", "score"} <= h.keys()
        assert h["doc_id"].startswith("seed-") and h["text"]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert len({h["doc_id"] for h in hits}) >= 3  # diversity: not five chunks of one summary
    batch = tmp_path / "q.txt"
    batch.write_text("送温暖\n\n明年的工作打算\n", encoding="utf-8")
    assert cli_main(["search", "--batch", str(batch), "--k", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    plans = json.loads(lines[1])["hits"]
    assert all(h["position"] == "plans" for h in plans)
    assert cli_main(["search", "", "--json"]) == 2


def test_filters(fast_ws: Workspace) -> None:
    hits = fast_ws.search("工会工作", 5, filters=Filters(positions=["opening"]))
    assert hits and all(h.chunk.position == "opening" for h in hits)
    hits = fast_ws.search("工会工作", 5, filters=Filters(levels=[2]))
    assert hits and all(h.chunk.level == 2 for h in hits)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path):
    exe = shutil.which("chroma") or str(Path(__import__("sys").executable).parent / "chroma")
    port = _free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "srv"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import chromadb

    deadline = time.time() + 30
    while True:
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            break
        except Exception:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("chroma server did not start")
            time.sleep(0.2)
    yield port
    proc.terminate()
    proc.wait(10)


def test_chroma_server_mode(chroma_server: int, data_dir: Path) -> None:
    ws = Workspace(Settings(data_dir=data_dir, chroma_host="127.0.0.1", chroma_port=chroma_server),
                   embedder=HashEmbedder())
    report = ws.refresh_index()
    assert report.chunks > 150
    assert not (data_dir / "chroma").exists()  # nothing embedded locally: the server holds the vectors
    import chromadb

    remote = chromadb.HttpClient(host="127.0.0.1", port=chroma_server).get_collection("drafter_chunks")
    assert remote.count() == report.chunks
    hits = ws.search("职代会 民主管理", 3)
    assert len(hits) == 3 and hits[0].chunk.doc_id.startswith("seed-")


def test_server_down_says_how_to_fix(data_dir: Path) -> None:
    from drafter.errors import SearchIndexError

    ws = Workspace(Settings(data_dir=data_dir, chroma_host="127.0.0.1", chroma_port=_free_port()),
                   embedder=HashEmbedder())
    with pytest.raises(SearchIndexError, match="CHROMA_HOST"):
        ws.refresh_index()


def test_offline_embedder_finds_paraphrases(real_ws: Workspace) -> None:
    """The shipped model, no network: a paraphrase finds the 慰问/送温暖 sections."""
    hits = real_ws.search("给生活困难的员工送温暖", 5)
    assert any("温暖" in h.chunk.section or "慰问" in h.chunk.text for h in hits[:2])
    plans = real_ws.search("明年的工作打算", 5)
    assert plans[0].chunk.position == "plans"


def test_shipped_vectors_skip_the_model_on_a_fresh_install(real_ws: Workspace) -> None:
    """The bundled corpus ships its vectors keyed by (model, text) hash: a fresh index runs the model on none."""
    assert real_ws.index.cache.computed == 0
    assert len(real_ws.index.chunks()) > 150


def test_embedding_cache_reuses_vectors_across_rebuilds(data_dir: Path) -> None:
    ws = Workspace(Settings(data_dir=data_dir), embedder=HashEmbedder())
    first = ws.refresh_index()
    assert first.computed == first.chunks  # the hash embedder has no shipped vectors
    forced = ws.refresh_index(force=True)
    assert forced.rebuilt and forced.embedded == forced.chunks and forced.computed == 0


def test_index_search_and_check_commands_do_not_load_the_drafts_database(tmp_path: Path) -> None:
    """`drafter index`, `search` and `check` never open the drafts database, so they start without SQLAlchemy,
    Alembic or argon2 (~0.2 s and 13 MB of every such command)."""
    import sys

    (tmp_path / "draft.txt").write_text("全年走访慰问困难职工30户。", encoding="utf-8")
    (tmp_path / "facts.txt").write_text("走访慰问困难职工30户\n", encoding="utf-8")
    code = ("import sys; from drafter.cli import main; "
            "codes = [main(['index']), main(['search', '慰问困难职工']), "
            f"main(['check', '{tmp_path / 'draft.txt'}', '--facts', '{tmp_path / 'facts.txt'}'])]; "
            "print(codes, sorted(m for m in ('sqlalchemy', 'alembic', 'argon2') if m in sys.modules))")
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("DRAFTER_", "OPENAI_"))}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
                         env={**env, "DRAFTER_DATA_DIR": str(tmp_path / "data")})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[0, 0, 0] []", out.stdout[-2000:]


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_offline_encodings_count_as_tiktoken_does_without_their_python_rank_table(name: str, tmp_path: Path) -> None:
    """The shipped encodings, with tiktoken's Python copy of the merge ranks dropped (28 MB; it only serves
    pickling), give the same tokens as an encoding built afresh from the same file."""
    import tiktoken
    import tiktoken_ext.openai_public as public

    enc = get_encoding(name, str(tmp_path / "tk"))  # also points tiktoken at the unpacked files: no network
    reference = tiktoken.Encoding(**getattr(public, name)())
    texts = ["2024年，公司工会走访慰问困难职工家庭32户，发放慰问金6.4万元。", "ISO9001、5G、12351热线 😊 𠀀𪚥",
             "一、加强民主管理\n\n（一）召开职代会2次，提案18件，办结率100%。" * 20, ""]
    for text in texts:
        assert enc.encode(text, disallowed_special=()) == reference.encode(text, disallowed_special=())
    assert not enc._mergeable_ranks  # the 200,000-entry dict is gone from the shared encoding
