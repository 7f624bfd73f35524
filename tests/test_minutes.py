"""Running a meeting and its minutes: attendance, the clock, notes, decisions and the action
items they create, reviews marked done, tier changes, closing, then the minutes drafted,
circulated, approved, locked and corrected."""

import io
from datetime import UTC, date, datetime, timedelta

import docx
import pytest
from conftest import DEMO_DAY
from icalendar import Calendar
from sqlalchemy import select

from committee import (
    agenda,
    decisions,
    meeting_room,
    meeting_times,
    meetings,
    minutes,
    people,
    rotation,
)
from committee.errors import Conflict, ValidationError
from committee.meeting_room import AttendanceLine
from db.engine import read_session
from db.models import ActionUpdate, Decision, Meeting, TierChange, WatchlistEntry
from exports import calendar, documents

T0 = DEMO_DAY


@pytest.fixture
def room(db, demo, frozen_clock):
    """The demo's next meeting with the proposal accepted, and the people who run it."""
    chair = people.actor_for(people.user_by_email("chair@apc.example"))
    state = people.agency_by_code("STATE")
    rep = people.actor_for(people.user_by_email("rep.state@apc.example"), state)
    meeting = meetings.list_meetings(when="upcoming").rows[0].meeting
    agenda.accept_proposal(actor=chair, meeting_id=meeting.id, seen_version=meeting.version)
    view = agenda.agenda_of(meeting.id)
    sudan = next(
        line.item
        for line in view.lines
        if line.item.country_code == "SDN" and line.item.kind == "country_review"
    )
    return {
        "chair": chair,
        "rep": rep,
        "state": state,
        "usaid": people.agency_by_code("USAID"),
        "meeting": view.meeting,
        "items": [line.item for line in view.lines],
        "sudan": sudan,
        "clock": frozen_clock,
    }


def entry(code: str) -> WatchlistEntry:
    with read_session() as session:
        return session.scalar(select(WatchlistEntry).where(WatchlistEntry.country_code == code))


def test_attendance_by_agency(room):
    chair, meeting = room["chair"], room["meeting"]
    lines = [
        AttendanceLine(room["state"].id, "present", "Avery Collins, Sam Lee"),
        AttendanceLine(room["usaid"].id, "represented", represented_by="State"),
    ]
    saved = meeting_room.record_attendance(actor=chair, meeting_id=meeting.id, lines=lines)
    assert [(a.status, a.attendees, a.represented_by) for a in saved] == [
        ("present", "Avery Collins, Sam Lee", ""),
        ("represented", "", "State"),
    ]
    with pytest.raises(ValidationError) as refused:
        meeting_room.record_attendance(
            actor=chair,
            meeting_id=meeting.id,
            lines=[AttendanceLine(room["usaid"].id, "represented", seen_version=saved[1].version)],
        )
    assert refused.value.field == "attendance"
    # A second secretary who saw no row for State does not overwrite the first one's.
    with pytest.raises(Conflict):
        meeting_room.record_attendance(
            actor=chair,
            meeting_id=meeting.id,
            lines=[AttendanceLine(room["state"].id, "absent")],
        )
    record = meetings.meeting_record(meeting_id=meeting.id, actor=chair)
    by_code = {row.agency.code: row.attendance for row in record.attendance}
    assert by_code["STATE"].status == "present" and by_code["DOD"] is None
    assert len(record.attendance) == 12


def test_the_clock_per_item(room):
    chair, clock = room["chair"], room["clock"]
    first, second = room["items"][0], room["items"][1]
    meeting_room.start_item(actor=chair, item_id=first.id)
    clock(T0 + timedelta(minutes=7))
    meeting_room.start_item(actor=chair, item_id=second.id)  # the first one stops
    clock(T0 + timedelta(minutes=10, seconds=20))
    current = meeting_room.room(room["meeting"].id)
    running = [i for i in current.items if i.running]
    assert [i.item.id for i in running] == [second.id]
    assert running[0].used(T0 + timedelta(minutes=10, seconds=20)) == 4  # rounded up
    stopped = meeting_room.stop_item(actor=chair, item_id=second.id)
    assert stopped.minutes_used == 4 and stopped.started_at is None
    assert meeting_room.room(room["meeting"].id).used(T0) == 7 + 4


