"""Meetings: the regular series and its re-planning, moving or cancelling one meeting, ad hoc
and emergency sessions, and the lists, month view and meeting record people read.

The series rule lives in ``MeetingSeries``; the tool keeps the next 12 months of regular
meetings scheduled from it. A regular meeting stands for one slot of the series, the month of
its ``series_occurrence`` (the rule produces one meeting a month at most). Re-planning moves,
creates, cancels or restores only meetings nobody has touched: a meeting moved or cancelled by
hand (``edited_by_hand``), held, or with a published agenda stays as it is, and the report says
which ones were left alone and why.
"""

import calendar
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.relativedelta import relativedelta
from sqlalchemy import exists, func, or_, select
from sqlmodel import Session

from committee import (
    agenda,
    audit,
    clock,
    invitations,
    meeting_times,
    minutes,
    restricted_alerts,
    settings,
    titles,
)
from committee.actor import Actor
from committee.errors import NotFound, ValidationError
from committee.series import WEEKDAY_NAMES, SeriesRule, occurrences
from committee.transaction import Writing, writing
from db.engine import read_session
from db.models import (
    ActionItem,
    Agency,
    AgendaItem,
    Alert,
    Attendance,
    Country,
    Decision,
    Meeting,
    MeetingSeries,
)
from db.models.actions import CLOSED_STATUSES

HORIZON_MONTHS = 12  # regular meetings are kept scheduled this far ahead
SESSION_KINDS = ("ad_hoc", "emergency")
EMERGENCY_MINUTES = 60
SAFE_LINK = re.compile(r"^(https?://|mailto:)\S+$", re.IGNORECASE)


# --- the series rule --------------------------------------------------------------------------


def rule_of(series: MeetingSeries) -> SeriesRule:
    return SeriesRule(
        interval_months=series.interval_months,
        first_month=series.first_month,
        weekday=series.weekday,
        week_of_month=series.week_of_month,
        start_time=series.start_time,
        duration_minutes=series.duration_minutes,
        timezone=series.timezone,
    )


def current_series(session: Session | None = None) -> MeetingSeries | None:
    """The active regular series, or None before the chair sets one."""
    if session is None:
        with read_session() as session:
            return current_series(session)
    return session.scalar(
        select(MeetingSeries).where(MeetingSeries.active).order_by(MeetingSeries.id).limit(1)
    )


@dataclass
class Replan:
    """What applying the series rule did to the regular meetings of the next 12 months."""

    series: MeetingSeries
    created: list[Meeting] = field(default_factory=list)
    moved: list[Meeting] = field(default_factory=list)  # new time or place, or restored
    cancelled: list[Meeting] = field(default_factory=list)
    left_alone: list[tuple[Meeting, str]] = field(default_factory=list)  # (meeting, why)

    def summary(self) -> str:
        parts = [
            f"{len(self.created)} created",
            f"{len(self.moved)} re-planned",
            f"{len(self.cancelled)} cancelled",
            f"{len(self.left_alone)} left alone",
        ]
        return ", ".join(parts)

    def as_audit(self) -> dict:
        return {
            "created": [m.id for m in self.created],
            "moved": [m.id for m in self.moved],
            "cancelled": [m.id for m in self.cancelled],
            "left_alone": {m.id: why for m, why in self.left_alone},
        }


def set_series_rule(
    *,
    actor: Actor,
    interval_months: int,
    first_month: int,
    weekday: int,
    week_of_month: int,
    start_time: time,
    duration_minutes: int,
    timezone: str,
    location: str = "",
    video_link: str = "",
    seen_version: int | None = None,
) -> Replan:
    """Set (or change) the rule of the regular series, then re-plan the meetings nobody has
    touched. ``seen_version`` is the series' version the chair saw (None for a first rule)."""
    _check_rule(interval_months, first_month, weekday, week_of_month, duration_minutes)
    _check_zone(timezone)
    location, video_link = _check_place(location, video_link)
    values = dict(
        interval_months=interval_months,
        first_month=first_month,
        weekday=weekday,
        week_of_month=week_of_month,
        start_time=start_time.replace(second=0, microsecond=0),
        duration_minutes=duration_minutes,
        timezone=timezone,
        location=location,
        video_link=video_link,
    )
    with writing(actor, "series.set_rule") as w:
        w.require("meetings.schedule")
        series = current_series(w.session)
        if series is None:
            if seen_version is not None:
                raise NotFound("The series no longer exists.")
            series = MeetingSeries(**values)
            w.session.add(series)
            w.session.flush()
            before = None
        else:
            before = audit.snapshot(series)
            w.touch(series, seen_version=seen_version or 0, **values)
        report = _replan(w, series, clock.now())
        _tell_the_invited(w, report)
        w.audit(series, before=before, detail=f"re-planned: {report.summary()}")
    return report


