"""Signals from data (Blueprint 2-5): the chair's rules evaluated on the real Early Warning
Project editions, each firing computed here independently from the CSV files; none again on a
re-import; a signal scheduled for review and closed only with a decision."""

import csv
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from test_statistical_risk import FORECAST_2024, FORECAST_2025, import_path, needs_files

from committee import clock, reports, signals, watchlist
from committee.errors import PermissionDenied, ValidationError
from db.engine import read_session, write_session
from db.models import AgendaItem, Country, Decision, Meeting, Signal, WatchlistEntry

RISE, TOP, ABOVE, TIER3_TOP, TIER1_BELOW = 0.5, 10, 5.0, 10, 60
WATCHED = {"SDN": 1, "MMR": 3, "FRA": 1, "NGA": 2}  # tiers; France at tier 1 to diverge


def rows(path, year: int) -> dict[int, dict]:
    """ccode -> (risk, rank, previous risk, previous rank) as the file gives them."""
    period, previous = f"{year}and{year + 1}", f"{year - 1}and{year}"
    with open(path, newline="", encoding="utf-8") as handle:
        found = {}
        for row in csv.DictReader(handle):
            risk_column = next(c for c in row if c.startswith(f"risk.{period}.from"))
            rank_column = next(c for c in row if c.startswith(f"rank.{period}.from"))
            old_risk = next(c for c in row if c.startswith(f"risk.{previous}.from"))
            old_rank = next(c for c in row if c.startswith(f"rank.{previous}.from"))
            found[int(row["ccode"])] = (
                float(row[risk_column]),
                int(row[rank_column]),
                float(row[old_risk]),
                int(row[old_rank]),
            )
        return found


def expected(now: dict, before: dict, codes: dict[int, str]) -> set[tuple[str, str]]:
    """(rule name, country code) for every firing, computed from the files alone."""
    fired = set()
    for ccode, (risk, rank, file_risk, file_rank) in now.items():
        code = codes.get(ccode)
        if code is None:
            continue  # no ISO 3166 country (Kosovo)
        risk_before, rank_before = before.get(ccode, (file_risk, file_rank))[:2]
        tier = WATCHED.get(code)
        if (risk - risk_before) * 100 >= RISE - 1e-9:
            fired.add(("Risk rises", code))
        if rank <= TOP < rank_before:
            fired.add(("Enters the top", code))
        if tier is None and risk * 100 >= ABOVE:
            fired.add(("High risk, not watched", code))
        if (tier in (None, 3) and rank <= TIER3_TOP) or (tier == 1 and rank > TIER1_BELOW):
            fired.add(("Tier and rank diverge", code))
    return fired


def fired(edition: str) -> set[tuple[str, str]]:
    return {(r.rule.name, r.signal.country_code) for r in signals.list_signals(edition=edition)}


def count(model) -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def rule_set(db, people, frozen_clock):
    chair = people["chair"]
    for code, tier in WATCHED.items():
        watchlist.add_country(actor=chair, country_code=code, tier=tier, reason="Watched.")
    for name, kind, threshold, second in [
        ("Risk rises", "risk_rise", RISE, None),
        ("Enters the top", "enters_top", TOP, None),
        ("High risk, not watched", "above_off_watchlist", ABOVE, None),
        ("Tier and rank diverge", "tier_rank_divergence", TIER3_TOP, TIER1_BELOW),
    ]:
        signals.save_rule(
            actor=chair, name=name, kind=kind, threshold=threshold, second_threshold=second
        )
    starts = clock.now() + timedelta(days=20)
    with write_session() as session:
        session.add(
            Meeting(
                kind="regular",
                title="Regular meeting",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                timezone="America/New_York",
                calendar_uid="signals-test@apc-desk",
            )
        )
    with read_session() as session:
        codes = dict(session.execute(select(Country.cow_code, Country.code)).all())
    return chair, codes, people


@needs_files
def test_both_editions_in_order_fire_what_the_files_say(rule_set):
    chair, codes, members = rule_set
    first = import_path(chair, FORECAST_2024)
    want_2024 = expected(rows(FORECAST_2024, 2024), {}, codes)
    assert fired("2024") == want_2024 and first.signals == len(want_2024) > 0

    second = import_path(chair, FORECAST_2025)
    recorded_2024 = rows(FORECAST_2024, 2024)  # what the committee saw last year
    want_2025 = expected(rows(FORECAST_2025, 2025), recorded_2024, codes)
    assert fired("2025") == want_2025 and second.signals == len(want_2025)
    # Each rule kind fires on the real data, so each is exercised.
    assert {name for name, _ in want_2024 | want_2025} == {
        "Risk rises",
        "Enters the top",
        "High risk, not watched",
        "Tier and rank diverge",
    }

    # Each signal names the file that brought it, and its values before and after.
    sudan = [r for r in signals.list_signals(edition="2025") if r.signal.country_code == "SDN"]
    for row in sudan:
        assert row.signal.sha256 == second.sha256
        assert row.signal.risk_import_id == second.import_id
        assert row.signal.previous_edition == "2024"

    # Watched countries go on the next regular meeting's agenda, once each; others wait for
    # the chair to add them to the watchlist.
    for row in signals.list_signals():
        assert (row.signal.status == "scheduled") == (row.tier is not None)
    with read_session() as session:
        reviews = session.scalars(select(AgendaItem.country_code)).all()
    assert sorted(reviews) == sorted(
        {r.signal.country_code for r in signals.list_signals() if r.tier}
    )

    # A review on a draft agenda is the chair's to know: others see the signal still open.
    observed = next(r for r in signals.list_signals(actor=members["observer"]) if r.tier)
    assert (observed.meeting, observed.status) == (None, "open")
    [seen] = [r for r in signals.list_signals(actor=chair) if r.signal.id == observed.signal.id]
    assert seen.status == "scheduled" and seen.meeting is not None

    # Importing both again opens nothing, and so does evaluating the rules again.
    total = count(Signal)
    import_path(chair, FORECAST_2024)
    import_path(chair, FORECAST_2025)
    assert count(Signal) == total
    assert signals.evaluate(actor=chair, dry_run=True) == []


