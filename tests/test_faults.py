"""The database going away mid-operation, on PostgreSQL: the connection is cut with
pg_terminate_backend in the middle of a write. Nothing is half-written, the next attempt works
on a fresh connection, and people (at the command line and in the app) read a plain message."""

import os
import subprocess
import sys
from contextlib import contextmanager

import pytest
from conftest import POSTGRES_ADMIN_URL, PROJECT_ROOT
from sqlalchemy import create_engine, event, func, select, text
from test_deployment import (
    fresh_postgresql,  # noqa: F401  (a fixture)
    open_from_menu,
    serve_app,
)

from committee import people as accounts
from committee import system
from db import engine as db_engine
from db.engine import read_session
from db.models import AuditEvent, Setting, User

pytestmark = pytest.mark.postgres


@contextmanager
def connection_cut_before(statement_start: str):
    """Terminate the app's own database connection just before it sends the first statement
    that begins with ``statement_start``: the write is then half done, as in a real outage."""
    engine = db_engine.get_engine()
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    cut = []

    def terminate(connection, cursor, statement, *_):
        if statement.startswith(statement_start) and not cut:
            backend = connection.connection.dbapi_connection.info.backend_pid
            with admin.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            cut.append(backend)

    event.listen(engine, "before_cursor_execute", terminate)
    try:
        yield cut
    finally:
        event.remove(engine, "before_cursor_execute", terminate)
        admin.dispose()


def count(model, *conditions) -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*conditions))


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_a_write_cut_off_mid_transaction_leaves_nothing_and_recovers(db, people, operator):
    """The person's row is sent, then the connection dies before the audit event: the whole
    change is gone, not the half of it; the same call then succeeds on a new connection."""
    new_person = {
        "email": "new.member@test.example",
        "name": "New Member",
        "role": "observer",
        "password": "a sturdy passphrase here",
    }
    with connection_cut_before("INSERT INTO audit_event") as cut:
        with pytest.raises(system.OUTAGES):
            accounts.add_user(actor=operator, **new_person)
    assert cut, "the connection was not cut"
    assert count(User, User.email == "new.member@test.example") == 0
    assert count(AuditEvent, AuditEvent.action == "user.add") == 5  # the people fixture's

    accounts.add_user(actor=operator, **new_person)
    assert count(User, User.email == "new.member@test.example") == 1
    assert count(AuditEvent, AuditEvent.action == "user.add") == 6


def test_the_command_line_says_plainly_that_the_database_is_away(tmp_path):
    nowhere = "postgresql://postgres@127.0.0.1:9/apc_desk"  # nothing listens on port 9
    done = subprocess.run(
        [sys.executable, "-m", "committee", "user", "list"],
        env={**os.environ, "DATABASE_URL": nowhere},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == f"error: {system.OUTAGE_MESSAGE}"


@pytest.mark.browser
def test_the_app_says_so_when_the_database_goes_away_and_recovers(
    fresh_database, page, sign_in, tmp_path
):
    """A real server: the chair is saving a setting when every connection to the database is
    cut and new ones are refused. The page says so in words; nothing was saved; once the
    database takes connections again, the same session saves it."""
    url, name = fresh_database
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def database_away(away: bool) -> None:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {not away}'))
            if away:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name"
                    ),
                    {"name": name},
                )

    banner_label = "Banner (the handling marking at the top of every page)"
    try:
        with serve_app({"DATABASE_URL": url}, tmp_path) as base:
            sign_in(base, "chair@apc.example")
            page.get_by_text("Good day").wait_for()
            open_from_menu(page, "Settings")
            page.get_by_label(banner_label).fill("SAVED ONCE THE DATABASE IS BACK")

            database_away(True)
            page.get_by_role("button", name="Save settings").click()
            page.get_by_text(system.OUTAGE_MESSAGE).wait_for()

            database_away(False)
            page.get_by_role("button", name="Try again").click()
            open_from_menu(page, "Settings")  # the same session goes on
            page.get_by_label(banner_label).fill("SAVED ONCE THE DATABASE IS BACK")
            page.get_by_role("button", name="Save settings").click()
            page.get_by_text("1 setting(s) saved.").wait_for()
    finally:
        database_away(False)
        admin.dispose()

    engine = create_engine(url)
    with engine.connect() as connection:
        saved = connection.execute(select(Setting.value).where(Setting.key == "banner")).scalar()
        audited = connection.execute(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "setting.update")
        ).scalar()
    engine.dispose()
    assert (saved, audited) == ("SAVED ONCE THE DATABASE IS BACK", 1)


@pytest.fixture
def fresh_database(request):
    """A PostgreSQL database with the demo, and its name."""
    url = request.getfixturevalue("fresh_postgresql")
    done = subprocess.run(
        [sys.executable, "-m", "committee", "demo"],
        env={**os.environ, "DATABASE_URL": url},
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return url, url.rsplit("/", 1)[1]
