"""Minutes: drafted from what the meeting recorded, circulated, approved, then locked.

The draft is generated from the attendance, each item's notes and decisions, and the action
items the meeting created; the secretariat edits it freely until approval. Every saved draft is
a revision of its own (who, when, the text), like the versions of a plan, so no draft is ever
overwritten and any two can be compared. Approval (by the chair, or by the committee at the
next meeting) locks the newest draft: a correction afterwards is a new revision with its
reason, and earlier revisions stay readable.

Every change names the minutes' version the editor saw, so two editors cannot overwrite each
other silently.
"""

import difflib
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from committee import (
    audit,
    clock,
    decisions,
    meeting_times,
    notices,
    restricted_alerts,
    vocabulary,
)
from committee.actor import Actor
from committee.errors import NotFound, ValidationError
from committee.markdown import plain
from committee.transaction import Writing, writing
from db.engine import read_session
from db.models import (
    ActionItem,
    Agency,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    Minutes,
    MinutesRevision,
)

STATUS_LABELS = {"draft": "Draft", "circulated": "Circulated", "approved": "Approved"}


@dataclass
class MinutesRecord:
    minutes: Minutes | None
    revisions: list[MinutesRevision]  # newest first; drafts have no reason, corrections one

    @property
    def current(self) -> MinutesRevision | None:
        return self.revisions[0] if self.revisions else None

    @property
    def approved(self) -> MinutesRevision | None:
        """The text as approved: the newest draft, once the minutes are approved."""
        if not self.locked:
            return None
        return next((r for r in self.revisions if not r.reason), None)

    @property
    def locked(self) -> bool:
        return self.minutes is not None and self.minutes.status == "approved"


def minutes_record(session: Session, meeting_id: int) -> MinutesRecord:
    found = session.scalar(select(Minutes).where(Minutes.meeting_id == meeting_id))
    if found is None:
        return MinutesRecord(None, [])
    revisions = session.scalars(
        select(MinutesRevision)
        .where(MinutesRevision.minutes_id == found.id)
        .order_by(MinutesRevision.number.desc())
    )
    return MinutesRecord(found, list(revisions))


def minutes_of(meeting_id: int) -> MinutesRecord:
    with read_session() as session:
        return minutes_record(session, meeting_id)


def awaiting_approval(session: Session, *, before: datetime) -> tuple[Meeting, str] | None:
    """The last meeting held before ``before`` if its minutes still await approval, with
    their state ("draft", "circulated", or "not drafted")."""
    row = session.execute(
        select(Meeting, Minutes.status)
        .join(Minutes, Minutes.meeting_id == Meeting.id, isouter=True)
        .where(Meeting.status == "held", meeting_times.took_place_sql() < before)
        .order_by(meeting_times.took_place_sql().desc())
        .limit(1)
    ).first()
    if row is None or row[1] == "approved":
        return None
    meeting, status = row
    return meeting, STATUS_LABELS.get(status, "not drafted").lower()


# --- the lifecycle ----------------------------------------------------------------------------


def draft_minutes(
    *, actor: Actor, meeting_id: int, seen_version: int | None = None
) -> MinutesRevision:
    """Write a draft from what the meeting recorded, as a new revision of minutes not yet
    approved (``seen_version`` guards against drafting over another's edits unseen)."""
    with writing(actor, "minutes.draft") as w:
        w.require("minutes.edit")
        meeting = w.get(Meeting, meeting_id, what="Meeting")
        if meeting.status == "cancelled":
            raise ValidationError("The meeting was cancelled: it has no minutes.", field="body")
        record = minutes_record(w.session, meeting.id)
        body = generate(w.session, meeting)
        if record.minutes is None:
            found = Minutes(meeting_id=meeting.id)
            w.session.add(found)
            w.session.flush()
            w.audit(found, after={"status": "draft", "body": body})
            return _add_revision(w, found, 1, body)
        _unlocked(record)
        before = {"status": record.minutes.status, "revision": record.current.number}
        w.touch(record.minutes, seen_version=_seen(seen_version), status="draft")
        revision = _add_revision(w, record.minutes, record.current.number + 1, body)
        w.audit(record.minutes, before=before, after={"status": "draft", "body": body})
        return revision


def edit_minutes(*, actor: Actor, meeting_id: int, seen_version: int, body: str) -> MinutesRevision:
    """Save a new draft of minutes not yet approved."""
    body = _check_body(body)
    with writing(actor, "minutes.edit") as w:
        record = _record(w, meeting_id, "minutes.edit")
        _unlocked(record)
        if body == record.current.body:
            raise ValidationError("The text has not changed.", field="body")
        before = {"revision": record.current.number, "body": record.current.body}
        w.touch(record.minutes, seen_version=seen_version)
        revision = _add_revision(w, record.minutes, record.current.number + 1, body)
        w.audit(record.minutes, before=before, after={"revision": revision.number, "body": body})
    return revision


