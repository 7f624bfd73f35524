"""The country brief: everything the committee needs on one country, on one screen or page.

One read, used by the country page, the meeting room's review screen and the read-ahead, so
that all three always show the same picture.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from committee import access, clock
from committee.actor import Actor
from committee.errors import NotFound
from db.engine import read_session
from db.models import (
    ActionItem,
    Agency,
    AgendaItem,
    Alert,
    Country,
    Decision,
    Meeting,
    Plan,
    PlanVersion,
    RiskAssessment,
    RiskFactorRating,
    RiskObservation,
    TierChange,
    WatchlistEntry,
)
from db.models.actions import CLOSED_STATUSES


@dataclass
class StatisticalRisk:
    source: str
    edition: str
    period: str
    risk: float
    rank: int | None
    previous_risk: float | None
    previous_rank: int | None


@dataclass
class Assessment:
    record: RiskAssessment
    ratings: dict[int, RiskFactorRating]


@dataclass
class PlanSummary:
    plan: Plan
    effective: PlanVersion | None
    latest: PlanVersion | None

    @property
    def past_review(self) -> bool:
        return bool(self.plan.review_by and self.plan.review_by < clock.today())


@dataclass
class ActionSummary:
    item: ActionItem
    agency_code: str

    @property
    def overdue(self) -> bool:
        return self.item.status not in CLOSED_STATUSES and self.item.due_on < clock.today()


@dataclass
class CountryBrief:
    country: Country
    entry: WatchlistEntry | None
    tier_history: list[TierChange]
    statistical_risk: StatisticalRisk | None
    risk_trend: list[tuple[int, float]]  # (year, risk) from the history, oldest first
    latest_assessment: Assessment | None
    plans: list[PlanSummary]
    open_actions: list[ActionSummary]
    last_review: Meeting | None
    last_review_decisions: list[Decision]
    open_alerts: list[Alert] = field(default_factory=list)

    @property
    def overdue_actions(self) -> list[ActionSummary]:
        return [a for a in self.open_actions if a.overdue]


def country_brief(country_code: str, *, actor: Actor, today: date | None = None) -> CountryBrief:
    with read_session() as session:
        country = session.get(Country, country_code.upper())
        if country is None:
            raise NotFound(f"No country with code {country_code!r}.")
        code = country.code
        entry = session.scalar(select(WatchlistEntry).where(WatchlistEntry.country_code == code))
        tier_history = list(
            session.scalars(
                select(TierChange)
                .where(TierChange.country_code == code)
                .order_by(TierChange.changed_at)
            )
        )
        forecast = session.scalar(
            select(RiskObservation)
            .where(RiskObservation.country_code == code, RiskObservation.kind == "forecast")
            .order_by(RiskObservation.edition.desc())
            .limit(1)
        )
        trend = [
            (year, risk)
            for year, risk in session.execute(
                select(RiskObservation.data_year, RiskObservation.risk)
                .where(RiskObservation.country_code == code, RiskObservation.kind == "history")
                .order_by(RiskObservation.data_year, RiskObservation.edition.desc())
            )
        ]
        assessment = session.scalar(
            select(RiskAssessment)
            .where(RiskAssessment.country_code == code)
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
            .limit(1)
        )
        ratings = {}
        if assessment is not None:
            ratings = {
                r.factor: r
                for r in session.scalars(
                    select(RiskFactorRating).where(RiskFactorRating.assessment_id == assessment.id)
                )
            }
        plans = []
        for plan in session.scalars(
            select(Plan)
            .where(Plan.country_code == code, Plan.status != "archived")
            .order_by(Plan.kind, Plan.id)
        ):
            latest = session.scalar(
                select(PlanVersion)
                .where(PlanVersion.plan_id == plan.id)
                .order_by(PlanVersion.number.desc())
                .limit(1)
            )
            effective = (
                session.get(PlanVersion, plan.effective_version_id)
                if (plan.effective_version_id)
                else None
            )
            plans.append(PlanSummary(plan, effective, latest))
        actions = [
            ActionSummary(item, agency_code)
            for item, agency_code in session.execute(
                select(ActionItem, Agency.code)
                .join(Agency, Agency.id == ActionItem.owner_agency_id)
                .where(ActionItem.country_code == code, ActionItem.status.not_in(CLOSED_STATUSES))
                .order_by(ActionItem.due_on)
            )
        ]
        last_review = None
        decisions: list[Decision] = []
        if entry is not None and entry.last_review_meeting_id:
            last_review = session.get(Meeting, entry.last_review_meeting_id)
            decisions = list(
                session.scalars(
                    select(Decision)
                    .join(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
                    .where(
                        AgendaItem.meeting_id == entry.last_review_meeting_id,
                        AgendaItem.country_code == code,
                    )
                    .order_by(Decision.decided_at)
                )
            )
        alerts = [
            alert
            for alert in session.scalars(
                select(Alert)
                .where(Alert.country_code == code, Alert.status != "closed")
                .order_by(Alert.filed_at.desc())
            )
            if access.can(
                actor, "alert.read", restricted=alert.restricted, agency_id=alert.filing_agency_id
            )
        ]
    risk = None
    if forecast is not None:
        risk = StatisticalRisk(
            forecast.source,
            forecast.edition,
            forecast.period,
            forecast.risk,
            forecast.rank,
            forecast.previous_risk,
            forecast.previous_rank,
        )
    return CountryBrief(
        country=country,
        entry=entry,
        tier_history=tier_history,
        statistical_risk=risk,
        risk_trend=trend,
        latest_assessment=Assessment(assessment, ratings) if assessment else None,
        plans=plans,
        open_actions=actions,
        last_review=last_review,
        last_review_decisions=decisions,
        open_alerts=alerts,
    )
