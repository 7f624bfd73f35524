"""Action items owned by agencies, their supporting agencies, history and due-date requests."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Index
from sqlmodel import Field, SQLModel

from db.models.base import Edited, one_of, timestamp

ACTION_ORIGINS = ("decision", "line_of_effort", "alert", "standalone")
ACTION_STATUSES = ("open", "in_progress", "blocked", "done", "cancelled")
CLOSED_STATUSES = ("done", "cancelled")
PRIORITIES = ("low", "medium", "high", "critical")
UPDATE_KINDS = (
    "created",
    "status",
    "note",
    "edited",
    "reassigned",
    "due_date_requested",
    "due_date_granted",
    "due_date_refused",
    "due_date_withdrawn",
)
# A pending request is withdrawn when its item is closed: no one is left to decide it.
REQUEST_STATUSES = ("pending", "granted", "refused", "withdrawn")


class ActionItem(Edited, table=True):
    """A task owned by one agency. Overdue is derived (due date passed, not done or cancelled),
    never stored."""

    __table_args__ = (
        one_of("origin", ACTION_ORIGINS),
        one_of("status", ACTION_STATUSES),
        one_of("priority", PRIORITIES),
        CheckConstraint(
            "status NOT IN ('blocked', 'done', 'cancelled') OR length(status_reason) > 0",
            name="status_has_reason",
        ),
        CheckConstraint("origin <> 'decision' OR decision_id IS NOT NULL", name="decision_origin"),
        CheckConstraint(
            "origin <> 'line_of_effort' OR line_of_effort_id IS NOT NULL", name="loe_origin"
        ),
        CheckConstraint("origin <> 'alert' OR alert_id IS NOT NULL", name="alert_origin"),
        # Closed and "has a closing time" are one thing: the indexes below rely on it.
        CheckConstraint(
            "(status IN ('done', 'cancelled')) = (closed_at IS NOT NULL)",
            name="closed_when_closed",
        ),
        Index("ix_action_item_agency_status_due", "owner_agency_id", "status", "due_on"),
        # The open items' counts by agency and country, read from the index alone.
        Index("ix_action_item_open", "status", "due_on", "owner_agency_id", "country_code"),
        # The items closed in a period (the trend, on-time rates, the annual report), without
        # reading every closed item of the history.
        Index(
            "ix_action_item_closing",
            "status",
            "closed_at",
            "owner_agency_id",
            "created_at",
            "due_on",
        ),
        Index("ix_action_item_created", "created_at", "owner_agency_id"),
        # A country's open items (its page, a read-ahead) without reading its closed history.
        Index("ix_action_item_country_status_due", "country_code", "status", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    description: str = Field(default="")
    country_code: str | None = Field(default=None, foreign_key="country.code")
    owner_agency_id: int = Field(foreign_key="agency.id")
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    origin: str = Field(default="standalone", max_length=16)
    decision_id: int | None = Field(default=None, foreign_key="decision.id", index=True)
    line_of_effort_id: int | None = Field(default=None, foreign_key="line_of_effort.id", index=True)
    alert_id: int | None = Field(default=None, foreign_key="alert.id", index=True)
    meeting_id: int | None = Field(
        default=None, foreign_key="meeting.id", index=True, description="meeting that created it"
    )
    due_on: date
    priority: str = Field(default="medium", max_length=16)
    status: str = Field(default="open", max_length=16)
    status_reason: str = Field(
        default="", description="why blocked, the closing note, or why cancelled"
    )
    closed_at: datetime | None = timestamp(default=None, description="when done or cancelled")
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class ActionItemAgency(SQLModel, table=True):
    """A supporting agency of an action item (it may add notes)."""

    __tablename__ = "action_item_agency"

    action_item_id: int = Field(foreign_key="action_item.id", primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", primary_key=True, index=True)


class ActionUpdate(SQLModel, table=True):
    """One entry in an action item's history: who, when, what changed, and a note."""

    __tablename__ = "action_update"
    __table_args__ = (
        one_of("kind", UPDATE_KINDS),
        Index("ix_action_update_item_at", "action_item_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    action_item_id: int = Field(foreign_key="action_item.id")
    at: datetime = timestamp(default_now=True, nullable=False)
    by_id: int | None = Field(default=None, foreign_key="app_user.id")
    kind: str = Field(max_length=24)
    changes: dict = Field(default_factory=dict, sa_type=JSON, description="field: [before, after]")
    note: str = Field(default="")


class DueDateRequest(Edited, table=True):
    """A representative's request for a new due date; the chair grants or refuses it."""

    __table_args__ = (one_of("status", REQUEST_STATUSES),)

    id: int | None = Field(default=None, primary_key=True)
    action_item_id: int = Field(foreign_key="action_item.id", index=True)
    requested_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    requested_due_on: date
    reason: str
    status: str = Field(default="pending", max_length=16, index=True)
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = timestamp(default=None)
    decision_note: str = Field(default="")
