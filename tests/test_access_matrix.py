"""The access matrix: every service function that writes, called by every role.

For each writing service, ``WRITES`` names who may call it. The test calls it as each role on
the demo record: an allowed role's call succeeds and leaves exactly one audit event; a refused
role's call raises PermissionDenied, changes nothing, and leaves one refusal in the audit trail.
A writing service missing from ``WRITES`` fails the completeness test, so a new service cannot
slip past the policy.

To add a service: a ``Case`` whose ``call(actor, n)`` makes a valid call (``n`` is unique per
call, for unique names), and the set of roles allowed (keys of ``ROLES``).
"""

import ast
import itertools
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from committee import (
    actions,
    agenda,
    alerts,
    assessments,
    backup,
    clock,
    feeds,
    inbox,
    meeting_room,
    meetings,
    minutes,
    people,
    plans,
    rotation,
    settings,
    statistical_risk,
    tracker,
    watchlist,
)
from committee.actor import Actor
from committee.errors import PermissionDenied
from db.engine import read_session, write_session
from db.models import (
    AgendaItem,
    Alert,
    Attendance,
    AuditEvent,
    CalendarFeed,
    Clearance,
    DueDateRequest,
    LineOfEffort,
    Meeting,
    Minutes,
    Plan,
    PlanVersion,
    User,
    WatchlistEntry,
)

ROLES = {
    "admin": "admin@apc.example",
    "chair": "chair@apc.example",
    "rep": "rep.state@apc.example",  # STATE: the owner of the records the cases touch
    "other_rep": "rep.usaid@apc.example",
    "observer": "observer@apc.example",
}
STAFF = {"admin", "chair"}
EVERYONE = set(ROLES)


@dataclass
class Case:
    call: Callable  # (actor, n) -> None
    allowed: set[str]


def _user_id(email: str) -> int:
    return people.user_by_email(email).id


def _feed_of(actor, n: int) -> int:
    """A feed of the actor's own, set up directly (not the call under test)."""
    with write_session() as session:
        feed = CalendarFeed(user_id=actor.id, token_hash=f"matrix-{actor.id}-{n}")
        session.add(feed)
        session.flush()
        return feed.id


WRITES: dict[str, Case] = {
    "committee.people.add_agency": Case(
        lambda actor, n: people.add_agency(actor=actor, code=f"AG{n}", name=f"Agency {n}"),
        {"admin"},
    ),
    "committee.people.add_user": Case(
        lambda actor, n: people.add_user(
            actor=actor,
            email=f"new{n}@apc.example",
            name="New",
            role="observer",
            password="a long enough password",
        ),
        {"admin"},
    ),
    "committee.people.update_user": Case(
        lambda actor, n: people.update_user(
            actor=actor,
            user_id=_user_id("observer@apc.example"),
            seen_version=people.user_by_email("observer@apc.example").version,
            name=f"Observer {n}",
            role="observer",
            agency_id=None,
            active=True,
        ),
        {"admin"},
    ),
    "committee.people.set_active": Case(
        lambda actor, n: people.set_active(actor=actor, email="rep.fbi@apc.example", active=True),
        {"admin"},
    ),
    "committee.people.set_password": Case(
        lambda actor, n: people.set_password(
            actor=actor, email="rep.fbi@apc.example", new_password=f"another password {n}"
        ),
        {"admin"},
    ),
    "committee.settings.update": Case(
        lambda actor, n: settings.update(actor=actor, key="idle_timeout_minutes", value=30 + n),
        STAFF,
    ),
    "committee.feeds.create_feed": Case(
        lambda actor, n: feeds.create_feed(actor=actor, scope="personal"), EVERYONE
    ),
    "committee.feeds.revoke_feed": Case(
        lambda actor, n: feeds.revoke_feed(actor=actor, feed_id=_feed_of(actor, n)), EVERYONE
    ),
}
# --- meetings: cases on the demo's next meeting and on the last one held ----------------------


def _upcoming() -> Meeting:
    """The next scheduled meeting."""
    rows = meetings.list_meetings(when="upcoming").rows
    return next(r.meeting for r in rows if r.meeting.status == "scheduled")


def _held(n: int = 0) -> Meeting:
    """The n-th regular meeting held, latest first (the latest's minutes await approval)."""
    return meetings.list_meetings(when="past", kind="regular").rows[n].meeting


