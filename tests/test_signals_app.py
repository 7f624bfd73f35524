"""Signals from data in the app (AppTest, demo record): the chair's rules in Settings, the
signals page with its handling, and the dashboard."""

import pytest
from test_countries_app import actor
from test_statistical_risk import needs_files

from committee import signals

SETTINGS, SIGNALS, DASHBOARD = "pages/settings.py", "pages/signals.py", "pages/dashboard.py"


@pytest.fixture
def open_page(sqlite_db, demo, frozen_clock, app_as):
    def open_(email: str, script: str):
        at = app_as(actor(email))
        at.switch_page(script)
        at.run()
        assert not at.exception, at.exception
        return at

    return open_


def test_the_chair_adds_a_rule_and_a_bad_threshold_is_refused_at_its_field(open_page):
    at = open_page("chair@apc.example", SETTINGS)
    at.selectbox(key="rule_kind").set_value("enters_top").run()
    at.text_input(key="rule_name").input("Enters the top ten")
    at.number_input(key="rule_threshold_enters_top").set_value(0.0)
    [add] = [b for b in at.button if b.label == "Add the rule"]
    add.click().run()
    assert not at.exception
    assert [e for e in at.error if "The top N is a whole rank from 1 to 200" in e.value]
    assert at.text_input(key="rule_name").value == "Enters the top ten"  # what was typed stays
    assert signals.rules() == []  # nothing half-written
    at.number_input(key="rule_threshold_enters_top").set_value(10.0)
    [add] = [b for b in at.button if b.label == "Add the rule"]
    add.click().run()
    [rule] = signals.rules()
    assert (rule.name, rule.kind, rule.threshold) == ("Enters the top ten", "enters_top", 10)


@needs_files
def test_the_signals_page_and_the_dashboard_show_what_fired(open_page):
    chair = actor("chair@apc.example")
    signals.save_rule(actor=chair, name="High, unwatched", kind="above_off_watchlist", threshold=3)
    fired = signals.evaluate(actor=chair)
    assert fired, "the demo's newest edition has unwatched countries above 3 %"
    at = open_page("observer@apc.example", SIGNALS)
    table = at.dataframe[0].value
    assert len(table) == len(fired)
    assert set(table["Rule"]) == {"High, unwatched"}
    assert not [s for s in at.selectbox if s.label == "Signal"]  # observers read only

    at = open_page("chair@apc.example", SIGNALS)
    [choice] = [s for s in at.selectbox if s.label == "Signal"]
    assert choice.options
    at = open_page("observer@apc.example", DASHBOARD)
    assert any("open signals from the statistical risk" in m.value for m in at.markdown)
