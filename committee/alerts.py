"""The mass atrocities alert channel (Blueprint 2-4) and the policy review it triggers (2-5).

Filing an alert is acknowledged at once with a reference number, and in the same transaction:

- the country goes on the watchlist if it is not there (tier suggested by the severity);
- the review deadline is set (settings ``alert_review_days``: 3 days for acute, 14 otherwise);
- when the next scheduled meeting starts by the deadline, the alert's review goes on its agenda
  (status "under review"); otherwise an emergency session is proposed to the chair, with a
  ready agenda (``emergency_proposal``) that ``schedule_emergency_session`` sets up in one go;
- every chair is told in the in-app inbox.

An alert closes only with a recorded decision: of a meeting (on the alert's agenda item) or of
the chair, with the reason. Restricted alerts are seen only by chairs and the filing agency.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from committee import (
    access,
    agenda,
    audit,
    clock,
    decisions,
    meeting_times,
    meetings,
    notices,
    restricted_alerts,
    settings,
    watchlist,
)
from committee.actor import Actor
from committee.errors import NotFound, PermissionDenied, ValidationError
from committee.naming import person_name
from committee.transaction import Writing, one_at_a_time, writing
from db.engine import read_session
from db.models import (
    Agency,
    AgendaItem,
    Alert,
    Country,
    Decision,
    Meeting,
    Notification,
    User,
)
from db.models.alerts import ALERT_STATUSES, SEVERITIES

REFERENCE_PREFIX = "ALR"
SUMMARY_LIMIT = 5000
SOURCES_LIMIT = 5000
SAFE_SCHEMES = ("http", "https", "mailto")
EMERGENCY_START = time(10, 0)  # a working morning in the committee's time zone
EMERGENCY_NOTICE = timedelta(hours=4)  # the least notice a proposed session gives
PER_PAGE = 25
OPEN_STATUSES = tuple(s for s in ALERT_STATUSES if s != "closed")


# --- who sees what: committee/restricted_alerts.py -----------------------------------------


def is_open():
    # Named statuses (not "not closed") so that the database reads them from an index.
    return Alert.status.in_(OPEN_STATUSES)


# --- the clocks -------------------------------------------------------------------------------


def review_time():
    """When the alert was reviewed, as SQL: recorded at its closing, or the start of its review
    meeting once held. Needs the review meeting joined on ``Alert.review_meeting_id``."""
    held = case((Meeting.status == "held", meeting_times.took_place_sql()))
    return func.coalesce(Alert.reviewed_at, held)


def past_deadline(now: datetime):
    """Open, not reviewed, and past the review deadline: what the chair must see first.
    Needs the review meeting joined, as ``review_time``."""
    return is_open() & review_time().is_(None) & (Alert.review_deadline < now)


def on_no_agenda():
    """Open and on no meeting's agenda (a cancelled meeting's is none), as SQL: the alert stays
    in front of the chair until it is on an agenda or decided. Needs the review meeting joined,
    as ``review_time``."""
    return is_open() & (Alert.review_meeting_id.is_(None) | (Meeting.status == "cancelled"))


def needs_emergency_session(now: datetime):
    """On no agenda, and the next meeting (if any) starts after the deadline: the trigger's
    rule for proposing an emergency session, as SQL."""
    later = aliased(Meeting)
    next_start = (
        select(func.min(later.starts_at))
        .where(later.status == "scheduled", later.starts_at > now)
        .scalar_subquery()
    )
    return on_no_agenda() & (next_start.is_(None) | (next_start > Alert.review_deadline))


@dataclass
class AlertRow:
    """An alert as the lists show it, with its clocks: time to acknowledgement, to review and to
    decision (None while still waiting)."""

    alert: Alert
    country_name: str
    agency_code: str | None
    filed_by: str | None
    review_meeting: Meeting | None
    reviewed_at: datetime | None
    now: datetime

    @property
    def overdue(self) -> bool:
        """Past its review deadline without a review."""
        return (
            self.alert.status != "closed"
            and self.reviewed_at is None
            and self.alert.review_deadline < self.now
        )

    @property
    def to_acknowledgement(self) -> timedelta | None:
        return _since_filed(self.alert, self.alert.acknowledged_at)

    @property
    def to_review(self) -> timedelta | None:
        return _since_filed(self.alert, self.reviewed_at)

    @property
    def to_decision(self) -> timedelta | None:
        return _since_filed(self.alert, self.alert.closed_at)

    @property
    def waiting(self) -> timedelta:
        """How long the alert has been open (or was, once closed)."""
        return (self.alert.closed_at or self.now) - self.alert.filed_at

    @property
    def deadline_in(self) -> timedelta:
        """Time left to the review deadline (negative once past)."""
        return self.alert.review_deadline - self.now


def _since_filed(alert: Alert, moment: datetime | None) -> timedelta | None:
    return None if moment is None else moment - alert.filed_at


def duration(value: timedelta | None) -> str:
    """A clock in words: "2 d 5 h", "3 h 10 min", "—" while waiting."""
    if value is None:
        return "—"
    sign = "-" if value < timedelta(0) else ""
    minutes = int(abs(value).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes} min"
    return f"{sign}{minutes} min"


def _rows_query():
    return (
        select(Alert, Country.name, Agency.code, person_name(), Meeting)
        .join(Country, Country.code == Alert.country_code)
        .outerjoin(Agency, Agency.id == Alert.filing_agency_id)
        .outerjoin(User, User.id == Alert.filed_by_id)
        .outerjoin(Meeting, Meeting.id == Alert.review_meeting_id)
    )


def _row(values, now: datetime) -> AlertRow:
    alert, country, agency, filed_by, meeting = values
    reviewed = alert.reviewed_at or (
        meeting_times.took_place(meeting)
        if meeting is not None and meeting.status == "held"
        else None
    )
    return AlertRow(alert, country, agency, filed_by, meeting, reviewed, now)


@dataclass
class AlertPage:
    rows: list[AlertRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_alerts(
    *,
    actor: Actor,
    open_only: bool = False,
    overdue_only: bool = False,
    on_no_agenda_only: bool = False,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> AlertPage:
    """The alerts ``actor`` may see: past their deadline first, then open ones by deadline,
    then closed ones, newest first. One page of them. ``on_no_agenda_only`` keeps the open ones
    on no meeting's agenda: those the chair must put on one, or call an emergency session for.

    The open alerts (few, however long the record) and the closed ones (most of it) are read
    apart, each from its own index: the closed ones a page at a time, never sorted whole."""
    now = clock.now()
    conditions = [restricted_alerts.readable_by(actor), is_open()]
    if overdue_only:
        conditions.append(past_deadline(now))
    if on_no_agenda_only:
        conditions.append(on_no_agenda())
    with_closed = not (open_only or overdue_only or on_no_agenda_only)
    closed = [restricted_alerts.readable_by(actor), Alert.status == "closed"]
    with read_session() as session:
        open_total = _count(session, conditions)
        total = open_total + (_count(session, closed) if with_closed else 0)
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        first = (page - 1) * per_page
        rows = []
        if first < open_total:
            rows += session.execute(
                _rows_query()
                .where(*conditions)
                .order_by(
                    case((past_deadline(now), 0), else_=1),
                    Alert.review_deadline,
                    Alert.filed_at.desc(),
                    Alert.id.desc(),
                )
                .offset(first)
                .limit(per_page)
            ).all()
        if with_closed and len(rows) < per_page:
            rows += session.execute(
                _rows_query()
                .where(*closed)
                .order_by(Alert.filed_at.desc(), Alert.id.desc())
                .offset(max(0, first - open_total))
                .limit(per_page - len(rows))
            ).all()
        return AlertPage([_row(values, now) for values in rows], total, page, per_page)


def _count(session: Session, conditions: list) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Alert)
        .outerjoin(Meeting, Meeting.id == Alert.review_meeting_id)
        .where(*conditions)
    )


@dataclass
class AlertDetail:
    """One alert as its page shows it: the row, what closed it, and where it is reviewed."""

    row: AlertRow
    decision: Decision | None
    agenda_items: list[tuple[AgendaItem, Meeting]]  # its reviews on agendas, soonest first
    proposal: "EmergencyProposal | None"  # while an emergency session is proposed, not set up
    # On no agenda while the next meeting reviews it in time: the meeting to put its review on.
    next_meeting: Meeting | None


def get_alert(*, actor: Actor, alert_id: int) -> AlertDetail:
    """One alert. A restricted alert opened by someone outside the chair and the filing agency
    is refused, and the refusal is audited."""
    now = clock.now()
    with read_session() as session:
        values = session.execute(_rows_query().where(Alert.id == alert_id)).first()
        if values is None:
            raise NotFound(f"Alert {alert_id} does not exist.")
        row = _row(values, now)
        if not restricted_alerts.may_read(actor, row.alert):
            audit.record_alone(
                actor=actor,
                action="alert.read",
                outcome="refused",
                record_type="alert",
                record_id=alert_id,
                detail="restricted alert: chairs and the filing agency only",
            )
            raise PermissionDenied(
                "This alert is restricted to the chair and the agency that filed it.",
                permission="alert.read",
                record_type="alert",
                record_id=alert_id,
            )
        decision = (
            session.get(Decision, row.alert.closing_decision_id)
            if row.alert.closing_decision_id
            else None
        )
        items = [
            (item, meeting)
            for item, meeting in session.execute(
                select(AgendaItem, Meeting)
                .join(Meeting, Meeting.id == AgendaItem.meeting_id)
                .where(AgendaItem.alert_id == alert_id, Meeting.status != "cancelled")
                .order_by(Meeting.starts_at)
            )
        ]
        proposal = _proposal(session, row.alert, row.country_name, now)
        next_meeting = None
        if proposal is None and _is_on_no_agenda(session, row.alert):
            next_meeting = _next_meeting(session, now)
    return AlertDetail(row, decision, items, proposal, next_meeting)


# --- filing and the automatic trigger ---------------------------------------------------------


@dataclass
class Filed:
    """What filing did, to tell the person at once."""

    alert: Alert
    country_name: str
    added_to_watchlist: bool
    review_meeting: Meeting | None  # the meeting whose agenda now carries the review
    emergency_proposed: bool
    chairs_told: int


def may_file(actor: Actor) -> bool:
    """Whether ``actor`` may file an alert (observers only where the settings allow)."""
    allowed = bool(settings.get("observers_may_file_alerts"))
    return access.can(actor, "alert.file", observers_allowed=allowed)


def file_alert(
    *,
    actor: Actor,
    country_code: str | None,
    summary: str,
    severity: str,
    happening_since: date | None = None,
    sources: str = "",
    handling_marking: str = "",
    restricted: bool = False,
) -> Filed:
    """File an alert and trigger its policy review (see the module's docstring)."""
    summary, sources = (summary or "").strip(), (sources or "").strip()
    handling_marking = (handling_marking or "").strip()
    _check_filing(country_code, summary, severity, happening_since, sources, handling_marking)
    observers_allowed = bool(settings.get("observers_may_file_alerts"))
    review_days = _review_days(severity)
    with writing(actor, "alert.file") as w:
        w.require("alert.file", observers_allowed=observers_allowed)
        country = w.session.get(Country, country_code.strip().upper())
        if country is None:
            raise ValidationError(
                f"{country_code!r} is not an ISO 3166 country code (e.g. SDN for Sudan).",
                field="country",
            )
        now = clock.now()
        alert = Alert(
            country_code=country.code,
            severity=severity,
            summary=summary,
            happening_since=happening_since,
            sources=sources,
            handling_marking=handling_marking,
            restricted=restricted,
            filed_by_id=actor.id,
            filing_agency_id=actor.agency_id,
            filed_at=now,
            review_deadline=now + timedelta(days=review_days),
        )
        _insert_with_reference(w, alert)
        added = watchlist.watch_for_alert(actor=actor, alert_id=alert.id) is not None
        meeting = _next_meeting(w.session, now)
        if meeting is not None and meeting.starts_at <= alert.review_deadline:
            _review_at(w, alert, meeting)
        else:
            meeting = None
            alert.emergency_session_proposed = True
        told = _tell_chairs(w, alert, country, meeting)
        w.audit(alert, detail=_trigger_detail(added, meeting, told))
    return Filed(alert, country.name, added, meeting, alert.emergency_session_proposed, told)


def _check_filing(country_code, summary, severity, happening_since, sources, marking) -> None:
    if not (country_code or "").strip():
        raise ValidationError("Choose the country the alert is about.", field="country")
    if not summary:
        raise ValidationError("Say what is happening.", field="summary")
    if len(summary) > SUMMARY_LIMIT:
        raise ValidationError(
            f"Keep the description under {SUMMARY_LIMIT} characters.", field="summary"
        )
    if severity not in SEVERITIES:
        raise ValidationError("Choose the severity: acute, serious or concern.", field="severity")
    if happening_since is not None and happening_since > clock.today():
        raise ValidationError("'Since when' cannot be in the future.", field="happening_since")
    if len(sources) > SOURCES_LIMIT:
        raise ValidationError(
            f"Keep the sources under {SOURCES_LIMIT} characters.", field="sources"
        )
    for scheme in re.findall(r"([A-Za-z][A-Za-z0-9+.-]*)://", sources):
        if scheme.lower() not in SAFE_SCHEMES:
            raise ValidationError(
                "Links in the sources start with https://, http:// or mailto:.", field="sources"
            )
    if len(marking) > 100:
        raise ValidationError("Keep the handling marking under 100 characters.", field="marking")


def _review_days(severity: str) -> int:
    configured = settings.get("alert_review_days")
    return int(configured.get(severity, settings.DEFAULTS["alert_review_days"][severity]))


def _insert_with_reference(w: Writing, alert: Alert) -> None:
    """Give the alert the year's next reference, e.g. ALR-2026-0012. Filings wait their turn
    for the year's numbers, so none is ever refused for contention and none is skipped."""
    prefix = f"{REFERENCE_PREFIX}-{alert.filed_at.year}-"
    one_at_a_time(w.session, f"alert reference {prefix}")
    last = w.session.scalar(
        select(func.max(Alert.reference)).where(Alert.reference.like(f"{prefix}%"))
    )
    alert.reference = f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:04d}"
    w.session.add(alert)
    w.session.flush()


