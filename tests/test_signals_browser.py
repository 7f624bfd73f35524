"""The real app in Chromium: the chair sets a rule, imports the 2025 edition, sees the signals
it fired, schedules a review and closes a signal with a decision (Blueprint 2-5)."""

import pytest
from playwright.sync_api import expect
from test_countries_browser import choose, metric, settle
from test_statistical_risk import FORECAST_2025, needs_files

pytestmark = [pytest.mark.browser, needs_files]


def test_a_rule_fires_on_import_and_the_signal_is_reviewed_and_closed(served_app, page, sign_in):
    sign_in(served_app["url"], "chair@apc.example")

    # A rule, set in Settings; a bad threshold is refused at the field, the name kept.
    page.get_by_role("link", name="Settings").click()
    choose(
        page, "What the rule watches for", "The committee's tier and the statistical rank diverge"
    )
    page.get_by_label("Name of the rule").fill("Tier and rank diverge")
    page.get_by_label("Tier 1 but ranked below").fill("5")
    page.get_by_role("button", name="Add the rule").click()
    expect(page.get_by_text("The rank for tier 1 must lie below")).to_be_visible()
    expect(page.get_by_label("Name of the rule")).to_have_value("Tier and rank diverge")
    page.get_by_label("Tier 1 but ranked below").fill("60")
    page.get_by_role("button", name="Add the rule").click()
    expect(page.get_by_text("Rule added: Tier and rank diverge.")).to_be_visible()

    # The 2025 edition (the demo holds its figures already): the rules are evaluated on it.
    page.get_by_role("link", name="Statistical risk import").click()
    page.locator("input[type=file]").set_input_files(str(FORECAST_2025))
    expect(page.get_by_text("Nothing to import")).to_be_visible()
    page.get_by_role("button", name="Evaluate the rules for signals on this edition").click()
    expect(page.get_by_text("The rules for signals from data opened")).to_be_visible()
    expect(page.get_by_text("opened 0 new")).to_have_count(0)

    # The signals, each with what fired.
    page.get_by_role("link", name="Signals from data").first.click()
    expect(page.get_by_role("heading", name="Signals from data")).to_be_visible()
    expect(metric(page, "Open signals")).not_to_contain_text("0")
    picker = page.get_by_role("combobox", name="Signal")
    picker.click()
    unwatched = page.get_by_role("option").filter(has_text="off the watchlist but ranked").first
    label = unwatched.inner_text()
    country = label.split(" — ")[0]
    unwatched.click()
    settle(page)

    # Off the watchlist: the signal proposes adding it; the chair does, and the review is
    # scheduled on the next regular meeting's agenda.
    page.get_by_text("Tier 2 — high risk").click()
    page.get_by_role("button", name="Add to the watchlist and schedule the review").click()
    expect(
        page.get_by_text(f"{country}'s review is on the next regular meeting's agenda.")
    ).to_be_visible()

    # Closed only with a recorded decision.
    picker.click()
    page.get_by_role("option", name=label, exact=True).click()
    settle(page)
    expect(page.get_by_text("On the agenda of")).to_be_visible()
    page.get_by_role("button", name="Record the decision and close the signal").click()
    expect(page.get_by_text("Record the decision that closes the signal")).to_be_visible()
    page.get_by_label("The decision, with its reason").fill(
        "Reviewed: the rank reflects the new fighting; kept at tier 2 with a plan to follow."
    )
    page.get_by_role("button", name="Record the decision and close the signal").click()
    expect(page.get_by_text("Decision recorded; the signal is closed.")).to_be_visible()
    page.get_by_text("All", exact=True).click()
    settle(page)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
