"""What the app server's health routes answer: is each part sound (``/healthz``), and may the
load balancer send people here yet (``/readyz``: only once this process has brought the schema
to the newest migration).

The answers name the part that failed and no more: no address, no error text, nothing an
outsider could use. The log has the error's type for the operator.
"""

import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy import text

from committee import logs, system
from db import migrate
from db.engine import get_engine

RETRY_SECONDS = 5

_migrated = threading.Event()


@dataclass
class Health:
    ok: bool
    parts: dict[str, str]  # part -> "ok" or a word on what is wrong


def check() -> Health:
    """The database answers, and its schema is the one this code expects."""
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
            current = migrate.current_revision()
    except Exception:  # any failure to reach the database means the same to a probe
        logs.event("health_database_unreachable", level=logging.WARNING, error=True)
        return Health(False, {"database": "unreachable", "schema": "unknown"})
    schema = "ok" if current == migrate.head_revision() else "not migrated"
    return Health(schema == "ok", {"database": "ok", "schema": schema})


def ready() -> Health:
    """Healthy, and this process has run the migrations since it started."""
    health = check()
    health.parts["migrations"] = "done" if _migrated.is_set() else "pending"
    health.ok = health.ok and _migrated.is_set()
    return health


def migrate_in_background() -> None:
    """Bring the schema to the newest migration without holding up the server's start; when
    the database is not there yet, try again every few seconds until it is."""

    def attempt_until_done() -> None:
        while not _migrated.is_set():
            try:
                system.prepare_database()
            except Exception:  # the database is not reachable yet: wait and try again
                logs.event("migrations_waiting", level=logging.WARNING, error=True)
                time.sleep(RETRY_SECONDS)
            else:
                _migrated.set()
                logs.event("migrations_done", revision=migrate.head_revision())

    threading.Thread(target=attempt_until_done, name="migrations", daemon=True).start()
