"""Accounts in the library: users, organisations, tokens, sessions, rate limiting, audit, org-scoped
drafts and corpus, the migration from a database made before accounts, and the command line.
Each store-dependent test runs on SQLite and on PostgreSQL (DRAFTER_TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from drafter.accounts.exposure import check_exposure, is_loopback
from drafter.accounts.store import MAX_FAILURES
from drafter.cli import main
from drafter.corpus.embedding import HashEmbedder
from drafter.errors import AuthError, ConfigError, ForbiddenError, InputError, NotFoundError, RateLimitError
from drafter.facts import Facts
from drafter.settings import REPO_ROOT, Settings
from drafter.workspace import Workspace
from tests.support.accounts import ORG_A, ORG_B, PASSWORDS, make_people

pytest_plugins = ["tests.support.db_fixtures"]

FACTS = Facts(org="甲厂工会", year=2024, items=["举办职工篮球赛，参与职工300余人", "走访慰问困难职工32户"])


def _ws(data_dir: Path, db_url: str, **kw: object) -> Workspace:
    return Workspace(Settings(data_dir=data_dir, database_url=db_url, **kw), embedder=HashEmbedder())


def test_passwords_are_argon2id_and_tokens_are_stored_hashed(data_dir: Path, db_url: str) -> None:
    ws = _ws(data_dir, db_url)
    people = make_people(ws)
    with ws.store.engine.connect() as c:
        hashes = c.exec_driver_sql("SELECT password_hash FROM users").scalars().all()
        token_rows = c.exec_driver_sql("SELECT secret_hash FROM api_tokens").scalars().all()
    assert len(hashes) == 3 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(p in h for h in hashes for p in PASSWORDS.values())
    secret = people.alice_token.split("_", 2)[2]
    assert all(secret not in h and len(h) == 64 for h in token_rows)
    assert ws.accounts.authenticate("alice", PASSWORDS["alice"]).org_name == ORG_A
    with pytest.raises(AuthError):
        ws.accounts.authenticate("alice", PASSWORDS["amy"])
    with pytest.raises(InputError):
        ws.accounts.add_user("carol", ORG_A, "writer", "short")
    with pytest.raises(InputError):
        ws.accounts.add_user("carol", ORG_A, "owner", "long-enough-1")


def test_tokens_resolve_revoke_and_die_with_a_disabled_user(data_dir: Path, db_url: str) -> None:
    ws = _ws(data_dir, db_url)
    people = make_people(ws)
    amy = ws.accounts.token(people.amy_token)
    assert amy is not None and (amy.name, amy.org_name, amy.role) == ("amy", ORG_A, "writer")
    tampered = people.amy_token[:-2] + ("AA" if not people.amy_token.endswith("AA") else "BB")
    assert ws.accounts.token(tampered) is None
    token_id = people.amy_token.split("_")[1]
    ws.accounts.revoke_token(token_id)
    assert ws.accounts.token(people.amy_token) is None
    sid, _ = ws.accounts.create_session(ws.accounts.authenticate("bob", PASSWORDS["bob"]))
    assert ws.accounts.session(sid, 3600) is not None and ws.accounts.token(people.bob_token) is not None
    ws.accounts.set_disabled("bob", True)
    assert ws.accounts.session(sid, 3600) is None and ws.accounts.token(people.bob_token) is None
    with pytest.raises(AuthError):
        ws.accounts.authenticate("bob", PASSWORDS["bob"])
    ws.accounts.set_disabled("bob", False)
    assert ws.accounts.token(people.bob_token) is not None  # the token comes back; the session was ended


def test_sixth_fast_wrong_attempt_is_refused_even_with_the_right_password(data_dir: Path, db_url: str) -> None:
    ws = _ws(data_dir, db_url)
    make_people(ws)
    for _ in range(MAX_FAILURES):
        with pytest.raises(AuthError):
            ws.accounts.authenticate("alice", "wrong-password", "10.0.0.7")
    with pytest.raises(RateLimitError):
        ws.accounts.authenticate("alice", PASSWORDS["alice"], "10.0.0.8")  # per account
    with pytest.raises(RateLimitError):
        ws.accounts.authenticate("amy", PASSWORDS["amy"], "10.0.0.7")  # per address
    assert ws.accounts.authenticate("amy", PASSWORDS["amy"], "10.0.0.9").name == "amy"


def test_idle_session_expires(data_dir: Path, db_url: str) -> None:
    ws = _ws(data_dir, db_url)
    make_people(ws)
    sid, _ = ws.accounts.create_session(ws.accounts.authenticate("amy", PASSWORDS["amy"]))
    with ws.store.engine.begin() as c:
        c.exec_driver_sql("UPDATE sessions SET seen_at = seen_at - 7200")
    assert ws.accounts.session(sid, 3600) is None
    assert ws.accounts.session(sid, 10**9) is None  # ended, not just hidden


def test_drafts_and_documents_are_scoped_to_the_organisation(data_dir: Path, db_url: str, tmp_path: Path) -> None:
    ws = _ws(data_dir, db_url)
    ws.refresh_index()
    make_people(ws)
    alice = ws.for_principal(ws.accounts.authenticate("alice", PASSWORDS["alice"]))
    amy = ws.for_principal(ws.accounts.authenticate("amy", PASSWORDS["amy"]))
    bob = ws.for_principal(ws.accounts.authenticate("bob", PASSWORDS["bob"]))
    draft = asyncio.run(amy.draft(FACTS))
    with pytest.raises(NotFoundError) as missing:
        bob.get_draft("nosuchid")
    assert [d["id"] for d in alice.list_drafts()] == [draft.id] and bob.list_drafts() == []
    for call in (lambda: bob.get_draft(draft.id), lambda: bob.export(draft.id, "md"),
                 lambda: bob.edit_section(draft.id, 0, text="改写"), lambda: bob.trace(draft.id),
                 lambda: asyncio.run(bob.regenerate(draft.id, 0))):
        with pytest.raises(NotFoundError) as exc:
            call()
        assert str(exc.value) == str(missing.value).replace("nosuchid", draft.id)  # exactly as a missing one
    assert ws.get_draft(draft.id).sections[0].text  # untouched by bob's attempts
    doc = tmp_path / "bsecret.txt"
    doc.write_text("乙公司工会2023年工作总结\n\n一、职工之家\n乙公司独有的麒麟计划覆盖全体职工。\n", encoding="utf-8")
    with pytest.raises(ForbiddenError):
        ws.for_principal(ws.accounts.authenticate("amy", PASSWORDS["amy"])).add_documents([doc])
    added, errors = bob.add_documents([doc])
    assert not errors and added[0].doc_id == "bsecret"
    assert "bsecret" in {d.doc_id for d in bob.list_documents()}
    assert "bsecret" not in {d.doc_id for d in alice.list_documents()}
    assert any(d.bundled for d in alice.list_documents())
    assert any(h.chunk.doc_id == "bsecret" for h in bob.search("麒麟计划", 10))
    assert all(h.chunk.doc_id != "bsecret" for h in alice.search("麒麟计划", 10))
    with pytest.raises(NotFoundError):
        alice.remove_document("bsecret")
    clash = tmp_path / "x" / "bsecret.txt"
    clash.parent.mkdir()
    clash.write_text("甲厂工会总结\n\n一、其他\n甲的内容。\n", encoding="utf-8")
    added, errors = alice.add_documents([clash])
    assert not added and errors  # never overwrites another organisation's file
    assert "麒麟" in (data_dir / "documents" / "bsecret.txt").read_text(encoding="utf-8")
    # retrieval while drafting: the drafting organisation's documents and the shared corpus, nothing else
    kirin = FACTS.model_copy(update={"items": ["乙公司独有的麒麟计划覆盖全体职工", "职工之家建设"]})
    a_draft = asyncio.run(alice.draft(kirin))
    a_sources = {s.doc_id for sec in a_draft.sections for s in sec.sources}
    assert a_sources and "bsecret" not in a_sources
    assert alice.drafter.retriever is alice.retriever  # drafting retrieves through the same scoped view
    assert any(h.chunk.doc_id == "bsecret" for h in bob.drafter.retriever.search("麒麟计划 职工之家", 10))
    bob.remove_document("bsecret")
    b_log = ws.accounts.audit(ws.accounts.org_id(ORG_B) or "")
    a_log = ws.accounts.audit(ws.accounts.org_id(ORG_A) or "")
    assert {("bob", "upload", "bsecret"), ("bob", "remove", "bsecret")} <= {(r["user_name"], r["action"], r["target"])
                                                                           for r in b_log}
    assert ("amy", "draft", draft.id) in {(r["user_name"], r["action"], r["target"]) for r in a_log}
    assert not any(r["action"] == "draft" for r in b_log)


def test_an_existing_database_is_upgraded_and_adopted_by_the_first_organisation(data_dir: Path, db_url: str) -> None:
    from tests.test_store_migrations import make_legacy_database

    made = make_legacy_database(db_url)
    ws = _ws(data_dir, db_url)
    assert {d["id"] for d in ws.list_drafts()} == {d.id for d, _ in made}  # single-user mode: all
    with ws.store.engine.connect() as c:
        assert {r[0] for r in c.execute(sa.text("SELECT org_id FROM drafts"))} == {None}
    make_people(ws)
    alice = ws.for_principal(ws.accounts.authenticate("alice", PASSWORDS["alice"]))
    bob = ws.for_principal(ws.accounts.authenticate("bob", PASSWORDS["bob"]))
    assert {d["id"] for d in alice.list_drafts()} == {d.id for d, _ in made}
    assert bob.list_drafts() == []


def test_backup_and_restore_carry_the_accounts(data_dir: Path, db_url: str, tmp_path: Path) -> None:
    ws = _ws(data_dir, db_url)
    people = make_people(ws)
    counts = ws.backup(tmp_path / "b.jsonl")
    assert counts["users"] == 3 and counts["organisations"] == 2 and counts["api_tokens"] == 3
    other = Workspace(Settings(data_dir=tmp_path / "other"), embedder=HashEmbedder())
    other.restore(tmp_path / "b.jsonl")
    assert other.accounts.token(people.bob_token) is not None
    assert other.accounts.authenticate("amy", PASSWORDS["amy"]).org_name == ORG_A


def test_scoped_roles_for_user_management(data_dir: Path, db_url: str) -> None:
    ws = _ws(data_dir, db_url)
    make_people(ws)
    alice = ws.accounts.authenticate("alice", PASSWORDS["alice"])
    amy = ws.accounts.authenticate("amy", PASSWORDS["amy"])
    ws.accounts.add_user("anna", ORG_A, "writer", "anna-pass-1", by=alice)
    with pytest.raises(ForbiddenError):
        ws.accounts.add_user("mallory", ORG_A, "admin", "mallory-pass", by=amy)
    with pytest.raises(ForbiddenError):
        ws.accounts.add_user("mallory", ORG_B, "writer", "mallory-pass", by=alice)
    with pytest.raises(NotFoundError):
        ws.accounts.set_disabled("bob", True, by=alice)  # another organisation's user does not exist for her
    assert [u["name"] for u in ws.accounts.list_users(alice.org_id)] == ["alice", "amy", "anna"]


# --- command line -------------------------------------------------------------------------------------------
def test_cli_users_and_tokens(data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("first-admin-pass\n"))
    assert main(["users", "add", "alice", "--org", ORG_A, "--role", "admin", "--password-stdin"]) == 0
    assert main(["tokens", "create", "alice"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("drafter_")
    ws = Workspace(Settings(data_dir=data_dir))
    assert ws.accounts.token(out[0]) is not None
    assert main(["users", "list"]) == 0
    assert "alice\t" + ORG_A in capsys.readouterr().out
    token_id = out[0].split("_")[1]
    assert main(["tokens", "list"]) == 0
    listed = capsys.readouterr().out
    assert token_id in listed and out[0] not in listed and out[0].split("_", 2)[2] not in listed  # shown once
    assert main(["tokens", "revoke", token_id]) == 0 and ws.accounts.token(out[0]) is None
    assert main(["users", "disable", "alice"]) == 0
    with pytest.raises(AuthError):
        ws.accounts.authenticate("alice", "first-admin-pass")
    assert main(["users", "enable", "alice"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("second-pass-99\n"))
    assert main(["users", "passwd", "alice", "--password-stdin"]) == 0
    assert ws.accounts.authenticate("alice", "second-pass-99").name == "alice"
    monkeypatch.setattr(sys, "stdin", io.StringIO("x\n"))
    assert main(["users", "add", "bob", "--org", ORG_B, "--role", "writer", "--password-stdin"]) == 2
    assert "密码太短" in capsys.readouterr().err


def test_no_accounts_refuses_a_public_address(data_dir: Path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    with pytest.raises(ConfigError) as exc:
        check_exposure("0.0.0.0", has_users=False)
    assert "drafter users add" in str(exc.value) and "--role admin" in str(exc.value)
    check_exposure("0.0.0.0", has_users=True)
    proc = subprocess.run([sys.executable, "-m", "drafter", "serve", "--host", "0.0.0.0", "--port", "1"],
                          capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
    assert proc.returncode == ConfigError.exit_code
    assert "drafter users add" in proc.stderr and "尚未创建任何账号" in proc.stderr


def test_a_password_typed_as_the_user_name_is_not_kept(data_dir: Path, db_url: str) -> None:
    ws = _ws(data_dir, db_url)
    make_people(ws)
    with pytest.raises(AuthError):
        ws.accounts.authenticate(PASSWORDS["alice"], PASSWORDS["alice"], "10.0.0.1")
    with pytest.raises(AuthError):
        ws.accounts.authenticate("alice", "not-her-password", "10.0.0.1")
    with ws.store.engine.connect() as c:
        stored = [str(r) for t in ("audit", "login_failures") for r in c.exec_driver_sql(f"SELECT * FROM {t}")]
    assert stored and not any(PASSWORDS["alice"] in r or "not-her-password" in r for r in stored)
    assert any("alice" in r and "login_failed" in r for r in stored)  # a known user's failure is recorded
