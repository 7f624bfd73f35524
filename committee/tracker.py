"""The read side of action items: the desk and tracker lists (filtered and paged in the
database), the counts, the per-agency summary, the overdue report for the next meeting, and an
item's history. The writes are in ``committee.actions``.

Overdue is derived, never stored: an item is overdue when it is neither done nor cancelled and
its due date has passed (an item due today is not overdue yet).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Date, and_, case, cast, exists, func, select
from sqlmodel import Session

from committee import clock, restricted_alerts
from committee.actor import Actor
from committee.errors import NotFound
from committee.naming import person_name
from db.engine import is_postgresql, read_session
from db.models import (
    ActionItem,
    ActionItemAgency,
    ActionUpdate,
    Agency,
    Alert,
    Country,
    Decision,
    DueDateRequest,
    LineOfEffort,
    Meeting,
    User,
    WatchlistEntry,
)
from db.models.actions import ACTION_ORIGINS, ACTION_STATUSES, CLOSED_STATUSES

OPEN_STATUSES = tuple(s for s in ACTION_STATUSES if s not in CLOSED_STATUSES)
DUE_SOON_DAYS = 14
ON_TIME_WINDOW_DAYS = 90
PER_PAGE = 25
REPORT_ITEMS = 50  # items listed in each part of the overdue report
# The desk order: what needs the owner first. The position is the sort key.
BUCKETS = ("overdue", "due_soon", "blocked", "later", "closed")
BUCKET_LABELS = {
    "overdue": "Overdue",
    "due_soon": f"Due in {DUE_SOON_DAYS} days",
    "blocked": "Blocked",
    "later": "Later",
    "closed": "Closed",
}


# --- the rules, as SQL ----------------------------------------------------------------------


def is_open():
    # Named statuses (not "not closed") so that the database reads them from an index.
    return ActionItem.status.in_(OPEN_STATUSES)


def is_overdue(today: date):
    return and_(is_open(), ActionItem.due_on < today)


def is_due_soon(today: date):
    return and_(
        is_open(),
        ActionItem.due_on >= today,
        ActionItem.due_on <= today + timedelta(days=DUE_SOON_DAYS),
    )


def bucket(today: date):
    """The item's place in the desk order, as an index into ``BUCKETS``."""
    return case(
        (ActionItem.status.in_(CLOSED_STATUSES), BUCKETS.index("closed")),
        (is_overdue(today), BUCKETS.index("overdue")),
        (is_due_soon(today), BUCKETS.index("due_soon")),
        (ActionItem.status == "blocked", BUCKETS.index("blocked")),
        else_=BUCKETS.index("later"),
    )


def _utc_day(moment_column):
    """The UTC calendar day of a stored timestamp (SQLite keeps it as UTC text)."""
    if is_postgresql():
        return cast(func.timezone("UTC", moment_column), Date)
    return func.date(moment_column)


# --- filters that travel in a link ------------------------------------------------------------