def schedule_series(*, actor: Actor) -> Replan:
    """Apply the series rule: keep the next 12 months of regular meetings scheduled."""
    with writing(actor, "series.schedule") as w:
        w.require("meetings.schedule")
        series = current_series(w.session)
        if series is None:
            raise ValidationError(
                "No regular series is set yet: set its rule first.", field="series"
            )
        report = _replan(w, series, clock.now())
        _tell_the_invited(w, report)
        w.audit(series, after=report.as_audit(), detail=report.summary())
    return report


def _tell_the_invited(w: Writing, report: Replan) -> None:
    """Meetings the re-plan moved or cancelled: those already invited by mail are told."""
    for meeting in report.moved + report.cancelled:
        invitations.meeting_changed(w, meeting)


def _check_rule(interval, first_month, weekday, week, duration) -> None:
    if not 1 <= interval <= 12:
        raise ValidationError("Meet every 1 to 12 months.", field="interval_months")
    if not 1 <= first_month <= 12:
        raise ValidationError("Give a month from 1 (January) to 12.", field="first_month")
    if not 0 <= weekday <= 6:
        raise ValidationError("Give a weekday from Monday to Sunday.", field="weekday")
    if week not in (1, 2, 3, 4, -1):
        day = WEEKDAY_NAMES[weekday] if 0 <= weekday <= 6 else "weekday"
        raise ValidationError(
            f"Not every month has a fifth {day}: choose the first to fourth, or the last.",
            field="week_of_month",
        )
    if not 15 <= duration <= 720:
        raise ValidationError("A meeting lasts 15 to 720 minutes.", field="duration_minutes")


def _replan(w: Writing, series: MeetingSeries, now: datetime) -> Replan:
    """Bring the series' meetings of the next 12 months in line with its rule."""
    rule = rule_of(series)
    zone = ZoneInfo(series.timezone)
    wanted = {
        _slot(starts, zone): (starts, ends)
        for starts, ends in occurrences(rule, now, now + relativedelta(months=HORIZON_MONTHS))
    }
    session = w.session
    report = Replan(series=series)
    by_slot: dict[tuple[int, int], list[Meeting]] = defaultdict(list)
    for meeting in session.scalars(
        select(Meeting)
        .where(
            Meeting.series_id == series.id,
            Meeting.series_occurrence >= now - timedelta(days=31),
        )
        .order_by(Meeting.starts_at)
    ):
        by_slot[_slot(meeting.series_occurrence, zone)].append(meeting)

    for slot, (starts, ends) in sorted(wanted.items()):
        meetings = by_slot.pop(slot, [])
        kept = [m for m in meetings if _touched(m, now)]
        free = [m for m in meetings if not _touched(m, now)]
        for meeting in kept:
            if meeting.starts_at >= now and _differs(meeting, series, starts):
                report.left_alone.append((meeting, _why_kept(meeting)))
        if kept:
            continue
        if free:
            meeting = free[0]
            if _apply_slot(w, meeting, series, starts, ends, "The series rule changed."):
                report.moved.append(meeting)
        else:
            meeting = Meeting(
                kind="regular",
                series_id=series.id,
                calendar_uid=f"{uuid.uuid4()}@apc-desk",
                starts_at=starts,
                ends_at=ends,
                timezone=series.timezone,
                title="",
            )
            _apply_slot(w, meeting, series, starts, ends, "")
            session.add(meeting)
            report.created.append(meeting)

    # Slots the rule no longer produces.
    for meetings in by_slot.values():
        for meeting in meetings:
            if meeting.starts_at < now or meeting.status == "cancelled":
                continue
            if _touched(meeting, now):
                report.left_alone.append((meeting, _why_kept(meeting)))
                continue
            w.touch(
                meeting,
                status="cancelled",
                change_reason="The series rule changed: no regular meeting this month.",
            )
            report.cancelled.append(meeting)
    session.flush()
    return report


