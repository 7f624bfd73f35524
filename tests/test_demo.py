"""The demo record: realistic, complete, deterministic, plainly illustrative."""

from datetime import timedelta

from conftest import DEMO_DAY, empty_tables
from sqlalchemy import func, select

from committee import audit
from committee.demo import load_demo
from db.engine import get_engine, read_session
from db.models import (
    ActionItem,
    Agency,
    Alert,
    AuditEvent,
    Meeting,
    Minutes,
    Plan,
    User,
    WatchlistEntry,
)


def scalar(query):
    with read_session() as session:
        return session.scalar(query)


def values(query) -> set:
    with read_session() as session:
        return set(session.scalars(query))


def test_the_demo_holds_what_the_committee_works_with(db, demo):
    assert scalar(select(func.count()).select_from(Agency)) == 12
    assert values(select(User.role)) == {"admin", "chair", "agency_rep", "observer"}
    reps = scalar(select(func.count()).select_from(User).where(User.role == "agency_rep"))
    assert reps == 12
    assert values(select(WatchlistEntry.tier)) == {1, 2, 3}
    assert scalar(select(func.count()).select_from(WatchlistEntry)) == 20
    assert values(select(ActionItem.status)) == {
        "open",
        "in_progress",
        "blocked",
        "done",
        "cancelled",
    }
    overdue = scalar(
        select(func.count())
        .select_from(ActionItem)
        .where(ActionItem.due_on < DEMO_DAY.date(), ActionItem.status.not_in(("done", "cancelled")))
    )
    assert overdue > 0
    assert {"approved", "in_clearance", "draft", "archived"} <= values(select(Plan.status))
    assert {"new", "acknowledged", "under_review", "closed"} <= values(select(Alert.status))
    assert values(select(Minutes.status)) == {"approved", "circulated"}


def test_the_past_year_is_held_and_the_next_year_scheduled(db, demo):
    with read_session() as session:
        meetings = list(session.scalars(select(Meeting).order_by(Meeting.starts_at)))
    past = [m for m in meetings if m.starts_at < DEMO_DAY]
    future = [m for m in meetings if m.starts_at >= DEMO_DAY]
    assert all(m.status == "held" for m in past) and len(past) >= 6
    assert all(m.status == "scheduled" for m in future) and len(future) == 6
    assert past[0].starts_at >= DEMO_DAY - timedelta(days=365)
    assert future[-1].starts_at <= DEMO_DAY + timedelta(days=366)
    assert {m.kind for m in meetings} == {"regular", "emergency"}


def record() -> list[dict]:
    """The demo's meetings and action items, without load-time timestamps."""
    with read_session() as session:
        rows = [
            *session.scalars(select(Meeting).order_by(Meeting.id)),
            *session.scalars(select(ActionItem).order_by(ActionItem.id)),
        ]
    return [
        {k: v for k, v in audit.snapshot(r).items() if k not in ("created_at", "updated_at")}
        for r in rows
    ]


def test_the_demo_is_deterministic_and_one_audited_write(db, demo, operator):
    first = record()
    with read_session() as session:
        events = list(session.scalars(select(AuditEvent)))
    # One event for the load; the statistical risk and the evidence review of policy tools,
    # where the public files are beside the project, come in through their importers, which
    # record their own.
    imports = ("risk.import", "tools_evidence.import")
    assert [e.action for e in events if e.action not in imports] == ["demo.load"]
    uids = [r["calendar_uid"] for r in first if "calendar_uid" in r]
    assert len(set(uids)) == len(uids) and uids[0].endswith("@apc-desk")

    empty_tables(get_engine())
    load_demo(actor=operator, today=DEMO_DAY.date())
    assert record() == first


def test_demo_texts_are_labelled_illustrative(db, demo):
    with read_session() as session:
        reasons = list(session.scalars(select(WatchlistEntry.reason)))
        summaries = list(session.scalars(select(Alert.summary)))
    assert all(text.startswith("[Illustrative]") for text in reasons + summaries)
