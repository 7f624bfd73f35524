"""Shared fixtures: a clean database on SQLite and on PostgreSQL, people of every role, the
demo, a movable clock, the app under AppTest, and the app served for the browser."""

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from committee import clock
from committee.actor import Actor
from db import engine as db_engine
from db import migrate, search_index
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
# Links that leave the tool need the address it is reached at; the tests' servers inherit it.
os.environ.setdefault("APC_BASE_URL", "http://localhost:8501")


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
        pytest.skip(reason=f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {reason}")
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


@contextmanager
def new_postgresql_database(prefix: str, *, create: bool = True):
    """The address of a PostgreSQL database of the caller's own, empty (no schema), dropped
    after; with ``create=False`` the caller creates it (a server started before its database)."""
    reason = _postgres_available()
    if reason:
        (pytest.fail if IN_CI else pytest.skip)(f"PostgreSQL not reachable: {reason}")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    if create:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def wait_until(check, seconds: float, what: str):
    """``check()``'s first true answer within ``seconds``; the test fails after."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    pytest.fail(f"waited {seconds} s for {what}")


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite") / "committee.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(db_engine.create_database_engine(url))
    return url


def empty_tables(engine) -> None:
    _delete_records(engine)
    with engine.begin() as connection:
        search_index.rebuild(connection)  # the countries stay, and so are found


def _delete_records(engine) -> None:
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


def session_token_for(actor: Actor) -> str:
    """A real session row for ``actor``'s account, as a sign-in leaves one (set up directly,
    so that it adds no sign-in to the audit trail a test may count); its token is what a
    browser's cookie would hold."""
    import secrets

    from committee import sessions
    from db.engine import write_session
    from db.models import SignInSession

    token = secrets.token_urlsafe(32)
    now = clock.now()
    with write_session() as session:
        session.add(
            SignInSession(
                user_id=actor.id,
                token_hash=sessions.hash_token(token),
                method="password",
                created_at=now,
                last_seen_at=now,
                expires_at=now + sessions.lifetime(),
            )
        )
    return token


@pytest.fixture
def app_as():
    """``app_as(actor, page=None)`` returns an AppTest of the app signed in as ``actor``,
    through a real session: AppTest cannot send cookies, so the session's token is handed to
    the app in session state, where the app resolves it against the database as it does a
    cookie's."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from pages import ui

    st.cache_resource.clear()
    st.cache_data.clear()

    def make(actor: Actor | None, page: str | None = None) -> AppTest:
        at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=60)
        if actor is not None:
            at.session_state[ui.TOKEN_KEY] = session_token_for(actor)
        at.run()
        if page is not None:
            at.switch_page(page)
            at.run()
        return at

    return make


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory):
    """A SQLite file with the demo record, for the servers a test module starts itself."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'committee.db'}"
    subprocess.run(
        [sys.executable, "-m", "committee", "demo"],
        env={**os.environ, "DATABASE_URL": url},
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    return url


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
    env["APC_BASE_URL"] = f"http://127.0.0.1:{port}"  # the address it serves, as make run sets
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "committee",
            "serve",
            f"--port={port}",
            "--address=127.0.0.1",
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


def go(page, menu_label: str) -> None:
    """Open a page from the menu, its "View more" opened first where the menu is folded."""
    from playwright.sync_api import expect

    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("link", name="Home", exact=True)).to_be_visible()
    more = sidebar.get_by_text("more", exact=False).filter(has_text="View")
    if more.count():
        more.first.click()
    sidebar.get_by_role("link", name=menu_label, exact=True).click()


def settle(page) -> None:
    """Wait for the app to finish its run: the last screen's elements stay, faded, until it
    does, and input typed into a screen being redrawn is lost."""
    from playwright.sync_api import expect

    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden()
    # Under load the last screen's elements can outlast the status widget a moment: a second
    # copy of a button or field then makes a locator ambiguous.
    expect(page.locator('[data-stale="true"]')).to_have_count(0)