def _slot(moment: datetime, zone: ZoneInfo) -> tuple[int, int]:
    local = moment.astimezone(zone)
    return local.year, local.month


def _touched(meeting: Meeting, now: datetime) -> bool:
    return (
        meeting.edited_by_hand
        or meeting.status == "held"
        or meeting.agenda_status == "published"
        or meeting.starts_at < now
    )


def _differs(meeting: Meeting, series: MeetingSeries, starts: datetime) -> bool:
    """Would the rule give this meeting another time or place?"""
    return (meeting.starts_at, meeting.location, meeting.video_link, meeting.status) != (
        starts,
        series.location,
        series.video_link,
        "scheduled",
    )


def _why_kept(meeting: Meeting) -> str:
    if meeting.status == "held":
        return "already held"
    if meeting.edited_by_hand and meeting.status == "cancelled":
        return "cancelled by hand"
    if meeting.edited_by_hand:
        return "moved or edited by hand"
    if meeting.agenda_status == "published":
        return "its agenda is published"
    return "already under way"


def _apply_slot(
    w: Writing, meeting: Meeting, series: MeetingSeries, starts: datetime, ends: datetime, why: str
) -> bool:
    """Give an untouched meeting its slot's time and place; True if anything changed."""
    local = starts.astimezone(ZoneInfo(series.timezone))
    values = dict(
        starts_at=starts,
        ends_at=ends,
        timezone=series.timezone,
        location=series.location,
        video_link=series.video_link,
        status="scheduled",
        title=f"Regular meeting — {local:%B %Y}",
    )
    changed = {k for k, v in values.items() if getattr(meeting, k) != v}
    if meeting.id is not None and not changed:
        return False
    values["series_occurrence"] = starts
    if meeting.id is None:
        for key, value in values.items():
            setattr(meeting, key, value)
    else:
        w.touch(meeting, **values, change_reason=why)
    return True


# --- one meeting ------------------------------------------------------------------------------


def move_meeting(
    *,
    actor: Actor,
    meeting_id: int,
    seen_version: int,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
    location: str,
    video_link: str,
    reason: str,
) -> Meeting:
    """Move one meeting (time or place) on its own; the series goes on around it.

    ``starts_at`` and ``ends_at`` are wall-clock times in ``timezone`` (or aware datetimes)."""
    starts, ends = _when(starts_at, ends_at, timezone)
    location, video_link = _check_place(location, video_link)
    reason = _reason(reason, "Say why the meeting is moved.")
    with writing(actor, "meeting.move") as w:
        return _change_by_hand(
            w,
            meeting_id,
            seen_version=seen_version,
            reason=reason,
            starts_at=starts,
            ends_at=ends,
            timezone=timezone,
            location=location,
            video_link=video_link,
        )


def cancel_meeting(*, actor: Actor, meeting_id: int, seen_version: int, reason: str) -> Meeting:
    """Cancel one meeting with a reason; its calendar UID stays, its SEQUENCE grows."""
    reason = _reason(reason, "Say why the meeting is cancelled.")
    with writing(actor, "meeting.cancel") as w:
        return _change_by_hand(
            w, meeting_id, seen_version=seen_version, reason=reason, status="cancelled"
        )


def _change_by_hand(
    w: Writing, meeting_id: int, *, seen_version: int, reason: str, **values
) -> Meeting:
    """The chair's change to a scheduled meeting: it says why, the series re-plan leaves the
    meeting alone from now on, and calendars see a new SEQUENCE."""
    meeting = _scheduled(w, meeting_id)
    before = audit.snapshot(meeting)
    w.touch(meeting, seen_version=seen_version, **values, change_reason=reason, edited_by_hand=True)
    invitations.meeting_changed(w, meeting)
    w.audit(meeting, before=before)
    return meeting


def schedule_session(
    *,
    actor: Actor,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
    reason: str,
    location: str = "",
    video_link: str = "",
    country_code: str | None = None,
) -> Meeting:
    """An ad hoc or emergency session, "as needed at other times" (Blueprint 4-1)."""
    if kind not in SESSION_KINDS:
        raise ValidationError("A session is ad hoc or an emergency session.", field="kind")
    with writing(actor, f"meeting.schedule_{kind}") as w:
        w.require("meetings.schedule")
        meeting = _new_session(
            w,
            kind=kind,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=timezone,
            reason=reason,
            location=location,
            video_link=video_link,
            country_code=country_code,
        )
        w.audit(meeting)
    return meeting


