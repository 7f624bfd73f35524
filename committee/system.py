"""Setting the database up and checking it is sound."""

import os
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.exc import InterfaceError, OperationalError

from committee import auth, links, sessions, settings
from committee.errors import ValidationError
from db import migrate
from db.engine import database_url, get_engine, read_session
from db.models import User

# Errors that mean the database cannot be reached just now: stopped, restarting, the connection
# cut. Every write is one transaction, so nothing was half-written; the connection pool
# reconnects by itself once the database is back.
OUTAGES = (OperationalError, InterfaceError)
OUTAGE_MESSAGE = (
    "The database cannot be reached just now. Anything you were saving was not saved, and "
    "nothing was half saved: try again in a moment."
)


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
    """Is the database reachable, is its schema the one this code expects, and are the
    settings (in the database and the environment) and the sign-in configuration sound?"""
    lines = []
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
        lines.append(f"schema at {current or 'nothing'}, code expects {head}: run init-db")
        return HealthReport(False, lines)
    lines.append(f"schema current ({head})")
    problems = auth.problems() + links.problems() + sessions.problems() + _setting_problems()
    lines += [f"problem: {problem}" for problem in problems]
    if not problems:
        lines.append(f"settings sound; sign-in mode {auth.mode()}")
    return HealthReport(not problems, lines)


def _setting_problems() -> list[str]:
    found = []
    values = settings.all_values()
    values |= {
        key: os.environ[name] for key, name in settings.ENVIRONMENT.items() if os.environ.get(name)
    }
    for key, value in values.items():
        try:
            settings.validate(key, value)
        except ValidationError as error:
            found.append(f"setting {key}: {error}")
    return found
