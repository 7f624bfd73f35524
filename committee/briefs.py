"""The country brief: everything the committee needs on one country, on one screen or page.

One read, used by the country page, the meeting room's review screen and the read-ahead, so
that all three always show the same picture.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select

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
    """One edition's forecast for the country (risk is a probability, rank 1 = highest)."""

    source: str
    edition: str
    period: str
    risk: float
    rank: int | None
    previous_risk: float | None
    previous_rank: int | None

    @property
    def change(self) -> float | None:
        """Change of risk since the last edition, as a probability."""
        return None if self.previous_risk is None else self.risk - self.previous_risk


@dataclass(frozen=True)
class RiskPoint:
    """A year of the statistical risk history: the risk forecast for ``year`` (from the year
    before's data), its rank, and whether a mass killing began that year."""

    year: int
    risk: float
    rank: int | None
    onset: bool


@dataclass
class Review:
    """A country review at a meeting, with the decisions taken on it."""

    meeting: Meeting
    item: AgendaItem
    decisions: list[Decision]


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
    statistical_risk: StatisticalRisk | None  # the newest edition's forecast
    plans: list[PlanSummary]
    open_actions: list[ActionSummary]
    last_review: Meeting | None
    last_review_decisions: list[Decision]
    open_alerts: list[Alert] = field(default_factory=list)
    forecasts: list[StatisticalRisk] = field(default_factory=list)  # every edition, newest first
    risk_history: list[RiskPoint] = field(default_factory=list)  # newest history, oldest first
    assessments: list[Assessment] = field(default_factory=list)  # newest first, with ratings
    reviews: list[Review] = field(default_factory=list)  # newest first
    other_decisions: list[Decision] = field(default_factory=list)  # not taken in a review

    @property
    def latest_assessment(self) -> Assessment | None:
        return self.assessments[0] if self.assessments else None

    @property
    def overdue_actions(self) -> list[ActionSummary]:
        return [a for a in self.open_actions if a.overdue]

    @property
    def risk_trend(self) -> list[tuple[int, float]]:
        """(year forecast, risk) from the history, oldest first."""
        return [(point.year, point.risk) for point in self.risk_history]


def country_brief(country_code: str, *, actor: Actor, today: date | None = None) -> CountryBrief:
    with read_session() as session:
        row = session.execute(
            select(Country, WatchlistEntry)
            .join(WatchlistEntry, WatchlistEntry.country_code == Country.code, isouter=True)
            .where(Country.code == country_code.strip().upper())
        ).first()
        if row is None:
            raise NotFound(f"No country with code {country_code!r}.")
        country, entry = row
        code = country.code
        tier_history = list(
            session.scalars(
                select(TierChange)
                .where(TierChange.country_code == code)
                .order_by(TierChange.changed_at)
            )
        )
        newest_history = (
            select(func.max(RiskObservation.edition))
            .where(RiskObservation.country_code == code, RiskObservation.kind == "history")
            .scalar_subquery()
        )
        observations = list(
            session.scalars(
                select(RiskObservation)
                .where(
                    RiskObservation.country_code == code,
                    or_(
                        RiskObservation.kind == "forecast",
                        RiskObservation.edition == newest_history,
                    ),
                )
                .order_by(RiskObservation.edition.desc(), RiskObservation.data_year)
            )
        )
        forecasts = [
            StatisticalRisk(
                o.source, o.edition, o.period, o.risk, o.rank, o.previous_risk, o.previous_rank
            )
            for o in observations
            if o.kind == "forecast"
        ]
        history = [
            RiskPoint(int(o.period), o.risk, o.rank, bool(o.mass_killing_onset))
            for o in observations
            if o.kind == "history"
        ]
        assessments = list(
            session.scalars(
                select(RiskAssessment)
                .where(RiskAssessment.country_code == code)
                .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
            )
        )
        ratings: dict[int, dict[int, RiskFactorRating]] = {}
        for rating in session.scalars(
            select(RiskFactorRating).where(
                RiskFactorRating.assessment_id.in_([a.id for a in assessments])
            )
        ):
            ratings.setdefault(rating.assessment_id, {})[rating.factor] = rating
        versions: dict[int, list[PlanVersion]] = {}
        plan_rows: dict[int, Plan] = {}
        for plan, version in session.execute(
            select(Plan, PlanVersion)
            .join(PlanVersion, PlanVersion.plan_id == Plan.id)
            .where(Plan.country_code == code, Plan.status != "archived")
            .order_by(Plan.kind, Plan.id, PlanVersion.number)
        ):
            plan_rows.setdefault(plan.id, plan)
            versions.setdefault(plan.id, []).append(version)
        plans = [
            PlanSummary(
                plan,
                next((v for v in versions[plan.id] if v.id == plan.effective_version_id), None),
                versions[plan.id][-1],
            )
            for plan in plan_rows.values()
        ]
        actions = [
            ActionSummary(item, agency_code)
            for item, agency_code in session.execute(
                select(ActionItem, Agency.code)
                .join(Agency, Agency.id == ActionItem.owner_agency_id)
                .where(ActionItem.country_code == code, ActionItem.status.not_in(CLOSED_STATUSES))
                .order_by(ActionItem.due_on)
            )
        ]
        review_items = list(
            session.execute(
                select(AgendaItem, Meeting)
                .join(Meeting, Meeting.id == AgendaItem.meeting_id)
                .where(
                    AgendaItem.country_code == code,
                    AgendaItem.kind == "country_review",
                    Meeting.status == "held",
                )
                .order_by(Meeting.starts_at.desc())
            )
        )
        decisions = list(
            session.scalars(
                select(Decision)
                .where(
                    or_(
                        Decision.country_code == code,
                        Decision.agenda_item_id.in_([item.id for item, _ in review_items]),
                    )
                )
                .order_by(Decision.decided_at.desc())
            )
        )
        reviews = [
            Review(meeting, item, [d for d in decisions if d.agenda_item_id == item.id])
            for item, meeting in review_items
        ]
        in_reviews = {d.id for review in reviews for d in review.decisions}
        last_review = None
        last_review_decisions: list[Decision] = []
        if entry is not None and entry.last_review_meeting_id:
            for review in reviews:
                if review.meeting.id == entry.last_review_meeting_id:
                    last_review = review.meeting
                    last_review_decisions = sorted(review.decisions, key=lambda d: d.decided_at)
                    break
            else:
                last_review = session.get(Meeting, entry.last_review_meeting_id)
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
    return CountryBrief(
        country=country,
        entry=entry,
        tier_history=tier_history,
        statistical_risk=forecasts[0] if forecasts else None,
        assessments=[Assessment(a, ratings.get(a.id, {})) for a in assessments],
        plans=plans,
        open_actions=actions,
        last_review=last_review,
        last_review_decisions=last_review_decisions,
        open_alerts=alerts,
        forecasts=forecasts,
        risk_history=history,
        reviews=reviews,
        other_decisions=[d for d in decisions if d.id not in in_reviews],
    )
