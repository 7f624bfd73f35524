"""A meeting's agenda: the proposal drawn from the review rotation, the chair's edits, and
publishing it.

The proposal holds: approval of the last minutes; every country whose review falls due by the
meeting's date, tier 1 first, then the most overdue; open alerts awaiting review; plans
awaiting approval; and minutes per item that fit the meeting's length, or a plain statement
that they do not.

Every edit names the meeting's version the chair saw and bumps it: the meeting's version is the
agenda's version, so when two chairs edit at once the second one's save is a Conflict.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_, select, true
from sqlmodel import Session

from committee import (
    access,
    clock,
    meeting_times,
    minutes,
    notices,
    rotation,
    titles,
    vocabulary,
)
from committee.actor import Actor
from committee.errors import NotFound, ValidationError
from committee.transaction import Writing, writing
from db.engine import read_session
from db.models import (
    Agency,
    AgendaItem,
    Alert,
    Country,
    Decision,
    Meeting,
    Plan,
    PlanVersion,
    TierChange,
    WatchlistEntry,
)

REVIEW_MINUTES = {1: 15, 2: 10, 3: 10}  # by tier
ITEM_MINUTES = {"minutes_approval": 5, "alert_review": 10, "plan_approval": 10}
SHORTEST_ITEM = 5  # a proposal never shortens an item below this
ADDABLE_KINDS = ("country_review", "overdue_actions", "other")
KIND_LABELS = {
    "minutes_approval": "Minutes",
    "country_review": "Country review",
    "alert_review": "Alert review",
    "plan_approval": "Plan approval",
    "overdue_actions": "Overdue actions",
    "other": "Other business",
}
SEVERITY_ORDER = {"acute": 0, "serious": 1, "concern": 2}


# --- reading the agenda -----------------------------------------------------------------------


@dataclass
class AgendaLine:
    """An agenda item with what the screens show beside it."""

    item: AgendaItem
    country_name: str | None
    tier: int | None  # the country's tier now, for a country on the watchlist
    presenter: str | None  # agency code
    watch_version: int | None = None  # its watchlist entry's version, which a tier change names


@dataclass
class AgendaView:
    meeting: Meeting
    lines: list[AgendaLine]

    @property
    def length(self) -> int:
        return meeting_length(self.meeting)

    @property
    def allotted(self) -> int:
        return sum(line.item.minutes_allotted for line in self.lines)

    @property
    def fits(self) -> bool:
        return self.allotted <= self.length

    def starts(self) -> list[datetime]:
        """When each item starts if the meeting keeps to its allotment, in the meeting's zone."""
        moment = self.meeting.starts_at.astimezone(ZoneInfo(self.meeting.timezone))
        times = []
        for line in self.lines:
            times.append(moment)
            moment += timedelta(minutes=line.item.minutes_allotted)
        return times

    @property
    def statement(self) -> str:
        if self.fits:
            return (
                f"{self.allotted} of the meeting's {self.length} minutes allotted; "
                f"{self.length - self.allotted} to spare."
            )
        return (
            f"Does not fit: the items take {self.allotted} minutes and the meeting lasts "
            f"{self.length}. Shorten items, move some to the next meeting, or lengthen the meeting."
        )


# --- who reads an agenda ---------------------------------------------------------------------


def may_read(actor: Actor | None, meeting: Meeting) -> bool:
    """Members read an agenda once it is published (or the meeting held); a draft agenda only
    the chair and secretariat, who prepare it. ``actor`` None: any member (what is sent out)."""
    return (
        meeting.agenda_status == "published"
        or meeting.status == "held"
        or access.can(actor, "agenda.edit")
    )


def readable_by(actor: Actor | None):
    """The meetings whose agenda ``actor`` may read, as an SQL condition: ``may_read``'s rule."""
    if access.can(actor, "agenda.edit"):
        return true()
    return or_(Meeting.agenda_status == "published", Meeting.status == "held")


def meeting_length(meeting: Meeting) -> int:
    return int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)


def meeting_day(meeting: Meeting) -> date:
    """The meeting's date where it is held."""
    return meeting.starts_at.astimezone(ZoneInfo(meeting.timezone)).date()


