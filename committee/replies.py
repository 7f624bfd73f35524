"""Replies to invitations: each invited person's answer per meeting (accepted, tentative,
declined, or none yet), shown on the meeting page and, by agency, in the meeting room.

Answers come two ways. A one-click link in the invitation carries a signed token for one
purpose (this person's answer to this meeting at this SEQUENCE) and needs no sign-in. An iMIP
REPLY (RFC 6047), which a calendar program sends back to the committee's address, is fetched
from the reply mailbox by the worker. A reply that does not match an invitation (an unknown
UID, an attendee who was not invited, a sender who is not the attendee, a SEQUENCE that is not
the one last sent) changes nothing and is reported, in the audit trail and on the outbox page.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from icalendar import Calendar
from sqlalchemy import func, select

from committee import audit, clock, tokens
from committee.actor import Actor
from committee.invitations import ANSWERS, REPLY_PURPOSE, when
from committee.people import actor_for
from committee.transaction import writing
from db.engine import read_session
from db.models import Agency, AuditEvent, Invitation, Meeting, User

LABELS = {
    "needs_action": "No answer yet",
    "accepted": "Accepted",
    "tentative": "Tentative",
    "declined": "Declined",
}
PARTSTATS = {"ACCEPTED": "accepted", "TENTATIVE": "tentative", "DECLINED": "declined"}
REFUSED_ACTION = "invitation.reply_refused"


# --- links ---------------------------------------------------------------------------------


@dataclass
class LinkReply:
    """What a reply link stands for, checked: ``problem`` says why it cannot be used."""

    answer: str
    person: str = ""
    meeting_title: str = ""
    meeting_when: str = ""
    current: str = ""  # the answer on record now
    problem: str = ""


def check_link(token: str) -> LinkReply:
    """What the link would record (shown before the person confirms)."""
    payload = tokens.read(REPLY_PURPOSE, token)
    if payload is None or payload.get("a") not in ANSWERS:
        return LinkReply("", problem="This link is not valid. Use the one in your invitation.")
    with read_session() as session:
        meeting = session.get(Meeting, payload["m"])
        person = session.get(User, payload["u"])
        invitation = session.scalar(
            select(Invitation).where(
                Invitation.meeting_id == payload["m"], Invitation.user_id == payload["u"]
            )
        )
    found = LinkReply(payload["a"])
    if meeting is None or person is None or invitation is None or not person.active:
        found.problem = "This invitation is no longer on record."
        return found
    found.person, found.meeting_title = person.name, meeting.title
    found.meeting_when, found.current = when(meeting), invitation.reply
    if meeting.status != "scheduled":
        found.problem = f"This meeting is {meeting.status}: there is nothing to answer."
    elif payload["s"] != invitation.sequence_sent:
        found.problem = "The meeting has changed since this invitation: answer from the newest one."
    return found


def answer_by_link(token: str) -> LinkReply:
    """Record the answer a reply link carries, as the invited person."""
    found = check_link(token)
    if found.problem:
        refuse(f"reply link: {found.problem}")
        return found
    payload = tokens.read(REPLY_PURPOSE, token)
    with read_session() as session:
        person = session.get(User, payload["u"])
    _record(actor_for(person), payload["m"], person.id, found.answer, "link", "account.manage_own")
    found.current = found.answer
    return found


# --- iMIP replies -----------------------------------------------------------------------------


@dataclass
class MailReply:
    recorded: bool
    what: str  # what was recorded, or why nothing was


def answer_by_mail(*, actor: Actor, calendar: bytes, sender: str) -> MailReply:
    """Record an iMIP REPLY read from the reply mailbox (``sender``: its From address)."""
    problem, match = _match_reply(calendar, sender)
    if problem:
        refuse(f"mail from {sender}: {problem}", actor=actor)
        return MailReply(False, problem)
    meeting_id, user_id, answer, email = match
    _record(actor, meeting_id, user_id, answer, "mail", "mail.deliver")
    return MailReply(True, f"{email}: {LABELS[answer].lower()} (meeting {meeting_id})")


def _match_reply(calendar: bytes, sender: str) -> tuple[str, tuple | None]:
    try:
        parsed = Calendar.from_ical(calendar)
    except ValueError as error:
        return f"not a calendar ({error})", None
    if str(parsed.get("METHOD", "")).upper() != "REPLY":
        return f"METHOD is {parsed.get('METHOD', 'missing')}, not REPLY", None
    events = parsed.walk("VEVENT")
    if len(events) != 1:
        return f"{len(events)} events where a reply has one", None
    event = events[0]
    attendees = event.get("ATTENDEE", [])
    attendees = attendees if isinstance(attendees, list) else [attendees]
    if len(attendees) != 1:
        return f"{len(attendees)} attendees where a reply names one", None
    email = str(attendees[0]).removeprefix("mailto:").removeprefix("MAILTO:").strip().lower()
    answer = PARTSTATS.get(str(attendees[0].params.get("PARTSTAT", "")).upper())
    if answer is None:
        return f"no answer given (PARTSTAT {attendees[0].params.get('PARTSTAT')})", None
    if sender.strip().lower() != email:
        return f"sent by {sender} for {email}: a reply comes from the attendee", None
    sequence = int(event.get("SEQUENCE", 0))
    with read_session() as session:
        meeting = session.scalar(select(Meeting).where(Meeting.calendar_uid == str(event["UID"])))
        if meeting is None:
            return f"no meeting has UID {event.get('UID')}", None
        row = session.execute(
            select(Invitation, User)
            .join(User, User.id == Invitation.user_id)
            .where(Invitation.meeting_id == meeting.id, func.lower(User.email) == email)
        ).first()
    if row is None:
        return f"{email} was not invited to meeting {meeting.id}", None
    invitation, user = row
    if sequence != invitation.sequence_sent:
        return (
            f"SEQUENCE {sequence} answers another version than the one sent "
            f"({invitation.sequence_sent})",
            None,
        )
    if meeting.status != "scheduled":
        return f"meeting {meeting.id} is {meeting.status}", None
    return "", (meeting.id, user.id, answer, email)


# --- recording --------------------------------------------------------------------------------


def _record(
    actor: Actor, meeting_id: int, user_id: int, answer: str, via: str, permission: str
) -> None:
    with writing(actor, "invitation.reply") as w:
        w.require(permission)
        invitation = w.session.scalar(
            select(Invitation).where(
                Invitation.meeting_id == meeting_id, Invitation.user_id == user_id
            )
        )
        before = audit.snapshot(invitation)
        w.touch(invitation, reply=answer, replied_at=clock.now(), reply_via=via)
        w.audit(invitation, before=before)


def refuse(detail: str, actor: Actor | None = None) -> None:
    """Report a reply that changed nothing: a refusal in the audit trail, with why."""
    audit.record_alone(
        actor=actor,
        action=REFUSED_ACTION,
        outcome="refused",
        record_type="invitation",
        detail=detail[:1000],
    )


def refused_lately(limit: int = 20) -> list[AuditEvent]:
    """The newest replies that changed nothing, and why (for the administrator)."""
    with read_session() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == REFUSED_ACTION)
                .order_by(AuditEvent.id.desc())
                .limit(limit)
            )
        )


# --- reading ----------------------------------------------------------------------------------


@dataclass
class ReplyRow:
    name: str
    email: str
    agency: str
    reply: str
    replied_at: object


@dataclass
class Replies:
    rows: list[ReplyRow]
    counts: Counter  # by reply
    by_agency: dict[str, Counter]  # expected attendance, agency code (or "—") -> replies


def replies_to(*, meeting_id: int) -> Replies:
    """Everyone mailed the meeting's invitation, with their answer, by name."""
    with read_session() as session:
        found = session.execute(
            select(Invitation, User, Agency.code)
            .join(User, User.id == Invitation.user_id)
            .join(Agency, Agency.id == User.agency_id, isouter=True)
            .where(Invitation.meeting_id == meeting_id)
            .order_by(User.name)
        ).all()
    rows = [
        ReplyRow(user.name, user.email, code or "—", inv.reply, inv.replied_at)
        for inv, user, code in found
    ]
    by_agency: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        by_agency[row.agency][row.reply] += 1
    return Replies(rows, Counter(row.reply for row in rows), dict(sorted(by_agency.items())))
