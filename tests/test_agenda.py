"""The agenda: what the rotation proposes for a watchlist, fitting it into the meeting's
length, and the chair's edits with two chairs at work at once."""

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from committee import agenda, decisions, meeting_room, meetings
from committee.agenda import ProposedItem, allot
from committee.errors import Conflict, PermissionDenied, ValidationError
from db.engine import read_session, write_session
from db.models import (
    AgendaItem,
    Alert,
    AuditEvent,
    Meeting,
    Minutes,
    MinutesRevision,
    Plan,
    PlanVersion,
    WatchlistEntry,
)

UTC = timezone.utc


@pytest.fixture
def january(db, people, frozen_clock) -> Meeting:
    """A committee with a series (next meeting 12 Jan 2027), a watchlist, the minutes of the
    last meeting circulated, two alerts and a plan circulated for clearance."""
    meetings.set_series_rule(
        actor=people["chair"],
        interval_months=2,
        first_month=1,
        weekday=1,
        week_of_month=2,
        start_time=time(10, 0),
        duration_minutes=120,
        timezone="America/New_York",
    )
    with write_session() as session:
        held = Meeting(
            kind="ad_hoc",
            title="Ad hoc meeting — November 2026",
            starts_at=datetime(2026, 11, 10, 15, tzinfo=UTC),
            ends_at=datetime(2026, 11, 10, 17, tzinfo=UTC),
            timezone="America/New_York",
            status="held",
            calendar_uid="held@test",
        )
        session.add(held)
        session.flush()
        minutes = Minutes(meeting_id=held.id, status="circulated")
        session.add(minutes)
        session.flush()
        session.add(MinutesRevision(minutes_id=minutes.id, number=1, body="# Minutes"))
        for code, tier, reviewed in [
            ("SDN", 1, date(2026, 11, 10)),  # due at the next meeting
            ("MMR", 1, None),  # never reviewed: due now
            ("ETH", 2, date(2026, 11, 10)),  # due at the second meeting: not yet
            ("TCD", 2, None),
            ("NER", 3, date(2026, 11, 10)),
        ]:
            session.add(
                WatchlistEntry(
                    country_code=code, tier=tier, since=date(2026, 6, 1), last_reviewed_on=reviewed
                )
            )
        for reference, severity, restricted in [
            ("ALR-1", "serious", False),
            ("ALR-2", "acute", False),
            ("ALR-3", "concern", True),
        ]:
            session.add(
                Alert(
                    reference=reference,
                    country_code="SSD",
                    severity=severity,
                    summary="Reports",
                    restricted=restricted,
                    review_deadline=datetime(2026, 12, 1, tzinfo=UTC),
                )
            )
        session.add(
            Alert(
                reference="ALR-4",
                country_code="SSD",
                severity="acute",
                summary="Closed already",
                status="closed",
                review_deadline=datetime(2026, 12, 1, tzinfo=UTC),
            )
        )
        plan = Plan(country_code="ETH", kind="prevention", title="Prevention plan — Ethiopia")
        session.add(plan)
        session.flush()
        session.add(PlanVersion(plan_id=plan.id, number=2, status="circulated"))
    return meetings.list_meetings(when="upcoming", kind="regular").rows[0].meeting


def test_the_proposal_for_a_watchlist(january):
    proposal = agenda.propose_agenda(meeting_id=january.id)
    assert [(item.kind, item.country_code or item.title) for item in proposal.items] == [
        ("minutes_approval", "Approval of the minutes of Ad hoc meeting — November 2026"),
        ("country_review", "MMR"),  # tier 1 first, the most overdue first
        ("country_review", "SDN"),
        ("country_review", "TCD"),
        ("alert_review", "SSD"),  # acute before serious
        ("alert_review", "SSD"),
        ("alert_review", "Restricted alert — briefing by the chair"),
        ("plan_approval", "ETH"),
    ]
    assert [item.minutes for item in proposal.items] == [5, 15, 15, 10, 10, 10, 10, 10]
    assert proposal.fits
    assert proposal.statement == "The proposal takes 85 of the meeting's 120 minutes; 35 to spare."
    assert proposal.items[1].why.startswith("Tier 1 — acute · never reviewed")
    assert proposal.items[4].title == "Alert ALR-2: South Sudan"
    assert proposal.items[6].country_code is None  # a restricted alert names no country
    assert "version 2" in proposal.items[7].title


