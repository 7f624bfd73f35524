"""The audit trail and the settings."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer
from sqlmodel import Field, SQLModel

from db.models.base import Edited, one_of, timestamp

OUTCOMES = ("ok", "refused", "failed")


class AuditEvent(SQLModel, table=True):
    """Append-only: who did what to which record, when (UTC), before and after. Nothing in the
    tool updates or deletes these rows."""

    __tablename__ = "audit_event"
    __table_args__ = (
        one_of("outcome", OUTCOMES),
        Index("ix_audit_event_record", "record_type", "record_id"),
        Index("ix_audit_event_actor_at", "actor_id", "at"),
        Index("ix_audit_event_action_at", "action", "at"),
    )

    # BIGINT on PostgreSQL (millions of events); SQLite only autoincrements an INTEGER key.
    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    at: datetime = timestamp(default_now=True, nullable=False, index=True)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor_label: str = Field(default="", max_length=320, description="email, or 'system'")
    action: str = Field(max_length=60, description="e.g. 'action_item.update', 'signin.failed'")
    outcome: str = Field(default="ok", max_length=16)
    record_type: str = Field(default="", max_length=40)
    record_id: str = Field(default="", max_length=60)
    before: dict | None = Field(default=None, sa_type=JSON)
    after: dict | None = Field(default=None, sa_type=JSON)
    detail: str = Field(default="")


class Setting(Edited, table=True):
    """A configurable value (review cadences, alert deadlines, banner...), stored as JSON."""

    key: str = Field(primary_key=True, max_length=60)
    value: Any = Field(default=None, sa_type=JSON)
    updated_by_id: int | None = Field(default=None, foreign_key="app_user.id")
