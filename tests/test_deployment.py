"""Deployment at scale: several processes on one PostgreSQL database. Processes that start
together migrate it once, safely; two real app servers serve the same record, so a change
made through one is what the other shows."""

import os
import re
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, free_port, new_postgresql_database
from sqlalchemy import create_engine, inspect, text

from db import migrate

pytestmark = pytest.mark.postgres


@contextmanager
def serve_app(environment: dict, log_folder: Path):
    """A real app server (``streamlit run server.py``: the app, its sign-in routes and feeds)
    on a free port with ``environment`` on top of this process's; yields its address once its
    health endpoint answers."""
    port = free_port()
    log = open(log_folder / f"streamlit-{port}.log", "w")
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
        ],
        env={**os.environ, "APC_BASE_URL": f"http://127.0.0.1:{port}", **environment},
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    assert answer.read() == b"ok"
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"the app on port {port} did not start; see {log.name}")
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture
def fresh_postgresql():
    """An empty PostgreSQL database of this test's own (no schema yet), dropped after."""
    with new_postgresql_database("apc_deploy") as url:
        yield url


def open_from_menu(page, title: str) -> None:
    """Click a page in the sidebar menu, unfolding the menu first when it is folded."""
    more = page.get_by_text(re.compile(r"^View \d+ more$"))
    if more.count():
        more.click()
    page.get_by_role("link", name=title, exact=True).click()


def cli(url: str, *arguments: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "committee", *arguments],
        env={**os.environ, "DATABASE_URL": url},
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_processes_starting_together_migrate_a_fresh_database_once(fresh_postgresql):
    starting = [cli(fresh_postgresql, "init-db") for _ in range(4)]
    results = [(process.wait(timeout=120), process.stderr.read()) for process in starting]
    assert [code for code, _ in results] == [0, 0, 0, 0], results
    engine = create_engine(fresh_postgresql)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM country")).scalar() == 249
        assert "app_user" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


@pytest.mark.browser
def test_a_change_through_one_server_is_read_through_the_other(
    fresh_postgresql, page, sign_in, tmp_path
):
    assert cli(fresh_postgresql, "demo").wait(timeout=120) == 0
    environment = {"DATABASE_URL": fresh_postgresql}
    with serve_app(environment, tmp_path) as first, serve_app(environment, tmp_path) as second:
        # The chair changes the banner through the first server...
        sign_in(first, "chair@apc.example")
        page.get_by_text("Good day").wait_for()
        open_from_menu(page, "Settings")
        banner = page.get_by_label("Banner (the handling marking at the top of every page)")
        banner.fill("OFFICIAL USE ONLY // SERVED BY TWO PROCESSES")
        page.get_by_role("button", name="Save settings").click()
        page.get_by_text("1 setting(s) saved.").wait_for()

        # ...and a person arriving at the second server sees it, on the sign-in page already.
        page.goto(second)
        page.get_by_text("OFFICIAL USE ONLY // SERVED BY TWO PROCESSES").wait_for()