def _review_item() -> AgendaItem:
    lines = agenda.agenda_of(_held().id).lines
    return next(line.item for line in lines if line.item.kind == "country_review")


def _attendance(n: int) -> list[meeting_room.AttendanceLine]:
    state = people.agency_by_code("STATE")
    with read_session() as session:
        row = session.scalar(
            select(Attendance).where(
                Attendance.meeting_id == _held().id, Attendance.agency_id == state.id
            )
        )
    return [meeting_room.AttendanceLine(state.id, "present", f"Person {n}", "", row.version)]


def _other_tier() -> int:
    with read_session() as session:
        tier = session.scalar(
            select(WatchlistEntry.tier).where(
                WatchlistEntry.country_code == _review_item().country_code
            )
        )
    return 2 if tier == 1 else 1


def _spare_item(n: int) -> int:
    """An item put straight on the next meeting's agenda (set-up, not the call under test)."""
    with write_session() as session:
        item = AgendaItem(meeting_id=_upcoming().id, position=99, kind="other", title=f"Spare {n}")
        session.add(item)
        session.flush()
        return item.id


def _minutes_version(meeting: Meeting, *, reopen: bool = False) -> int:
    """The version of a meeting's minutes; ``reopen`` circulates approved ones again (set-up),
    so that each role's call has minutes to approve."""
    with write_session() as session:
        found = session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
        if reopen:
            found.status = "circulated"
        return found.version


def _series_rule(actor, n: int):
    series = meetings.current_series()
    return meetings.set_series_rule(
        actor=actor,
        **{k: getattr(series, k) for k in ("interval_months", "first_month", "weekday")},
        week_of_month=series.week_of_month,
        start_time=series.start_time,
        duration_minutes=series.duration_minutes,
        timezone=series.timezone,
        location=f"Room {n}",
        seen_version=series.version,
    )


def _moved(actor, n: int):
    meeting = _upcoming()
    starts = meeting.starts_at + timedelta(days=1, hours=n)
    return meetings.move_meeting(
        actor=actor,
        meeting_id=meeting.id,
        seen_version=meeting.version,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        timezone=meeting.timezone,
        location="Room 5A",
        video_link="",
        reason=f"Reason {n}",
    )


def _on_agenda(service, values=lambda n: {}):
    """An agenda edit on the next meeting, against its current version; ``values(n)`` gives
    the call's own arguments."""
    return lambda actor, n: service(
        actor=actor, meeting_id=_upcoming().id, seen_version=_upcoming().version, **values(n)
    )


