"""Reading the audit trail, for admins and chairs: filtered and paged in SQL.

The trail is append-only: nothing in the tool updates or deletes an event (committee/audit.py
writes them, in the transaction of the change they record). This module only reads.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.sql import Select

from committee import access, settings
from committee.actor import Actor
from committee.errors import PermissionDenied
from committee.naming import person_name
from db.engine import read_session
from db.models import AuditEvent, User
from db.models.system import OUTCOMES

OUTCOME_LABELS = {"ok": "Done", "refused": "Refused", "failed": "Failed"}
PAGE_SIZE = 50
COUNT_LIMIT = 10_000  # matches counted exactly up to here
EXPORT_BATCH = 2_000
CSV_COLUMNS = (
    "id",
    "at (UTC)",
    "person",
    "action",
    "outcome",
    "record type",
    "record",
    "detail",
    "before",
    "after",
)


@dataclass(frozen=True)
class AuditFilter:
    """What the reader is looking for; an empty field does not filter.

    ``person`` matches what a person did and what was tried in their name (a failed sign-in
    with their email); ``since`` and ``until`` are days in the committee's time zone,
    both included."""

    person: str = ""
    action: str = ""
    outcome: str = ""
    record_type: str = ""
    record_id: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditPage:
    """One page of events, newest first, and how many match (counted up to COUNT_LIMIT)."""

    events: list[AuditEvent]
    total: int  # at most COUNT_LIMIT
    page: int
    page_size: int
    more: bool = False  # more events match than were counted
    names: dict[int, str] = field(default_factory=dict)  # the people who acted, by user id

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def person(self, event: AuditEvent) -> str:
        """Who acted, by name (``naming``); else as recorded: the operator, a sign-in tried."""
        return self.names.get(event.actor_id, event.actor_label)


@dataclass(frozen=True)
class AuditChoices:
    """The values the filters offer: actions and record types that occur in the trail."""

    actions: list[str]
    record_types: list[str]
    outcomes: tuple[str, ...] = OUTCOMES


@dataclass(frozen=True)
class Change:
    """One field of a record, before and after the event."""

    field: str
    before: object
    after: object

    @property
    def changed(self) -> bool:
        return self.before != self.after


def events(
    *, actor: Actor, where: AuditFilter, page: int = 1, page_size: int = PAGE_SIZE
) -> AuditPage:
    """A page of the events that match ``where``, newest first. Matches are counted up to
    ``COUNT_LIMIT``: beyond it, the reader narrows with the filters (counting a million events
    on every page view would cost more than the page)."""
    _require_reader(actor)
    zone = settings.zone()
    query = _filtered(select(AuditEvent), where, zone)
    with read_session() as session:
        matching = _filtered(select(AuditEvent.id), where, zone).limit(COUNT_LIMIT + 1)
        counted = session.scalar(select(func.count()).select_from(matching.subquery()))
        total = min(counted, COUNT_LIMIT)
        page = min(max(1, page), max(1, -(-total // page_size)))
        rows = list(
            session.scalars(
                query.order_by(AuditEvent.id.desc()).offset((page - 1) * page_size).limit(page_size)
            )
        )
        acted = {event.actor_id for event in rows if event.actor_id is not None}
        named = session.execute(select(User.id, person_name()).where(User.id.in_(acted)))
        names = {user_id: name for user_id, name in named}
        return AuditPage(
            events=rows,
            names=names,
            total=total,
            page=page,
            page_size=page_size,
            more=counted > COUNT_LIMIT,
        )


def choices(*, actor: Actor) -> AuditChoices:
    _require_reader(actor)
    with read_session() as session:
        return AuditChoices(
            actions=_distinct(session, AuditEvent.action),
            record_types=_distinct(session, AuditEvent.record_type, after=""),
        )


def _distinct(session, column, *, after: str | None = None) -> list[str]:
    """The distinct values of an indexed column, in order, by stepping from one value to the
    next through the index (a loose index scan): a few look-ups per value, where DISTINCT
    would read every event. Values not above ``after`` are left out."""
    first = select(func.min(column).label("value"))
    if after is not None:
        first = first.where(column > after)
    found = first.cte("found", recursive=True)
    following = select(func.min(column)).where(column > found.c.value).scalar_subquery()
    found = found.union_all(select(following).where(found.c.value.is_not(None)))
    return list(session.scalars(select(found.c.value).where(found.c.value.is_not(None))))


def changes(event: AuditEvent) -> list[Change]:
    """The fields of the event's record side by side, in the record's own order."""
    before, after = event.before or {}, event.after or {}
    fields = list(before) + [name for name in after if name not in before]
    return [Change(name, before.get(name), after.get(name)) for name in fields]


def export_rows(*, actor: Actor, where: AuditFilter) -> Iterator[list[str]]:
    """Every matching event as a row of text cells under ``CSV_COLUMNS``, oldest first,
    read in batches so that a long trail never sits in memory at once."""
    _require_reader(actor)
    zone = settings.zone()
    yield list(CSV_COLUMNS)
    last_id = 0
    while True:
        with read_session() as session:
            batch = list(
                session.scalars(
                    _filtered(select(AuditEvent), where, zone)
                    .where(AuditEvent.id > last_id)
                    .order_by(AuditEvent.id)
                    .limit(EXPORT_BATCH)
                )
            )
        for event in batch:
            yield [
                str(event.id),
                event.at.isoformat(timespec="seconds"),
                event.actor_label,
                event.action,
                event.outcome,
                event.record_type,
                event.record_id,
                event.detail,
                _as_json(event.before),
                _as_json(event.after),
            ]
        if len(batch) < EXPORT_BATCH:
            return
        last_id = batch[-1].id


def _filtered(query: Select, where: AuditFilter, zone: ZoneInfo) -> Select:
    if where.person:
        person = where.person.strip().lower()
        query = query.where(
            or_(
                AuditEvent.actor_label == person,
                (AuditEvent.record_type == "sign_in") & (AuditEvent.record_id == person),
            )
        )
    if where.action:
        query = query.where(AuditEvent.action == where.action)
    if where.outcome:
        query = query.where(AuditEvent.outcome == where.outcome)
    if where.record_type:
        query = query.where(AuditEvent.record_type == where.record_type)
    if where.record_id:
        query = query.where(AuditEvent.record_id == where.record_id.strip())
    if where.since:
        query = query.where(AuditEvent.at >= _start_of(where.since, zone))
    if where.until:
        query = query.where(AuditEvent.at < _start_of(where.until + timedelta(days=1), zone))
    return query


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    """Midnight of ``day`` in the committee's time zone: a day means the committee's day."""
    return datetime.combine(day, time.min, tzinfo=zone)


def _as_json(value: dict | None) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _require_reader(actor: Actor) -> None:
    if not access.can(actor, "audit.read"):
        raise PermissionDenied("Only administrators and chairs read the audit trail.")
