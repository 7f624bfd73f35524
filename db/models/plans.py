"""Prevention and response plans, their versions, lines of effort and clearances."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from db.models.base import Edited, late_reference, one_of, timestamp

PLAN_KINDS = ("prevention", "response")
PLAN_STATUSES = ("draft", "in_clearance", "approved", "superseded", "archived")
VERSION_STATUSES = ("draft", "circulated", "approved", "superseded", "withdrawn")
TOOLBOX_CATEGORIES = (
    "early_prevention",
    "preventive_diplomacy",
    "military_options",
    "international_action",
    "economic_measures",
    "legal_measures",
)
FACTOR_MARKS = ("holds", "does_not_hold", "unknown")  # does an evidence factor hold here?
CLEARANCE_POSITIONS = ("pending", "concur", "concur_with_comments", "non_concur")


class BlueprintRecommendation(SQLModel, table=True):
    """One of the Blueprint's 34 recommendations (reference data, loaded by a migration)."""

    __tablename__ = "blueprint_recommendation"

    code: str = Field(primary_key=True, max_length=8, description="e.g. '4-2'")
    chapter: str = Field(max_length=100)
    text: str


class Plan(Edited, table=True):
    """A prevention plan (tier 2/3) or response plan (tier 1) for one country. At most one plan
    of each kind is in effect (approved) per country."""

    __table_args__ = (
        one_of("kind", PLAN_KINDS),
        one_of("status", PLAN_STATUSES),
        Index(
            "uq_plan_one_in_effect",
            "country_code",
            "kind",
            unique=True,
            sqlite_where=text("status = 'approved'"),
            postgresql_where=text("status = 'approved'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(foreign_key="country.code", index=True)
    kind: str = Field(max_length=16)
    title: str = Field(max_length=300)
    status: str = Field(default="draft", max_length=16, index=True)
    effective_version_id: int | None = late_reference(
        "plan_version.id", comment="the approved version in effect"
    )
    review_by: date | None = Field(
        default=None, description="review-by date of the version in effect"
    )
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class PlanVersion(Edited, table=True):
    """A version of a plan. Every save of a draft makes a new one; approved ones never change."""

    __table_args__ = (one_of("status", VERSION_STATUSES), UniqueConstraint("plan_id", "number"))

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    number: int = Field(description="1, 2, ... within the plan")
    status: str = Field(default="draft", max_length=16)
    situation_summary: str = Field(default="")
    objectives: str = Field(default="")
    escalation_triggers: str = Field(
        default="", description="what moves a prevention plan to a response plan"
    )
    review_by: date | None = Field(default=None)
    change_note: str = Field(default="", description="what this version changed")
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    circulated_at: datetime | None = timestamp(default=None)
    approved_at: datetime | None = timestamp(default=None)
    approval_decision_id: int | None = late_reference("decision.id")
    approval_override_reason: str = Field(
        default="", description="the chair's recorded reason for approving without full clearance"
    )


class LineOfEffort(Edited, table=True):
    """One part of a plan version: a toolbox category, an objective and who leads it."""

    __table_args__ = (
        one_of("toolbox_category", TOOLBOX_CATEGORIES),
        Index("ix_line_of_effort_version_position", "plan_version_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_version_id: int = Field(foreign_key="plan_version.id")
    position: int = Field(default=1)
    toolbox_category: str = Field(max_length=24)
    objective: str
    lead_agency_id: int = Field(foreign_key="agency.id", index=True)
    resources: str = Field(default="")
    indicators: str = Field(default="", description="indicators and triggers to watch")


class LineOfEffortAgency(SQLModel, table=True):
    """A supporting agency of a line of effort."""

    __tablename__ = "line_of_effort_agency"

    line_of_effort_id: int = Field(foreign_key="line_of_effort.id", primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", primary_key=True)


class LineOfEffortRecommendation(SQLModel, table=True):
    """A Blueprint recommendation a line of effort applies."""

    __tablename__ = "line_of_effort_recommendation"

    line_of_effort_id: int = Field(foreign_key="line_of_effort.id", primary_key=True)
    recommendation_code: str = Field(foreign_key="blueprint_recommendation.code", primary_key=True)


class LineOfEffortFactor(SQLModel, table=True):
    """A UN Framework risk factor (1..14) a line of effort addresses."""

    __tablename__ = "line_of_effort_factor"
    __table_args__ = (CheckConstraint("factor BETWEEN 1 AND 14", name="factor_range"),)

    line_of_effort_id: int = Field(foreign_key="line_of_effort.id", primary_key=True)
    factor: int = Field(primary_key=True)


class LineOfEffortTool(SQLModel, table=True):
    """A tool of the evidence review (db/models/evidence.py) a line of effort relies on."""

    __tablename__ = "line_of_effort_tool"

    line_of_effort_id: int = Field(foreign_key="line_of_effort.id", primary_key=True)
    tool_id: int = Field(foreign_key="evidence_tool.id", primary_key=True, index=True)


class LineOfEffortEvidenceMark(SQLModel, table=True):
    """The drafter's judgement, for this plan's country, of whether a factor of a named tool
    holds: kept with the plan version like every other line field."""

    __tablename__ = "line_of_effort_evidence_mark"
    __table_args__ = (one_of("mark", FACTOR_MARKS),)

    line_of_effort_id: int = Field(foreign_key="line_of_effort.id", primary_key=True)
    factor_id: int = Field(foreign_key="evidence_factor.id", primary_key=True)
    mark: str = Field(max_length=16)


class Clearance(Edited, table=True):
    """An agency's position on a circulated plan version."""

    __table_args__ = (
        one_of("position", CLEARANCE_POSITIONS),
        UniqueConstraint("plan_version_id", "agency_id"),
        CheckConstraint(
            "position <> 'non_concur' OR length(comments) > 0", name="non_concur_has_reasons"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_version_id: int = Field(foreign_key="plan_version.id")
    agency_id: int = Field(foreign_key="agency.id", index=True)
    position: str = Field(default="pending", max_length=24)
    comments: str = Field(default="")
    cleared_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    cleared_at: datetime | None = timestamp(default=None)
