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
    decisions,
    feeds,
    inbox,
    invitations,
    meeting_room,
    meetings,
    minutes,
    notices,
    outbox,
    people,
    plans,
    reminders,
    sessions,
    settings,
    signals,
    statistical_risk,
    tools_evidence,
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
    OutboxMessage,
    Plan,
    PlanVersion,
    RiskObservation,
    Signal,
    SignalRule,
    SignInSession,
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
    # Audit events of an allowed call: one per service it runs, the services it calls included
    # (each records its own, in the one transaction).
    events: int = 1


def _user_id(email: str) -> int:
    return people.user_by_email(email).id


def _session_of(actor, n: int) -> int:
    """A session of the actor's own, set up directly (not the call under test)."""
    with write_session() as session:
        row = SignInSession(
            user_id=actor.id,
            token_hash=f"matrix-{actor.id}-{n}",
            method="password",
            expires_at=clock.now() + timedelta(hours=1),
        )
        session.add(row)
        session.flush()
        return row.id


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
    "committee.sessions.end_other_sessions": Case(
        lambda actor, n: sessions.end_other_sessions(
            actor=actor, keep_session_id=_session_of(actor, n)
        ),
        EVERYONE,
    ),
    "committee.sessions.end_sessions_of": Case(
        lambda actor, n: sessions.end_sessions_of(
            actor=actor, user_id=_user_id("rep.fbi@apc.example")
        ),
        {"admin"},
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


def _left_over(n: int) -> int:
    """An item the last meeting held did not take up, put straight on its agenda (set-up)."""
    with write_session() as session:
        session.add(AgendaItem(meeting_id=_held().id, position=99, kind="other", title=f"Left {n}"))
    return _held().id


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
    "committee.watchlist.set_review_cadence": Case(
        lambda actor, n: watchlist.set_review_cadence(
            actor=actor, country_code="SDN", meetings=2, seen_version=_entry("SDN").version
        ),
        STAFF,
    ),
    "committee.watchlist.record_review": Case(
        lambda actor, n: watchlist.record_review(
            actor=actor, country_code="SDN", meeting_id=_held().id, reviewed_on=clock.today()
        ),
        STAFF,
    ),
    "committee.decisions.record_decision": Case(
        lambda actor, n: decisions.record_decision(
            actor=actor, kind="general", meeting_id=_held().id, text=f"Decision {n}"
        ),
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
    "committee.meeting_room.mark_review_done": Case(
        lambda actor, n: meeting_room.mark_review_done(actor=actor, item_id=_review_item().id),
        STAFF,
        events=2,  # the item's review done, the watchlist's last review
    ),
    "committee.meeting_room.change_tier": Case(
        lambda actor, n: meeting_room.change_tier(
            actor=actor,
            item_id=_review_item().id,
            new_tier=_other_tier(),
            reason=f"Reason {n}",
            seen_version=_entry(_review_item().country_code).version,
        ),
        STAFF,
        events=3,  # the tier change, the watchlist's new tier, the decision
    ),
    "committee.meeting_room.close_meeting": Case(
        lambda actor, n: meeting_room.close_meeting(
            actor=actor, meeting_id=_upcoming().id, seen_version=_upcoming().version
        ),
        STAFF,
    ),
    "committee.meeting_room.close_and_carry_over": Case(
        lambda actor, n: meeting_room.close_and_carry_over(
            actor=actor,
            meeting_id=_upcoming().id,
            seen_version=_upcoming().version,
            carry_to_meeting_id=agenda.next_meeting(meeting_id=_upcoming().id).id,
        ),
        STAFF,
        events=3,  # the meeting closed, its items carried over, the chair's choice of both
    ),
    "committee.agenda.carry_over": Case(
        lambda actor, n: agenda.carry_over(
            actor=actor, meeting_id=_left_over(n), to_meeting_id=_upcoming().id
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
    detail = tracker.item_detail(item.id, actor=actor)
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


def _filed_alert(n: int, country_code: str = "SDN") -> Alert:
    """An acute alert filed by STATE three days from its deadline, written without an audit
    event (the matrix counts those of the call under test only)."""
    with write_session() as session:
        alert = Alert(
            reference=f"ALR-MATRIX-{n:04d}",
            country_code=country_code,
            severity="acute",
            summary="Reports of killings.",
            filing_agency_id=people.agency_by_code("STATE").id,
            review_deadline=clock.now() + timedelta(days=3),
        )
        session.add(alert)
    return alert


UNWATCHED = ["FRA", "DEU", "ITA", "ESP", "PRT", "NLD"]  # one per call: each call adds its own

ALERT_WRITES = {
    "committee.watchlist.watch_for_alert": Case(
        lambda actor, n: watchlist.watch_for_alert(
            actor=actor, alert_id=_filed_alert(n, UNWATCHED[n]).id
        ),
        STAFF,
    ),
    "committee.agenda.add_alert_review": Case(
        lambda actor, n: agenda.add_alert_review(
            actor=actor, alert_id=_filed_alert(n).id, meeting_id=_upcoming().id
        ),
        STAFF,
    ),
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
    "committee.alerts.review_at_next_meeting": Case(
        lambda actor, n: alerts.review_at_next_meeting(
            actor=actor, alert_id=_filed_alert(n).id, seen_version=1
        ),
        STAFF,
        events=2,  # the alert, and the agenda its review goes on
    ),
    "committee.alerts.close_alert": Case(
        lambda actor, n: alerts.close_alert(
            actor=actor, alert_id=_filed_alert(n).id, seen_version=1, reason="Decided."
        ),
        STAFF,
        events=2,  # the alert closed, the decision that closes it
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


def _tools_file(n: int) -> bytes:
    """An evidence review table of one tool and one factor, its tool different for each call."""
    values = {column: "0" for column in tools_evidence.REQUIRED}
    values |= {
        "tool_name": f"Tool {n}",
        "Evidence.review": "Yes",
        "Name.Final_research": "Committed implementer",
        "research_qualitative": "Weaker",
        "vote_count_factor": "0.5",
        "Contextual.or.design.factor": "Design",
    }
    for column in (
        "Name.Final_practitioner",
        "practitioner_qualitative",
        "proportion_practitioner",
    ):
        values[column] = "NA"
    header = ",".join(f'"{c}"' for c in ("", *values))
    return f'{header}\n"1",' + ",".join(f'"{v}"' for v in values.values()) + "\n"


UNWATCHED = ("ISL", "NOR", "SWE", "FIN", "DNK", "EST", "LVA", "LTU")


def _signal_rule(n: int, **values) -> SignalRule:
    """A rule of its own for each call (test data, as the chair would have set it)."""
    values = {"kind": "enters_top", "threshold": 5} | values
    with write_session() as session:
        rule = SignalRule(name=f"Matrix rule {n} {values['kind']}", **values)
        session.add(rule)
        session.flush()
        session.expunge(rule)
    return rule


def _open_signal(n: int) -> Signal:
    """An open signal for a country off the watchlist, as an import would have opened it."""
    rule = _signal_rule(n)
    with write_session() as session:
        signal = Signal(
            rule_id=rule.id,
            country_code=UNWATCHED[n],
            edition="2025",
            value_after=3,
            what="entered the top 5",
            sha256="0" * 64,
            review_due_on=clock.today(),
            decision_due_on=clock.today(),
        )
        session.add(signal)
        session.flush()
        session.expunge(signal)
    return signal


def _fire_once(actor, n: int):
    """Open signals on the newest edition with a rule that fires for exactly one country: the
    riskiest one off the watchlist."""
    with read_session() as session:
        watched = select(WatchlistEntry.country_code).where(WatchlistEntry.on_watchlist)
        riskiest = session.execute(
            select(RiskObservation.edition, RiskObservation.risk)
            .where(RiskObservation.kind == "forecast", RiskObservation.country_code.not_in(watched))
            .order_by(RiskObservation.edition.desc(), RiskObservation.risk.desc())
            .limit(1)
        ).one_or_none()
    if riskiest is None:  # the demo imports the statistical risk from ../shared/data/ewp
        pytest.skip(reason="no statistical risk in the demo: ../shared/data/ewp is absent")
    edition, risk = riskiest
    _signal_rule(n, kind="above_off_watchlist", threshold=risk * 100 - 1e-6)
    return signals.open_signals(actor=actor, edition=edition, sha256=f"{n:064d}")


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
    "committee.tools_evidence.import_file": Case(
        lambda actor, n: tools_evidence.import_file(
            actor=actor, content=_tools_file(n).encode(), filename="all_factors_9.csv"
        ),
        STAFF,
    ),
    "committee.signals.save_rule": Case(
        lambda actor, n: signals.save_rule(
            actor=actor, name=f"Rule {n}", kind="risk_rise", threshold=1
        ),
        STAFF,
    ),
    "committee.signals.set_rule_active": Case(
        lambda actor, n: signals.set_rule_active(
            actor=actor, rule_id=_signal_rule(n).id, active=False, seen_version=1
        ),
        STAFF,
    ),
    "committee.signals.open_signals": Case(_fire_once, STAFF),
    "committee.signals.schedule_review": Case(
        lambda actor, n: signals.schedule_review(
            actor=actor, signal_id=_open_signal(n).id, seen_version=1, tier=3
        ),
        STAFF,
        events=3,  # the country on the watchlist, its review on the agenda, the signal
    ),
    "committee.signals.close_signal": Case(
        lambda actor, n: signals.close_signal(
            actor=actor, signal_id=_open_signal(n).id, seen_version=1, reason="Reviewed."
        ),
        STAFF,
        events=2,  # the decision, the signal closed by it
    ),
    "committee.agenda.add_signal_review": Case(
        lambda actor, n: agenda.add_signal_review(
            actor=actor, meeting_id=_upcoming().id, country_code=UNWATCHED[n]
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
        events=2,  # the version approved, the committee's decision
    ),
    "committee.plans.archive": Case(
        lambda actor, n: plans.archive(
            actor=actor, plan_id=_matrix_plan(n)[0].id, reason="Overtaken.", seen_version=1
        ),
        STAFF,
    ),
}
WRITES.update(COUNTRY_WRITES)


def _outbox_message(n: int, status: str = "queued") -> int:
    """A message in the outbox, written directly (set-up, not the call under test)."""
    with write_session() as session:
        row = OutboxMessage(
            key=f"matrix-{n}-{status}",
            kind="test",
            recipient="rep.state@apc.example",
            subject="Test",
            body="Test.",
            status=status,
            next_attempt_at=clock.now(),
        )
        session.add(row)
        session.flush()
        return row.id


MAIL_WRITES = {
    # The worker's own bookkeeping: the operator's process only, never a person.
    "committee.outbox.claim": Case(
        lambda actor, n: (_outbox_message(n), outbox.claim(actor=actor)), set()
    ),
    "committee.outbox.record_outcomes": Case(
        lambda actor, n: outbox.record_outcomes(
            actor=actor, outcomes=[(_outbox_message(n, "sending"), None)]
        ),
        set(),
    ),
    "committee.invitations.send_invitations": Case(
        lambda actor, n: invitations.send_invitations(actor=actor, meeting_id=_upcoming().id),
        STAFF,
    ),
    "committee.notices.set_choice": Case(
        lambda actor, n: notices.set_choice(
            actor=actor, kind="plan.approved", delivery=("digest", "never")[n % 2]
        ),
        EVERYONE,
    ),
    # Timed jobs: the worker's, never a person's.
    "committee.reminders.send_reminders": Case(
        lambda actor, n: reminders.send_reminders(actor=actor), set()
    ),
    "committee.reminders.send_digests": Case(
        lambda actor, n: reminders.send_digests(actor=actor), set()
    ),
    "committee.outbox.resend": Case(
        lambda actor, n: outbox.resend(actor=actor, message_id=_outbox_message(n, "failed")),
        {"admin"},
    ),
}
WRITES.update(MAIL_WRITES)
# Writers that are not permission-gated, and why.
NOT_GATED = {
    "committee.people.record_sign_in": "opens a session for an identity its caller just proved",
    "committee.auth.request_access": "an unknown single sign-on email becomes an inactive "
    "observer awaiting approval, nothing more; tested in test_auth.py",
    "committee.sessions.sign_out": "ends only the session whose token and sign-out check the "
    "browser holds; tested in test_sessions.py",
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
            assert _audit_counts() == (ok_before + case.events, refused_before), (
                f"{service} as {role}: one audit event per service run"
            )
            assert _last_event().actor_label == actor.label, f"{service}: who acted is recorded"
        else:
            with pytest.raises(PermissionDenied):
                case.call(actor, next(counter))
            assert _audit_counts() == (ok_before, refused_before + 1), (
                f"{service} as {role}: a refusal is audited, nothing else written"
            )
            assert _last_event().actor_label == actor.label, f"{service}: who was refused"
