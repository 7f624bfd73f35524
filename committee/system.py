"""Setting the database up and checking it is sound."""

from dataclasses import dataclass

from sqlalchemy import func, select, text

from db import migrate
from db.engine import database_url, get_engine, read_session
from db.models import User


def prepare_database() -> None:
    """Create the database if needed and bring its schema to the newest migration."""
    migrate.upgrade(get_engine())


def is_empty() -> bool:
    """True when nobody has an account yet (a fresh install)."""
    with read_session() as session:
        return not session.scalar(select(func.count()).select_from(User))


@dataclass
class HealthReport:
    ok: bool
    lines: list[str]


def check() -> HealthReport:
    """Is the database reachable, and is its schema the one this code expects?"""
    lines, ok = [], True
    url = database_url()
    safe_url = url.split("@")[-1] if "@" in url else url
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        lines.append(f"database reachable: {safe_url}")
    except Exception as error:  # any driver error means the same to the operator
        return HealthReport(False, [f"database unreachable ({safe_url}): {error}"])
    current, head = migrate.current_revision(), migrate.head_revision()
    if current != head:
        ok = False
        lines.append(f"schema at {current or 'nothing'}, code expects {head}: run init-db")
    else:
        lines.append(f"schema current ({head})")
    return HealthReport(ok, lines)
