"""The real app in Chromium: State's representative updates two items, one by the form and one
in the editable table; the chair then sees both changes in the tracker."""

import pytest
from conftest import go, settle
from playwright.sync_api import expect

from committee import actions, people, tracker
from committee.tracker import TrackerFilter
from db import engine

pytestmark = pytest.mark.browser

# The desk table's geometry: rows in pixels; cells are reached from the row's first cell (its
# number) with the arrows, which scroll the grid to the cell, and Enter opens their editor.
HEADER_HEIGHT, ROW_HEIGHT = 36, 35
COLUMNS_TO_STATUS = 4  # Title, When, Due, Status (pages/agency_desk.py, SHOWN)
COLUMNS_TO_REASON = 8  # then Country, Priority, Assignee, the reason
COLUMNS_TO_NOTE = 9  # and the note


def open_item(page, label: str, item_id: int) -> None:
    page.get_by_role("combobox", name=label).click()
    page.keyboard.type(f"#{item_id} ·")  # the list shows a few options at a time
    # Only this item's label holds "#<id> ·", so it is the one option left, and focused: Enter
    # picks it even where the list has scrolled it out of view.
    expect(page.get_by_role("option").filter(has_text=f"#{item_id} ·")).to_have_count(1)
    page.keyboard.press("Enter")
    settle(page)


def edit_cell(page, row: int, *, columns: int, editor) -> None:
    """Open the editor of the cell ``columns`` to the right of row ``row``'s first cell, until
    ``editor`` shows. The grid is a canvas: a click lands where the cell was when its box was
    read, so a rerun moving the page in between makes it miss; then it is done again."""
    grid = page.get_by_test_id("data-grid-canvas").first
    for _ in range(3):
        settle(page)
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        x, y = box["x"] + 20, box["y"] + HEADER_HEIGHT + ROW_HEIGHT * row + ROW_HEIGHT / 2
        page.mouse.move(x + 10, y)  # the grid needs the pointer over a cell before a click
        page.wait_for_timeout(200)
        page.mouse.click(x, y)
        for _ in range(columns):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        try:
            expect(editor).to_be_visible(timeout=5_000)
            return
        except AssertionError:
            page.keyboard.press("Escape")
    expect(editor).to_be_visible()


def desk_items() -> list[tracker.TrackedItem]:
    return tracker.find_items(TrackerFilter(agencies=("STATE",))).items


def test_a_representative_updates_two_items_and_the_chair_sees_them(
    served_app, page, browser, sign_in
):
    engine.use_database(served_app["database_url"])  # to read what the desk shows
    by_form, in_table = [t.item for t in desk_items() if t.item.status == "open"][:2]

    sign_in(served_app["url"], "rep.state@apc.example")
    go(page, "My agency's desk")
    expect(page.get_by_role("heading", name="Your agency's items")).to_be_visible()

    # One item by the form: two clicks, a status and Save (the note is typed).
    open_item(page, "Item", by_form.id)
    panel = page.get_by_test_id("stMain").get_by_test_id("stForm").first  # not the search box
    panel.get_by_role("radio", name="In progress", exact=True).click()
    panel.get_by_label("Progress note").fill("Talked to the embassy; drafting now.")
    panel.get_by_role("button", name="Save update").click()
    expect(page.get_by_text(f"Item #{by_form.id} updated.")).to_be_visible()
    settle(page)
    # Focus (and so the scroll) goes to the confirmation: wait for it before taking positions.
    expect(page.locator(":focus")).to_contain_text(f"Item #{by_form.id} updated.")

    # Another in the editable table: its status cell, then its note cell.
    row = [t.item.id for t in desk_items()].index(in_table.id)
    in_progress = page.get_by_role("option", name="In progress", exact=True)
    edit_cell(page, row, columns=COLUMNS_TO_STATUS, editor=in_progress)
    in_progress.click()
    editor = page.locator("#portal textarea")
    edit_cell(page, row, columns=COLUMNS_TO_NOTE, editor=editor)  # after the edit's rerun
    editor.fill("Funding approved by the bureau.")
    editor.press("Enter")
    settle(page)
    page.get_by_role("button", name="Save 1 change(s)").click()
    expect(page.get_by_text(f"#{in_table.id} {in_table.title}: saved.")).to_be_visible()

    # The chair, in the tracker, sees both.
    chair = browser.new_context(viewport={"width": 1400, "height": 1000})
    chair_page = chair.new_page()
    chair_page.set_default_timeout(30_000)
    chair_page.goto(served_app["url"])
    chair_page.get_by_label("Email", exact=True).fill("chair@apc.example")
    chair_page.get_by_label("Password", exact=True).fill("apc-demo-2026")
    chair_page.get_by_role("button", name="Sign in").click()
    go(chair_page, "Tracker")
    for item, note in (
        (by_form, "Talked to the embassy; drafting now."),
        (in_table, "Funding approved by the bureau."),
    ):
        open_item(chair_page, "Open an item", item.id)
        history = chair_page.get_by_test_id("stVerticalBlock").filter(has_text="History").last
        expect(history.get_by_text("Status: Open → In progress").first).to_be_visible()
        expect(history.get_by_text(note)).to_be_visible()
        expect(history.get_by_text("Avery Collins").first).to_be_visible()
    chair.close()
    assert {tracker.get_item(i.id).status for i in (by_form, in_table)} == {"in_progress"}


