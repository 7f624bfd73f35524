"""Mail: the outbox the worker delivers from, and each person's invitation to a meeting."""

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.base import Edited, one_of, timestamp

OUTBOX_STATUSES = ("queued", "sending", "sent", "failed", "superseded")
CALENDAR_METHODS = ("REQUEST", "CANCEL")
REPLIES = ("needs_action", "accepted", "tentative", "declined")


class OutboxMessage(SQLModel, table=True):
    """One message to one person, written in the transaction of the change that causes it and
    delivered by the worker. ``key`` is stable (the same change never queues it twice) and
    makes the message's Message-ID, so a retry is recognisably the same message."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        one_of("status", OUTBOX_STATUSES),
        Index("ix_outbox_message_status_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40, description="invitation, or the notice's kind")
    recipient_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    recipient: str = Field(max_length=320, description="the address it goes to")
    recipient_name: str = Field(default="", max_length=200)
    subject: str = Field(max_length=400)
    body: str = Field(description="the plain-text part, as the person reads it")
    meeting_id: int | None = Field(
        default=None, foreign_key="meeting.id", description="an invitation's meeting (iMIP)"
    )
    calendar_method: str | None = Field(default=None, max_length=10)
    calendar_sequence: int | None = Field(default=None)
    status: str = Field(default="queued", max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = timestamp(default_now=True, nullable=False)
    claimed_at: datetime | None = timestamp(default=None)
    last_error: str = Field(default="", description="the mail server's last answer")
    created_at: datetime = timestamp(default_now=True, nullable=False)
    sent_at: datetime | None = timestamp(default=None)


class Invitation(Edited, table=True):
    """A person invited to a meeting by mail, the SEQUENCE last sent to them, and their reply."""

    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        one_of("reply", REPLIES),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    sequence_sent: int = Field(default=0)
    reply: str = Field(default="needs_action", max_length=16)
    replied_at: datetime | None = timestamp(default=None)
    reply_via: str = Field(default="", max_length=16, description="link or mail")


NOTICE_DELIVERIES = ("at_once", "digest", "never")


class NoticePreference(Edited, table=True):
    """How a person wants one kind of notice by mail; no row means at once. The in-app inbox
    holds every notice whatever the choice."""

    __table_args__ = (
        UniqueConstraint("user_id", "kind"),
        one_of("delivery", NOTICE_DELIVERIES),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    kind: str = Field(max_length=40)
    delivery: str = Field(default="at_once", max_length=16)
