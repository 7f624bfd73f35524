"""The real app in Chromium: the chair imports a statistical risk edition after its preview,
drafts a plan, circulates it; two representatives clear it; the chair approves it."""

import re

import pytest
from conftest import settle
from playwright.sync_api import expect
from test_statistical_risk import FORECAST_2024, needs_files

pytestmark = [pytest.mark.browser, needs_files]


def metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))


def choose(page, label: str, option: str, *, many: bool = False) -> None:
    """Pick an option of a select box, typing it first: long lists show only a few."""
    page.get_by_label(label).click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    if many:
        page.keyboard.press("Escape")  # a multiselect stays open after a pick
    settle(page)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    settle(page)


def test_import_then_draft_circulate_clear_and_approve_a_plan(served_app, page, sign_in):
    url = served_app["url"]
    sign_in(url, "chair@apc.example")

    # The 2024 edition: previewed, then imported.
    page.get_by_role("link", name="Statistical risk import").click()
    page.locator("input[type=file]").set_input_files(str(FORECAST_2024))
    expect(page.get_by_text("2024 edition: two-year risk for 2024–2025")).to_be_visible()
    expect(metric(page, "New")).to_contain_text("167")
    expect(metric(page, "Unmatched")).to_contain_text("1")
    page.get_by_role("button", name="Import 167 new and 0 changed figures").click()
    # Issue 18, point 12: what the import did is said, not the file's preview again.
    expect(page.get_by_text(re.compile(r"^Imported: 2024 edition.*; 167 new,"))).to_be_visible()
    expect(page.get_by_text("Nothing to import")).to_have_count(0)

    # A prevention plan for a tier 2 country without one.
    page.get_by_role("link", name="Watchlist").click()
    page.get_by_text(re.compile(r"\d+ plan gaps$")).click()
    page.get_by_role("link", name="Burkina Faso — Tier 2 with no plan in effect").click()
    expect(page.get_by_role("heading", name="Burkina Faso")).to_be_visible()
    open_tab(page, "Plans")
    page.get_by_text("Start a plan").click()
    page.get_by_label("Situation summary").fill("Reprisals against villages in the north.")
    page.get_by_role("button", name="Start the draft").click()
    expect(
        page.get_by_text("Plan started as a draft: Prevention plan — Burkina Faso.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Prevention plan — Burkina Faso")).to_be_visible()

    open_tab(page, "Edit the draft")
    choose(page, "Toolbox category", "Preventive diplomacy")
    choose(page, "Lead agency", "STATE")
    page.get_by_label("Objective of the line").fill("Press for protection of civilians.")
    choose(page, "Supporting agencies", "USAID", many=True)
    expect(page.get_by_label("Objective of the line")).to_have_value(
        "Press for protection of civilians."
    )
    page.get_by_role("button", name="Add the line (a new version)").click()
    expect(page.get_by_role("combobox", name="Version")).to_have_value(
        re.compile(r"^Version 2 · Draft")
    )

    open_tab(page, "Clearance")
    page.get_by_role("button", name="Circulate for clearance").click()
    expect(metric(page, "Pending")).to_contain_text("2")
    sign_out(page)

    # Each representative clears for their own agency.
    for email in ("rep.state@apc.example", "rep.usaid@apc.example"):
        sign_in(url, email)
        page.get_by_role("link", name="Watchlist").click()
        page.get_by_role("link", name=re.compile("Burkina Faso: Prevention plan")).click()
        open_tab(page, "Clearance")
        page.get_by_role("button", name="Record our position").click()
        expect(page.get_by_text("position recorded")).to_be_visible()
        sign_out(page)

    # The chair sees the grid fully cleared and approves at the last meeting.
    sign_in(url, "chair@apc.example")
    page.get_by_role("link", name="Watchlist").click()
    page.get_by_text(re.compile(r"\d+ plan gaps$")).click()
    page.get_by_role("link", name="Burkina Faso — Tier 2 with no plan in effect").click()
    open_tab(page, "Plans")
    page.get_by_role("link", name="Open the plan").click()
    open_tab(page, "Clearance")
    expect(metric(page, "Concur")).to_contain_text("2")
    page.get_by_role("button", name="Approve this version").click()
    expect(page.get_by_text("Version 2 in effect")).to_be_visible()