@needs_files
def test_a_signal_is_scheduled_and_closed_only_with_a_decision(rule_set):
    chair, _, _ = rule_set
    import_path(chair, FORECAST_2025)
    off = next(r for r in signals.list_signals() if r.tier is None)
    with pytest.raises(ValidationError) as refused:
        signals.schedule_review(actor=chair, signal_id=off.signal.id, seen_version=1)
    assert refused.value.field == "tier"
    scheduled = signals.schedule_review(
        actor=chair, signal_id=off.signal.id, seen_version=off.signal.version, tier=2
    )
    assert scheduled.status == "scheduled" and scheduled.agenda_item_id is not None
    with read_session() as session:
        entry = session.scalar(
            select(WatchlistEntry).where(WatchlistEntry.country_code == off.signal.country_code)
        )
    assert entry.on_watchlist and entry.tier == 2

    with pytest.raises(ValidationError) as refused:
        signals.close_signal(
            actor=chair, signal_id=scheduled.id, seen_version=scheduled.version, reason=" "
        )
    assert refused.value.field == "reason"
    decision = signals.close_signal(
        actor=chair,
        signal_id=scheduled.id,
        seen_version=scheduled.version,
        reason="Reviewed: the rise reflects the coup; the country stays at tier 2.",
    )
    [row] = [r for r in signals.list_signals() if r.signal.id == scheduled.id]
    assert row.signal.status == "closed" and row.decision.id == decision.id
    with read_session() as session:
        assert session.get(Decision, decision.id).country_code == off.signal.country_code

    # The annual report counts the reviews data triggered, and how fast they were decided.
    year = clock.today().year
    report = reports.annual_report(actor=chair, start=date(year, 1, 1), end=date(year, 12, 31))
    assert len(report.signals) == len(signals.list_signals())
    [line] = [line for line in report.signals if line.days_to_decision is not None]
    assert (line.country_name, line.days_to_decision, line.days_to_review) == (
        off.country_name,
        0,
        None,  # its meeting has not been held yet
    )


@needs_files
def test_a_dry_run_says_what_would_fire_and_writes_nothing(rule_set):
    chair, _, _ = rule_set
    import_path(chair, FORECAST_2025)
    signals.save_rule(actor=chair, name="Any rise", kind="risk_rise", threshold=0.1)
    would = signals.evaluate(actor=chair, dry_run=True)
    assert {f.rule.name for f in would} == {"Any rise"} and would
    assert not [r for r in signals.list_signals() if r.rule.name == "Any rise"]
    assert signals.evaluate(actor=chair) == would
    assert len([r for r in signals.list_signals() if r.rule.name == "Any rise"]) == len(would)


@pytest.mark.parametrize(
    "kind, threshold, second, field",
    [
        ("risk_rise", 0, None, "threshold"),
        ("risk_rise", 101, None, "threshold"),
        ("enters_top", 2.5, None, "threshold"),
        ("enters_top", 0, None, "threshold"),
        ("above_off_watchlist", -3, None, "threshold"),
        ("tier_rank_divergence", 10, None, "second_threshold"),
        ("tier_rank_divergence", 10, 5, "second_threshold"),
        ("sideways", 1, None, "kind"),
    ],
)
def test_a_rule_out_of_range_is_refused_at_its_field(
    sqlite_db, people, kind, threshold, second, field
):
    with pytest.raises(ValidationError) as refused:
        signals.save_rule(
            actor=people["chair"],
            name="A rule",
            kind=kind,
            threshold=threshold,
            second_threshold=second,
        )
    assert refused.value.field == field
    assert signals.rules() == []


def test_only_the_chair_sets_rules(sqlite_db, people):
    with pytest.raises(PermissionDenied):
        signals.save_rule(actor=people["rep"], name="Mine", kind="enters_top", threshold=5)
    with pytest.raises(ValidationError) as refused:
        signals.save_rule(actor=people["chair"], name=" ", kind="enters_top", threshold=5)
    assert refused.value.field == "name"