def items(*specs) -> list[ProposedItem]:
    """(kind, minutes, tier, due) tuples as proposed items."""
    return [
        ProposedItem(kind, f"{kind} {n}", "", minutes, f"C{n}", tier, due)
        for n, (kind, minutes, tier, due) in enumerate(specs)
    ]


def test_a_proposal_that_fits_keeps_its_times(frozen_clock):
    proposed = items(("minutes_approval", 5, None, None), ("country_review", 15, 1, date.today()))
    assert allot(proposed, 60) == (
        True,
        "The proposal takes 20 of the meeting's 60 minutes; 40 to spare.",
    )
    assert [i.minutes for i in proposed] == [5, 15]


def test_a_proposal_a_little_too_long_is_shortened_in_proportion(frozen_clock):
    proposed = items(
        ("minutes_approval", 5, None, None),
        ("country_review", 15, 1, date(2026, 12, 1)),
        ("country_review", 15, 1, date(2026, 12, 1)),
        ("alert_review", 10, None, None),
    )
    fits, statement = allot(proposed, 40)
    assert fits and "shortened in proportion" in statement
    assert sum(i.minutes for i in proposed) == 40
    assert [i.minutes for i in proposed] == [5, 13, 13, 9]
    assert not any(i.deferred for i in proposed)


def test_a_long_proposal_defers_the_reviews_that_can_best_wait(frozen_clock):
    today = date(2026, 11, 26)
    proposed = items(
        ("country_review", 15, 1, today + timedelta(days=40)),
        ("country_review", 10, 2, today - timedelta(days=100)),  # overdue
        ("country_review", 10, 2, today + timedelta(days=40)),
        ("country_review", 10, 3, today - timedelta(days=200)),  # overdue
        ("country_review", 10, 3, today + timedelta(days=40)),
        ("alert_review", 10, None, None),
    )
    fits, statement = allot(proposed, 31)
    assert fits and "2 reviews that can best wait" in statement
    # Tier 3 goes first, and within a tier what is not yet overdue.
    assert [i.deferred for i in proposed] == [False, False, False, True, True, False]
    kept = [i for i in proposed if not i.deferred]
    assert sum(i.minutes for i in kept) == 31 and all(i.minutes >= i.shortest for i in kept)


def test_a_proposal_that_cannot_fit_says_so(frozen_clock):
    proposed = items(*[("alert_review", 10, None, None)] * 20)
    fits, statement = allot(proposed, 60)
    assert not fits
    assert statement == (
        "Does not fit: the meeting lasts 60 minutes, and the other proposed items need at least"
        " 140 more. Lengthen the meeting, or leave out more items."
    )


def test_what_cannot_fit_is_told_apart_from_what_is_already_on_the_agenda(frozen_clock):
    """The reviews already on the agenda stay: the message does not count them as left out."""
    today = date(2026, 11, 26)
    proposed = items(
        ("country_review", 40, 1, today),
        ("country_review", 15, 3, today + timedelta(days=40)),
        ("alert_review", 10, None, None),
        ("alert_review", 10, None, None),
    )
    proposed[0].on_agenda = True
    fits, statement = allot(proposed, 45, taken=5)
    assert not fits and proposed[1].deferred
    assert statement == (
        "Does not fit: the meeting lasts 45 minutes, and with every proposed country review left"
        " for later, what is on the agenda takes 45 and the other proposed items need at least"
        " 14 more. Lengthen the meeting, or leave out more items."
    )


