"""Replies to invitations: one-click links (signed, single-purpose, no sign-in) and iMIP
replies fetched over IMAP from a real dovecot; forged, replayed and stale replies change
nothing and are reported; the answers shown per person and, by agency, as expected attendance."""

import re
from datetime import datetime, timedelta
from email.message import EmailMessage

from icalendar import Calendar, Event, vCalAddress
from sqlalchemy import select

from committee import invitations, meetings, replies, reply_mailbox
from committee.actor import Actor
from db.engine import read_session
from db.models import AuditEvent, Invitation, Meeting, OutboxMessage, User


def ad_hoc(chair) -> Meeting:
    starts = datetime(2027, 2, 9, 10, 0)
    return meetings.schedule_session(
        actor=chair,
        kind="ad_hoc",
        title="Ad hoc meeting on Sahel",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        timezone="America/New_York",
        reason="Reports of reprisals",
    )


def invited(chair) -> Meeting:
    meeting = ad_hoc(chair)
    invitations.send_invitations(actor=chair, meeting_id=meeting.id)
    return meeting


def links_for(email: str) -> dict[str, str]:
    """The one-click links in the newest invitation mailed to ``email``."""
    with read_session() as session:
        body = session.scalar(
            select(OutboxMessage.body)
            .where(OutboxMessage.recipient == email)
            .order_by(OutboxMessage.id.desc())
        )
    found = dict(re.findall(r"  (Accept|Tentative|Decline): \S+/reply/(\S+)", body))
    return {
        "accepted": found["Accept"],
        "tentative": found["Tentative"],
        "declined": found["Decline"],
    }


def answer_of(meeting_id: int, email: str) -> str:
    with read_session() as session:
        return session.scalar(
            select(Invitation.reply)
            .join(User, User.id == Invitation.user_id)
            .where(Invitation.meeting_id == meeting_id, User.email == email)
        )


def refusals() -> list[str]:
    with read_session() as session:
        return list(
            session.scalars(
                select(AuditEvent.detail)
                .where(AuditEvent.action == replies.REFUSED_ACTION)
                .order_by(AuditEvent.id)
            )
        )


def test_a_reply_link_records_the_answer_without_a_sign_in(db, people, frozen_clock):
    meeting = invited(people["chair"])
    links = links_for("rep@test.example")
    shown = replies.check_link(links["tentative"])
    assert (shown.problem, shown.person, shown.current) == ("", "Rep", "needs_action")
    assert answer_of(meeting.id, "rep@test.example") == "needs_action"  # looking records nothing
    assert replies.answer_by_link(links["tentative"]).problem == ""
    assert answer_of(meeting.id, "rep@test.example") == "tentative"
    replies.answer_by_link(links["declined"])  # a change of mind
    replies.answer_by_link(links["declined"])  # and the same link again: no harm
    assert answer_of(meeting.id, "rep@test.example") == "declined"
    assert answer_of(meeting.id, "observer@test.example") == "needs_action"
    found = replies.replies_to(meeting_id=meeting.id)
    assert found.counts["declined"] == 1 and found.counts["needs_action"] == 3
    assert found.by_agency["STATE"] == {"declined": 1}


def test_forged_and_stale_links_change_nothing_and_are_reported(sqlite_db, people, frozen_clock):
    meeting = invited(people["chair"])
    links = links_for("rep@test.example")
    forged = links["accepted"][:-3] + ("AAA" if not links["accepted"].endswith("AAA") else "BBB")
    assert "not valid" in replies.answer_by_link(forged).problem
    assert replies.check_link("x" * 600).problem
    current = meetings.get_meeting(meeting.id)
    meetings.move_meeting(
        actor=people["chair"],
        meeting_id=meeting.id,
        seen_version=current.version,
        starts_at=datetime(2027, 2, 10, 10, 0),
        ends_at=datetime(2027, 2, 10, 12, 0),
        timezone="America/New_York",
        location="",
        video_link="",
        reason="Room",
    )
    assert "changed since this invitation" in replies.answer_by_link(links["accepted"]).problem
    assert answer_of(meeting.id, "rep@test.example") == "needs_action"
    assert len(refusals()) == 2
    fresh = links_for("rep@test.example")  # the update carries new links
    assert replies.answer_by_link(fresh["accepted"]).problem == ""


