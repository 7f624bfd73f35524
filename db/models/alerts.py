"""The mass atrocities alert channel and the in-app inbox."""

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from db.models.base import Edited, late_reference, one_of, timestamp

SEVERITIES = ("acute", "serious", "concern")
ALERT_STATUSES = ("new", "acknowledged", "under_review", "closed")


class Alert(Edited, table=True):
    """An acute warning filed through the alert channel (Blueprint 2-4). Filing it triggers
    policy review (2-5); it closes only with a recorded decision."""

    __table_args__ = (
        one_of("severity", SEVERITIES),
        one_of("status", ALERT_STATUSES),
        Index("ix_alert_status_filed", "status", "filed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True, description="e.g. ALR-2026-0007")
    country_code: str = Field(foreign_key="country.code", index=True)
    severity: str = Field(max_length=16)
    summary: str = Field(description="what is happening")
    happening_since: date | None = Field(default=None)
    sources: str = Field(default="")
    handling_marking: str = Field(default="", max_length=100)
    restricted: bool = Field(default=False, description="only chairs and the filing agency see it")
    filed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    filing_agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    filed_at: datetime = timestamp(default_now=True, nullable=False)
    status: str = Field(default="new", max_length=16)
    review_deadline: datetime = timestamp(nullable=False, description="review due by")
    acknowledged_at: datetime | None = timestamp(default=None)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    review_meeting_id: int | None = Field(
        default=None, foreign_key="meeting.id", description="the meeting that reviews it"
    )
    reviewed_at: datetime | None = timestamp(default=None)
    emergency_session_proposed: bool = Field(default=False)
    closed_at: datetime | None = timestamp(default=None)
    closing_decision_id: int | None = late_reference("decision.id")


class Notification(SQLModel, table=True):
    """A message in a person's in-app inbox."""

    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    kind: str = Field(max_length=40)
    text: str
    alert_id: int | None = Field(default=None, foreign_key="alert.id")
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    link: str = Field(
        default="", max_length=200, description="the record it leads to, e.g. meeting?id=5"
    )
    created_at: datetime = timestamp(default_now=True, nullable=False)
    read_at: datetime | None = timestamp(default=None)
