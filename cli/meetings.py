"""Commands for the meeting cycle: meetings list, schedule, series, cadence, move, cancel."""

import argparse
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from cli.common import lazy, operator
from committee.errors import ValidationError
from committee.series import WEEKDAY_NAMES

meetings, rotation, settings, vocabulary, watchlist = lazy(
    "committee.meetings",
    "committee.rotation",
    "committee.settings",
    "committee.vocabulary",
    "committee.watchlist",
)
WEEKDAYS = {name[:3].lower(): number for number, name in enumerate(WEEKDAY_NAMES)}


def meeting_kind(value: str) -> str:
    """A kind of meeting, checked when the command runs (the vocabulary loads late)."""
    if value not in vocabulary.MEETING_KIND_LABELS:
        kinds = ", ".join(vocabulary.MEETING_KIND_LABELS)
        raise argparse.ArgumentTypeError(f"invalid kind {value!r} (choose from {kinds})")
    return value


def register(commands) -> None:
    group = commands.add_parser("meetings", help="the meeting cycle: list, schedule, series rule")
    actions = group.add_subparsers(dest="meetings_command", required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="list meetings")
    when = listing.add_mutually_exclusive_group()
    when.add_argument("--upcoming", action="store_const", const="upcoming", dest="when")
    when.add_argument("--past", action="store_const", const="past", dest="when")
    listing.add_argument("--kind", type=meeting_kind, help="regular, ad_hoc or emergency")
    listing.add_argument("--country", help="ISO alpha-3 code of a country on the agenda")
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(run=run_list)

    schedule = actions.add_parser(
        "schedule", help="apply the series rule: keep the next 12 months of meetings scheduled"
    )
    schedule.set_defaults(run=run_schedule)

    series = actions.add_parser("series", help="show the series rule, or change it with --set")
    series.add_argument("--set", action="store_true", help="change the rule, then re-plan")
    series.add_argument("--every", type=int, help="months between meetings (1-12)")
    series.add_argument("--first-month", type=int, help="a month the series meets in (1-12)")
    series.add_argument("--weekday", choices=list(WEEKDAYS), help="e.g. tue")
    series.add_argument("--week", type=int, help="week of the month: 1-4, or -1 for the last")
    series.add_argument("--at", help="local start time, HH:MM")
    series.add_argument("--minutes", type=int, help="length of a meeting")
    series.add_argument("--zone", help="IANA time zone, e.g. America/New_York")
    series.add_argument("--place", help="where the meetings are held")
    series.add_argument("--video", help="video link (https://...)")
    series.set_defaults(run=run_series)

    cadence = actions.add_parser(
        "cadence", help="review a country every N regular meetings, or by its tier again"
    )
    cadence.add_argument("country", help="ISO alpha-3 code")
    cadence.add_argument("meetings", help="a number 1-12, or 'tier' for the tier's cadence")
    cadence.set_defaults(run=run_cadence)

    move = actions.add_parser(
        "move", help="move one meeting (as its page does); those invited by mail are told"
    )
    move.add_argument("meeting", type=int, help="the meeting's id (see `meetings list`)")
    move.add_argument("--date", help="the new day, YYYY-MM-DD (default: the same day)")
    move.add_argument("--at", help="the new local start, HH:MM (default: the same)")
    move.add_argument("--until", help="the new local end, HH:MM (default: the same length)")
    move.add_argument("--zone", help="IANA time zone (default: the meeting's)")
    move.add_argument("--place", help="where it is held (default: the same)")
    move.add_argument("--video", help="video link (default: the same)")
    move.add_argument("--reason", required=True, help="why it moves")
    move.set_defaults(run=run_move)

    cancel = actions.add_parser(
        "cancel", help="cancel one meeting (as its page does); those invited by mail are told"
    )
    cancel.add_argument("meeting", type=int, help="the meeting's id")
    cancel.add_argument("--reason", required=True, help="why it is cancelled")
    cancel.set_defaults(run=run_cancel)


def run_list(args) -> int:
    page = meetings.list_meetings(
        when=args.when, kind=args.kind, country_code=args.country, limit=args.limit
    )
    zone = settings.zone()
    for row in page.rows:
        meeting = row.meeting
        print(
            f"{meeting.id:5} {meeting.starts_at.astimezone(zone):%Y-%m-%d %H:%M %Z}  "
            f"{vocabulary.MEETING_KIND_LABELS[meeting.kind]:9} "
            f"{vocabulary.MEETING_STATUS_LABELS[meeting.status]:9} "
            f"{meeting.title}" + (f"  [{', '.join(row.countries)}]" if row.countries else "")
        )
    print(f"{len(page.rows)} of {page.total} meeting(s)")
    return 0


