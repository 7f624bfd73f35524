"""Commands that keep the record safe: backup and restore."""

from pathlib import Path

from cli.common import lazy, operator

(backup,) = lazy("committee.backup")


def register(commands) -> None:
    save = commands.add_parser(
        "backup", help="write a consistent backup of the database while the app runs"
    )
    save.add_argument("--out", required=True, type=Path, help="the backup file to write")
    save.add_argument(
        "--format",
        default="portable",
        help="portable (default): restores on SQLite or PostgreSQL; native: a SQLite copy, "
        "or pg_dump's custom format on PostgreSQL",
    )
    save.set_defaults(run=run_backup)

    load = commands.add_parser(
        "restore", help="restore a backup into an empty database (portable or SQLite copy)"
    )
    load.add_argument("file", type=Path)
    load.add_argument(
        "--force", action="store_true", help="replace what the database holds, audit trail too"
    )
    load.set_defaults(run=run_restore)


def run_backup(args) -> int:
    made = backup.make_backup(actor=operator(), out=args.out, format=args.format)
    print(
        f"backup written: {made.path} ({made.format}, schema {made.schema}, "
        f"{made.rows} rows, {made.size:,} bytes)"
    )
    return 0


def run_restore(args) -> int:
    done = backup.restore(actor=operator(), source=args.file, force=args.force)
    replaced = f", replacing {done.replaced} records" if done.replaced else ""
    print(f"restored {done.rows} rows at schema {done.schema}{replaced}")
    return 0
