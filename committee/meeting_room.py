"""The chair's meeting room: attendance by agency, a clock per agenda item, notes, decisions,
action items created in place from a decision, country reviews marked done, tier changes made
during a review, and closing the meeting.

What the room records is the meeting's record: it can be completed after the meeting, until
the minutes are approved; then it is locked with them.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from committee import (
    actions,
    agenda,
    audit,
    clock,
    decisions,
    meeting_record,
    meeting_times,
    meetings,
    minutes,
    vocabulary,
    watchlist,
)
from committee.actor import Actor
from committee.errors import NotFound, ValidationError
from committee.transaction import Writing, writing
from db.engine import read_session
from db.models import (
    ActionItem,
    Agency,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    TierChange,
    WatchlistEntry,
)
from db.models.meetings import ATTENDANCE_STATUSES

# --- reading the room -------------------------------------------------------------------------


@dataclass
class RoomItem:
    """An agenda item as the room runs it: its decisions and the action items they created."""

    line: agenda.AgendaLine
    decisions: list[Decision]
    actions: list[meetings.ActionRow]
    taken_up: bool  # agenda.taken_up's rule: what closing the meeting counts as not taken up

    @property
    def item(self) -> AgendaItem:
        return self.line.item

    @property
    def running(self) -> bool:
        return self.item.started_at is not None

    def used(self, now: datetime) -> int:
        """Minutes used so far, the running stretch included."""
        running = _elapsed(self.item.started_at, now) if self.running else 0
        return (self.item.minutes_used or 0) + running

    def elapsed(self, now: datetime) -> timedelta:
        """Time used so far to the second, for the clock the room watches tick."""
        running = now - self.item.started_at if self.running else timedelta()
        return timedelta(minutes=self.item.minutes_used or 0) + running


@dataclass
class Room:
    meeting: Meeting
    items: list[RoomItem]
    attendance: list[meetings.AttendanceRow]
    minutes: minutes.MinutesRecord
    earlier_minutes: tuple[Meeting, str] | None  # minutes this meeting may approve

    @property
    def length(self) -> int:
        return agenda.meeting_length(self.meeting)

    def used(self, now: datetime) -> int:
        return sum(item.used(now) for item in self.items)


def room(meeting_id: int) -> Room:
    with read_session() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound(f"Meeting {meeting_id} does not exist.")
        view = agenda.agenda_view(session, meeting)
        decisions: dict[int, list[Decision]] = {}
        for decision in session.scalars(
            select(Decision)
            .where(Decision.meeting_id == meeting_id)
            .order_by(Decision.decided_at, Decision.id)
        ):
            decisions.setdefault(decision.agenda_item_id, []).append(decision)
        actions: dict[int, list[meetings.ActionRow]] = {}
        for action, code in session.execute(
            select(ActionItem, Agency.code)
            .join(Agency, Agency.id == ActionItem.owner_agency_id)
            .where(ActionItem.meeting_id == meeting_id)
            .order_by(ActionItem.id)
        ):
            actions.setdefault(action.decision_id, []).append(meetings.ActionRow(action, code))
        taken = set(
            session.scalars(
                select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id, agenda.taken_up())
            )
        )
        items = []
        for line in view.lines:
            made = decisions.get(line.item.id, [])
            created = [row for d in made for row in actions.get(d.id, [])]
            items.append(RoomItem(line, made, created, line.item.id in taken))
        return Room(
            meeting=meeting,
            items=items,
            attendance=meetings.attendance_of(session, meeting_id),
            minutes=minutes.minutes_record(session, meeting_id),
            earlier_minutes=minutes.awaiting_approval(
                session, before=meeting_times.took_place(meeting)
            ),
        )


def _elapsed(since: datetime, now: datetime) -> int:
    """Whole minutes, rounded up: a started item has used at least a minute."""
    return max(1, math.ceil((now - since).total_seconds() / 60))


# --- attendance -------------------------------------------------------------------------------


@dataclass
class AttendanceLine:
    """One agency's attendance as the secretariat records it. ``seen_version`` is the version
    of the agency's attendance row the editor saw (None when it had none)."""

    agency_id: int
    status: str
    attendees: str = ""
    represented_by: str = ""
    seen_version: int | None = None


