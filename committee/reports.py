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

from committee import alerts, clock, settings
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

    @property
    def on_time(self) -> bool:
        return self.days_to_review is not None and self.days_to_review <= self.deadline_days

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
        )

    @property
    def reviews_held(self) -> int:
        return sum(r.reviews for r in self.reviews)

    @property
    def alerts_reviewed_on_time(self) -> int:
        return sum(1 for a in self.alerts if a.on_time)


def year_period(year: int) -> tuple[date, date]:
    if not FIRST_YEAR <= year <= clock.today().year:
        raise ValidationError(
            f"Choose a year from {FIRST_YEAR} to {clock.today().year}.", field="year"
        )
    return date(year, 1, 1), date(year, 12, 31)


def annual_report(*, actor: Actor, start: date, end: date) -> AnnualReport:
    """The report for the period, in a fixed number of queries."""
    if end < start:
        raise ValidationError("The period ends before it starts.", field="end")
    zone = settings.zone()
    # The period is read in the committee's time zone: its days are the committee's days.
    since = datetime.combine(start, time(), zone)
    until = datetime.combine(end + timedelta(days=1), time(), zone)

    def within(column):
        return and_(column >= since, column < until)

    with read_session() as session:
        held = dict(
            session.execute(
                select(Meeting.kind, func.count())
                .where(Meeting.status == "held", within(Meeting.starts_at))
                .group_by(Meeting.kind)
            ).all()
        )
        reviews = [
            CountryReviews(code, name, tier, count, last.astimezone(zone).date())
            for code, name, tier, count, last in session.execute(
                select(
                    Country.code,
                    Country.name,
                    WatchlistEntry.tier,
                    func.count(func.distinct(Meeting.id)),
                    func.max(Meeting.starts_at),
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
                    within(Meeting.starts_at),
                )
                .group_by(Country.code, Country.name, WatchlistEntry.tier)
                .order_by(func.count(func.distinct(Meeting.id)).desc(), Country.name)
            )
        ]
        tier_changes = [
            TierChangeLine(
                change.changed_at.astimezone(zone).date(),
                name,
                change.old_tier,
                change.new_tier,
                change.reason,
            )
            for change, name in session.execute(
                select(TierChange, Country.name)
                .join(Country, Country.code == TierChange.country_code)
                .where(within(TierChange.changed_at))
                .order_by(TierChange.changed_at, TierChange.id)
            )
        ]
        plans = [
            PlanApproval(approved.astimezone(zone).date(), name, title, kind, number)
            for approved, name, title, kind, number in session.execute(
                select(
                    PlanVersion.approved_at, Country.name, Plan.title, Plan.kind, PlanVersion.number
                )
                .join(Plan, Plan.id == PlanVersion.plan_id)
                .join(Country, Country.code == Plan.country_code)
                .where(within(PlanVersion.approved_at))
                .order_by(PlanVersion.approved_at)
            )
        ]
        opened, closed = within(ActionItem.created_at), within(ActionItem.closed_at)
        actions = [
            AgencyActivity(*row)
            for row in session.execute(
                select(
                    Agency.code,
                    Agency.name,
                    func.count().filter(opened),
                    func.count().filter(closed, ActionItem.status == "done"),
                    func.count().filter(closed, ActionItem.status == "cancelled"),
                )
                .join(Agency, Agency.id == ActionItem.owner_agency_id)
                .where(opened | closed)
                .group_by(Agency.code, Agency.name)
                .order_by(Agency.code)
            )
        ]
        filed = [
            _alert_line(alert, name, reviewed, zone)
            for alert, name, reviewed in session.execute(
                select(Alert, Country.name, alerts.review_time())
                .join(Country, Country.code == Alert.country_code)
                .outerjoin(Meeting, Meeting.id == Alert.review_meeting_id)
                .where(alerts.readable_by(actor), within(Alert.filed_at))
                .order_by(Alert.filed_at)
            )
        ]
    return AnnualReport(start, end, held, reviews, tier_changes, plans, actions, filed)


def _alert_line(alert: Alert, name: str, reviewed: datetime | None, zone) -> AlertLine:
    def days(moment: datetime) -> float:
        return round((moment - alert.filed_at).total_seconds() / 86400, 1)

    return AlertLine(
        reference=alert.reference,
        country_name="Restricted" if alert.restricted else name,
        severity=alert.severity,
        filed_on=alert.filed_at.astimezone(zone).date(),
        days_to_review=days(reviewed) if reviewed else None,
        deadline_days=days(alert.review_deadline),
        deadline_passed=alert.review_deadline < clock.now(),
    )