def _codes(value: str, allowed=None) -> tuple[str, ...]:
    found = [part.strip() for part in value.split(",") if part.strip()]
    return tuple(p for p in found if allowed is None or p in allowed)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class TrackerFilter:
    """Which items a list shows. Empty tuples mean "any"; by default the open items (not done
    or cancelled). ``to_query``/``from_query`` make it a shareable link's query parameters."""

    agencies: tuple[str, ...] = ()  # agency codes
    countries: tuple[str, ...] = ()  # ISO alpha-3 codes
    statuses: tuple[str, ...] = OPEN_STATUSES
    origins: tuple[str, ...] = ()
    overdue: bool = False
    meeting_id: int | None = None  # the meeting that created the items
    due_from: date | None = None
    due_to: date | None = None

    def to_query(self) -> dict[str, str]:
        """Query parameters, leaving out what is at its default (a short, readable link)."""
        query = {
            "agency": ",".join(self.agencies),
            "country": ",".join(self.countries),
            "origin": ",".join(self.origins),
            "overdue": "1" if self.overdue else "",
            "meeting": str(self.meeting_id or ""),
            "due_from": self.due_from.isoformat() if self.due_from else "",
            "due_to": self.due_to.isoformat() if self.due_to else "",
        }
        if self.statuses != OPEN_STATUSES:
            query["status"] = ",".join(self.statuses) or "all"
        return {key: value for key, value in query.items() if value}

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> "TrackerFilter":
        """The filter a link describes. Values that mean nothing are left out, not refused: a
        link pasted from an older version still opens."""
        status = params.get("status")
        meeting = params.get("meeting", "")
        return cls(
            agencies=tuple(c.upper() for c in _codes(params.get("agency", ""))),
            countries=tuple(c.upper() for c in _codes(params.get("country", ""))),
            statuses=OPEN_STATUSES
            if status is None
            else (() if status == "all" else _codes(status, ACTION_STATUSES)),
            origins=_codes(params.get("origin", ""), ACTION_ORIGINS),
            overdue=params.get("overdue") in ("1", "true", "yes"),
            meeting_id=int(meeting) if meeting.isdigit() else None,
            due_from=_day(params.get("due_from")),
            due_to=_day(params.get("due_to")),
        )

    @property
    def is_default(self) -> bool:
        return self == TrackerFilter()

    def conditions(self, today: date) -> list:
        """The filter as SQL conditions on ``ActionItem``."""
        found = []
        if self.agencies:
            owners = select(Agency.id).where(Agency.code.in_(self.agencies))
            found.append(ActionItem.owner_agency_id.in_(owners))
        if self.countries:
            found.append(ActionItem.country_code.in_(self.countries))
        if self.statuses:
            found.append(ActionItem.status.in_(self.statuses))
        if self.origins:
            found.append(ActionItem.origin.in_(self.origins))
        if self.overdue:
            found.append(is_overdue(today))
        if self.meeting_id is not None:
            found.append(ActionItem.meeting_id == self.meeting_id)
        if self.due_from is not None:
            found.append(ActionItem.due_on >= self.due_from)
        if self.due_to is not None:
            found.append(ActionItem.due_on <= self.due_to)
        return found


# --- lists --------------------------------------------------------------------------------------


@dataclass
class TrackedItem:
    """An action item as the lists show it, with the names its ids stand for."""

    item: ActionItem
    agency_code: str
    agency_name: str
    country_name: str | None
    assignee_name: str | None
    requested_due_on: date | None  # a pending request for a new due date
    bucket: str  # its place in the desk order (``BUCKETS``)

    @property
    def overdue(self) -> bool:
        return self.bucket == "overdue"

    @property
    def days_overdue(self) -> int:
        return (clock.today() - self.item.due_on).days if self.overdue else 0


@dataclass
class ItemPage:
    """One page of a list, and how many items the whole list holds."""

    items: list[TrackedItem]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return _page_count(self.total, self.per_page)


def _page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def _desk_order(today: date) -> tuple:
    return bucket(today), ActionItem.due_on, ActionItem.id


def _tracked_query(today: date):
    return (
        select(
            ActionItem,
            Agency.code,
            Agency.name,
            Country.name,
            person_name(),
            DueDateRequest.requested_due_on,
            bucket(today),
        )
        .join(Agency, Agency.id == ActionItem.owner_agency_id)
        .outerjoin(Country, Country.code == ActionItem.country_code)
        .outerjoin(User, User.id == ActionItem.assignee_id)
        .outerjoin(
            DueDateRequest,
            and_(
                DueDateRequest.action_item_id == ActionItem.id,
                DueDateRequest.status == "pending",
            ),
        )
    )


def _page_of(session: Session, today: date, conditions, *, order, limit, offset=0):
    """Some items in ``order``: their ids are sorted and cut alone, then only those rows are
    read, so that the sort never carries whole rows however long the list."""
    ids = select(ActionItem.id).where(*conditions).order_by(*order).limit(limit).offset(offset)
    rows = session.execute(_tracked_query(today).where(ActionItem.id.in_(ids)).order_by(*order))
    return [_tracked(row) for row in rows]


def _tracked(row) -> TrackedItem:
    item, code, name, country, assignee, requested, place = row
    return TrackedItem(item, code, name, country, assignee, requested, BUCKETS[place])