def test_a_note_typed_while_someone_else_closes_or_reassigns_the_item_is_kept(
    served_app, page, sign_in
):
    """Issue 18, point 1: the item stays open with the note in it, the change is shown, and
    the note is filed on a second save (closed) or refused with the reason (reassigned)."""
    engine.use_database(served_app["database_url"])
    on_the_desk = tracker.find_items(
        TrackerFilter(agencies=("STATE",), statuses=tracker.OPEN_STATUSES)
    ).items
    closed, reassigned = [t.item for t in on_the_desk][-2:]
    rep = people.actor_for(people.user_by_email("rep.state@apc.example"))
    chair = people.actor_for(people.user_by_email("chair@apc.example"))
    usaid = people.agency_by_code("USAID")

    sign_in(served_app["url"], "rep.state@apc.example")
    go(page, "My agency's desk")
    panel = page.get_by_test_id("stMain").get_by_test_id("stForm").first
    note = panel.get_by_label("Progress note")

    # Another State session marks the item done while the note is typed.
    open_item(page, "Item", closed.id)
    expect(page.get_by_role("heading", name=f"#{closed.id} {closed.title}")).to_be_visible()
    note.fill("Called the ministry.")
    actions.change_status(
        actor=rep, item_id=closed.id, seen_version=closed.version, status="done", reason="Sent."
    )
    panel.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("saved this item while you were working on it")).to_be_visible()
    expect(page.get_by_text(f"#{closed.id} has left this list since you opened it")).to_be_visible()
    expect(note).to_have_value("Called the ministry.")
    assert [e.kind for e in tracker.history(closed.id)][-1] == "status"  # not filed yet
    settle(page)
    panel.get_by_role("button", name="Save update").click()  # filed on the closed item
    expect(page.get_by_text(f"Item #{closed.id} updated.")).to_be_visible()
    last = tracker.history(closed.id)[-1]
    assert (last.kind, last.note, tracker.get_item(closed.id).status) == (
        "note",
        "Called the ministry.",
        "done",
    )

    # The chair reassigns the next one to USAID while the note is typed.
    settle(page)
    open_item(page, "Item", reassigned.id)
    expect(page.get_by_role("heading", name=f"#{reassigned.id} {reassigned.title}")).to_be_visible()
    note.fill("Met the desk officer.")
    actions.reassign_action_item(
        actor=chair,
        item_id=reassigned.id,
        seen_version=reassigned.version,
        owner_agency_id=usaid.id,
        note="USAID leads now.",
    )
    panel.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Reassigned to USAID since you opened it")).to_be_visible()
    expect(page.get_by_text("You do not have permission to do this.")).to_be_visible()
    expect(note).to_have_value("Met the desk officer.")
    assert "Met the desk officer." not in [e.note for e in tracker.history(reassigned.id)]
