"""Search in Chromium against the real server (issue 21): the sidebar's box on any page opens
the results with the query in the address; that address works in a new tab and through
sign-in; a filter narrows the results and a result opens its record; a restricted alert's
word is found by its filing agency and by nobody else."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from committee import alerts, people, search
from db import engine as db_engine

pytestmark = pytest.mark.browser
PASSWORD = "apc-demo-2026"


@pytest.fixture(scope="module")
def app(served_app):
    """The served app, with this process reading and writing its database."""
    db_engine.use_database(served_app["database_url"])
    return served_app["url"]


def settle(page) -> None:
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden()


def sign_in_at(page, email: str) -> None:
    """Fill the sign-in page the server showed, and wait for the app."""
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    settle(page)


def found_by(email: str, query: str, **filters) -> int:
    actor = people.actor_for(people.user_by_email(email))
    return search.search(actor=actor, query=query, filters=search.Filters(**filters)).total


def results(page):
    return page.get_by_test_id("stMain").get_by_test_id("stPageLink")


def test_the_sidebar_box_finds_and_the_address_opens_anywhere(app, page, browser):
    total = found_by("chair@apc.example", "sanctions")
    assert total > 1  # the demo's record speaks of sanctions in several places

    page.goto(f"{app}/watchlist")
    sign_in_at(page, "chair@apc.example")
    box = page.get_by_test_id("stSidebar").get_by_label("Search the record")
    box.fill("sanctions")
    box.press("Enter")
    expect(page).to_have_url(f"{app}/search?q=sanctions")
    expect(page.get_by_text(re.compile(rf"^{total} found"))).to_be_visible()
    settle(page)

    # The address in a new tab shows the same results.
    second = page.context.new_page()
    second.goto(f"{app}/search?q=sanctions")
    expect(second.get_by_text(re.compile(rf"^{total} found"))).to_be_visible()
    expect(second.get_by_label("Search the record").last).to_have_value("sanctions")
    second.close()

    # Filtered to the kind with the most: the count is the service's for that kind.
    chair = people.actor_for(people.user_by_email("chair@apc.example"))
    counts = search.search(actor=chair, query="sanctions").counts
    kind = max(counts, key=counts.get)
    page.get_by_role("combobox", name=re.compile("Kind")).click()
    page.get_by_role("option", name=f"{search.KINDS[kind]} ({counts[kind]})").click()
    page.keyboard.press("Escape")
    settle(page)
    expect(page.get_by_text(re.compile(rf"^{counts[kind]} found"))).to_be_visible()
    expect(results(page)).to_have_count(counts[kind])
    first = results(page).first
    expect(first).to_contain_text(f"{search.KINDS[kind]}: ")
    first.click()
    expect(page).not_to_have_url(re.compile("/search"))
    settle(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)

    # Signed out, the address goes through sign-in and back to the results.
    stranger = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    stranger.goto(f"{app}/search?q={quote('sanctions')}")
    expect(stranger).to_have_url(re.compile(r"/sign-in\?next=%2Fsearch%3Fq%3Dsanctions$"))
    sign_in_at(stranger, "observer@apc.example")
    expect(stranger).to_have_url(f"{app}/search?q=sanctions")
    observed = found_by("observer@apc.example", "sanctions")
    expect(stranger.get_by_text(re.compile(rf"^{observed} found"))).to_be_visible()
    stranger.context.close()


def test_a_restricted_alert_is_found_only_by_those_who_may_read_it(app, browser):
    filer = people.actor_for(people.user_by_email("rep.state@apc.example"))
    alerts.file_alert(
        actor=filer,
        country_code="SDN",
        severity="concern",
        summary="Quarrymen near Zalingei report a zorbulite convoy.",
        restricted=True,
    )
    for email, expected in [("rep.state@apc.example", 1), ("observer@apc.example", 0)]:
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.goto(f"{app}/search?q=zorbulite")
        sign_in_at(page, email)
        expect(page.get_by_text(re.compile(rf"^{expected} found"))).to_be_visible()
        expect(results(page)).to_have_count(expected)
        shown = page.get_by_test_id("stMain").inner_text().lower()  # not the box's own text
        assert ("zorbulite" in shown) == bool(expected)
        page.context.close()