def test_a_country_review_with_notes_decision_action_and_tier_change(room):
    chair, sudan = room["chair"], room["sudan"]
    noted = meeting_room.save_notes(
        actor=chair, item_id=sudan.id, seen_version=sudan.version, notes="ODNI briefed."
    )
    with pytest.raises(Conflict) as conflict:  # a second note-taker working on the old version
        meeting_room.save_notes(
            actor=chair, item_id=sudan.id, seen_version=sudan.version, notes="Mine."
        )
    assert conflict.value.current["notes"] == "ODNI briefed."
    assert noted.version == sudan.version + 1

    with pytest.raises(ValidationError) as refused:
        decisions.record_decision(actor=chair, kind="general", agenda_item_id=sudan.id, text=" ")
    assert refused.value.field == "decision"
    decision = decisions.record_decision(
        actor=chair,
        kind="general",
        agenda_item_id=sudan.id,
        text="Press for humanitarian access to El Fasher.",
    )
    assert (decision.meeting_id, decision.country_code) == (room["meeting"].id, "SDN")

    with pytest.raises(ValidationError) as refused:
        meeting_room.add_action_item(
            actor=chair,
            decision_id=decision.id,
            title="Demarche",
            owner_agency_id=room["state"].id,
            due_on=date(2026, 11, 1),
        )
    assert refused.value.field == "due_on"
    action = meeting_room.add_action_item(
        actor=chair,
        decision_id=decision.id,
        title="Demarche to the authorities on access",
        owner_agency_id=room["state"].id,
        due_on=date(2026, 12, 15),
        priority="high",
    )
    assert (action.origin, action.decision_id, action.meeting_id, action.country_code) == (
        "decision",
        decision.id,
        room["meeting"].id,
        "SDN",
    )
    with read_session() as session:
        history = session.scalars(
            select(ActionUpdate).where(ActionUpdate.action_item_id == action.id)
        ).all()
    assert [u.kind for u in history] == ["created"]

    done = meeting_room.mark_review_done(actor=chair, item_id=sudan.id)
    assert done.last_reviewed_on == date(2026, 11, 26)  # run ahead of its date: dated today
    assert done.last_review_meeting_id == room["meeting"].id
    due = {r.country_code: r for r in rotation.review_schedule()}["SDN"]
    assert due.last_reviewed_on == date(2026, 11, 26) and due.next_due_on > date(2026, 11, 26)

    seen = entry("SDN").version
    with pytest.raises(ValidationError) as refused:
        meeting_room.change_tier(
            actor=chair, item_id=sudan.id, new_tier=1, reason="Same", seen_version=seen
        )
    assert refused.value.field == "tier"
    with pytest.raises(ValidationError) as refused:
        meeting_room.change_tier(
            actor=chair, item_id=sudan.id, new_tier=2, reason="", seen_version=seen
        )
    assert refused.value.field == "reason"
    change = meeting_room.change_tier(
        actor=chair,
        item_id=sudan.id,
        new_tier=2,
        reason="Ceasefire holding for 90 days.",
        seen_version=seen,
    )
    assert (change.old_tier, change.new_tier, change.agenda_item_id) == (1, 2, sudan.id)
    assert entry("SDN").tier == 2
    with read_session() as session:
        kinds = session.scalars(
            select(Decision.kind).where(Decision.agenda_item_id == sudan.id).order_by(Decision.id)
        ).all()
        assert session.scalar(select(TierChange).where(TierChange.agenda_item_id == sudan.id))
    assert kinds == ["general", "tier_change"]

    # The representative sees the new action item on the meeting's page; USAID's does not.
    seen = meetings.meeting_record(meeting_id=room["meeting"].id, actor=room["rep"])
    assert [row.item.id for row in seen.actions] == [action.id]
    usaid = people.actor_for(people.user_by_email("rep.usaid@apc.example"), room["usaid"])
    assert meetings.meeting_record(meeting_id=room["meeting"].id, actor=usaid).actions == []


