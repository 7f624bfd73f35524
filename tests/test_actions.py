"""Action items: where they come from, status changes and their reasons, the overdue rule on
its boundaries, who may change what, no update lost under concurrent sessions, the desk order,
filters that travel in a link, summaries and the command line."""

import threading
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import IntegrityError

from cli import main
from committee import actions, tracker
from committee.errors import Conflict, PermissionDenied, ValidationError
from committee.tracker import TrackerFilter
from db.engine import get_engine, read_session, write_session
from db.models import (
    ActionItem,
    ActionItemAgency,
    ActionUpdate,
    Alert,
    AuditEvent,
    Decision,
    DueDateRequest,
    LineOfEffort,
    Meeting,
    Plan,
    PlanVersion,
)

DAY = date(2026, 11, 26)  # the frozen clock's day
THREADS = 8
EDITS_PER_THREAD = 5


def count(model, *where) -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def audit_counts() -> tuple[int, int]:
    return (
        count(AuditEvent, AuditEvent.outcome == "ok"),
        count(AuditEvent, AuditEvent.outcome == "refused"),
    )


def new_item(people, *, actor=None, owner="rep", **fields) -> ActionItem:
    """An open STATE item (USAID supporting) due in 30 days, created by the chair."""
    values = {
        "title": "Draft demarche",
        "owner_agency_id": people[owner].agency_id,
        "due_on": DAY + timedelta(days=30),
        "supporting_agency_ids": [people["other_rep"].agency_id],
    }
    values.update(fields)
    return actions.create_action_item(actor=actor or people["chair"], **values)


def current(item_id: int) -> ActionItem:
    return tracker.get_item(item_id)


def kinds(item_id: int) -> list[str]:
    return [entry.kind for entry in tracker.history(item_id)]


def add(record):
    """Test set-up written straight to the database (not a service call)."""
    with write_session() as session:
        session.add(record)
        session.flush()
        return record


# --- where items come from ----------------------------------------------------------------------