def run_schedule(args) -> int:
    report_replan(meetings.schedule_series(actor=operator()))
    return 0


def run_series(args) -> int:
    series = meetings.current_series()
    if not args.set:
        if series is None:
            print("no regular series yet: set one with `meetings series --set ...`")
            return 1
        print(f"{series.name}: {meetings.rule_of(series).describe()}")
        print(f"place: {series.location or '-'}; video: {series.video_link or '-'}")
        return 0

    def keep(given, current, default):
        return given if given is not None else (current if series else default)

    report_replan(
        meetings.set_series_rule(
            actor=operator(),
            interval_months=keep(args.every, series and series.interval_months, 2),
            first_month=keep(args.first_month, series and series.first_month, 1),
            weekday=keep(
                WEEKDAYS[args.weekday] if args.weekday else None, series and series.weekday, 1
            ),
            week_of_month=keep(args.week, series and series.week_of_month, 2),
            start_time=keep(_time(args.at), series and series.start_time, time(10, 0)),
            duration_minutes=keep(args.minutes, series and series.duration_minutes, 120),
            timezone=keep(args.zone, series and series.timezone, settings.get("timezone")),
            location=keep(args.place, series and series.location, ""),
            video_link=keep(args.video, series and series.video_link, ""),
            seen_version=series.version if series else None,
        )
    )
    return 0


def run_cadence(args) -> int:
    if args.meetings == "tier":
        every = None
    elif args.meetings.isdigit():
        every = int(args.meetings)
    else:
        raise ValidationError("Give a number of meetings (1-12), or 'tier'.", field="meetings")
    entry = watchlist.set_review_cadence(
        actor=operator(), country_code=args.country, meetings=every, seen_version=None
    )
    print(
        f"{entry.country_code}: reviewed every {every} regular meeting(s)"
        if every
        else f"{entry.country_code}: reviewed at its tier's cadence"
    )
    return 0


def run_move(args) -> int:
    meeting = meetings.get_meeting(args.meeting)
    zone = args.zone or meeting.timezone
    starts = meeting.starts_at.astimezone(ZoneInfo(meeting.timezone))
    ends = meeting.ends_at.astimezone(ZoneInfo(meeting.timezone))
    day = _date(args.date) or starts.date()
    new_start = datetime.combine(day, _time(args.at) or starts.time())
    new_end = (
        datetime.combine(day, _time(args.until)) if args.until else new_start + (ends - starts)
    )
    moved = meetings.move_meeting(
        actor=operator(),
        meeting_id=meeting.id,
        seen_version=meeting.version,
        starts_at=new_start,
        ends_at=new_end,
        timezone=zone,
        location=meeting.location if args.place is None else args.place,
        video_link=meeting.video_link if args.video is None else args.video,
        reason=args.reason,
    )
    local = moved.starts_at.astimezone(ZoneInfo(moved.timezone))
    print(
        f"moved: {moved.title} now {local:%Y-%m-%d %H:%M %Z} (sequence {moved.calendar_sequence})"
    )
    return 0


def run_cancel(args) -> int:
    meeting = meetings.get_meeting(args.meeting)
    cancelled = meetings.cancel_meeting(
        actor=operator(), meeting_id=meeting.id, seen_version=meeting.version, reason=args.reason
    )
    print(f"cancelled: {cancelled.title}")
    return 0


def report_replan(report: "meetings.Replan") -> None:
    zone = settings.zone()
    print(f"series: {meetings.rule_of(report.series).describe()}")
    for label, found in (
        ("created", report.created),
        ("re-planned", report.moved),
        ("cancelled", report.cancelled),
    ):
        for meeting in found:
            when = meeting.starts_at.astimezone(zone)
            print(f"{label:11} {when:%Y-%m-%d %H:%M %Z}  {meeting.title}")
    for meeting, why in report.left_alone:
        when = meeting.starts_at.astimezone(zone)
        print(f"left alone  {when:%Y-%m-%d %H:%M %Z}  {meeting.title} ({why})")
    print(report.summary())


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise ValidationError("Give the day as YYYY-MM-DD.", field="date") from error


def _time(text: str | None) -> time | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%H:%M").time()
    except ValueError as error:
        raise ValidationError("Give the time as HH:MM, e.g. 10:00.", field="at") from error