def _supported_by(agency_id: int):
    return ActionItem.id.in_(
        select(ActionItemAgency.action_item_id).where(ActionItemAgency.agency_id == agency_id)
    )


def find_items(
    selection: TrackerFilter = TrackerFilter(),
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    supported_by: int | None = None,
) -> ItemPage:
    """One page of the items ``selection`` picks, in the desk order: overdue, due within 14
    days, blocked, the rest. ``supported_by`` keeps the items that agency supports."""
    today = clock.today()
    conditions = selection.conditions(today)
    if supported_by is not None:
        conditions.append(_supported_by(supported_by))
    with read_session() as session:
        total = session.scalar(select(func.count()).select_from(ActionItem).where(*conditions))
        page = min(max(1, page), _page_count(total, per_page))
        items = _page_of(
            session,
            today,
            conditions,
            order=_desk_order(today),
            limit=per_page,
            offset=(page - 1) * per_page,
        )
        return ItemPage(items, total, page, per_page)


def iter_items(
    selection: TrackerFilter = TrackerFilter(), *, batch: int = 500
) -> Iterator[TrackedItem]:
    """Every item ``selection`` picks, streamed from the database in batches (for exports of
    any size in bounded memory)."""
    today = clock.today()
    with read_session() as session:
        result = session.execute(
            _tracked_query(today)
            .where(*selection.conditions(today))
            .order_by(*_desk_order(today))
            .execution_options(yield_per=batch)
        )
        for row in result:
            yield _tracked(row)


def get_item(item_id: int) -> ActionItem:
    with read_session() as session:
        item = session.get(ActionItem, item_id)
    if item is None:
        raise NotFound(f"Action item {item_id} does not exist.")
    return item


# --- one item -----------------------------------------------------------------------------------


@dataclass
class HistoryEntry:
    """One line of an item's history: who did what when, the fields changed (``{field:
    [before, after]}``) and the note."""

    at: datetime
    by: str
    kind: str
    changes: dict
    note: str


@dataclass
class ItemDetail:
    """Everything the item panel shows about one item."""

    tracked: TrackedItem
    supporting: list[Agency]
    origin: str  # what it came from, in words
    meeting: Meeting | None
    pending_request: DueDateRequest | None
    history: list[HistoryEntry] = field(default_factory=list)
    people: list[tuple[int, str]] = field(default_factory=list)  # the owner agency's people


def item_detail(item_id: int, *, actor: Actor) -> ItemDetail:
    """One item as ``actor`` reads it: where it came from is named only where they may read
    that (a restricted alert, or the decision that closed one, stays unnamed)."""
    today = clock.today()
    with read_session() as session:
        row = session.execute(_tracked_query(today).where(ActionItem.id == item_id)).first()
        if row is None:
            raise NotFound(f"Action item {item_id} does not exist.")
        tracked = _tracked(row)
        item = tracked.item
        supporting = list(
            session.scalars(
                select(Agency)
                .join(ActionItemAgency, ActionItemAgency.agency_id == Agency.id)
                .where(ActionItemAgency.action_item_id == item_id)
                .order_by(Agency.code)
            )
        )
        pending = session.scalar(
            select(DueDateRequest).where(
                DueDateRequest.action_item_id == item_id, DueDateRequest.status == "pending"
            )
        )
        people = [
            (person.id, person.name)
            for person in session.scalars(
                select(User)
                .where(User.agency_id == item.owner_agency_id, User.active)
                .order_by(User.name)
            )
        ]
        return ItemDetail(
            tracked=tracked,
            supporting=supporting,
            origin=_origin_text(session, item, actor),
            meeting=session.get(Meeting, item.meeting_id) if item.meeting_id else None,
            pending_request=pending,
            history=_history(session, item_id),
            people=people,
        )


def _origin_text(session: Session, item: ActionItem, actor: Actor) -> str:
    decision = session.get(Decision, item.decision_id) if item.decision_id else None
    alert_id = item.alert_id or (decision.alert_id if decision else None)
    alert = session.get(Alert, alert_id) if alert_id else None
    if alert is not None and not restricted_alerts.may_read(actor, alert):
        return "Tasked by the chair"
    if decision is not None:
        return f"Decision: {decision.text}"
    if item.line_of_effort_id:
        line = session.get(LineOfEffort, item.line_of_effort_id)
        return f"Line of effort: {line.objective}" if line else "Line of effort"
    if alert is not None:
        return f"Alert {alert.reference}"
    return "On its own"


