"""Calendar files: a meeting's invitation (RFC 5546), the whole schedule, action item due
dates, and what a subscribed feed shows (RFC 5545).

A meeting keeps one UID for life and its schedule, and its SEQUENCE is raised whenever what a
calendar shows changes (its time, place or title, or its cancellation; never its being run or
closed), so a calendar program that imported the invitation updates or removes its copy
instead of adding a second. Times are written in the meeting's own zone with
that zone's VTIMEZONE: a 10:00 meeting in New York stays at 10:00 across daylight saving.

People's text goes only into known text properties (and ``vText`` for ``X-`` ones), which
icalendar escapes: a title holding a line break can never start a property of its own.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Component, Conference, Event, Todo, vCalAddress, vText
from sqlalchemy import select
from sqlmodel import Session

from committee import agenda, clock, invitations, links, vocabulary
from committee.errors import NotFound, ValidationError
from committee.feeds import Subscription
from committee.invitations import INVITED_ROLES, meeting_link
from db.engine import read_session
from db.models import ActionItem, Agency, AgendaItem, Country, Meeting, User
from db.models.actions import CLOSED_STATUSES

PRODID = "-//APC Desk//Atrocities Prevention Committee//EN"
COMMITTEE = "Atrocities Prevention Committee"
REMINDER = timedelta(minutes=30)
FEED_REFRESH = timedelta(hours=1)
TODO_STATUS = {"open": "NEEDS-ACTION", "in_progress": "IN-PROCESS", "blocked": "IN-PROCESS"}
TODO_PRIORITY = {"critical": 1, "high": 3, "medium": 5, "low": 9}  # RFC 5545: 1 is highest


@dataclass(frozen=True)
class _Person:
    """Someone named on an invitation."""

    email: str
    name: str
    role: str

    def address(self, **parameters) -> vCalAddress:
        return vCalAddress.new(f"mailto:{self.email}", cn=self.name, **parameters)


def action_item_uid(item_id: int) -> str:
    """An action item's UID: stable, so a re-import updates the to-do instead of adding one."""
    return f"action-item-{item_id}@apc-desk"


# --- what people download -------------------------------------------------------------------


def invitation(
    meeting_id: int, *, cancel: bool = False, organizer: tuple[str, str] | None = None
) -> bytes:
    """One meeting's invitation: ``METHOD:REQUEST`` to everyone invited, with the agenda, a
    link back and a reminder; ``METHOD:CANCEL`` (same UID, the raised SEQUENCE,
    ``STATUS:CANCELLED``) once the meeting is cancelled. With nobody to invite it is published
    instead, since a REQUEST needs an ATTENDEE. ``cancel=True`` insists on a cancellation.
    ``organizer`` (address, name) replaces the chair: the committee's own address, on mailed
    invitations, where replies must come back to it."""
    with read_session() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound(f"No meeting with id {meeting_id}.")
        if cancel and meeting.status != "cancelled":
            raise ValidationError(
                f"Meeting {meeting_id} is not cancelled: there is no cancellation to send. "
                "Cancel the meeting first; its invitation then becomes a cancellation.",
                field="meeting",
            )
        chairs = _chairs(session)
        invitees = _invitees(session)
        agenda = _agendas(session, [meeting.id]).get(meeting.id, [])
    organizer = _Person(*organizer, "chair") if organizer else _organizer(meeting, chairs)
    attendees = [
        person.address(
            role=INVITED_ROLES[person.role], partstat="NEEDS-ACTION", rsvp=True, cutype="INDIVIDUAL"
        )
        for person in invitees
        if person.email != organizer.email
    ]
    cancelled = meeting.status == "cancelled"
    event = _meeting_event(
        meeting, organizer=organizer, stamp=clock.now(), detail=True, agenda=agenda
    )
    for attendee in attendees:
        event.add("attendee", attendee)
    if not cancelled:
        event.add_component(
            Alarm.new_display(description=f"Reminder: {meeting.title}", trigger=-REMINDER)
        )
    method = "CANCEL" if cancelled else "REQUEST" if attendees else "PUBLISH"
    return _calendar(method, [event])