def imip_reply(meeting: Meeting, attendee: str, *, partstat="ACCEPTED", sequence=None, sender=None):
    """A REPLY as a calendar program sends it back to the organiser (RFC 6047)."""
    cal = Calendar()
    cal.add("prodid", "-//Test client//EN")
    cal.add("version", "2.0")
    cal.add("method", "REPLY")
    event = Event()
    event.add("uid", meeting.calendar_uid)
    event.add("sequence", meeting.calendar_sequence if sequence is None else sequence)
    event.add("dtstamp", datetime(2026, 11, 27, 9, 0))
    event.add("organizer", vCalAddress("mailto:apc@committee.example"))
    event.add("attendee", vCalAddress.new(f"mailto:{attendee}", partstat=partstat))
    cal.add_component(event)
    message = EmailMessage()
    message["From"] = sender or attendee
    message["To"] = "apc@committee.example"
    message["Subject"] = "Accepted: Ad hoc meeting on Sahel"
    message.set_content("I will attend.")
    message.add_alternative(cal.to_ical().decode(), subtype="calendar", params={"method": "REPLY"})
    return message.as_bytes()


def test_imip_replies_are_read_from_the_reply_mailbox_and_bad_ones_reported(
    db, people, frozen_clock, imap_server
):
    meeting = invited(people["chair"])
    stale = meetings.get_meeting(meeting.id)
    worker = Actor.operator("worker")
    deliver = imap_server["deliver"]
    deliver(imip_reply(meeting, "rep@test.example", partstat="ACCEPTED"))
    deliver(imip_reply(meeting, "other_rep@test.example", sender="spy@evil.example"))  # forged
    deliver(imip_reply(meeting, "admin@test.example"))  # not invited
    deliver(imip_reply(meeting, "observer@test.example", sequence=stale.calendar_sequence - 1))
    unknown = Meeting(calendar_uid="nobody@elsewhere", calendar_sequence=0)
    deliver(imip_reply(unknown, "observer@test.example"))
    plain = EmailMessage()
    plain["From"], plain["Subject"] = "someone@example.org", "Out of office"
    plain.set_content("Back on Monday.")
    deliver(plain.as_bytes())

    reading = reply_mailbox.read_replies(actor=worker)
    assert (reading.recorded, reading.refused, reading.not_replies, reading.error) == (1, 4, 1, "")
    assert answer_of(meeting.id, "rep@test.example") == "accepted"
    for email in ("other_rep@test.example", "observer@test.example"):
        assert answer_of(meeting.id, email) == "needs_action"
    reported = " | ".join(refusals())
    assert "sent by spy@evil.example for other_rep@test.example" in reported
    assert "admin@test.example was not invited" in reported
    assert "SEQUENCE -1 answers another version" in reported
    assert "no meeting has UID nobody@elsewhere" in reported
    assert "is no reply: 'Out of office'" in reported
    # Each message is looked at once; the mailbox keeps them all.
    assert reply_mailbox.read_replies(actor=worker).summary() == reply_mailbox.Reading().summary()
    deliver(imip_reply(meeting, "rep@test.example", partstat="DECLINED"))
    assert reply_mailbox.read_replies(actor=worker).recorded == 1
    assert answer_of(meeting.id, "rep@test.example") == "declined"
    assert reply_mailbox.latest_state().outcome == "ok"


def test_a_mailbox_that_cannot_be_reached_is_reported_once_then_its_return(
    sqlite_db, people, frozen_clock, imap_server, monkeypatch
):
    worker = Actor.operator("worker")
    monkeypatch.setenv("APC_IMAP_PASSWORD", "wrong")
    for _ in range(2):
        assert "Authentication failed" in reply_mailbox.read_replies(actor=worker).error
    assert reply_mailbox.latest_state().outcome == "failed"
    monkeypatch.setenv("APC_IMAP_PORT", "1")
    assert reply_mailbox.read_replies(actor=worker).error.startswith("ConnectionRefusedError")
    with read_session() as session:
        states = list(
            session.scalars(
                select(AuditEvent.outcome).where(AuditEvent.action == reply_mailbox.STATE_ACTION)
            )
        )
    assert states == ["failed"]
    monkeypatch.setenv("APC_IMAP_PORT", str(imap_server["port"]))
    monkeypatch.setenv("APC_IMAP_PASSWORD", "imap-test-password")
    assert reply_mailbox.read_replies(actor=worker).error == ""
    assert reply_mailbox.latest_state().outcome == "ok"
