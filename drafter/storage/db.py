"""Engines for SQLite and PostgreSQL, and schema migrations (Alembic, run in-process at start-up).

`DRAFTER_DATABASE_URL` unset → SQLite under the data dir; `postgresql+psycopg://…` → PostgreSQL.
SQLite write transactions start with BEGIN IMMEDIATE (pysqlite's own BEGIN is switched off), so two writers
queue on the busy timeout instead of one failing when it upgrades a read lock; PostgreSQL writers lock the
rows they change (SELECT … FOR UPDATE), so both engines allocate versions atomically.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    create_engine,
    event,
    inspect,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from ..errors import ConfigError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_S = 30
_MIGRATE_LOCK = 0x64726166  # PostgreSQL advisory lock key ("draf"): one migrating process at a time
_migrated: set[str] = set()
_migrated_lock = threading.Lock()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys, a busy timeout and explicit BEGINs."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigError(f"无法解析数据库地址 DRAFTER_DATABASE_URL：{exc}",
                          hint="例如 postgresql+psycopg://用户:密码@主机:5432/库名；不设置则使用 SQLite") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # no implicit BEGIN: the "begin" hook below decides its kind
            cur = dbapi_conn.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                           f"busy_timeout={BUSY_TIMEOUT_S * 1000}"):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            raise ConfigError(f"不支持的 PostgreSQL 驱动 {parsed.get_driver_name()}",
                              hint="地址请以 postgresql+psycopg:// 开头")
        # A server that does not answer fails within seconds (health says so, drafting routes answer 503)
        # rather than holding a request until the kernel gives up on the connection.
        connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": 5}
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args=connect_args)
    raise ConfigError(f"不支持的数据库 {backend}", hint="DRAFTER_DATABASE_URL 只支持 postgresql+psycopg://，不设置则使用 SQLite")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


_sqlite_writers: dict[str, threading.RLock] = {}
_sqlite_writers_lock = threading.Lock()


def _writer_lock(engine: Engine) -> threading.RLock | nullcontext[None]:
    """SQLite writers of one process queue on a lock per database file (every engine on it shares it):
    waiting on SQLite's busy handler sleeps in growing steps (1, 2, 5, 10 ms…), so ten sections saved at
    once took 90 ms instead of 10. Other processes still queue on the busy timeout."""
    if not is_sqlite(engine):
        return nullcontext()
    with _sqlite_writers_lock:
        return _sqlite_writers.setdefault(str(engine.url), threading.RLock())


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction (BEGIN IMMEDIATE on SQLite), committed on success."""
    with _writer_lock(engine), engine.connect() as conn:
        conn.execution_options(write=True)
        with conn.begin():
            yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read transaction: one snapshot on SQLite (WAL); per statement on PostgreSQL (read committed)."""
    with engine.connect() as conn, conn.begin():
        yield conn


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def newest_revision_file() -> str:
    """The newest revision id, read from the migration files' names (`0004_corpus_snapshot.py` -> `0004`); a test
    holds it equal to Alembic's head."""
    return max(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def _at_head(engine: Engine) -> bool:
    """Whether the database is at the newest revision already. Checked with one query, so that a start on an
    up-to-date database does not load Alembic (12 MB of every server process, and ~0.2 s of every command)."""
    try:
        with engine.connect() as conn:
            found = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    except sa_exc.DBAPIError:  # no version table yet: a new or pre-migration database
        return False
    return found == [newest_revision_file()]


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, target: str = "head", *, force: bool = False) -> None:
    """Bring the schema to `target`, keeping every row. A database made before migrations existed (the
    first SQLite schema, no alembic_version table) is picked up by revision 0001, which only creates what is
    missing. Several processes starting at once take turns (SQLite write lock / PostgreSQL advisory lock)."""
    key = str(engine.url)
    if not force and target == "head" and (key in _migrated or _at_head(engine)):
        _migrated.add(key)
        return
    with _migrated_lock, engine.connect() as conn:
        if is_sqlite(engine):
            # Migrations copy and drop tables; with foreign keys on, dropping a parent would cascade. The
            # pragma is ignored inside a transaction, so it is set before BEGIN.
            _raw(conn).execute("PRAGMA foreign_keys=OFF")
        conn.execution_options(write=True)
        try:
            with conn.begin():
                if not is_sqlite(engine):
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATE_LOCK})")
                if target == "head" and not inspect(conn).get_table_names():
                    create_at_head(conn)
                else:
                    upgrade_with_alembic(conn, target)
        finally:
            if is_sqlite(engine):
                _raw(conn).execute("PRAGMA foreign_keys=ON")
    if target == "head":
        _migrated.add(key)


def create_at_head(conn: Connection) -> None:
    """An empty database gets the newest schema at once and is stamped with the newest revision (Alembic's
    recipe for a new database), without loading Alembic: 9 MB of every new server's memory and ~0.2 s. A test
    holds the result equal to what running every migration gives, on both engines."""
    from .schema import metadata

    metadata.create_all(conn)
    version = Table("alembic_version", MetaData(), Column("version_num", String(32), nullable=False),
                    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))
    version.create(conn)
    conn.execute(version.insert().values(version_num=newest_revision_file()))


def upgrade_with_alembic(conn: Connection, target: str) -> None:
    """Run the migrations from the database's revision to `target`, inside the caller's transaction."""
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)

    def upgrade(rev: Any, _context: Any) -> Any:
        return script._upgrade_revs(target, rev)

    with EnvironmentContext(cfg, script, fn=upgrade, destination_rev=target) as env:
        env.configure(connection=conn)
        env.run_migrations()


def _raw(conn: Connection) -> Any:
    """The DBAPI connection: a PRAGMA sent through SQLAlchemy would open a transaction first."""
    return conn.connection.dbapi_connection


def table_names(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()
