"""The database engine (one per process) and the two kinds of session the services use.

SQLite is the embedded default; ``DATABASE_URL`` selects PostgreSQL through psycopg 3.
"""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = PROJECT_ROOT / "data" / "committee.db"
SQLITE_BUSY_TIMEOUT_MS = 15_000

_engine: Engine | None = None
_engine_lock = threading.Lock()


def database_url() -> str:
    """``DATABASE_URL`` from the environment, or the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{DEFAULT_DATABASE}"
    # Accept the plain form people paste; the driver is always psycopg 3.
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_database_engine(url: str) -> Engine:
    """An engine set up for this project's rules on either engine."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection, _record):
        # Let SQLAlchemy emit BEGIN itself, so that writers can ask for BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_sqlite(connection):
        # A write transaction takes the write lock at BEGIN: a deferred BEGIN that upgrades
        # later fails at once with "database is locked" (or loses updates) under concurrency.
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def get_engine() -> Engine:
    """The process's engine, created on first use from ``database_url()``."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = create_database_engine(database_url())
        return _engine


def use_database(url: str) -> Engine:
    """Point this process at another database (the CLI's and the tests' choice)."""
    global _engine
    with _engine_lock:
        if _engine is not None:
            _engine.dispose()
        _engine = create_database_engine(url)
        return _engine


def is_postgresql(engine: Engine | None = None) -> bool:
    return (engine or get_engine()).dialect.name == "postgresql"


@contextmanager
def write_session() -> Iterator[Session]:
    """A session in one write transaction: committed on success, rolled back on any error."""
    engine = get_engine().execution_options(sqlite_begin="IMMEDIATE")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def read_session() -> Iterator[Session]:
    """A short session for reading; nothing it does is committed."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session
