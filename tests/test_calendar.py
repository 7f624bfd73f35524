"""Calendar exports: invitations (RFC 5546 REQUEST and CANCEL), the whole schedule expanded by
an independent library, action item due dates, and text that tries to break the format."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar
from sqlalchemy import select

from cli import main
from committee import clock, meetings, people
from committee.actor import Actor
from committee.errors import NotFound, ValidationError
from db.engine import read_session, write_session
from db.models import ActionItem, Meeting, User
from db.models.actions import CLOSED_STATUSES
from exports import calendar

NEW_YORK = ZoneInfo("America/New_York")
EVERYTHING = (date(2000, 1, 1), date(2100, 1, 1))


def parse(content: bytes) -> Calendar:
    """Parse an export back, checking the line structure RFC 5545 demands on the way."""
    assert content.endswith(b"\r\n")
    for line in content.split(b"\r\n")[:-1]:
        assert len(line) <= 75, f"line longer than 75 octets: {line!r}"
    return Calendar.from_ical(content)


def only_event(cal: Calendar):
    (event,) = cal.walk("VEVENT")
    return event


def attendee_emails(event) -> set[str]:
    return {str(a).removeprefix("mailto:") for a in event.get("ATTENDEE", [])}


def session(actor: Actor, starts: datetime, **values) -> Meeting:
    """An ad hoc session through the meetings service, wall-clock times in New York."""
    return meetings.schedule_session(
        actor=actor,
        kind="ad_hoc",
        title=values.pop("title", "Ad hoc meeting on Sahel"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=1, minutes=30),
        timezone=values.pop("timezone", "America/New_York"),
        reason=values.pop("reason", "Reports of reprisals"),
        location=values.pop("location", "Room 5A"),
        video_link=values.pop("video_link", "https://video.example.gov/apc"),
    )


def reread(meeting_id: int) -> Meeting:
    with read_session() as s:
        return s.get(Meeting, meeting_id)


# --- one meeting's invitation ---------------------------------------------------------------


def test_invitation_is_a_request_to_every_member(db, people, frozen_clock):
    meeting = session(people["chair"], datetime(2027, 2, 9, 10, 0))
    cal = parse(calendar.invitation(meeting.id))
    event = only_event(cal)

    assert cal["METHOD"] == "REQUEST"
    assert str(event["UID"]) == meeting.calendar_uid
    assert event["SEQUENCE"] == 0
    assert event["DTSTAMP"].dt == clock.now()
    assert str(event["ORGANIZER"]) == "mailto:chair@test.example"
    assert event["ORGANIZER"].params["CN"] == "Chair"
    # Members are invited; the administrator runs the tool and the chair organises.
    assert attendee_emails(event) == {
        "rep@test.example",
        "other_rep@test.example",
        "observer@test.example",
    }
    for attendee in event["ATTENDEE"]:
        expected = "OPT-PARTICIPANT" if "observer" in attendee else "REQ-PARTICIPANT"
        assert attendee.params["ROLE"] == expected
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["RSVP"] == "TRUE"
    # In the meeting's own zone, with that zone's definition in the file.
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event["DTSTART"].dt == datetime(2027, 2, 9, 10, 0, tzinfo=NEW_YORK)
    assert event["DTEND"].dt == datetime(2027, 2, 9, 11, 30, tzinfo=NEW_YORK)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]
    assert event["LOCATION"] == "Room 5A"
    assert str(event["URL"]) == "https://video.example.gov/apc"
    assert f"http://localhost:8501/meeting?id={meeting.id}" in event["DESCRIPTION"]
    assert "The agenda is in preparation." in event["DESCRIPTION"]
    (alarm,) = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm["TRIGGER"].dt == -timedelta(minutes=30)


def test_published_agenda_is_in_the_description(db, people, frozen_clock, monkeypatch):
    monkeypatch.setenv("APC_BASE_URL", "https://apc.example.gov/")
    meeting = meetings.call_emergency_session(
        actor=people["chair"],
        country_code="SDN",
        starts_at=datetime(2027, 1, 5, 9, 0),
        reason="Assault on El Fasher reported",
    )
    with write_session() as s:
        s.get(Meeting, meeting.id).agenda_status = "published"
    event = only_event(parse(calendar.invitation(meeting.id)))
    description = event["DESCRIPTION"]
    assert "1. Review: Sudan (60 min)" in description
    assert "Called because: Assault on El Fasher reported" in description
    assert f"https://apc.example.gov/meeting?id={meeting.id}" in description


def test_moved_meeting_keeps_its_uid_with_a_higher_sequence(db, people, frozen_clock):
    meeting = session(people["chair"], datetime(2027, 2, 9, 10, 0))
    first = only_event(parse(calendar.invitation(meeting.id)))
    again = only_event(parse(calendar.invitation(meeting.id)))
    assert (again["UID"], again["SEQUENCE"]) == (first["UID"], first["SEQUENCE"])

    meetings.move_meeting(
        actor=people["chair"],
        meeting_id=meeting.id,
        seen_version=reread(meeting.id).version,
        starts_at=datetime(2027, 2, 10, 14, 0),
        ends_at=datetime(2027, 2, 10, 15, 0),
        timezone="America/New_York",
        location="Room 7B",
        video_link="",
        reason="Clash with a ministerial",
    )
    moved = only_event(parse(calendar.invitation(meeting.id)))
    assert moved["UID"] == first["UID"]
    assert moved["SEQUENCE"] > first["SEQUENCE"]
    assert moved["DTSTART"].dt == datetime(2027, 2, 10, 14, 0, tzinfo=NEW_YORK)
    assert moved["LOCATION"] == "Room 7B"


def test_cancelled_meeting_is_a_cancel_with_the_same_uid(db, people, frozen_clock):
    meeting = session(people["chair"], datetime(2027, 2, 9, 10, 0))
    request = only_event(parse(calendar.invitation(meeting.id)))
    meetings.cancel_meeting(
        actor=people["chair"],
        meeting_id=meeting.id,
        seen_version=reread(meeting.id).version,
        reason="Overtaken by the emergency session",
    )
    cal = parse(calendar.invitation(meeting.id, cancel=True))
    event = only_event(cal)

    assert cal["METHOD"] == "CANCEL"
    assert event["UID"] == request["UID"]
    assert event["SEQUENCE"] > request["SEQUENCE"]
    assert event["STATUS"] == "CANCELLED"
    assert "DTSTAMP" in event
    # RFC 5546: a cancellation of the whole event names the organizer and every attendee.
    assert str(event["ORGANIZER"]) == str(request["ORGANIZER"])
    assert attendee_emails(event) == attendee_emails(request)
    assert not event.walk("VALARM")
    # Without --cancel a cancelled meeting still exports as its cancellation.
    assert parse(calendar.invitation(meeting.id))["METHOD"] == "CANCEL"


def test_cancel_is_refused_for_a_meeting_that_goes_ahead(db, people, frozen_clock):
    meeting = session(people["chair"], datetime(2027, 2, 9, 10, 0))
    with pytest.raises(ValidationError, match="is not cancelled"):
        calendar.invitation(meeting.id, cancel=True)


def test_unknown_meeting_gets_a_clear_error(db, people, capsys, tmp_path):
    with pytest.raises(NotFound, match="No meeting with id 999"):
        calendar.invitation(999)
    out = tmp_path / "x.ics"
    assert main(["export-ics", "--meeting", "999", "--out", str(out)]) == 1
    assert "error: No meeting with id 999." in capsys.readouterr().err
    assert not out.exists()


def test_meeting_without_attendees_is_still_a_valid_file(db, frozen_clock):
    # Nobody holds an account yet: no one to invite, no chair to organise.
    meeting = session(Actor.operator("pytest"), datetime(2027, 2, 9, 10, 0), location="")
    cal = parse(calendar.invitation(meeting.id))
    event = only_event(cal)
    assert cal["METHOD"] == "PUBLISH"  # a REQUEST needs an ATTENDEE (RFC 5546)
    assert "ATTENDEE" not in event
    for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "ORGANIZER", "SEQUENCE"):
        assert required in event
    assert event["LOCATION"] == "Video conference"


# --- text that tries to break the format ----------------------------------------------------

HOSTILE_TITLE = "Budget review\r\nATTENDEE:mailto:evil@example.com"
AWKWARD = 'Room 5A, "Kennan"; wing B — Сирия, السودان, 缅甸, ትግራይ 🕊️🇺🇳'


def test_hostile_and_awkward_text_comes_out_intact(db, people, frozen_clock):
    long_reason = ('Reports from Darfur; corroborated, "urgent" 🚨 — ' * 80).strip()
    meeting = session(
        people["chair"], datetime(2027, 2, 9, 10, 0), location=AWKWARD, reason=long_reason
    )
    # Written straight into the record: whatever path a title takes, the export must hold.
    with write_session() as s:
        s.get(Meeting, meeting.id).title = HOSTILE_TITLE
    content = calendar.invitation(meeting.id)
    event = only_event(parse(content))

    assert content.count(b"\r\nSUMMARY:") == 1
    assert not any(line.startswith(b"ATTENDEE:") for line in content.split(b"\r\n"))
    assert event["SUMMARY"] == HOSTILE_TITLE.replace("\r\n", "\n")
    assert "evil@example.com" not in attendee_emails(event)
    assert event["LOCATION"] == AWKWARD
    assert f"Called because: {long_reason}" in event["DESCRIPTION"]
    assert len(long_reason) > 3000


def test_names_with_quotes_commas_and_scripts_survive_as_parameters(db, people, frozen_clock):
    with write_session() as s:
        for email, name in [
            ("rep@test.example", 'Avery "Ace" Collins, Jr.; STATE'),
            ("observer@test.example", "Ольга Иванова 李雷 👀"),
        ]:
            s.scalar(select(User).where(User.email == email)).name = name
    meeting = session(people["chair"], datetime(2027, 2, 9, 10, 0))
    event = only_event(parse(calendar.invitation(meeting.id)))
    names = {str(a).removeprefix("mailto:"): a.params["CN"] for a in event["ATTENDEE"]}
    assert names["rep@test.example"] == 'Avery "Ace" Collins, Jr.; STATE'
    assert names["observer@test.example"] == "Ольга Иванова 李雷 👀"


# --- the whole schedule ---------------------------------------------------------------------


def expanded(content: bytes, components=("VEVENT",)) -> list:
    return recurring_ical_events.of(parse(content), components=components).between(*EVERYTHING)


def test_schedule_expands_to_exactly_the_meetings_in_the_database(db, demo, frozen_clock):
    chair = people.actor_for(people.user_by_email("chair@apc.example"))
    with read_session() as s:
        scheduled = list(
            s.scalars(
                select(Meeting).where(Meeting.status == "scheduled").order_by(Meeting.starts_at)
            )
        )
    cancelled = scheduled[3]
    meetings.cancel_meeting(
        actor=chair, meeting_id=cancelled.id, seen_version=cancelled.version, reason="Recess"
    )
    # Ad hoc sessions either side of the spring daylight-saving change, and one abroad.
    session(chair, datetime(2027, 3, 12, 10, 0))
    session(chair, datetime(2027, 3, 15, 10, 0))
    session(chair, datetime(2027, 6, 1, 9, 30), timezone="Europe/Zurich")

    with read_session() as s:
        expected = {
            (m.calendar_uid, m.starts_at, m.ends_at)
            for m in s.scalars(select(Meeting).where(Meeting.status != "cancelled"))
        }
        zones = {m.calendar_uid: ZoneInfo(m.timezone) for m in s.scalars(select(Meeting))}
    events = expanded(calendar.schedule())

    found = {(str(e["UID"]), e["DTSTART"].dt, e["DTEND"].dt) for e in events}
    assert len(events) == len(expected) == len(found)
    assert found == expected
    assert cancelled.calendar_uid not in {uid for uid, _, _ in found}
    # Local wall-clock times hold across daylight saving: each start is in its own zone.
    for event in events:
        start = event["DTSTART"].dt
        assert start.tzinfo is not None
        assert start.utcoffset() == start.astimezone(zones[str(event["UID"])]).utcoffset()
    regular = [e for e in events if "Regular" in str(e["SUMMARY"])]
    assert {e["DTSTART"].dt.astimezone(NEW_YORK).hour for e in regular} == {10}
    offsets = {e["DTSTART"].dt.astimezone(NEW_YORK).utcoffset() for e in regular}
    assert offsets == {timedelta(hours=-5), timedelta(hours=-4)}  # winter and summer
    by_day = {e["DTSTART"].dt.date(): e["DTSTART"].dt for e in events}
    assert by_day[date(2027, 3, 12)].astimezone(timezone.utc).hour == 15  # EST
    assert by_day[date(2027, 3, 15)].astimezone(timezone.utc).hour == 14  # EDT


def test_schedule_and_feed_keep_the_details_behind_the_sign_in(db, people, frozen_clock):
    meeting = session(people["chair"], datetime(2027, 2, 9, 10, 0), reason="Secret reason")
    (event,) = expanded(calendar.schedule())
    assert event["UID"] == meeting.calendar_uid
    assert "Secret reason" not in event["DESCRIPTION"]
    assert "video.example.gov" not in event.to_ical().decode()
    assert f"meeting?id={meeting.id}" in event["DESCRIPTION"]


# --- action items ---------------------------------------------------------------------------


def open_items(**where) -> dict[int, ActionItem]:
    with read_session() as s:
        query = select(ActionItem).where(ActionItem.status.not_in(CLOSED_STATUSES))
        for column, value in where.items():
            query = query.where(getattr(ActionItem, column) == value)
        return {item.id: item for item in s.scalars(query)}


def test_agency_action_items_are_todos_due_on_their_due_dates(db, demo, frozen_clock):
    state = people.agency_by_code("STATE")
    cal = parse(calendar.action_items(agency_id=state.id))
    todos = cal.walk("VTODO")
    expected = open_items(owner_agency_id=state.id)

    assert todos and not cal.walk("VEVENT")
    by_uid = {calendar.action_item_uid(item_id): item for item_id, item in expected.items()}
    assert {str(todo["UID"]) for todo in todos} == set(by_uid)
    for todo in todos:
        item = by_uid[str(todo["UID"])]
        assert todo["DUE"].dt == item.due_on
        assert todo["SUMMARY"] == item.title
        assert todo["STATUS"] in ("NEEDS-ACTION", "IN-PROCESS")
        assert "Owner: STATE" in todo["DESCRIPTION"]
    assert len(expanded(calendar.action_items(agency_id=state.id), ("VTODO",))) == len(expected)


def test_a_persons_action_items(db, demo, frozen_clock):
    person = people.user_by_email("rep.usaid@apc.example")
    expected = open_items(assignee_id=person.id)
    todos = parse(calendar.action_items(assignee_id=person.id)).walk("VTODO")
    assert expected and len(todos) == len(expected)


def test_action_items_need_exactly_one_agency_or_person(db, people):
    with pytest.raises(ValidationError):
        calendar.action_items()
    with pytest.raises(ValidationError):
        calendar.action_items(agency_id=1, assignee_id=1)


# --- the command line -----------------------------------------------------------------------


def test_cli_writes_each_kind_of_calendar(db, demo, frozen_clock, tmp_path, capsys):
    for args in (["--schedule"], ["--agency", "usaid"], ["--person", "rep.usaid@apc.example"]):
        out = tmp_path / "out.ics"
        assert main(["export-ics", "--out", str(out), *args]) == 0
        assert parse(out.read_bytes())["PRODID"] == calendar.PRODID
    assert main(["export-ics", "--agency", "NOPE", "--out", str(tmp_path / "x.ics")]) == 1
    assert "No agency with code 'NOPE'" in capsys.readouterr().err