def ics_event(meeting_id: int):
    (event,) = Calendar.from_ical(calendar.invitation(meeting_id)).walk("VEVENT")
    return event.start, event.end, event["SEQUENCE"]


def ad_hoc(chair, starts: datetime, title: str) -> Meeting:
    """An ad hoc session in New York with one item on its agenda."""
    meeting = meetings.schedule_session(
        actor=chair,
        kind="ad_hoc",
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        timezone="America/New_York",
        reason="Reports of reprisals",
    )
    agenda.add_item(
        actor=chair,
        meeting_id=meeting.id,
        seen_version=meeting.version,
        kind="other",
        title="Sahel",
    )
    return meetings.get_meeting(meeting.id)


def test_closing_a_meeting_run_ahead_of_its_date_keeps_its_schedule(room):
    """The issue's script: scheduled for Tue 15 Dec 14:00, run on Fri 4 Dec from 10:25, closed
    at 10:28 (New York)."""
    chair, clock = room["chair"], room["clock"]
    meeting = ad_hoc(chair, datetime(2026, 12, 15, 14, 0), "Ad hoc meeting on Sahel")
    (item,) = [line.item for line in agenda.agenda_of(meeting.id).lines]
    invited = ics_event(meeting.id)

    clock(datetime(2026, 12, 4, 15, 25, tzinfo=UTC))  # 10:25 in New York
    meeting_room.start_item(actor=chair, item_id=item.id)
    running = meetings.get_meeting(meeting.id)
    assert running.held_from == datetime(2026, 12, 4, 15, 25, tzinfo=UTC)
    assert running.version == meeting.version  # running it is not an edit: the chair's forms hold
    assert meeting_times.held_words(running) == "under way since Fri 04 Dec 2026, 10:25 EST"

    clock(datetime(2026, 12, 4, 15, 28, tzinfo=UTC))
    closed = meeting_room.close_meeting(
        actor=chair, meeting_id=meeting.id, seen_version=running.version
    )
    assert closed.status == "held"
    assert (closed.starts_at, closed.ends_at) == (meeting.starts_at, meeting.ends_at)
    assert closed.held_until == datetime(2026, 12, 4, 15, 28, tzinfo=UTC)
    assert closed.held_from == running.held_from
    assert (closed.change_reason, closed.edited_by_hand) == ("", False)
    assert closed.calendar_sequence == meeting.calendar_sequence
    assert ics_event(meeting.id) == invited  # DTSTART, DTEND and SEQUENCE as invited
    assert meeting_times.held_words(closed) == "held Fri 04 Dec 2026, 10:25–10:28 EST"
    assert meetings.list_meetings(when="past").rows[0].meeting.id == meeting.id
    assert meeting.id not in {
        row.meeting.id for row in meetings.list_meetings(when="upcoming").rows
    }

    paper = documents.meeting_paper("agenda", meeting_id=meeting.id, actor=chair, fmt="docx")
    assert (
        "Tuesday 15 December 2026, 14:00–15:00 EST (America/New_York); "
        "held Fri 04 Dec 2026, 10:25–10:28 EST"
    ) in [p.text for p in docx.Document(io.BytesIO(paper.content)).paragraphs]
    draft = minutes.draft_minutes(actor=chair, meeting_id=meeting.id)
    assert (
        "Ad hoc meeting, Tuesday 15 December 2026, 14:00 EST, held Fri 04 Dec 2026, 10:25–10:28 EST"
    ) in draft.body
    with pytest.raises(ValidationError, match="already closed"):
        meeting_room.close_meeting(actor=chair, meeting_id=meeting.id, seen_version=closed.version)