def test_an_item_keeps_its_origin_and_takes_its_country(db, people, frozen_clock):
    meeting = add(
        Meeting(
            kind="ad_hoc",
            title="Ad hoc session",
            starts_at=datetime(2026, 11, 20, 15, tzinfo=timezone.utc),
            ends_at=datetime(2026, 11, 20, 16, tzinfo=timezone.utc),
            timezone="America/New_York",
            status="held",
            calendar_uid="test-meeting@apc-desk",
        )
    )
    decision = add(Decision(meeting_id=meeting.id, country_code="SDN", text="Agencies to act."))
    alert = add(
        Alert(
            reference="ALR-2026-0001",
            country_code="MMR",
            severity="acute",
            summary="Villages burning.",
            review_deadline=datetime(2026, 11, 29, tzinfo=timezone.utc),
        )
    )
    plan = add(Plan(country_code="ETH", kind="prevention", title="Prevention plan — ETH"))
    version = add(PlanVersion(plan_id=plan.id, number=1))
    line = add(
        LineOfEffort(
            plan_version_id=version.id,
            toolbox_category="preventive_diplomacy",
            objective="Engage the regional body.",
            lead_agency_id=people["rep"].agency_id,
        )
    )

    from_decision = new_item(people, decision_id=decision.id)
    from_alert = new_item(people, alert_id=alert.id)
    from_line = new_item(people, line_of_effort_id=line.id)
    on_its_own = new_item(people, country_code="hti")

    assert (from_decision.origin, from_decision.country_code) == ("decision", "SDN")
    assert (from_decision.decision_id, from_decision.meeting_id) == (decision.id, meeting.id)
    assert (from_alert.origin, from_alert.alert_id, from_alert.country_code) == (
        "alert",
        alert.id,
        "MMR",
    )
    assert (from_line.origin, from_line.line_of_effort_id, from_line.country_code) == (
        "line_of_effort",
        line.id,
        "ETH",
    )
    assert (on_its_own.origin, on_its_own.country_code) == ("standalone", "HTI")
    assert (
        tracker.item_detail(from_decision.id, actor=people["chair"]).origin
        == "Decision: Agencies to act."
    )
    assert tracker.item_detail(from_line.id, actor=people["chair"]).meeting is None
    assert kinds(from_decision.id) == ["created"]
    assert count(AuditEvent, AuditEvent.action == "action_item.create") == 4


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"due_on": DAY - timedelta(days=1)}, "due_on"),
        ({"assignee_id": "other_rep"}, "assignee"),
        ({"owner_agency_id": 9999}, "owner_agency"),
        ({"supporting_agency_ids": [9999]}, "supporting_agencies"),
        ({"country_code": "XXX"}, "country"),
        ({"priority": "urgent"}, "priority"),
        ({"decision_id": 1, "alert_id": 1}, "origin"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_nothing_written(
    db, people, frozen_clock, fields, field
):
    if fields.get("assignee_id") == "other_rep":
        fields["assignee_id"] = people["other_rep"].id  # a USAID person on a STATE item
    ok_before = audit_counts()
    with pytest.raises(ValidationError) as refused:
        new_item(people, **fields)
    assert refused.value.field == field
    assert count(ActionItem) == count(ActionUpdate) == count(ActionItemAgency) == 0
    assert audit_counts() == ok_before


def test_an_assignee_of_the_owner_agency_is_accepted(db, people, frozen_clock):
    item = new_item(people, assignee_id=people["rep"].id)
    assert tracker.item_detail(item.id, actor=people["chair"]).tracked.assignee_name == "Rep"


# --- status and its reasons ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "reason", "note", "refused_field"),
    [
        (["in_progress"], "", "", None),
        (["blocked"], "Waiting for clearance.", "", None),
        (["blocked"], "", "", "reason"),
        (["done"], "", "", "reason"),
        (["done"], "Demarche delivered.", "", None),
        (["cancelled"], "", "", "reason"),
        (["cancelled"], "Overtaken by events.", "", None),
        (["open"], "", "", "status"),  # already open
        (["done", "open"], "Delivered.", "", "status"),  # done reopens to in progress only
        (["done", "in_progress"], "Delivered.", "", "note"),  # reopening says why
        (["done", "in_progress"], "Delivered.", "Partner asked for more.", None),
        (["cancelled", "open"], "Not needed.", "Needed after all.", None),
    ],
)
def test_status_transitions_and_their_reasons(
    db, people, frozen_clock, path, reason, note, refused_field
):
    rep = people["rep"]
    item = new_item(people)
    *before, last = path
    for status in before:
        item = actions.change_status(
            actor=rep, item_id=item.id, seen_version=item.version, status=status, reason=reason
        )
    if refused_field:
        with pytest.raises(ValidationError) as refused:
            actions.change_status(
                actor=rep,
                item_id=item.id,
                seen_version=item.version,
                status=last,
                reason=reason if last in actions.REASON_REQUIRED else "",
                note=note,
            )
        assert refused.value.field == refused_field
        assert current(item.id).status == item.status
        return
    changed = actions.change_status(
        actor=rep, item_id=item.id, seen_version=item.version, status=last, reason=reason, note=note
    )
    assert changed.status == last
    assert changed.version == item.version + 1
    assert changed.status_reason == (reason if last in actions.REASON_REQUIRED else "")
    assert (changed.closed_at is not None) == (last in ("done", "cancelled"))
    entry = tracker.history(item.id)[-1]
    assert (entry.kind, entry.by, entry.note) == ("status", "Rep", note)
    assert entry.changes["status"] == [item.status, last]


def test_every_change_writes_one_history_entry_and_one_audit_event(db, people, frozen_clock):
    rep, chair = people["rep"], people["chair"]
    item = new_item(people)
    steps = [
        lambda i: actions.change_status(
            actor=rep, item_id=i.id, seen_version=i.version, status="in_progress"
        ),
        lambda i: actions.add_note(actor=rep, item_id=i.id, note="Met the embassy."),
        lambda i: actions.edit_action_item(
            actor=rep,
            item_id=i.id,
            seen_version=i.version,
            title="Draft and deliver demarche",
            description="",
            country_code=None,
            assignee_id=None,
            priority="high",
            due_on=i.due_on,
            supporting_agency_ids=[],
        ),
        lambda i: actions.request_due_date(
            actor=rep, item_id=i.id, requested_due_on=i.due_on + timedelta(days=7), reason="Travel."
        ),
        lambda i: actions.reassign_action_item(
            actor=chair,
            item_id=i.id,
            seen_version=i.version,
            owner_agency_id=people["other_rep"].agency_id,
        ),
    ]
    for step in steps:
        history_before, (ok_before, _) = len(tracker.history(item.id)), audit_counts()
        step(current(item.id))
        assert len(tracker.history(item.id)) == history_before + 1
        assert audit_counts()[0] == ok_before + 1
    edited = tracker.history(item.id)[3]
    assert edited.changes == {
        "title": ["Draft demarche", "Draft and deliver demarche"],
        "supporting_agencies": ["USAID", ""],
        "priority": ["medium", "high"],
    }
    assert tracker.history(item.id)[-1].changes["owner_agency"] == ["STATE", "USAID"]


