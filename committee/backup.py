"""Backups that outlive the machine, and restoring them.

Two formats, both taken while the app keeps running, from one consistent moment:

- ``native``: on SQLite, a copy of the database file through SQLite's online backup API; on
  PostgreSQL, ``pg_dump``'s custom format (restored with ``pg_restore``, see README).
- ``portable``: the tool's own export, which restores on either engine: gzip-compressed JSON
  lines, a header (format, schema revision, engine, time, the version of the tool that made
  it), each table's columns and rows, and a closing line with every table's row count and the
  SHA-256 of every line before it, so that a truncated, damaged or edited file is recognised.

A native SQLite copy carries the same manifest in a table of its own, with the SHA-256 of its
records. A restore checks the checksum before it writes anything, and says in one line what is
wrong with a file it refuses: never a traceback, never the values of a row (a person's email
or password hash would be among them).

A backup is written to a temporary file beside its destination and renamed into place only
once complete: a full disk or a crash never leaves half a backup under the name, and never
harms the previous backup. A restore reads a portable file or a native SQLite copy into the
database in one transaction: all of it, or nothing. A backup from an earlier version of the
tool is restored into a new database at its own schema revision, then brought up to date by
the migrations.
"""

import errno
import gzip
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tomllib
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import (
    Connection,
    Engine,
    MetaData,
    Table,
    create_engine,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session

from committee import audit, clock
from committee.actor import Actor
from committee.errors import CommitteeError, ValidationError
from committee.transaction import writing
from db import migrate, search_index
from db.engine import get_engine, read_session
from db.models import AuditEvent, metadata

FORMATS = ("portable", "native")
PORTABLE_MARK = "apc-desk-backup"
PORTABLE_VERSION = 2  # 1: before backups carried a checksum
MANIFEST_TABLE = "apc_backup_manifest"  # in a native SQLite copy
# What reading a damaged file raises: gzip's own errors, zlib's for a corrupt block, and JSON's.
UNREADABLE = (OSError, EOFError, ValueError, zlib.error)
UNSEALED = (
    "This backup was made by an earlier version of APC Desk, before backups carried a "
    "checksum: it cannot be shown to be whole and unedited, so it is not restored. Restore it "
    "with the version that made it, then make a new backup."
)
TAMPERED = (
    "The backup's checksum does not match its content: the file was damaged or edited after "
    "it was made. Nothing was restored."
)
GZIP_MAGIC = b"\x1f\x8b"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
INSERT_BATCH = 1_000
# Filled by the migrations, so present in every database, empty or not.
REFERENCE_TABLES = {"country", "blueprint_recommendation"}
# Columns that close a cycle between tables (plan <-> plan version ...): a restore writes them
# in a second pass, once the rows they point to exist.
LATE_REFERENCES = {
    table.name: [fk.parent.name for fk in table.foreign_keys if fk.use_alter]
    for table in metadata.sorted_tables
}


def made_by() -> dict:
    """The manifest's account of what made a backup: the tool and its version."""
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        version = tomllib.loads(pyproject.read_text())["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        version = "unknown"
    return {"app": "APC Desk", "version": version}


@dataclass(frozen=True)
class Backup:
    """A backup written: where, in which format, at which schema revision, how many rows."""

    path: Path
    format: str
    schema: str
    rows: int
    size: int


@dataclass(frozen=True)
class Restored:
    """A restore done: rows written, and records the database held before (with ``force``)."""

    rows: int
    schema: str
    replaced: int


@dataclass
class _Source:
    """A backup being read: its schema revision, and every row as (table name, values),
    parents before children. ``counts`` holds the rows per table the backup says it has, once
    ``rows()`` has been read."""

    schema: str
    kind: str
    rows: Callable[[dict[str, Table]], Iterator[tuple[str, dict]]]  # given the target's tables
    counts: dict[str, int] = field(default_factory=dict)


# --- backing up -----------------------------------------------------------------------------


def make_backup(*, actor: Actor, out: Path, format: str = "portable") -> Backup:
    """Write a backup of the database to ``out``."""
    out = Path(out)
    engine = get_engine()
    try:
        with writing(actor, "backup.run") as w:
            w.require("backup.run")
            if format not in FORMATS:
                raise ValidationError(
                    f"Format must be one of {', '.join(FORMATS)}.", field="format"
                )
            # The session has not touched the database yet, so the app's writers are not held
            # up while the backup is taken: the audit event is written when it is done.
            schema, rows = _atomically(out, lambda partial: _WRITERS[format](engine, partial))
            made = Backup(out, format, schema, rows, out.stat().st_size)
            w.audit(
                record_type="backup",
                record_id=out.name[:60],
                after={"format": format, "schema": schema, "rows": rows, "bytes": made.size},
                detail=str(out.resolve()),
            )
    except OSError as error:
        audit.record_alone(
            actor=actor,
            action="backup.run",
            outcome="failed",
            record_type="backup",
            record_id=out.name[:60],
            detail=f"{out.resolve()}: {error}",
        )
        raise CommitteeError(_explain(error, out)) from error
    return made


def last_backup() -> AuditEvent | None:
    """The most recent backup that succeeded, from the audit trail."""
    with read_session() as session:
        return session.scalar(
            select(AuditEvent)
            .where(AuditEvent.action == "backup.run", AuditEvent.outcome == "ok")
            # by time: the (action, at) index answers it without walking the whole trail
            .order_by(AuditEvent.at.desc())
            .limit(1)
        )


def _atomically(out: Path, write: Callable[[Path], tuple[str, int]]) -> tuple[str, int]:
    """Run ``write`` into a temporary file beside ``out``, then rename it into place."""
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        result = write(partial)
        with open(partial, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return result


def _explain(error: OSError, out: Path) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        cause = f"there is not enough space for it in {out.parent}"
    else:
        cause = error.strerror or str(error)
    kept = f"{out} still holds the previous backup" if out.exists() else "no file was left"
    return f"The backup could not be written: {cause}. Nothing was changed: {kept}."


def _write_portable(engine: Engine, partial: Path) -> tuple[str, int]:
    counts: dict[str, int] = {}
    digest = hashlib.sha256()
    with _snapshot(engine) as connection, gzip.open(partial, "wt", encoding="utf-8") as out:

        def write(value, **options) -> None:
            line = json.dumps(value, **options) + "\n"
            digest.update(line.encode())
            out.write(line)

        schema = _revision(connection)
        write(
            {
                "format": PORTABLE_MARK,
                "version": PORTABLE_VERSION,
                "schema": schema,
                "engine": engine.dialect.name,
                "made_at": clock.now().isoformat(),
                "made_by": made_by(),
            }
        )
        for table in _tables(connection):
            columns = [column.name for column in table.columns]
            write({"table": table.name, "columns": columns})
            counts[table.name] = 0
            for row in _rows(connection, table):
                write([row[name] for name in columns], default=_encode)
                counts[table.name] += 1
        out.write(json.dumps({"end": counts, "sha256": digest.hexdigest()}) + "\n")
    return schema, sum(counts.values())


def _write_native(engine: Engine, partial: Path) -> tuple[str, int]:
    if engine.dialect.name == "sqlite":
        return _copy_sqlite(engine, partial)
    return _pg_dump(engine, partial)


def _copy_sqlite(engine: Engine, partial: Path) -> tuple[str, int]:
    source = sqlite3.connect(engine.url.database)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)  # all pages in one step: one consistent moment, writers not blocked
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        schema = copy.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        tables = copy.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name <> 'alembic_version' AND name NOT LIKE 'sqlite%'"
        )
        rows = sum(
            copy.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for (name,) in tables.fetchall()
        )
        manifest = {
            "schema": schema,
            "made_at": clock.now().isoformat(),
            "made_by": made_by(),
            "sha256": _sqlite_digest(copy),
        }
        copy.execute(f"CREATE TABLE {MANIFEST_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        copy.executemany(
            f"INSERT INTO {MANIFEST_TABLE} VALUES (?, ?)",  # noqa: S608
            [(key, json.dumps(value)) for key, value in manifest.items()],
        )
        copy.commit()
    finally:
        copy.close()
        source.close()
    return schema, rows


def _pg_dump(engine: Engine, partial: Path) -> tuple[str, int]:
    if shutil.which("pg_dump") is None:
        raise CommitteeError(
            "pg_dump is not installed here: install the PostgreSQL client tools, or use "
            "--format portable."
        )
    url = engine.url.set(drivername="postgresql")
    environment = {**os.environ, "PGPASSWORD": url.password or ""}  # not in the process list
    dsn = url.set(password=None).render_as_string(hide_password=False)
    done = subprocess.run(
        ["pg_dump", "--format=custom", f"--file={partial}", f"--dbname={dsn}"],
        env=environment,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        if "No space left" in done.stderr:
            raise OSError(errno.ENOSPC, "No space left on device")
        raise CommitteeError(f"pg_dump failed: {done.stderr.strip()}")
    with engine.connect() as connection:  # for the record only: pg_dump has its own snapshot
        schema = _revision(connection)
        rows = sum(
            connection.scalar(select(func.count()).select_from(table))
            for table in _tables(connection)
        )
    return schema, rows


_WRITERS = {"portable": _write_portable, "native": _write_native}


def _sqlite_digest(connection: sqlite3.Connection) -> str:
    """The SHA-256 of a SQLite copy's records and schema revision, table by table in name
    order, each row as SQLite stores it."""
    digest = hashlib.sha256()
    names = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    ).fetchall()
    for (name,) in names:
        if name == "alembic_version" or (_kept(name) and not name.startswith("sqlite")):
            digest.update(f"\0{name}\0".encode())
            for row in connection.execute(f'SELECT * FROM "{name}" ORDER BY rowid'):  # noqa: S608
                digest.update(repr(row).encode())
    return digest.hexdigest()


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction: every table as of one moment, whatever the app writes meanwhile
    (SQLite in WAL mode keeps a reader's snapshot; PostgreSQL needs REPEATABLE READ)."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def _tables(connection: Connection) -> list[Table]:
    """The database's tables as they are, parents before children: the models' own where the
    columns match (their types read moments back in UTC), else as the database describes them
    (a database at an earlier schema revision)."""
    found = MetaData()
    found.reflect(bind=connection, only=lambda name, _: _kept(name))
    tables = []
    for model in metadata.sorted_tables:
        table = found.tables.get(model.name) if _kept(model.name) else None
        if table is not None:
            tables.append(
                model if set(table.columns.keys()) == set(model.columns.keys()) else table
            )
    tables += [found.tables[name] for name in sorted(set(found.tables) - set(metadata.tables))]
    return tables


def _kept(name: str) -> bool:
    """Not the schema's revision, nor a native copy's manifest, nor the search index: its
    triggers rebuild it from the records as they are restored."""
    return name not in ("alembic_version", MANIFEST_TABLE) and not name.startswith("search_")


def _rows(connection: Connection, table: Table) -> Iterator[dict]:
    query = select(table).order_by(*table.primary_key.columns)
    result = connection.execution_options(yield_per=INSERT_BATCH).execute(query)
    for row in result.mappings():
        yield dict(row)


def _revision(connection: Connection) -> str:
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def _encode(value):
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)  # SQLite's stored UTC, read without a model
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a backup")


# --- restoring ------------------------------------------------------------------------------


def restore(*, actor: Actor, source: Path, force: bool = False) -> Restored:
    """Restore ``source`` (a portable backup, or a native SQLite copy) into the database.

    Refused: a database that holds records (unless ``force``, which replaces them, audit
    trail included), a file that is not a backup, a truncated or damaged one, one from a newer
    version of the tool, and one from an earlier version unless the database has no tables."""
    source = Path(source)
    with writing(actor, "backup.restore") as w:
        w.require("backup.run")
        if not source.is_file():
            raise ValidationError(f"{source} does not exist.", field="file")
        backup = _open(source)
        tables = _prepare(backup.schema)
        held = _records(w.session, tables)
        if held and not force:
            raise ValidationError(
                f"The database already holds {held} records. Restore into an empty database, "
                "or pass --force to replace them.",
                field="force",
            )
        _empty(w.session, tables)
        rows = _load(w.session, backup, tables)
        w.audit(
            record_type="backup",
            record_id=source.name[:60],
            before={"records": held},
            after={"format": backup.kind, "schema": backup.schema, "rows": rows},
            detail=str(source.resolve()),
        )
    migrate.upgrade()  # a backup from an earlier version is brought up to this one
    with get_engine().begin() as connection:
        search_index.rebuild(connection)  # the triggers saw rows arrive in any order
    return Restored(rows=rows, schema=backup.schema, replaced=held)


def _open(path: Path) -> _Source:
    try:
        with open(path, "rb") as file:
            start = file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise ValidationError(f"{path} cannot be read: {error.strerror}.", field="file") from None
    if start.startswith(GZIP_MAGIC):
        return _open_portable(path)
    if start == SQLITE_MAGIC:
        return _open_sqlite(path)
    if start.startswith(PG_DUMP_MAGIC):
        raise ValidationError(
            "This is a pg_dump file: restore it with pg_restore (see README).", field="file"
        )
    raise ValidationError(f"{path.name} is not an APC Desk backup.", field="file")


def _open_portable(path: Path) -> _Source:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as file:
            header = json.loads(file.readline())
    except UNREADABLE as error:
        raise _damaged(error) from error
    if not isinstance(header, dict) or header.get("format") != PORTABLE_MARK:
        raise ValidationError(f"{path.name} is not an APC Desk backup.", field="file")
    if header.get("version") == 1:
        raise ValidationError(UNSEALED, field="file")
    if header.get("version") != PORTABLE_VERSION:
        raise ValidationError("This backup was made by a newer version of APC Desk.", field="file")
    _check_portable(path)

    def rows(tables: dict[str, Table]) -> Iterator[tuple[str, dict]]:
        with gzip.open(path, "rt", encoding="utf-8") as file:
            lines = map(json.loads, file)
            next(lines)  # the header, read above
            name, columns, decoders = "", [], []
            for line in lines:
                if isinstance(line, list):
                    yield (
                        name,
                        {
                            column: decode(value) if decode and value is not None else value
                            for column, decode, value in zip(columns, decoders, line, strict=True)
                        },
                    )
                elif "table" in line:
                    name, columns = line["table"], line["columns"]
                    if name not in tables or set(columns) != set(tables[name].columns.keys()):
                        raise ValidationError(f"The table {name} differs.", field="file")
                    decoders = [_decoder(tables[name].columns[column]) for column in columns]
                elif "end" in line:
                    backup.counts.update(line["end"])
                    return
        raise ValidationError("The backup file ends before its closing line.", field="file")

    backup = _Source(schema=header.get("schema", ""), kind="portable", rows=rows)
    return backup


def _check_portable(path: Path) -> None:
    """Read the whole file once, before anything is written: every line before the closing
    one must give the checksum the closing line holds."""
    digest, last = hashlib.sha256(), ""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as file:
            for line in file:
                if last:
                    digest.update(last.encode())
                last = line
        closing = json.loads(last) if last else None
    except UNREADABLE as error:
        raise _damaged(error) from error
    if not isinstance(closing, dict) or "end" not in closing:
        raise ValidationError("The backup file ends before its closing line.", field="file")
    if closing.get("sha256") != digest.hexdigest():
        raise ValidationError(TAMPERED, field="file")


def _open_sqlite(path: Path) -> _Source:
    # Read-only: reading a backup never changes it.
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with engine.connect() as connection:
            healthy = connection.execute(text("PRAGMA quick_check")).scalar() == "ok"
            schema = _revision(connection) if healthy else ""
    except DBAPIError as error:
        engine.dispose()
        raise _damaged(error) from error
    if not healthy:
        engine.dispose()
        raise ValidationError("The SQLite file is damaged or truncated.", field="file")
    _check_sqlite(path, engine)

    def rows(_: dict[str, Table]) -> Iterator[tuple[str, dict]]:  # the copy has its tables
        with engine.connect() as connection, connection.begin():
            for table in _tables(connection):
                backup.counts[table.name] = 0
                for row in _rows(connection, table):
                    backup.counts[table.name] += 1
                    yield table.name, row
        engine.dispose()

    backup = _Source(schema=schema, kind="native", rows=rows)
    return backup


def _check_sqlite(path: Path, engine: Engine) -> None:
    """A native copy's manifest must hold the checksum of the records beside it."""
    copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = copy.execute(
            "SELECT value FROM sqlite_master s JOIN "  # noqa: S608
            f"{MANIFEST_TABLE} m ON m.key = 'sha256' WHERE s.name = '{MANIFEST_TABLE}'"
        ).fetchone()
        sealed = found is not None and json.loads(found[0]) == _sqlite_digest(copy)
    except sqlite3.OperationalError as error:
        if "no such table" not in str(error):
            engine.dispose()
            raise _damaged(error) from error
        engine.dispose()
        raise ValidationError(UNSEALED, field="file") from None
    finally:
        copy.close()
    if not sealed:
        engine.dispose()
        raise ValidationError(TAMPERED, field="file")


def _prepare(schema: str) -> list[Table]:
    """The database's tables at the backup's schema revision, made if need be. A backup from an
    earlier version goes into a database without tables, made at its revision (the migrations
    then bring it forward); one from a newer version is refused."""
    head = migrate.head_revision()
    if schema != head:
        try:
            known = ScriptDirectory.from_config(migrate.alembic_config()).get_revision(schema)
        except CommandError:
            known = None
        if known is None:
            raise ValidationError(
                f"This backup was made by a newer version of APC Desk (schema {schema}; this "
                f"version knows up to {head}). Upgrade the tool, then restore.",
                field="file",
            )
        if inspect(get_engine()).get_table_names():
            raise ValidationError(
                f"This backup is from an earlier version of APC Desk (schema {schema}; this "
                f"version is at {head}). Restore it into a new database without tables: it is "
                "restored as it was, then brought up to this version.",
                field="file",
            )
    migrate.migrate_to(schema)
    with get_engine().connect() as connection:
        return _tables(connection)


def _records(session: Session, tables: list[Table]) -> int:
    """Records people made (reference tables come with every database)."""
    return sum(
        session.scalar(select(func.count()).select_from(table))
        for table in tables
        if table.name not in REFERENCE_TABLES
    )


def _late(table: Table) -> list[str]:
    return [name for name in LATE_REFERENCES.get(table.name, ()) if name in table.columns]


def _empty(session: Session, tables: list[Table]) -> None:
    for table in tables:
        if _late(table):
            session.execute(update(table).values(dict.fromkeys(_late(table))))
    for table in reversed(tables):
        session.execute(table.delete())


def _load(session: Session, backup: _Source, tables: list[Table]) -> int:
    by_name = {table.name: table for table in tables}
    loaded: Counter[str] = Counter()
    second_pass: list[tuple[Table, dict]] = []
    batch: list[dict] = []
    current = None
    try:
        for name, row in backup.rows(by_name):
            table = by_name[name]
            if table is not current or len(batch) == INSERT_BATCH:
                _insert(session, current, batch)
                current = table
            late = _late(table)
            if any(row[column] is not None for column in late):
                second_pass.append((table, row))
                row = {**row, **dict.fromkeys(late)}
            batch.append(row)
            loaded[name] += 1
        _insert(session, current, batch)
        if +loaded != +Counter(backup.counts):  # unary + leaves out the empty tables
            raise ValidationError(
                "The backup file is incomplete: its tables do not hold the rows it lists.",
                field="file",
            )
        for table, row in second_pass:
            key = [column == row[column.name] for column in table.primary_key.columns]
            session.execute(update(table).where(*key).values({c: row[c] for c in _late(table)}))
    except (*UNREADABLE, KeyError, TypeError) as error:
        raise _damaged(error) from error
    except DBAPIError as error:
        raise _does_not_fit(error) from None  # its message would carry the row's values
    _continue_numbering(session, tables)
    return loaded.total()


def _insert(session: Session, table: Table | None, batch: list[dict]) -> None:
    if batch:
        session.execute(insert(table), batch)
        batch.clear()


def _continue_numbering(session: Session, tables: list[Table]) -> None:
    """PostgreSQL hands out ids from sequences, which a restore of explicit ids leaves behind."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite continues from the largest id by itself
    for table in tables:
        [*key] = table.primary_key.columns
        if len(key) != 1 or _python_type(key[0]) is not int:
            continue
        largest = session.scalar(select(func.max(key[0])))
        session.execute(  # no sequence (a key that is not generated): setval(NULL) does nothing
            text("SELECT setval(pg_get_serial_sequence(:table, :column), :next, false)"),
            {"table": table.name, "column": key[0].name, "next": (largest or 0) + 1},
        )


def _python_type(column) -> type | None:
    stored = column.type
    if isinstance(stored, TypeDecorator):  # e.g. UTCDateTime: what it stores decides
        stored = stored.impl_instance
    try:
        return stored.python_type
    except NotImplementedError:
        return None


def _decoder(column) -> Callable | None:
    """How a column's value comes back from JSON: moments, days and times were written as
    ISO 8601 text."""
    return {
        datetime: datetime.fromisoformat,
        date: date.fromisoformat,
        time: time.fromisoformat,
    }.get(_python_type(column))


def _does_not_fit(error: DBAPIError) -> ValidationError:
    """A row the database refuses (its parent missing, or there twice): which table, in one
    line. The driver's message and the statement's parameters hold the row's values, which
    may be a person's email or password hash, so neither is shown."""
    table = re.search(r"(?:INSERT INTO|UPDATE)\s+\"?(\w+)", error.statement or "")
    where = f" in the table {table.group(1)}" if table else ""
    return ValidationError(
        f"The backup's records do not fit together{where}: a row refers to a record the "
        "backup does not hold, or a record is in it twice. Nothing was restored.",
        field="file",
    )


def _damaged(error: Exception) -> ValidationError:
    cause = getattr(error, "orig", None) or error  # the driver's words, not the SQL around them
    return ValidationError(
        f"The backup file is truncated or damaged ({cause}); nothing was restored.",
        field="file",
    )
