"""The meeting room in Chromium (issue 18, points 13 and 15): closing a meeting with an item
not taken up asks first and carries it to the next meeting's agenda; approving the minutes asks
first, saying they will be locked; a running item's clock moves without a click."""

import re

import pytest
from conftest import go, settle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LEFT_OVER = "Sanctions coordination with Treasury"
CLOCK = re.compile(r"^\d+:\d\d of \d+:\d\d")


def done(page, text: str) -> None:
    expect(page.get_by_text(text).first).to_be_visible()
    settle(page)


def minutes_tab(page) -> None:
    tab = page.get_by_role("tab", name="Minutes")
    expect(tab).to_have_count(1)  # the last screen's tabs are gone
    tab.click()
    settle(page)


def test_closing_and_approving_the_minutes_ask_first(served_app, page, sign_in):
    sign_in(served_app["url"], "chair@apc.example")

    # An item on the next meeting's agenda that the meeting will not take up.
    go(page, "Agenda builder")
    page.get_by_text("Add an item").click()
    form = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name="Add to the agenda")
    )
    form.get_by_role("combobox", name=re.compile("Kind")).click()
    page.keyboard.type("Other business")
    page.keyboard.press("Enter")
    form.get_by_label("Title", exact=True).fill(LEFT_OVER)
    form.get_by_role("button", name="Add to the agenda").click()
    done(page, "Item added.")

    go(page, "Meeting room")
    page.get_by_role("button", name="Close the meeting").click()
    left = page.get_by_role("alert").filter(has_text=re.compile(r"\d+ items were not taken up"))
    expect(left.get_by_role("listitem").filter(has_text=LEFT_OVER)).to_be_visible()
    later = page.get_by_text("They can go on the agenda of").locator("strong").inner_text()
    # Cancelled, nothing happens.
    page.get_by_role("button", name="Cancel").click()
    settle(page)
    expect(page.get_by_text("Close the meeting?")).to_have_count(0)
    expect(page.get_by_text("Scheduled", exact=True).first).to_be_visible()

    page.get_by_role("button", name="Close the meeting").click()
    page.get_by_role("button", name="Carry them over and close").click()
    done(page, "Meeting closed;")

    # Its minutes: approving them asks first, and locks them.
    minutes_tab(page)
    page.get_by_role("button", name="Draft the minutes").click()
    done(page, "Minutes drafted.")
    minutes_tab(page)
    page.get_by_role("button", name="Approve the minutes").click()
    expect(page.get_by_text("they are locked with the meeting's record")).to_be_visible()
    page.get_by_role("button", name="Approve and lock them").click()
    done(page, "Minutes approved.")
    minutes_tab(page)
    expect(page.get_by_text(re.compile("Approved on .*; locked"))).to_be_visible()

    # The item is on the next meeting's agenda, the builder's first meeting now.
    go(page, "Agenda builder")
    expect(page.get_by_role("heading", name="Agenda builder")).to_be_visible()
    expect(page.get_by_role("combobox", name="Meeting")).to_have_value(re.compile(later))
    expect(page.get_by_text(re.compile(LEFT_OVER)).first).to_be_visible()


def test_a_running_items_clock_moves_without_a_click(served_app, page, sign_in):
    sign_in(served_app["url"], "chair@apc.example")
    go(page, "Meeting room")
    page.get_by_test_id("stRadio").get_by_text(re.compile(r"^1\. ")).click()
    expect(page.get_by_role("heading", name=re.compile(r"^1\. "))).to_be_visible()
    settle(page)
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    settle(page)
    clock = page.get_by_text(CLOCK)
    expect(clock).to_have_count(1)
    before = clock.inner_text()
    page.wait_for_timeout(3000)
    after = clock.inner_text()
    assert CLOCK.match(after) and after != before, (before, after)
    # Only the clock was drawn again: one Stop button, nothing doubled, no error.
    expect(page.get_by_role("button", name="Stop")).to_have_count(1)
    expect(page.get_by_test_id("stException")).to_have_count(0)
