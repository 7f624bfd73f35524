"""The annual report (Blueprint 1-7; the 2018 Elie Wiesel Act's report to Congress), drawn
from the record for a chosen period: meetings held, countries reviewed and how often, tier
changes, plans approved, action items opened and closed by agency, and the alerts with how
fast they were reviewed. A period with no activity gives a report that says so.

Restricted alerts are counted, but the report names neither their country nor their text: it
is meant to travel beyond the committee.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, select

from committee import alerts, clock, meeting_times, restricted_alerts, settings, signals
from committee.actor import Actor
from committee.errors import ValidationError
from db.engine import read_session
from db.models import (
    ActionItem,
    Agency,
    AgendaItem,
    Alert,
    Country,
    Meeting,
    Plan,
    PlanVersion,
    TierChange,
    WatchlistEntry,
)
from db.models.actions import CLOSED_STATUSES

FIRST_YEAR = 2000


@dataclass(frozen=True)
class CountryReviews:
    code: str
    name: str
    tier: int | None  # its tier now; None when off the watchlist
    reviews: int
    last_reviewed: date


@dataclass(frozen=True)
class TierChangeLine:
    day: date
    country_name: str
    old_tier: int | None
    new_tier: int | None
    reason: str


@dataclass(frozen=True)
class PlanApproval:
    day: date
    country_name: str
    title: str
    kind: str
    version: int


@dataclass(frozen=True)
class AgencyActivity:
    """An agency's action items in the period: opened, done and cancelled."""

    code: str
    name: str
    opened: int
    done: int
    cancelled: int


@dataclass(frozen=True)
class AlertLine:
    reference: str
    country_name: str  # "Restricted" for a restricted alert
    severity: str
    filed_on: date
    days_to_review: float | None  # None: not reviewed
    deadline_days: float
    deadline_passed: bool  # when the report was made
    on_time: bool  # reviewed by its deadline (to the second, not the rounded days shown)

    @property
    def late(self) -> bool:
        """Reviewed after its deadline, or not reviewed and past it."""
        if self.days_to_review is None:
            return self.deadline_passed
        return not self.on_time


@dataclass
class AnnualReport:
    """What the committee did between ``start`` and ``end`` (both included)."""

    start: date
    end: date
    meetings_held: dict[str, int]  # by kind: regular, ad_hoc, emergency
    reviews: list[CountryReviews]
    tier_changes: list[TierChangeLine]
    plans_approved: list[PlanApproval]
    actions: list[AgencyActivity]
    alerts: list[AlertLine]
    signals: list["SignalLine"]

    @property
    def title(self) -> str:
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31):
            return f"Annual report {self.start.year}"
        return f"Report {self.start:%d %b %Y} – {self.end:%d %b %Y}"

    @property
    def is_empty(self) -> bool:
        return not (
            sum(self.meetings_held.values())
            or self.reviews
            or self.tier_changes
            or self.plans_approved
            or self.actions
            or self.alerts
            or self.signals
        )

    @property
    def reviews_held(self) -> int:
        return sum(r.reviews for r in self.reviews)

    @property
    def alerts_reviewed_on_time(self) -> int:
        return sum(1 for a in self.alerts if a.on_time)


@dataclass(frozen=True)
class ReportSummary:
    """The report's figures without its lines: what the reports page shows above its tabs,
    counted in the database however busy the year."""

    meetings_held: dict[str, int]
    reviews_held: int
    countries_reviewed: int
    tier_changes: int
    plans_approved: int
    items_moved: int  # action items opened or closed in the period
    alerts: int
    alerts_reviewed_on_time: int

    @property
    def is_empty(self) -> bool:
        return not (
            sum(self.meetings_held.values())
            or self.reviews_held
            or self.tier_changes
            or self.plans_approved
            or self.items_moved
            or self.alerts
        )


def year_period(year: int) -> tuple[date, date]:
    if not FIRST_YEAR <= year <= clock.today().year:
        raise ValidationError(
            f"Choose a year from {FIRST_YEAR} to {clock.today().year}.", field="year"
        )
    return date(year, 1, 1), date(year, 12, 31)


class _Period:
    """The period's bounds, read in the committee's time zone: its days are the committee's
    days."""

    def __init__(self, start: date, end: date):
        if end < start:
            raise ValidationError("The period ends before it starts.", field="end")
        self.zone = settings.zone()
        self.since = datetime.combine(start, time(), self.zone)
        self.until = datetime.combine(end + timedelta(days=1), time(), self.zone)

    def within(self, column):
        return and_(column >= self.since, column < self.until)