def test_a_meeting_held_ahead_of_its_date_is_on_record_when_it_ran(room):
    """Its minutes are approved at a meeting that ran after it, even one scheduled before it."""
    chair, clock = room["chair"], room["clock"]
    early = ad_hoc(chair, datetime(2026, 12, 15, 14, 0), "Ad hoc meeting on Sahel")
    (item,) = [line.item for line in agenda.agenda_of(early.id).lines]
    clock(datetime(2026, 12, 4, 15, 25, tzinfo=UTC))
    meeting_room.start_item(actor=chair, item_id=item.id)
    meeting_room.close_meeting(actor=chair, meeting_id=early.id, seen_version=early.version)
    minutes.draft_minutes(actor=chair, meeting_id=early.id)

    later = ad_hoc(chair, datetime(2026, 12, 10, 14, 0), "Ad hoc meeting on the Sahel, again")
    (later_item,) = [line.item for line in agenda.agenda_of(later.id).lines]
    clock(datetime(2026, 12, 10, 19, 0, tzinfo=UTC))
    meeting_room.start_item(actor=chair, item_id=later_item.id)
    earlier, status = meeting_room.room(later.id).earlier_minutes
    assert (earlier.id, status) == (early.id, "draft")
    record = minutes.minutes_of(early.id)
    approved = minutes.approve_minutes(
        actor=chair,
        meeting_id=early.id,
        seen_version=record.minutes.version,
        at_meeting_id=later.id,
    )
    assert approved.approved_at_meeting_id == later.id


def test_the_minutes_lifecycle_locking_and_corrections(room):
    chair, meeting, sudan = room["chair"], room["meeting"], room["sudan"]
    meeting_room.record_attendance(
        actor=chair,
        meeting_id=meeting.id,
        lines=[AttendanceLine(room["state"].id, "present", "Avery Collins")],
    )
    meeting_room.save_notes(
        actor=chair, item_id=sudan.id, seen_version=sudan.version, notes="ODNI briefed."
    )
    decision = decisions.record_decision(
        actor=chair, kind="general", agenda_item_id=sudan.id, text="Press for access."
    )
    meeting_room.add_action_item(
        actor=chair,
        decision_id=decision.id,
        title="Demarche on access",
        owner_agency_id=room["state"].id,
        due_on=date(2026, 12, 15),
    )
    meeting_room.mark_review_done(actor=chair, item_id=sudan.id)

    draft = minutes.draft_minutes(actor=chair, meeting_id=meeting.id)
    for expected in [
        f"# Minutes — {meeting.title}",
        "**Present:** Department of State (Avery Collins)",
        "ODNI briefed.",
        "**Decision:** Press for access.",
        "- Action: Demarche on access — STATE, due 15 Dec 2026",
        "Review completed.",
    ]:
        assert expected in draft.body
    record = minutes.minutes_of(meeting.id)
    with pytest.raises(ValidationError, match="not been closed"):
        minutes.circulate_minutes(
            actor=chair, meeting_id=meeting.id, seen_version=record.minutes.version
        )
    edited = minutes.edit_minutes(
        actor=chair,
        meeting_id=meeting.id,
        seen_version=record.minutes.version,
        body=draft.body + "\nClosed at 12:00.",
    )
    with pytest.raises(Conflict):  # the version before the edit
        minutes.edit_minutes(
            actor=chair, meeting_id=meeting.id, seen_version=record.minutes.version, body="x"
        )
    # Every saved draft is a revision of its own, and any two compare as a diff.
    assert (draft.number, edited.number) == (1, 2)
    assert minutes.compare_revisions(meeting_id=meeting.id, first=1, second=2)[-1] == (
        "+Closed at 12:00."
    )
    closed = meeting_room.close_meeting(
        actor=chair,
        meeting_id=meeting.id,
        seen_version=agenda.agenda_of(meeting.id).meeting.version,
    )
    assert closed.status == "held"
    record = minutes.minutes_of(meeting.id)
    circulated = minutes.circulate_minutes(
        actor=chair, meeting_id=meeting.id, seen_version=record.minutes.version
    )
    approved = minutes.approve_minutes(
        actor=chair, meeting_id=meeting.id, seen_version=circulated.version
    )
    assert approved.status == "approved" and approved.approved_by_id == chair.id

    # Locked: no edit, no re-draft, no change to the meeting's record.
    with pytest.raises(ValidationError, match="locked") as refused:
        minutes.edit_minutes(
            actor=chair, meeting_id=meeting.id, seen_version=approved.version, body="Rewritten"
        )
    assert refused.value.field == "body"
    with pytest.raises(ValidationError, match="locked"):
        minutes.draft_minutes(actor=chair, meeting_id=meeting.id, seen_version=approved.version)
    with pytest.raises(ValidationError, match="locked"):
        decisions.record_decision(
            actor=chair, kind="general", agenda_item_id=sudan.id, text="Late decision"
        )

    with pytest.raises(ValidationError) as refused:
        minutes.correct_minutes(
            actor=chair, meeting_id=meeting.id, seen_version=approved.version, body="x", reason=""
        )
    assert refused.value.field == "reason"
    revision = minutes.correct_minutes(
        actor=chair,
        meeting_id=meeting.id,
        seen_version=approved.version,
        body=edited.body.replace("Closed at 12:00.", "Closed at 12:05."),
        reason="The secretariat's clock was five minutes slow.",
    )
    assert revision.number == 3  # the generated draft, the edited draft, the correction
    record = minutes.minutes_of(meeting.id)
    assert [r.number for r in record.revisions] == [3, 2, 1] and record.locked
    assert record.approved.number == 2  # the text as approved: the newest draft
    assert "Closed at 12:00." in record.revisions[1].body  # the earlier text stays readable
    assert "Closed at 12:00." not in record.revisions[2].body  # so does the first draft
    assert record.current.reason == "The secretariat's clock was five minutes slow."


