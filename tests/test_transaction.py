"""The write transaction: audit with every write, refusals recorded, no lost update."""

import threading
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from committee import audit
from committee.errors import Conflict, PermissionDenied, ValidationError
from committee.transaction import writing
from db.engine import read_session, write_session
from db.models import Agency, AuditEvent, Meeting

THREADS = 8
INCREMENTS = 25


def count(model, *where) -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_write_without_an_audit_event_is_rolled_back(db, operator):
    with pytest.raises(RuntimeError, match="without recording an audit event"):
        with writing(operator, "agency.add") as w:
            w.session.add(Agency(code="X", name="Unaudited"))
    assert count(Agency) == 0


def test_a_refusal_rolls_back_the_write_and_is_audited_on_its_own(db, people):
    observer = people["observer"]
    with pytest.raises(PermissionDenied):
        with writing(observer, "agency.add") as w:
            w.session.add(Agency(code="X", name="Sneaky"))
            w.require("agencies.manage")
    assert count(Agency, Agency.code == "X") == 0
    with read_session() as session:
        refusal = session.scalar(select(AuditEvent).where(AuditEvent.outcome == "refused"))
    assert (refusal.actor_id, refusal.action) == (observer.id, "agency.add")
    assert "agencies.manage" in refusal.detail


def test_an_unknown_permission_is_refused(db, people):
    with pytest.raises(PermissionDenied), writing(people["admin"], "anything") as w:
        w.require("no.such.permission")


def rename(actor, agency_id: int, seen_version: int, name: str) -> None:
    with writing(actor, "agency.rename") as w:
        agency = w.get(Agency, agency_id)
        before = audit.snapshot(agency)
        w.touch(agency, seen_version=seen_version, name=name)
        w.audit(agency, before=before)


def test_a_stale_save_is_a_conflict_that_shows_the_other_change(db, people, operator):
    with read_session() as session:
        seen = session.get(Agency, people["rep"].agency_id)
    rename(people["admin"], seen.id, seen.version, "Department of State (renamed)")
    with pytest.raises(Conflict) as conflict:
        rename(operator, seen.id, seen.version, "My late change")
    assert conflict.value.current["name"] == "Department of State (renamed)"
    assert conflict.value.changed_by == "Admin"  # by name, not by email (issue 18, point 18)
    with read_session() as session:
        assert session.get(Agency, seen.id).name == "Department of State (renamed)"


def test_a_conflict_tells_two_people_of_one_name_apart_by_email(db, people, operator):
    from committee import people as service

    service.add_user(
        actor=operator,
        email="another.admin@test.example",
        name="Admin",
        role="observer",
        password="correct horse battery",
    )
    with read_session() as session:
        seen = session.get(Agency, people["rep"].agency_id)
    rename(people["admin"], seen.id, seen.version, "Department of State (renamed)")
    with pytest.raises(Conflict) as conflict:
        rename(people["chair"], seen.id, seen.version, "My late change")
    assert conflict.value.changed_by == "Admin (admin@test.example)"
    # The operator at the command line has no account: named as recorded.
    rename(operator, seen.id, seen.version + 1, "Renamed at the command line")
    with pytest.raises(Conflict) as conflict:
        rename(people["chair"], seen.id, seen.version + 1, "My late change")
    assert conflict.value.changed_by == "cli:pytest"


