"""The watchlist: tiers and their history, the table and the map, plan gaps and coverage."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from conftest import DEMO_DAY
from sqlalchemy import event, select
from test_statistical_risk import FORECAST_HEADER, csv_bytes

from committee import briefs, coverage, statistical_risk, watchlist
from committee import people as accounts
from committee.errors import Conflict, PermissionDenied, ValidationError
from db.engine import get_engine, read_session
from db.models import ActionItem, AgendaItem, Decision, Meeting, Plan, TierChange, WatchlistEntry


def history(code: str) -> list[tuple]:
    with read_session() as session:
        return [
            (c.old_tier, c.new_tier, c.reason, c.changed_by_id)
            for c in session.scalars(
                select(TierChange).where(TierChange.country_code == code).order_by(TierChange.id)
            )
        ]


def demo_chair():
    return accounts.actor_for(accounts.user_by_email("chair@apc.example"))


@contextmanager
def statements():
    """Count the SQL statements run inside the block."""
    seen = []

    def count(*args):
        seen.append(1)

    event.listen(get_engine(), "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(get_engine(), "before_cursor_execute", count)


# --- tiers and their history ---------------------------------------------------------------------


def test_add_change_take_off_and_add_again_keep_the_whole_history(db, people, frozen_clock):
    chair = people["chair"]
    entry = watchlist.add_country(
        actor=chair, country_code=" ssd ", tier=3, reason="Localised violence."
    )
    assert (entry.country_code, entry.tier, entry.since) == ("SSD", 3, DEMO_DAY.date())
    entry = watchlist.set_tier(
        actor=chair, country_code="SSD", tier=1, reason="Mass killing reported.", seen_version=1
    )
    entry = watchlist.take_off(
        actor=chair, country_code="SSD", reason="Peace holds.", seen_version=entry.version
    )
    assert not entry.on_watchlist
    frozen_clock(DEMO_DAY + timedelta(days=30))
    entry = watchlist.add_country(actor=chair, country_code="SSD", tier=2, reason="Relapse.")
    assert entry.on_watchlist and entry.since == (DEMO_DAY + timedelta(days=30)).date()
    assert history("SSD") == [
        (None, 3, "Localised violence.", chair.id),
        (3, 1, "Mass killing reported.", chair.id),
        (1, None, "Peace holds.", chair.id),
        (None, 2, "Relapse.", chair.id),
    ]
    with read_session() as session:
        assert session.scalar(select(WatchlistEntry).where(WatchlistEntry.country_code == "SSD"))


@pytest.mark.parametrize(
    "code, tier, reason, field",
    [
        ("XYZ", 2, "Reason.", "country"),
        ("", 2, "Reason.", "country"),
        ("SDN", 4, "Reason.", "tier"),
        ("SDN", 2, "  ", "reason"),
    ],
)
def test_bad_input_is_refused_at_its_field(sqlite_db, people, code, tier, reason, field):
    with pytest.raises(ValidationError) as refusal:
        watchlist.add_country(actor=people["chair"], country_code=code, tier=tier, reason=reason)
    assert refusal.value.field == field
    assert history(code or "SDN") == []


def test_a_country_is_added_once_and_its_tier_changed_only_to_another(sqlite_db, people):
    chair = people["chair"]
    watchlist.add_country(actor=chair, country_code="SDN", tier=1, reason="Acute.")
    with pytest.raises(ValidationError, match="already on the watchlist"):
        watchlist.add_country(actor=chair, country_code="SDN", tier=2, reason="Again.")
    with pytest.raises(ValidationError, match="already tier 1"):
        watchlist.set_tier(actor=chair, country_code="SDN", tier=1, reason="Same.", seen_version=1)
    with pytest.raises(ValidationError, match="not on the watchlist"):
        watchlist.set_tier(actor=chair, country_code="MLI", tier=1, reason="x", seen_version=1)


def test_two_chairs_changing_one_tier_the_second_is_told(db, people):
    chair = people["chair"]
    watchlist.add_country(actor=chair, country_code="SDN", tier=2, reason="High risk.")
    watchlist.set_tier(actor=chair, country_code="SDN", tier=1, reason="First.", seen_version=1)
    with pytest.raises(Conflict) as conflict:
        watchlist.set_tier(
            actor=people["admin"], country_code="SDN", tier=3, reason="Second.", seen_version=1
        )
    assert conflict.value.current["tier"] == 1
    assert [h[1] for h in history("SDN")] == [2, 1]


def test_only_the_chair_edits_the_watchlist(sqlite_db, people):
    for role in ("rep", "observer"):
        with pytest.raises(PermissionDenied):
            watchlist.add_country(actor=people[role], country_code="SDN", tier=1, reason="x")
    assert history("SDN") == []


# --- the table and the map -------------------------------------------------------------------


def test_the_table_holds_what_the_committee_reads(db, demo, frozen_clock):
    rows = {row.code: row for row in watchlist.watchlist_table()}
    assert len(rows) == 20
    assert [r.tier for r in watchlist.watchlist_table()] == sorted(r.tier for r in rows.values())
    sudan = rows["SDN"]
    assert [(p.kind, p.status) for p in sudan.plans] == [("response", "approved")]
    assert sudan.last_reviewed_on is not None and sudan.next_review_due is not None
    with read_session() as session:
        items = list(session.scalars(select(ActionItem).where(ActionItem.country_code == "SDN")))
    today = DEMO_DAY.date()
    open_items = [i for i in items if i.status not in ("done", "cancelled")]
    assert sudan.open_actions == len(open_items)
    assert sudan.overdue_actions == sum(1 for i in open_items if i.due_on < today)
    # The gaps: tier 1 and 2 without a plan in effect; Ethiopia's plan is past its review-by.
    assert [g.kind for g in rows["SSD"].gaps] == ["no_plan"]
    assert [g.kind for g in rows["ETH"].gaps] == ["review_overdue"]
    assert rows["MMR"].gaps[0].text == "Tier 1 with no plan in effect"  # in clearance only
    assert rows["PAK"].gaps == [] and rows["SDN"].gaps == []


def test_the_table_shows_the_newest_edition_and_its_change(db, demo, operator):
    # A later edition than the demo's: Sudan at 20%, rank 1, from 15% and rank 4.
    content = csv_bytes(FORECAST_HEADER, ["1", "Sudan", "0.2", "1", "0.15", "4", "2030", "625"])
    statistical_risk.import_file(actor=operator, content=content, filename="future.csv")
    sudan = next(r for r in watchlist.watchlist_table() if r.code == "SDN")
    assert (sudan.risk, sudan.rank, sudan.rank_change) == (0.2, 1, 3)
    assert sudan.risk_change == pytest.approx(0.05)


def test_the_map_colours_watched_and_scored_countries(db, demo):
    countries = {c.code: c for c in watchlist.world_map()}
    assert countries["SDN"].tier == 1
    assert sum(1 for c in countries.values() if c.tier) == 20
    assert all(c.tier or c.risk is not None for c in countries.values())


def test_the_table_takes_the_same_number_of_queries_however_long(db, demo):
    with statements() as few:
        watchlist.watchlist_table()
    chair = demo_chair()
    for code in ("FRA", "DEU", "BRA", "IND", "CHN", "RUS", "ZAF", "ARG"):
        watchlist.add_country(actor=chair, country_code=code, tier=2, reason="Test.")
    with statements() as many:
        rows = watchlist.watchlist_table()
    assert len(rows) == 28
    assert len(many) == len(few) <= 12


def test_a_brief_reads_the_newest_reviews_and_decisions_and_counts_them_all(db, demo):
    chair = demo_chair()
    with read_session() as session:
        held_reviews = session.scalars(
            select(AgendaItem.country_code)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(AgendaItem.kind == "country_review", Meeting.status == "held")
        ).all()
        outside_reviews = session.scalars(
            select(Decision.country_code).where(
                Decision.country_code.is_not(None), Decision.agenda_item_id.is_(None)
            )
        ).all()
    reviewed_twice = sorted({c for c in held_reviews if held_reviews.count(c) >= 2})
    assert reviewed_twice, "the demo reviews some countries more than once"
    for code in reviewed_twice + sorted(set(outside_reviews)):
        everything = briefs.country_brief(code, actor=chair, history=100)
        newest = briefs.country_brief(code, actor=chair, history=1)
        assert everything.review_count == newest.review_count == held_reviews.count(code)
        assert len(everything.reviews) == everything.review_count
        assert [r.item.id for r in newest.reviews] == [everything.reviews[0].item.id]
        assert newest.reviews[0].decisions == everything.reviews[0].decisions
        starts = [r.meeting.starts_at for r in everything.reviews]
        assert starts == sorted(starts, reverse=True)
        # The decisions of older reviews are not shown as decisions outside a review.
        assert newest.other_decision_count == everything.other_decision_count
        assert newest.other_decision_count == outside_reviews.count(code)
        assert newest.other_decisions == everything.other_decisions[:1]


# --- coverage ------------------------------------------------------------------------------------


def test_toolbox_usage_counts_the_plans_in_effect(db, demo):
    usage = coverage.toolbox_usage()
    assert len(usage.recommendations) == 34
    assert [r.key for r in usage.recommendations][:3] == ["1-1", "1-2", "1-3"]
    used = {c.key: c for c in usage.categories if c.used}
    with read_session() as session:
        in_effect = list(session.scalars(select(Plan).where(Plan.status == "approved")))
    assert in_effect and sum(c.lines for c in used.values()) == 4 * len(in_effect)
    assert any(not r.used for r in usage.recommendations)
    assert all(set(c.countries) <= {"Sudan", "Ethiopia", "Nigeria"} for c in used.values())


def test_gaps_follow_plans_coming_into_effect_and_tiers(db, people, frozen_clock):
    chair = people["chair"]
    watchlist.add_country(actor=chair, country_code="SDN", tier=1, reason="Acute.")
    watchlist.add_country(actor=chair, country_code="PAK", tier=3, reason="Watch.")
    assert [(g.country_code, g.kind) for g in coverage.gaps()] == [("SDN", "no_plan")]
    watchlist.set_tier(actor=chair, country_code="PAK", tier=2, reason="Worse.", seen_version=1)
    assert {g.country_code for g in coverage.gaps()} == {"SDN", "PAK"}
