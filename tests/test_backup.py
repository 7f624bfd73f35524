"""Backup and restore: round trips on SQLite and PostgreSQL (and from one to the other) that
give the same record, row for row; one consistent moment while writes go on; and the files a
restore must refuse: truncated, damaged, from a newer schema, or into a database in use; one
from an earlier schema, brought forward. A full disk during a backup leaves the previous backup
as it was."""

import gzip
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
from itertools import count

import pytest
from alembic.script import ScriptDirectory
from conftest import DEMO_DAY, PROJECT_ROOT
from sqlalchemy import select
from test_deployment import fresh_postgresql  # noqa: F401  (a fixture)

from committee import backup
from committee import demo as demo_data
from committee import people as accounts
from committee.errors import CommitteeError, PermissionDenied, ValidationError
from db import engine as db_engine
from db import migrate
from db.engine import read_session
from db.models import Agency, AuditEvent, metadata


def everything() -> dict[str, list[tuple]]:
    """Every row of every table, in key order, as the models read them."""
    with read_session() as session:
        return {
            table.name: [
                tuple(row)
                for row in session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in metadata.sorted_tables
        }


def without_last_event(record: dict, action: str) -> dict:
    """The record as it was before the event ``action`` that ends its audit trail."""
    *earlier, last = record["audit_event"]
    assert last[AUDIT_COLUMNS.index("action")] == action
    return record | {"audit_event": earlier}


AUDIT_COLUMNS = [column.name for column in metadata.tables["audit_event"].columns]


@pytest.fixture
def target(request, tmp_path):
    """Where a restore goes: an empty database (no tables yet) on the engine asked for."""

    def on(engine: str) -> str:
        if engine == "sqlite":
            return f"sqlite:///{tmp_path / 'restored.db'}"
        return request.getfixturevalue("fresh_postgresql")

    return on


@pytest.mark.parametrize("to", ["sqlite", "postgresql"])
def test_a_portable_backup_restores_identically_on_either_engine(
    db, demo, operator, tmp_path, target, to
):
    before = everything()
    made = backup.make_backup(actor=operator, out=tmp_path / "apc.jsonl.gz")
    assert made.rows == sum(len(rows) for rows in before.values())

    db_engine.use_database(target(to))
    restored = backup.restore(actor=operator, source=made.path)
    assert restored.rows == made.rows and restored.replaced == 0
    assert without_last_event(everything(), "backup.restore") == before


def test_a_native_sqlite_copy_restores_identically(sqlite_db, demo, operator, tmp_path, target):
    before = everything()
    made = backup.make_backup(actor=operator, out=tmp_path / "apc.db", format="native")
    assert made.path.read_bytes().startswith(b"SQLite format 3\x00")
    assert not list(tmp_path.glob("apc.db-*"))  # one self-contained file

    db_engine.use_database(target("postgresql"))
    backup.restore(actor=operator, source=made.path)
    assert without_last_event(everything(), "backup.restore") == before


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_a_native_postgresql_backup_is_pg_dump_and_restores_with_pg_restore(
    db, demo, operator, tmp_path, target
):
    if shutil.which("pg_restore") is None:
        pytest.skip(reason="pg_restore is not installed")
    before = everything()
    made = backup.make_backup(actor=operator, out=tmp_path / "apc.dump", format="native")
    assert made.path.read_bytes().startswith(b"PGDMP")
    with pytest.raises(ValidationError, match="pg_restore"):
        backup.restore(actor=operator, source=made.path)

    # The documented restore: pg_restore into an empty database.
    empty = target("postgresql")
    libpq_url = empty.replace("+psycopg", "")
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={libpq_url}", made.path],
        check=True,
        capture_output=True,
    )
    db_engine.use_database(empty)
    assert everything() == before


