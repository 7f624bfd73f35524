"""Structured logs: JSON lines on standard error with the time, level, event, process and the
person acting, and never a password, a token or a record's text."""

import json
import logging
import os
import subprocess
import sys

from conftest import PROJECT_ROOT

from committee import logs

EMAIL = "log.reader@apc.example"
PASSWORD = "kept out of every log 4417"


def test_a_command_logs_json_lines_without_secrets(tmp_path):
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'logs.db'}",
        "APC_LOG_LEVEL": "info",
    }
    subprocess.run(
        [sys.executable, "-m", "committee", "init-db"],
        cwd=PROJECT_ROOT,
        env=environment,
        check=True,
    )
    done = subprocess.run(
        [sys.executable, "-m", "committee", "user", "add", EMAIL, "--name", "Log Reader"]
        + ["--role", "observer"],
        input=PASSWORD + "\n",
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert all({"time", "level", "event", "process"} <= line.keys() for line in lines)
    assert all(line["process"] == "cli" and line["time"].endswith("+00:00") for line in lines)
    (audit,) = [line for line in lines if line["event"] == "audit"]
    assert audit["action"] == "user.add" and audit["record_type"] == "app_user"
    assert lines[-1] | {"time": None} == {
        "time": None,
        "level": "info",
        "event": "command",
        "process": "cli",
        "command": "user",
        "exit_code": 0,
    }
    assert PASSWORD not in done.stderr and EMAIL not in done.stderr


def test_the_command_line_is_quiet_unless_asked(tmp_path):
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'quiet.db'}"}
    environment.pop("APC_LOG_LEVEL", None)
    done = subprocess.run(
        [sys.executable, "-m", "committee", "init-db"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stderr == ""


def test_an_error_is_logged_by_its_type_and_place_never_its_message():
    line_number = sys._getframe().f_lineno + 2
    try:
        raise ValueError("INSERT ... [parameters: ('the text of a plan',)]")
    except ValueError:
        record = logging.LogRecord("apc", logging.ERROR, __file__, 1, "x", (), sys.exc_info())
    record.event, record.fields = "database_outage", {"command": "backup"}
    token = logs.person.set(7)
    try:
        line = json.loads(logs.JsonLines().format(record))
    finally:
        logs.person.reset(token)
    assert line["event"] == "database_outage" and line["person"] == 7
    assert line["error"] == "ValueError" and line["where"] == [f"{__file__}:{line_number}"]
    assert "the text of a plan" not in json.dumps(line)


def test_a_request_path_is_logged_without_its_secrets():
    assert logs.safe_path("/feeds/s3cr3t-t0ken.ics") == "/feeds/<token>.ics"
    assert logs.safe_path("/oauth2callback?code=one-time&state=x") == "/oauth2callback"
    assert logs.safe_path("/tracker") == "/tracker"
