"""The real app in Chromium: the chair builds the next agenda from the rotation's proposal and
moves an item, runs one country review with a decision and a new action item, closes the
meeting and approves its minutes; then State's representative finds the new action item on the
meeting's page."""

import re

import pytest
from conftest import go, settle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ACTION = "Demarche on humanitarian access to El Fasher"


def toast(page, text: str) -> None:
    expect(page.get_by_text(text).first).to_be_visible()
    settle(page)


def main(page):
    """The page's own content, without the menu (which links to the same pages)."""
    return page.get_by_test_id("stMainBlockContainer")


def test_chair_runs_a_review_and_the_representative_sees_the_action(served_app, page, sign_in):
    url = served_app["url"]
    sign_in(url, "chair@apc.example")

    # The agenda, from the rotation's proposal.
    go(page, "Agenda builder")
    expect(page.get_by_role("heading", name="Proposed by the rotation")).to_be_visible()
    page.get_by_role("button", name="Add the ticked items to the agenda").click()
    toast(page, "Proposal added to the agenda.")
    expect(
        page.get_by_text(re.compile(r"\d+ of the proposed items are on the agenda"))
    ).to_be_visible()
    # Sudan's review, picked in the agenda's list, moves down one place.
    page.get_by_test_id("stRadio").get_by_text(re.compile(r"· Review: Sudan ·")).click()
    picked = page.get_by_text(re.compile(r"^\d+\. Review: Sudan$"))
    expect(picked).to_be_visible()
    settle(page)  # the last pick's panel, with its own Down button, is gone
    position = int(picked.inner_text().split(".")[0])
    page.get_by_role("button", name="Down").click()
    expect(page.get_by_text(f"{position + 1}. Review: Sudan", exact=True)).to_be_visible()
    settle(page)
    page.get_by_role("button", name="Publish the agenda").click()
    toast(page, "Agenda published to the members.")

    # The meeting room: Sudan's review.
    go(page, "Meeting room")
    page.get_by_text(re.compile(r"^\d+\. Review: Sudan")).click()
    expect(page.get_by_role("heading", name=re.compile(r"\d+\. Review: Sudan"))).to_be_visible()
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    settle(page)
    page.get_by_role("tab", name="Notes and decisions").click()
    settle(page)
    page.get_by_label("Notes", exact=True).fill("ODNI briefed on the siege; USAID on access.")
    page.get_by_role("button", name="Save the notes").click()
    toast(page, "Notes saved.")
    page.get_by_role("tab", name="Notes and decisions").click()
    settle(page)
    page.get_by_label("Decision", exact=True).fill("Press for humanitarian access to El Fasher.")
    page.get_by_role("button", name="Record the decision").click()
    toast(page, "Decision recorded.")

    page.get_by_role("tab", name="Notes and decisions").click()
    settle(page)
    page.get_by_role("button", name="New action item").click()
    page.get_by_label("Action", exact=True).fill(ACTION)
    page.get_by_label("Owner agency").click()
    page.get_by_role("option", name="STATE — Department of State").click()
    page.get_by_role("button", name="Create the action item").click()
    toast(page, "Action item created.")
    page.get_by_role("button", name="Mark the review done").click()
    toast(page, "Review recorded.")

    # Close the meeting; draft and approve its minutes.
    page.get_by_role("button", name="Close the meeting").click()
    page.get_by_role("button", name="Close without carrying them").click()
    toast(page, "Meeting closed.")
    page.get_by_role("tab", name="Minutes").click()
    page.get_by_role("button", name="Draft the minutes").click()
    toast(page, "Minutes drafted.")
    page.get_by_role("tab", name="Minutes").click()
    expect(page.get_by_label("Text of the minutes (Markdown)")).to_contain_text(ACTION)
    page.get_by_role("button", name="Approve the minutes").click()
    page.get_by_role("button", name="Approve and lock them").click()  # asked first, in place
    toast(page, "Minutes approved.")
    page.get_by_role("tab", name="Minutes").click()
    expect(page.get_by_text(re.compile("Approved on .*; locked"))).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # State's representative finds the action on the meeting's page.
    sign_in(url, "rep.state@apc.example")
    go(page, "Meetings")
    page.get_by_role("tab", name="Past").click()
    # Run ahead of its date, the meeting now counts as the latest one held.
    page.get_by_role("tabpanel", name="Past").get_by_role("link", name="Open").first.click()
    expect(page.get_by_role("heading", name="Regular meeting — January 2027")).to_be_visible()
    page.get_by_role("tab", name="STATE's action items").click()
    expect(
        page.get_by_role("tabpanel", name="STATE's action items").get_by_text(ACTION)
    ).to_be_visible()
    page.get_by_role("tab", name="Minutes").click()
    minutes = page.get_by_role("tabpanel", name="Minutes")
    expect(minutes.get_by_text("Press for humanitarian access to El Fasher.")).to_be_visible()