def record_attendance(
    *, actor: Actor, meeting_id: int, lines: list[AttendanceLine]
) -> list[Attendance]:
    """Record who attended, agency by agency; unchanged lines are left as they are."""
    with writing(actor, "meeting.attendance") as w:
        meeting = _open_meeting(w, meeting_id)
        rows = {
            row.agency_id: row
            for row in w.session.scalars(
                select(Attendance).where(Attendance.meeting_id == meeting.id)
            )
        }
        before = {a: audit.snapshot(r) for a, r in rows.items()}
        saved = []
        for line in lines:
            values = _attendance_values(w, line)
            row = rows.get(line.agency_id)
            if row is None:
                row = Attendance(meeting_id=meeting.id, agency_id=line.agency_id, **values)
                w.session.add(row)
            elif any(getattr(row, k) != v for k, v in values.items()):
                # Versions start at 1, so a line that saw no row (0) conflicts with a new one.
                w.touch(row, seen_version=line.seen_version or 0, **values)
            saved.append(row)
        w.session.flush()
        w.audit(
            meeting,
            before={"attendance": before},
            after={"attendance": {r.agency_id: audit.snapshot(r) for r in saved}},
        )
    return saved


def _attendance_values(w: Writing, line: AttendanceLine) -> dict:
    w.get(Agency, line.agency_id, what="Agency")
    if line.status not in ATTENDANCE_STATUSES:
        raise ValidationError("Present, absent or represented.", field="attendance")
    attendees, represented_by = line.attendees.strip(), line.represented_by.strip()
    if line.status == "represented" and not represented_by:
        raise ValidationError(
            "Say who represented the agency (e.g. another agency or a named person).",
            field="attendance",
        )
    if line.status == "absent":
        attendees, represented_by = "", ""
    return {"status": line.status, "attendees": attendees, "represented_by": represented_by}


# --- the clock, notes and decisions -----------------------------------------------------------


def start_item(*, actor: Actor, item_id: int) -> AgendaItem:
    """Start an item's clock; the item running before it stops."""
    with writing(actor, "meeting.start_item") as w:
        item, meeting = open_item(w, item_id)
        now = clock.now()
        for other in w.session.scalars(
            select(AgendaItem).where(
                AgendaItem.meeting_id == meeting.id, AgendaItem.started_at.is_not(None)
            )
        ):
            if other.id != item.id:
                _stop(other, now)
        before = audit.snapshot(item)
        if item.started_at is None:
            item.started_at = now
        w.audit(item, before=before)
        meeting_times.begin(w, meeting, now)
    return item


def stop_item(*, actor: Actor, item_id: int) -> AgendaItem:
    with writing(actor, "meeting.stop_item") as w:
        item, _ = open_item(w, item_id)
        before = audit.snapshot(item)
        _stop(item, clock.now())
        w.audit(item, before=before)
    return item


def _stop(item: AgendaItem, now: datetime) -> None:
    if item.started_at is not None:
        item.minutes_used = (item.minutes_used or 0) + _elapsed(item.started_at, now)
        item.started_at = None


def save_notes(*, actor: Actor, item_id: int, seen_version: int, notes: str) -> AgendaItem:
    """The secretariat's notes on an item (they go into the minutes' draft)."""
    with writing(actor, "meeting.notes") as w:
        item, _ = open_item(w, item_id)
        before = audit.snapshot(item)
        w.touch(item, seen_version=seen_version, notes=(notes or "").strip())
        w.audit(item, before=before)
    return item


def add_action_item(
    *,
    actor: Actor,
    decision_id: int,
    title: str,
    owner_agency_id: int,
    due_on: date,
    priority: str = "medium",
    description: str = "",
) -> ActionItem:
    """An action item created in place from a decision on the agenda, owned by one agency.
    The tracker's own service creates it, so it is logged and audited like every item."""
    with read_session() as session:
        decision = session.get(Decision, decision_id)
        if decision is None or decision.agenda_item_id is None:
            raise ValidationError("Choose a decision taken on an agenda item.", field="decision")
        meeting = session.get(Meeting, decision.meeting_id)
        meeting_record.check_open(session, meeting)
    return actions.create_action_item(
        actor=actor,
        title=title,
        owner_agency_id=owner_agency_id,
        due_on=due_on,
        priority=priority,
        description=description,
        decision_id=decision.id,
        note=f"From a decision at {meeting.title}.",
    )


# --- country reviews --------------------------------------------------------------------------


def mark_review_done(*, actor: Actor, item_id: int) -> WatchlistEntry:
    """The committee has reviewed the country: its last review is this meeting, which sets
    when its next review falls due."""
    with writing(actor, "meeting.review_done") as w:
        item, meeting = open_item(w, item_id)
        entry = _reviewed_entry(w.session, item)
        before = audit.snapshot(item)
        # Like its clock, the item's review flag is the meeting's doing, not an edit of the
        # item's notes: its version, which guards the notes, stays.
        item.review_done = True
        w.audit(item, before=before)
        # A meeting run ahead of its date is dated the day it ran.
        return watchlist.record_review(
            actor=actor,
            country_code=entry.country_code,
            meeting_id=meeting.id,
            reviewed_on=min(agenda.meeting_day(meeting), clock.today()),
        )