TOMORROW = datetime(2026, 11, 27, 10, 0)
MEETING_WRITES: dict[str, Case] = {
    "committee.meetings.set_series_rule": Case(_series_rule, STAFF),
    "committee.meetings.schedule_series": Case(
        lambda actor, n: meetings.schedule_series(actor=actor), STAFF
    ),
    "committee.meetings.move_meeting": Case(_moved, STAFF),
    "committee.meetings.cancel_meeting": Case(
        lambda actor, n: meetings.cancel_meeting(
            actor=actor, meeting_id=_upcoming().id, seen_version=_upcoming().version, reason="x"
        ),
        STAFF,
    ),
    "committee.meetings.schedule_session": Case(
        lambda actor, n: meetings.schedule_session(
            actor=actor,
            kind="ad_hoc",
            title=f"Session {n}",
            starts_at=TOMORROW,
            ends_at=TOMORROW + timedelta(hours=1),
            timezone="America/New_York",
            reason="Consultation",
        ),
        STAFF,
    ),
    "committee.meetings.call_emergency_session": Case(
        lambda actor, n: meetings.call_emergency_session(
            actor=actor, country_code="SDN", starts_at=TOMORROW, reason="Imminent assault"
        ),
        STAFF,
    ),
    "committee.rotation.set_review_cadence": Case(
        lambda actor, n: rotation.set_review_cadence(actor=actor, country_code="SDN", meetings=2),
        STAFF,
    ),
    "committee.agenda.accept_proposal": Case(_on_agenda(agenda.accept_proposal), STAFF),
    "committee.agenda.add_item": Case(
        _on_agenda(agenda.add_item, lambda n: {"kind": "other", "title": f"Item {n}"}), STAFF
    ),
    "committee.agenda.edit_item": Case(
        _on_agenda(
            agenda.edit_item,
            lambda n: {
                "item_id": agenda.agenda_of(_upcoming().id).lines[0].item.id,
                "title": f"Item {n}",
                "minutes_allotted": 10,
            },
        ),
        STAFF,
    ),
    "committee.agenda.move_item": Case(
        _on_agenda(
            agenda.move_item,
            lambda n: {
                "item_id": agenda.agenda_of(_upcoming().id).lines[0].item.id,
                "to_position": 2,
            },
        ),
        STAFF,
    ),
    "committee.agenda.remove_item": Case(
        _on_agenda(agenda.remove_item, lambda n: {"item_id": _spare_item(n)}), STAFF
    ),
    "committee.agenda.publish_agenda": Case(_on_agenda(agenda.publish_agenda), STAFF),
    "committee.meeting_room.record_attendance": Case(
        lambda actor, n: meeting_room.record_attendance(
            actor=actor, meeting_id=_held().id, lines=_attendance(n)
        ),
        STAFF,
    ),
    "committee.meeting_room.start_item": Case(
        lambda actor, n: meeting_room.start_item(actor=actor, item_id=_review_item().id), STAFF
    ),
    "committee.meeting_room.stop_item": Case(
        lambda actor, n: meeting_room.stop_item(actor=actor, item_id=_review_item().id), STAFF
    ),
    "committee.meeting_room.save_notes": Case(
        lambda actor, n: meeting_room.save_notes(
            actor=actor,
            item_id=_review_item().id,
            seen_version=_review_item().version,
            notes=f"Notes {n}",
        ),
        STAFF,
    ),
    "committee.meeting_room.record_decision": Case(
        lambda actor, n: meeting_room.record_decision(
            actor=actor, item_id=_review_item().id, text=f"Decision {n}"
        ),
        STAFF,
    ),
    "committee.meeting_room.mark_review_done": Case(
        lambda actor, n: meeting_room.mark_review_done(actor=actor, item_id=_review_item().id),
        STAFF,
    ),
    "committee.meeting_room.change_tier": Case(
        lambda actor, n: meeting_room.change_tier(
            actor=actor, item_id=_review_item().id, new_tier=_other_tier(), reason=f"Reason {n}"
        ),
        STAFF,
    ),
    "committee.meeting_room.close_meeting": Case(
        lambda actor, n: meeting_room.close_meeting(
            actor=actor, meeting_id=_upcoming().id, seen_version=_upcoming().version
        ),
        STAFF,
    ),
    "committee.minutes.draft_minutes": Case(
        lambda actor, n: minutes.draft_minutes(
            actor=actor, meeting_id=_held().id, seen_version=_minutes_version(_held())
        ),
        STAFF,
    ),
    "committee.minutes.edit_minutes": Case(
        lambda actor, n: minutes.edit_minutes(
            actor=actor,
            meeting_id=_held().id,
            seen_version=_minutes_version(_held()),
            body=f"Text {n}",
        ),
        STAFF,
    ),
    "committee.minutes.circulate_minutes": Case(
        lambda actor, n: minutes.circulate_minutes(
            actor=actor, meeting_id=_held().id, seen_version=_minutes_version(_held())
        ),
        STAFF,
    ),
    "committee.minutes.approve_minutes": Case(
        lambda actor, n: minutes.approve_minutes(
            actor=actor,
            meeting_id=_held().id,
            seen_version=_minutes_version(_held(), reopen=True),
        ),
        STAFF,
    ),
    "committee.minutes.correct_minutes": Case(
        lambda actor, n: minutes.correct_minutes(
            actor=actor,
            meeting_id=_held(1).id,
            seen_version=_minutes_version(_held(1)),
            body=f"Corrected {n}",
            reason="A name was misspelt",
        ),
        STAFF,
    ),
}
WRITES.update(MEETING_WRITES)
# --- action items: cases on the demo's STATE items (USAID supports them) ----------------------


def _state_item():
    """A STATE item of the demo that is neither done nor cancelled."""
    selection = tracker.TrackerFilter(agencies=("STATE",))
    return tracker.find_items(selection).items[0].item


def _asked_due_date(n: int) -> DueDateRequest:
    """A pending request for a new due date, set up directly (not the call under test)."""
    item = _state_item()
    with write_session() as session:
        request = DueDateRequest(
            action_item_id=item.id,
            requested_due_on=clock.today() + timedelta(days=40 + n),
            reason="Set up by the matrix",
        )
        session.add(request)
        session.flush()
        return request