def test_the_desk_update_is_a_note_when_the_status_stays(db, people, frozen_clock):
    rep = people["rep"]
    item = new_item(people)
    entry = actions.record_progress(
        actor=rep, item_id=item.id, seen_version=item.version, status="open", note="Drafting."
    )
    assert entry.kind == "note"
    assert current(item.id).version == item.version  # a note never conflicts
    with pytest.raises(ValidationError) as nothing:
        actions.record_progress(actor=rep, item_id=item.id, seen_version=1, status="open")
    assert nothing.value.field == "note"
    changed = actions.record_progress(
        actor=rep, item_id=item.id, seen_version=1, status="blocked", reason="No visa."
    )
    assert (changed.status, changed.status_reason) == ("blocked", "No visa.")
    reworded = actions.record_progress(
        actor=rep, item_id=item.id, seen_version=2, status="blocked", reason="No visa yet."
    )
    assert reworded.status_reason == "No visa yet."


def test_a_note_on_an_item_closed_meanwhile_is_a_conflict_then_lands(db, people, frozen_clock):
    """Issue 18, point 1: the desk's note, saved over the version the representative saw,
    shows who closed the item first; saved again over the closed item, it is filed."""
    rep, chair = people["rep"], people["chair"]
    item = new_item(people)
    actions.change_status(
        actor=chair, item_id=item.id, seen_version=item.version, status="done", reason="Sent."
    )
    with pytest.raises(Conflict) as closed:
        actions.record_progress(
            actor=rep, item_id=item.id, seen_version=item.version, status="open", note="Called."
        )
    assert closed.value.current["status"] == "done"
    assert closed.value.changed_by == chair.name
    assert kinds(item.id)[-1] == "status"  # nothing filed
    seen = closed.value.current["version"]
    entry = actions.record_progress(
        actor=rep, item_id=item.id, seen_version=seen, status="done", reason="Sent.", note="Called."
    )
    assert (entry.kind, entry.note, current(item.id).status) == ("note", "Called.", "done")

    # A note alone, the status as it was, on an item the chair edited meanwhile: the same.
    edited = new_item(people)
    _edit(chair, edited, title="Deliver the demarche")
    with pytest.raises(Conflict) as retitled:
        actions.record_progress(
            actor=rep, item_id=edited.id, seen_version=edited.version, status="open", note="Met."
        )
    assert retitled.value.current["title"] == "Deliver the demarche"
    assert "note" not in kinds(edited.id)


# --- overdue and the desk order -----------------------------------------------------------------


def test_overdue_on_its_boundaries(db, people, frozen_clock):
    """Due today is not overdue; due yesterday is; done and cancelled items never are."""
    frozen_clock(datetime(2026, 11, 1, 14, tzinfo=timezone.utc))
    rep = people["rep"]
    new_item(people, title="yesterday", due_on=DAY - timedelta(days=1))
    new_item(people, title="today", due_on=DAY)
    new_item(people, title="tomorrow", due_on=DAY + timedelta(days=1))
    for status, reason in (("done", "Delivered."), ("cancelled", "Moot.")):
        closed = new_item(people, title=status, due_on=DAY - timedelta(days=5))
        actions.change_status(
            actor=rep, item_id=closed.id, seen_version=1, status=status, reason=reason
        )
    blocked = new_item(people, title="blocked late", due_on=DAY - timedelta(days=2))
    actions.change_status(
        actor=rep, item_id=blocked.id, seen_version=1, status="blocked", reason="Visa."
    )
    frozen_clock(datetime(2026, 11, 26, 23, 59, tzinfo=timezone.utc))

    overdue = tracker.find_items(TrackerFilter(statuses=(), overdue=True)).items
    assert {t.item.title for t in overdue} == {"yesterday", "blocked late"}
    assert tracker.action_counts(agency_id=people["rep"].agency_id).overdue == 2
    every = {t.item.title: t for t in tracker.find_items(TrackerFilter(statuses=())).items}
    assert [every[t].overdue for t in ("today", "tomorrow", "done", "cancelled")] == [False] * 4
    assert every["yesterday"].days_overdue == 1
    assert every["today"].bucket == "due_soon"

    frozen_clock(datetime(2026, 11, 27, 0, 0, tzinfo=timezone.utc))  # the next day: today's is late
    assert tracker.find_items(TrackerFilter(overdue=True)).total == 3


