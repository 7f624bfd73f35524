"""The review rotation: when each country of concern is next due for review.

A country's cadence is a number of regular meetings (by tier, from the settings, or the
country's own override). Its next review falls due at the cadence-th regular meeting after its
last review (or after it joined the watchlist); past that meeting it is overdue. Where the
schedule does not reach that far yet, the series interval is used to reckon the date.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlmodel import Session

from committee import clock, settings
from db.engine import read_session
from db.models import Country, Meeting, MeetingSeries, WatchlistEntry


@dataclass(frozen=True)
class ReviewDue:
    country_code: str
    country_name: str
    tier: int
    cadence: int
    last_reviewed_on: date | None
    next_due_on: date
    status: str  # on_time, due (by the next meeting), overdue

    @property
    def days_overdue(self) -> int:
        return max(0, (clock.today() - self.next_due_on).days)


def cadence(tier: int, override: int | None, cadences: dict | None = None) -> int:
    if override:
        return override
    cadences = cadences or settings.get("review_cadence")
    return int(cadences[str(tier)])


def regular_meeting_dates(session: Session) -> list[date]:
    """Dates of regular meetings held or scheduled, in order (cancelled ones do not count)."""
    rows = session.scalars(
        select(Meeting.starts_at)
        .where(Meeting.kind == "regular", Meeting.status != "cancelled")
        .order_by(Meeting.starts_at)
    )
    return [starts.date() for starts in rows]


def series_interval(session: Session) -> int:
    interval = session.scalar(
        select(MeetingSeries.interval_months).where(MeetingSeries.active).limit(1)
    )
    return interval or 2


def next_due(
    base: date, meetings_needed: int, meeting_dates: list[date], interval_months: int
) -> date:
    """The date of the ``meetings_needed``-th regular meeting after ``base``."""
    later = meeting_dates[bisect_right(meeting_dates, base) :]
    if len(later) >= meetings_needed:
        return later[meetings_needed - 1]
    reckoned_from = later[-1] if later else base
    missing = meetings_needed - len(later)
    return reckoned_from + relativedelta(months=interval_months * missing)


def review_schedule(
    session: Session | None = None, *, today: date | None = None
) -> list[ReviewDue]:
    """Every country on the watchlist with its next review date, most urgent first."""
    if session is None:
        with read_session() as session:
            return review_schedule(session, today=today)
    today = today or clock.today()
    meeting_dates = regular_meeting_dates(session)
    interval = series_interval(session)
    cadences = settings.get("review_cadence")
    upcoming = [d for d in meeting_dates if d >= today]
    next_meeting = upcoming[0] if upcoming else today
    schedule = []
    rows = session.execute(
        select(WatchlistEntry, Country.name)
        .join(Country, Country.code == WatchlistEntry.country_code)
        .where(WatchlistEntry.on_watchlist)
    )
    for entry, name in rows:
        every = cadence(entry.tier, entry.review_cadence_override, cadences)
        base = entry.last_reviewed_on or entry.since
        due_on = next_due(base, every, meeting_dates, interval)
        if entry.last_reviewed_on is None:
            due_on = min(due_on, today)
        if due_on < today:
            status = "overdue"
        elif due_on <= next_meeting:
            status = "due"
        else:
            status = "on_time"
        schedule.append(
            ReviewDue(
                entry.country_code, name, entry.tier, every, entry.last_reviewed_on, due_on, status
            )
        )
    order = {"overdue": 0, "due": 1, "on_time": 2}
    return sorted(schedule, key=lambda r: (order[r.status], r.tier, r.next_due_on))


def watched_countries() -> list[tuple[str, str, int]]:
    """(code, name, tier) of every country on the watchlist, by name."""
    with read_session() as session:
        return list(
            session.execute(
                select(Country.code, Country.name, WatchlistEntry.tier)
                .join(WatchlistEntry, WatchlistEntry.country_code == Country.code)
                .where(WatchlistEntry.on_watchlist)
                .order_by(Country.name)
            )
        )


def due_by(day: date, session: Session | None = None) -> list[ReviewDue]:
    """Countries whose review falls due by ``day``: tier 1 first, then the most overdue."""
    due = [r for r in review_schedule(session) if r.next_due_on <= day]
    return sorted(due, key=lambda r: (r.tier, r.next_due_on, r.country_name))