def history(item_id: int) -> list[HistoryEntry]:
    """An item's history, oldest first."""
    with read_session() as session:
        return _history(session, item_id)


def _history(session: Session, item_id: int) -> list[HistoryEntry]:
    rows = session.execute(
        select(ActionUpdate, person_name())
        .outerjoin(User, User.id == ActionUpdate.by_id)
        .where(ActionUpdate.action_item_id == item_id)
        .order_by(ActionUpdate.at, ActionUpdate.id)
    )
    return [
        HistoryEntry(update.at, name or "Operator", update.kind, update.changes, update.note)
        for update, name in rows
    ]


# --- due date requests --------------------------------------------------------------------------


@dataclass
class PendingRequest:
    """A request for a new due date waiting for the chair."""

    request: DueDateRequest
    item: ActionItem
    agency_code: str
    requested_by: str


def pending_requests(*, limit: int | None = None) -> list[PendingRequest]:
    """The requests waiting for the chair, oldest first (the first ``limit`` of them)."""
    with read_session() as session:
        rows = session.execute(
            select(DueDateRequest, ActionItem, Agency.code, person_name())
            .join(ActionItem, ActionItem.id == DueDateRequest.action_item_id)
            .join(Agency, Agency.id == ActionItem.owner_agency_id)
            .outerjoin(User, User.id == DueDateRequest.requested_by_id)
            .where(DueDateRequest.status == "pending")
            .order_by(DueDateRequest.created_at, DueDateRequest.id)
            .limit(limit)
        )
        return [PendingRequest(r, item, code, name or "Operator") for r, item, code, name in rows]


def pending_request_count() -> int:
    with read_session() as session:
        return session.scalar(
            select(func.count())
            .select_from(DueDateRequest)
            .where(DueDateRequest.status == "pending")
        )


# --- counts and summaries -----------------------------------------------------------------------


@dataclass
class ActionCounts:
    """Open, overdue, due within 14 days and blocked items."""

    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    blocked: int = 0


def _count_columns(today: date) -> list:
    return [
        func.count().filter(is_open()),
        func.count().filter(is_overdue(today)),
        func.count().filter(is_due_soon(today)),
        func.count().filter(ActionItem.status == "blocked"),
    ]


def action_counts(
    session: Session | None = None, *, agency_id: int | None = None, today: date | None = None
) -> ActionCounts:
    """The counts for one agency, or for all when ``agency_id`` is None."""
    if session is None:
        with read_session() as session:
            return action_counts(session, agency_id=agency_id, today=today)
    query = select(*_count_columns(today or clock.today())).where(is_open())
    if agency_id is not None:
        query = query.where(ActionItem.owner_agency_id == agency_id)
    return ActionCounts(*session.execute(query).one())


@dataclass
class AgencySummary:
    """One agency's line in the tracker's summary. ``done_on_time`` and ``done_late`` count
    items done in the last 90 days, by whether they were done by their due date."""

    code: str
    name: str
    counts: ActionCounts
    done_on_time: int
    done_late: int

    @property
    def on_time_rate(self) -> float | None:
        done = self.done_on_time + self.done_late
        return self.done_on_time / done if done else None