def test_a_session_run_ahead_of_its_date_keeps_its_schedule(served_app, page, sign_in):
    """The issue's script: an ad hoc session scheduled for a later day is run now and closed;
    its page shows the time it was scheduled for and the times it was held, apart."""
    sign_in(served_app["url"], "chair@apc.example")
    go(page, "Meetings")
    page.get_by_role("button", name="Call a session").click()
    page.get_by_label("Title").fill("Ad hoc meeting on Sahel")  # tomorrow 10:00, as offered
    page.get_by_label("Why the session is called").fill("Reports of reprisals")
    page.get_by_role("button", name="Schedule the session").click()
    expect(page.get_by_role("heading", name="Ad hoc meeting on Sahel")).to_be_visible()
    scheduled = page.get_by_text(re.compile(r"\w{3} \d\d \w{3} \d{4}, 10:00 \w+ – 11:00")).first
    expect(scheduled).to_be_visible()
    when = re.search(r"\w{3} \d\d \w{3} \d{4}, 10:00 \w+", scheduled.inner_text())[0]
    settle(page)

    main(page).get_by_role("link", name="Build the agenda").click()
    page.get_by_role("button", name="Add the ticked items to the agenda").click()
    toast(page, "Proposal added to the agenda.")
    main(page).get_by_role("link", name="Meeting room").click()
    page.get_by_text(re.compile(r"^1\. ")).first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^1\. "))).to_be_visible()
    settle(page)
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"10:00 \w+ · \d+ minutes.* · under way since ")).first
    ).to_be_visible()
    settle(page)
    page.get_by_role("button", name="Close the meeting").click()
    page.get_by_role("button", name="Close without carrying them").click()
    toast(page, "Meeting closed.")

    main(page).get_by_role("link", name="Meeting page").click()
    expect(page.get_by_role("heading", name="Ad hoc meeting on Sahel")).to_be_visible()
    held = page.get_by_text(
        re.compile(r" · held \w{3} \d\d \w{3} \d{4}, \d\d:\d\d–\d\d:\d\d ")
    ).first
    expect(held).to_be_visible()
    assert when in held.inner_text()  # the schedule as it was
    expect(page.get_by_text(re.compile("^Changed:"))).to_have_count(0)


def picked(page):
    """The agenda list's picked item."""
    return page.get_by_test_id("stRadio").locator("label:has(input:checked)")


def save_item(page, *, title: str | None = None, minutes: int | None = None) -> None:
    settle(page)  # one panel: the last pick's is gone
    panel = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Save"))
    if title is not None:
        panel.get_by_label("Title", exact=True).fill(title)
    if minutes is not None:
        panel.get_by_label("Minutes", exact=True).fill(str(minutes))
    panel.get_by_role("button", name="Save", exact=True).click()


def test_the_picked_agenda_item_stays_picked_and_every_save_lands_or_says_why(
    served_app, page, browser, sign_in
):
    """Issue 18, points 2 and 3: edits and moves keep the same item picked, a move to any
    place is one step, and another chair's change is shown with the input kept."""
    sign_in(served_app["url"], "chair@apc.example")
    go(page, "Agenda builder")
    page.get_by_role("button", name="Add the ticked items to the agenda").click()
    toast(page, "Proposal added to the agenda.")
    page.get_by_test_id("stRadio").get_by_text(re.compile(r"^3\. ")).click()
    settle(page)
    title = page.get_by_label("Title", exact=True).first.input_value()

    # Its minutes, then its title: both saved, said beside the Save, the item still picked.
    save_item(page, minutes=15)
    toast(page, f"Item saved: {title}, 15 min.")
    expect(picked(page)).to_contain_text(re.compile(rf"^3\. .* · {re.escape(title)} · 15 min"))
    save_item(page, title=f"{title} (with USAID)")
    toast(page, f"Item saved: {title} (with USAID), 15 min.")
    expect(picked(page)).to_contain_text(f"{title} (with USAID) · 15 min")

    # Up twice: the same item, one place higher each time.
    for place in (2, 1):
        page.get_by_role("button", name="Up").click()
        toast(page, f"moved to place {place}.")
        expect(picked(page)).to_contain_text(re.compile(rf"^{place}\. .*\(with USAID\)"))
    expect(page.get_by_role("button", name="Up")).to_be_disabled()

    # The last item to the top in one step.
    last = page.get_by_test_id("stRadio").get_by_role("radio").count()
    page.get_by_test_id("stRadio").get_by_text(re.compile(rf"^{last}\. ")).click()
    expect(picked(page)).to_contain_text(re.compile(rf"^{last}\. "))
    panel_title = page.locator("strong").filter(has_text=re.compile(rf"^{last}\. "))
    expect(panel_title).to_be_visible()  # its panel
    settle(page)
    moving = page.get_by_label("Title", exact=True).first.input_value()
    page.get_by_role("spinbutton", name="Place on the agenda").fill("1")
    page.get_by_role("button", name="Move", exact=True).click()
    toast(page, f"{moving} moved to place 1.")
    expect(picked(page)).to_contain_text(re.compile(rf"^1\. .* · {re.escape(moving)} · "))

    # A second chair saves the same item first: refused, theirs shown, the title typed kept.
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    second = other.new_page()
    second.set_default_timeout(30_000)
    second.goto(served_app["url"])
    second.get_by_label("Email", exact=True).fill("secretariat@apc.example")
    second.get_by_label("Password", exact=True).fill("apc-demo-2026")
    second.get_by_role("button", name="Sign in").click()
    go(second, "Agenda builder")
    expect(picked(second)).to_contain_text(moving)  # the first item: this one, now
    page.get_by_label("Title", exact=True).first.fill(f"{moving} and AOB")
    save_item(second, minutes=25)
    toast(second, f"Item saved: {moving}, 25 min.")
    other.close()
    save_item(page)
    toast(page, "changed this agenda while you were working")
    expect(page.get_by_label("Title", exact=True).first).to_have_value(f"{moving} and AOB")
    save_item(page)
    toast(page, f"Item saved: {moving} and AOB,")
    expect(picked(page)).to_contain_text("1. ")
