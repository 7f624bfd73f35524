"""The benchmark's generator at the small scale: the counts it promises, a sound record, and
the same record from the same seed and day. (``make bench`` itself is not part of the suite.)"""

import hashlib
from dataclasses import fields
from datetime import date

import pytest
from sqlalchemy import create_engine, func, select, text

from bench.generate import LARGE, MEDIUM, SCORED_COUNTRIES, SMALL, generate
from db.models import (
    ActionItem,
    ActionUpdate,
    Agency,
    AgendaItem,
    Alert,
    AuditEvent,
    LineOfEffort,
    Meeting,
    Plan,
    PlanVersion,
    RiskObservation,
    User,
    WatchlistEntry,
)

DAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The small record, generated once for the module's tests; (url, what it reported)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'small.db'}"
    return url, generate(url, SMALL, today=DAY)


def _count(connection, model, *conditions) -> int:
    return connection.scalar(select(func.count()).select_from(model).where(*conditions))


def test_the_small_record_has_the_counts_of_its_scale(small):
    url, generated = small
    engine = create_engine(url)
    with engine.connect() as connection:
        counts = {
            "agencies": _count(connection, Agency),
            "people": _count(connection, User),
            "watchlist": _count(connection, WatchlistEntry, WatchlistEntry.on_watchlist),
            "regular_meetings": _count(connection, Meeting, Meeting.kind == "regular"),
            "other_meetings": _count(connection, Meeting, Meeting.kind != "regular"),
            "agenda_items": _count(connection, AgendaItem),
            "plans": _count(connection, Plan),
            "plan_versions": _count(connection, PlanVersion),
            "lines_of_effort": _count(connection, LineOfEffort),
            "action_items": _count(connection, ActionItem),
            "action_updates": _count(connection, ActionUpdate),
            "alerts": _count(connection, Alert),
            "audit_events": _count(connection, AuditEvent),
        }
        held_regular = _count(
            connection, Meeting, Meeting.kind == "regular", Meeting.status == "held"
        )
        scored = connection.scalar(select(func.count(RiskObservation.country_code.distinct())))
    engine.dispose()
    assert counts == {name: getattr(SMALL, name) for name in counts}
    assert scored == SCORED_COUNTRIES  # the statistical risk is as wide as the demo's
    assert held_regular == SMALL.regular_meetings // 2  # the next year is still scheduled
    assert generated.rows["action_item"] == SMALL.action_items


def test_the_small_record_is_sound(small):
    """Every foreign key points at a row (the load checks them at the end, not row by row),
    and the demo's people are there to sign in as."""
    url, _ = small
    engine = create_engine(url)
    with engine.connect() as connection:
        broken = connection.execute(text("PRAGMA foreign_key_check")).all()
        emails = set(connection.scalars(select(User.email)))
        open_items = _count(connection, ActionItem, ActionItem.status.in_(("open", "in_progress")))
    engine.dispose()
    assert broken == []
    assert {"chair@apc.example", "rep.state@apc.example", "observer@apc.example"} <= emails
    assert open_items > 0


def test_the_same_seed_and_day_give_the_same_record(small, tmp_path):
    url, _ = small
    again = f"sqlite:///{tmp_path / 'again.db'}"
    generate(again, SMALL, today=DAY)

    def fingerprint(database_url: str) -> str:
        engine = create_engine(database_url)
        digest = hashlib.sha256()
        with engine.connect() as connection:
            for table in ("action_item", "action_update", "meeting", "alert", "audit_event"):
                for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id")):
                    digest.update(repr(tuple(row)).encode())
        engine.dispose()
        return digest.hexdigest()

    assert fingerprint(url) == fingerprint(again)


def test_the_middle_scale_is_a_tenth_of_the_largest_never_below_the_demo():
    for field in fields(LARGE):
        if field.name in ("name", "regular_meetings"):
            continue
        expected = max(round(getattr(LARGE, field.name) / 10), getattr(SMALL, field.name))
        assert getattr(MEDIUM, field.name) == expected, field.name
    assert MEDIUM.regular_meetings == 6 * MEDIUM.years  # bi-monthly
    assert LARGE.action_items == 100_000 and LARGE.audit_events == 1_000_000
