"""The write transaction: audit with every write, refusals recorded, no lost update."""

import threading

import pytest
from sqlalchemy import func, select, text

from committee import audit
from committee.errors import Conflict, PermissionDenied
from committee.transaction import writing
from db.engine import read_session, write_session
from db.models import Agency, AuditEvent

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
        w.update_versioned(agency, seen_version=seen_version, name=name)
        w.audit(agency, before=before)


def test_a_stale_save_is_a_conflict_that_shows_the_other_change(db, people, operator):
    with read_session() as session:
        seen = session.get(Agency, people["rep"].agency_id)
    rename(people["admin"], seen.id, seen.version, "Department of State (renamed)")
    with pytest.raises(Conflict) as conflict:
        rename(operator, seen.id, seen.version, "My late change")
    assert conflict.value.current["name"] == "Department of State (renamed)"
    assert conflict.value.changed_by == "admin@test.example"
    with read_session() as session:
        assert session.get(Agency, seen.id).name == "Department of State (renamed)"


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
