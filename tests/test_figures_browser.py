"""What tells things apart, in the real app in Chromium at 1400 px (issue 18): the desk's table
shows each item's number, title, country, priority and assignee without scrolling; a
country's statistical risk reads the same in its figure and at its chart's end."""

import os

import pytest
from playwright.sync_api import expect

from committee import tracker
from committee.tracker import TrackerFilter
from db import engine

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("APC_SCREENSHOTS")  # a folder to keep the screenshots in, to look at


def go(page, menu_label: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("link", name="Home", exact=True)).to_be_visible()
    more = sidebar.get_by_text("more", exact=False).filter(has_text="View")
    if more.count():
        more.first.click()
    sidebar.get_by_role("link", name=menu_label, exact=True).click()


def settle(page) -> None:
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden()


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png")


def test_the_desk_shows_what_tells_items_apart(served_app, page, sign_in):
    engine.use_database(served_app["database_url"])
    listing = tracker.find_items(TrackerFilter(agencies=("STATE",), statuses=tracker.OPEN_STATUSES))
    sign_in(served_app["url"], "rep.state@apc.example")
    go(page, "My agency's desk")
    expect(page.get_by_role("heading", name="Your agency's items")).to_be_visible()
    settle(page)
    table = page.get_by_test_id("stDataFrame").first
    table.scroll_into_view_if_needed()
    shot(page, "desk")
    # The grid draws on a canvas; its accessible table holds the columns in view, the last
    # of them perhaps cut at the edge.
    expect(table.locator("th").first).to_have_text("ID")
    headers = table.locator("th").all_inner_texts()
    assert headers[:-1] == [
        "ID",
        "Title",
        "When",
        "Due",
        "Status",
        "Country",
        "Priority",
        "Assignee",
    ]
    numbers = table.locator("td[aria-colindex='1']").all_inner_texts()
    assert numbers == [str(t.item.id) for t in listing.items]  # shown as "#61" on the canvas
