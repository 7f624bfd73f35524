"""What each person may read is decided in committee/, by one rule per kind of record, asked in
two ways: as an SQL condition (lists, counts, searches) and for one record (a page, a paper).
These tests hold the two forms of each rule to each other, for every kind of person and every
kind of record, so that a list can never show what the record's own page refuses."""

import itertools
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from committee import access, agenda, restricted_alerts
from committee.actor import Actor
from db.engine import read_session, write_session
from db.models import Alert, Meeting

STATE, USAID = 1, 2  # agency ids as the readers below name them (no rows are needed)
READERS = [
    Actor(id=1, email="a@x", name="Admin", role="admin"),
    Actor(id=2, email="c@x", name="Chair", role="chair"),
    Actor(id=3, email="s@x", name="State rep", role="agency_rep", agency_id=STATE),
    Actor(id=4, email="u@x", name="USAID rep", role="agency_rep", agency_id=USAID),
    Actor(id=5, email="o@x", name="Observer", role="observer"),
    Actor.operator("pytest"),
]


@pytest.fixture
def agencies(sqlite_db, operator):
    from committee import people

    people.add_agency(actor=operator, code="STATE", name="Department of State")
    people.add_agency(actor=operator, code="USAID", name="USAID")


def test_the_restricted_alert_rule_is_the_same_in_sql_and_for_one_alert(agencies):
    with write_session() as session:
        for n, (restricted, agency) in enumerate(
            itertools.product([False, True], [None, STATE, USAID]), start=1
        ):
            session.add(
                Alert(
                    reference=f"ALR-RULE-{n}",
                    country_code="SDN",
                    severity="acute",
                    summary="Reports.",
                    restricted=restricted,
                    filing_agency_id=agency,
                    review_deadline=datetime(2027, 1, 1, tzinfo=timezone.utc),
                )
            )
    with read_session() as session:
        every = session.scalars(select(Alert)).all()
        assert len(every) == 6
        for reader in READERS:
            listed = set(
                session.scalars(select(Alert.id).where(restricted_alerts.readable_by(reader)))
            )
            one_by_one = {a.id for a in every if restricted_alerts.may_read(reader, a)}
            assert listed == one_by_one, reader.role
        restricted_state = next(a for a in every if a.restricted and a.filing_agency_id == STATE)
        assert [r.role for r in READERS if restricted_alerts.may_read(r, restricted_state)] == [
            "admin",
            "chair",
            "agency_rep",  # State's, who filed it
            "system",
        ]


def test_the_draft_agenda_rule_is_the_same_in_sql_and_for_one_meeting(sqlite_db):
    start = datetime(2027, 1, 12, 15, tzinfo=timezone.utc)
    with write_session() as session:
        for n, (agenda_status, status) in enumerate(
            itertools.product(["draft", "published"], ["scheduled", "held", "cancelled"])
        ):
            session.add(
                Meeting(
                    kind="ad_hoc",
                    title=f"Meeting {n}",
                    starts_at=start + timedelta(days=n),
                    ends_at=start + timedelta(days=n, hours=1),
                    timezone="UTC",
                    status=status,
                    agenda_status=agenda_status,
                    calendar_uid=f"rule-{n}@test",
                )
            )
    with read_session() as session:
        every = session.scalars(select(Meeting)).all()
        for reader in [*READERS, None]:
            listed = set(session.scalars(select(Meeting.id).where(agenda.readable_by(reader))))
            one_by_one = {m.id for m in every if agenda.may_read(reader, m)}
            assert listed == one_by_one, reader
        drafts = [m for m in every if m.agenda_status == "draft" and m.status == "scheduled"]
        assert [access.can(r, "agenda.edit") for r in READERS] == [
            all(agenda.may_read(r, m) for m in drafts) for r in READERS
        ]
