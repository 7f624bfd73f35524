"""Action items: what the committee decides becomes work owned by one agency.

An item comes from a meeting decision, a plan's line of effort, an alert, or stands on its own,
and keeps the link to its origin and its country. The owner agency's representative updates it
(supporting agencies may add notes); the chair changes any item, reassigns it and decides on
requests for a new due date.

Every change is one transaction that writes one entry in the item's history (``ActionUpdate``:
who, when, ``{field: [before, after]}`` in readable values, a note) and one audit event. Edits
name the version their author saw: a stale save is a ``Conflict`` carrying the current values.
The read side (lists, the desk order, summaries) is ``committee.tracker``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select

from committee import audit, clock, notices, titles, tracker, vocabulary
from committee.actor import Actor
from committee.errors import CommitteeError, Conflict, NotFound, ValidationError
from committee.transaction import Writing, writing
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
    Plan,
    PlanVersion,
    User,
)
from db.models.actions import ACTION_STATUSES, CLOSED_STATUSES, PRIORITIES

# The statuses that need words, and what to ask for.
REASON_REQUIRED = {
    "blocked": "Say why the item is blocked.",
    "done": "Write a closing note: what was done.",
    "cancelled": "Say why the item is cancelled.",
}
# Where an item may go from each status. A closed item can be reopened, with a note saying why.
TRANSITIONS = {
    "open": ("in_progress", "blocked", "done", "cancelled"),
    "in_progress": ("open", "blocked", "done", "cancelled"),
    "blocked": ("open", "in_progress", "done", "cancelled"),
    "done": ("in_progress",),
    "cancelled": ("open",),
}


# --- creating ---------------------------------------------------------------------------


def create_action_item(
    *,
    actor: Actor,
    title: str,
    owner_agency_id: int,
    due_on: date,
    description: str = "",
    country_code: str | None = None,
    assignee_id: int | None = None,
    supporting_agency_ids: Iterable[int] = (),
    priority: str = "medium",
    decision_id: int | None = None,
    line_of_effort_id: int | None = None,
    alert_id: int | None = None,
    note: str = "",
) -> ActionItem:
    """A new item. Give at most one origin (a decision, a line of effort or an alert); the
    country is taken from the origin when not given."""
    origins = [o for o in (decision_id, line_of_effort_id, alert_id) if o is not None]
    if len(origins) > 1:
        raise ValidationError(
            "An item comes from one decision, line of effort or alert, not several.",
            field="origin",
        )
    with writing(actor, "action_item.create") as w:
        w.require("action.create", agency_id=owner_agency_id)
        origin, origin_country, meeting_id = _origin(
            w, decision_id=decision_id, line_of_effort_id=line_of_effort_id, alert_id=alert_id
        )
        if due_on < clock.today():
            raise ValidationError(
                "The due date cannot be before the day the item is created.", field="due_on"
            )
        now = clock.now()
        item = ActionItem(
            title=titles.checked(title, what="the item"),
            description=description.strip(),
            country_code=_country(w, country_code or origin_country),
            owner_agency_id=_agency(w, owner_agency_id, field="owner_agency").id,
            assignee_id=_assignee(w, assignee_id, owner_agency_id),
            origin=origin,
            decision_id=decision_id,
            line_of_effort_id=line_of_effort_id,
            alert_id=alert_id,
            meeting_id=meeting_id,
            due_on=due_on,
            priority=_priority(priority),
            created_by_id=actor.id,
            created_at=now,
            updated_at=now,
        )
        w.session.add(item)
        w.session.flush()
        _set_supporting(w, item, supporting_agency_ids)
        _log(w, item, "created", changes={}, note=note)
        notices.action_assigned(w, item, reassigned=False)
        w.audit(item)
    return item


def _origin(
    w: Writing, *, decision_id, line_of_effort_id, alert_id
) -> tuple[str, str | None, int | None]:
    """(origin, the origin's country, the meeting that decided it) for a new item."""
    if decision_id is not None:
        decision = w.get(Decision, decision_id, what="Decision")
        return "decision", decision.country_code, decision.meeting_id
    if line_of_effort_id is not None:
        w.get(LineOfEffort, line_of_effort_id, what="Line of effort")
        country = w.session.scalar(
            select(Plan.country_code)
            .join(PlanVersion, PlanVersion.plan_id == Plan.id)
            .join(LineOfEffort, LineOfEffort.plan_version_id == PlanVersion.id)
            .where(LineOfEffort.id == line_of_effort_id)
        )
        return "line_of_effort", country, None
    if alert_id is not None:
        return "alert", w.get(Alert, alert_id, what="Alert").country_code, None
    return "standalone", None, None


# --- the owner's updates ----------------------------------------------------------------


def change_status(
    *, actor: Actor, item_id: int, seen_version: int, status: str, reason: str = "", note: str = ""
) -> ActionItem:
    """Move an item to ``status``: blocked needs a reason, done a closing note, cancelled a
    reason; reopening a closed item needs a note. Also changes the reason of a blocked, done
    or cancelled item when only the reason differs."""
    reason, note = reason.strip(), note.strip()
    with writing(actor, "action_item.status") as w:
        item = _item(w, item_id)
        w.require("action.update", record=item, agency_id=item.owner_agency_id)
        _claim(w, item, seen_version)
        if status not in ACTION_STATUSES:
            raise ValidationError(f"Unknown status {status!r}.", field="status")
        if status == item.status and (
            status not in REASON_REQUIRED or reason == item.status_reason
        ):
            raise ValidationError(f"The item is already {_status(status)}.", field="status")
        if status != item.status and status not in TRANSITIONS[item.status]:
            raise ValidationError(
                f"A {_status(item.status)} item cannot become {_status(status)}.", field="status"
            )
        if status in REASON_REQUIRED and not reason:
            raise ValidationError(REASON_REQUIRED[status], field="reason")
        if item.status in CLOSED_STATUSES and status not in CLOSED_STATUSES and not note:
            raise ValidationError("Say why the item is reopened.", field="note")
        before, readable = audit.snapshot(item), _readable(w, item)
        w.touch(
            item,
            seen_version=seen_version,
            status=status,
            status_reason=reason if status in REASON_REQUIRED else "",
            closed_at=clock.now() if status in CLOSED_STATUSES else None,
        )
        _log(w, item, "status", changes=_changes(readable, _readable(w, item)), note=note)
        if status in CLOSED_STATUSES:
            _withdraw_pending_request(w, item)
        w.audit(item, before=before)
    return item


def _withdraw_pending_request(w: Writing, item: ActionItem) -> None:
    """A closed item has no due date to move: its pending request leaves the chair's list,
    recorded on the request, in the item's history and in the audit trail."""
    request = _pending_request(w, item.id)
    if request is None:
        return
    before = audit.snapshot(request)
    note = f"Withdrawn: the item was marked {_status(item.status)}."
    w.touch(
        request,
        seen_version=request.version,
        status="withdrawn",
        decided_by_id=w.actor.id,
        decided_at=clock.now(),
        decision_note=note,
    )
    _log(w, item, "due_date_withdrawn", changes={}, note=note)
    w.audit(request, before=before)


def add_note(
    *, actor: Actor, item_id: int, note: str, seen_version: int | None = None
) -> ActionUpdate:
    """A progress note. The owner agency and supporting agencies may write one; a note changes
    no field, so it never overwrites someone else's edit. Written on the version of the item
    the person saw (``seen_version``), it is refused as a Conflict when the item changed
    meanwhile (closed, reassigned), so that they read the change before filing the note."""
    note = note.strip()
    with writing(actor, "action_item.note") as w:
        item = _item(w, item_id)
        w.require(
            "action.note",
            record=item,
            agency_id=item.owner_agency_id,
            agency_ids=_supporting_ids(w, item),
        )
        if seen_version is not None:
            _claim(w, item, seen_version)
        if not note:
            raise ValidationError("Write the note.", field="note")
        entry = _log(w, item, "note", changes={}, note=note)
        w.audit(item, after={"note": note})
    return entry


def record_progress(
    *, actor: Actor, item_id: int, seen_version: int, status: str, reason: str = "", note: str = ""
) -> ActionItem | ActionUpdate:
    """The desk's one update: a new status (with its reason) and a progress note, or the note
    alone when the status and reason are as they were."""
    current = tracker.get_item(item_id)
    if status != current.status or (
        status in REASON_REQUIRED and reason.strip() != current.status_reason
    ):
        return change_status(
            actor=actor,
            item_id=item_id,
            seen_version=seen_version,
            status=status,
            reason=reason,
            note=note,
        )
    if not note.strip():
        raise ValidationError("Choose a new status or write a progress note.", field="note")
    return add_note(actor=actor, item_id=item_id, note=note, seen_version=seen_version)


@dataclass(frozen=True)
class ProgressUpdate:
    """One row of the desk's editable table: the status, reason and note as the person typed
    them over the version of the item they saw."""

    item_id: int
    seen_version: int
    status: str
    reason: str = ""
    note: str = ""


@dataclass
class Outcome:
    """What became of one row of a bulk update: saved, or the message saying why not (with
    the ``Conflict`` when someone else changed the item first)."""

    item_id: int
    saved: bool
    message: str = ""
    field: str = ""
    conflict: Conflict | None = None


def bulk_update(*, actor: Actor, updates: Iterable[ProgressUpdate]) -> list[Outcome]:
    """Several items at once. Each is its own versioned update, so one refused row leaves the
    others saved; the outcome of every row is reported."""
    outcomes = []
    for update in updates:
        try:
            record_progress(
                actor=actor,
                item_id=update.item_id,
                seen_version=update.seen_version,
                status=update.status,
                reason=update.reason,
                note=update.note,
            )
        except Conflict as conflict:
            outcomes.append(Outcome(update.item_id, False, str(conflict), conflict=conflict))
        except CommitteeError as error:
            outcomes.append(Outcome(update.item_id, False, str(error), getattr(error, "field", "")))
        else:
            outcomes.append(Outcome(update.item_id, True))
    return outcomes


def edit_action_item(
    *,
    actor: Actor,
    item_id: int,
    seen_version: int,
    title: str,
    description: str,
    country_code: str | None,
    assignee_id: int | None,
    priority: str,
    due_on: date,
    supporting_agency_ids: Iterable[int],
    note: str = "",
) -> ActionItem:
    """Change an item's fields. Moving the due date is the chair's: a representative asks for
    it (``request_due_date``)."""
    with writing(actor, "action_item.edit") as w:
        item = _item(w, item_id)
        w.require("action.update", record=item, agency_id=item.owner_agency_id)
        _claim(w, item, seen_version)
        if due_on != item.due_on:
            w.require("action.decide_due_date", record=item)
            if due_on < item.created_at.date():
                raise ValidationError(
                    f"The due date cannot be before the item was created "
                    f"({item.created_at:%d %b %Y}).",
                    field="due_on",
                )
        before, readable = audit.snapshot(item), _readable(w, item)
        w.touch(
            item,
            seen_version=seen_version,
            title=titles.checked(title, what="the item"),
            description=description.strip(),
            country_code=_country(w, country_code),
            assignee_id=_assignee(w, assignee_id, item.owner_agency_id),
            priority=_priority(priority),
            due_on=due_on,
        )
        _set_supporting(w, item, supporting_agency_ids)
        changes = _changes(readable, _readable(w, item))
        if not changes and not note.strip():
            raise ValidationError("Nothing to save: no field was changed.")
        _log(w, item, "edited", changes=changes, note=note)
        w.audit(item, before=before)
    return item


# --- the chair's decisions --------------------------------------------------------------


def reassign_action_item(
    *,
    actor: Actor,
    item_id: int,
    seen_version: int,
    owner_agency_id: int,
    assignee_id: int | None = None,
    note: str = "",
) -> ActionItem:
    """Give an item to another agency (and optionally one of its people)."""
    with writing(actor, "action_item.reassign") as w:
        item = _item(w, item_id)
        w.require("action.reassign", record=item, agency_id=item.owner_agency_id)
        _claim(w, item, seen_version)
        agency = _agency(w, owner_agency_id, field="owner_agency")
        if agency.id == item.owner_agency_id:
            raise ValidationError(f"The item is already {agency.code}'s.", field="owner_agency")
        before, readable = audit.snapshot(item), _readable(w, item)
        w.touch(
            item,
            seen_version=seen_version,
            owner_agency_id=agency.id,
            assignee_id=_assignee(w, assignee_id, agency.id),
        )
        # The new owner no longer merely supports it.
        w.session.execute(
            delete(ActionItemAgency).where(
                ActionItemAgency.action_item_id == item.id, ActionItemAgency.agency_id == agency.id
            )
        )
        _log(w, item, "reassigned", changes=_changes(readable, _readable(w, item)), note=note)
        notices.action_assigned(w, item, reassigned=True)
        w.audit(item, before=before)
    return item


def request_due_date(
    *, actor: Actor, item_id: int, requested_due_on: date, reason: str
) -> DueDateRequest:
    """The owner agency asks the chair for a new due date, saying why."""
    reason = reason.strip()
    with writing(actor, "action_item.request_due_date") as w:
        item = _item(w, item_id)
        w.require("action.request_due_date", record=item, agency_id=item.owner_agency_id)
        if item.status in CLOSED_STATUSES:
            raise ValidationError(
                f"The item is {_status(item.status)}: it has no due date to move.",
                field="requested_due_on",
            )
        if requested_due_on == item.due_on:
            raise ValidationError("That is the current due date.", field="requested_due_on")
        if requested_due_on < clock.today():
            raise ValidationError("A new due date cannot be in the past.", field="requested_due_on")
        if not reason:
            raise ValidationError("Say why the item needs a new due date.", field="reason")
        if _pending_request(w, item.id) is not None:
            raise ValidationError(
                "A request for this item is already waiting for the chair's decision.",
                field="requested_due_on",
            )
        now = clock.now()
        request = DueDateRequest(
            action_item_id=item.id,
            requested_by_id=actor.id,
            requested_due_on=requested_due_on,
            reason=reason,
            created_at=now,
            updated_at=now,
        )
        w.session.add(request)
        changes = {"due_on": [item.due_on.isoformat(), requested_due_on.isoformat()]}
        _log(w, item, "due_date_requested", changes=changes, note=reason)
        w.audit(request)
    return request


def decide_due_date(
    *, actor: Actor, request_id: int, seen_version: int, grant: bool, note: str = ""
) -> DueDateRequest:
    """The chair grants a request (the item takes the new due date) or refuses it, saying why.
    The request and the item's history keep both."""
    note = note.strip()
    with writing(actor, "action_item.decide_due_date") as w:
        request = w.get(DueDateRequest, request_id, what="Due date request")
        w.require("action.decide_due_date", record=request)
        _claim(w, request, seen_version)
        if request.status != "pending":
            raise ValidationError("This request was already decided.", field="decision")
        if not grant and not note:
            raise ValidationError("Say why the request is refused.", field="note")
        item = _item(w, request.action_item_id)
        if grant and item.status in CLOSED_STATUSES:
            raise ValidationError(
                f"The item is {_status(item.status)}; refuse the request instead.",
                field="decision",
            )
        before = audit.snapshot(request)
        w.touch(
            request,
            seen_version=seen_version,
            status="granted" if grant else "refused",
            decided_by_id=actor.id,
            decided_at=clock.now(),
            decision_note=note,
        )
        changes = {}
        if grant:
            changes = {"due_on": [item.due_on.isoformat(), request.requested_due_on.isoformat()]}
            w.touch(item, seen_version=item.version, due_on=request.requested_due_on)
        kind = "due_date_granted" if grant else "due_date_refused"
        _log(w, item, kind, changes=changes, note=note)
        notices.due_date_decided(w, request, item)
        w.audit(request, before=before)
    return request


# --- shared steps -----------------------------------------------------------------------


def _item(w: Writing, item_id: int) -> ActionItem:
    """The item, locked for this transaction on PostgreSQL (SQLite's writer holds the lock)."""
    item = w.session.get(ActionItem, item_id, with_for_update=True)
    if item is None:
        raise NotFound(f"Action item {item_id} does not exist.")
    return item


def _claim(w: Writing, record, seen_version: int) -> None:
    """A form saved over a newer version is a conflict, whatever it asks: check that first,
    so the person sees the other change rather than a message about a state they never saw."""
    if record.version != seen_version:
        w.touch(record, seen_version=seen_version)  # matches no row: raises Conflict


def _pending_request(w: Writing, item_id: int) -> DueDateRequest | None:
    return w.session.scalar(
        select(DueDateRequest).where(
            DueDateRequest.action_item_id == item_id, DueDateRequest.status == "pending"
        )
    )


def _log(w: Writing, item: ActionItem, kind: str, *, changes: dict, note: str) -> ActionUpdate:
    entry = ActionUpdate(
        action_item_id=item.id,
        at=clock.now(),
        by_id=w.actor.id,
        kind=kind,
        changes=changes,
        note=note.strip(),
    )
    w.session.add(entry)
    return entry


def _readable(w: Writing, item: ActionItem) -> dict:
    """The item's fields as its history shows them: codes and names rather than ids."""
    session = w.session
    owner = session.get(Agency, item.owner_agency_id)
    assignee = session.get(User, item.assignee_id) if item.assignee_id else None
    supporting = session.scalars(
        select(Agency.code)
        .join(ActionItemAgency, ActionItemAgency.agency_id == Agency.id)
        .where(ActionItemAgency.action_item_id == item.id)
        .order_by(Agency.code)
    )
    return {
        "title": item.title,
        "description": item.description,
        "country": item.country_code,
        "owner_agency": owner.code if owner else None,
        "assignee": assignee.name if assignee else None,
        "supporting_agencies": ", ".join(supporting),
        "priority": item.priority,
        "due_on": item.due_on.isoformat(),
        "status": item.status,
        "status_reason": item.status_reason,
    }


def _changes(before: dict, after: dict) -> dict:
    return {key: [before[key], after[key]] for key in before if before[key] != after[key]}


def _supporting_ids(w: Writing, item: ActionItem) -> list[int]:
    return list(
        w.session.scalars(
            select(ActionItemAgency.agency_id).where(ActionItemAgency.action_item_id == item.id)
        )
    )


def _set_supporting(w: Writing, item: ActionItem, agency_ids: Iterable[int]) -> None:
    wanted = {_agency(w, a, field="supporting_agencies").id for a in agency_ids}
    wanted.discard(item.owner_agency_id)
    current = set(_supporting_ids(w, item))
    if current - wanted:
        w.session.execute(
            delete(ActionItemAgency).where(
                ActionItemAgency.action_item_id == item.id,
                ActionItemAgency.agency_id.in_(current - wanted),
            )
        )
    for agency_id in sorted(wanted - current):
        w.session.add(ActionItemAgency(action_item_id=item.id, agency_id=agency_id))
    w.session.flush()


def _priority(priority: str) -> str:
    if priority not in PRIORITIES:
        raise ValidationError(f"Priority must be one of {', '.join(PRIORITIES)}.", field="priority")
    return priority


def _agency(w: Writing, agency_id: int | None, *, field: str) -> Agency:
    agency = w.session.get(Agency, agency_id) if agency_id is not None else None
    if agency is None or not agency.active:
        raise ValidationError(f"Unknown agency {agency_id!r}.", field=field)
    return agency


def _assignee(w: Writing, assignee_id: int | None, agency_id: int) -> int | None:
    if assignee_id is None:
        return None
    person = w.session.get(User, assignee_id)
    if person is None or not person.active or person.agency_id != agency_id:
        raise ValidationError(
            "The assignee must be an active person of the owner agency.", field="assignee"
        )
    return person.id


def _country(w: Writing, code: str | None) -> str | None:
    if not code:
        return None
    if w.session.get(Country, code.strip().upper()) is None:
        raise ValidationError(f"Unknown country {code!r}.", field="country")
    return code.strip().upper()


def _status(status: str) -> str:
    return vocabulary.ACTION_STATUS_LABELS[status].lower()
