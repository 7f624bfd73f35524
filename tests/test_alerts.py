"""The alert channel: filing, the automatic trigger on its boundaries, restricted visibility,
the clocks, the emergency session and closing only with a decision; on SQLite and PostgreSQL."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from conftest import DEMO_DAY
from sqlalchemy import func, select

from committee import access, alerts, inbox, meeting_room, meetings, people, settings
from committee.errors import PermissionDenied, ValidationError
from db.engine import read_session
from db.models import (
    AgendaItem,
    Alert,
    AuditEvent,
    Decision,
    Meeting,
    Notification,
    TierChange,
    WatchlistEntry,
)

DEMO_EMAILS = {
    "chair": "chair@apc.example",
    "secretariat": "secretariat@apc.example",
    "admin": "admin@apc.example",
    "rep": "rep.state@apc.example",
    "other_rep": "rep.usaid@apc.example",
    "observer": "observer@apc.example",
}


@pytest.fixture
def actors(db, demo, frozen_clock):
    found = {}
    for key, email in DEMO_EMAILS.items():
        user = people.user_by_email(email)
        agency = None
        if user.agency_id:
            agency = next(a for a in people.list_agencies() if a.id == user.agency_id)
        found[key] = people.actor_for(user, agency)
    return found


def next_meeting() -> Meeting:
    with read_session() as session:
        return session.scalar(
            select(Meeting)
            .where(Meeting.status == "scheduled", Meeting.starts_at > DEMO_DAY)
            .order_by(Meeting.starts_at)
            .limit(1)
        )


def file(actor, country="SDN", severity="serious", **extra):
    values = dict(summary="Reports of killings of civilians.", restricted=False) | extra
    return alerts.file_alert(actor=actor, country_code=country, severity=severity, **values)


def agenda_of(meeting_id: int) -> list[AgendaItem]:
    with read_session() as session:
        return list(
            session.scalars(
                select(AgendaItem)
                .where(AgendaItem.meeting_id == meeting_id)
                .order_by(AgendaItem.position)
            )
        )


def stored(alert_id: int) -> Alert:
    with read_session() as session:
        return session.get(Alert, alert_id)


# --- filing ------------------------------------------------------------------------------------


def test_filing_gives_the_years_next_reference_at_once(actors):
    first = file(actors["rep"])
    second = file(actors["other_rep"], country="ETH")
    # The demo holds ALR-2026-0001 to 0004.
    assert (first.alert.reference, second.alert.reference) == ("ALR-2026-0005", "ALR-2026-0006")
    assert first.alert.filed_at == DEMO_DAY
    assert first.alert.filing_agency_id == actors["rep"].agency_id


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"country": ""}, "country"),
        ({"country": None}, "country"),
        ({"country": "XXX"}, "country"),
        ({"summary": "   "}, "summary"),
        ({"severity": "urgent"}, "severity"),
        ({"happening_since": DEMO_DAY.date() + timedelta(days=1)}, "happening_since"),
        ({"sources": "see javascript://alert(1)"}, "sources"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_written(actors, values, field):
    values = dict(values)  # the parameters are shared by both databases
    country = values.pop("country", "SDN")
    with pytest.raises(ValidationError) as refused:
        file(actors["rep"], country=country, **values)
    assert refused.value.field == field
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 4  # the demo's


def test_observers_file_only_when_the_settings_allow(actors):
    with pytest.raises(PermissionDenied):
        file(actors["observer"])
    settings.update(actor=actors["chair"], key="observers_may_file_alerts", value=True)
    assert file(actors["observer"]).alert.reference == "ALR-2026-0005"


# --- the trigger -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before_deadline", "on_agenda"),
    [(timedelta(0), True), (timedelta(seconds=1), False)],
    ids=["meeting at the deadline", "meeting a second after it"],
)
def test_review_goes_on_the_next_meeting_only_when_it_starts_by_the_deadline(
    actors, frozen_clock, before_deadline, on_agenda
):
    meeting = next_meeting()
    # A serious alert's deadline is 14 days away: file so it falls at, or just before, the start.
    frozen_clock(meeting.starts_at - timedelta(days=14) - before_deadline)
    filed = file(actors["rep"], severity="serious")
    alert = stored(filed.alert.id)
    items = [i for i in agenda_of(meeting.id) if i.alert_id == alert.id]
    if on_agenda:
        assert filed.review_meeting.id == meeting.id
        assert (alert.status, alert.review_meeting_id) == ("under_review", meeting.id)
        assert not alert.emergency_session_proposed
        [item] = items
        assert item.kind == "alert_review" and item.position == len(agenda_of(meeting.id))
    else:
        assert filed.review_meeting is None
        assert (alert.status, alert.review_meeting_id) == ("new", None)
        assert alert.emergency_session_proposed
        assert items == []


def test_acute_alert_has_three_days_where_a_serious_one_has_fourteen(actors, frozen_clock):
    meeting = next_meeting()
    frozen_clock(meeting.starts_at - timedelta(days=10))
    serious = file(actors["rep"], severity="serious")
    acute = file(actors["rep"], country="MMR", severity="acute")
    assert serious.alert.review_deadline - serious.alert.filed_at == timedelta(days=14)
    assert acute.alert.review_deadline - acute.alert.filed_at == timedelta(days=3)
    assert serious.review_meeting.id == meeting.id and not serious.emergency_proposed
    assert acute.review_meeting is None and acute.emergency_proposed


def test_review_days_follow_the_settings(actors):
    days = {"acute": 1, "serious": 60, "concern": 60}
    settings.update(actor=actors["chair"], key="alert_review_days", value=days)
    filed = file(actors["rep"], severity="serious")  # the next meeting is 47 days away
    assert filed.alert.review_deadline == DEMO_DAY + timedelta(days=60)
    assert filed.review_meeting is not None


@pytest.mark.parametrize(("severity", "tier"), [("acute", 1), ("serious", 2), ("concern", 3)])
def test_a_country_off_the_watchlist_goes_on_at_the_tier_the_severity_suggests(
    actors, severity, tier
):
    filed = file(actors["rep"], country="UKR", severity=severity)
    assert filed.added_to_watchlist
    with read_session() as session:
        entry = session.scalar(select(WatchlistEntry).where(WatchlistEntry.country_code == "UKR"))
        [change] = session.scalars(select(TierChange).where(TierChange.country_code == "UKR"))
    assert (entry.tier, entry.on_watchlist, entry.since) == (tier, True, DEMO_DAY.date())
    assert (change.old_tier, change.new_tier, change.changed_by_id) == (
        None,
        tier,
        actors["rep"].id,
    )
    assert filed.alert.reference in change.reason


def test_a_watched_country_keeps_its_tier(actors):
    filed = file(actors["rep"], country="HTI", severity="acute")  # tier 3 in the demo
    assert not filed.added_to_watchlist
    with read_session() as session:
        entry = session.scalar(select(WatchlistEntry).where(WatchlistEntry.country_code == "HTI"))
    assert entry.tier == 3


def test_a_restricted_alert_does_not_name_itself_on_the_watchlist_or_agenda(actors, frozen_clock):
    frozen_clock(next_meeting().starts_at - timedelta(days=5))
    filed = file(actors["rep"], country="UKR", restricted=True)
    [item] = [i for i in agenda_of(filed.review_meeting.id) if i.alert_id == filed.alert.id]
    assert "UKR" not in item.title and filed.alert.reference not in item.title
    assert item.country_code is None
    with read_session() as session:
        change = session.scalar(select(TierChange).where(TierChange.country_code == "UKR"))
    assert filed.alert.reference not in change.reason


def test_every_chair_is_told_in_the_inbox(actors):
    before = inbox.unread_count(actor=actors["chair"])
    filed = file(actors["rep"], severity="acute")
    assert filed.chairs_told == 2  # the chair and the secretariat
    assert inbox.unread_count(actor=actors["chair"]) == before + 1
    assert inbox.unread_count(actor=actors["secretariat"]) == before + 1
    assert inbox.unread_count(actor=actors["rep"]) == 0
    [message] = inbox.my_messages(actor=actors["chair"], unread_only=True)[:1]
    assert message.alert_reference == filed.alert.reference
    assert "emergency session is proposed" in message.notification.text


def test_mark_read_touches_only_the_persons_own_messages(actors):
    file(actors["rep"])
    assert inbox.mark_read(actor=actors["chair"]) == 2  # the demo's acute alert and this one
    assert inbox.unread_count(actor=actors["chair"]) == 0
    assert inbox.unread_count(actor=actors["secretariat"]) == 2
    with read_session() as session:
        secretariat_ids = list(
            session.scalars(
                select(Notification.id).where(Notification.user_id == actors["secretariat"].id)
            )
        )
    assert inbox.mark_read(actor=actors["chair"], notification_ids=secretariat_ids) == 0
    assert inbox.unread_count(actor=actors["secretariat"]) == 2


# --- restricted visibility ---------------------------------------------------------------------


def test_the_sql_rule_for_reading_matches_the_policy(actors):
    file(actors["rep"], restricted=True)
    file(actors["other_rep"], restricted=True)
    with read_session() as session:
        every = list(session.scalars(select(Alert)))
    for key, actor in actors.items():
        listed = {row.alert.id for row in alerts.list_alerts(actor=actor, per_page=100).rows}
        allowed = {
            a.id
            for a in every
            if access.can(
                actor, "alert.read", restricted=a.restricted, agency_id=a.filing_agency_id
            )
        }
        assert listed == allowed, key
    assert len(allowed) < len(every)  # the observer does not see the restricted ones


def test_a_restricted_alert_opened_by_another_agency_is_refused_and_audited(actors):
    filed = file(actors["rep"], restricted=True)
    assert alerts.get_alert(actor=actors["rep"], alert_id=filed.alert.id)
    assert alerts.get_alert(actor=actors["chair"], alert_id=filed.alert.id)
    for key in ("other_rep", "observer"):
        with pytest.raises(PermissionDenied):
            alerts.get_alert(actor=actors[key], alert_id=filed.alert.id)
    with read_session() as session:
        refusals = list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "alert.read", AuditEvent.outcome == "refused"
                )
            )
        )
    assert [(e.actor_id, e.record_id) for e in refusals] == [
        (actors["other_rep"].id, str(filed.alert.id)),
        (actors["observer"].id, str(filed.alert.id)),
    ]


# --- the emergency session and the clocks ------------------------------------------------------


def test_the_proposed_session_is_scheduled_in_one_go(actors, frozen_clock):
    filed = file(actors["rep"], severity="acute")
    proposal = alerts.emergency_proposal(actor=actors["chair"], alert_id=filed.alert.id)
    assert DEMO_DAY < proposal.starts_at <= filed.alert.review_deadline
    assert [i.kind for i in proposal.items] == ["alert_review", "country_review"]

    meeting = alerts.schedule_emergency_session(
        actor=actors["chair"], alert_id=filed.alert.id, seen_version=filed.alert.version
    )
    assert (meeting.kind, meeting.starts_at, meeting.called_for_alert_id) == (
        "emergency",
        proposal.starts_at,
        filed.alert.id,
    )
    items = agenda_of(meeting.id)
    assert [(i.kind, i.alert_id, i.title) for i in items] == [
        (p.kind, p.alert_id, p.title) for p in proposal.items
    ]
    alert = stored(filed.alert.id)
    assert (alert.status, alert.review_meeting_id) == ("under_review", meeting.id)
    assert alert.acknowledged_by_id == actors["chair"].id  # acting on it acknowledges it
    assert alerts.emergency_proposal(actor=actors["chair"], alert_id=alert.id) is None
    with pytest.raises(ValidationError, match="already on the agenda"):
        alerts.schedule_emergency_session(
            actor=actors["chair"], alert_id=alert.id, seen_version=alert.version
        )


def test_a_session_is_proposed_while_no_meeting_reviews_the_alert_in_time(actors, frozen_clock):
    by_reference = {
        r.alert.reference: r.alert for r in alerts.list_alerts(actor=actors["chair"]).rows
    }
    proposed = {
        reference
        for reference, alert in by_reference.items()
        if alerts.emergency_proposal(actor=actors["chair"], alert_id=alert.id)
    }
    # The demo: SDN (acute, due in 2 days, next meeting in 47) and ETH (past its deadline) need
    # one; HTI is on the next meeting's agenda; MMR is closed.
    assert proposed == {"ALR-2026-0001", "ALR-2026-0002"}
    assert alerts.alert_counts(actor=actors["chair"]).emergency_proposed == 2
    # A meeting set before SDN's deadline answers it: the proposal goes.
    sdn = by_reference["ALR-2026-0001"]
    meetings.schedule_session(
        actor=actors["chair"],
        kind="ad_hoc",
        title="",
        starts_at=sdn.review_deadline - timedelta(hours=2),
        ends_at=sdn.review_deadline - timedelta(hours=1),
        timezone="America/New_York",
        reason="Between regular meetings.",
    )
    assert alerts.emergency_proposal(actor=actors["chair"], alert_id=sdn.id) is None
    assert alerts.alert_counts(actor=actors["chair"]).emergency_proposed == 1


NEW_YORK = ZoneInfo("America/New_York")
THURSDAY = datetime(2026, 11, 26, 14, 0, tzinfo=timezone.utc)  # 09:00 in New York


@pytest.mark.parametrize(
    ("now", "deadline", "expected"),
    [
        (THURSDAY, THURSDAY + timedelta(days=3), datetime(2026, 11, 27, 10, 0, tzinfo=NEW_YORK)),
        (
            datetime(2026, 11, 27, 22, 0, tzinfo=timezone.utc),  # Friday evening
            datetime(2026, 11, 30, 22, 0, tzinfo=timezone.utc),
            datetime(2026, 11, 30, 10, 0, tzinfo=NEW_YORK),  # Monday morning
        ),
        # The deadline comes first: the next full hour, four hours ahead.
        (THURSDAY, THURSDAY + timedelta(hours=12), THURSDAY + timedelta(hours=5)),
        # Already late: the next working morning again.
        (THURSDAY, THURSDAY - timedelta(days=1), datetime(2026, 11, 27, 10, 0, tzinfo=NEW_YORK)),
    ],
    ids=["next morning", "after a weekend", "deadline first", "already late"],
)
def test_the_proposed_session_starts_the_next_working_morning(now, deadline, expected):
    assert alerts._proposed_start(now, deadline, "America/New_York") == expected


def test_only_the_chair_schedules_the_session(actors):
    filed = file(actors["rep"], severity="acute")
    with pytest.raises(PermissionDenied):
        alerts.schedule_emergency_session(
            actor=actors["rep"], alert_id=filed.alert.id, seen_version=filed.alert.version
        )
    with read_session() as session:
        assert not session.scalar(select(Meeting).where(Meeting.called_for_alert_id.is_not(None)))


def test_the_clocks_run_from_filing_to_acknowledgement_review_and_decision(actors, frozen_clock):
    filed = file(actors["rep"], severity="acute")
    alert_id = filed.alert.id

    def row():
        [found] = [
            r
            for r in alerts.list_alerts(actor=actors["chair"], per_page=100).rows
            if r.alert.id == alert_id
        ]
        return found

    assert (row().to_acknowledgement, row().to_review, row().to_decision) == (None, None, None)
    frozen_clock(DEMO_DAY + timedelta(hours=2))
    alerts.acknowledge_alert(actor=actors["chair"], alert_id=alert_id, seen_version=1)
    assert row().to_acknowledgement == timedelta(hours=2)
    mine = [
        m for m in inbox.my_messages(actor=actors["chair"]) if m.notification.alert_id == alert_id
    ]
    assert mine and not any(m.unread for m in mine)  # acknowledging reads the chair's message

    frozen_clock(DEMO_DAY + timedelta(hours=3))
    meeting = alerts.schedule_emergency_session(
        actor=actors["chair"], alert_id=alert_id, seen_version=stored(alert_id).version
    )
    [item] = [i for i in agenda_of(meeting.id) if i.alert_id == alert_id]
    frozen_clock(meeting.starts_at + timedelta(minutes=30))
    alerts.close_alert(
        actor=actors["chair"],
        alert_id=alert_id,
        seen_version=stored(alert_id).version,
        reason="Response plan updated; the alert is answered.",
        agenda_item_id=item.id,
    )
    closed = row()
    assert closed.to_review == meeting.starts_at - DEMO_DAY
    assert closed.to_decision == meeting.starts_at + timedelta(minutes=30) - DEMO_DAY
    assert not closed.overdue


def test_an_alert_past_its_deadline_without_review_is_flagged(actors, frozen_clock):
    filed = file(actors["rep"], severity="acute")
    frozen_clock(filed.alert.review_deadline - timedelta(minutes=1))
    late_before = alerts.alert_counts(actor=actors["chair"]).past_deadline
    assert filed.alert.id not in ids(alerts.list_alerts(actor=actors["chair"], overdue_only=True))
    frozen_clock(filed.alert.review_deadline + timedelta(minutes=1))
    page = alerts.list_alerts(actor=actors["chair"], overdue_only=True)
    assert filed.alert.id in ids(page) and all(r.overdue for r in page.rows)
    assert alerts.alert_counts(actor=actors["chair"]).past_deadline == late_before + 1
    everything = alerts.list_alerts(actor=actors["chair"], per_page=100).rows
    flags = [r.overdue for r in everything]
    assert flags == sorted(flags, reverse=True)  # the overdue ones come first


def ids(page: alerts.AlertPage) -> set[int]:
    return {row.alert.id for row in page.rows}


def test_pages_run_from_the_late_through_the_open_to_the_closed(actors, frozen_clock):
    """The open and the closed alerts are read apart: page by page they still make one list,
    in the order the chair reads it."""
    for hour, (country, severity) in enumerate(
        [("SDN", "acute"), ("MMR", "serious"), ("UKR", "acute"), ("HTI", "concern")] * 2
    ):
        frozen_clock(DEMO_DAY + timedelta(hours=hour))
        filed = file(actors["rep"], country=country, severity=severity)
        if hour % 3 == 0:
            alerts.close_alert(
                actor=actors["chair"],
                alert_id=filed.alert.id,
                seen_version=filed.alert.version,
                reason="Reviewed; no further action.",
            )
    frozen_clock(DEMO_DAY + timedelta(days=4))  # the acute ones still open are late now
    whole = alerts.list_alerts(actor=actors["chair"], per_page=100)
    rows = whole.rows
    expected = sorted(
        rows,
        key=lambda r: (
            not r.overdue,
            r.alert.status == "closed",
            r.alert.review_deadline if r.alert.status != "closed" else DEMO_DAY,
            -r.alert.filed_at.timestamp(),
            -r.alert.id,
        ),
    )
    assert [r.alert.id for r in rows] == [r.alert.id for r in expected]
    assert {r.overdue for r in rows} == {True, False}
    assert {r.alert.status == "closed" for r in rows} == {True, False}
    count = -(-len(rows) // 3)
    pages = [alerts.list_alerts(actor=actors["chair"], page=n, per_page=3) for n in range(1, 9)]
    paged = [r.alert.id for page in pages[:count] for r in page.rows]
    assert paged == [r.alert.id for r in rows]
    assert pages[-1].page == count  # a page beyond the last shows the last
    assert {page.total for page in pages} == {whole.total} == {len(rows)}
    only_open = alerts.list_alerts(actor=actors["chair"], open_only=True, per_page=100)
    assert [r.alert.id for r in only_open.rows] == [
        r.alert.id for r in rows if r.alert.status != "closed"
    ]


def test_a_review_meeting_held_counts_as_the_review(actors, frozen_clock):
    meeting = next_meeting()
    frozen_clock(meeting.starts_at - timedelta(days=3))
    filed = file(actors["rep"], severity="acute")
    assert filed.review_meeting.id == meeting.id
    frozen_clock(meeting.ends_at)
    meeting_room.close_meeting(
        actor=actors["chair"], meeting_id=meeting.id, seen_version=version_of(meeting)
    )
    frozen_clock(filed.alert.review_deadline + timedelta(days=1))
    [row] = [
        r
        for r in alerts.list_alerts(actor=actors["chair"], per_page=100).rows
        if r.alert.id == filed.alert.id
    ]
    assert row.to_review == meeting.starts_at - filed.alert.filed_at
    assert not row.overdue


def version_of(meeting: Meeting) -> int:
    with read_session() as session:
        return session.get(Meeting, meeting.id).version


# --- closing -----------------------------------------------------------------------------------


def test_closing_without_a_decision_is_refused(actors):
    filed = file(actors["rep"])
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            alerts.close_alert(
                actor=actors["chair"], alert_id=filed.alert.id, seen_version=1, reason=reason
            )
        assert refused.value.field == "reason"
    alert = stored(filed.alert.id)
    assert (alert.status, alert.closed_at, alert.closing_decision_id) == ("new", None, None)


def test_the_chair_closes_with_a_recorded_decision(actors):
    filed = file(actors["rep"])
    decision = alerts.close_alert(
        actor=actors["chair"],
        alert_id=filed.alert.id,
        seen_version=filed.alert.version,
        reason="Reports not confirmed by two sources; watch continues.",
    )
    alert = stored(filed.alert.id)
    assert (decision.kind, decision.alert_id, decision.meeting_id) == (
        "alert_closure",
        alert.id,
        None,
    )
    assert (alert.status, alert.closing_decision_id, alert.closed_at) == (
        "closed",
        decision.id,
        DEMO_DAY,
    )
    with pytest.raises(ValidationError, match="already closed"):
        alerts.close_alert(
            actor=actors["chair"], alert_id=alert.id, seen_version=alert.version, reason="Again."
        )


def test_a_meeting_closes_only_on_the_alerts_own_agenda_item(actors, frozen_clock):
    frozen_clock(next_meeting().starts_at - timedelta(days=5))
    first = file(actors["rep"])
    second = file(actors["rep"], country="ETH")
    [other_item] = [i for i in agenda_of(second.review_meeting.id) if i.alert_id == second.alert.id]
    with pytest.raises(ValidationError) as refused:
        alerts.close_alert(
            actor=actors["chair"],
            alert_id=first.alert.id,
            seen_version=first.alert.version,
            reason="Decided.",
            agenda_item_id=other_item.id,
        )
    assert refused.value.field == "agenda_item"
    with read_session() as session:
        assert not session.scalar(select(Decision).where(Decision.alert_id == first.alert.id))


def test_only_the_chair_acknowledges_and_closes(actors):
    filed = file(actors["rep"])
    for call in (alerts.acknowledge_alert, alerts.close_alert):
        extra = {"reason": "Closed."} if call is alerts.close_alert else {}
        with pytest.raises(PermissionDenied):
            call(actor=actors["rep"], alert_id=filed.alert.id, seen_version=1, **extra)
    assert stored(filed.alert.id).status == "new"


def test_happening_since_is_kept(actors):
    filed = file(actors["rep"], happening_since=date(2026, 11, 20), sources="https://example.org")
    alert = stored(filed.alert.id)
    assert (alert.happening_since, alert.sources) == (date(2026, 11, 20), "https://example.org")


def test_an_alert_stays_before_the_chair_until_it_is_on_an_agenda(actors, frozen_clock):
    """Issue 18, point 5: scheduling one alert's emergency session sets the meeting that
    reviews another in time; the other must not drop out of sight on no agenda."""
    chair = actors["chair"]
    sudan = file(actors["rep"], country="SDN", severity="acute", restricted=True).alert
    guinea = file(actors["rep"], country="GIN", severity="acute").alert
    before = alerts.alert_counts(actor=chair)
    alerts.schedule_emergency_session(
        actor=chair, alert_id=guinea.id, seen_version=stored(guinea.id).version
    )
    # Guinea's session is before Sudan's deadline: no session proposed for Sudan any more...
    assert alerts.emergency_proposal(actor=chair, alert_id=sudan.id) is None
    counts = alerts.alert_counts(actor=chair)
    assert counts.emergency_proposed < before.emergency_proposed - 1
    # ...but Sudan is still in front of the chair, offered the meeting that reviews it in time.
    assert counts.on_no_agenda == before.on_no_agenda - 1
    waiting = alerts.list_alerts(actor=chair, on_no_agenda_only=True).rows
    assert sudan.id in {row.alert.id for row in waiting}
    shown = alerts.get_alert(actor=chair, alert_id=sudan.id)
    session = shown.next_meeting
    assert session.id == stored(guinea.id).review_meeting_id
    meeting = alerts.review_at_next_meeting(
        actor=chair, alert_id=sudan.id, seen_version=stored(sudan.id).version
    )
    assert meeting.id == session.id
    assert (stored(sudan.id).status, stored(sudan.id).review_meeting_id) == (
        "under_review",
        session.id,
    )
    assert [i.alert_id for i in agenda_of(session.id) if i.kind == "alert_review"] == [
        guinea.id,
        sudan.id,
    ]
    assert sudan.id not in {
        row.alert.id for row in alerts.list_alerts(actor=chair, on_no_agenda_only=True).rows
    }
    with pytest.raises(ValidationError, match="already on the agenda"):
        alerts.review_at_next_meeting(
            actor=chair, alert_id=sudan.id, seen_version=stored(sudan.id).version
        )


def test_an_alert_whose_review_meeting_is_cancelled_is_on_no_agenda(actors, frozen_clock):
    meeting = next_meeting()
    frozen_clock(meeting.starts_at - timedelta(days=10))
    filed = file(actors["rep"], severity="serious")
    assert filed.review_meeting.id == meeting.id
    meetings.cancel_meeting(
        actor=actors["chair"],
        meeting_id=meeting.id,
        seen_version=next_meeting().version,
        reason="The chair is travelling.",
    )
    waiting = alerts.list_alerts(actor=actors["chair"], on_no_agenda_only=True).rows
    assert filed.alert.id in {row.alert.id for row in waiting}