def annual_report(*, actor: Actor, start: date, end: date) -> AnnualReport:
    """The report for the period, in a fixed number of queries."""
    period = _Period(start, end)
    with read_session() as session:
        return AnnualReport(
            start,
            end,
            _meetings_held(session, period),
            *(read(session, period, actor) for read in SECTIONS.values()),
        )


def annual_summary(*, actor: Actor, start: date, end: date) -> ReportSummary:
    """The report's figures, each an aggregate: the same numbers as ``annual_report``'s."""
    period = _Period(start, end)
    reviews = _reviews_query(period).subquery()
    within = period.within
    with read_session() as session:
        reviews_held, countries = session.execute(
            select(func.coalesce(func.sum(reviews.c.reviews), 0), func.count())
        ).one()
        opened = session.scalar(select(func.count()).where(within(ActionItem.created_at)))
        closed = session.scalar(
            select(func.count()).where(
                ActionItem.status.in_(CLOSED_STATUSES), within(ActionItem.closed_at)
            )
        )
        reviewed = alerts.review_time()
        filed, on_time = session.execute(
            select(func.count(), func.count().filter(reviewed <= Alert.review_deadline))
            .select_from(Alert)
            .outerjoin(Meeting, Meeting.id == Alert.review_meeting_id)
            .where(restricted_alerts.readable_by(actor), within(Alert.filed_at))
        ).one()
        return ReportSummary(
            meetings_held=_meetings_held(session, period),
            reviews_held=reviews_held,
            countries_reviewed=countries,
            tier_changes=session.scalar(select(func.count()).where(within(TierChange.changed_at))),
            plans_approved=session.scalar(
                select(func.count()).where(within(PlanVersion.approved_at))
            ),
            items_moved=opened + closed,
            alerts=filed,
            alerts_reviewed_on_time=on_time,
        )


def report_section(name: str, *, actor: Actor, start: date, end: date) -> list:
    """The lines of one of the report's ``SECTIONS``, for the tab that shows them."""
    period = _Period(start, end)
    with read_session() as session:
        return SECTIONS[name](session, period, actor)


def _meetings_held(session, period: _Period) -> dict[str, int]:
    return dict(
        session.execute(
            select(Meeting.kind, func.count())
            .where(Meeting.status == "held", period.within(meeting_times.took_place_sql()))
            .group_by(Meeting.kind)
        ).all()
    )


def _reviews_query(period: _Period):
    """Countries reviewed at meetings held in the period, with how often and when last."""
    reviews = func.count(func.distinct(Meeting.id))
    return (
        select(
            Country.code,
            Country.name,
            WatchlistEntry.tier,
            reviews.label("reviews"),
            func.max(meeting_times.took_place_sql()),
        )
        .select_from(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Country, Country.code == AgendaItem.country_code)
        .outerjoin(
            WatchlistEntry,
            (WatchlistEntry.country_code == Country.code) & WatchlistEntry.on_watchlist,
        )
        .where(
            AgendaItem.kind == "country_review",
            Meeting.status == "held",
            period.within(meeting_times.took_place_sql()),
        )
        .group_by(Country.code, Country.name, WatchlistEntry.tier)
    )


def _reviews(session, period: _Period, actor: Actor) -> list[CountryReviews]:
    query = _reviews_query(period).order_by(
        func.count(func.distinct(Meeting.id)).desc(), Country.name
    )
    return [
        CountryReviews(code, name, tier, count, last.astimezone(period.zone).date())
        for code, name, tier, count, last in session.execute(query)
    ]


def _tier_changes(session, period: _Period, actor: Actor) -> list[TierChangeLine]:
    return [
        TierChangeLine(
            change.changed_at.astimezone(period.zone).date(),
            name,
            change.old_tier,
            change.new_tier,
            change.reason,
        )
        for change, name in session.execute(
            select(TierChange, Country.name)
            .join(Country, Country.code == TierChange.country_code)
            .where(period.within(TierChange.changed_at))
            .order_by(TierChange.changed_at, TierChange.id)
        )
    ]


def _plans_approved(session, period: _Period, actor: Actor) -> list[PlanApproval]:
    return [
        PlanApproval(approved.astimezone(period.zone).date(), name, title, kind, number)
        for approved, name, title, kind, number in session.execute(
            select(PlanVersion.approved_at, Country.name, Plan.title, Plan.kind, PlanVersion.number)
            .join(Plan, Plan.id == PlanVersion.plan_id)
            .join(Country, Country.code == Plan.country_code)
            .where(period.within(PlanVersion.approved_at))
            .order_by(PlanVersion.approved_at)
        )
    ]


