"""The alert channel in Chromium, on an app of its own: with a meeting scheduled by another
test, the alerts filed here would go straight onto its agenda."""

import re

import pytest
from conftest import settle
from playwright.sync_api import expect
from test_alerts_browser import open_alerts_page

pytestmark = pytest.mark.browser


def test_a_restricted_acute_alert_stays_before_the_chair_until_it_is_on_an_agenda(
    served_app, page, sign_in
):
    """Issue 18, points 5 and 14: scheduling one alert's emergency session does not drop
    another from the chair's sight; what a finished step showed does not linger, faded."""
    sign_in(served_app["url"], "chair@apc.example")
    open_alerts_page(page)
    references = {}
    for country, restricted in (("Sudan", True), ("Guinea", False)):
        page.get_by_role("tab", name="File an alert").click()
        page.get_by_label("Country").click()
        page.keyboard.type(country)
        page.keyboard.press("Enter")
        page.get_by_text("Acute — violence under way or imminent").click()
        page.get_by_label("What is happening").fill(f"Killings of civilians in {country}.")
        if restricted:
            page.get_by_text("Restricted: only the chair and my agency see it").click()
        page.get_by_role("button", name="File the alert").click()
        filed = page.get_by_text(re.compile(rf"Alert ALR-\d{{4}}-\d{{4}} filed on {country}"))
        expect(filed).to_be_visible()
        settle(page)
        references[country] = re.search(r"ALR-\d{4}-\d{4}", filed.inner_text()).group(0)

    def open_from_the_list(country: str, reference: str = "") -> None:
        reference = reference or references[country]
        settle(page)
        line = page.get_by_test_id("stHorizontalBlock").filter(has_text=reference)
        line.first.get_by_role("button", name="Open").click()
        expect(page.get_by_role("heading", name=f"{reference} · {country}")).to_be_visible()

    # Closing an alert leaves neither the closing form nor the proposal behind, faded or not.
    # The demo's alert on Sudan has a session proposed: no meeting reviews it in time yet.
    open_from_the_list("Sudan", "ALR-2026-0001")
    expect(page.get_by_role("button", name="Schedule the emergency session")).to_be_visible()
    settle(page)
    page.get_by_label("Decision and reason").fill("Raised with the Government; watched.")
    page.get_by_role("button", name="Close the alert").click()
    expect(page.get_by_text("ALR-2026-0001 closed with the decision recorded.")).to_be_visible()
    settle(page)
    assert page.get_by_text("Close with a decision").count() == 0
    assert page.get_by_role("button", name="Schedule the emergency session").count() == 0
    assert page.get_by_text("Emergency session proposed", exact=True).count() == 0

    open_from_the_list("Guinea")
    page.get_by_role("button", name="Schedule the emergency session").click()
    expect(page.get_by_text("Emergency session scheduled for")).to_be_visible()
    # Sudan is still listed for the chair, and offered the session that now reviews it in time.
    expect(page.get_by_text(re.compile(r"alert\(s\) on no agenda"))).to_be_visible()
    open_from_the_list("Sudan")
    expect(page.get_by_role("strong").filter(has_text="On no agenda")).to_be_visible()
    page.get_by_role("button", name="Put its review on that agenda").click()
    expect(
        page.get_by_text(f"{references['Sudan']}: its review is on the agenda of")
    ).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile("On the agenda of Emergency session"))
    ).to_be_visible()