def schedule() -> bytes:
    """Every meeting held or to be held, one event each (cancelled ones are left out, so a
    subscribed or re-imported calendar drops them)."""
    with read_session() as session:
        meetings = _meetings(session)
        chairs = _chairs(session)
    return _calendar("PUBLISH", _summaries(meetings, chairs), name=f"{COMMITTEE} — meetings")


def action_items(*, agency_id: int | None = None, assignee_id: int | None = None) -> bytes:
    """The open action items of one agency or of one person, as to-dos due on their due
    dates."""
    if (agency_id is None) == (assignee_id is None):
        raise ValidationError("Choose one agency or one person.", field="scope")
    with read_session() as session:
        if agency_id is not None:
            agency = session.get(Agency, agency_id)
            if agency is None:
                raise NotFound(f"No agency with id {agency_id}.")
            name = f"APC action items — {agency.code}"
        else:
            person = session.get(User, assignee_id)
            if person is None:
                raise NotFound(f"No person with id {assignee_id}.")
            name = f"APC action items — {person.name}"
        todos = _todos(session, agency_id=agency_id, assignee_id=assignee_id, detail=True)
    return _calendar("PUBLISH", todos, name=name)


def feed(subscription: Subscription) -> bytes:
    """What a subscribed calendar program receives: the meetings and the subscription's
    action items, each with its title, time, place and a link back. The agenda, video link,
    reasons and notes stay behind the sign-in."""
    with read_session() as session:
        meetings = _meetings(session)
        chairs = _chairs(session)
        todos = _todos(
            session,
            agency_id=subscription.agency_id,
            assignee_id=subscription.assignee_id,
            detail=False,
        )
    whose = subscription.agency_code or subscription.user_name
    return _calendar(
        "PUBLISH", [*_summaries(meetings, chairs), *todos], name=f"APC Desk — {whose}", refresh=True
    )


# --- reading ----------------------------------------------------------------------------------


def _meetings(session: Session) -> list[Meeting]:
    return list(
        session.scalars(
            select(Meeting).where(Meeting.status != "cancelled").order_by(Meeting.starts_at)
        )
    )


def _chairs(session: Session) -> dict[int, _Person]:
    """Active chairs by id, in the order they joined."""
    rows = session.scalars(select(User).where(User.role == "chair", User.active).order_by(User.id))
    return {user.id: _Person(user.email, user.name, user.role) for user in rows}


def _organizer(meeting: Meeting, chairs: dict[int, _Person]) -> _Person:
    """The chair who scheduled the meeting, else the longest-serving chair."""
    chair = chairs.get(meeting.created_by_id) or next(iter(chairs.values()), None)
    # RFC 5546 wants an ORGANIZER on every event; the tool stands in while nobody is a chair.
    return chair or _Person(f"apc-desk@{links.host()}", COMMITTEE, "chair")


def _invitees(session: Session) -> list[_Person]:
    """Everyone invited to meetings (the rule is ``committee.invitations``'), by name."""
    return [_Person(user.email, user.name, user.role) for user in invitations.invitees(session)]