def _review_at(w: Writing, alert: Alert, meeting: Meeting) -> None:
    """The alert's review, last on the meeting's agenda: the alert is under review there."""
    agenda.add_alert_review(actor=w.actor, alert_id=alert.id, meeting_id=meeting.id)
    alert.status = "under_review"
    alert.review_meeting_id = meeting.id


def _is_on_no_agenda(session: Session, alert: Alert) -> bool:
    """``on_no_agenda`` for one alert."""
    if alert.status == "closed":
        return False
    if alert.review_meeting_id is None:
        return True
    return session.get(Meeting, alert.review_meeting_id).status == "cancelled"


def _next_meeting(session: Session, now: datetime) -> Meeting | None:
    return session.scalar(
        select(Meeting)
        .where(Meeting.status == "scheduled", Meeting.starts_at > now)
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def _tell_chairs(w: Writing, alert: Alert, country: Country, meeting: Meeting | None) -> int:
    """Every chair at once, and the filing agency's representatives, in the inbox and by
    mail. The mail names a restricted alert's reference only; no mail carries the account."""
    label = f"{alert.severity.capitalize()} alert {alert.reference} on {country.name}"
    deadline = f"{alert.review_deadline.astimezone(settings.zone()):%d %b %Y %H:%M %Z}"
    if meeting is not None:
        text = f"{label}: its review is on the agenda of {meeting.title}."
    else:
        text = (
            f"{label}: the next meeting is after the review deadline ({deadline}). "
            "An emergency session is proposed."
        )
    mail_text = (
        f"A restricted alert was filed: {alert.reference}. Sign in to read it."
        if alert.restricted
        else f"{label}: to be reviewed by {deadline}."
    )
    told = {
        "kind": "alert.filed",
        "occasion": f"alert:{alert.id}",
        "text": text,
        "mail_text": mail_text,
        "link": f"alerts?alert={alert.id}",
        "alert_id": alert.id,
    }
    chairs = notices.notify(w, people=notices.chairs(w.session), **told)
    notices.notify(w, people=notices.representatives(w.session, [alert.filing_agency_id]), **told)
    return chairs


def _trigger_detail(added: bool, meeting: Meeting | None, told: int) -> str:
    parts = ["added to the watchlist"] if added else []
    parts.append(
        f"review on the agenda of meeting {meeting.id}" if meeting else "emergency session proposed"
    )
    parts.append(f"{told} chair(s) told")
    return "; ".join(parts)


# --- the emergency session --------------------------------------------------------------------


@dataclass
class ProposedItem:
    kind: str
    title: str
    minutes: int
    country_code: str | None
    alert_id: int | None


@dataclass
class EmergencyProposal:
    """The emergency session proposed for an alert, ready to schedule as it is."""

    alert_id: int
    title: str
    starts_at: datetime
    minutes: int
    timezone: str
    reason: str
    items: list[ProposedItem]


def emergency_proposal(*, actor: Actor, alert_id: int) -> EmergencyProposal | None:
    """The session proposed for an alert: while it is open, on no agenda, and the next meeting
    starts after its deadline (or there is none). None otherwise."""
    detail = get_alert(actor=actor, alert_id=alert_id)
    return detail.proposal


def _proposal(
    session: Session, alert: Alert, country_name: str, now: datetime
) -> EmergencyProposal | None:
    if not _is_on_no_agenda(session, alert):
        return None
    # The trigger's rule, asked again now: meetings move and are cancelled after filing.
    meeting = _next_meeting(session, now)
    if meeting is not None and meeting.starts_at <= alert.review_deadline:
        return None
    zone_name = str(settings.get("timezone"))
    length = meetings.EMERGENCY_MINUTES
    # As meetings.emergency_session sets it up. The session, its reason and its agenda are read
    # by every member: for a restricted alert nothing in them links the country to the warning.
    named = agenda.alert_country(alert) is not None
    alert_minutes = length // 3 if named else length
    items = [
        ProposedItem(
            "alert_review",
            agenda.alert_title(alert, country_name),
            alert_minutes,
            agenda.alert_country(alert),
            alert.id,
        )
    ]
    if named:
        items.append(
            ProposedItem(
                "country_review",
                f"Review: {country_name}",
                length - alert_minutes,
                alert.country_code,
                None,
            )
        )
    return EmergencyProposal(
        alert_id=alert.id,
        title=f"Emergency session — {country_name}" if named else "Emergency session",
        starts_at=_proposed_start(now, alert.review_deadline, zone_name),
        minutes=length,
        timezone=zone_name,
        reason=f"{alert.severity.capitalize()} alert {alert.reference} on {country_name}: the "
        "next meeting is after its review deadline."
        if named
        else "Called by the chair.",
        items=items,
    )


def _proposed_start(now: datetime, deadline: datetime, zone_name: str) -> datetime:
    """The next working morning (10:00 in the committee's zone, at least four hours ahead);
    the next full hour four hours ahead when the deadline falls before that morning (once the
    deadline has passed, the morning again: the session is late either way)."""
    zone = ZoneInfo(zone_name)
    earliest = now + EMERGENCY_NOTICE
    day = earliest.astimezone(zone).date()
    while True:
        morning = datetime.combine(day, EMERGENCY_START, zone)
        if morning >= earliest and day.weekday() < 5:
            break
        day += timedelta(days=1)
    if morning <= deadline or deadline <= earliest:
        return morning
    return (earliest + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)


def schedule_emergency_session(
    *, actor: Actor, alert_id: int, seen_version: int, starts_at: datetime | None = None
) -> Meeting:
    """Set up the proposed emergency session in one go: the meeting, its agenda with the alert's
    review, and the alert under review at it. ``starts_at`` overrides the proposed time."""
    with writing(actor, "alert.schedule_emergency") as w:
        alert = w.get(Alert, alert_id, what="Alert")
        w.require("alert.triage", record=alert)
        w.require("meetings.schedule", record=alert)
        country = w.session.get(Country, alert.country_code)
        proposal = _proposal(w.session, alert, country.name, clock.now())
        if proposal is None:
            raise ValidationError(_why_no_session(w.session, alert), field="alert")
        before = audit.snapshot(alert)
        # The session as proposed: the same meeting and agenda the chair was shown.
        meeting = meetings.emergency_session(
            w,
            country=country,
            alert=alert,
            starts_at=starts_at or proposal.starts_at,
            minutes=proposal.minutes,
            timezone=proposal.timezone,
            reason=proposal.reason,
        )
        w.touch(
            alert,
            seen_version=seen_version,
            **_acknowledged(alert, w.actor) | {"status": "under_review"},
            review_meeting_id=meeting.id,
        )
        w.audit(alert, before=before, detail=f"emergency session {meeting.id} scheduled")
    return meeting


def review_at_next_meeting(*, actor: Actor, alert_id: int, seen_version: int) -> Meeting:
    """Put the review of an alert on no agenda on the next meeting's, which starts by its
    deadline: what the trigger does at filing, done by the chair when a meeting set later (an
    emergency session for another alert, say) is the one that reviews it in time."""
    with writing(actor, "alert.review_at_next_meeting") as w:
        alert = w.get(Alert, alert_id, what="Alert")
        w.require("alert.triage", record=alert)
        meeting = _next_meeting(w.session, clock.now())
        if not _is_on_no_agenda(w.session, alert):
            raise ValidationError(_why_no_session(w.session, alert), field="alert")
        if meeting is None:
            raise ValidationError(
                "No meeting is scheduled: schedule the emergency session.", field="alert"
            )
        before = audit.snapshot(alert)
        w.touch(alert, seen_version=seen_version, **_acknowledged(alert, w.actor))
        _review_at(w, alert, meeting)
        w.audit(alert, before=before, detail=f"review on the agenda of meeting {meeting.id}")
    return meeting


def _why_no_session(session: Session, alert: Alert) -> str:
    if alert.status == "closed":
        return "The alert is closed."
    if not _is_on_no_agenda(session, alert):
        meeting = session.get(Meeting, alert.review_meeting_id)
        return f"The alert's review is already on the agenda of {meeting.title}."
    return (
        "The next meeting starts before the alert's review deadline: put the review on its "
        "agenda instead."
    )


# --- the chair's triage -----------------------------------------------------------------------


def _acknowledged(alert: Alert, actor: Actor) -> dict:
    """The values that acknowledge an alert, if nobody has yet (acting on it acknowledges it)."""
    if alert.acknowledged_at is not None:
        return {}
    values = {"acknowledged_at": clock.now(), "acknowledged_by_id": actor.id}
    if alert.status == "new":
        values["status"] = "acknowledged"
    return values


def acknowledge_alert(*, actor: Actor, alert_id: int, seen_version: int) -> Alert:
    """The chair has seen the alert: its acknowledgement clock stops, and the chair's own inbox
    messages about it are marked read."""
    with writing(actor, "alert.acknowledge") as w:
        alert = w.get(Alert, alert_id, what="Alert")
        w.require("alert.triage", record=alert)
        if alert.acknowledged_at is not None:
            raise ValidationError(
                f"Already acknowledged on {alert.acknowledged_at:%d %b %Y %H:%M} UTC.",
                field="alert",
            )
        before = audit.snapshot(alert)
        w.touch(alert, seen_version=seen_version, **_acknowledged(alert, w.actor))
        if actor.id is not None:
            w.session.execute(
                update(Notification)
                .where(
                    Notification.user_id == actor.id,
                    Notification.alert_id == alert.id,
                    Notification.read_at.is_(None),
                )
                .values(read_at=clock.now())
            )
        w.audit(alert, before=before)
    return alert


def close_alert(
    *,
    actor: Actor,
    alert_id: int,
    seen_version: int,
    reason: str,
    agenda_item_id: int | None = None,
) -> Decision:
    """Close the alert with a recorded decision: the committee's, on the alert's agenda item at
    a meeting (``agenda_item_id``), or the chair's between meetings. The reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            "Record the decision that closes the alert, with the reason.", field="reason"
        )
    with writing(actor, "alert.close") as w:
        alert = w.get(Alert, alert_id, what="Alert")
        w.require("alert.triage", record=alert)
        if alert.status == "closed":
            raise ValidationError("The alert is already closed.", field="alert")
        now = clock.now()
        meeting = None
        if agenda_item_id is not None:
            item = w.get(AgendaItem, agenda_item_id, what="Agenda item")
            if item.alert_id != alert.id:
                raise ValidationError(
                    "That agenda item is not this alert's review.", field="agenda_item"
                )
            meeting = w.get(Meeting, item.meeting_id, what="Meeting")
        before = audit.snapshot(alert)
        decision = decisions.record_decision(
            actor=actor,
            kind="alert_closure",
            agenda_item_id=agenda_item_id,
            country_code=alert.country_code,
            alert_id=alert.id,
            text=reason,
        )
        # Reviewed when the meeting reviewed it (if it has begun), else by this decision.
        reviewed = alert.reviewed_at or (
            min(meeting_times.took_place(meeting), now) if meeting else now
        )
        w.touch(
            alert,
            seen_version=seen_version,
            **_acknowledged(alert, w.actor) | {"status": "closed"},
            closed_at=now,
            closing_decision_id=decision.id,
            reviewed_at=reviewed,
            review_meeting_id=alert.review_meeting_id or (meeting.id if meeting else None),
        )
        w.audit(alert, before=before, detail=f"closed by decision {decision.id}")
    return decision


# --- counts for the navigation and the command line -------------------------------------------


@dataclass
class AlertCounts:
    open: int = 0
    past_deadline: int = 0
    emergency_proposed: int = 0
    on_no_agenda: int = 0  # the emergency sessions proposed among them


def alert_counts(*, actor: Actor) -> AlertCounts:
    """Open alerts, those past their deadline, emergency sessions awaiting the chair, and all
    the alerts on no agenda."""
    now = clock.now()
    with read_session() as session:
        counts = session.execute(
            select(
                func.count(),
                func.count().filter(past_deadline(now)),
                func.count().filter(needs_emergency_session(now)),
                func.count().filter(on_no_agenda()),
            )
            .select_from(Alert)
            .outerjoin(Meeting, Meeting.id == Alert.review_meeting_id)
            .where(restricted_alerts.readable_by(actor), is_open())
        ).one()
    return AlertCounts(*counts)


def countries() -> list[tuple[str, str]]:
    """(code, name) of every ISO country, for the filing form: an alert may be about any."""
    with read_session() as session:
        return [
            tuple(row)
            for row in session.execute(select(Country.code, Country.name).order_by(Country.name))
        ]