def call_emergency_session(
    *,
    actor: Actor,
    country_code: str,
    starts_at: datetime,
    reason: str,
    alert_id: int | None = None,
    duration_minutes: int = EMERGENCY_MINUTES,
    timezone: str | None = None,
    location: str = "",
    video_link: str = "",
) -> Meeting:
    """An emergency session on one country, called from the country or from an alert. Its
    agenda starts with the alert's review (when called from one) and the country's review;
    the alert's own status is the alert channel's business."""
    timezone = timezone or str(settings.get("timezone"))
    with writing(actor, "meeting.call_emergency") as w:
        w.require("meetings.schedule")
        country = _country(w.session, country_code)
        alert = w.get(Alert, alert_id, what="Alert") if alert_id is not None else None
        if alert is not None and alert.country_code != country.code:
            raise ValidationError("The alert is about another country.", field="alert")
        meeting = emergency_session(
            w,
            country=country,
            alert=alert,
            starts_at=starts_at,
            minutes=duration_minutes,
            timezone=timezone,
            reason=reason,
            location=location,
            video_link=video_link,
        )
        w.audit(meeting)
    return meeting


def emergency_session(
    w: Writing,
    *,
    country: Country,
    alert: Alert | None,
    starts_at: datetime,
    minutes: int,
    timezone: str,
    reason: str,
    location: str = "",
    video_link: str = "",
) -> Meeting:
    """An emergency session on ``country``, added in the caller's transaction (which checks
    the permission and audits): the meeting and its agenda, the alert's review first when it
    is called for one (a third of the time), then the country's review. A session called for
    a restricted alert names no country, in its title, its agenda or anywhere it is listed:
    that the warning was about this country is as restricted as the warning (issue 17)."""
    named = country if alert is None or agenda.alert_country(alert) else None
    meeting = _new_session(
        w,
        kind="emergency",
        title=f"Emergency session — {named.name}" if named else "",
        starts_at=starts_at,
        ends_at=_localize(starts_at, timezone) + timedelta(minutes=minutes),
        timezone=timezone,
        reason=reason,
        location=location,
        video_link=video_link,
        country_code=named.code if named else None,
    )
    meeting.called_for_alert_id = alert.id if alert is not None else None
    alert_minutes = 0
    if alert is not None:
        alert_minutes = minutes // 3 if named else minutes
        agenda.append_item(w, meeting, kind="alert_review", minutes=alert_minutes, alert=alert)
    if named:
        agenda.append_item(
            w,
            meeting,
            kind="country_review",
            title=f"Review: {named.name}",
            country_code=named.code,
            minutes=minutes - alert_minutes,
        )
    return meeting


def _new_session(
    w: Writing,
    *,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
    reason: str,
    location: str,
    video_link: str,
    country_code: str | None,
) -> Meeting:
    starts, ends = _when(starts_at, ends_at, timezone)
    location, video_link = _check_place(location, video_link)
    reason = _reason(reason, "Say why the session is called.")
    country = _country(w.session, country_code) if country_code else None
    label = "Emergency session" if kind == "emergency" else "Ad hoc meeting"
    title = titles.checked(title, what="the meeting", required=False) or (
        f"{label} — {country.name}" if country else f"{label} — {starts.date():%d %B %Y}"
    )
    meeting = Meeting(
        kind=kind,
        title=title,
        starts_at=starts,
        ends_at=ends,
        timezone=timezone,
        location=location,
        video_link=video_link,
        reason=reason,
        called_for_country=country.code if country else None,
        calendar_uid=f"{uuid.uuid4()}@apc-desk",
        created_by_id=w.actor.id,
    )
    w.session.add(meeting)
    w.session.flush()
    return meeting


def _scheduled(w: Writing, meeting_id: int) -> Meeting:
    meeting = w.get(Meeting, meeting_id, what="Meeting")
    w.require("meetings.schedule", record=meeting)
    if meeting.status != "scheduled":
        raise ValidationError(f"The meeting is {meeting.status}: it cannot change.", field="status")
    return meeting


def _check_zone(name: str) -> ZoneInfo:
    if not name or name not in available_timezones():
        raise ValidationError(
            f"{name!r} is not a time zone: use an IANA name such as America/New_York.",
            field="timezone",
        )
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError as error:  # listed but not installed
        raise ValidationError(f"{name!r} is not installed here.", field="timezone") from error