def _agendas(session: Session, meeting_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each agenda every member may read, as numbered lines: a draft agenda is not sent out."""
    agendas: dict[int, list[str]] = {}
    rows = session.execute(
        select(AgendaItem, Agency.code)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Agency, Agency.id == AgendaItem.presenter_agency_id, isouter=True)
        .where(AgendaItem.meeting_id.in_(meeting_ids), agenda.readable_by(None))
        .order_by(AgendaItem.meeting_id, AgendaItem.position)
    )
    for item, presenter in rows:
        by = f" — {presenter}" if presenter else ""
        line = f"{item.position}. {item.title}{by} ({item.minutes_allotted} min)"
        agendas.setdefault(item.meeting_id, []).append(line)
    return agendas


def _todos(
    session: Session, *, agency_id: int | None, assignee_id: int | None, detail: bool
) -> list[Todo]:
    query = (
        select(ActionItem, Agency.code, Country.name)
        .join(Agency, Agency.id == ActionItem.owner_agency_id)
        .join(Country, Country.code == ActionItem.country_code, isouter=True)
        .where(ActionItem.status.not_in(CLOSED_STATUSES))
        .order_by(ActionItem.due_on, ActionItem.id)
    )
    if agency_id is not None:
        query = query.where(ActionItem.owner_agency_id == agency_id)
    if assignee_id is not None:
        query = query.where(ActionItem.assignee_id == assignee_id)
    stamp = clock.now()
    return [
        _todo(item, agency_code, country, detail=detail, stamp=stamp)
        for item, agency_code, country in session.execute(query)
    ]


# --- writing ----------------------------------------------------------------------------------


def _video_link(meeting: Meeting) -> str | None:
    """The meeting's video link, if it is a web address (people type it)."""
    link = meeting.video_link.strip()
    return link if urlparse(link).scheme in ("http", "https") else None


def _summaries(meetings: list[Meeting], chairs: dict[int, _Person]) -> list[Event]:
    """Meetings as events that say where and when, and link back for the rest."""
    stamp = clock.now()
    return [
        _meeting_event(m, organizer=_organizer(m, chairs), stamp=stamp, detail=False)
        for m in meetings
    ]


def _meeting_event(
    meeting: Meeting,
    *,
    organizer: _Person,
    stamp: datetime,
    detail: bool,
    agenda: Sequence[str] = (),
) -> Event:
    """The meeting as a VEVENT. ``detail`` adds the agenda, reasons and video link (for an
    invitation downloaded by a signed-in member); without it the event says where and when."""
    zone = ZoneInfo(meeting.timezone)
    kind = vocabulary.MEETING_KIND_LABELS[meeting.kind]
    link = _video_link(meeting) if detail else None
    lines = [f"{kind} meeting of the {COMMITTEE}."]
    if detail:
        if meeting.reason:
            lines.append(f"Called because: {meeting.reason}")
        if meeting.change_reason:
            lines.append(f"Changed: {meeting.change_reason}")
        lines += ["", "Agenda:", *agenda] if agenda else ["", "The agenda is in preparation."]
        if link:
            lines += ["", f"Video link: {link}"]
    lines += ["", f"Meeting page (sign in): {meeting_link(meeting.id)}"]
    return Event.new(
        uid=meeting.calendar_uid,
        sequence=meeting.calendar_sequence,
        stamp=stamp,
        created=meeting.created_at,
        last_modified=meeting.updated_at,
        start=meeting.starts_at.astimezone(zone),
        end=meeting.ends_at.astimezone(zone),
        summary=meeting.title,
        description="\n".join(lines),
        location=meeting.location or ("Video conference" if link else None),
        status="CANCELLED" if meeting.status == "cancelled" else "CONFIRMED",
        transparency="OPAQUE",
        categories=[f"{kind} meeting"],
        organizer=organizer.address(),
        url=link or meeting_link(meeting.id),
        conferences=[Conference(link, feature="VIDEO", label="Video link")] if link else None,
    )


def _todo(
    item: ActionItem, agency_code: str, country: str | None, *, detail: bool, stamp: datetime
) -> Todo:
    status = vocabulary.ACTION_STATUS_LABELS[item.status]
    lines = [
        f"Owner: {agency_code}",
        *([f"Country: {country}"] if country else []),
        f"Priority: {vocabulary.PRIORITY_LABELS[item.priority]}",
        f"Status: {status}",
    ]
    if detail:
        if item.status_reason:
            lines[-1] += f" — {item.status_reason}"
        if item.description:
            lines += ["", item.description]
    lines += ["", f"APC Desk (sign in): {links.base_url()}"]
    todo = Todo.new(
        uid=action_item_uid(item.id),
        stamp=stamp,
        created=item.created_at,
        last_modified=item.updated_at,
        summary=item.title,
        description="\n".join(lines),
        status=TODO_STATUS[item.status],
        priority=TODO_PRIORITY[item.priority],
        categories=["APC action item"],
    )
    todo.add("due", item.due_on)
    return todo


def _calendar(
    method: str, components: Sequence[Component], *, name: str = "", refresh: bool = False
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("name", vText(name))
        calendar.add("x-wr-calname", vText(name))
    if refresh:
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vText("PT1H"))
    for component in components:
        calendar.add_component(component)
    starts = [c.start for c in components if isinstance(c, Event)]
    if starts:
        # VTIMEZONE rules covering exactly the years the events fall in.
        calendar.add_missing_timezones(
            first_date=date(min(starts).year, 1, 1), last_date=date(max(starts).year + 1, 1, 1)
        )
    return calendar.to_ical()