def _edit_state_item(actor, n: int):
    item = _state_item()
    detail = tracker.item_detail(item.id)
    return actions.edit_action_item(
        actor=actor,
        item_id=item.id,
        seen_version=item.version,
        title=f"Renamed {n}",
        description=item.description,
        country_code=item.country_code,
        assignee_id=item.assignee_id,
        priority=item.priority,
        due_on=item.due_on,
        supporting_agency_ids=[agency.id for agency in detail.supporting],
    )


ACTION_WRITES: dict[str, Case] = {
    "committee.actions.create_action_item": Case(
        lambda actor, n: actions.create_action_item(
            actor=actor,
            title=f"New item {n}",
            owner_agency_id=people.agency_by_code("STATE").id,
            due_on=clock.today() + timedelta(days=30),
        ),
        {"admin", "chair", "rep"},
    ),
    "committee.actions.change_status": Case(
        lambda actor, n: actions.change_status(
            actor=actor,
            item_id=_state_item().id,
            seen_version=_state_item().version,
            status="in_progress" if _state_item().status == "open" else "open",
        ),
        {"admin", "chair", "rep"},
    ),
    "committee.actions.add_note": Case(
        lambda actor, n: actions.add_note(actor=actor, item_id=_state_item().id, note=f"Note {n}"),
        {"admin", "chair", "rep", "other_rep"},
    ),
    "committee.actions.edit_action_item": Case(_edit_state_item, {"admin", "chair", "rep"}),
    "committee.actions.reassign_action_item": Case(
        lambda actor, n: actions.reassign_action_item(
            actor=actor,
            item_id=_state_item().id,
            seen_version=_state_item().version,
            owner_agency_id=people.agency_by_code("DOD").id,
        ),
        STAFF,
    ),
    "committee.actions.request_due_date": Case(
        lambda actor, n: actions.request_due_date(
            actor=actor,
            item_id=_state_item().id,
            requested_due_on=clock.today() + timedelta(days=60),
            reason="Partner consultations",
        ),
        {"rep"},
    ),
    "committee.actions.decide_due_date": Case(
        lambda actor, n: actions.decide_due_date(
            actor=actor, request_id=_asked_due_date(n).id, seen_version=1, grant=True
        ),
        STAFF,
    ),
}
WRITES.update(ACTION_WRITES)


def _filed_alert(n: int) -> Alert:
    """An acute alert filed by STATE three days from its deadline, written without an audit
    event (the matrix counts those of the call under test only)."""
    with write_session() as session:
        alert = Alert(
            reference=f"ALR-MATRIX-{n:04d}",
            country_code="SDN",
            severity="acute",
            summary="Reports of killings.",
            filing_agency_id=people.agency_by_code("STATE").id,
            review_deadline=clock.now() + timedelta(days=3),
        )
        session.add(alert)
    return alert


ALERT_WRITES = {
    "committee.alerts.file_alert": Case(
        lambda actor, n: alerts.file_alert(
            actor=actor, country_code="SDN", severity="serious", summary=f"Report {n}."
        ),
        EVERYONE - {"observer"},  # observers only where the settings allow
    ),
    "committee.alerts.acknowledge_alert": Case(
        lambda actor, n: alerts.acknowledge_alert(
            actor=actor, alert_id=_filed_alert(n).id, seen_version=1
        ),
        STAFF,
    ),
    "committee.alerts.schedule_emergency_session": Case(
        # Each session after the next alert's deadline, so that one is proposed for it too.
        lambda actor, n: alerts.schedule_emergency_session(
            actor=actor,
            alert_id=_filed_alert(n).id,
            seen_version=1,
            starts_at=clock.now() + timedelta(days=10 + n),
        ),
        STAFF,
    ),
    "committee.alerts.close_alert": Case(
        lambda actor, n: alerts.close_alert(
            actor=actor, alert_id=_filed_alert(n).id, seen_version=1, reason="Decided."
        ),
        STAFF,
    ),
    "committee.inbox.mark_read": Case(lambda actor, n: inbox.mark_read(actor=actor), EVERYONE),
}
WRITES.update(ALERT_WRITES)

# --- backups: files in a folder of the test run's own ------------------------------------------
_BACKUPS = tempfile.TemporaryDirectory(prefix="apc-matrix-")


