"""The in-app inbox: the notices the tool leaves each person (``committee.notices`` writes
them: a new alert for the chairs, an action item for an agency, an agenda published...), the
count of unread ones the navigation shows, and marking them read."""

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from sqlalchemy import func, select, update

from committee import clock
from committee.actor import Actor
from committee.alerts import past_deadline
from committee.transaction import writing
from db.engine import read_session
from db.models import Alert, Meeting, Notification

SHOWN = 50  # the newest messages shown; older ones stay in the record


@dataclass
class Message:
    """A notification with the state of the alert it is about, so the inbox shows at a glance
    which ones still need the chair."""

    notification: Notification
    alert_reference: str | None
    alert_status: str | None
    alert_severity: str | None
    alert_past_deadline: bool

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


def my_messages(
    *,
    actor: Actor,
    unread_only: bool = False,
    limit: int = SHOWN,
    kinds: Iterable[str] | None = None,
) -> list[Message]:
    """The person's newest messages (of ``kinds``, if given), unread first."""
    if actor.id is None:
        return []
    now = clock.now()
    query = (
        select(
            Notification,
            Alert.reference,
            Alert.status,
            Alert.severity,
            past_deadline(now),
        )
        .outerjoin(Alert, Alert.id == Notification.alert_id)
        .outerjoin(Meeting, Meeting.id == Alert.review_meeting_id)
        .where(Notification.user_id == actor.id)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc())
        .limit(limit)
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if kinds is not None:
        query = query.where(Notification.kind.in_(list(kinds)))
    with read_session() as session:
        return [
            Message(note, reference, status, severity, bool(late))
            for note, reference, status, severity, late in session.execute(query)
        ]


def unread_count(*, actor: Actor, kinds: Iterable[str] | None = None) -> int:
    if actor.id is None:
        return 0
    query = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
    )
    if kinds is not None:
        query = query.where(Notification.kind.in_(list(kinds)))
    with read_session() as session:
        return session.scalar(query)


def destination(link: str) -> tuple[str, dict[str, str]]:
    """The page script and address parameters a message leads to (``meeting?id=5``)."""
    page, _, query = link.partition("?")
    return f"pages/{page}.py", dict(parse_qsl(query))


def mark_read(*, actor: Actor, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the person's own messages read: those named, or all of them. Someone else's
    messages are never touched (the condition is on the person). Returns how many changed."""
    with writing(actor, "inbox.mark_read") as w:
        w.require("account.manage_own")
        query = update(Notification).where(
            Notification.user_id == actor.id, Notification.read_at.is_(None)
        )
        if notification_ids is not None:
            query = query.where(Notification.id.in_(list(notification_ids)))
        changed = w.session.execute(query.values(read_at=clock.now())).rowcount
        w.audit(record_type="notification", record_id=actor.id or "", after={"read": changed})
    return changed
