"""Backup and restore: round trips on SQLite and PostgreSQL (and from one to the other) that
give the same record, row for row; one consistent moment while writes go on; and the files a
restore must refuse: truncated, damaged, from a newer schema, or into a database in use; one
from an earlier schema, brought forward. A full disk during a backup leaves the previous backup
as it was."""

import gzip
import hashlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from itertools import count

import pytest
from alembic.script import ScriptDirectory
from conftest import DEMO_DAY, PROJECT_ROOT
from sqlalchemy import inspect, select
from test_deployment import fresh_postgresql  # noqa: F401  (a fixture)

from committee import backup
from committee import demo as demo_data
from committee import people as accounts
from committee.errors import CommitteeError, PermissionDenied, ValidationError
from db import engine as db_engine
from db import migrate
from db.engine import read_session
from db.models import Agency, AuditEvent, User, metadata


def everything() -> dict[str, list[tuple]]:
    """Every row of every table, in key order, as the models read them; the search index (not
    backed up, rebuilt by its triggers on restore) by what it holds, its own ids aside."""
    with read_session() as session:
        tables = {
            table.name: [
                tuple(row)
                for row in session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in metadata.sorted_tables
        }
    tables["search_entry"] = sorted(row[1:] for row in tables["search_entry"])
    return tables


def records(tables: dict[str, list[tuple]]) -> int:
    """The rows a backup holds."""
    return sum(len(rows) for name, rows in tables.items() if name != "search_entry")


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
    assert made.rows == records(before)

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

    pg_restore(made.path, target("postgresql"))
    assert everything() == before


def pg_restore(path, empty: str) -> None:
    """The documented restore of a native PostgreSQL backup: pg_restore into an empty
    database, then used."""
    libpq_url = empty.replace("+psycopg", "")
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={libpq_url}", path],
        check=True,
        capture_output=True,
    )
    db_engine.use_database(empty)


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
    db, demo, operator, tmp_path, target, format
):
    """Each agency a writer adds is one transaction with its audit event: a backup taken
    while it writes holds both, or neither. (PostgreSQL's native backup is pg_dump's, which
    restores into PostgreSQL only.)"""
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

    if (db, format) == ("postgresql", "native"):
        pg_restore(made.path, target("postgresql"))
    else:
        db_engine.use_database(target("sqlite"))
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
        assert inspect(db_engine.get_engine()).get_table_names() == []  # nothing written


def resealed(made, out, edit):
    """A portable backup's lines (the closing one aside) changed by ``edit``, with row counts
    and checksum made to match: an edit by someone who knows the format."""
    with gzip.open(made, "rt") as source:
        *lines, _ = source.readlines()
    lines = edit(lines)
    counts, table = {}, None
    for line in lines[1:]:
        value = json.loads(line)
        if isinstance(value, dict):
            table = value["table"]
            counts[table] = 0
        else:
            counts[table] += 1
    digest = hashlib.sha256("".join(lines).encode()).hexdigest()
    with gzip.open(out, "wt") as written:
        written.writelines([*lines, json.dumps({"end": counts, "sha256": digest}) + "\n"])
    return out


def test_a_backup_from_a_newer_schema_is_refused(sqlite_db, demo, operator, tmp_path):
    made = backup.make_backup(actor=operator, out=tmp_path / "apc.jsonl.gz").path

    def later(lines):
        header = json.loads(lines[0])
        return [json.dumps(header | {"schema": "0099_from_a_later_version"}) + "\n", *lines[1:]]

    newer = resealed(made, tmp_path / "newer.jsonl.gz", later)
    with pytest.raises(ValidationError, match="newer version of APC Desk"):
        backup.restore(actor=operator, source=newer)


def test_a_backup_says_what_made_it(sqlite_db, demo, operator, tmp_path):
    made = backup.make_backup(actor=operator, out=tmp_path / "apc.jsonl.gz").path
    with gzip.open(made, "rt") as source:
        header = json.loads(source.readline())
        closing = json.loads(source.readlines()[-1])
    assert header["made_by"] == {"app": "APC Desk", "version": "0.1.0"}
    assert header["schema"] == migrate.head_revision() and header["made_at"]
    assert len(closing["sha256"]) == 64
    native = backup.make_backup(actor=operator, out=tmp_path / "apc.db", format="native").path
    with sqlite3.connect(native) as copy:
        manifest = dict(copy.execute("SELECT key, value FROM apc_backup_manifest"))
    assert json.loads(manifest["made_by"])["app"] == "APC Desk"
    assert json.loads(manifest["schema"]) == migrate.head_revision()


