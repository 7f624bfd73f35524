"""The command line: same services, clear messages, non-zero exits on error."""

import io
import os
import subprocess
import sys

import pytest

from cli import main
from committee import people


def run(capsys, *args, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_user_add_list_disable_and_set_password(sqlite_db, capsys, monkeypatch):
    assert run(capsys, "demo")[0] == 0
    code, out, _ = run(
        capsys,
        "user",
        "add",
        "new.rep@apc.example",
        "--name",
        "New Rep",
        "--role",
        "agency_rep",
        "--agency",
        "state",
        stdin="a long new password\n",
        monkeypatch=monkeypatch,
    )
    assert (code, out.strip()) == (0, "added new.rep@apc.example (agency_rep)")
    assert people.sign_in(email="new.rep@apc.example", password="a long new password")

    code, out, _ = run(capsys, "user", "list")
    assert code == 0 and "new.rep@apc.example" in out and "STATE" in out

    assert run(capsys, "user", "disable", "new.rep@apc.example")[0] == 0
    with pytest.raises(people.SignInFailed):
        people.sign_in(email="new.rep@apc.example", password="a long new password")
    assert run(capsys, "user", "enable", "new.rep@apc.example")[0] == 0

    code, *_ = run(
        capsys,
        "user",
        "set-password",
        "new.rep@apc.example",
        stdin="another long password\n",
        monkeypatch=monkeypatch,
    )
    assert code == 0
    assert people.sign_in(email="new.rep@apc.example", password="another long password")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            [
                "user",
                "add",
                "x@apc.example",
                "--name",
                "X",
                "--role",
                "agency_rep",
                "--agency",
                "NOPE",
            ],
            "long enough password",
            "No agency with code 'NOPE'",
        ),
        (
            ["user", "add", "x@apc.example", "--name", "X", "--role", "observer"],
            "short",
            "password: Use at least 12 characters",
        ),
        (["user", "disable", "ghost@apc.example"], None, "No person with email"),
    ],
)
def test_errors_are_clear_and_exit_non_zero(sqlite_db, capsys, monkeypatch, args, stdin, message):
    run(capsys, "demo")
    code, out, err = run(capsys, *args, stdin=stdin, monkeypatch=monkeypatch)
    assert code == 1 and message in err and "Traceback" not in err


def test_demo_if_empty_leaves_a_database_with_people_alone(sqlite_db, capsys):
    assert run(capsys, "demo")[0] == 0
    code, out, _ = run(capsys, "demo", "--if-empty")
    assert code == 0 and "not loaded" in out
    code, _, err = run(capsys, "demo")
    assert code == 1 and "not empty" in err


def test_the_module_runs_as_a_program_and_check_tells_an_unmigrated_database(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    unmigrated = subprocess.run(
        [sys.executable, "-m", "committee", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert unmigrated.returncode == 1 and "run init-db" in unmigrated.stdout
    done = subprocess.run(
        [sys.executable, "-m", "committee", "init-db"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    check = subprocess.run(
        [sys.executable, "-m", "committee", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0 and "schema current" in check.stdout