def test_no_update_is_lost_under_concurrent_sessions(db, people, operator):
    """Eight threads each add 25 to a counter held in a record, retrying on conflict."""
    agency_id = people["rep"].agency_id
    rename(operator, agency_id, 1, "0")
    conflicts = []

    def add_one_at_a_time():
        for _ in range(INCREMENTS):
            while True:
                with read_session() as session:
                    agency = session.get(Agency, agency_id)
                try:
                    rename(operator, agency_id, agency.version, str(int(agency.name) + 1))
                    break
                except Conflict:
                    conflicts.append(1)

    threads = [threading.Thread(target=add_one_at_a_time) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with read_session() as session:
        agency = session.get(Agency, agency_id)
    assert int(agency.name) == THREADS * INCREMENTS
    assert agency.version == 2 + THREADS * INCREMENTS
    assert count(AuditEvent, AuditEvent.action == "agency.rename") == 1 + THREADS * INCREMENTS


def test_sqlite_writers_queue_instead_of_losing_updates(sqlite_db):
    """BEGIN IMMEDIATE: a plain read-modify-write inside write_session is serialised."""
    with write_session() as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS counter (n INTEGER)"))
        session.execute(text("DELETE FROM counter"))
        session.execute(text("INSERT INTO counter VALUES (0)"))

    def increment():
        for _ in range(INCREMENTS):
            with write_session() as session:
                n = session.execute(text("SELECT n FROM counter")).scalar()
                session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})

    threads = [threading.Thread(target=increment) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with write_session() as session:
        assert session.execute(text("SELECT n FROM counter")).scalar() == THREADS * INCREMENTS
        session.execute(text("DROP TABLE counter"))


# --- services that compose ---------------------------------------------------------------------


def add_agency(actor, code: str, *, then=None) -> None:
    """A service adding an agency, then calling ``then`` (another service) in its transaction."""
    with writing(actor, "agency.add") as w:
        w.require("agencies.manage")
        agency = Agency(code=code, name=f"Agency {code}")
        w.session.add(agency)
        w.audit(agency)
        if then is not None:
            then()


def test_a_service_inside_another_joins_its_transaction(db, people):
    admin = people["admin"]
    before = count(AuditEvent, AuditEvent.action == "agency.add")
    add_agency(admin, "OUTER", then=lambda: add_agency(admin, "INNER"))
    assert count(Agency, Agency.code.in_(["OUTER", "INNER"])) == 2
    assert count(AuditEvent, AuditEvent.action == "agency.add") == before + 2  # each its own

    # The inner service's failure rolls back the outer one's write too: one transaction.
    def fails():
        with writing(admin, "agency.add") as w:
            w.session.add(Agency(code="LOST", name="Lost"))
            w.audit(detail="about to fail")
            raise ValueError("the inner service fails")

    with pytest.raises(ValueError):
        add_agency(admin, "OUTER2", then=fails)
    assert count(Agency, Agency.code.in_(["OUTER2", "LOST"])) == 0


def test_an_inner_refusal_rolls_back_the_outer_write_and_is_audited_once(db, people):
    """The outer service is allowed, the inner one refused: nothing is written, and the
    refusal is recorded once, under the refused service's own action and permission."""
    admin, observer = people["admin"], people["observer"]
    written = count(AuditEvent, AuditEvent.outcome == "ok")

    def refused_inside():
        with writing(observer, "agency.rename") as w:
            w.require("agencies.manage")

    with pytest.raises(PermissionDenied):
        add_agency(admin, "OUTER", then=refused_inside)
    assert count(Agency, Agency.code == "OUTER") == 0
    with read_session() as session:
        refusals = session.scalars(select(AuditEvent).where(AuditEvent.outcome == "refused")).all()
    assert [(r.action, r.actor_id) for r in refusals] == [("agency.rename", observer.id)]
    assert "agencies.manage" in refusals[0].detail
    assert count(AuditEvent, AuditEvent.outcome == "ok") == written  # the outer's went too


def test_an_inner_failure_the_outer_service_handles_leaves_nothing_of_it(db, people):
    """Each joined service runs in a savepoint: if the outer service catches the inner one's
    error and goes on, the inner one's half-done write is undone, the outer one's kept."""
    admin = people["admin"]

    def half_done():
        with writing(admin, "agency.add") as w:
            w.session.add(Agency(code="HALF", name="Half done"))
            w.session.flush()
            raise ValidationError("refused at a field", field="code")

    def tolerant():
        try:
            half_done()
        except ValidationError:
            pass

    add_agency(admin, "OUTER", then=tolerant)
    assert count(Agency, Agency.code == "OUTER") == 1
    assert count(Agency, Agency.code == "HALF") == 0


def test_touch_bumps_the_version_and_a_meetings_sequence_only_when_calendars_show_it(db, people):
    from committee import meetings

    meetings.set_series_rule(
        actor=people["chair"],
        interval_months=2,
        first_month=1,
        weekday=1,
        week_of_month=2,
        start_time=time(10, 0),
        duration_minutes=120,
        timezone="America/New_York",
        location="Room 1",
    )
    meeting = meetings.list_meetings(when="upcoming").rows[0].meeting
    changes = [
        ({"reason": "Not in any calendar"}, 0),
        ({"title": "Renamed"}, 1),
        ({"location": "Room 2"}, 2),
        ({"status": "held"}, 2),  # being held shows in no calendar
        ({"status": "cancelled"}, 3),
        ({"status": "scheduled"}, 4),  # back in the calendars
    ]
    for seen, (values, sequence) in enumerate(changes, start=meeting.version):
        with writing(people["chair"], "meeting.edit") as w:
            stored = w.get(Meeting, meeting.id)
            w.touch(stored, seen_version=seen, **values)
            w.audit(stored)
        with read_session() as session:
            stored = session.get(Meeting, meeting.id)
        assert (stored.version, stored.calendar_sequence) == (seen + 1, sequence), values
    assert (stored.title, stored.location) == ("Renamed", "Room 2")
    with pytest.raises(Conflict), writing(people["chair"], "meeting.edit") as w:
        w.touch(w.get(Meeting, meeting.id), seen_version=meeting.version, location="Room 3")


def test_no_service_bumps_a_version_by_hand():
    """One helper (``Writing.touch``) bumps versions and checks the one seen."""
    committee = Path(__file__).resolve().parent.parent / "committee"
    offenders = [
        f"{path.name}:{number}"
        for path in committee.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "version += 1" in line
    ]
    assert offenders == []
