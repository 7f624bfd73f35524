"""Bring a database's schema to the newest migration (Alembic owns the schema)."""

import threading

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from db.engine import PROJECT_ROOT, get_engine

# The app server migrates at start in the background while a first page may ask too: one at a
# time in a process (on PostgreSQL, an advisory lock also keeps processes apart; env.py).
_migrating = threading.Lock()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "db" / "migrations"))
    return config


def upgrade(engine: Engine | None = None) -> None:
    """Run every migration not yet applied; safe to call at every start."""
    migrate_to("head", engine)


def migrate_to(revision: str, engine: Engine | None = None, *, down: bool = False) -> None:
    """Bring the schema up (or ``down``) to ``revision``, in one transaction."""
    engine = engine or get_engine()
    config = alembic_config()
    with _migrating, engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                (command.downgrade if down else command.upgrade)(config, revision)
                if sqlite:
                    _check_foreign_keys(connection)
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, on=True)
        if sqlite:
            # Fresh statistics for SQLite's query planner (PostgreSQL's autovacuum keeps its
            # own); the limit keeps this to a moment on a large file.
            connection.exec_driver_sql("PRAGMA analysis_limit=1000")
            connection.exec_driver_sql("ANALYZE")
            connection.commit()


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    """SQLite's way to change a table (copy it, drop the old one, rename the copy) trips its
    foreign keys, and the setting cannot change inside a transaction: turn it off around the
    migrations, as SQLite's guide to altering tables says, then check the keys before
    committing."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        table, rowid, parent, _ = broken[0]
        raise RuntimeError(
            f"The migration left {len(broken)} broken references, the first in {table} row "
            f"{rowid} (to {parent}); nothing was changed."
        )


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine | None = None) -> str | None:
    with (engine or get_engine()).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