def agency_summary() -> list[AgencySummary]:
    """Every active agency's counts: one aggregate over the open items and one over the items
    done in the last 90 days, each read from its own index, however long the history."""
    today = clock.today()
    on_time = _utc_day(ActionItem.closed_at) <= ActionItem.due_on
    with read_session() as session:
        agencies = session.execute(
            select(Agency.id, Agency.code, Agency.name).where(Agency.active).order_by(Agency.code)
        ).all()
        open_counts = {
            agency_id: ActionCounts(*counts)
            for agency_id, *counts in session.execute(
                select(ActionItem.owner_agency_id, *_count_columns(today))
                .where(is_open())
                .group_by(ActionItem.owner_agency_id)
            )
        }
        done = {
            agency_id: (on_time_count, late)
            for agency_id, on_time_count, late in session.execute(
                select(
                    ActionItem.owner_agency_id,
                    func.count().filter(on_time),
                    func.count().filter(~on_time),
                )
                .where(
                    ActionItem.status == "done",
                    ActionItem.closed_at >= clock.now() - timedelta(days=ON_TIME_WINDOW_DAYS),
                )
                .group_by(ActionItem.owner_agency_id)
            )
        }
    return [
        AgencySummary(code, name, open_counts.get(id_, ActionCounts()), *done.get(id_, (0, 0)))
        for id_, code, name in agencies
    ]


@dataclass
class AgencyLateness:
    """One agency's line in the overdue report."""

    code: str
    overdue: int
    falling_due: int  # not overdue yet, but due before the meeting


@dataclass
class OverdueReport:
    """For the next meeting's agenda: by agency, how many items are overdue today and how many
    more fall due before the meeting; and those items, most overdue first (the first
    ``REPORT_ITEMS`` of each: the whole list is the tracker's, filtered)."""

    meeting: Meeting | None
    by_agency: list[AgencyLateness]
    overdue: list[TrackedItem]
    falling_due: list[TrackedItem]

    @property
    def overdue_total(self) -> int:
        return sum(line.overdue for line in self.by_agency)

    @property
    def falling_due_total(self) -> int:
        return sum(line.falling_due for line in self.by_agency)


def overdue_report() -> OverdueReport:
    today, now = clock.today(), clock.now()
    with read_session() as session:
        meeting = session.scalar(
            select(Meeting)
            .where(Meeting.status == "scheduled", Meeting.starts_at >= now)
            .order_by(Meeting.starts_at)
            .limit(1)
        )
        horizon = meeting.starts_at.date() if meeting else today
        falling_due = and_(is_open(), ActionItem.due_on >= today, ActionItem.due_on < horizon)
        by_agency = [
            AgencyLateness(*row)
            for row in session.execute(
                select(
                    Agency.code,
                    func.count().filter(is_overdue(today)),
                    func.count().filter(falling_due),
                )
                .select_from(ActionItem)
                .join(Agency, Agency.id == ActionItem.owner_agency_id)
                .where(is_open(), ActionItem.due_on < horizon)
                .group_by(Agency.code)
                .order_by(Agency.code)
            )
        ]
        first_due = {"order": (ActionItem.due_on, ActionItem.id), "limit": REPORT_ITEMS}
        overdue_items = _page_of(session, today, [is_overdue(today)], **first_due)
        falling_items = _page_of(session, today, [falling_due], **first_due)
    return OverdueReport(meeting, by_agency, overdue_items, falling_items)


# --- what the filters offer ---------------------------------------------------------------------


@dataclass
class FilterChoices:
    """The values the tracker's filters offer: the active agencies, and (value, label) pairs."""

    agencies: list[Agency]
    countries: list[tuple[str, str]]
    meetings: list[tuple[int, str]]


def filter_choices() -> FilterChoices:
    """Agencies; countries of concern and other countries that have items; meetings that
    created items."""
    with read_session() as session:
        agencies = session.scalars(select(Agency).where(Agency.active).order_by(Agency.code))
        # EXISTS per country and per meeting: a look-up in an index each, not a pass over
        # every item.
        countries = session.execute(
            select(Country.code, Country.name)
            .where(
                exists().where(ActionItem.country_code == Country.code)
                | Country.code.in_(
                    select(WatchlistEntry.country_code).where(WatchlistEntry.on_watchlist)
                )
            )
            .order_by(Country.name)
        )
        meetings = session.execute(
            select(Meeting.id, Meeting.title, Meeting.starts_at)
            .where(exists().where(ActionItem.meeting_id == Meeting.id))
            .order_by(Meeting.starts_at.desc())
        )
        return FilterChoices(
            agencies=list(agencies),
            countries=[(code, name) for code, name in countries],
            meetings=[(id_, f"{title} ({starts:%d %b %Y})") for id_, title, starts in meetings],
        )