def agenda_view(session: Session, meeting: Meeting) -> AgendaView:
    rows = session.execute(
        select(
            AgendaItem,
            Country.name,
            WatchlistEntry.tier,
            WatchlistEntry.on_watchlist,
            Agency,
            WatchlistEntry.version,
        )
        .join(Country, Country.code == AgendaItem.country_code, isouter=True)
        .join(WatchlistEntry, WatchlistEntry.country_code == Country.code, isouter=True)
        .join(Agency, Agency.id == AgendaItem.presenter_agency_id, isouter=True)
        .where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position, AgendaItem.id)
    )
    lines = [
        AgendaLine(
            item,
            name,
            tier if watched else None,
            agency.code if agency else None,
            watch_version if watched else None,
        )
        for item, name, tier, watched, agency, watch_version in rows
    ]
    return AgendaView(meeting, lines)


def agenda_of(meeting_id: int) -> AgendaView:
    with read_session() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound(f"Meeting {meeting_id} does not exist.")
        return agenda_view(session, meeting)


def taken_up():
    """An agenda item the meeting took up, as an SQL condition: its clock ran, or it holds
    notes, a decision, a tier change or a review done. Such an item is part of the record."""
    return or_(
        AgendaItem.started_at.is_not(None),
        func.coalesce(AgendaItem.minutes_used, 0) > 0,
        AgendaItem.review_done,
        AgendaItem.notes != "",
        exists().where(Decision.agenda_item_id == AgendaItem.id),
        exists().where(TierChange.agenda_item_id == AgendaItem.id),
    )