def change_tier(
    *, actor: Actor, item_id: int, new_tier: int, reason: str, seen_version: int
) -> TierChange:
    """Change the country's tier during its review, with the reason, as a decision.
    ``seen_version`` is the version of the country's watchlist entry the chair saw."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the tier changes.", field="reason")
    if new_tier not in vocabulary.TIER_LABELS:
        raise ValidationError("Choose tier 1, 2 or 3.", field="tier")
    with writing(actor, "meeting.tier_change") as w:
        item, _ = open_item(w, item_id)
        entry = _reviewed_entry(w.session, item)
        old = entry.tier
        if old == new_tier:
            raise ValidationError("The country is already at that tier.", field="tier")
        watchlist.set_tier(
            actor=actor,
            country_code=entry.country_code,
            tier=new_tier,
            reason=reason,
            seen_version=seen_version,
            agenda_item_id=item.id,
        )
        decision = decisions.record_decision(
            actor=actor,
            kind="tier_change",
            agenda_item_id=item.id,
            text=f"{vocabulary.TIER_LABELS[old]} becomes {vocabulary.TIER_LABELS[new_tier]}: "
            f"{reason}",
        )
        change = w.session.scalar(
            select(TierChange)
            .where(TierChange.agenda_item_id == item.id)
            .order_by(TierChange.id.desc())
            .limit(1)
        )
        w.audit(change, after={"decision": decision.id, "tier": new_tier})
    return change


def _reviewed_entry(session: Session, item: AgendaItem) -> WatchlistEntry:
    if item.kind != "country_review" or not item.country_code:
        raise ValidationError("This item is not a country review.", field="agenda")
    entry = session.scalar(
        select(WatchlistEntry).where(WatchlistEntry.country_code == item.country_code)
    )
    if entry is None or not entry.on_watchlist:
        raise ValidationError("The country is not on the watchlist.", field="agenda")
    return entry


# --- closing ----------------------------------------------------------------------------------


def close_meeting(*, actor: Actor, meeting_id: int, seen_version: int) -> Meeting:
    """The meeting is over: it is recorded as held, when it ended, and its clocks stop. Its
    schedule stays as invited, even for a meeting run ahead of its date: calendars keep it."""
    with writing(actor, "meeting.close") as w:
        meeting = _open_meeting(w, meeting_id)
        if meeting.status != "scheduled":
            raise ValidationError("The meeting is already closed.", field="status")
        now = clock.now()
        for item in w.session.scalars(
            select(AgendaItem).where(
                AgendaItem.meeting_id == meeting.id, AgendaItem.started_at.is_not(None)
            )
        ):
            _stop(item, now)
        before = audit.snapshot(meeting)
        w.touch(meeting, seen_version=seen_version, status="held", **meeting_times.end(now))
        w.audit(meeting, before=before)
    return meeting


def close_and_carry_over(
    *, actor: Actor, meeting_id: int, seen_version: int, carry_to_meeting_id: int
) -> Meeting:
    """Close the meeting and carry the items it did not take up to a later meeting's agenda,
    in one transaction: the meeting is not closed with its left-over business lost."""
    with writing(actor, "meeting.close_and_carry_over") as w:
        w.require("meeting.run", record=w.get(Meeting, meeting_id, what="Meeting"))
        meeting = close_meeting(actor=actor, meeting_id=meeting_id, seen_version=seen_version)
        carried = agenda.carry_over(
            actor=actor, meeting_id=meeting.id, to_meeting_id=carry_to_meeting_id
        )
        w.audit(
            meeting,
            after={"carried_to": carry_to_meeting_id, "items": [item.id for item in carried]},
        )
    return meeting


def _open_meeting(w: Writing, meeting_id: int) -> Meeting:
    meeting = w.get(Meeting, meeting_id, what="Meeting")
    w.require("meeting.run", record=meeting)
    meeting_record.check_open(w.session, meeting)
    return meeting


def open_item(w: Writing, item_id: int) -> tuple[AgendaItem, Meeting]:
    """An agenda item whose meeting the room may still add to, checked for ``w``'s actor."""
    item = w.get(AgendaItem, item_id, what="Agenda item")
    return item, _open_meeting(w, item.meeting_id)