def _localize(moment: datetime, zone_name: str) -> datetime:
    """A wall-clock time in ``zone_name`` (or an aware datetime, kept as it is)."""
    zone = _check_zone(zone_name)
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _when(starts_at: datetime, ends_at: datetime, zone_name: str) -> tuple[datetime, datetime]:
    starts, ends = _localize(starts_at, zone_name), _localize(ends_at, zone_name)
    if ends <= starts:
        raise ValidationError("The meeting must end after it starts.", field="ends_at")
    if starts <= clock.now():
        raise ValidationError("That time has passed: choose a time ahead.", field="starts_at")
    return starts, ends


def _check_place(location: str, video_link: str) -> tuple[str, str]:
    location, video_link = (location or "").strip(), (video_link or "").strip()
    if len(location) > 300:
        raise ValidationError("Keep the place under 300 characters.", field="location")
    if video_link and (not SAFE_LINK.match(video_link) or len(video_link) > 500):
        raise ValidationError(
            "A video link starts with https:// (or http://, mailto:).", field="video_link"
        )
    return location, video_link


def _reason(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message, field="reason")
    return text


def _country(session: Session, code: str) -> Country:
    country = session.get(Country, (code or "").strip().upper())
    if country is None:
        raise ValidationError(f"No country with code {code!r}.", field="country")
    return country


# --- reading: lists, the month view, one meeting's record -------------------------------------


@dataclass
class MeetingRow:
    """A meeting in a list, with the countries on its agenda."""

    meeting: Meeting
    countries: list[str]  # country names, in agenda order
    items: int


@dataclass
class MeetingPage:
    rows: list[MeetingRow]
    total: int


def list_meetings(
    *,
    when: str | None = None,
    kind: str | None = None,
    country_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> MeetingPage:
    """Meetings, ``when`` "upcoming" (soonest first) or "past" (latest first, held ahead of
    its date included, dated when it ran), filtered by kind and by a country on the agenda or
    called for; one page of them."""
    now = clock.now()
    query = _filtered(select(Meeting), kind, country_code)
    over = or_(Meeting.ends_at < now, Meeting.status == "held")
    if when == "upcoming":
        query = query.where(~over).order_by(Meeting.starts_at)
    elif when == "past":
        query = query.where(over).order_by(meeting_times.took_place_sql().desc())
    else:
        query = query.order_by(Meeting.starts_at)
    with read_session() as session:
        meetings = list(session.scalars(query.limit(limit).offset(offset)))
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        return MeetingPage(_with_countries(session, meetings), total)


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    meetings: list[Meeting]


@dataclass
class MonthView:
    """A month as weeks of days (Monday first), with the meetings of each day in the
    committee's time zone."""

    year: int
    month: int
    weeks: list[list[CalendarDay]]

    @property
    def title(self) -> str:
        return f"{calendar.month_name[self.month]} {self.year}"

    def shifted(self, months: int) -> tuple[int, int]:
        moved = date(self.year, self.month, 1) + relativedelta(months=months)
        return moved.year, moved.month


def month_view(
    *,
    year: int,
    month: int,
    kind: str | None = None,
    country_code: str | None = None,
    zone: ZoneInfo | None = None,
) -> MonthView:
    """``zone`` is the committee's time zone (read from the settings when not given)."""
    zone = zone or settings.zone()
    grid = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = grid[0][0], grid[-1][-1] + timedelta(days=1)
    query = _filtered(select(Meeting), kind, country_code).where(
        Meeting.starts_at >= datetime.combine(first, time(), zone),
        Meeting.starts_at < datetime.combine(last, time(), zone),
    )
    by_day: dict[date, list[Meeting]] = defaultdict(list)
    with read_session() as session:
        for meeting in session.scalars(query.order_by(Meeting.starts_at)):
            by_day[meeting.starts_at.astimezone(zone).date()].append(meeting)
    weeks = [[CalendarDay(d, d.month == month, by_day.get(d, [])) for d in week] for week in grid]
    return MonthView(year, month, weeks)


def _filtered(query, kind: str | None, country_code: str | None):
    if kind:
        query = query.where(Meeting.kind == kind)
    if country_code:
        on_agenda = exists().where(
            AgendaItem.meeting_id == Meeting.id, AgendaItem.country_code == country_code
        )
        query = query.where(or_(Meeting.called_for_country == country_code, on_agenda))
    return query


def _with_countries(session: Session, meetings: list[Meeting]) -> list[MeetingRow]:
    """The meetings with their agendas' countries, in one query for the whole page."""
    countries: dict[int, list[str]] = defaultdict(list)
    items: dict[int, int] = defaultdict(int)
    if meetings:
        rows = session.execute(
            select(AgendaItem.meeting_id, Country.name)
            .join(Country, Country.code == AgendaItem.country_code, isouter=True)
            .where(AgendaItem.meeting_id.in_([m.id for m in meetings]))
            .order_by(AgendaItem.meeting_id, AgendaItem.position)
        )
        for meeting_id, name in rows:
            items[meeting_id] += 1
            if name and name not in countries[meeting_id]:
                countries[meeting_id].append(name)
    return [MeetingRow(m, countries[m.id], items[m.id]) for m in meetings]


def open_meetings(*, limit: int = 12) -> list[Meeting]:
    """Meetings a chair may still prepare or run: scheduled, ending no more than a week ago."""
    with read_session() as session:
        return list(
            session.scalars(
                select(Meeting)
                .where(
                    Meeting.status == "scheduled",
                    Meeting.ends_at >= clock.now() - timedelta(days=7),
                )
                .order_by(Meeting.starts_at)
                .limit(limit)
            )
        )


def get_meeting(meeting_id: int) -> Meeting:
    with read_session() as session:
        meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"Meeting {meeting_id} does not exist.")
    return meeting


