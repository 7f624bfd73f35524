"""The dashboard's figures: is the committee doing its job? Each figure is computed in the
database, in a fixed number of queries whatever the size of the record, and carries the rows
behind it so that every chart leads to its list.

- countries of concern by review status (reviewed on time, due, overdue), by tier;
- open action items by agency and status, the overdue ones apart;
- open and overdue action items at each of the last 12 month ends;
- time from alert to review, against the deadline;
- plan coverage: tier 1 and 2 countries with a plan in effect, past its review, or none;
- the countries of concern, for the world map by tier.
"""

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from dateutil.relativedelta import relativedelta
from sqlalchemy import case, exists, func, select
from sqlmodel import Session

from committee import alerts, clock, coverage, rotation, vocabulary
from committee.actor import Actor
from db.engine import read_session
from db.models import ActionItem, Agency, Alert, Country, Meeting, Plan, WatchlistEntry
from db.models.actions import CLOSED_STATUSES

TREND_MONTHS = 12
ALERT_WINDOW = timedelta(days=365)
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
        .where(ActionItem.status.not_in(CLOSED_STATUSES))
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
    if also due before that day. One query, two counts per month end."""
    closed_when = case(
        (
            ActionItem.status.in_(CLOSED_STATUSES),
            func.coalesce(ActionItem.closed_at, ActionItem.updated_at),
        )
    )
    days = month_ends(today)
    columns = []
    for day in days:
        end = datetime.combine(day + timedelta(days=1), time(), timezone.utc)
        is_open = (ActionItem.created_at < end) & (closed_when.is_(None) | (closed_when >= end))
        columns += [
            func.count().filter(is_open),
            func.count().filter(is_open, ActionItem.due_on < day),
        ]
    counts = session.execute(select(*columns).select_from(ActionItem)).one()
    return [TrendPoint(day, counts[2 * i], counts[2 * i + 1]) for i, day in enumerate(days)]


def alert_timings(session: Session, *, actor: Actor, now: datetime) -> list[AlertTiming]:
    """The alerts ``actor`` may see of the past year (and any older one still open), oldest
    first, with their time to review."""
    reviewed = alerts.review_time()
    rows = session.execute(
        select(Alert, Country.name, reviewed)
        .join(Country, Country.code == Alert.country_code)
        .outerjoin(Meeting, Meeting.id == Alert.review_meeting_id)
        .where(
            alerts.readable_by(actor),
            (Alert.filed_at >= now - ALERT_WINDOW) | (Alert.status != "closed"),
        )
        .order_by(Alert.filed_at)
    )
    timings = []
    for alert, name, reviewed_at in rows:
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
