"""The dashboard's figures, checked against counts made directly from the demo's rows, and the
number of queries it takes, which must not grow with the record; on SQLite and PostgreSQL."""

from datetime import date, datetime, time, timedelta, timezone

import pytest
from conftest import DEMO_DAY
from sqlalchemy import event, select

from committee import alerts, dashboard, people
from committee.actor import Actor
from db.engine import get_engine, read_session, write_session
from db.models import ActionItem, Agency, Alert, Plan, WatchlistEntry
from db.models.actions import CLOSED_STATUSES

TODAY = DEMO_DAY.date()


@pytest.fixture
def figures(db, demo, frozen_clock):
    return dashboard.dashboard(actor=Actor.operator())


def all_rows(model):
    with read_session() as session:
        return list(session.scalars(select(model)))


def test_action_items_by_agency_match_a_direct_count(figures):
    codes = {agency.id: agency.code for agency in all_rows(Agency)}
    expected: dict[str, dict] = {}
    for item in all_rows(ActionItem):
        if item.status in CLOSED_STATUSES:
            continue
        counts = expected.setdefault(codes[item.owner_agency_id], {"overdue": 0})
        if item.due_on < TODAY:
            counts["overdue"] += 1
        else:
            counts[item.status] = counts.get(item.status, 0) + 1
    found = {a.code: {"overdue": a.overdue} | a.by_status for a in figures.actions}
    assert found == expected
    assert figures.actions_overdue == sum(c["overdue"] for c in expected.values()) > 0
    overdue = [a.overdue for a in figures.actions]
    assert overdue == sorted(overdue, reverse=True)  # the agencies most behind come first


def test_the_trend_rebuilds_open_and_overdue_items_at_each_month_end(figures):
    items = all_rows(ActionItem)
    assert [p.day for p in figures.trend][-1] == TODAY
    assert len(figures.trend) == 12
    for point in figures.trend:
        end = datetime.combine(point.day + timedelta(days=1), time(), timezone.utc)
        still_open = [
            i
            for i in items
            if i.created_at < end
            and not (i.status in CLOSED_STATUSES and (i.closed_at or i.updated_at) < end)
        ]
        assert point.open == len(still_open), point.day
        assert point.overdue == sum(1 for i in still_open if i.due_on < point.day), point.day
    assert figures.trend[-1].overdue == figures.actions_overdue


def test_month_ends_are_the_last_days_of_the_past_eleven_months_then_today():
    ends = dashboard.month_ends(date(2026, 3, 15))
    assert ends[0] == date(2025, 4, 30)
    assert date(2026, 2, 28) in ends and ends[-1] == date(2026, 3, 15)


def test_plan_coverage_matches_the_plans_in_effect(figures):
    approved = [p for p in all_rows(Plan) if p.status == "approved"]
    expected = {}
    for entry in all_rows(WatchlistEntry):
        if not entry.on_watchlist or entry.tier not in (1, 2):
            continue
        plans = [p for p in approved if p.country_code == entry.country_code]
        if not plans:
            expected[entry.country_code] = "no_plan"
        elif any(p.review_by and p.review_by < TODAY for p in plans):
            expected[entry.country_code] = "past_review"
        else:
            expected[entry.country_code] = "in_effect"
    assert {c.code: c.state for c in figures.coverage} == expected
    # The demo: SDN and NGA in effect, ETH past its review-by date, the other nine without.
    assert sorted(c.state for c in figures.coverage).count("in_effect") == 2
    assert figures.plan_gaps == 10


def test_alert_timings_count_only_what_the_viewer_may_see(db, demo, frozen_clock):
    observer = people.actor_for(people.user_by_email("observer@apc.example"))
    chair = dashboard.dashboard(actor=Actor.operator()).alert_timings
    seen = dashboard.dashboard(actor=observer).alert_timings
    stored = all_rows(Alert)
    assert len(chair) == len(stored)
    assert len(seen) == sum(1 for a in stored if not a.restricted)
    [closed] = [t for t in chair if t.status == "closed"]
    assert (closed.reviewed, closed.days, closed.on_time) == (True, 2.0, True)
    # The restricted ETH alert: 16 days waited against a 14-day deadline.
    [late] = [t for t in chair if t.country_name == "Restricted"]
    assert not late.reviewed and not late.on_time
    assert dashboard.dashboard(actor=Actor.operator()).alerts_late == (
        alerts.alert_counts(actor=Actor.operator()).past_deadline
    )


def test_the_map_and_the_review_chart_cover_every_country_of_concern(figures):
    watched = {e.country_code: e.tier for e in all_rows(WatchlistEntry) if e.on_watchlist}
    assert figures.tiers == watched
    assert sorted(r.country_code for r in figures.reviews) == sorted(watched)
    assert figures.reviews_overdue == sum(1 for r in figures.reviews if r.status == "overdue")


def count_queries(work) -> int:
    statements = []

    def seen(*_):
        statements.append(1)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_record(db, demo, frozen_clock):
    def draw():
        dashboard.dashboard(actor=Actor.operator())

    before = count_queries(draw)
    rep = people.actor_for(
        people.user_by_email("rep.state@apc.example"), people.agency_by_code("STATE")
    )
    with read_session() as session:
        agency_ids = list(session.scalars(select(Agency.id)))
    with write_session() as session:
        for n in range(60):
            session.add(
                ActionItem(
                    title=f"More work {n}",
                    owner_agency_id=agency_ids[n % len(agency_ids)],
                    due_on=TODAY - timedelta(days=n),
                    created_at=DEMO_DAY - timedelta(days=100 + n),
                )
            )
    for country in ("UKR", "LBY", "SYR"):
        alerts.file_alert(actor=rep, country_code=country, severity="acute", summary="Killings.")
    assert count_queries(draw) == before
    assert before <= 15


def test_the_alert_chart_shows_every_open_alert_and_the_latest_and_counts_the_year(
    db, demo, frozen_clock, monkeypatch
):
    monkeypatch.setattr(dashboard, "ALERTS_SHOWN", 2)
    chair = people.actor_for(people.user_by_email("chair@apc.example"))
    rep = people.actor_for(
        people.user_by_email("rep.state@apc.example"), people.agency_by_code("STATE")
    )
    for hours, country in enumerate(("UKR", "LBY", "SYR", "HTI")):
        frozen_clock(DEMO_DAY + timedelta(hours=hours))
        filed = alerts.file_alert(actor=rep, country_code=country, severity="serious", summary="X")
        alerts.close_alert(
            actor=chair, alert_id=filed.alert.id, seen_version=filed.alert.version, reason="Seen."
        )
    figures = dashboard.dashboard(actor=Actor.operator())
    stored = all_rows(Alert)
    still_open = {a.id for a in stored if a.status != "closed"}
    latest = {a.id for a in sorted(stored, key=lambda a: a.filed_at)[-2:]}
    shown = [t.alert_id for t in figures.alert_timings]
    assert set(shown) == still_open | latest and len(shown) < len(stored)
    assert shown == sorted(shown, key={a.id: a.filed_at for a in stored}.get)  # oldest first
    record = figures.alert_record
    year = [a for a in stored if a.filed_at >= DEMO_DAY + timedelta(hours=3) - timedelta(days=365)]
    assert record.filed == len(year)
    assert record.reviewed_on_time + record.reviewed_late + record.waiting == record.filed
    assert record.reviewed_on_time >= 4  # the four closed at once
