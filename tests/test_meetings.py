"""The meeting cycle: the series rule over years and daylight-saving changes, re-planning that
leaves touched meetings alone, moving and cancelling one meeting, ad hoc and emergency
sessions, the lists and the month view, the review rotation, and the CLI."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from cli import main as cli
from committee import meetings, rotation, watchlist
from committee.errors import Conflict, ValidationError
from committee.series import SeriesRule, occurrences, produces
from db.engine import read_session, write_session
from db.models import AgendaItem, Alert, Meeting, WatchlistEntry

NEW_YORK = ZoneInfo("America/New_York")
RULE = dict(  # the second Tuesday of Jan, Mar, May, ..., 10:00 New York, two hours
    interval_months=2,
    first_month=1,
    weekday=1,
    week_of_month=2,
    start_time=time(10, 0),
    duration_minutes=120,
    timezone="America/New_York",
    location="Room 5A",
)


def set_rule(actor, **changes) -> meetings.Replan:
    series = meetings.current_series()
    return meetings.set_series_rule(
        actor=actor, **{**RULE, **changes}, seen_version=series.version if series else None
    )


def regular(status: str | None = None) -> list[Meeting]:
    with read_session() as session:
        query = select(Meeting).where(Meeting.kind == "regular").order_by(Meeting.starts_at)
        if status:
            query = query.where(Meeting.status == status)
        return list(session.scalars(query))


def count_meetings() -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(Meeting))


def local(moment: datetime) -> datetime:
    return moment.astimezone(NEW_YORK)


# --- the rule ---------------------------------------------------------------------------------


def test_the_rule_keeps_local_time_across_years_of_daylight_saving():
    rule = SeriesRule(**{k: v for k, v in RULE.items() if k != "location"})
    found = occurrences(
        rule, datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2031, 1, 1, tzinfo=timezone.utc)
    )
    assert len(found) == 30  # six a year for five years
    for starts, ends in found:
        assert (local(starts).hour, local(starts).minute) == (10, 0)
        assert local(starts).weekday() == 1 and 8 <= local(starts).day <= 14
        assert local(starts).month % 2 == 1
        assert ends - starts == timedelta(hours=2)
    # 10:00 in New York is 15:00 UTC in winter and 14:00 UTC in summer.
    assert {starts.astimezone(timezone.utc).hour for starts, _ in found} == {14, 15}
    by_month = {(s.year, s.month): s.astimezone(timezone.utc) for s, _ in found}
    assert by_month[2027, 3].hour == 15  # 9 March 2027: daylight time begins on the 14th
    assert by_month[2027, 5].hour == 14
    assert by_month[2027, 11].hour == 15  # 9 November: back on standard time since the 7th
    assert produces(rule, found[0][0]) and not produces(rule, found[0][0] + timedelta(days=7))


def test_setting_the_rule_schedules_the_next_twelve_months(db, people, frozen_clock):
    report = set_rule(people["chair"])
    created = regular()
    assert [local(m.starts_at).date() for m in created] == [
        date(2027, 1, 12),
        date(2027, 3, 9),
        date(2027, 5, 11),
        date(2027, 7, 13),
        date(2027, 9, 14),
        date(2027, 11, 9),
    ]
    assert report.created and not report.moved and not report.left_alone
    assert all(local(m.starts_at).hour == 10 for m in created)
    assert len({m.calendar_uid for m in created}) == 6
    assert all(m.calendar_sequence == 0 and m.location == "Room 5A" for m in created)
    # Applying it again changes nothing; a year later the horizon has moved on.
    again = meetings.schedule_series(actor=people["chair"])
    assert (again.created, again.moved, again.cancelled) == ([], [], [])
    frozen_clock(datetime(2027, 6, 1, 12, tzinfo=timezone.utc))
    later = meetings.schedule_series(actor=people["chair"])
    assert [local(m.starts_at).date() for m in later.created] == [
        date(2028, 1, 11),
        date(2028, 3, 14),
        date(2028, 5, 9),
    ]


def test_a_rule_change_replans_untouched_meetings_and_reports_the_rest(db, people, frozen_clock):
    chair = people["chair"]
    set_rule(chair)
    january, march, may, *_ = regular()
    moved = meetings.move_meeting(
        actor=chair,
        meeting_id=march.id,
        seen_version=march.version,
        starts_at=datetime(2027, 3, 10, 14, 0),
        ends_at=datetime(2027, 3, 10, 16, 0),
        timezone="America/New_York",
        location="Room 5A",
        video_link="",
        reason="The minister visits on the 9th.",
    )
    cancelled = meetings.cancel_meeting(
        actor=chair, meeting_id=may.id, seen_version=may.version, reason="Budget week."
    )
    report = set_rule(chair, weekday=2, week_of_month=3, start_time=time(14, 0))

    assert {m.id: why for m, why in report.left_alone} == {
        moved.id: "moved or edited by hand",
        cancelled.id: "cancelled by hand",
    }
    assert january.id in {m.id for m in report.moved}
    after = {m.id: m for m in regular()}
    assert local(after[january.id].starts_at) == datetime(2027, 1, 20, 14, 0, tzinfo=NEW_YORK)
    assert after[january.id].calendar_uid == january.calendar_uid
    assert after[january.id].calendar_sequence == january.calendar_sequence + 1
    assert local(after[moved.id].starts_at) == datetime(2027, 3, 10, 14, 0, tzinfo=NEW_YORK)
    assert after[cancelled.id].status == "cancelled"
    # The cancelled May slot is not scheduled again behind the chair's back.
    assert len([m for m in after.values() if local(m.starts_at).month == 5]) == 1


def test_other_months_cancel_untouched_meetings_and_going_back_restores_them(
    db, people, frozen_clock
):
    chair = people["chair"]
    set_rule(chair)
    odd = {m.id: m.calendar_uid for m in regular()}
    report = set_rule(chair, first_month=2)
    assert {m.id for m in report.cancelled} == set(odd)
    assert {local(m.starts_at).month for m in regular("scheduled")} == {12, 2, 4, 6, 8, 10}
    back = set_rule(chair, first_month=1)
    assert set(odd) <= {m.id for m in back.moved}  # restored, same calendar UIDs
    assert {m.id: m.calendar_uid for m in regular("scheduled")} == odd
    assert {local(m.starts_at).month for m in regular("cancelled")} == {12, 2, 4, 6, 8, 10}


def test_held_meetings_and_published_agendas_are_left_alone(db, people, frozen_clock):
    chair = people["chair"]
    set_rule(chair)
    january = regular()[0]
    with write_session() as session:
        stored = session.get(Meeting, january.id)
        stored.agenda_status = "published"
    report = set_rule(chair, start_time=time(9, 0))
    assert [(m.id, why) for m, why in report.left_alone] == [
        (january.id, "its agenda is published")
    ]
    assert local(regular()[0].starts_at).hour == 10
    assert {local(m.starts_at).hour for m in regular()[1:]} == {9}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"week_of_month": 5}, "week_of_month"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"interval_months": 0}, "interval_months"),
        ({"duration_minutes": 5}, "duration_minutes"),
    ],
)
def test_a_bad_rule_is_refused_at_its_field(db, people, frozen_clock, changes, field):
    with pytest.raises(ValidationError) as refused:
        set_rule(people["chair"], **changes)
    assert refused.value.field == field
    assert meetings.current_series() is None and count_meetings() == 0


def test_a_fifth_tuesday_is_named_in_the_message(db, people, frozen_clock):
    with pytest.raises(ValidationError, match="fifth Tuesday"):
        set_rule(people["chair"], week_of_month=5)


# --- one meeting ------------------------------------------------------------------------------


def test_moving_keeps_the_uid_grows_the_sequence_and_marks_it_by_hand(db, people, frozen_clock):
    set_rule(people["chair"])
    january = regular()[0]
    moved = meetings.move_meeting(
        actor=people["chair"],
        meeting_id=january.id,
        seen_version=january.version,
        starts_at=datetime(2027, 1, 13, 9, 30),
        ends_at=datetime(2027, 1, 13, 11, 30),
        timezone="Europe/Brussels",
        location="EU delegation",
        video_link="https://video.example.gov/x",
        reason="Held with the EU partners.",
    )
    assert moved.calendar_uid == january.calendar_uid
    assert moved.calendar_sequence == january.calendar_sequence + 1
    assert moved.edited_by_hand and moved.change_reason == "Held with the EU partners."
    assert moved.starts_at == datetime(2027, 1, 13, 8, 30, tzinfo=timezone.utc)
    assert moved.series_occurrence == january.series_occurrence  # still January's slot
    with pytest.raises(Conflict):  # a second chair saving what they saw before the move
        meetings.cancel_meeting(
            actor=people["admin"], meeting_id=january.id, seen_version=january.version, reason="x"
        )


@pytest.mark.parametrize(
    ("starts", "ends", "zone", "link", "reason", "field"),
    [
        ((2027, 1, 13, 11), (2027, 1, 13, 10), "America/New_York", "", "r", "ends_at"),
        ((2026, 11, 1, 10), (2026, 11, 1, 12), "America/New_York", "", "r", "starts_at"),
        ((2027, 1, 13, 10), (2027, 1, 13, 12), "Nowhere/City", "", "r", "timezone"),
        ((2027, 1, 13, 10), (2027, 1, 13, 12), "UTC", "javascript:alert(1)", "r", "video_link"),
        ((2027, 1, 13, 10), (2027, 1, 13, 12), "UTC", "", "  ", "reason"),
    ],
)
def test_bad_times_places_and_reasons_are_refused(
    db, people, frozen_clock, starts, ends, zone, link, reason, field
):
    set_rule(people["chair"])
    january = regular()[0]
    with pytest.raises(ValidationError) as refused:
        meetings.move_meeting(
            actor=people["chair"],
            meeting_id=january.id,
            seen_version=january.version,
            starts_at=datetime(*starts),
            ends_at=datetime(*ends),
            timezone=zone,
            location="",
            video_link=link,
            reason=reason,
        )
    assert refused.value.field == field
    assert regular()[0].starts_at == january.starts_at and regular()[0].version == january.version


def test_a_cancelled_or_held_meeting_cannot_change(db, people, frozen_clock):
    set_rule(people["chair"])
    january = regular()[0]
    cancelled = meetings.cancel_meeting(
        actor=people["chair"], meeting_id=january.id, seen_version=january.version, reason="x"
    )
    assert cancelled.status == "cancelled" and cancelled.calendar_sequence == 1
    with pytest.raises(ValidationError, match="cancelled"):
        meetings.cancel_meeting(
            actor=people["chair"], meeting_id=january.id, seen_version=cancelled.version, reason="y"
        )


def test_sessions_ad_hoc_and_emergency(db, people, frozen_clock):
    chair = people["chair"]
    ad_hoc = meetings.schedule_session(
        actor=chair,
        kind="ad_hoc",
        title="",
        starts_at=datetime(2026, 12, 3, 15, 0),
        ends_at=datetime(2026, 12, 3, 16, 0),
        timezone="America/New_York",
        reason="Consult on the UN Security Council vote.",
    )
    assert ad_hoc.kind == "ad_hoc" and ad_hoc.title == "Ad hoc meeting — 03 December 2026"
    assert ad_hoc.series_id is None and ad_hoc.calendar_uid
    with pytest.raises(ValidationError) as refused:
        meetings.schedule_session(
            actor=chair,
            kind="regular",
            title="x",
            starts_at=datetime(2026, 12, 3, 15),
            ends_at=datetime(2026, 12, 3, 16),
            timezone="UTC",
            reason="x",
        )
    assert refused.value.field == "kind"
    with pytest.raises(ValidationError, match="300 characters \\(it has 301\\)") as too_long:
        meetings.schedule_session(
            actor=chair,
            kind="ad_hoc",
            title="A" * 301,
            starts_at=datetime(2026, 12, 3, 15),
            ends_at=datetime(2026, 12, 3, 16),
            timezone="UTC",
            reason="x",
        )
    assert too_long.value.field == "title"  # refused, not cut short

    with write_session() as session:
        alert = Alert(
            reference="ALR-T-1",
            country_code="SDN",
            severity="acute",
            summary="Forces massing",
            review_deadline=datetime(2026, 11, 29, tzinfo=timezone.utc),
        )
        session.add(alert)
        session.flush()
        alert_id = alert.id
    emergency = meetings.call_emergency_session(
        actor=chair,
        country_code="sdn",
        alert_id=alert_id,
        starts_at=datetime(2026, 11, 27, 9, 0),
        reason="An assault on El Fasher is reported imminent.",
    )
    assert emergency.kind == "emergency" and emergency.title == "Emergency session — Sudan"
    assert emergency.called_for_country == "SDN" and emergency.called_for_alert_id == alert_id
    assert emergency.ends_at - emergency.starts_at == timedelta(minutes=60)
    with read_session() as session:
        items = session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == emergency.id).order_by("position")
        ).all()
    assert [(i.kind, i.minutes_allotted) for i in items] == [
        ("alert_review", 20),
        ("country_review", 40),
    ]
    with pytest.raises(ValidationError) as refused:
        meetings.call_emergency_session(
            actor=chair,
            country_code="MMR",
            alert_id=alert_id,
            starts_at=datetime(2026, 11, 27, 9, 0),
            reason="x",
        )
    assert refused.value.field == "alert"


# --- reading ----------------------------------------------------------------------------------


def test_lists_filters_and_the_month_view(db, demo, frozen_clock):
    upcoming = meetings.list_meetings(when="upcoming")
    past = meetings.list_meetings(when="past")
    assert upcoming.total == 6 and past.total == 7
    assert upcoming.rows[0].meeting.starts_at < upcoming.rows[1].meeting.starts_at
    assert past.rows[0].meeting.starts_at > past.rows[1].meeting.starts_at
    emergency = meetings.list_meetings(kind="emergency")
    assert [r.meeting.title for r in emergency.rows] == ["Emergency session — Sudan"]
    sudan = meetings.list_meetings(country_code="SDN", when="past")
    assert sudan.total == past.total  # Sudan (tier 1) was reviewed at every meeting
    haiti = meetings.list_meetings(country_code="HTI", when="upcoming")
    assert [r.countries for r in haiti.rows] == [["Haiti"]]  # the alert put it on January's
    paged = meetings.list_meetings(when="past", limit=3, offset=3)
    assert paged.total == past.total and [r.meeting.id for r in paged.rows] == [
        r.meeting.id for r in past.rows[3:6]
    ]

    view = meetings.month_view(year=2027, month=1)
    assert view.title == "January 2027" and len(view.weeks[0]) == 7
    days = {cell.day: cell.meetings for week in view.weeks for cell in week if cell.meetings}
    assert list(days) == [date(2027, 1, 12)]
    assert view.shifted(-1) == (2026, 12) and view.shifted(12) == (2028, 1)


# --- the review rotation ----------------------------------------------------------------------


def watch(code: str, tier: int, last_reviewed_on: date | None, override: int | None = None):
    with write_session() as session:
        session.add(
            WatchlistEntry(
                country_code=code,
                tier=tier,
                since=date(2025, 1, 1),
                last_reviewed_on=last_reviewed_on,
                review_cadence_override=override,
            )
        )


def test_review_due_dates_follow_the_tier_and_the_override(db, people, frozen_clock):
    set_rule(people["chair"])  # regular meetings from 12 Jan 2027, every two months
    reviewed = date(2026, 11, 10)
    watch("SDN", 1, reviewed)
    watch("ETH", 2, reviewed)
    watch("HTI", 3, reviewed)
    watch("CMR", 3, reviewed, override=1)
    watch("NER", 2, None)
    due = {r.country_code: r for r in rotation.review_schedule()}
    assert due["SDN"].next_due_on == date(2027, 1, 12) and due["SDN"].status == "due"
    assert due["ETH"].next_due_on == date(2027, 3, 9) and due["ETH"].status == "on_time"
    assert due["HTI"].next_due_on == date(2027, 5, 11)
    assert due["CMR"].next_due_on == date(2027, 1, 12) and due["CMR"].cadence == 1
    assert (due["NER"].next_due_on, due["NER"].status) == (date(2026, 11, 26), "due")  # never

    watchlist.set_review_cadence(
        actor=people["chair"], country_code="hti", meetings=1, seen_version=None
    )
    assert {r.country_code for r in rotation.due_by(date(2027, 1, 12))} == {
        "SDN",
        "CMR",
        "HTI",
        "NER",
    }
    assert [r.country_code for r in rotation.due_by(date(2027, 1, 12))][:1] == ["SDN"]
    watchlist.set_review_cadence(
        actor=people["chair"], country_code="HTI", meetings=None, seen_version=None
    )
    assert {r.country_code: r for r in rotation.review_schedule()}["HTI"].cadence == 3
    with pytest.raises(ValidationError) as refused:
        watchlist.set_review_cadence(
            actor=people["chair"], country_code="HTI", meetings=13, seen_version=None
        )
    assert refused.value.field == "cadence"
    with pytest.raises(ValidationError):
        watchlist.set_review_cadence(
            actor=people["chair"], country_code="FRA", meetings=2, seen_version=None
        )


# --- the command line -------------------------------------------------------------------------


def test_cli_sets_the_series_schedules_and_lists(sqlite_db, frozen_clock, capsys):
    assert cli(["meetings", "series"]) == 1
    assert cli(["meetings", "series", "--set", "--weekday", "tue", "--week", "5"]) == 1
    assert "fifth Tuesday" in capsys.readouterr().err
    assert cli(["meetings", "series", "--set", "--weekday", "wed", "--week", "3"]) == 0
    assert "6 created" in capsys.readouterr().out
    assert cli(["meetings", "schedule"]) == 0
    assert "0 created" in capsys.readouterr().out
    assert cli(["meetings", "list", "--upcoming", "--kind", "regular"]) == 0
    out = capsys.readouterr().out
    assert "2027-01-20 10:00 EST" in out and "6 of 6 meeting(s)" in out
    assert cli(["meetings", "list", "--past"]) == 0
    assert "0 of 0" in capsys.readouterr().out
