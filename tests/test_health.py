"""The app server's health routes: /healthz says which part is failing and nothing more,
/readyz turns ready only once this process has migrated the database; and the server's log is
JSON lines. The server starts before its PostgreSQL database exists, as after a host's reboot."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import (
    POSTGRES_ADMIN_URL,
    PROJECT_ROOT,
    free_port,
    new_postgresql_database,
    wait_until,
)
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.postgres


def answer(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except OSError:  # not answering yet, or too slowly
        return 0, {}


def test_health_and_readiness_follow_the_database(tmp_path):
    with new_postgresql_database("apc_health", create=False) as url:
        name = url.rsplit("/", 1)[1]
        log = tmp_path / "server.log"
        with serving(url, log) as base:
            wait_until(lambda: answer(f"{base}/healthz")[0], 60, "the server to start")
            # No database yet: the process serves, and says which part fails, and no more.
            assert answer(f"{base}/healthz") == (
                503,
                {"status": "failing", "database": "unreachable", "schema": "unknown"},
            )
            status, body = answer(f"{base}/readyz")
            assert status == 503 and body["migrations"] == "pending"

            admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            ready = wait_until(
                lambda: answer(f"{base}/readyz")[0] == 200 and answer(f"{base}/readyz"),
                60,
                "the migrations to run once the database is there",
            )
            assert ready[1] == {
                "status": "ok",
                "database": "ok",
                "schema": "ok",
                "migrations": "done",
            }
            assert answer(f"{base}/healthz") == (
                200,
                {"status": "ok", "database": "ok", "schema": "ok"},
            )

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    events = [line["event"] for line in lines]
    assert {"server_starting", "migrations_waiting", "migrations_done"} <= set(events)
    assert all(line["process"] == "app" for line in lines)
    assert name not in log.read_text()  # no database address in the log either


@contextmanager
def serving(url: str, log: Path):
    """``apc serve`` on a free port, its log in ``log``; yields its address."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "committee", "serve", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": url, "APC_LOG_LEVEL": "info"},
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
