"""The country brief: everything the committee needs on one country, on one screen or page.

One read, used by the country page, the meeting room's review screen and the read-ahead, so
that all three always show the same picture.
"""

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from committee import clock, restricted_alerts, tracker
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

# Reviews and decisions accumulate for as long as the committee sits: a brief reads the newest
# few, and says how many there are, so that its cost stays the same after years of meetings.
HISTORY_SHOWN = 10


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
    def first_year(self) -> int:
        """The first year the forecast covers ("2025-2026": 2025), where a chart puts it."""
        return int(self.period.split("-")[0])

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
    reviews: list[Review] = field(default_factory=list)  # the newest ``history``, newest first
    review_count: int = 0  # every review held, of which ``reviews`` are the newest
    other_decisions: list[Decision] = field(default_factory=list)  # not taken in a review
    other_decision_count: int = 0  # likewise

    @property
    def latest_assessment(self) -> Assessment | None:
        return self.assessments[0] if self.assessments else None

    @property
    def overdue_actions(self) -> list[ActionSummary]:
        return [a for a in self.open_actions if a.overdue]

    @property
    def risk_trend(self) -> list[tuple[int, float]]:
        """(year forecast, risk), oldest first: the history up to the edition the brief cites,
        then that edition's forecast, so that a chart ends on the figure its text gives. (The
        history file's last year is the edition before: without this, a chart ended there.)"""
        history = [(point.year, point.risk) for point in self.risk_history]
        cited = self.statistical_risk
        if cited is None:
            return history
        return [(year, risk) for year, risk in history if year < cited.first_year] + [
            (cited.first_year, cited.risk)
        ]


def country_brief(country_code: str, *, actor: Actor, history: int = HISTORY_SHOWN) -> CountryBrief:
    """One country's brief; ``NotFound`` for a code that names no country."""
    return country_briefs([country_code], actor=actor, history=history)[0]