def _backup_to_restore(n: int) -> Path:
    """A backup of the record as it is, made by the operator for the first role's call (the
    restore replaces the trail, the operator's event with it: one event per call remains)."""
    path = Path(_BACKUPS.name) / "to-restore.jsonl.gz"
    if n == 1:
        backup.make_backup(actor=Actor.operator("matrix"), out=path)
    return path


OPERATIONS_WRITES = {
    "committee.backup.make_backup": Case(
        lambda actor, n: backup.make_backup(actor=actor, out=Path(_BACKUPS.name) / f"{n}.gz"),
        {"admin"},
    ),
    "committee.backup.restore": Case(
        lambda actor, n: backup.restore(actor=actor, source=_backup_to_restore(n), force=True),
        {"admin"},
    ),
}
WRITES.update(OPERATIONS_WRITES)
# --- countries of concern: the watchlist, statistical risk, assessments, plans -----------------


def _entry(code: str) -> WatchlistEntry:
    with read_session() as session:
        return session.scalar(select(WatchlistEntry).where(WatchlistEntry.country_code == code))


def _matrix_plan(n: int, *, circulated: bool = False) -> tuple[Plan, int]:
    """A prevention plan for Sudan with one complete version led by STATE (and, circulated,
    cleared by it), written without an audit event: the plan and its version's id."""
    state = people.agency_by_code("STATE").id
    with write_session() as session:
        plan = Plan(
            country_code="SDN",
            kind="prevention",
            title=f"Matrix plan {n}",
            status="in_clearance" if circulated else "draft",
        )
        session.add(plan)
        session.flush()
        version = PlanVersion(
            plan_id=plan.id,
            number=1,
            status="circulated" if circulated else "draft",
            situation_summary="Attacks on civilians.",
            review_by=clock.today() + timedelta(days=90),
        )
        session.add(version)
        session.flush()
        session.add(
            LineOfEffort(
                plan_version_id=version.id,
                toolbox_category="preventive_diplomacy",
                objective="Talks.",
                lead_agency_id=state,
            )
        )
        if circulated:
            session.add(Clearance(plan_version_id=version.id, agency_id=state, position="concur"))
        return plan, version.id


def _state_clearance() -> Clearance:
    """STATE's clearance of the demo's plan in clearance (Myanmar's response plan)."""
    with read_session() as session:
        return session.scalar(
            select(Clearance)
            .join(PlanVersion, PlanVersion.id == Clearance.plan_version_id)
            .join(Plan, Plan.id == PlanVersion.plan_id)
            .where(
                Plan.country_code == "MMR",
                PlanVersion.status == "circulated",
                Clearance.agency_id == people.agency_by_code("STATE").id,
            )
        )


def _ewp_file(n: int) -> bytes:
    """A forecast edition of one row, its figure different for each call."""
    header = '"","ewp_name","risk.2031and2032.from2030","rank.2031and2032.from2031","ccode"'
    return f'{header}\n"1","Sudan",0.{n:02d},1,625\n'.encode()


