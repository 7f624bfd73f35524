"""The current time, in one place (tests move it)."""

from datetime import date, datetime, timezone


def now() -> datetime:
    """The current moment, UTC, timezone-aware."""
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date in UTC: due dates and review dates are calendar days."""
    return now().date()