def country_briefs(
    country_codes: list[str], *, actor: Actor, history: int = HISTORY_SHOWN
) -> list[CountryBrief]:
    """The briefs of several countries (a read-ahead's), in the order asked, in one read: a
    query per part of the record for all of them together, not one set per country. Each
    brief holds the ``history`` newest reviews and other decisions, with their counts."""
    codes = list(dict.fromkeys(code.strip().upper() for code in country_codes))
    with read_session() as session:
        found = {
            country.code: (country, entry)
            for country, entry in session.execute(
                select(Country, WatchlistEntry)
                .join(WatchlistEntry, WatchlistEntry.country_code == Country.code, isouter=True)
                .where(Country.code.in_(codes))
            )
        }
        for code in codes:
            if code not in found:
                raise NotFound(f"No country with code {code!r}.")
        tier_history = _by_country(
            session.scalars(
                select(TierChange)
                .where(TierChange.country_code.in_(codes))
                .order_by(TierChange.changed_at)
            )
        )
        observations = _by_country(
            session.scalars(
                select(RiskObservation)
                .where(RiskObservation.country_code.in_(codes))
                .order_by(RiskObservation.edition.desc(), RiskObservation.data_year)
            )
        )
        assessments = _by_country(
            session.scalars(
                select(RiskAssessment)
                .where(RiskAssessment.country_code.in_(codes))
                .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
            )
        )
        assessed = [a.id for found_here in assessments.values() for a in found_here]
        ratings: dict[int, dict[int, RiskFactorRating]] = {}
        for rating in session.scalars(
            select(RiskFactorRating).where(RiskFactorRating.assessment_id.in_(assessed))
        ):
            ratings.setdefault(rating.assessment_id, {})[rating.factor] = rating
        versions: dict[int, list[PlanVersion]] = {}
        plan_rows: dict[int, Plan] = {}
        newest_number = (
            select(func.max(PlanVersion.number))
            .where(PlanVersion.plan_id == Plan.id)
            .correlate(Plan)
            .scalar_subquery()
        )
        for plan, version in session.execute(  # the version in effect and the newest
            select(Plan, PlanVersion)
            .join(PlanVersion, PlanVersion.plan_id == Plan.id)
            .where(Plan.country_code.in_(codes), Plan.status != "archived")
            .where(
                (PlanVersion.id == Plan.effective_version_id)
                | (PlanVersion.number == newest_number)
            )
            .order_by(Plan.kind, Plan.id, PlanVersion.number)
        ):
            plan_rows.setdefault(plan.id, plan)
            versions.setdefault(plan.id, []).append(version)
        plans = _by_country(
            (
                PlanSummary(
                    plan,
                    next((v for v in versions[plan.id] if v.id == plan.effective_version_id), None),
                    versions[plan.id][-1],
                )
                for plan in plan_rows.values()
            ),
            key=lambda summary: summary.plan.country_code,
        )
        actions = _by_country(
            (
                ActionSummary(item, agency_code)
                for item, agency_code in session.execute(
                    select(ActionItem, Agency.code)
                    .join(Agency, Agency.id == ActionItem.owner_agency_id)
                    .where(ActionItem.country_code.in_(codes), tracker.is_open())
                    .order_by(ActionItem.due_on)
                )
            ),
            key=lambda summary: summary.item.country_code,
        )
        is_review = (
            AgendaItem.country_code.in_(codes),
            AgendaItem.kind == "country_review",
            Meeting.status == "held",
        )
        newest_reviews = _ranked(
            select(AgendaItem.id)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(*is_review),
            country=AgendaItem.country_code,
            newest_first=(Meeting.starts_at.desc(), AgendaItem.id.desc()),
        )
        review_rows = _by_country(
            session.execute(
                select(AgendaItem, Meeting, newest_reviews.c.total)
                .join(newest_reviews, newest_reviews.c.id == AgendaItem.id)
                .join(Meeting, Meeting.id == AgendaItem.meeting_id)
                .where(newest_reviews.c.place <= history)
                .order_by(newest_reviews.c.place)
            ),
            key=lambda row: row.AgendaItem.country_code,
        )
        reviewed_items = (
            select(AgendaItem.id)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(*is_review)
        )
        newest_others = _ranked(
            select(Decision.id).where(
                Decision.country_code.in_(codes),
                restricted_alerts.derived_readable_by(actor, Decision.alert_id),
                or_(
                    Decision.agenda_item_id.is_(None),
                    Decision.agenda_item_id.not_in(reviewed_items),
                ),
            ),
            country=Decision.country_code,
            newest_first=(Decision.decided_at.desc(), Decision.id.desc()),
        )
        other_rows = _by_country(
            session.execute(
                select(Decision, newest_others.c.total)
                .join(newest_others, newest_others.c.id == Decision.id)
                .where(newest_others.c.place <= history)
                .order_by(newest_others.c.place)
            ),
            key=lambda row: row.Decision.country_code,
        )
        shown_items = [row.AgendaItem.id for rows in review_rows.values() for row in rows]
        decisions = session.scalars(
            select(Decision)
            .where(
                Decision.agenda_item_id.in_(shown_items),
                restricted_alerts.derived_readable_by(actor, Decision.alert_id),
            )
            .order_by(Decision.decided_at.desc())
        )
        open_alerts = _by_country(
            alert
            for alert in session.scalars(
                select(Alert)
                .where(Alert.country_code.in_(codes), Alert.status != "closed")
                .order_by(Alert.filed_at.desc())
            )
            if restricted_alerts.may_read(actor, alert)
        )
        by_item: dict[int, list[Decision]] = {}
        for decision in decisions:
            by_item.setdefault(decision.agenda_item_id, []).append(decision)
        briefs = []
        for code in codes:
            country, entry = found[code]
            shown_reviews, others = review_rows.get(code, []), other_rows.get(code, [])
            reviews = [
                Review(row.Meeting, row.AgendaItem, by_item.get(row.AgendaItem.id, []))
                for row in shown_reviews
            ]
            last_review, last_review_decisions = _last_review(session, entry, reviews)
            seen = observations.get(code, [])
            forecasts = [
                StatisticalRisk(
                    o.source, o.edition, o.period, o.risk, o.rank, o.previous_risk, o.previous_rank
                )
                for o in seen
                if o.kind == "forecast"
            ]
            history = [o for o in seen if o.kind == "history"]
            newest = max((o.edition for o in history), default=None)
            briefs.append(
                CountryBrief(
                    country=country,
                    entry=entry,
                    tier_history=tier_history.get(code, []),
                    statistical_risk=forecasts[0] if forecasts else None,
                    assessments=[
                        Assessment(a, ratings.get(a.id, {})) for a in assessments.get(code, [])
                    ],
                    plans=plans.get(code, []),
                    open_actions=actions.get(code, []),
                    last_review=last_review,
                    last_review_decisions=last_review_decisions,
                    open_alerts=open_alerts.get(code, []),
                    forecasts=forecasts,
                    risk_history=[
                        RiskPoint(int(o.period), o.risk, o.rank, bool(o.mass_killing_onset))
                        for o in history
                        if o.edition == newest
                    ],
                    reviews=reviews,
                    review_count=shown_reviews[0].total if shown_reviews else 0,
                    other_decisions=[row.Decision for row in others],
                    other_decision_count=others[0].total if others else 0,
                )
            )
    return briefs


def _by_country(records, *, key=lambda record: record.country_code) -> dict[str, list]:
    """Records grouped by their country, each group in the order read."""
    grouped: dict[str, list] = {}
    for record in records:
        grouped.setdefault(key(record), []).append(record)
    return grouped


def _ranked(ids, *, country, newest_first):
    """``ids`` (a query of one ``id`` column) with each row's ``place`` among its country's
    rows, newest first, and its country's ``total``: SQL window functions, so that a brief
    reads a few rows per country however many there are."""
    return ids.add_columns(
        func.row_number().over(partition_by=country, order_by=newest_first).label("place"),
        func.count().over(partition_by=country).label("total"),
    ).subquery()


def _last_review(
    session, entry: WatchlistEntry | None, reviews: list[Review]
) -> tuple[Meeting | None, list[Decision]]:
    """The meeting that last reviewed the country, and the decisions it took there."""
    if entry is None or not entry.last_review_meeting_id:
        return None, []
    for review in reviews:
        if review.meeting.id == entry.last_review_meeting_id:
            return review.meeting, sorted(review.decisions, key=lambda d: d.decided_at)
    return session.get(Meeting, entry.last_review_meeting_id), []
