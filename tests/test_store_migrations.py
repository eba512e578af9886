"""Upgrading keeps every draft (a database in the first schema is migrated), and a backup restores every
draft and version into an empty database on either engine (SQLite ⇄ PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from drafter.cli import main as cli_main
from drafter.facts import load_facts
from drafter.models import Draft, Section
from drafter.storage.db import current_revision, head_revision
from drafter.workspace import Workspace
from tests.support.databases import ENGINES, fresh_url
from tests.support.gated import bare_workspace
from tests.support.legacy_store import SCHEMA as LEGACY_SCHEMA
from tests.support.legacy_store import DraftStore as LegacyStore

pytest_plugins = ["tests.support.db_fixtures"]
FACTS = Path(__file__).parent / "data" / "facts" / "manufacturer_six_sections.txt"


def legacy_drafts() -> list[tuple[Draft, dict[int, list[Section]]]]:
    """Three drafts as the first schema held them: finished (one section regenerated twice), crashed
    mid-draft (sections pending), and one with a failed section; with the versions of each section."""
    facts = load_facts(FACTS)
    out = []
    for n, states in enumerate([["done"] * 5, ["done", "done", "pending", "done", "pending"],
                                ["done", "failed", "done", "done", "done"]]):
        sections = [Section(index=i, kind="body", heading=f"{'一二三四五'[i]}、第{i}部分", facts=facts.items[i:i + 1],
                            text=f"草稿{n}第{i}节正文。" if st == "done" else "", status=st,  # type: ignore[arg-type]
                            error="模型无响应" if st == "failed" else "")
                    for i, st in enumerate(states)]
        draft = Draft(id=f"legacy{n}", title=f"旧草稿{n}", backend="offline", facts=facts, sections=sections,
                      created_at=f"2024-0{n + 1}-01T00:00:00+00:00")
        history = {s.index: [s] for s in sections if s.status != "pending"}
        if n == 0:
            history[1] += [sections[1].model_copy(update={"version": v, "text": f"重写{v}次的第一节。",
                                                          "instruction": "更简洁"}) for v in (1, 2)]
        out.append((draft, history))
    return out


def make_legacy_database(url: str) -> list[tuple[Draft, dict[int, list[Section]]]]:
    """SQLite: written by the first schema's own code (a frozen copy). PostgreSQL never had that schema;
    the same tables and rows are made with the same SQL, so the upgrade path is exercised there too."""
    made = legacy_drafts()
    if url.startswith("sqlite"):
        old = LegacyStore(Path(url.removeprefix("sqlite:///")))
        for draft, history in made:
            old.save(draft.model_copy(update={"sections": [s.model_copy(update={"status": "pending", "text": ""})
                                                           for s in draft.sections]}))
            for versions in history.values():
                for s in versions:
                    old.save_section(draft, s)
        old.close()
        return made
    engine = sa.create_engine(url)
    with engine.begin() as c:
        for statement in LEGACY_SCHEMA.split(";"):
            if statement.strip():
                c.exec_driver_sql(statement)
        for draft, history in made:
            shown = draft.model_copy(update={"sections": [history.get(s.index, [s])[-1] for s in draft.sections]})
            c.execute(sa.text("INSERT INTO drafts VALUES (:id, :title, :backend, :c, :u, :body)"),
                      {"id": draft.id, "title": draft.title, "backend": draft.backend, "c": draft.created_at,
                       "u": draft.updated_at, "body": shown.model_dump_json()})
            for versions in history.values():
                for s in versions:
                    c.execute(sa.text("INSERT INTO section_versions VALUES (:d, :i, :v, :c, :body)"),
                              {"d": draft.id, "i": s.index, "v": s.version, "c": draft.created_at,
                               "body": s.model_dump_json()})
    engine.dispose()
    return made


def test_upgrade_from_the_first_schema_keeps_every_draft_and_version(data_dir: Path, db_url: str) -> None:
    made = make_legacy_database(db_url)
    ws = bare_workspace(data_dir, db_url)
    with ws.store.engine.connect() as c:
        assert current_revision(c) == head_revision()
        assert not {"drafts_v1", "section_versions_v1"} & set(sa.inspect(c).get_table_names())
    listed = {r["id"]: r for r in ws.list_drafts()}
    assert set(listed) == {"legacy0", "legacy1", "legacy2"}
    assert [listed[f"legacy{n}"]["status"] for n in range(3)] == ["done", "interrupted", "failed"]
    for draft, history in made:
        got = ws.get_draft(draft.id)
        assert (got.title, got.backend, got.facts, got.created_at) == (draft.title, draft.backend, draft.facts,
                                                                       draft.created_at)
        for s in got.sections:
            versions = history.get(s.index, [])
            assert ws.store.versions(draft.id, s.index) == versions
            assert s == (versions[-1] if versions else draft.sections[s.index])
    # Versions continue from the history: the next edit of the twice-regenerated section is version 3.
    edited = ws.edit_section("legacy0", 1, text="迁移后再改一次。")
    assert edited.sections[1].version == 3
    assert [v.version for v in ws.store.versions("legacy0", 1)] == [0, 1, 2, 3]
    # The interrupted draft can be resumed: only its pending sections are written.
    resumed = asyncio.run(ws.resume("legacy1"))
    assert resumed.status == "done" and [s.version for s in resumed.sections] == [0] * 5
    assert resumed.sections[0] == made[1][0].sections[0]
    # Opening again migrates nothing and loses nothing.
    again = bare_workspace(data_dir, db_url)
    assert again.get_draft("legacy0") == ws.get_draft("legacy0")


def _draft_everything(ws: Workspace) -> list[str]:
    """Drafts with edits, regenerations and an interrupted one."""
    first = asyncio.run(ws.draft(load_facts(FACTS)))
    ws.edit_section(first.id, 1, text="用户改写的第一节，含“引号”和\\反斜杠。")
    asyncio.run(ws.regenerate(first.id, 2, "更简洁"))
    asyncio.run(ws.regenerate(first.id, 2))
    second = asyncio.run(ws.draft(load_facts(FACTS)))
    crashed = Draft(id="crashed0", title="中断的草稿", backend="offline", facts=load_facts(FACTS), status="running",
                    sections=[Section(index=i, kind="body", heading=f"第{i}部分") for i in range(3)])
    ws.store.save(crashed)
    ws.store.save_section(crashed.id, crashed.sections[0].model_copy(update={"text": "写完的一节。", "status": "done"}))
    ws.store.finish(crashed.id)
    return [first.id, second.id, crashed.id]


def _everything(ws: Workspace) -> dict[str, object]:
    out: dict[str, object] = {"list": ws.list_drafts()}
    for row in ws.list_drafts():
        draft = ws.get_draft(row["id"])
        out[draft.id] = (draft, [ws.store.versions(draft.id, s.index) for s in draft.sections])
    return out


@pytest.mark.parametrize("target", ENGINES)
def test_backup_then_restore_into_an_empty_database(target: str, data_dir: Path, db_url: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    source = bare_workspace(data_dir, db_url)
    ids = _draft_everything(source)
    before = _everything(source)
    assert {r["id"]: r["status"] for r in before["list"]}[ids[2]] == "interrupted"  # type: ignore[union-attr]
    dump = tmp_path / "drafts.jsonl"
    monkeypatch.setenv("DRAFTER_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DRAFTER_DATABASE_URL", db_url)
    assert cli_main(["backup", str(dump)]) == 0
    lines = [json.loads(x) for x in dump.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["format"] == "drafter-backup" and lines[0]["revision"] == head_revision()
    assert lines[-1]["rows"]["drafts"] == 3 and lines[-1]["rows"]["section_versions"] > 3

    for url in fresh_url(target, tmp_path / "restored"):
        monkeypatch.setenv("DRAFTER_DATA_DIR", str(tmp_path / "restored"))
        monkeypatch.setenv("DRAFTER_DATABASE_URL", url)
        assert cli_main(["restore", str(dump)]) == 0
        restored = bare_workspace(tmp_path / "restored", url)
        assert _everything(restored) == before
        # A second restore would mix two databases: refused, nothing changed.
        capsys.readouterr()
        assert cli_main(["restore", str(dump)]) == 2
        assert "空数据库" in capsys.readouterr().err
        assert _everything(restored) == before
        # The restored database works: versions continue.
        assert restored.edit_section(ids[0], 2, text="恢复后的修改。").sections[2].version == 3


def test_restore_refuses_a_cut_file_and_loads_an_older_schemas_backup(data_dir: Path, db_url: str,
                                                                     tmp_path: Path) -> None:
    source = bare_workspace(tmp_path / "src", f"sqlite:///{tmp_path / 'src.sqlite3'}")
    _draft_everything(source)
    dump = tmp_path / "drafts.jsonl"
    source.backup(dump)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(dump.read_text(encoding="utf-8").splitlines(keepends=True)[:-3]), encoding="utf-8")
    ws = bare_workspace(data_dir, db_url)
    from drafter.errors import InputError

    with pytest.raises(InputError, match="不完整"):
        ws.restore(cut)
    assert ws.list_drafts() == []
    with pytest.raises(InputError, match="不是 drafter 的备份文件"):
        ws.restore(FACTS)
    # A backup taken at revision 0001 (the first schema's tables) is loaded there, then migrated.
    old = tmp_path / "old.jsonl"
    made = legacy_drafts()
    rows = []
    for draft, history in made:
        shown = draft.model_copy(update={"sections": [history.get(s.index, [s])[-1] for s in draft.sections]})
        rows.append({"table": "drafts", "row": {"id": draft.id, "title": draft.title, "backend": draft.backend,
                                                "created_at": draft.created_at, "updated_at": draft.updated_at,
                                                "body": shown.model_dump_json()}})
    for draft, history in made:
        for versions in history.values():
            rows += [{"table": "section_versions", "row": {"draft_id": draft.id, "idx": s.index, "version": s.version,
                                                           "created_at": draft.created_at,
                                                           "body": s.model_dump_json()}} for s in versions]
    counts = {"drafts": 3, "section_versions": sum(len(v) for _, h in made for v in h.values())}
    header = {"format": "drafter-backup", "version": 1, "revision": "0001", "tables": ["drafts", "section_versions"]}
    old.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [header, *rows, {"end": True, "rows": counts}]),
                   encoding="utf-8")
    assert ws.restore(old) == counts
    assert {r["id"]: r["status"] for r in ws.list_drafts()} == {"legacy0": "done", "legacy1": "interrupted",
                                                               "legacy2": "failed"}
    assert [v.version for v in ws.store.versions("legacy0", 1)] == [0, 1, 2]


def test_processes_starting_at_once_migrate_once(data_dir: Path, db_url: str) -> None:
    """Several workers starting together on an empty database: one migrates, the others wait and find the
    schema current (SQLite write lock / PostgreSQL advisory lock); none fails."""
    import subprocess
    import sys

    from drafter.settings import REPO_ROOT

    code = ("import sys; from drafter.storage.drafts import DraftStore; s = DraftStore(sys.argv[1]); "
            "print(len(s.list()))")
    procs = [subprocess.Popen([sys.executable, "-c", code, db_url], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0 and out.strip() == "0", err[-2000:]
    ws = bare_workspace(data_dir, db_url)
    with ws.store.engine.connect() as c:
        assert current_revision(c) == head_revision()


def test_a_current_database_opens_without_alembic_and_an_older_one_still_migrates(data_dir: Path,
                                                                                   db_url: str) -> None:
    """The start-up fast path: at the newest revision, opening the store reads one row and never loads Alembic;
    one revision behind, the missing migration runs."""
    import subprocess
    import sys

    from drafter.settings import REPO_ROOT
    from drafter.storage.db import newest_revision_file

    assert newest_revision_file() == head_revision()
    ws = bare_workspace(data_dir, db_url)
    assert ws.store.list() == []  # migrated to the head
    code = ("import sys; from drafter.storage.drafts import DraftStore; s = DraftStore(sys.argv[1]); "
            "print(len(s.list()), 'alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, db_url], cwd=REPO_ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and out.stdout.split() == ["0", "False"], out.stderr[-2000:]

    with ws.store.engine.begin() as c:  # back to 0003: the corpus snapshot table and the version go
        c.exec_driver_sql("DROP TABLE corpus_snapshot")
        c.exec_driver_sql("UPDATE alembic_version SET version_num = '0003'")
    out = subprocess.run([sys.executable, "-c", code, db_url], cwd=REPO_ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and out.stdout.split() == ["0", "True"], out.stderr[-2000:]
    with ws.store.engine.connect() as c:
        assert current_revision(c) == head_revision()
        assert "corpus_snapshot" in sa.inspect(c).get_table_names()


def _schema(engine: sa.Engine) -> dict[str, object]:
    """Every table as the database reports it: columns in order (type, nullability, default), keys, foreign keys
    with their options, indexes, unique and check constraints."""
    insp = sa.inspect(engine)
    return {t: {"columns": [(c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                            for c in insp.get_columns(t)],
                "pk": insp.get_pk_constraint(t),
                "fks": sorted((f["name"], f["constrained_columns"], f["referred_table"], f["referred_columns"],
                               sorted((f.get("options") or {}).items())) for f in insp.get_foreign_keys(t)),
                "indexes": sorted((i["name"], i["column_names"], bool(i["unique"])) for i in insp.get_indexes(t)),
                "uniques": sorted((u["name"], u["column_names"]) for u in insp.get_unique_constraints(t)),
                "checks": sorted(str(c["sqltext"]) for c in insp.get_check_constraints(t))}
            for t in sorted(insp.get_table_names())}


def test_a_new_database_is_made_at_the_newest_schema_without_alembic(data_dir: Path, db_url: str,
                                                                    tmp_path: Path) -> None:
    """An empty database gets the tables at once (create_all + the version row), in a process that never loads
    Alembic; the schema is the one every migration run in turn gives, on both engines."""
    import subprocess
    import sys

    from drafter.settings import REPO_ROOT
    from drafter.storage.db import make_engine, upgrade_with_alembic

    code = ("import sys; from drafter.storage.drafts import DraftStore; s = DraftStore(sys.argv[1]); "
            "print(len(s.list()), 'alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, db_url], cwd=REPO_ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and out.stdout.split() == ["0", "False"], out.stderr[-2000:]
    created = make_engine(db_url)
    with created.connect() as c:
        assert current_revision(c) == head_revision()
    engine = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    for url in fresh_url(engine, tmp_path / "migrated"):
        migrated = make_engine(url)
        with migrated.begin() as c:
            upgrade_with_alembic(c, "head")
        made, expected = _schema(created), _schema(migrated)
        migrated.dispose()
        assert {"alembic_version", "drafts", "sections", "section_versions", "corpus_snapshot"} <= set(made)
        assert made == expected
    created.dispose()
    ws = bare_workspace(data_dir, db_url)  # and it works: a draft saved and read back
    assert _draft_everything(ws) and len(ws.list_drafts()) == 3
