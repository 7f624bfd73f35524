"""Invitations by mail (RFC 6047, iMIP): one message per invited person, its plain text beside
the meeting's calendar (``METHOD:REQUEST``, the same UID and SEQUENCE as the download), and
once they are out, an update whenever the meeting moves and ``METHOD:CANCEL`` when it is
cancelled, sent by themselves in the transaction of the change.

Who is invited is decided here, for the mail and the calendar files alike: every active
member (chairs, representatives of active agencies, observers); administrators run the tool
and are not members. The calendar part itself is rendered as the message leaves (by the
worker, through ``exports.calendar``), so the domain need not import the exports.
"""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlmodel import Session

from committee import links, outbox, tokens, vocabulary
from committee.actor import Actor
from committee.errors import ValidationError
from committee.people import EMAIL_PATTERN
from committee.transaction import Writing, writing
from db.engine import read_session
from db.models import Agency, Invitation, Meeting, User

REPLY_PURPOSE = "invitation-reply"
ANSWERS = ("accepted", "tentative", "declined")
ANSWER_LABELS = {"accepted": "Accept", "tentative": "Tentative", "declined": "Decline"}
# Who is invited to meetings, and how (RFC 5545 ROLE).
INVITED_ROLES = {
    "chair": "REQ-PARTICIPANT",
    "agency_rep": "REQ-PARTICIPANT",
    "observer": "OPT-PARTICIPANT",
}


def invitees(session: Session) -> list[User]:
    """Every active member of an active agency (or of none), by name."""
    return list(
        session.scalars(
            select(User)
            .join(Agency, Agency.id == User.agency_id, isouter=True)
            .where(
                User.active,
                User.role.in_(INVITED_ROLES),
                or_(User.agency_id.is_(None), Agency.active),
            )
            .order_by(User.name)
        )
    )


def meeting_link(meeting_id: int) -> str:
    """The meeting's page in the app (the reader signs in there)."""
    return f"{links.base_url()}/meeting?id={meeting_id}"


@dataclass
class Mailing:
    """Who a meeting's invitation goes to: those with an address it can go to, and those
    without one (named to the chair, never skipped silently)."""

    meeting: Meeting
    method: str  # REQUEST or CANCEL
    to: list[User]
    no_address: list[User]
    invited: int  # people mailed the invitation (at any SEQUENCE)
    pending: list[User]  # those of ``to`` who have not had this version yet


def mailing(*, meeting_id: int) -> Mailing:
    """What sending the meeting's invitation (or, once cancelled, its cancellation) would do."""
    with read_session() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise ValidationError(f"No meeting with id {meeting_id}.", field="meeting")
        return _mailing(session, meeting)


def _mailing(session: Session, meeting: Meeting) -> Mailing:
    """A cancellation goes to those who were mailed the invitation; to every member when
    nobody was (they may have added it to their calendars from the download)."""
    members = invitees(session)
    invited = _invited(session, meeting.id)
    method = "CANCEL" if meeting.status == "cancelled" else "REQUEST"
    if method == "CANCEL" and invited:
        members = [person for person in members if person.id in invited]
    to = [person for person in members if EMAIL_PATTERN.match(person.email)]
    return Mailing(
        meeting=meeting,
        method=method,
        to=to,
        no_address=[person for person in members if not EMAIL_PATTERN.match(person.email)],
        invited=len(invited),
        pending=[
            person
            for person in to
            if person.id not in invited
            or invited[person.id].sequence_sent != meeting.calendar_sequence
        ],
    )


def _invited(session: Session, meeting_id: int) -> dict[int, Invitation]:
    rows = session.scalars(select(Invitation).where(Invitation.meeting_id == meeting_id))
    return {row.user_id: row for row in rows}


@dataclass
class Sent:
    meeting: Meeting
    method: str
    queued: int  # messages put in the outbox now
    already: int  # people who had this very version already
    no_address: list[str]  # names of those who could not be sent it


def send_invitations(*, actor: Actor, meeting_id: int) -> Sent:
    """Send the meeting's invitation by mail to every invited person (a cancelled meeting's
    cancellation, to those who were invited). Sending again reaches only those who have not
    had this version: a member who joined since, say."""
    with writing(actor, "meeting.send_invitations") as w:
        meeting = w.get(Meeting, meeting_id, what="Meeting")
        w.require("meetings.schedule", record=meeting)
        if meeting.status == "held":
            raise ValidationError("The meeting has been held: there is nothing to send.")
        plan = _mailing(w.session, meeting)
        invited = _invited(w.session, meeting.id)
        to = plan.to
        if not to:
            raise ValidationError("Nobody with an address is invited.", field="meeting")
        handling = outbox.marking()
        queued = sum(_send(w, meeting, person, invited, handling) for person in to)
        w.audit(
            meeting,
            after={"method": plan.method, "sequence": meeting.calendar_sequence, "queued": queued},
            detail=f"{plan.method.lower()} queued for {queued} of {len(to)} people",
        )
    return Sent(meeting, plan.method, queued, len(to) - queued, [p.name for p in plan.no_address])