def test_the_desk_order(db, people, frozen_clock):
    rep = people["rep"]
    frozen_clock(datetime(2026, 11, 1, 14, tzinfo=timezone.utc))
    new_item(people, title="later", due_on=DAY + timedelta(days=40))
    blocked = new_item(people, title="blocked", due_on=DAY + timedelta(days=30))
    soon_blocked = new_item(people, title="soon and blocked", due_on=DAY + timedelta(days=14))
    new_item(people, title="overdue", due_on=DAY - timedelta(days=3))
    new_item(people, title="soon", due_on=DAY + timedelta(days=2))
    done = new_item(people, title="done", due_on=DAY - timedelta(days=10))
    for item in (blocked, soon_blocked):
        actions.change_status(
            actor=rep, item_id=item.id, seen_version=1, status="blocked", reason="Visa."
        )
    actions.change_status(actor=rep, item_id=done.id, seen_version=1, status="done", reason="Ok.")
    frozen_clock(datetime(2026, 11, 26, 14, tzinfo=timezone.utc))

    desk = tracker.find_items(TrackerFilter(agencies=("STATE",), statuses=()))
    assert [t.item.title for t in desk.items] == [
        "overdue",
        "soon",
        "soon and blocked",
        "blocked",
        "later",
        "done",
    ]
    assert [t.bucket for t in desk.items] == [
        "overdue",
        "due_soon",
        "due_soon",
        "blocked",
        "later",
        "closed",
    ]


# --- who may change what ------------------------------------------------------------------------

STAFF_AND_OWNER = {"admin", "chair", "rep"}


def _edit(actor, item, **changes):
    values = {
        "title": item.title,
        "description": "",
        "country_code": None,
        "assignee_id": None,
        "priority": "medium",
        "due_on": item.due_on,
        "supporting_agency_ids": [],
    }
    values.update(changes)
    return actions.edit_action_item(actor=actor, item_id=item.id, seen_version=1, **values)


def _asked(people):
    item = new_item(people)
    return actions.request_due_date(
        actor=people["rep"],
        item_id=item.id,
        requested_due_on=item.due_on + timedelta(days=10),
        reason="Consultations.",
    )


# change: (roles allowed, set-up, the change by an actor on what the set-up made)
CHANGES = {
    "create": (
        STAFF_AND_OWNER,
        lambda people: None,
        lambda a, people, _: new_item(people, actor=a),
    ),
    "status": (
        STAFF_AND_OWNER,
        new_item,
        lambda a, people, item: actions.change_status(
            actor=a, item_id=item.id, seen_version=1, status="in_progress"
        ),
    ),
    "edit": (STAFF_AND_OWNER, new_item, lambda a, people, item: _edit(a, item, title="New")),
    "edit the due date": (
        {"admin", "chair"},
        new_item,
        lambda a, people, item: _edit(a, item, due_on=item.due_on + timedelta(days=9)),
    ),
    "note as a supporting agency": (
        {"admin", "chair", "rep", "other_rep"},
        new_item,
        lambda a, people, item: actions.add_note(actor=a, item_id=item.id, note="Noted."),
    ),
    "note without a stake": (
        STAFF_AND_OWNER,
        lambda people: new_item(people, supporting_agency_ids=[]),
        lambda a, people, item: actions.add_note(actor=a, item_id=item.id, note="Noted."),
    ),
    "reassign": (
        {"admin", "chair"},
        new_item,
        lambda a, people, item: actions.reassign_action_item(
            actor=a, item_id=item.id, seen_version=1, owner_agency_id=people["other_rep"].agency_id
        ),
    ),
    "request a due date": (
        {"rep"},
        new_item,
        lambda a, people, item: actions.request_due_date(
            actor=a, item_id=item.id, requested_due_on=DAY + timedelta(days=45), reason="Travel."
        ),
    ),
    "decide a due date": (
        {"admin", "chair"},
        _asked,
        lambda a, people, request: actions.decide_due_date(
            actor=a, request_id=request.id, seen_version=1, grant=True
        ),
    ),
}


def _written() -> tuple[int, ...]:
    return (
        count(ActionItem),
        count(ActionUpdate),
        count(ActionItemAgency),
        count(DueDateRequest, DueDateRequest.status == "pending"),
    )


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_the_permission_matrix_for_every_change(db, people, frozen_clock, change):
    """Allowed roles succeed with one audit event; the others are refused, the refusal is
    audited, and nothing else is written."""
    allowed, set_up, call = CHANGES[change]
    for role, actor in people.items():
        made = set_up(people)
        ok, refused = audit_counts()
        if role in allowed:
            call(actor, people, made)
            assert audit_counts() == (ok + 1, refused), f"{change} as {role}"
            continue
        written = _written()
        with pytest.raises(PermissionDenied):
            call(actor, people, made)
        assert audit_counts() == (ok, refused + 1), f"{change} as {role}"
        assert _written() == written, f"{change} as {role}"