def test_a_backup_is_one_moment_though_the_app_writes_meanwhile(
    db, demo, operator, tmp_path, monkeypatch
):
    """A change made while the backup is half read (its agency already read, its audit event
    not yet) is wholly absent from the backup: no agency without its audit event."""
    read_rows = backup._rows

    def rows_then_write(connection, table):
        yield from read_rows(connection, table)
        if table.name == "agency":
            accounts.add_agency(actor=operator, code="MID", name="Added during the backup")

    monkeypatch.setattr(backup, "_rows", rows_then_write)
    made = backup.make_backup(actor=operator, out=tmp_path / "apc.jsonl.gz")
    monkeypatch.undo()
    assert accounts.agency_by_code("MID")  # the write went through...

    db_engine.use_database(f"sqlite:///{tmp_path / 'restored.db'}")
    backup.restore(actor=operator, source=made.path)
    with read_session() as session:  # ...after the moment the backup shows
        assert not session.scalar(select(Agency).where(Agency.code == "MID"))
        assert not session.scalar(select(AuditEvent).where(AuditEvent.action == "agency.add"))


@pytest.mark.parametrize("format", ["portable", "native"])
def test_backups_taken_under_a_stream_of_writes_are_consistent(
    db, demo, operator, tmp_path, format
):
    """Each agency a writer adds is one transaction with its audit event: a backup taken
    while it writes holds both, or neither."""
    if format == "native" and db == "postgresql":
        pytest.skip(reason="the native PostgreSQL backup is pg_dump's, restored with pg_restore")
    stop, under_way, numbers = threading.Event(), threading.Event(), count(1)

    def keep_writing():
        while not stop.is_set():
            number = next(numbers)
            accounts.add_agency(actor=operator, code=f"W{number}", name=f"Writer {number}")
            if number == 3:
                under_way.set()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        under_way.wait(timeout=30)
        made = backup.make_backup(actor=operator, out=tmp_path / "apc.backup", format=format)
    finally:
        stop.set()
        writer.join()

    db_engine.use_database(f"sqlite:///{tmp_path / 'restored.db'}")
    backup.restore(actor=operator, source=made.path)
    with read_session() as session:
        agencies = set(session.scalars(select(Agency.id).where(Agency.code.like("W%"))))
        audited = session.scalars(
            select(AuditEvent.record_id).where(AuditEvent.action == "agency.add")
        )
        assert {int(record_id) for record_id in audited} == agencies
    assert len(agencies) >= 3