def meeting_changed(w: Writing, meeting: Meeting) -> int:
    """The meeting moved or was cancelled in the caller's transaction: once its invitations
    have gone out, everyone who had one is sent the update or the cancellation. A move asks
    for their answer again. Returns how many messages were queued."""
    invited = _invited(w.session, meeting.id)
    if not invited:
        return 0
    handling = outbox.marking()
    people = w.session.scalars(
        select(User).where(User.id.in_(list(invited)), User.active).order_by(User.name)
    )
    return sum(_send(w, meeting, person, invited, handling) for person in people)


def _send(
    w: Writing, meeting: Meeting, person: User, invited: dict[int, Invitation], handling: str
) -> int:
    cancel = meeting.status == "cancelled"
    before = invited.get(person.id)
    links = {} if cancel else reply_links(w, meeting, person)
    subject, body = _message(meeting, person, update=before is not None, cancel=cancel, links=links)
    queued = outbox.queue(
        w,
        key=f"invitation:{meeting.id}:{person.id}:{meeting.calendar_sequence}",
        kind="invitation",
        to=person,
        subject=subject,
        body=body,
        meeting=meeting,
        calendar_method="CANCEL" if cancel else "REQUEST",
        handling=handling,
    )
    if queued is None:
        return 0
    if before is None:
        w.session.add(
            Invitation(
                meeting_id=meeting.id, user_id=person.id, sequence_sent=meeting.calendar_sequence
            )
        )
    else:
        before.sequence_sent = meeting.calendar_sequence
        if not cancel:  # a new time asks for a new answer
            before.reply, before.replied_at, before.reply_via = "needs_action", None, ""
        w.touch(before)
    return 1


def when(meeting: Meeting) -> str:
    """The meeting's time as a person reads it, in the meeting's own zone."""
    zone = ZoneInfo(meeting.timezone)
    starts, ends = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    return f"{starts:%A %d %B %Y, %H:%M}–{ends:%H:%M} {starts:%Z} ({meeting.timezone})"


def reply_links(w: Writing, meeting: Meeting, person: User) -> dict[str, str]:
    """One-click answers for ``person``, good for this meeting at its current SEQUENCE only."""
    return {
        answer: f"{links.base_url()}/reply/"
        + tokens.sign(
            w.session,
            REPLY_PURPOSE,
            {"m": meeting.id, "u": person.id, "s": meeting.calendar_sequence, "a": answer},
        )
        for answer in ANSWERS
    }


def _message(
    meeting: Meeting, person: User, *, update: bool, cancel: bool, links: dict[str, str]
) -> tuple[str, str]:
    kind = vocabulary.MEETING_KIND_LABELS[meeting.kind]
    day = meeting.starts_at.astimezone(ZoneInfo(meeting.timezone))
    if cancel:
        subject = f"Cancelled: {meeting.title} ({day:%d %b %Y})"
        lead = "This meeting is cancelled. Your calendar program removes it when you open this."
    elif update:
        subject = f"Updated: {meeting.title} ({day:%d %b %Y})"
        lead = "This meeting has changed. The invitation attached replaces the earlier one."
    else:
        subject = f"Invitation: {meeting.title} ({day:%d %b %Y})"
        lead = f"You are invited to this {kind.lower()} meeting of the committee."
    lines = [
        f"Dear {person.name},",
        "",
        lead,
        "",
        f"  {meeting.title}",
        f"  When:  {when(meeting)}",
        f"  Where: {meeting.location or ('Video conference' if meeting.video_link else '—')}",
    ]
    if meeting.change_reason and (update or cancel):
        lines.append(f"  Why:   {meeting.change_reason}")
    if links:
        lines += ["", "Will you attend? One click answers, without signing in:"]
        lines += [f"  {ANSWER_LABELS[answer]}: {link}" for answer, link in links.items()]
        lines.append("(Or answer in your calendar program: the answer comes back to us.)")
    lines += [
        "",
        "The agenda and the papers are on the meeting's page (sign in):",
        meeting_link(meeting.id),
    ]
    return subject, "\n".join(lines)