def test_a_refused_change_leaves_the_item_as_it_was(db, people, frozen_clock):
    item = new_item(people, supporting_agency_ids=[])
    for role in ("other_rep", "observer"):
        with pytest.raises(PermissionDenied):
            actions.change_status(
                actor=people[role], item_id=item.id, seen_version=1, status="done", reason="x"
            )
    assert current(item.id).status == "open" and current(item.id).version == 1
    assert kinds(item.id) == ["created"]
    assert count(AuditEvent, AuditEvent.outcome == "refused") == 2


# --- no update is lost --------------------------------------------------------------------------


def test_a_stale_save_is_a_conflict_carrying_the_current_values(db, people, frozen_clock):
    rep, chair = people["rep"], people["chair"]
    item = new_item(people)
    actions.change_status(
        actor=chair, item_id=item.id, seen_version=1, status="done", reason="Delivered."
    )
    # The rep still sees version 1; even a request that is now invalid is a conflict first.
    with pytest.raises(Conflict) as conflict:
        actions.change_status(
            actor=rep, item_id=item.id, seen_version=1, status="done", reason="Also delivered."
        )
    assert conflict.value.current["status"] == "done"
    assert conflict.value.current["status_reason"] == "Delivered."
    assert conflict.value.changed_by == "Chair"
    assert current(item.id).status_reason == "Delivered."
    assert kinds(item.id) == ["created", "status"]


def test_bulk_update_reports_every_row(db, people, frozen_clock):
    rep, chair = people["rep"], people["chair"]
    fine, stale, invalid = (new_item(people, title=t) for t in ("fine", "stale", "invalid"))
    actions.change_status(actor=chair, item_id=stale.id, seen_version=1, status="in_progress")
    outcomes = actions.bulk_update(
        actor=rep,
        updates=[
            actions.ProgressUpdate(fine.id, 1, "in_progress", note="Started."),
            actions.ProgressUpdate(stale.id, 1, "blocked", reason="Visa."),
            actions.ProgressUpdate(invalid.id, 1, "blocked"),
        ],
    )
    assert [o.saved for o in outcomes] == [True, False, False]
    assert outcomes[1].conflict is not None
    assert outcomes[1].conflict.current["status"] == "in_progress"
    assert outcomes[2].field == "reason"
    assert [current(i.id).status for i in (fine, stale, invalid)] == [
        "in_progress",
        "in_progress",
        "open",
    ]


