"""What tells things apart, in the real app in Chromium at 1400 px (issue 18): the desk's table
shows each item's number, title, country, priority and assignee without scrolling; a save
over someone else's change names them; a country's statistical risk reads the same in its
figure and at its chart's end, in percent."""

import os

import pytest
from conftest import go, settle
from playwright.sync_api import expect
from test_actions_browser import COLUMNS_TO_REASON, COLUMNS_TO_STATUS, edit_cell, open_item
from test_statistical_risk import needs_files

from committee import actions, briefs, people, tracker, vocabulary
from committee.actor import Actor
from committee.tracker import TrackerFilter
from db import engine

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("APC_SCREENSHOTS")  # a folder to keep the screenshots in, to look at


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


def test_the_tracker_shows_what_tells_items_apart(served_app, page, sign_in):
    sign_in(served_app["url"], "chair@apc.example")
    go(page, "Tracker")
    table = page.get_by_test_id("stDataFrame").first
    expect(table.locator("th").first).to_have_text("ID")
    settle(page)
    shot(page, "tracker")
    headers = table.locator("th").all_inner_texts()
    assert headers[:-1] == [
        "ID",
        "Title",
        "When",
        "Due",
        "Agency",
        "Country",
        "Priority",
        "Assignee",
    ]


def test_a_save_over_someone_else_s_change_names_them(served_app, page, sign_in):
    engine.use_database(served_app["database_url"])
    sign_in(served_app["url"], "rep.state@apc.example")
    go(page, "My agency's desk")
    expect(page.get_by_role("heading", name="Your agency's items")).to_be_visible()
    settle(page)
    listing = tracker.find_items(TrackerFilter(agencies=("STATE",), statuses=tracker.OPEN_STATUSES))
    row, tracked = next((n, t) for n, t in enumerate(listing.items) if t.item.status == "open")
    item = tracked.item
    chair = people.user_by_email("chair@apc.example")
    actions.record_progress(  # the chair, meanwhile
        actor=people.actor_for(chair, None),
        item_id=item.id,
        seen_version=item.version,
        status="in_progress",
        note="Taken up by the secretariat.",
    )
    blocked = page.get_by_role("option", name="Blocked", exact=True)
    edit_cell(page, row, columns=COLUMNS_TO_STATUS, editor=blocked)
    blocked.click()
    editor = page.locator("#portal textarea")
    edit_cell(page, row, columns=COLUMNS_TO_REASON, editor=editor)
    editor.fill("Waiting for the embassy.")
    editor.press("Enter")
    settle(page)
    page.get_by_role("button", name="Save 1 change(s)").click()
    warning = page.get_by_text(f"#{item.id} ").filter(has_text="changed it first")
    expect(warning).to_contain_text(f"{chair.name} changed it first")
    expect(warning).not_to_contain_text(chair.email)


@needs_files
def test_a_country_s_risk_reads_the_same_in_its_figure_and_its_chart(served_app, page, sign_in):
    engine.use_database(served_app["database_url"])
    brief = briefs.country_brief("SDN", actor=Actor.operator("pytest"))
    cited = brief.statistical_risk
    assert cited is not None  # the demo's, from the Early Warning Project's files
    sign_in(served_app["url"], "chair@apc.example")
    expect(page.get_by_role("link", name="Home", exact=True)).to_be_visible()
    page.goto(f"{served_app['url']}/country?code=SDN")
    figure = page.get_by_test_id("stMetric").filter(has_text="Statistical risk")
    expect(figure).to_contain_text(vocabulary.risk_percent(cited.risk))
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_be_visible()
    shot(page, "country")
    line = chart.evaluate("plot => plot.data[0]")
    assert (line["x"][-1], line["y"][-1]) == (cited.first_year, vocabulary.risk_on_axis(cited.risk))
    assert chart.evaluate("plot => plot.layout.yaxis.ticksuffix") == "%"


def test_an_administrator_renames_a_person_twice_and_both_saves_land(served_app, page, sign_in):
    """Issue 18, point 12: the save is confirmed under the form; a rename does not drop the
    person from the picker, so the next edit typed is not lost."""
    engine.use_database(served_app["database_url"])
    sign_in(served_app["url"], "admin@apc.example")
    go(page, "People")
    page.get_by_role("combobox", name="Person").click()
    page.keyboard.type("rep.state")
    page.keyboard.press("Enter")
    form = page.get_by_test_id("stMain").get_by_test_id("stForm").first  # not the search box
    name = form.get_by_label("Name", exact=True)
    for renamed in ("Avery Collins (State)", "Avery Collins (DOS)"):
        settle(page)
        name.fill(renamed)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text(f"{renamed}'s account saved.")).to_be_visible()
        assert people.user_by_email("rep.state@apc.example").name == renamed


def test_the_chair_edits_an_item_s_title_twice_in_the_tracker_and_both_land(
    served_app, page, sign_in
):
    """The tracker's item stays open when an edit changes its label in the picker."""
    engine.use_database(served_app["database_url"])
    item = tracker.find_items(TrackerFilter(statuses=tracker.OPEN_STATUSES)).items[0].item
    sign_in(served_app["url"], "chair@apc.example")
    go(page, "Tracker")
    open_item(page, "Open an item", item.id)
    for title in ("Demarche on access, first draft", "Demarche on access, as sent"):
        settle(page)
        form = page.get_by_test_id("stExpander").filter(has_text="Edit the item")
        if not form.get_by_label("Title", exact=True).is_visible():
            form.get_by_text("Edit the item").click()
            settle(page)
        form.get_by_label("Title", exact=True).fill(title)
        settle(page)
        page.get_by_role("button", name="Save changes").click()
        # The same words after each save: the saved title in the panel's heading tells them apart.
        expect(page.get_by_role("heading", name=f"#{item.id} {title}")).to_be_visible()
        expect(page.get_by_text(f"Item #{item.id} saved.")).to_be_visible()
        assert tracker.get_item(item.id).title == title
