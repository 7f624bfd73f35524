"""Shared fixtures: a clean database on SQLite and on PostgreSQL, people of every role, the
demo, a movable clock, the app under AppTest, and the app served for the browser."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from committee import clock
from committee.actor import Actor
from db import engine as db_engine
from db import migrate
from db.models import metadata

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Reference tables a migration fills; every other table is emptied between tests.
REFERENCE_TABLES = {"country", "blueprint_recommendation", "alembic_version"}
CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(items):
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec and callspec.params.get("db") == "postgresql":
            item.add_marker(pytest.mark.postgres)


# --- databases ------------------------------------------------------------------------------


def _postgres_available() -> str | None:
    """None if the server answers, else why not."""
    try:
        engine = create_engine(POSTGRES_ADMIN_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure to connect means the same here
        return str(error).splitlines()[0]


@pytest.fixture(scope="session")
def postgresql_url():
    """A database of this test run's own on the PostgreSQL server, migrated, dropped after."""
    reason = _postgres_available()
    if reason:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {reason}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {reason}")
    name = f"apc_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(db_engine.create_database_engine(url))
    yield url
    db_engine.use_database("sqlite://")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite") / "committee.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(db_engine.create_database_engine(url))
    return url


def empty_tables(engine) -> None:
    tables = [t for t in reversed(metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    if engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    # SQLite ignores the foreign_keys pragma inside a transaction: run outside one.
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        for table in tables:
            cursor.execute(f'DELETE FROM "{table.name}"')
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()


def _use(url: str) -> str:
    engine = db_engine.use_database(url)
    empty_tables(engine)
    return engine.dialect.name


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request):
    """A clean, migrated database; the test runs once on SQLite and once on PostgreSQL."""
    url = request.getfixturevalue(f"{request.param}_url")
    yield _use(url)


@pytest.fixture
def sqlite_db(sqlite_url):
    """A clean, migrated SQLite database, for tests where the engine does not matter."""
    yield _use(sqlite_url)


# --- people and time ------------------------------------------------------------------------


@pytest.fixture
def operator() -> Actor:
    return Actor.operator("pytest")


@pytest.fixture
def people(operator):
    """A person of every role (two representatives, of STATE and USAID), as actors."""
    from committee import people as service

    state = service.add_agency(actor=operator, code="STATE", name="Department of State")
    usaid = service.add_agency(actor=operator, code="USAID", name="USAID")
    actors = {}
    for key, role, agency in [
        ("admin", "admin", None),
        ("chair", "chair", None),
        ("rep", "agency_rep", state),
        ("other_rep", "agency_rep", usaid),
        ("observer", "observer", None),
    ]:
        user = service.add_user(
            actor=operator,
            email=f"{key}@test.example",
            name=key.replace("_", " ").title(),
            role=role,
            agency_id=agency.id if agency else None,
            password="correct horse battery",
        )
        actors[key] = service.actor_for(user, agency)
    return actors


@pytest.fixture
def demo(operator):
    """The demo record, loaded for a fixed day so that tests can count on it."""
    from committee import demo as demo_data

    return demo_data.load_demo(actor=operator, today=DEMO_DAY.date())


DEMO_DAY = datetime(2026, 11, 26, 14, 0, tzinfo=timezone.utc)


@pytest.fixture
def frozen_clock(monkeypatch):
    """Pin the clock; call the fixture's value with a datetime to move it."""
    current = {"now": DEMO_DAY}
    monkeypatch.setattr(clock, "now", lambda: current["now"])
    monkeypatch.setattr(clock, "today", lambda: current["now"].date())

    def move(to: datetime):
        current["now"] = to

    return move


# --- the app --------------------------------------------------------------------------------


@pytest.fixture
def app_as():
    """``app_as(actor, page=None)`` returns an AppTest of the app signed in as ``actor``."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_resource.clear()
    st.cache_data.clear()

    def make(actor: Actor | None, page: str | None = None) -> AppTest:
        at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=60)
        if actor is not None:
            at.session_state["actor"] = actor
        at.run()
        if page is not None:
            at.switch_page(page)
            at.run()
        return at

    return make


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path():
    if not shutil.which(CHROMIUM):
        if IN_CI:
            pytest.fail(f"Chromium is required in CI and is missing at {CHROMIUM}")
        pytest.skip(reason=f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="module")
def served_app(tmp_path_factory):
    """The real server (``server.py``: the app and its calendar feeds), as ``make run`` serves
    it, on a free port and its own SQLite file with the demo; one per test module, so that
    one module's changes do not surprise another's."""
    path = tmp_path_factory.mktemp("served") / "committee.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run(
        [sys.executable, "-m", "committee", "demo"],
        env=env,
        check=True,
        cwd=PROJECT_ROOT,
        capture_output=True,
    )
    port = free_port()
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "server.py",
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
        ],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("the app did not start within 60 s")
    yield {"url": base, "database_url": env["DATABASE_URL"]}
    server.terminate()
    server.wait(timeout=20)
    log.close()


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import expect, sync_playwright

    # The machine is small and shared: give the app time to answer before failing.
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    """``sign_in(base_url, email, password=demo)`` fills the sign-in form and submits it."""

    def fill(base_url: str, email: str, password: str = "apc-demo-2026") -> None:
        page.goto(base_url)
        page.get_by_label("Email", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()

    return fill