def test_accepting_reordering_editing_removing_and_publishing(january, people):
    chair = people["chair"]
    proposal = agenda.propose_agenda(meeting_id=january.id)
    skip = proposal.items[3].key  # the chair unticks Chad
    accepted = agenda.accept_proposal(
        actor=chair, meeting_id=january.id, seen_version=january.version, leave_out=[skip]
    )
    assert len(accepted) == 7 and skip not in {
        agenda.item_key(i.kind, i.country_code, i.alert_id, i.plan_id) for i in accepted
    }
    view = agenda.agenda_of(january.id)
    again = agenda.accept_proposal(
        actor=chair, meeting_id=january.id, seen_version=view.meeting.version, leave_out=[]
    )
    assert len(again) == 8  # only Chad was missing

    view = agenda.agenda_of(january.id)
    last = view.lines[-1].item
    agenda.move_item(
        actor=chair,
        meeting_id=january.id,
        seen_version=view.meeting.version,
        item_id=last.id,
        to_position=1,
    )
    view = agenda.agenda_of(january.id)
    assert view.lines[0].item.id == last.id
    assert [line.item.position for line in view.lines] == list(range(1, 9))

    edited = agenda.edit_item(
        actor=chair,
        meeting_id=january.id,
        seen_version=view.meeting.version,
        item_id=last.id,
        title="Review: Chad (with USAID)",
        minutes_allotted=20,
        presenter_agency_id=people["rep"].agency_id,
    )
    assert (edited.title, edited.minutes_allotted) == ("Review: Chad (with USAID)", 20)

    view = agenda.agenda_of(january.id)
    added = agenda.add_item(
        actor=chair,
        meeting_id=january.id,
        seen_version=view.meeting.version,
        kind="other",
        title="Any other business",
        minutes_allotted=30,
    )
    assert added.position == 9
    view = agenda.agenda_of(january.id)
    assert view.allotted == 5 + 15 + 15 + 20 + 10 + 10 + 10 + 10 + 30 and not view.fits
    assert view.statement.startswith("Does not fit")

    agenda.remove_item(
        actor=chair, meeting_id=january.id, seen_version=view.meeting.version, item_id=added.id
    )
    view = agenda.agenda_of(january.id)
    published = agenda.publish_agenda(
        actor=chair, meeting_id=january.id, seen_version=view.meeting.version
    )
    assert published.agenda_status == "published" and published.agenda_published_at


def test_bad_items_are_refused_at_their_field(january, people):
    chair = people["chair"]
    with pytest.raises(ValidationError) as refused:
        agenda.publish_agenda(actor=chair, meeting_id=january.id, seen_version=january.version)
    assert refused.value.field == "agenda"

    def add(**values):
        version = agenda.agenda_of(january.id).meeting.version
        return agenda.add_item(actor=chair, meeting_id=january.id, seen_version=version, **values)

    for values, field in [
        ({"kind": "country_review", "country_code": "FRA"}, "country"),  # not watched
        ({"kind": "other", "title": "  "}, "title"),
        ({"kind": "alert_review", "title": "x"}, "kind"),
        ({"kind": "other", "title": "x", "minutes_allotted": -5}, "minutes_allotted"),
    ]:
        with pytest.raises(ValidationError) as refused:
            add(**values)
        assert refused.value.field == field
    add(kind="country_review", country_code="sdn")
    with pytest.raises(ValidationError, match="already on the agenda"):
        add(kind="country_review", country_code="SDN")
    view = agenda.agenda_of(january.id)
    assert [line.item.title for line in view.lines] == ["Review: Sudan"]


