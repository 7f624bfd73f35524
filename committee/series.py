"""The rule of the regular meeting series, expanded into meeting times.

Expansion works on local wall-clock times and attaches the zone afterwards, so a 10:00
meeting stays at 10:00 local time across daylight-saving changes.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, rrule, weekday

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


@dataclass(frozen=True)
class SeriesRule:
    interval_months: int
    first_month: int
    weekday: int  # 0 Monday .. 6 Sunday
    week_of_month: int  # 1..4 or -1 (last)
    start_time: time
    duration_minutes: int
    timezone: str

    def describe(self) -> str:
        months = sorted(
            {
                (self.first_month - 1 + k * self.interval_months) % 12 + 1
                for k in range(12 // self.interval_months or 1)
            }
        )
        month_names = ", ".join(date(2000, m, 1).strftime("%b") for m in months)
        return (
            f"the {ORDINALS[self.week_of_month]} {WEEKDAY_NAMES[self.weekday]} of "
            f"{month_names}, {self.start_time:%H:%M} {self.timezone}, "
            f"{self.duration_minutes} minutes"
        )

    def rrule_parts(self) -> dict:
        """The rule in RFC 5545 terms, for calendar exports."""
        day = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[self.weekday]
        return {
            "FREQ": "MONTHLY",
            "INTERVAL": self.interval_months,
            "BYDAY": f"{self.week_of_month}{day}",
        }


def occurrences(
    rule: SeriesRule, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """(start, end) of each meeting the rule produces with start in [start, end), aware."""
    zone = ZoneInfo(rule.timezone)
    anchor = datetime(
        start.astimezone(zone).year - 1,
        rule.first_month,
        1,
        rule.start_time.hour,
        rule.start_time.minute,
    )
    local_end = end.astimezone(zone).replace(tzinfo=None)
    pattern = rrule(
        MONTHLY,
        interval=rule.interval_months,
        byweekday=weekday(rule.weekday, rule.week_of_month),
        dtstart=anchor,
        until=local_end,
    )
    length = timedelta(minutes=rule.duration_minutes)
    found = []
    for local in pattern:
        begins = local.replace(tzinfo=zone)
        if start <= begins < end:
            found.append((begins, (local + length).replace(tzinfo=zone)))
    return found


def produces(rule: SeriesRule, moment: datetime) -> bool:
    """Does the rule produce a meeting starting at ``moment``?"""
    window = timedelta(days=1)
    return any(s == moment for s, _ in occurrences(rule, moment - window, moment + window))
