"""The regular meeting series, meetings, agendas, attendance, decisions and minutes."""

from datetime import datetime, time
from typing import ClassVar

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field

from db.models.base import Edited, late_reference, one_of, timestamp

MEETING_KINDS = ("regular", "ad_hoc", "emergency")
MEETING_STATUSES = ("scheduled", "held", "cancelled")
AGENDA_STATUSES = ("draft", "published")
AGENDA_ITEM_KINDS = (
    "minutes_approval",
    "country_review",
    "alert_review",
    "plan_approval",
    "overdue_actions",
    "other",
)
ATTENDANCE_STATUSES = ("present", "absent", "represented")
DECISION_KINDS = ("general", "tier_change", "plan_approval", "alert_closure", "minutes_approval")
MINUTES_STATUSES = ("draft", "circulated", "approved")


class MeetingSeries(Edited, table=True):
    """The rule of the regular meetings: every ``interval_months`` months from ``first_month``,
    on the ``week_of_month``-th ``weekday`` (week -1 = the last), at a local time in a zone."""

    __table_args__ = (
        CheckConstraint("interval_months BETWEEN 1 AND 12", name="interval_range"),
        CheckConstraint("first_month BETWEEN 1 AND 12", name="first_month_range"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("week_of_month IN (-1, 1, 2, 3, 4)", name="week_allowed"),
        CheckConstraint("duration_minutes BETWEEN 15 AND 720", name="duration_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, default="Atrocities Prevention Committee")
    interval_months: int = Field(default=2)
    first_month: int = Field(default=1, description="a month the series meets in (1 = January)")
    weekday: int = Field(default=1, description="0 Monday .. 6 Sunday")
    week_of_month: int = Field(default=2, description="1..4, or -1 for the last")
    start_time: time = Field(description="local time in ``timezone``")
    duration_minutes: int = Field(default=120)
    timezone: str = Field(max_length=64, description="IANA zone, e.g. America/New_York")
    location: str = Field(default="", max_length=300)
    video_link: str = Field(default="", max_length=500)
    active: bool = Field(default=True)


class Meeting(Edited, table=True):
    """A meeting: one of the regular series, or ad hoc, or an emergency session."""

    __table_args__ = (
        one_of("kind", MEETING_KINDS),
        one_of("status", MEETING_STATUSES),
        one_of("agenda_status", AGENDA_STATUSES),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("kind = 'regular' OR series_id IS NULL", name="series_only_regular"),
        Index("ix_meeting_starts_status", "starts_at", "status"),
    )

    # What a calendar program shows of the meeting: a change to one of these, or its
    # cancellation, takes a new SEQUENCE (RFC 5546). Being held shows in no calendar.
    CALENDAR_FIELDS: ClassVar[tuple[str, ...]] = (
        "starts_at",
        "ends_at",
        "timezone",
        "location",
        "video_link",
        "title",
    )
    CALENDAR_STATUSES: ClassVar[tuple[str, ...]] = ("cancelled",)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    series_id: int | None = Field(default=None, foreign_key="meeting_series.id", index=True)
    series_occurrence: datetime | None = timestamp(
        default=None, description="the series slot it stands for (its calendar RECURRENCE-ID)"
    )
    title: str = Field(max_length=300)
    starts_at: datetime = timestamp(nullable=False, description="scheduled start")
    ends_at: datetime = timestamp(nullable=False, description="scheduled end")
    held_from: datetime | None = timestamp(
        default=None, description="when it began: its first agenda item was started"
    )
    held_until: datetime | None = timestamp(default=None, description="when it was closed")
    timezone: str = Field(max_length=64, description="IANA zone the meeting is held in")
    location: str = Field(default="", max_length=300)
    video_link: str = Field(default="", max_length=500)
    status: str = Field(default="scheduled", max_length=16)
    reason: str = Field(default="", description="why an ad hoc or emergency session is called")
    change_reason: str = Field(default="", description="why it was moved or cancelled")
    edited_by_hand: bool = Field(
        default=False, description="moved or edited on its own: re-planning the series leaves it"
    )
    agenda_status: str = Field(default="draft", max_length=16)
    agenda_published_at: datetime | None = timestamp(default=None)
    called_for_country: str | None = Field(default=None, foreign_key="country.code")
    called_for_alert_id: int | None = late_reference("alert.id")
    calendar_uid: str = Field(max_length=200, unique=True, description="stable iCalendar UID")
    calendar_sequence: int = Field(default=0, description="iCalendar SEQUENCE; grows on changes")
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class AgendaItem(Edited, table=True):
    """One item of a meeting's agenda, in ``position`` order."""

    __table_args__ = (
        one_of("kind", AGENDA_ITEM_KINDS),
        CheckConstraint("minutes_allotted >= 0", name="allotted_positive"),
        Index("ix_agenda_item_meeting_position", "meeting_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    position: int = Field(description="1-based order on the agenda")
    kind: str = Field(max_length=20)
    title: str = Field(max_length=300)
    country_code: str | None = Field(default=None, foreign_key="country.code", index=True)
    plan_id: int | None = Field(default=None, foreign_key="plan.id", index=True)
    alert_id: int | None = Field(default=None, foreign_key="alert.id", index=True)
    presenter_agency_id: int | None = Field(default=None, foreign_key="agency.id")
    minutes_allotted: int = Field(default=10)
    minutes_used: int | None = Field(default=None, description="measured in the meeting room")
    started_at: datetime | None = timestamp(default=None)
    notes: str = Field(default="", description="the secretariat's notes taken during the item")
    review_done: bool = Field(default=False, description="a country review marked done")


class Attendance(Edited, table=True):
    """An agency's attendance at a meeting."""

    __table_args__ = (
        one_of("status", ATTENDANCE_STATUSES),
        UniqueConstraint("meeting_id", "agency_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    agency_id: int = Field(foreign_key="agency.id")
    status: str = Field(default="present", max_length=16)
    attendees: str = Field(default="", description="names of those who attended, comma-separated")
    represented_by: str = Field(default="", description="who spoke for the agency if represented")


class Decision(Edited, table=True):
    """A decision of the committee at a meeting, or of the chair between meetings."""

    __table_args__ = (one_of("kind", DECISION_KINDS),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="general", max_length=20)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    agenda_item_id: int | None = Field(default=None, foreign_key="agenda_item.id", index=True)
    country_code: str | None = Field(default=None, foreign_key="country.code", index=True)
    alert_id: int | None = Field(default=None, foreign_key="alert.id", index=True)
    plan_version_id: int | None = Field(default=None, foreign_key="plan_version.id")
    text: str
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime = timestamp(default_now=True)


class Minutes(Edited, table=True):
    """A meeting's minutes: drafted, circulated, approved (then locked; corrections are new
    revisions with a reason)."""

    __table_args__ = (one_of("status", MINUTES_STATUSES),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True)
    status: str = Field(default="draft", max_length=16)
    approved_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    approved_at: datetime | None = timestamp(default=None)
    approved_at_meeting_id: int | None = Field(default=None, foreign_key="meeting.id")


class MinutesRevision(Edited, table=True):
    """The text of the minutes, one row per revision: every saved draft, then corrections after
    approval (each with its ``reason``). No revision is ever rewritten."""

    __table_args__ = (UniqueConstraint("minutes_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    minutes_id: int = Field(foreign_key="minutes.id")
    number: int = Field(description="1, 2, ...")
    body: str = Field(description="Markdown text of the minutes")
    reason: str = Field(default="", description="why a correction was made after approval")
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