def _untaken(session: Session, meeting_id: int) -> list[AgendaItem]:
    # A review of an alert closed meanwhile has nothing left to take up.
    return list(
        session.scalars(
            select(AgendaItem)
            .outerjoin(Alert, Alert.id == AgendaItem.alert_id)
            .where(
                AgendaItem.meeting_id == meeting_id,
                ~taken_up(),
                or_(Alert.id.is_(None), Alert.status != "closed"),
            )
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def untaken(*, meeting_id: int) -> list[AgendaItem]:
    """The items of a meeting's agenda it has not taken up, in agenda order."""
    with read_session() as session:
        return _untaken(session, meeting_id)


def _next_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    """The scheduled meeting after ``meeting`` that is not over yet: where business left
    over goes."""
    return session.scalar(
        select(Meeting)
        .where(
            Meeting.status == "scheduled",
            Meeting.id != meeting.id,
            Meeting.starts_at > meeting.starts_at,
            Meeting.ends_at >= clock.now(),
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(1)
    )


def next_meeting(*, meeting_id: int) -> Meeting | None:
    with read_session() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound(f"Meeting {meeting_id} does not exist.")
        return _next_meeting(session, meeting)


def agenda_and_proposal(meeting_id: int) -> tuple[AgendaView, "Proposal"]:
    """The agenda as it stands and the rotation's proposal beside it (the builder's screen)."""
    with read_session() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound(f"Meeting {meeting_id} does not exist.")
        return agenda_view(session, meeting), propose_agenda(meeting_id=meeting_id, session=session)


def alert_title(alert: Alert, country_name: str) -> str:
    """An alert's agenda title. The agenda is read by every member, so a restricted alert's
    country is left out (only chairs and the filing agency may know of it)."""
    if alert.restricted:
        return "Restricted alert — briefing by the chair"
    return f"Alert {alert.reference}: {country_name}"


def alert_country(alert: Alert) -> str | None:
    """The country an alert's agenda item names: none for a restricted alert (as its title)."""
    return None if alert.restricted else alert.country_code


def append_item(
    w: Writing,
    meeting: Meeting,
    *,
    kind: str,
    minutes: int,
    title: str = "",
    country_code: str | None = None,
    alert: Alert | None = None,
    plan_id: int | None = None,
    presenter_agency_id: int | None = None,
) -> AgendaItem:
    """Add an item at the end of ``meeting``'s agenda, in ``w``'s transaction: the one place
    agenda items are made. The caller has checked its permission and records the audit event;
    an alert's review takes its title and country from ``alert_title`` and ``alert_country``."""
    if alert is not None:
        country_name = w.session.scalar(
            select(Country.name).where(Country.code == alert.country_code)
        )
        title, country_code = alert_title(alert, country_name), alert_country(alert)
    last = w.session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
    )
    item = AgendaItem(
        meeting_id=meeting.id,
        position=(last or 0) + 1,
        kind=kind,
        title=titles.checked(title, what="the item"),
        country_code=country_code,
        alert_id=alert.id if alert is not None else None,
        plan_id=plan_id,
        minutes_allotted=minutes,
        presenter_agency_id=presenter_agency_id,
    )
    w.session.add(item)
    w.session.flush()
    return item


# --- the proposal -----------------------------------------------------------------------------


@dataclass
class ProposedItem:
    """One item the rotation proposes, with why. ``deferred`` marks a review the proposal
    suggests leaving for the next meeting because the meeting is too short for everything."""

    kind: str
    title: str
    why: str
    minutes: int
    country_code: str | None = None
    tier: int | None = None
    due_on: date | None = None
    alert_id: int | None = None
    plan_id: int | None = None
    deferred: bool = False
    on_agenda: bool = False  # already on it: its time is the chair's and stays as it is

    @property
    def key(self) -> str:
        """What the item is about, e.g. "country_review:SDN": one such item per agenda."""
        return item_key(self.kind, self.country_code, self.alert_id, self.plan_id)

    @property
    def shortest(self) -> int:
        """The least time the proposal gives it: two thirds of its time, at least 5 minutes."""
        return max(SHORTEST_ITEM, self.minutes - self.minutes // 3)


def item_key(kind: str, country_code: str | None, alert_id: int | None, plan_id: int | None):
    subject = {"country_review": country_code, "alert_review": alert_id, "plan_approval": plan_id}
    return f"{kind}:{subject.get(kind) or ''}"


@dataclass
class Proposal:
    meeting: Meeting
    items: list[ProposedItem]
    fits: bool
    statement: str

    @property
    def kept(self) -> list[ProposedItem]:
        return [item for item in self.items if not item.deferred]


def propose_agenda(*, meeting_id: int, session: Session | None = None) -> Proposal:
    """The agenda the rotation proposes for a meeting (read only; see ``accept_proposal``)."""
    if session is None:
        with read_session() as session:
            return propose_agenda(meeting_id=meeting_id, session=session)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"Meeting {meeting_id} does not exist.")
    day = meeting_day(meeting)
    items = (
        _minutes_item(session, meeting)
        + _review_items(session, day)
        + _alert_items(session, meeting)
        + _plan_items(session)
    )
    present = {
        item_key(i.kind, i.country_code, i.alert_id, i.plan_id): i
        for i in _items(session, meeting.id)
    }
    for item in items:
        if item.key in present:
            item.on_agenda, item.minutes = True, present.pop(item.key).minutes_allotted
    others = sum(item.minutes_allotted for item in present.values())
    fits, statement = allot(items, meeting_length(meeting), taken=others)
    return Proposal(meeting, items, fits, statement)


def _minutes_item(session: Session, meeting: Meeting) -> list[ProposedItem]:
    previous = minutes.awaiting_approval(session, before=meeting_times.took_place(meeting))
    if previous is None:
        return []
    held, status = previous
    return [
        ProposedItem(
            "minutes_approval",
            f"Approval of the minutes of {held.title}",
            f"Minutes {status}",
            ITEM_MINUTES["minutes_approval"],
        )
    ]


def _review_items(session: Session, day: date) -> list[ProposedItem]:
    today = clock.today()
    items = []
    for review in rotation.due_by(day, session):
        last = (
            f"last reviewed {review.last_reviewed_on:%d %b %Y}"
            if review.last_reviewed_on
            else "never reviewed"
        )
        due = (
            f"overdue since {review.next_due_on:%d %b %Y}"
            if review.next_due_on < today
            else f"due {review.next_due_on:%d %b %Y}"
        )
        items.append(
            ProposedItem(
                "country_review",
                f"Review: {review.country_name}",
                f"{vocabulary.TIER_LABELS[review.tier]} · {last} · {due}",
                REVIEW_MINUTES[review.tier],
                country_code=review.country_code,
                tier=review.tier,
                due_on=review.next_due_on,
            )
        )
    return items


def _alert_items(session: Session, meeting: Meeting) -> list[ProposedItem]:
    """Alerts not yet reviewed nor closed, and not set for another meeting's review (a
    cancelled meeting reviews nothing)."""
    rows = session.execute(
        select(Alert, Country.name)
        .join(Country, Country.code == Alert.country_code)
        .where(
            Alert.status != "closed",
            Alert.reviewed_at.is_(None),
            (Alert.review_meeting_id.is_(None))
            | (Alert.review_meeting_id == meeting.id)
            | Alert.review_meeting_id.in_(select(Meeting.id).where(Meeting.status == "cancelled")),
        )
    )
    alerts = sorted(rows, key=lambda row: (SEVERITY_ORDER[row[0].severity], row[0].filed_at))
    return [
        ProposedItem(
            "alert_review",
            alert_title(alert, name),
            f"{vocabulary.SEVERITY_LABELS[alert.severity].split(' —')[0]} alert · "
            f"filed {alert.filed_at:%d %b %Y} · review due by {alert.review_deadline:%d %b %Y}",
            ITEM_MINUTES["alert_review"],
            country_code=alert_country(alert),
            alert_id=alert.id,
        )
        for alert, name in alerts
    ]


def _plan_items(session: Session) -> list[ProposedItem]:
    """Plan versions circulated for clearance: the committee approves them at a meeting."""
    rows = session.execute(
        select(PlanVersion, Plan)
        .join(Plan, Plan.id == PlanVersion.plan_id)
        .where(PlanVersion.status == "circulated", Plan.status != "archived")
        .order_by(PlanVersion.circulated_at, PlanVersion.id)
    )
    return [
        ProposedItem(
            "plan_approval",
            f"Approval: {plan.title}, version {version.number}",
            "Circulated for clearance"
            + (f" on {version.circulated_at:%d %b %Y}" if version.circulated_at else ""),
            ITEM_MINUTES["plan_approval"],
            country_code=plan.country_code,
            plan_id=plan.id,
        )
        for version, plan in rows
    ]


def allot(items: list[ProposedItem], length: int, *, taken: int = 0) -> tuple[bool, str]:
    """Fit the items into a meeting of ``length`` minutes, of which other business already
    takes ``taken``, and say how, plainly. Items already on the agenda keep their time.

    The others keep theirs when everything fits. If not, the reviews that can best wait are
    marked deferred (tier 3 before 2 before 1; within a tier, those not yet overdue, then the
    least overdue), only as many as needed for the rest to fit at their shortest, and the rest
    are shortened in proportion. Returns False when even that does not fit."""
    fixed = taken + sum(item.minutes for item in items if item.on_agenda)
    free = [item for item in items if not item.on_agenda]
    wanted = fixed + sum(item.minutes for item in free)
    if wanted <= length:
        return True, (
            f"The proposal takes {wanted} of the meeting's {length} minutes; "
            f"{length - wanted} to spare."
        )
    today = clock.today()
    waiting_order = sorted(
        (item for item in free if item.kind == "country_review"),
        key=lambda item: (-item.tier, item.due_on < today, -item.due_on.toordinal()),
    )
    room = length - fixed
    kept = list(free)
    for item in waiting_order:
        if sum(k.shortest for k in kept) <= room:
            break
        item.deferred = True
        kept.remove(item)
    deferred = len(free) - len(kept)
    shortest = sum(item.shortest for item in kept)
    if shortest > room:
        for item in kept:
            item.minutes = item.shortest
        # Said part by part: the reviews already on the agenda cannot be left for later.
        needs = [f"what is on the agenda takes {fixed}"] if fixed else []
        if shortest:
            needs.append(f"the other proposed items need at least {shortest} more")
        deferring = " with every proposed country review left for later," if deferred else ""
        return False, (
            f"Does not fit: the meeting lasts {length} minutes, and{deferring} "
            f"{' and '.join(needs)}. Lengthen the meeting, or leave out more items."
        )
    _shorten(kept, room)
    statement = (
        f"Everything proposed would take {wanted} minutes and the meeting lasts {length}: "
        "items are shortened in proportion"
    )
    if deferred:
        statement += (
            f", and {deferred} reviews that can best wait are left for the next meeting "
            "(unticked; tick them to take them anyway)"
        )
    return True, statement + "."


def _shorten(items: list[ProposedItem], length: int) -> None:
    """Share ``length`` among the items in proportion to the time each would lose, never
    below its shortest; minutes lost to rounding go to the largest remainders."""
    floor = sum(item.shortest for item in items)
    give = [item.minutes - item.shortest for item in items]
    if not sum(give) or sum(item.minutes for item in items) <= length:
        return
    shares = [g * (length - floor) / sum(give) for g in give]
    for item, share in zip(items, shares, strict=True):
        item.minutes = item.shortest + int(share)
    left = length - sum(item.minutes for item in items)
    by_remainder = sorted(range(len(items)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in by_remainder[:left]:
        items[i].minutes += 1


# --- editing ----------------------------------------------------------------------------------


def accept_proposal(
    *,
    actor: Actor,
    meeting_id: int,
    seen_version: int,
    leave_out: Collection[str] | None = None,
) -> list[AgendaItem]:
    """Put the proposal's items on the agenda, after the items already there (which stay).
    ``leave_out`` names the keys of items the chair unticked; by default the proposal's own
    deferrals are left out."""
    with writing(actor, "agenda.accept_proposal") as w:
        meeting, before = _editing(w, meeting_id, seen_version)
        proposal = propose_agenda(meeting_id=meeting.id, session=w.session)
        if leave_out is None:
            leave_out = {item.key for item in proposal.items if item.deferred}
        items = _items(w.session, meeting.id)
        present = {item_key(i.kind, i.country_code, i.alert_id, i.plan_id) for i in items}
        for proposed in proposal.items:
            if proposed.key in present or proposed.key in leave_out:
                continue
            items.append(
                append_item(
                    w,
                    meeting,
                    kind=proposed.kind,
                    title=proposed.title,
                    country_code=proposed.country_code,
                    alert=w.session.get(Alert, proposed.alert_id) if proposed.alert_id else None,
                    plan_id=proposed.plan_id,
                    minutes=proposed.minutes,
                )
            )
        w.audit(meeting, before=before, after=_snapshot(w.session, meeting))
    return items


def add_item(
    *,
    actor: Actor,
    meeting_id: int,
    seen_version: int,
    kind: str,
    title: str = "",
    minutes_allotted: int = 10,
    country_code: str | None = None,
    presenter_agency_id: int | None = None,
) -> AgendaItem:
    """Add an item at the end: a country review, the overdue actions, or other business."""
    if kind not in ADDABLE_KINDS:
        raise ValidationError("Add a country review, overdue actions or other.", field="kind")
    _check_minutes(minutes_allotted)
    with writing(actor, "agenda.add_item") as w:
        meeting, before = _editing(w, meeting_id, seen_version)
        items = _items(w.session, meeting.id)
        if kind == "country_review":
            code = (country_code or "").upper()
            name = w.session.scalar(
                select(Country.name)
                .join(WatchlistEntry, WatchlistEntry.country_code == Country.code)
                .where(Country.code == code, WatchlistEntry.on_watchlist)
            )
            if name is None:
                raise ValidationError("Choose a country on the watchlist.", field="country")
            if any(i.kind == kind and i.country_code == code for i in items):
                raise ValidationError(f"{name} is already on the agenda.", field="country")
            title = title.strip() or f"Review: {name}"
        else:
            code = None
            title = title.strip() or ("Overdue action items" if kind == "overdue_actions" else "")
        item = append_item(
            w,
            meeting,
            kind=kind,
            title=title,
            country_code=code,
            minutes=minutes_allotted,
            presenter_agency_id=_presenter(w, presenter_agency_id),
        )
        w.audit(meeting, before=before, after=_snapshot(w.session, meeting))
    return item


def add_alert_review(*, actor: Actor, alert_id: int, meeting_id: int) -> AgendaItem:
    """The alert channel's trigger (Blueprint 2-5): the alert's review, last on the meeting's
    agenda. Whoever filed the alert sets this off, beside the chairs. The meeting's version is
    the agenda's, so a chair editing it meanwhile is told it changed."""
    with writing(actor, "agenda.add_alert_review") as w:
        alert = w.get(Alert, alert_id, what="Alert")
        w.require("alert.trigger", record=alert, filed_by_id=alert.filed_by_id)
        meeting = w.get(Meeting, meeting_id, what="Meeting")
        if meeting.status != "scheduled":
            raise ValidationError(f"The meeting is {meeting.status}.", field="meeting")
        before = _snapshot(w.session, meeting)
        w.touch(meeting)
        item = append_item(
            w, meeting, kind="alert_review", minutes=ITEM_MINUTES["alert_review"], alert=alert
        )
        w.audit(meeting, before=before, after=_snapshot(w.session, meeting))
    return item


def add_signal_review(*, actor: Actor, meeting_id: int, country_code: str) -> AgendaItem:
    """A signal from data (Blueprint 2-5): the country's review on the meeting's agenda, or the
    review already there. The country is on the watchlist (the signal's owner sees to it)."""
    with writing(actor, "agenda.add_signal_review") as w:
        meeting = w.get(Meeting, meeting_id, what="Meeting")
        w.require("agenda.edit", record=meeting)
        if meeting.status != "scheduled":
            raise ValidationError(f"The meeting is {meeting.status}.", field="meeting")
        there = next(
            (
                item
                for item in _items(w.session, meeting.id)
                if item.kind == "country_review" and item.country_code == country_code
            ),
            None,
        )
        if there is not None:
            w.nothing_to_do()
            return there
        name = w.session.scalar(select(Country.name).where(Country.code == country_code))
        before = _snapshot(w.session, meeting)
        w.touch(meeting)
        item = append_item(
            w,
            meeting,
            kind="country_review",
            minutes=10,
            title=f"Review: {name}",
            country_code=country_code,
        )
        w.audit(meeting, before=before, after=_snapshot(w.session, meeting))
    return item


def edit_item(
    *,
    actor: Actor,
    meeting_id: int,
    seen_version: int,
    item_id: int,
    title: str,
    minutes_allotted: int,
    presenter_agency_id: int | None = None,
) -> AgendaItem:
    _check_minutes(minutes_allotted)
    with writing(actor, "agenda.edit_item") as w:
        meeting, before = _editing(w, meeting_id, seen_version)
        item = _item(w, meeting, item_id)
        # The meeting's version guards the agenda's titles, times and order; the item's own
        # version guards its notes, so it stays.
        item.title = titles.checked(title, what="the item")
        item.minutes_allotted = minutes_allotted
        item.presenter_agency_id = _presenter(w, presenter_agency_id)
        item.updated_at = clock.now()
        w.audit(meeting, before=before, after=_snapshot(w.session, meeting))
    return item


def move_item(
    *, actor: Actor, meeting_id: int, seen_version: int, item_id: int, to_position: int
) -> list[AgendaItem]:
    """Move an item to another place on the agenda (up or down one, or anywhere)."""
    with writing(actor, "agenda.move_item") as w:
        meeting, before = _editing(w, meeting_id, seen_version)
        item = _item(w, meeting, item_id)
        items = [i for i in _items(w.session, meeting.id) if i.id != item.id]
        items.insert(max(0, min(to_position - 1, len(items))), item)
        _renumber(items)
        w.audit(meeting, before=before, after=_snapshot(w.session, meeting))
    return items


def remove_item(*, actor: Actor, meeting_id: int, seen_version: int, item_id: int) -> Meeting:
    """Take an item off the agenda, unless the meeting has already recorded something on it."""
    with writing(actor, "agenda.remove_item") as w:
        meeting, before = _editing(w, meeting_id, seen_version)
        item = _item(w, meeting, item_id)
        if w.session.scalar(select(AgendaItem.id).where(AgendaItem.id == item.id, taken_up())):
            raise ValidationError(
                "The meeting has recorded notes, time or decisions on this item: it stays.",
                field="agenda",
            )
        w.session.delete(item)
        w.session.flush()
        _renumber(_items(w.session, meeting.id))
        w.audit(meeting, before=before, after=_snapshot(w.session, meeting))
    return meeting


def publish_agenda(*, actor: Actor, meeting_id: int, seen_version: int) -> Meeting:
    """Publish the agenda to the members (again, after changes)."""
    with writing(actor, "agenda.publish") as w:
        meeting, before = _editing(w, meeting_id, seen_version)
        if not _items(w.session, meeting.id):
            raise ValidationError("The agenda has no items yet.", field="agenda")
        meeting.agenda_status = "published"
        meeting.agenda_published_at = clock.now()
        notices.agenda_published(w, meeting)
        w.audit(meeting, before=before, after=_snapshot(w.session, meeting))
    return meeting


def carry_over(*, actor: Actor, meeting_id: int, to_meeting_id: int) -> list[AgendaItem]:
    """Carry the items a held meeting did not take up to the end of a later meeting's
    agenda, each with its time and presenter; an item already there is not added twice.
    Like the alert channel's trigger, it names no version: the later meeting's version is
    bumped, so a chair editing that agenda meanwhile is told it changed."""
    with writing(actor, "agenda.carry_over") as w:
        meeting = w.get(Meeting, meeting_id, what="Meeting")
        to = w.get(Meeting, to_meeting_id, what="Meeting")
        w.require("agenda.edit", record=to)
        if meeting.status != "held":
            raise ValidationError("Close the meeting first.", field="meeting")
        if to.status != "scheduled" or to.starts_at <= meeting.starts_at:
            raise ValidationError("Carry the items to a later scheduled meeting.", field="meeting")
        left = _untaken(w.session, meeting.id)
        there = {_carried_key(item) for item in _items(w.session, to.id)}
        before = _snapshot(w.session, to)
        w.touch(to)
        carried = [
            append_item(
                w,
                to,
                kind=item.kind,
                minutes=item.minutes_allotted,
                title=item.title,
                country_code=item.country_code,
                alert=w.session.get(Alert, item.alert_id) if item.alert_id else None,
                plan_id=item.plan_id,
                presenter_agency_id=item.presenter_agency_id,
            )
            for item in left
            if _carried_key(item) not in there
        ]
        w.audit(
            to,
            before=before,
            after=_snapshot(w.session, to),
            detail=f"{len(carried)} items carried over from meeting {meeting.id}",
        )
    return carried


def _carried_key(item: AgendaItem) -> str:
    """What makes an item the same as one already on an agenda: its subject, or for other
    business its title."""
    key = item_key(item.kind, item.country_code, item.alert_id, item.plan_id)
    return key + item.title if item.kind == "other" else key


def _editing(w: Writing, meeting_id: int, seen_version: int) -> tuple[Meeting, dict]:
    """The meeting whose agenda changes, checked and its version bumped (or a Conflict)."""
    meeting = w.get(Meeting, meeting_id, what="Meeting")
    w.require("agenda.edit", record=meeting)
    if meeting.status != "scheduled":
        raise ValidationError(
            f"The meeting is {meeting.status}: its agenda is part of the record now.",
            field="agenda",
        )
    before = _snapshot(w.session, meeting)
    w.touch(meeting, seen_version=seen_version)
    return meeting, before


def _items(session: Session, meeting_id: int) -> list[AgendaItem]:
    return list(
        session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def _item(w: Writing, meeting: Meeting, item_id: int) -> AgendaItem:
    item = w.get(AgendaItem, item_id, what="Agenda item")
    if item.meeting_id != meeting.id:
        raise NotFound(f"Agenda item {item_id} is not on this meeting's agenda.")
    return item


def _renumber(items: list[AgendaItem]) -> None:
    # Positions are the agenda's business (the meeting's version guards them), so an item's
    # own version, which guards its notes, does not change.
    for position, item in enumerate(items, start=1):
        item.position = position


def _snapshot(session: Session, meeting: Meeting) -> dict:
    return {
        "version": meeting.version,
        "agenda_status": meeting.agenda_status,
        "items": [
            {"id": i.id, "kind": i.kind, "title": i.title, "minutes": i.minutes_allotted}
            for i in _items(session, meeting.id)
        ],
    }


def _check_minutes(value: int) -> None:
    if not isinstance(value, int) or not 0 <= value <= 600:
        raise ValidationError("Allot 0 to 600 minutes.", field="minutes_allotted")


def _presenter(w: Writing, agency_id: int | None) -> int | None:
    if agency_id is None:
        return None
    return w.get(Agency, agency_id, what="Agency").id