def _alerts(session, period: _Period, actor: Actor) -> list[AlertLine]:
    now = clock.now()
    return [
        _alert_line(row, period.zone, now)
        for row in session.execute(
            select(
                Alert.reference,
                Alert.restricted,
                Country.name,
                Alert.severity,
                Alert.filed_at,
                Alert.review_deadline,
                alerts.review_time().label("reviewed_at"),
            )
            .join(Country, Country.code == Alert.country_code)
            .outerjoin(Meeting, Meeting.id == Alert.review_meeting_id)
            .where(restricted_alerts.readable_by(actor), period.within(Alert.filed_at))
            .order_by(Alert.filed_at)
        )
    ]


def _agency_activity(session, period: _Period, actor: Actor) -> list[AgencyActivity]:
    """Items opened, done and cancelled in the period, by agency: two aggregates, one over the
    items created in the period and one over those closed in it, each read from its index."""
    within = period.within
    opened = dict(
        session.execute(
            select(ActionItem.owner_agency_id, func.count())
            .where(within(ActionItem.created_at))
            .group_by(ActionItem.owner_agency_id)
        ).all()
    )
    closed: dict[tuple[int, str], int] = {
        (agency_id, status): count
        for agency_id, status, count in session.execute(
            select(ActionItem.owner_agency_id, ActionItem.status, func.count())
            .where(ActionItem.status.in_(CLOSED_STATUSES), within(ActionItem.closed_at))
            .group_by(ActionItem.owner_agency_id, ActionItem.status)
        )
    }
    active = set(opened) | {agency_id for agency_id, _ in closed}
    return [
        AgencyActivity(
            code,
            name,
            opened.get(id_, 0),
            closed.get((id_, "done"), 0),
            closed.get((id_, "cancelled"), 0),
        )
        for id_, code, name in session.execute(
            select(Agency.id, Agency.code, Agency.name)
            .where(Agency.id.in_(active))
            .order_by(Agency.code)
        )
    ]


def _alert_line(row, zone, now: datetime) -> AlertLine:
    """An alert of the period, from the columns the report reads (not the whole record)."""

    def days(moment: datetime) -> float:
        return round((moment - row.filed_at).total_seconds() / 86400, 1)

    return AlertLine(
        reference=row.reference,
        country_name="Restricted" if row.restricted else row.name,
        severity=row.severity,
        filed_on=row.filed_at.astimezone(zone).date(),
        days_to_review=days(row.reviewed_at) if row.reviewed_at else None,
        deadline_days=days(row.review_deadline),
        deadline_passed=row.review_deadline < now,
        on_time=row.reviewed_at is not None and row.reviewed_at <= row.review_deadline,
    )


@dataclass(frozen=True)
class SignalLine:
    """A review triggered by data (Blueprint 2-5): a signal opened in the period, and how fast
    it was reviewed and decided."""

    country_name: str
    rule: str
    what: str
    opened_on: date
    days_to_review: int | None  # None: not reviewed yet
    days_to_decision: int | None  # None: not decided yet
    review_late: bool
    decision_late: bool


def _signals(session, period: _Period, actor: Actor) -> list[SignalLine]:
    lines = []
    for row in signals.list_signals(
        actor=actor, opened_since=period.since, opened_until=period.until, session=session
    ):
        opened = row.signal.created_at.astimezone(period.zone).date()
        decided = row.decision.decided_at.astimezone(period.zone).date() if row.decision else None
        lines.append(
            SignalLine(
                country_name=row.country_name,
                rule=row.rule.name,
                what=row.signal.what,
                opened_on=opened,
                days_to_review=(row.reviewed_on - opened).days if row.reviewed_on else None,
                days_to_decision=(decided - opened).days if decided else None,
                review_late=row.review_late,
                decision_late=row.decision_late,
            )
        )
    return sorted(lines, key=lambda line: (line.opened_on, line.country_name))


# The report's parts in its order, each read by itself for the tab that shows it.
SECTIONS = {
    "reviews": _reviews,
    "tier_changes": _tier_changes,
    "plans_approved": _plans_approved,
    "actions": _agency_activity,
    "alerts": _alerts,
    "signals": _signals,
}