@dataclass
class AttendanceRow:
    agency: Agency
    attendance: Attendance | None  # None: not recorded


@dataclass
class ActionRow:
    """An action item with its owner agency's code."""

    item: ActionItem
    agency_code: str

    @property
    def overdue(self) -> bool:
        return self.item.status not in CLOSED_STATUSES and self.item.due_on < clock.today()


@dataclass
class MeetingRecord:
    """One meeting as its page shows it to a member: agenda, attendance, decisions, minutes,
    and the action items it created (only the viewer's agency's, for a representative)."""

    meeting: Meeting
    agenda: agenda.AgendaView | None  # None: a draft agenda the person may not read yet
    attendance: list[AttendanceRow]
    decisions: list[Decision]
    minutes: minutes.MinutesRecord
    actions: list[ActionRow]
    called_for: str | None  # country name of an emergency session


def meeting_record(*, meeting_id: int, actor: Actor) -> MeetingRecord:
    with read_session() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound(f"Meeting {meeting_id} does not exist.")
        actions = (
            select(ActionItem, Agency.code)
            .join(Agency, Agency.id == ActionItem.owner_agency_id)
            .where(ActionItem.meeting_id == meeting_id)
            .order_by(ActionItem.due_on, ActionItem.id)
        )
        if actor.role == "agency_rep":
            actions = actions.where(ActionItem.owner_agency_id == actor.agency_id)
        called_for = (
            session.scalar(select(Country.name).where(Country.code == meeting.called_for_country))
            if meeting.called_for_country
            else None
        )
        return MeetingRecord(
            meeting=meeting,
            agenda=agenda.agenda_view(session, meeting)
            if agenda.may_read(actor, meeting)
            else None,
            attendance=attendance_of(session, meeting_id),
            decisions=list(
                session.scalars(
                    select(Decision)
                    .where(
                        Decision.meeting_id == meeting_id,
                        restricted_alerts.derived_readable_by(actor, Decision.alert_id),
                    )
                    .order_by(Decision.decided_at, Decision.id)
                )
            ),
            minutes=minutes.minutes_record(session, meeting_id),
            actions=[ActionRow(item, code) for item, code in session.execute(actions)],
            called_for=called_for,
        )


def attendance_of(session: Session, meeting_id: int) -> list[AttendanceRow]:
    """Every active agency (and any inactive one recorded) with its attendance, by name."""
    rows = session.execute(
        select(Agency, Attendance)
        .join(
            Attendance,
            (Attendance.agency_id == Agency.id) & (Attendance.meeting_id == meeting_id),
            isouter=True,
        )
        .where(or_(Agency.active, Attendance.id.is_not(None)))
        .order_by(Agency.name)
    )
    return [AttendanceRow(agency, attendance) for agency, attendance in rows]