def test_two_chairs_editing_the_agenda_the_second_gets_a_conflict(january, people):
    seen = january.version  # both chairs opened the builder on this version
    agenda.accept_proposal(actor=people["chair"], meeting_id=january.id, seen_version=seen)
    before = agenda.agenda_of(january.id)
    with pytest.raises(Conflict) as conflict:
        agenda.add_item(
            actor=people["admin"], meeting_id=january.id, seen_version=seen, kind="other", title="x"
        )
    assert conflict.value.changed_by == people["chair"].name
    assert conflict.value.current["version"] == before.meeting.version
    after = agenda.agenda_of(january.id)
    assert [line.item.id for line in after.lines] == [line.item.id for line in before.lines]
    assert after.meeting.version == before.meeting.version


def test_an_item_with_a_record_stays_and_a_held_meetings_agenda_is_closed(january, people):
    chair = people["chair"]
    agenda.accept_proposal(actor=chair, meeting_id=january.id, seen_version=january.version)
    view = agenda.agenda_of(january.id)
    review = view.lines[1].item
    decisions.record_decision(
        actor=chair, kind="general", agenda_item_id=review.id, text="Maintain the tier."
    )
    with pytest.raises(ValidationError, match="stays"):
        agenda.remove_item(
            actor=chair, meeting_id=january.id, seen_version=view.meeting.version, item_id=review.id
        )
    closed = meeting_room.close_meeting(
        actor=chair, meeting_id=january.id, seen_version=view.meeting.version
    )
    with pytest.raises(ValidationError, match="part of the record"):
        agenda.add_item(
            actor=chair, meeting_id=january.id, seen_version=closed.version, kind="other", title="x"
        )
    with read_session() as session:
        assert session.scalar(select(AgendaItem).where(AgendaItem.id == review.id)) is not None


def test_an_item_moves_to_any_place_in_one_step(january, people):
    """Issue 18, point 3: the builder's place field, one versioned and audited move."""
    chair = people["chair"]
    agenda.accept_proposal(actor=chair, meeting_id=january.id, seen_version=january.version)
    view = agenda.agenda_of(january.id)
    order = [line.item.id for line in view.lines]
    moved = order[-1]

    agenda.move_item(
        actor=chair,
        meeting_id=january.id,
        seen_version=view.meeting.version,
        item_id=moved,
        to_position=2,
    )
    after = agenda.agenda_of(january.id)
    assert [line.item.id for line in after.lines] == [order[0], moved, *order[1:-1]]
    assert [line.item.position for line in after.lines] == list(range(1, len(order) + 1))
    with read_session() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "agenda.move_item")
        ).all()
    assert len(events) == 1
    assert [i["id"] for i in events[0].before["items"]] == order
    assert [i["id"] for i in events[0].after["items"]] == [line.item.id for line in after.lines]

    # Another chair's move, made on the agenda as it was before, is refused: nothing moves.
    with pytest.raises(Conflict):
        agenda.move_item(
            actor=people["admin"],
            meeting_id=january.id,
            seen_version=view.meeting.version,
            item_id=order[0],
            to_position=len(order),
        )
    assert [line.item.id for line in agenda.agenda_of(january.id).lines] == [
        line.item.id for line in after.lines
    ]
    with read_session() as session:
        ok = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "agenda.move_item", AuditEvent.outcome == "ok"
            )
        ).all()
    assert len(ok) == 1


# --- closing with items not taken up (issue 18, point 13) --------------------------------------


def _events(action: str) -> list[AuditEvent]:
    with read_session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _run_part_of(january, chair) -> tuple[list[AgendaItem], list[AgendaItem]]:
    """The January agenda from the proposal; the room takes up its first two items (one by
    its clock, one by a decision). Returns the items taken up and the rest."""
    agenda.accept_proposal(actor=chair, meeting_id=january.id, seen_version=january.version)
    items = [line.item for line in agenda.agenda_of(january.id).lines]
    meeting_room.start_item(actor=chair, item_id=items[0].id)
    meeting_room.stop_item(actor=chair, item_id=items[0].id)
    decisions.record_decision(
        actor=chair, kind="general", agenda_item_id=items[1].id, text="Maintain the tier."
    )
    return items[:2], items[2:]