def compare_revisions(*, meeting_id: int, first: int, second: int) -> list[str]:
    """What changed from revision ``first`` to revision ``second`` of a meeting's minutes, as a
    unified diff of their lines (empty when the texts are the same)."""
    with read_session() as session:
        record = minutes_record(session, meeting_id)
    texts = {r.number: r.body for r in record.revisions}
    if first not in texts or second not in texts:
        raise NotFound(f"These minutes have no revision {first} or {second}.")
    diff = difflib.unified_diff(
        texts[first].splitlines(), texts[second].splitlines(), lineterm="", n=2
    )
    return list(diff)[2:]  # without the two file headers


def circulate_minutes(*, actor: Actor, meeting_id: int, seen_version: int) -> Minutes:
    """Send the draft to the members for comment before approval."""
    with writing(actor, "minutes.circulate") as w:
        record = _record(w, meeting_id, "minutes.edit")
        _unlocked(record)
        _held(w, meeting_id)
        before = audit.snapshot(record.minutes)
        w.touch(record.minutes, seen_version=seen_version, status="circulated")
        notices.minutes_circulated(w, w.get(Meeting, meeting_id), record.minutes.version)
        w.audit(record.minutes, before=before)
    return record.minutes


def approve_minutes(
    *, actor: Actor, meeting_id: int, seen_version: int, at_meeting_id: int | None = None
) -> Minutes:
    """Approve the minutes, by the chair or, with ``at_meeting_id``, by the committee at a
    later meeting (recorded as that meeting's decision). Approved minutes are locked."""
    with writing(actor, "minutes.approve") as w:
        record = _record(w, meeting_id, "minutes.approve")
        _unlocked(record)
        meeting = _held(w, meeting_id)
        before = audit.snapshot(record.minutes)
        values = dict(status="approved", approved_by_id=actor.id, approved_at=clock.now())
        if at_meeting_id is not None:
            at = w.get(Meeting, at_meeting_id, what="Meeting")
            earlier = meeting_times.took_place(at) <= meeting_times.took_place(meeting)
            if earlier or at.status == "cancelled":
                raise ValidationError(
                    "Minutes are approved at a later meeting that takes place.", field="meeting"
                )
            values["approved_at_meeting_id"] = at.id
            decisions.record_decision(
                actor=actor,
                kind="minutes_approval",
                meeting_id=at.id,
                agenda_item_id=w.session.scalar(
                    select(AgendaItem.id).where(
                        AgendaItem.meeting_id == at.id, AgendaItem.kind == "minutes_approval"
                    )
                ),
                text=f"The committee approved the minutes of {meeting.title}.",
            )
        w.touch(record.minutes, seen_version=seen_version, **values)
        w.audit(record.minutes, before=before)
    return record.minutes


def correct_minutes(
    *, actor: Actor, meeting_id: int, seen_version: int, body: str, reason: str
) -> MinutesRevision:
    """Correct approved minutes: a new revision with its reason; the earlier ones stay."""
    body = _check_body(body)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the approved minutes are corrected.", field="reason")
    with writing(actor, "minutes.correct") as w:
        record = _record(w, meeting_id, "minutes.edit")
        if not record.locked:
            raise ValidationError(
                "These minutes are not approved yet: edit them directly.", field="body"
            )
        if body == record.current.body:
            raise ValidationError("The correction changes nothing in the text.", field="body")
        w.touch(record.minutes, seen_version=seen_version)
        revision = _add_revision(w, record.minutes, record.current.number + 1, body, reason)
        w.audit(
            record.minutes,
            before={"revision": record.current.number, "body": record.current.body},
            after={"revision": revision.number, "body": body, "reason": reason},
        )
    return revision


def _record(w: Writing, meeting_id: int, permission: str) -> MinutesRecord:
    w.require(permission)
    record = minutes_record(w.session, meeting_id)
    if record.minutes is None:
        raise NotFound("This meeting has no minutes yet: draft them first.")
    return record


def _unlocked(record: MinutesRecord) -> None:
    if record.locked:
        approved = record.minutes.approved_at
        raise ValidationError(
            f"The minutes were approved{f' on {approved:%d %b %Y}' if approved else ''} and are "
            "locked: record a correction with its reason instead.",
            field="body",
        )


