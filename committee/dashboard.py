"""The dashboard's figures: is the committee doing its job? Each figure is computed in the
database, in a fixed number of queries whatever the size of the record, and carries the rows
behind it so that every chart leads to its list.

- countries of concern by review status (reviewed on time, due, overdue), by tier;
- open action items by agency and status, the overdue ones apart;
- open and overdue action items at each of the last 12 month ends;
- time from alert to review, against the deadline: every open alert and the latest ones,
  with the year's record;
- plan coverage: tier 1 and 2 countries with a plan in effect, past its review, or none;
- the countries of concern, for the world map by tier.
"""

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from dateutil.relativedelta import relativedelta
from sqlalchemy import case, exists, func, select
from sqlmodel import Session

from committee import (
    alerts,
    clock,
    coverage,
    restricted_alerts,
    rotation,
    tracker,
    vocabulary,
)
from committee.actor import Actor
from db.engine import read_session
from db.models import ActionItem, Agency, Alert, Country, Meeting, Plan, WatchlistEntry
from db.models.actions import CLOSED_STATUSES

TREND_MONTHS = 12
ALERT_WINDOW = timedelta(days=365)
ALERTS_SHOWN = 20  # the most recent alerts in the chart, besides every one still open
# Plan coverage of a tier 1 or 2 country; the colours are the review statuses' (green, amber,
# red), so that on this dashboard the same colour always means the same degree of "behind".
COVERAGE_STATES = ("in_effect", "past_review", "no_plan")
COVERAGE_LABELS = {
    "in_effect": "Plan in effect",
    "past_review": "Plan past its review-by date",
    "no_plan": "No plan in effect",
}
COVERAGE_COLORS = {
    "in_effect": vocabulary.REVIEW_STATUS_COLORS["on_time"],
    "past_review": vocabulary.REVIEW_STATUS_COLORS["due"],
    "no_plan": vocabulary.REVIEW_STATUS_COLORS["overdue"],
}


@dataclass
class AgencyActions:
    """One agency's open action items: the overdue ones, and the rest by status."""

    code: str
    name: str
    overdue: int
    by_status: dict[str, int]  # open, in_progress, blocked: items not yet overdue

    @property
    def open(self) -> int:
        return self.overdue + sum(self.by_status.values())


@dataclass(frozen=True)
class TrendPoint:
    """Open and overdue action items at the end of a day (a month's last day, or today)."""

    day: date
    open: int
    overdue: int


@dataclass(frozen=True)
class AlertTiming:
    """How fast an alert was reviewed (or how long it has waited), against its deadline."""

    alert_id: int
    reference: str
    country_name: str  # "Restricted" for a restricted alert
    severity: str
    filed_at: datetime
    deadline_days: float
    reviewed_at: datetime | None
    days: float  # to review, or waited so far
    status: str

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None

    @property
    def on_time(self) -> bool:
        return self.days <= self.deadline_days


@dataclass(frozen=True)
class AlertRecord:
    """The alerts filed in the past year: how many, reviewed by their deadline or after it,
    and not reviewed yet."""

    filed: int
    reviewed_on_time: int
    reviewed_late: int
    waiting: int


@dataclass(frozen=True)
class CoverageRow:
    code: str
    name: str
    tier: int
    state: str  # one of COVERAGE_STATES


@dataclass
class Dashboard:
    reviews: list[rotation.ReviewDue]
    actions: list[AgencyActions]
    trend: list[TrendPoint]
    alert_timings: list[AlertTiming]
    alert_record: AlertRecord
    coverage: list[CoverageRow]
    tiers: dict[str, int] = field(default_factory=dict)  # country code -> tier, for the map
    country_names: dict[str, str] = field(default_factory=dict)

    # What a chair reads first: where the committee is behind.
    @property
    def reviews_overdue(self) -> int:
        return sum(1 for r in self.reviews if r.status == "overdue")

    @property
    def actions_overdue(self) -> int:
        return sum(a.overdue for a in self.actions)

    @property
    def alerts_late(self) -> int:
        """Alerts past their deadline and still not reviewed."""
        return sum(1 for a in self.alert_timings if not a.reviewed and not a.on_time)

    @property
    def plan_gaps(self) -> int:
        return sum(1 for c in self.coverage if c.state != "in_effect")


def dashboard(*, actor: Actor, today: date | None = None) -> Dashboard:
    """Every figure, in one read. Alerts are counted as ``actor`` may see them."""
    today = today or clock.today()
    now = clock.now()
    with read_session() as session:
        reviews = rotation.review_schedule(session, today=today)
        watched = session.execute(
            select(WatchlistEntry.country_code, WatchlistEntry.tier, Country.name)
            .join(Country, Country.code == WatchlistEntry.country_code)
            .where(WatchlistEntry.on_watchlist)
        ).all()
        return Dashboard(
            reviews=reviews,
            actions=actions_by_agency(session, today),
            trend=action_trend(session, today),
            alert_timings=alert_timings(session, actor=actor, now=now),
            alert_record=alert_record(session, actor=actor, now=now),
            coverage=plan_coverage(session, today),
            tiers={code: tier for code, tier, _ in watched},
            country_names={code: name for code, _, name in watched},
        )


def actions_by_agency(session: Session, today: date) -> list[AgencyActions]:
    """Open items per owning agency, worst first (most overdue, then most open)."""
    is_overdue = ActionItem.due_on < today
    rows = session.execute(
        select(
            Agency.code,
            Agency.name,
            ActionItem.status,
            is_overdue.label("overdue"),
            func.count(),
        )
        .join(Agency, Agency.id == ActionItem.owner_agency_id)
        .where(tracker.is_open())
        .group_by(Agency.code, Agency.name, ActionItem.status, is_overdue)
    )
    found: dict[str, AgencyActions] = {}
    for code, name, status, overdue, count in rows:
        agency = found.setdefault(code, AgencyActions(code, name, 0, {}))
        if overdue:
            agency.overdue += count
        else:
            agency.by_status[status] = agency.by_status.get(status, 0) + count
    return sorted(found.values(), key=lambda a: (-a.overdue, -a.open, a.code))