def test_closing_carries_the_items_not_taken_up_to_the_next_meeting(january, people):
    chair = people["chair"]
    taken, left = _run_part_of(january, chair)
    assert [i.id for i in agenda.untaken(meeting_id=january.id)] == [i.id for i in left]
    march = agenda.next_meeting(meeting_id=january.id)
    assert march.starts_at > january.starts_at and march.status == "scheduled"
    march_items = len(agenda.agenda_of(march.id).lines)

    closed = meeting_room.close_and_carry_over(
        actor=chair,
        meeting_id=january.id,
        seen_version=agenda.agenda_of(january.id).meeting.version,
        carry_to_meeting_id=march.id,
    )
    assert closed.status == "held"
    lines = agenda.agenda_of(march.id).lines
    carried = [line.item for line in lines[march_items:]]
    assert [(i.kind, i.title, i.minutes_allotted) for i in carried] == [
        (i.kind, i.title, i.minutes_allotted) for i in left
    ]
    assert [i.position for i in carried] == list(range(march_items + 1, len(lines) + 1))
    restricted = next(i for i in carried if i.title.startswith("Restricted alert"))
    assert restricted.country_code is None  # its country stays hidden on the agenda
    for action in ("meeting.close", "agenda.carry_over", "meeting.close_and_carry_over"):
        (event,) = _events(action)
        assert event.actor_label == chair.label
    assert f"{len(left)} items carried over" in _events("agenda.carry_over")[0].detail

    # Carried again, nothing is added twice.
    assert agenda.carry_over(actor=chair, meeting_id=january.id, to_meeting_id=march.id) == []
    assert len(agenda.agenda_of(march.id).lines) == len(lines)


def test_closing_and_carrying_over_land_together_or_not_at_all(january, people):
    chair = people["chair"]
    _run_part_of(january, chair)
    seen = agenda.agenda_of(january.id).meeting.version
    earlier = meetings.list_meetings(when="past").rows[0].meeting  # the November meeting

    with pytest.raises(ValidationError, match="later scheduled meeting"):
        meeting_room.close_and_carry_over(
            actor=chair, meeting_id=january.id, seen_version=seen, carry_to_meeting_id=earlier.id
        )
    march = agenda.next_meeting(meeting_id=january.id)
    march_items = len(agenda.agenda_of(march.id).lines)
    with pytest.raises(Conflict):
        meeting_room.close_and_carry_over(
            actor=chair, meeting_id=january.id, seen_version=seen - 1, carry_to_meeting_id=march.id
        )
    assert meetings.get_meeting(january.id).status == "scheduled"
    assert agenda.agenda_of(january.id).meeting.version == seen
    assert len(agenda.agenda_of(march.id).lines) == march_items
    assert not _events("meeting.close") and not _events("agenda.carry_over")

    # Before it is closed, a meeting may still take its items up: nothing is carried.
    with pytest.raises(ValidationError, match="Close the meeting first"):
        agenda.carry_over(actor=chair, meeting_id=january.id, to_meeting_id=march.id)


def test_only_the_chair_closes_and_carries_over(january, people):
    _run_part_of(january, people["chair"])
    march = agenda.next_meeting(meeting_id=january.id)
    for who in ("rep", "observer"):
        with pytest.raises(PermissionDenied):
            meeting_room.close_and_carry_over(
                actor=people[who],
                meeting_id=january.id,
                seen_version=agenda.agenda_of(january.id).meeting.version,
                carry_to_meeting_id=march.id,
            )
    assert meetings.get_meeting(january.id).status == "scheduled"
    refusals = [e for e in _events("meeting.close_and_carry_over") if e.outcome == "refused"]
    assert len(refusals) == 2 and not _events("agenda.carry_over")