def _held(w: Writing, meeting_id: int) -> Meeting:
    meeting = w.get(Meeting, meeting_id, what="Meeting")
    if meeting.status != "held":
        raise ValidationError(
            "The meeting has not been closed yet: close it in the meeting room first.",
            field="status",
        )
    return meeting


def _seen(seen_version: int | None) -> int:
    if seen_version is None:
        raise ValidationError("Drafting again replaces the text: confirm it.", field="body")
    return seen_version


def _add_revision(
    w: Writing, found: Minutes, number: int, body: str, reason: str = ""
) -> MinutesRevision:
    revision = MinutesRevision(
        minutes_id=found.id, number=number, body=body, reason=reason, created_by_id=w.actor.id
    )
    w.session.add(revision)
    return revision


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError("The minutes have no text.", field="body")
    return body


# --- the draft's text -------------------------------------------------------------------------


def generate(session: Session, meeting: Meeting) -> str:
    """The minutes' first draft in Markdown, from what the meeting recorded: what people typed
    (titles, notes, decisions) shows as typed, never as Markdown of its own."""
    zone = ZoneInfo(meeting.timezone)
    starts = meeting.starts_at.astimezone(zone)
    held = meeting_times.held_words(meeting)
    lines = [
        f"### Minutes — {plain(meeting.title)}",
        "",
        f"{vocabulary.MEETING_KIND_LABELS[meeting.kind]} meeting, "
        f"{starts:%A %d %B %Y, %H:%M} {starts.tzname()}"
        + (f", {held}" if held else "")
        + (f" · {plain(meeting.location)}" if meeting.location else ""),
        "",
        "#### Attendance",
        "",
        *_attendance_lines(session, meeting.id),
        "",
        "#### Proceedings",
    ]
    items = list(
        session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )
    decisions: dict[int | None, list[Decision]] = {}
    # The minutes go to every member: a restricted alert's decision stays in its own record.
    for decision in session.scalars(
        select(Decision)
        .where(
            Decision.meeting_id == meeting.id,
            restricted_alerts.derived_readable_by(None, Decision.alert_id),
        )
        .order_by(Decision.decided_at)
    ):
        decisions.setdefault(decision.agenda_item_id, []).append(decision)
    actions: dict[int, list[str]] = {}
    for action, code in session.execute(
        select(ActionItem, Agency.code)
        .join(Agency, Agency.id == ActionItem.owner_agency_id)
        .where(ActionItem.meeting_id == meeting.id)
        .order_by(ActionItem.id)
    ):
        actions.setdefault(action.decision_id, []).append(
            f"{plain(action.title)} — {code}, due {action.due_on:%d %b %Y}"
        )
    for item in items:
        lines += ["", f"##### {item.position}. {plain(item.title)}", ""]
        taken = item.minutes_used or item.notes.strip() or item.review_done or item.id in decisions
        if not taken:
            lines.append("*Not taken up.*")
            continue
        used = f"; used {item.minutes_used}" if item.minutes_used is not None else ""
        lines.append(f"*Allotted {item.minutes_allotted} minutes{used}.*")
        if item.notes.strip():
            lines += ["", _lines(item.notes.strip())]
        if item.review_done:
            lines += ["", "Review completed."]
        for decision in decisions.get(item.id, []):
            lines += ["", f"**Decision:** {_lines(decision.text)}"]
            lines += [f"- Action: {text}" for text in actions.get(decision.id, [])]
    others = decisions.get(None, [])
    if others:
        lines += ["", "#### Other decisions", ""]
        lines += [f"- {_lines(decision.text)}" for decision in others]
    return "\n".join(lines) + "\n"


def _lines(text: str) -> str:
    """Typed text as typed, its line breaks kept."""
    return plain(text).replace("\n", "  \n")


def _attendance_lines(session: Session, meeting_id: int) -> list[str]:
    rows = session.execute(
        select(Attendance, Agency.name)
        .join(Agency, Agency.id == Attendance.agency_id)
        .where(Attendance.meeting_id == meeting_id)
        .order_by(Agency.name)
    )
    present, represented, absent = [], [], []
    for attendance, name in rows:
        if attendance.status == "present":
            present.append(
                f"{plain(name)} ({plain(attendance.attendees)})"
                if attendance.attendees
                else plain(name)
            )
        elif attendance.status == "represented":
            represented.append(f"{plain(name)} (by {plain(attendance.represented_by)})")
        else:
            absent.append(plain(name))
    if not (present or represented or absent):
        return ["Attendance was not recorded."]
    return [
        f"- **{label}:** {'; '.join(names)}"
        for label, names in (("Present", present), ("Represented", represented), ("Absent", absent))
        if names
    ]
