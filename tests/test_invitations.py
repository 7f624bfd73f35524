"""Invitations by mail (RFC 6047): what a person's mail program receives, updates and the
cancellation that follow a move by themselves, and the command line doing what the page does.
Each delivered message is parsed as it arrived at a real SMTP server."""

from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from cli import main
from cli.worker import deliver
from committee import invitations, meetings
from committee.errors import ValidationError
from db.engine import read_session, write_session
from db.models import Meeting, OutboxMessage, User
from exports import calendar

MEMBERS = {
    "chair@test.example",
    "rep@test.example",
    "other_rep@test.example",
    "observer@test.example",
}


def ad_hoc(chair, title: str = "Ad hoc meeting on Sahel") -> Meeting:
    starts = datetime(2027, 2, 9, 10, 0)
    return meetings.schedule_session(
        actor=chair,
        kind="ad_hoc",
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        timezone="America/New_York",
        reason="Reports of reprisals",
        location="Room 5A",
    )


def reread(meeting_id: int) -> Meeting:
    with read_session() as session:
        return session.get(Meeting, meeting_id)


def move(chair, meeting_id: int, days: int = 1) -> Meeting:
    meeting = reread(meeting_id)
    return meetings.move_meeting(
        actor=chair,
        meeting_id=meeting.id,
        seen_version=meeting.version,
        starts_at=meeting.starts_at + timedelta(days=days),
        ends_at=meeting.ends_at + timedelta(days=days),
        timezone=meeting.timezone,
        location="Room 7B",
        video_link="",
        reason="The room is taken",
    )


def calendar_part(message):
    """The text/calendar part of a delivered message, and its parsed calendar."""
    assert message.get_content_type() == "multipart/alternative"
    text, cal = message.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert cal.get_content_type() == "text/calendar"
    content = cal.get_content()
    assert content.endswith("\r\n") and "\r\nEND:VEVENT\r\n" in content  # RFC 5545 lines
    return cal, Calendar.from_ical(content)


def by_recipient(smtp_server) -> dict[str, list]:
    found: dict[str, list] = {}
    for recipients, message in smtp_server.catcher.delivered:
        for to in recipients:
            found.setdefault(to, []).append(message)
    return found


def test_each_member_gets_an_imip_request_like_the_download(db, people, smtp_server, frozen_clock):
    meeting = ad_hoc(people["chair"])
    sent = invitations.send_invitations(actor=people["chair"], meeting_id=meeting.id)
    assert (sent.method, sent.queued, sent.no_address) == ("REQUEST", 4, [])
    assert deliver().sent == 4

    received = by_recipient(smtp_server)
    assert set(received) == MEMBERS  # one each; the administrator is not a member
    downloaded = Calendar.from_ical(calendar.invitation(meeting.id))
    for address, [message] in received.items():
        part, cal = calendar_part(message)
        assert part.get_param("method") == "REQUEST"
        assert part.get_content_charset() == "utf-8"
        assert cal["METHOD"] == "REQUEST"
        [event] = cal.walk("VEVENT")
        [same] = downloaded.walk("VEVENT")
        assert (event["UID"], event["SEQUENCE"]) == (same["UID"], same["SEQUENCE"])
        assert str(event["ORGANIZER"]) == "mailto:apc@committee.example"
        mine = event["ATTENDEE"]  # the recipient alone, not hundreds of members
        assert str(mine) == f"mailto:{address}" and mine.params["RSVP"] == "TRUE"
        assert mine.params["PARTSTAT"] == "NEEDS-ACTION"
        assert message["Subject"].endswith("Invitation: Ad hoc meeting on Sahel (09 Feb 2027)")
        text = message.get_body(("plain",)).get_content()
        assert "Tuesday 09 February 2027, 10:00–12:00 EST (America/New_York)" in text
        assert f"/meeting?id={meeting.id}" in text

    again = invitations.send_invitations(actor=people["chair"], meeting_id=meeting.id)
    assert (again.queued, again.already) == (0, 4)  # nobody gets it twice


def test_once_sent_a_move_sends_an_update_and_a_cancellation_follows(
    db, people, smtp_server, frozen_clock
):
    meeting = ad_hoc(people["chair"])
    move(people["chair"], meeting.id)  # before any mail: nothing to tell
    assert deliver().sent == 0
    invitations.send_invitations(actor=people["chair"], meeting_id=meeting.id)
    deliver()
    move(people["chair"], meeting.id)
    assert deliver().sent == 4
    current = reread(meeting.id)
    meetings.cancel_meeting(
        actor=people["chair"], meeting_id=meeting.id, seen_version=current.version, reason="Off"
    )
    assert deliver().sent == 4

    for messages in by_recipient(smtp_server).values():
        invitation, update, cancellation = messages
        assert "Updated: " in update["Subject"] and "Cancelled: " in cancellation["Subject"]
        _, first = calendar_part(invitation)
        _, second = calendar_part(update)
        part, third = calendar_part(cancellation)
        sequences = [c.walk("VEVENT")[0]["SEQUENCE"] for c in (first, second, third)]
        assert sequences == [1, 2, 3]
        assert len({str(c.walk("VEVENT")[0]["UID"]) for c in (first, second, third)}) == 1
        assert second.walk("VEVENT")[0]["LOCATION"] == "Room 7B"
        assert part.get_param("method") == "CANCEL" and third["METHOD"] == "CANCEL"
        assert third.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