@pytest.fixture
def sign_in(page):
    """``sign_in(base_url, email, password=demo)`` fills the sign-in form and submits it."""

    def fill(base_url: str, email: str, password: str = "apc-demo-2026") -> None:
        page.goto(base_url)
        page.get_by_label("Email", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()

    return fill


# --- mail -----------------------------------------------------------------------------------


class MailCatcher:
    """What a real SMTP server on loopback (aiosmtpd) received, and how it behaves: ``accept``,
    ``refuse`` (451, try later), ``reject`` (550, final) or ``drop`` (the connection cut
    before the message is acknowledged, so it is not delivered)."""

    def __init__(self):
        self.delivered: list = []  # (envelope recipients, parsed message)
        self.behaviour = "accept"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        if self.behaviour == "refuse":
            return "451 4.3.0 Mailbox busy, try again later"
        if self.behaviour == "reject":
            return "550 5.1.1 No such mailbox here"
        if self.behaviour == "drop":
            server.transport.close()
            return "421 closing"
        parsed = message_from_bytes(envelope.original_content, policy=default)
        self.delivered.append((list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 Delivered"

    def messages(self) -> list:
        return [message for _, message in self.delivered]


class SmtpServer:
    """A real SMTP server on a free loopback port that a test can stop (down), start again, or
    replace by a listener that never answers (slow)."""

    def __init__(self):
        self.port = free_port()
        self.catcher = MailCatcher()
        self._controller = None
        self._silent = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        # Its line per connection can come after the test's output is closed ("I/O operation
        # on closed file" tracebacks in the log); what it warns of still shows.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.stop()
        self._controller = Controller(self.catcher, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._silent is not None:
            self._silent.close()
            self._silent = None

    def hang(self) -> None:
        """A server that takes the connection and never greets."""
        self.stop()
        self._silent = socket.socket()
        self._silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._silent.bind(("127.0.0.1", self.port))
        self._silent.listen(16)


@pytest.fixture
def smtp_server(monkeypatch):
    """A real SMTP server on loopback, and the environment that points the worker at it."""
    server = SmtpServer()
    server.start()
    monkeypatch.setenv("APC_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("APC_SMTP_PORT", str(server.port))
    monkeypatch.setenv("APC_SMTP_SECURITY", "none")
    monkeypatch.setenv("APC_SMTP_TIMEOUT", "2")
    monkeypatch.setenv("APC_MAIL_FROM", "apc@committee.example")
    yield server
    server.stop()


DOVECOT = "/usr/sbin/dovecot"
DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
auth_failure_delay = 0
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@pytest.fixture
def imap_server(monkeypatch):
    """Debian's dovecot on a free loopback port, with a configuration, a mailbox and a
    passwd-file user of its own, and the environment that points the worker at it."""
    import getpass
    import imaplib
    import tempfile

    if not shutil.which(DOVECOT):
        if IN_CI:
            pytest.fail(f"dovecot is required in CI and is missing at {DOVECOT}")
        pytest.skip(reason=f"dovecot not installed at {DOVECOT} (apt-get install dovecot-imapd)")
    # Outside the test's own 0700 temporary folder: dovecot's mail user must reach it.
    root = Path(tempfile.mkdtemp(prefix="apc-dovecot-"))
    root.chmod(0o755)
    (root / "mail").mkdir()
    port = free_port()
    if os.geteuid() == 0:
        mail_user, users = "dovenull", ""
        shutil.chown(root / "mail", "dovenull", "dovenull")
    else:
        mail_user = getpass.getuser()
        users = f"default_internal_user = {mail_user}\ndefault_login_user = {mail_user}"
    user, password = "replies@committee.example", "imap-test-password"
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}\n")
    conf = root / "dovecot.conf"
    conf.write_text(DOVECOT_CONF.format(root=root, port=port, mail_user=mail_user, users=users))
    server = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while True:
        try:
            imaplib.IMAP4("127.0.0.1", port, timeout=2).logout()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"dovecot did not start: {server.stderr.read().decode()[-500:]}")
            time.sleep(0.2)
    for name, value in {
        "APC_IMAP_HOST": "127.0.0.1",
        "APC_IMAP_PORT": str(port),
        "APC_IMAP_SECURITY": "none",
        "APC_IMAP_USER": user,
        "APC_IMAP_PASSWORD": password,
        "APC_IMAP_FOLDER": "INBOX",
    }.items():
        monkeypatch.setenv(name, value)

    def deliver(raw: bytes) -> None:
        """Put a message into the reply mailbox, as the mail system would."""
        box = imaplib.IMAP4("127.0.0.1", port)
        box.login(user, password)
        box.append("INBOX", None, None, raw)
        box.logout()

    yield {"port": port, "deliver": deliver}
    server.terminate()
    server.wait(timeout=20)
    shutil.rmtree(root, ignore_errors=True)