def test_the_last_minutes_are_approved_at_the_next_meeting(room):
    chair, january = room["chair"], room["meeting"]
    earlier, status = meeting_room.room(january.id).earlier_minutes
    assert status == "circulated" and earlier.title == "Regular meeting — November 2026"
    record = minutes.minutes_of(earlier.id)
    with pytest.raises(ValidationError) as refused:  # an earlier meeting cannot approve them
        minutes.approve_minutes(
            actor=chair,
            meeting_id=earlier.id,
            seen_version=record.minutes.version,
            at_meeting_id=meetings.list_meetings(when="past").rows[-1].meeting.id,
        )
    assert refused.value.field == "meeting"
    approved = minutes.approve_minutes(
        actor=chair,
        meeting_id=earlier.id,
        seen_version=record.minutes.version,
        at_meeting_id=january.id,
    )
    assert approved.approved_at_meeting_id == january.id
    with read_session() as session:
        decision = session.scalar(
            select(Decision).where(
                Decision.meeting_id == january.id, Decision.kind == "minutes_approval"
            )
        )
    assert decision.text == "The committee approved the minutes of Regular meeting — November 2026."
    assert decision.agenda_item_id == room["items"][1].id  # the minutes item on January's agenda
    assert meeting_room.room(january.id).earlier_minutes is None


def test_a_cancelled_meeting_has_no_minutes(room):
    meeting = room["meeting"]
    meetings.cancel_meeting(
        actor=room["chair"], meeting_id=meeting.id, seen_version=meeting.version, reason="Snow"
    )
    with pytest.raises(ValidationError, match="cancelled"):
        minutes.draft_minutes(actor=room["chair"], meeting_id=meeting.id)
    assert minutes.minutes_of(meeting.id).minutes is None