def test_an_invitation_overtaken_by_a_move_before_it_left_is_not_sent(
    sqlite_db, people, smtp_server, frozen_clock
):
    meeting = ad_hoc(people["chair"])
    invitations.send_invitations(actor=people["chair"], meeting_id=meeting.id)
    move(people["chair"], meeting.id)
    assert deliver().sent == 4
    for [message] in by_recipient(smtp_server).values():
        _, cal = calendar_part(message)
        assert cal.walk("VEVENT")[0]["SEQUENCE"] == 1
    with read_session() as session:
        statuses = sorted(session.scalars(select(OutboxMessage.status)))
    assert statuses == ["sent"] * 4 + ["superseded"] * 4


def test_a_title_or_name_with_line_breaks_never_becomes_a_header(
    sqlite_db, people, smtp_server, frozen_clock
):
    with write_session() as session:
        rep = session.get(User, people["rep"].id)
        rep.name = "Rep\r\nBcc: spy@evil.example"
    meeting = ad_hoc(people["chair"], title="Sahel\r\nBcc: spy@evil.example\r\nX-Evil: yes")
    invitations.send_invitations(actor=people["chair"], meeting_id=meeting.id)
    deliver()
    for recipients, message in smtp_server.catcher.delivered:
        assert len(recipients) == 1 and "spy@evil.example" not in recipients
        assert message["Bcc"] is None and message["X-Evil"] is None
    [mine] = by_recipient(smtp_server)["rep@test.example"]
    assert str(mine["To"]) == '"Rep Bcc: spy@evil.example" <rep@test.example>'


def test_a_person_without_a_valid_address_is_named_not_skipped(sqlite_db, people, frozen_clock):
    with write_session() as session:
        session.get(User, people["observer"].id).email = "observer-at-nowhere"
    meeting = ad_hoc(people["chair"])
    plan = invitations.mailing(meeting_id=meeting.id)
    assert [p.name for p in plan.no_address] == ["Observer"]
    sent = invitations.send_invitations(actor=people["chair"], meeting_id=meeting.id)
    assert sent.queued == 3 and sent.no_address == ["Observer"]


def test_a_cancelled_meeting_never_mailed_can_send_its_cancellation(
    sqlite_db, people, smtp_server, frozen_clock
):
    meeting = ad_hoc(people["chair"])
    meetings.cancel_meeting(
        actor=people["chair"], meeting_id=meeting.id, seen_version=meeting.version, reason="Off"
    )
    assert invitations.mailing(meeting_id=meeting.id).method == "CANCEL"
    sent = invitations.send_invitations(actor=people["chair"], meeting_id=meeting.id)
    assert (sent.method, sent.queued) == ("CANCEL", 4)
    deliver()
    part, cal = calendar_part(smtp_server.catcher.messages()[0])
    assert part.get_param("method") == "CANCEL"
    with pytest.raises(ValidationError):
        meetings.move_meeting(
            actor=people["chair"],
            meeting_id=meeting.id,
            seen_version=reread(meeting.id).version,
            starts_at=datetime(2027, 3, 1, 10),
            ends_at=datetime(2027, 3, 1, 11),
            timezone="UTC",
            location="",
            video_link="",
            reason="x",
        )


def test_the_command_line_sends_moves_and_cancels_as_the_page_does(
    sqlite_db, people, smtp_server, frozen_clock, capsys
):
    meeting = ad_hoc(people["chair"])
    assert main(["mail", "send-invitations", "--meeting", str(meeting.id)]) == 0
    assert "invitation queued for 4 people" in capsys.readouterr().out
    assert main(["meetings", "move", str(meeting.id), "--at", "14:00", "--reason", "Room"]) == 0
    assert "now 2027-02-09 14:00" in capsys.readouterr().out
    assert main(["worker", "--once"]) == 0
    assert main(["meetings", "cancel", str(meeting.id), "--reason", "Overtaken"]) == 0
    assert main(["worker", "--once"]) == 0
    methods = [m.get_payload()[1].get_param("method") for m in smtp_server.catcher.messages()]
    assert methods == ["REQUEST"] * 4 + ["CANCEL"] * 4  # the first invitation was overtaken
    assert main(["meetings", "cancel", "999", "--reason", "x"]) == 1