def edited_copies(made, native, tmp_path) -> dict:
    """The ways a backup is damaged or edited after it was made."""
    data = made.read_bytes()
    corrupt = tmp_path / "corrupt.jsonl.gz"  # one compressed block damaged, the rest intact
    middle = len(data) // 2
    corrupt.write_bytes(
        data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 64]) + data[middle + 64 :]
    )
    edited = tmp_path / "edited.jsonl.gz"  # a row changed by hand, the file otherwise whole
    with gzip.open(made, "rt") as source, gzip.open(edited, "wt") as out:
        out.writelines(line.replace("Dana Whitfield", "Dana Whitfeld") for line in source)
    unsealed = tmp_path / "unsealed.jsonl.gz"  # as the first version of the format wrote it
    with gzip.open(made, "rt") as source, gzip.open(unsealed, "wt") as out:
        header, *rows, closing = source.readlines()
        out.write(json.dumps(json.loads(header) | {"version": 1}) + "\n")
        out.writelines(rows)
        out.write(json.dumps({"end": json.loads(closing)["end"]}) + "\n")
    native_edited = tmp_path / "native-edited.db"
    shutil.copy(native, native_edited)
    with sqlite3.connect(native_edited) as copy:
        copy.execute("UPDATE app_user SET name = 'Someone else' WHERE id = 1")
    native_unsealed = tmp_path / "native-unsealed.db"
    shutil.copy(native, native_unsealed)
    with sqlite3.connect(native_unsealed) as copy:
        copy.execute("DROP TABLE apc_backup_manifest")
    return {
        corrupt: "truncated or damaged",
        edited: "checksum does not match",
        unsealed: "before backups carried a checksum",
        native_edited: "checksum does not match",
        native_unsealed: "before backups carried a checksum",
    }


def test_a_damaged_edited_or_unsealed_backup_is_refused_before_anything_is_written(
    sqlite_db, demo, operator, tmp_path
):
    made = backup.make_backup(actor=operator, out=tmp_path / "apc.jsonl.gz").path
    native = backup.make_backup(actor=operator, out=tmp_path / "apc.db", format="native").path
    db_engine.use_database(f"sqlite:///{tmp_path / 'restored.db'}")
    for damaged, said in edited_copies(made, native, tmp_path).items():
        with pytest.raises(ValidationError, match=said) as refused:
            backup.restore(actor=operator, source=damaged)
        assert refused.value.field == "file"
        assert inspect(db_engine.get_engine()).get_table_names() == [], damaged  # not touched


def run_restore(source, url: str):
    return subprocess.run(
        [sys.executable, "-m", "committee", "restore", str(source), "--force"],
        env={**os.environ, "DATABASE_URL": url},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )


def said(done) -> int:
    """The lines a command wrote for a person (the rest of stderr is the structured log)."""
    lines = done.stderr.splitlines()
    assert all(line.startswith(("error:", '{"time"')) for line in lines), done.stderr
    return sum(line.startswith("error:") for line in lines)


def test_records_that_do_not_fit_together_are_refused_in_one_line_without_their_values(
    db, demo, operator, tmp_path
):
    """A backup that is whole and sealed, yet whose rows the database refuses: a row twice, or
    a row whose parent is not in it. The database's own message would print the row (a
    person's email and password hash): the restore says which table, and nothing else."""
    made = backup.make_backup(actor=operator, out=tmp_path / "apc.jsonl.gz").path
    with read_session() as session:
        emails = list(session.scalars(select(User.email)))
        hashes = [h for h in session.scalars(select(User.password_hash)) if h]

    def twice(lines):
        start = next(i for i, line in enumerate(lines) if '"table": "app_user"' in line)
        return [*lines[: start + 2], lines[start + 1], *lines[start + 2 :]]

    def orphaned(lines):
        start = next(i for i, line in enumerate(lines) if '"table": "agency"' in line)
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("{"))
        return [*lines[: start + 1], *lines[end:]]

    url = db_engine.get_engine().url.render_as_string(hide_password=False)
    for edit in (twice, orphaned):
        broken = resealed(made, tmp_path / f"{edit.__name__}.jsonl.gz", edit)
        with pytest.raises(ValidationError, match="do not fit together") as refused:
            backup.restore(actor=operator, source=broken, force=True)
        assert refused.value.__suppress_context__  # the driver's error is not shown with it
        done = run_restore(broken, url)
        assert done.returncode == 1
        assert said(done) == 1 and "do not fit together" in done.stderr, done.stderr
        assert not [secret for secret in emails + hashes if secret in done.stderr + done.stdout]
        assert "Traceback" not in done.stderr and "INSERT" not in done.stderr
    if db_engine.get_engine().dialect.name == "sqlite":  # the files do not depend on it
        native = backup.make_backup(actor=operator, out=tmp_path / "n.db", format="native").path
        for damaged in edited_copies(made, native, tmp_path):
            done = run_restore(damaged, url)
            assert done.returncode == 1 and said(done) == 1, done.stderr


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
