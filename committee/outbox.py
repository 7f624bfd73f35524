"""The outbox: every message the tool sends, written in the transaction of the change that
causes it, then delivered by the worker (``python -m committee worker``).

A service that causes mail calls ``queue(w, ...)`` with its open ``Writing``: the message is
part of the change, so a change rolled back sends nothing, and a mail server that is down
loses nothing. Each message has a stable ``key``: the same change never queues it twice, and
it names the message (its Message-ID) however often delivery is tried.

The worker claims due messages (``claim``: on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, on
SQLite under the write lock), so two workers never take the same one, and records the
outcomes a few at a time, right after sending (``record_outcomes``): sent; or tried again
later with a growing delay; or, after ``MAX_ATTEMPTS`` or a final answer, failed with the
server's answer, for an administrator to see and resend.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select

from committee import clock, mail_server, settings
from committee.actor import Actor
from committee.errors import ValidationError
from committee.transaction import Writing, writing
from db.engine import read_session
from db.models import Meeting, OutboxMessage, User

MAX_ATTEMPTS = 12  # about seven hours of a server that is down
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
# A message claimed this long ago whose worker never said how it went (the worker died) is
# claimed again; far longer than any one delivery takes.
LEASE = timedelta(minutes=30)
BATCH = 100
RECORD_EVERY = 20  # deliveries recorded together (see record_outcomes)
SHOWN = 200
STATUS_LABELS = {
    "queued": "Queued",
    "sending": "Being sent",
    "sent": "Sent",
    "failed": "Failed",
    "superseded": "Superseded by a later one",
}


def one_line(text: str) -> str:
    """Text that goes into a header: line breaks become spaces, so a title or a name holding
    CR or LF can never start a header of its own."""
    return " ".join((text or "").split())


def marking() -> str:
    """The handling marking every message carries, in its subject and atop its body."""
    return one_line(str(settings.get("banner")))


def queue(
    w: Writing,
    *,
    key: str,
    kind: str,
    to: User,
    subject: str,
    body: str,
    meeting: Meeting | None = None,
    calendar_method: str | None = None,
    handling: str | None = None,
) -> OutboxMessage | None:
    """Queue one message to ``to`` in the caller's transaction. The handling marking goes in
    the subject and atop the body. A key already queued is not queued again (None).
    ``meeting`` with ``calendar_method`` makes it an iMIP message carrying the meeting's
    calendar at its current SEQUENCE. ``handling`` saves reading the marking per message."""
    if w.session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
        return None
    handling = handling if handling is not None else marking()
    message = OutboxMessage(
        key=key,
        kind=kind,
        recipient_id=to.id,
        recipient=to.email,
        recipient_name=one_line(to.name),
        subject=f"[{handling}] {one_line(subject)}"[:400],
        body=f"{handling}\n\n{body.rstrip()}\n\n{handling}\n",
        meeting_id=meeting.id if meeting is not None else None,
        calendar_method=calendar_method,
        calendar_sequence=meeting.calendar_sequence if meeting is not None else None,
        next_attempt_at=clock.now(),
    )
    w.session.add(message)
    return message


# --- the worker's side ------------------------------------------------------------------------


def _due(now: datetime):
    return or_(
        and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - LEASE),
    )


def claim(*, actor: Actor, limit: int = BATCH) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for this worker to send now. An invitation whose
    meeting has changed since it was queued is superseded (the change queued the newer one)."""
    now = clock.now()
    with read_session() as session:
        if session.scalar(select(OutboxMessage.id).where(_due(now)).limit(1)) is None:
            return []  # the usual case: nothing to do, nothing written
    with writing(actor, "mail.claim") as w:
        w.require("mail.deliver")
        rows = list(
            w.session.scalars(
                select(OutboxMessage)
                .where(_due(now))
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        changed = _changed_meetings(w, rows)
        taken = []
        for row in rows:
            if row.meeting_id in changed and changed[row.meeting_id] != row.calendar_sequence:
                row.status = "superseded"
                continue
            row.status, row.claimed_at, row.attempts = "sending", now, row.attempts + 1
            taken.append(row)
        w.audit(
            record_type="outbox_message",
            after={"claimed": [r.id for r in taken], "superseded": len(rows) - len(taken)},
        )
    return taken


def _changed_meetings(w: Writing, rows: list[OutboxMessage]) -> dict[int, int]:
    """The current SEQUENCE of the meetings the calendar messages among ``rows`` are about."""
    ids = {row.meeting_id for row in rows if row.meeting_id is not None}
    if not ids:
        return {}
    found = w.session.execute(
        select(Meeting.id, Meeting.calendar_sequence).where(Meeting.id.in_(ids))
    )
    return dict(found.all())


def record_outcomes(
    *, actor: Actor, outcomes: list[tuple[int, mail_server.DeliveryFailed | None]]
) -> list[OutboxMessage]:
    """Say how a few deliveries went, each (message id, None) when sent, else its failure:
    to be tried again later, or failed. The worker records them a few at a time, right after
    sending them (``RECORD_EVERY``), so a worker killed in between can send at most those few
    again, under the same Message-ID."""
    action = "mail.sent" if all(error is None for _, error in outcomes) else "mail.delivered"
    with writing(actor, action) as w:
        w.require("mail.deliver")
        now = clock.now()
        rows = []
        for message_id, error in outcomes:
            row = w.get(OutboxMessage, message_id, what="Message")
            if error is None:
                row.status, row.sent_at, row.last_error = "sent", now, ""
            elif error.final or row.attempts >= MAX_ATTEMPTS:
                row.status, row.last_error = "failed", error.answer[:2000]
            else:
                row.status, row.last_error = "queued", error.answer[:2000]
                row.next_attempt_at = now + retry_delay(row.attempts)
            rows.append(row)
        w.audit(
            record_type="outbox_message",
            after={status: [r.id for r in rows if r.status == status] for status in STATUS_LABELS}
            | {"to": sorted({r.recipient for r in rows})[:20]},
            detail="; ".join(sorted({r.last_error for r in rows if r.last_error}))[:1000],
        )
    return rows


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling each time, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


# --- the administrator's side -----------------------------------------------------------------


def resend(*, actor: Actor, message_id: int) -> OutboxMessage:
    """Put a failed message back in the queue, to go at the worker's next pass."""
    with writing(actor, "mail.resend") as w:
        row = w.get(OutboxMessage, message_id, what="Message")
        w.require("mail.manage", record=row)
        if row.status != "failed":
            raise ValidationError(
                f"Only a failed message is sent again; this one is {row.status}.",
                field="message",
            )
        row.status, row.attempts, row.next_attempt_at = "queued", 0, clock.now()
        w.audit(row, after={"status": row.status, "to": row.recipient})
    return row


@dataclass
class OutboxView:
    counts: dict[str, int]  # by status
    messages: list[OutboxMessage]  # newest first, at most ``SHOWN``
    problems: list[str]  # why mail is not leaving, if it is not


def outbox(*, status: str | None = None, limit: int = SHOWN) -> OutboxView:
    """What the administrator sees: how many messages are in each state, the newest, and
    what keeps mail from leaving. (The page is for administrators only.)"""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == status)
    with read_session() as session:
        counts = dict(
            session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
        messages = list(session.scalars(query))
    return OutboxView(counts, messages, mail_server.problems())


def waiting() -> int:
    """Messages queued or being sent (for the command line and the checks)."""
    with read_session() as session:
        return session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status.in_(("queued", "sending")))
        )
