"""Signals from data (Blueprint 2-5, warning as an automatic trigger of policy review): rules
the chair sets on the statistical risk, and the signals an imported edition fires."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field

from db.models.base import Edited, one_of, timestamp

RULE_KINDS = ("risk_rise", "enters_top", "above_off_watchlist", "tier_rank_divergence")
SIGNAL_STATUSES = ("open", "scheduled", "closed")


class SignalRule(Edited, table=True):
    """A rule on the statistical risk: what makes an imported edition open a signal."""

    __table_args__ = (one_of("kind", RULE_KINDS),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=24)
    threshold: float = Field(
        description="risk_rise: percentage points; enters_top: N; above_off_watchlist: risk %; "
        "tier_rank_divergence: the top ranks a tier 3 or unwatched country must not reach"
    )
    second_threshold: float | None = Field(
        default=None, description="tier_rank_divergence: the rank a tier 1 country must not pass"
    )
    active: bool = Field(default=True, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class Signal(Edited, table=True):
    """A rule that fired for a country on an edition: the values before and after, and the file
    that brought them. Handled like an alert: reviewed at a meeting, closed with a decision."""

    __table_args__ = (
        one_of("status", SIGNAL_STATUSES),
        UniqueConstraint("rule_id", "country_code", "edition"),
        CheckConstraint("status <> 'closed' OR closing_decision_id IS NOT NULL", name="closed"),
    )

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int = Field(foreign_key="signal_rule.id", index=True)
    country_code: str = Field(foreign_key="country.code", index=True)
    edition: str = Field(max_length=20)
    previous_edition: str = Field(default="", max_length=20)
    value_before: float | None = Field(default=None, description="risk (0..1) or rank before")
    value_after: float | None = Field(default=None, description="risk (0..1) or rank after")
    what: str = Field(description="what fired, in words")
    sha256: str = Field(max_length=64, description="of the file whose import fired it")
    risk_import_id: int | None = Field(default=None, foreign_key="risk_import.id")
    status: str = Field(default="open", max_length=16, index=True)
    review_due_on: date
    decision_due_on: date
    agenda_item_id: int | None = Field(default=None, foreign_key="agenda_item.id", index=True)
    closing_decision_id: int | None = Field(default=None, foreign_key="decision.id")
    closed_at: datetime | None = timestamp(default=None)