def test_a_truncated_or_damaged_file_restores_nothing(sqlite_db, demo, operator, tmp_path):
    portable = backup.make_backup(actor=operator, out=tmp_path / "apc.jsonl.gz").path
    native = backup.make_backup(actor=operator, out=tmp_path / "apc.db", format="native").path
    cut_short = tmp_path / "cut.jsonl.gz"
    cut_short.write_bytes(portable.read_bytes()[: portable.stat().st_size // 2])
    cut_native = tmp_path / "cut.db"
    cut_native.write_bytes(native.read_bytes()[: native.stat().st_size // 2])
    no_end = tmp_path / "no-end.jsonl.gz"
    with gzip.open(portable, "rt") as whole, gzip.open(no_end, "wt") as partial:
        partial.writelines(whole.readlines()[:-1])  # a file closed cleanly, its last line lost
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("minutes of the last meeting")

    db_engine.use_database(f"sqlite:///{tmp_path / 'restored.db'}")
    for damaged in (cut_short, cut_native, no_end, not_a_backup):
        with pytest.raises(ValidationError) as refused:
            backup.restore(actor=operator, source=damaged)
        assert refused.value.field == "file"
        assert everything()["app_user"] == []  # nothing half-restored


def test_a_backup_from_a_newer_schema_is_refused(sqlite_db, demo, operator, tmp_path):
    made = backup.make_backup(actor=operator, out=tmp_path / "apc.jsonl.gz").path
    newer = tmp_path / "newer.jsonl.gz"
    with gzip.open(made, "rt") as source, gzip.open(newer, "wt") as out:
        header = json.loads(source.readline())
        out.write(json.dumps(header | {"schema": "0099_from_a_later_version"}) + "\n")
        out.writelines(source)
    with pytest.raises(ValidationError, match="newer version of APC Desk"):
        backup.restore(actor=operator, source=newer)


def test_a_database_in_use_is_replaced_only_when_told(sqlite_db, demo, operator, tmp_path):
    before = everything()
    made = backup.make_backup(actor=operator, out=tmp_path / "apc.jsonl.gz").path
    accounts.add_agency(actor=operator, code="LATER", name="Added after the backup")
    with pytest.raises(ValidationError, match="already holds") as refused:
        backup.restore(actor=operator, source=made)
    assert refused.value.field == "force"
    assert accounts.agency_by_code("LATER")

    replaced = backup.restore(actor=operator, source=made, force=True)
    assert replaced.replaced > 0
    assert without_last_event(everything(), "backup.restore") == before


def test_only_an_admin_or_the_operator_backs_up(sqlite_db, people, tmp_path):
    with pytest.raises(PermissionDenied):
        backup.make_backup(actor=people["chair"], out=tmp_path / "apc.jsonl.gz")
    assert not list(tmp_path.iterdir())
    made = backup.make_backup(actor=people["admin"], out=tmp_path / "apc.jsonl.gz")
    last = backup.last_backup()
    assert last.actor_label == "admin@test.example" and last.after["rows"] == made.rows


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_a_full_disk_leaves_the_previous_backup_whole(db, demo, operator, tmp_path):
    """The backup command runs with a limit on the size of the files it may write (what a full
    disk does to a write); the database, on its own server, is not limited."""
    out = tmp_path / "apc.jsonl.gz"
    previous = backup.make_backup(actor=operator, out=out).path.read_bytes()
    accounts.add_agency(actor=operator, code="NEWER", name="Makes the next backup differ")

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (8_000, 8_000))

    done = subprocess.run(
        [sys.executable, "-m", "committee", "backup", "--out", str(out)],
        env={**os.environ, "DATABASE_URL": db_engine.get_engine().url.render_as_string(False)},
        cwd=PROJECT_ROOT,
        preexec_fn=small_disk,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "not enough space" in done.stderr and "still holds the previous backup" in done.stderr
    assert "Traceback" not in done.stderr
    assert out.read_bytes() == previous
    assert sorted(path.name for path in tmp_path.iterdir()) == ["apc.jsonl.gz"]
    with read_session() as session:
        failed = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "backup.run", AuditEvent.outcome == "failed"
            )
        )
    assert failed is not None and failed.actor_label.startswith("cli:")


def test_a_backup_that_cannot_be_written_says_why(sqlite_db, operator, tmp_path):
    with pytest.raises(CommitteeError, match="could not be written"):
        backup.make_backup(actor=operator, out=tmp_path / "no such folder" / "apc.jsonl.gz")


def test_a_backup_from_an_earlier_version_is_restored_then_brought_forward(operator, tmp_path):
    """The record as an earlier version of the tool held it (one migration back) restores
    into a new database as it was, and the migrations then bring it to this version."""
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    earlier = scripts.get_revision(migrate.head_revision()).down_revision
    source = db_engine.use_database(f"sqlite:///{tmp_path / 'earlier.db'}")
    migrate.upgrade()
    demo_data.load_demo(actor=operator, today=DEMO_DAY.date())
    migrate.migrate_to(earlier, source, down=True)
    made = backup.make_backup(actor=operator, out=tmp_path / "earlier.jsonl.gz")
    assert made.schema == earlier
    migrate.upgrade(source)
    expected = without_last_event(everything(), "backup.run")

    db_engine.use_database(f"sqlite:///{tmp_path / 'in-use.db'}")
    migrate.upgrade()
    with pytest.raises(ValidationError, match="earlier version of APC Desk"):
        backup.restore(actor=operator, source=made.path)

    db_engine.use_database(f"sqlite:///{tmp_path / 'new.db'}")
    backup.restore(actor=operator, source=made.path)
    assert migrate.current_revision() == migrate.head_revision()
    assert without_last_event(everything(), "backup.restore") == expected