def month_ends(today: date, months: int = TREND_MONTHS) -> list[date]:
    """The last day of each of the past ``months - 1`` months, then today."""
    ends = []
    for back in range(months - 1, 0, -1):
        month = today - relativedelta(months=back)
        ends.append(month.replace(day=monthrange(month.year, month.month)[1]))
    return [*ends, today]


def action_trend(session: Session, today: date) -> list[TrendPoint]:
    """Open and overdue items at each month end, rebuilt from when items were created, closed
    and due: an item is open at the end of a day if created by then and not yet closed; overdue
    if also due before that day.

    Only the items open now or closed since the first month end can count, and those are read
    from one index, however long the history. The database tells, for each item, the first
    month end it was created by, closed by and overdue at (grouped: a few hundred rows at
    most); the counts per month end follow from those."""
    days = month_ends(today)
    ends = [datetime.combine(day + timedelta(days=1), time(), timezone.utc) for day in days]
    created = _first_before(ActionItem.created_at, ends)
    closed = _first_before(ActionItem.closed_at, ends)
    overdue_from = _first_before(ActionItem.due_on, days)
    rows = session.execute(
        select(created, closed, overdue_from, func.count())
        .where(
            tracker.is_open()
            | (ActionItem.status.in_(CLOSED_STATUSES) & (ActionItem.closed_at >= ends[0]))
        )
        .group_by(created, closed, overdue_from)
    )
    open_at, overdue_at = [0] * len(days), [0] * len(days)
    for first_open, first_closed, first_overdue, count in rows:
        for end in range(first_open, min(first_closed, len(days))):
            open_at[end] += count
            if end >= first_overdue:
                overdue_at[end] += count
    return [TrendPoint(day, open_at[i], overdue_at[i]) for i, day in enumerate(days)]


def _first_before(column, limits: list):
    """The position of the first of ``limits`` that ``column`` is before; ``len(limits)`` if
    none (or if the column is empty: an item not closed is closed by no month end)."""
    return case(
        *((column < limit, position) for position, limit in enumerate(limits)),
        else_=len(limits),
    )


def alert_timings(session: Session, *, actor: Actor, now: datetime) -> list[AlertTiming]:
    """The alerts ``actor`` may see that are still open, whatever their age, and the
    ``ALERTS_SHOWN`` filed most recently in the past year, oldest first, with their time to
    review. (A year of alerts is too many bars to read; ``alert_record`` counts them all.)"""
    reviewed = alerts.review_time()
    shown = (
        select(Alert, Country.name, reviewed)
        .join(Country, Country.code == Alert.country_code)
        .outerjoin(Meeting, Meeting.id == Alert.review_meeting_id)
        .where(restricted_alerts.readable_by(actor))
    )
    still_open = shown.where(alerts.is_open())
    latest = (
        shown.where(Alert.filed_at >= now - ALERT_WINDOW)
        .order_by(Alert.filed_at.desc())
        .limit(ALERTS_SHOWN)
    )
    rows = {row[0].id: row for row in [*session.execute(still_open), *session.execute(latest)]}
    timings = []
    for alert, name, reviewed_at in sorted(rows.values(), key=lambda row: row[0].filed_at):
        waited = (reviewed_at or now) - alert.filed_at
        timings.append(
            AlertTiming(
                alert_id=alert.id,
                reference=alert.reference,
                country_name="Restricted" if alert.restricted else name,
                severity=alert.severity,
                filed_at=alert.filed_at,
                deadline_days=_days(alert.review_deadline - alert.filed_at),
                reviewed_at=reviewed_at,
                days=_days(waited),
                status=alert.status,
            )
        )
    return timings


def alert_record(session: Session, *, actor: Actor, now: datetime) -> AlertRecord:
    """How the alerts ``actor`` may see, filed in the past year, were reviewed: one count."""
    reviewed = alerts.review_time()
    on_time = reviewed <= Alert.review_deadline
    counts = session.execute(
        select(
            func.count(),
            func.count().filter(on_time),
            func.count().filter(reviewed > Alert.review_deadline),
            func.count().filter(reviewed.is_(None)),
        )
        .select_from(Alert)
        .outerjoin(Meeting, Meeting.id == Alert.review_meeting_id)
        .where(restricted_alerts.readable_by(actor), Alert.filed_at >= now - ALERT_WINDOW)
    ).one()
    return AlertRecord(*counts)


def _days(value: timedelta) -> float:
    return round(value.total_seconds() / 86400, 1)


def plan_coverage(session: Session, today: date) -> list[CoverageRow]:
    """Each tier 1 and 2 country of concern, with the state of its plans in effect."""
    in_effect = (Plan.country_code == WatchlistEntry.country_code) & (Plan.status == "approved")
    has_plan = exists().where(in_effect)
    past_review = exists().where(in_effect, Plan.review_by < today)
    state = case((~has_plan, "no_plan"), (past_review, "past_review"), else_="in_effect")
    rows = session.execute(
        select(WatchlistEntry.country_code, Country.name, WatchlistEntry.tier, state)
        .join(Country, Country.code == WatchlistEntry.country_code)
        .where(
            WatchlistEntry.on_watchlist,
            WatchlistEntry.tier.in_(coverage.TIERS_NEEDING_A_PLAN),
        )
        .order_by(WatchlistEntry.tier, Country.name)
    )
    return [CoverageRow(code, name, tier, state) for code, name, tier, state in rows]