def test_no_update_is_lost_when_many_sessions_edit_the_same_items(db, people, frozen_clock):
    """Eight threads edit two items at once, each re-reading and saving again after a
    conflict. Every edit arrives; every refusal along the way is a clean Conflict."""
    rep = people["rep"]
    items = [new_item(people, title=f"Shared {n}").id for n in range(2)]
    conflicts, failures = [], []

    def edit_repeatedly(thread: int) -> None:
        try:
            for number in range(EDITS_PER_THREAD):
                for item_id in items:
                    for _attempt in range(500):
                        seen = current(item_id)
                        try:
                            actions.edit_action_item(
                                actor=rep,
                                item_id=item_id,
                                seen_version=seen.version,
                                title=seen.title,
                                description=f"{seen.description}[{thread}.{number}]",
                                country_code=None,
                                assignee_id=None,
                                priority=seen.priority,
                                due_on=seen.due_on,
                                supporting_agency_ids=[],
                            )
                            break
                        except Conflict as conflict:
                            conflicts.append(conflict)
                    else:
                        failures.append(f"thread {thread} never saved")
        except Exception as error:  # anything but a Conflict fails the test
            failures.append(repr(error))

    threads = [threading.Thread(target=edit_repeatedly, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    edits = THREADS * EDITS_PER_THREAD
    for item_id in items:
        item = current(item_id)
        marks = {f"[{t}.{n}]" for t in range(THREADS) for n in range(EDITS_PER_THREAD)}
        assert all(mark in item.description for mark in marks)
        assert len(item.description) == sum(len(mark) for mark in marks)
        assert item.version == 1 + edits
        assert kinds(item_id).count("edited") == edits
    assert all("changed this action item" in str(c) and c.current for c in conflicts)


# --- due dates and reassignment -----------------------------------------------------------------


def test_a_new_due_date_is_asked_then_refused_or_granted_and_both_are_kept(
    db, people, frozen_clock
):
    rep, chair = people["rep"], people["chair"]
    item = new_item(people)
    asked = item.due_on + timedelta(days=14)
    for bad_date, reason, field in [
        (item.due_on, "Why not.", "requested_due_on"),
        (DAY - timedelta(days=1), "Late.", "requested_due_on"),
        (asked, " ", "reason"),
    ]:
        with pytest.raises(ValidationError) as refused:
            actions.request_due_date(
                actor=rep, item_id=item.id, requested_due_on=bad_date, reason=reason
            )
        assert refused.value.field == field
    first = actions.request_due_date(
        actor=rep, item_id=item.id, requested_due_on=asked, reason="Partner travel."
    )
    with pytest.raises(ValidationError, match="already waiting"):
        actions.request_due_date(actor=rep, item_id=item.id, requested_due_on=asked, reason="Again")
    assert tracker.item_detail(item.id, actor=people["chair"]).tracked.requested_due_on == asked
    with pytest.raises(ValidationError) as no_reason:
        actions.decide_due_date(actor=chair, request_id=first.id, seen_version=1, grant=False)
    assert no_reason.value.field == "note"
    refused = actions.decide_due_date(
        actor=chair, request_id=first.id, seen_version=1, grant=False, note="Keep the date."
    )
    assert (refused.status, refused.decision_note) == ("refused", "Keep the date.")
    assert current(item.id).due_on == item.due_on

    second = actions.request_due_date(
        actor=rep, item_id=item.id, requested_due_on=asked, reason="The ministry postponed."
    )
    granted = actions.decide_due_date(actor=chair, request_id=second.id, seen_version=1, grant=True)
    assert granted.status == "granted" and granted.decided_by_id == chair.id
    assert (current(item.id).due_on, current(item.id).version) == (asked, 2)
    with pytest.raises(Conflict):  # a second chair deciding the same request
        actions.decide_due_date(actor=chair, request_id=second.id, seen_version=1, grant=False)
    assert kinds(item.id) == [
        "created",
        "due_date_requested",
        "due_date_refused",
        "due_date_requested",
        "due_date_granted",
    ]
    assert tracker.history(item.id)[-1].changes == {
        "due_on": [item.due_on.isoformat(), asked.isoformat()]
    }
    assert count(DueDateRequest) == 2 and tracker.pending_requests() == []


def test_closing_an_item_withdraws_its_pending_request_on_the_record(db, people, frozen_clock):
    rep, chair = people["rep"], people["chair"]
    item = new_item(people)
    request = actions.request_due_date(
        actor=rep, item_id=item.id, requested_due_on=item.due_on + timedelta(days=7), reason="Wait."
    )
    actions.change_status(
        actor=rep, item_id=item.id, seen_version=1, status="done", reason="Delivered."
    )
    with read_session() as session:
        withdrawn = session.get(DueDateRequest, request.id)
    assert (withdrawn.status, withdrawn.decided_by_id) == ("withdrawn", rep.id)
    assert withdrawn.decision_note == "Withdrawn: the item was marked done."
    assert tracker.pending_requests() == [] and tracker.pending_request_count() == 0
    assert kinds(item.id)[-2:] == ["status", "due_date_withdrawn"]
    with pytest.raises(ValidationError, match="already decided"):
        actions.decide_due_date(actor=chair, request_id=request.id, seen_version=2, grant=False)


def test_the_oldest_requests_come_first_and_all_are_counted(db, people, frozen_clock):
    asked = []
    for n in range(3):
        frozen_clock(datetime(2026, 11, 20 + n, 9, tzinfo=timezone.utc))
        item = new_item(people)
        asked.append(
            actions.request_due_date(
                actor=people["rep"],
                item_id=item.id,
                requested_due_on=item.due_on + timedelta(days=7),
                reason="Partner travel.",
            ).id
        )
    assert [p.request.id for p in tracker.pending_requests(limit=2)] == asked[:2]
    assert [p.request.id for p in tracker.pending_requests()] == asked
    assert tracker.pending_request_count() == 3


def test_closed_and_a_closing_time_go_together(db, people, frozen_clock):
    """The database keeps the rule the trend and the on-time counts read their index by."""
    item = new_item(people)
    with pytest.raises(IntegrityError), write_session() as session:
        session.execute(
            update(ActionItem)
            .where(ActionItem.id == item.id)
            .values(status="done", status_reason="x", closed_at=None)
        )
    with pytest.raises(IntegrityError), write_session() as session:
        session.execute(
            update(ActionItem)
            .where(ActionItem.id == item.id)
            .values(closed_at=datetime(2026, 11, 1, tzinfo=timezone.utc))
        )
    done = actions.change_status(
        actor=people["rep"], item_id=item.id, seen_version=1, status="done", reason="Sent."
    )
    assert done.closed_at is not None
    reopened = actions.change_status(
        actor=people["rep"], item_id=item.id, seen_version=2, status="in_progress", note="Not yet."
    )
    assert reopened.closed_at is None


def test_reassigning_moves_the_item_and_its_rights(db, people, frozen_clock):
    chair, rep, other = people["chair"], people["rep"], people["other_rep"]
    item = new_item(people, assignee_id=rep.id)
    with pytest.raises(ValidationError) as same:
        actions.reassign_action_item(
            actor=chair, item_id=item.id, seen_version=1, owner_agency_id=rep.agency_id
        )
    assert same.value.field == "owner_agency"
    with pytest.raises(ValidationError) as wrong_person:
        actions.reassign_action_item(
            actor=chair,
            item_id=item.id,
            seen_version=1,
            owner_agency_id=other.agency_id,
            assignee_id=rep.id,
        )
    assert wrong_person.value.field == "assignee"
    moved = actions.reassign_action_item(
        actor=chair, item_id=item.id, seen_version=1, owner_agency_id=other.agency_id, note="Lead."
    )
    assert (moved.owner_agency_id, moved.assignee_id) == (other.agency_id, None)
    assert (
        tracker.item_detail(item.id, actor=people["chair"]).supporting == []
    )  # USAID no longer merely supports
    assert tracker.history(item.id)[-1].changes == {
        "owner_agency": ["STATE", "USAID"],
        "assignee": ["Rep", None],
        "supporting_agencies": ["USAID", ""],
    }
    with pytest.raises(PermissionDenied):
        actions.change_status(actor=rep, item_id=item.id, seen_version=2, status="in_progress")
    actions.change_status(actor=other, item_id=item.id, seen_version=2, status="in_progress")


def test_the_due_date_cannot_move_before_the_item_was_created(db, people, frozen_clock):
    item = new_item(people)
    with pytest.raises(ValidationError) as early:
        actions.edit_action_item(
            actor=people["chair"],
            item_id=item.id,
            seen_version=1,
            title=item.title,
            description="",
            country_code=None,
            assignee_id=None,
            priority="medium",
            due_on=DAY - timedelta(days=1),
            supporting_agency_ids=[people["other_rep"].agency_id],
        )
    assert early.value.field == "due_on"
    with pytest.raises(ValidationError, match="Nothing to save"):
        actions.edit_action_item(
            actor=people["chair"],
            item_id=item.id,
            seen_version=1,
            title=item.title,
            description="",
            country_code=None,
            assignee_id=None,
            priority="medium",
            due_on=item.due_on,
            supporting_agency_ids=[people["other_rep"].agency_id],
        )
    assert current(item.id).version == 1


# --- lists, links and summaries -----------------------------------------------------------------


def test_a_filter_travels_in_a_link():
    full = TrackerFilter(
        agencies=("STATE", "USAID"),
        countries=("SDN",),
        statuses=("blocked",),
        origins=("decision", "alert"),
        overdue=True,
        meeting_id=12,
        due_from=date(2026, 11, 1),
        due_to=date(2027, 1, 31),
    )
    assert TrackerFilter.from_query(full.to_query()) == full
    assert TrackerFilter().to_query() == {}
    assert TrackerFilter.from_query({}) == TrackerFilter()
    every_status = TrackerFilter(statuses=())
    assert every_status.to_query() == {"status": "all"}
    assert TrackerFilter.from_query({"status": "all"}) == every_status
    junk = {"status": "open,nonsense", "meeting": "x1", "due_from": "someday", "origin": "moon"}
    assert TrackerFilter.from_query(junk) == TrackerFilter(statuses=("open",))
    assert TrackerFilter.from_query({"agency": "state, usaid"}).agencies == ("STATE", "USAID")


def test_lists_page_and_filter_in_the_database(db, people, frozen_clock):
    """A page costs two statements (the count and the page), whatever the list's size."""
    for n in range(30):
        owner = "rep" if n % 3 else "other_rep"
        new_item(people, owner=owner, title=f"Item {n:02}", due_on=DAY + timedelta(days=n + 1))
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731  (args[2]: the SQL)
    event.listen(get_engine(), "before_cursor_execute", listener)
    try:
        second = tracker.find_items(TrackerFilter(), page=2, per_page=25)
    finally:
        event.remove(get_engine(), "before_cursor_execute", listener)
    assert len([sql for sql in statements if sql.startswith("SELECT")]) == 2
    assert (second.total, second.pages, len(second.items)) == (30, 2, 5)
    assert [t.item.title for t in second.items] == [f"Item {n}" for n in range(25, 30)]
    state = tracker.find_items(TrackerFilter(agencies=("STATE",)), per_page=100)
    assert state.total == 20 and {t.agency_code for t in state.items} == {"STATE"}
    window = TrackerFilter(due_from=DAY + timedelta(days=5), due_to=DAY + timedelta(days=9))
    assert tracker.find_items(window).total == 5
    beyond = tracker.find_items(TrackerFilter(), page=99, per_page=25)
    assert beyond.page == 2  # a page past the end shows the last one
    supported = tracker.find_items(supported_by=people["other_rep"].agency_id, per_page=100)
    assert supported.total == 20  # new_item adds USAID as supporting agency


def test_the_per_agency_summary(db, people, frozen_clock):
    rep = people["rep"]
    frozen_clock(datetime(2026, 6, 1, 14, tzinfo=timezone.utc))
    long_ago = new_item(people, due_on=date(2026, 6, 10))
    actions.change_status(actor=rep, item_id=long_ago.id, seen_version=1, status="done", reason="x")
    frozen_clock(datetime(2026, 10, 1, 14, tzinfo=timezone.utc))
    on_time = new_item(people, due_on=date(2026, 10, 20))
    late = new_item(people, due_on=date(2026, 10, 5))
    new_item(people, due_on=date(2026, 10, 25))  # open and overdue
    new_item(people, owner="other_rep", due_on=date(2026, 12, 31))
    frozen_clock(datetime(2026, 10, 20, 23, 30, tzinfo=timezone.utc))  # done on its due day
    actions.change_status(actor=rep, item_id=on_time.id, seen_version=1, status="done", reason="x")
    actions.change_status(actor=rep, item_id=late.id, seen_version=1, status="done", reason="x")
    frozen_clock(datetime(2026, 11, 26, 14, tzinfo=timezone.utc))

    summary = {s.code: s for s in tracker.agency_summary()}
    state, usaid = summary["STATE"], summary["USAID"]
    assert (state.counts.open, state.counts.overdue) == (1, 1)
    assert (state.done_on_time, state.done_late, state.on_time_rate) == (1, 1, 0.5)
    assert (usaid.counts.open, usaid.counts.overdue, usaid.on_time_rate) == (1, 0, None)


def test_the_overdue_report_for_the_next_meeting(db, people, frozen_clock):
    frozen_clock(datetime(2026, 11, 1, 14, tzinfo=timezone.utc))
    late = new_item(people, title="late", due_on=date(2026, 11, 20))
    before = new_item(people, owner="other_rep", title="before", due_on=date(2026, 12, 5))
    new_item(people, title="after", due_on=date(2026, 12, 20))
    frozen_clock(datetime(2026, 11, 26, 14, tzinfo=timezone.utc))
    add(
        Meeting(
            kind="regular",
            title="Regular meeting — December 2026",
            starts_at=datetime.combine(date(2026, 12, 8), time(15), tzinfo=timezone.utc),
            ends_at=datetime.combine(date(2026, 12, 8), time(17), tzinfo=timezone.utc),
            timezone="America/New_York",
            calendar_uid="test-december@apc-desk",
        )
    )
    report = tracker.overdue_report()
    assert report.meeting.title == "Regular meeting — December 2026"
    assert [(a.code, a.overdue, a.falling_due) for a in report.by_agency] == [
        ("STATE", 1, 0),
        ("USAID", 0, 1),
    ]
    assert (report.overdue_total, report.falling_due_total) == (1, 1)
    assert [t.item.id for t in report.overdue] == [late.id]
    assert [t.item.id for t in report.falling_due] == [before.id]


# --- the command line ---------------------------------------------------------------------------


def test_the_command_line_exports_and_refuses_an_unknown_agency(
    sqlite_db, people, frozen_clock, tmp_path, capsys
):
    frozen_clock(datetime(2026, 11, 1, 14, tzinfo=timezone.utc))
    new_item(people, title='=HYPERLINK("http://x.example")', due_on=date(2026, 11, 20))
    new_item(people, owner="other_rep", title="On time", due_on=date(2026, 12, 20))
    frozen_clock(datetime(2026, 11, 26, 14, tzinfo=timezone.utc))

    out = tmp_path / "items.csv"
    assert (
        main(["actions", "export", "--format", "csv", "--out", str(out), "--agency", "NOPE"]) == 1
    )
    assert "No agency with code 'NOPE'" in capsys.readouterr().err
    assert not out.exists()

    assert main(["actions", "export", "--format", "csv", "--out", str(out), "--overdue"]) == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].split(",")[1].startswith("\"'=HYPERLINK")
    xlsx = tmp_path / "items.xlsx"
    assert (
        main(["actions", "export", "--format", "xlsx", "--out", str(xlsx), "--agency", "usaid"])
        == 0
    )
    assert "wrote 1 action item(s)" in capsys.readouterr().out
    assert main(["actions", "list", "--agency", "STATE"]) == 0
    assert "Overdue" in capsys.readouterr().out