COUNTRY_WRITES = {
    "committee.watchlist.add_country": Case(
        lambda actor, n: watchlist.add_country(
            actor=actor,
            country_code=("FRA", "DEU", "BRA", "IND", "CHN", "ZAF")[n],
            tier=3,
            reason=f"Reason {n}.",
        ),
        STAFF,
    ),
    "committee.watchlist.set_tier": Case(
        lambda actor, n: watchlist.set_tier(
            actor=actor,
            country_code="PAK",
            tier=_entry("PAK").tier % 3 + 1,
            reason=f"Reason {n}.",
            seen_version=_entry("PAK").version,
        ),
        STAFF,
    ),
    "committee.watchlist.take_off": Case(
        lambda actor, n: watchlist.take_off(
            actor=actor,
            country_code=(code := ("VEN", "HTI", "CMR", "MOZ", "CAF", "IRQ")[n]),
            reason="Peace holds.",
            seen_version=_entry(code).version,
        ),
        STAFF,
    ),
    "committee.statistical_risk.import_file": Case(
        lambda actor, n: statistical_risk.import_file(
            actor=actor, content=_ewp_file(n), filename="matrix.csv"
        ),
        STAFF,
    ),
    "committee.assessments.record_assessment": Case(
        lambda actor, n: assessments.record_assessment(
            actor=actor,
            country_code="SDN",
            assessed_on=clock.today(),
            overall_rating="high",
            overall_judgement=f"Judgement {n}.",
            ratings={1: assessments.Rating("high")},
        ),
        STAFF,
    ),
    "committee.plans.create_plan": Case(
        lambda actor, n: plans.create_plan(
            actor=actor, country_code="SDN", kind="prevention", title=f"Plan {n}"
        ),
        EVERYONE - {"observer"},
    ),
    "committee.plans.save_draft": Case(
        lambda actor, n: plans.save_draft(
            actor=actor,
            plan_id=_matrix_plan(n)[0].id,
            seen_version=1,
            draft=plans.PlanDraft(situation_summary=f"Text {n}."),
        ),
        EVERYONE - {"observer"},
    ),
    "committee.plans.circulate": Case(
        lambda actor, n: plans.circulate(
            actor=actor, plan_id=_matrix_plan(n)[0].id, seen_version=1
        ),
        STAFF,
    ),
    "committee.plans.record_clearance": Case(
        lambda actor, n: plans.record_clearance(
            actor=actor,
            version_id=(row := _state_clearance()).plan_version_id,
            agency_id=row.agency_id,
            position="concur_with_comments",
            comments=f"Note {n}.",
            seen_version=row.version,
        ),
        {"rep"},  # STATE's clearance: STATE's representative only
    ),
    "committee.plans.approve": Case(
        lambda actor, n: plans.approve(
            actor=actor, version_id=_matrix_plan(n, circulated=True)[1], meeting_id=_held().id
        ),
        STAFF,
    ),
    "committee.plans.archive": Case(
        lambda actor, n: plans.archive(
            actor=actor, plan_id=_matrix_plan(n)[0].id, reason="Overtaken.", seen_version=1
        ),
        STAFF,
    ),
}
WRITES.update(COUNTRY_WRITES)
# Writers that are not permission-gated, and why.
NOT_GATED = {
    "committee.people.record_sign_in": "opens a session for an identity its caller just proved",
    "committee.auth.request_access": "an unknown single sign-on email becomes an inactive "
    "observer awaiting approval, nothing more; tested in test_auth.py",
    "committee.people.sign_out": "ends the person's own session",
    "committee.people.change_own_password": "gated by the current password; tested on its own",
    "committee.demo.load_demo": "operator-only bulk load; tested on its own",
}


def writing_services() -> set[str]:
    """Every function under committee/ that opens a write transaction with ``writing(``."""
    found = set()
    root = Path(__file__).resolve().parent.parent / "committee"
    for path in root.rglob("*.py"):
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                calls = [
                    n
                    for n in ast.walk(node)
                    if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "writing"
                ]
                if calls:
                    found.add(f"{module}.{node.name}")
    return found


def test_every_writing_service_is_in_the_matrix():
    missing = writing_services() - set(WRITES) - set(NOT_GATED)
    assert not missing, f"add these to WRITES in {__file__}: {sorted(missing)}"
    stale = (set(WRITES) | set(NOT_GATED)) - writing_services()
    assert not stale, f"no longer writing services: {sorted(stale)}"


def _last_event() -> AuditEvent:
    with read_session() as session:
        return session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))


def _audit_counts() -> tuple[int, int]:
    with read_session() as session:
        ok = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "ok")
        )
        refused = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "refused")
        )
    return ok, refused


@pytest.fixture
def actors(sqlite_db, demo, frozen_clock):
    result = {}
    with read_session() as session:
        for role, email in ROLES.items():
            user = session.scalar(select(User).where(User.email == email))
            agency = (
                people.agency_by_code("STATE" if role == "rep" else "USAID")
                if (role in ("rep", "other_rep"))
                else None
            )
            result[role] = people.actor_for(user, agency)
    return result


@pytest.mark.parametrize("service", sorted(WRITES))
def test_access_matrix(service, actors):
    case = WRITES[service]
    counter = itertools.count(1)
    for role, actor in actors.items():
        ok_before, refused_before = _audit_counts()
        if role in case.allowed:
            case.call(actor, next(counter))
            assert _audit_counts() == (ok_before + 1, refused_before), (
                f"{service} as {role}: one audit event per write"
            )
            assert _last_event().actor_label == actor.label, f"{service}: who acted is recorded"
        else:
            with pytest.raises(PermissionDenied):
                case.call(actor, next(counter))
            assert _audit_counts() == (ok_before, refused_before + 1), (
                f"{service} as {role}: a refusal is audited, nothing else written"
            )
            assert _last_event().actor_label == actor.label, f"{service}: who was refused"
