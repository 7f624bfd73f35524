"""The desk and the tracker under AppTest, on the demo: a representative updates items in the
table and by the form, meets a conflict and re-applies their input; the chair filters through
the page's address, reassigns and decides; an observer only reads."""

from datetime import timedelta

import pytest

from committee import actions, clock, people, tracker
from committee.tracker import TrackerFilter

DESK = "pages/agency_desk.py"
TRACKER = "pages/tracker.py"


@pytest.fixture
def cast(sqlite_db, demo, frozen_clock):
    state = people.agency_by_code("STATE")
    return {
        "chair": people.actor_for(people.user_by_email("chair@apc.example")),
        "observer": people.actor_for(people.user_by_email("observer@apc.example")),
        "rep": people.actor_for(people.user_by_email("rep.state@apc.example"), state),
        "desk": tracker.find_items(TrackerFilter(agencies=("STATE",))).items,
    }


def open_page(app_as, actor, script: str, **query):
    at = app_as(actor)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(script)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    return "\n".join(
        element.value
        for kind in (at.markdown, at.caption, at.info, at.success, at.warning, at.error)
        for element in kind
    )


def button(at, label: str):
    return next(b for b in [*at.button, *at.get("form_submit_button")] if b.label.startswith(label))


def test_the_desk_lists_the_agency_items_in_desk_order(cast, app_as):
    at = open_page(app_as, cast["rep"], DESK)
    assert at.title[0].value.endswith("Department of State: action items")
    metrics = {m.label: m.value for m in at.metric}
    counts = tracker.action_counts(agency_id=cast["rep"].agency_id)
    assert metrics["Overdue"] == str(counts.overdue) and metrics["Open"] == str(counts.open)
    table = at.data_editor[0].value
    assert list(table["id"]) == [t.item.id for t in cast["desk"]]
    assert table["When"].iloc[0].startswith("Overdue")


def test_several_items_are_updated_from_the_table_each_reported(cast, app_as):
    first, second = cast["desk"][1].item, cast["desk"][2].item
    at = app_as(cast["rep"])
    at.switch_page(DESK)
    at.session_state["desk_editor_0"] = {
        "edited_rows": {
            1: {"Status": "In progress", "Progress note": "Met the ministry."},
            2: {"Status": "Blocked"},  # without its reason: refused, input kept
        },
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception, at.exception
    button(at, "Save 2 change(s)").click().run()
    assert not at.exception, at.exception
    assert tracker.get_item(first.id).status == "in_progress"
    assert tracker.get_item(second.id).status == second.status
    assert any("saved" in s.value for s in at.success)
    assert any("Say why the item is blocked" in e.value for e in at.error)
    kept = at.data_editor[0].value.set_index("id")
    assert kept.loc[second.id, "Status"] == "Blocked"  # the person's input, to fix and resave
    assert tracker.history(first.id)[-1].note == "Met the ministry."


def test_the_form_updates_an_item_and_a_conflict_keeps_the_input(cast, app_as):
    item = cast["desk"][1].item
    at = open_page(app_as, cast["rep"], DESK)
    at.selectbox(key="desk_item").set_value(item.id).run()
    status_key = f"status_progress_item_{item.id}"
    at.segmented_control(key=status_key).set_value("blocked")
    at.text_input(key=f"reason_progress_item_{item.id}").input("Waiting for visas.")
    # Meanwhile the chair moves the item on.
    actions.change_status(
        actor=cast["chair"], item_id=item.id, seen_version=item.version, status="in_progress"
    )
    button(at, "Save update").click().run()
    assert not at.exception, at.exception
    assert any("saved this item while you were working on it" in w.value for w in at.warning)
    assert "In progress" in at.dataframe[0].value.to_string()  # what the chair changed
    assert at.segmented_control(key=status_key).value == "blocked"  # the input is kept
    assert tracker.get_item(item.id).status == "in_progress"

    button(at, "Save update").click().run()  # saved again, over the chair's version
    assert not at.exception, at.exception
    saved = tracker.get_item(item.id)
    assert (saved.status, saved.status_reason) == ("blocked", "Waiting for visas.")
    assert any(f"Item #{item.id} updated" in s.value for s in at.success)


def test_a_representative_asks_for_a_new_due_date(cast, app_as):
    item = cast["desk"][2].item
    at = open_page(app_as, cast["rep"], DESK)
    at.selectbox(key="desk_item").set_value(item.id).run()
    wanted = item.due_on + timedelta(days=21)
    at.date_input(key=f"date_request_item_{item.id}").set_value(wanted)
    at.text_input(key=f"why_request_item_{item.id}").input("The partner meets next month.")
    button(at, "Send to the chair").click().run()
    assert not at.exception, at.exception
    assert (
        tracker.item_detail(item.id, actor=cast["chair"]).pending_request.requested_due_on == wanted
    )
    assert "was asked on" in texts(at)


def test_the_tracker_filters_from_its_address_and_pages_in_the_database(cast, app_as):
    at = open_page(app_as, cast["chair"], TRACKER, agency="STATE,USAID", status="all")
    assert at.multiselect(key="f_agencies").value == ["STATE", "USAID"]
    assert at.multiselect(key="f_statuses").value == []
    shown = at.dataframe[0].value
    expected = tracker.find_items(TrackerFilter(agencies=("STATE", "USAID"), statuses=()))
    assert list(shown["ID"]) == [t.item.id for t in expected.items]
    at.toggle(key="f_overdue").set_value(True).run()
    assert dict(at.query_params) == {"agency": "STATE,USAID", "status": "all", "overdue": "1"}
    overdue = tracker.find_items(
        TrackerFilter(agencies=("STATE", "USAID"), statuses=(), overdue=True)
    )
    assert list(at.dataframe[0].value["ID"]) == [t.item.id for t in overdue.items]

    everything = open_page(app_as, cast["chair"], TRACKER, status="all")
    [pager] = everything.pagination
    assert pager.value == 1
    pager.set_value(3).run()
    assert len(everything.dataframe[0].value) == 72 - 2 * tracker.PER_PAGE
    assert everything.query_params["page"] == "3"
    linked = open_page(app_as, cast["chair"], TRACKER, status="all", page="2")
    assert linked.pagination[0].value == 2
    assert list(linked.dataframe[0].value["ID"]) == [
        t.item.id for t in tracker.find_items(TrackerFilter(statuses=()), page=2).items
    ]


def test_the_chair_reassigns_and_decides_a_due_date(cast, app_as):
    item = cast["desk"][3].item
    at = open_page(app_as, cast["chair"], TRACKER, item=str(item.id))
    assert at.selectbox(key="tracker_item").value == item.id
    usaid = people.agency_by_code("USAID")
    at.selectbox(key=f"agency_reassign_item_{item.id}").select(
        next(a for a in at.selectbox(key=f"agency_reassign_item_{item.id}").options if "USAID" in a)
    )
    at.text_input(key=f"note_reassign_item_{item.id}").input("USAID leads the programme.")
    button(at, "Reassign").click().run()
    assert not at.exception, at.exception
    assert tracker.get_item(item.id).owner_agency_id == usaid.id

    pending = tracker.pending_requests()[0]
    at = open_page(app_as, cast["chair"], TRACKER)
    at.text_input(key=f"note_decide_requests_item_{pending.item.id}").input("No: the date holds.")
    button(at, "Refuse").click().run()
    assert not at.exception, at.exception
    assert tracker.pending_requests() == []
    assert tracker.history(pending.item.id)[-1].kind == "due_date_refused"


def test_the_chair_creates_an_item_and_the_form_starts_afresh(cast, app_as):
    at = open_page(app_as, cast["chair"], TRACKER)
    at.text_input(key="new_title").input("Brief the Security Council penholders")
    at.selectbox(key="new_owner").select("USUN")
    at.date_input(key="new_due").set_value(clock.today() + timedelta(days=20))
    at.selectbox(key="new_country").select("SDN")
    button(at, "Create").click().run()
    assert not at.exception, at.exception
    created = tracker.find_items(TrackerFilter(agencies=("USUN",), countries=("SDN",))).items
    assert [t.item.title for t in created] == ["Brief the Security Council penholders"]
    assert any("created for USUN" in s.value for s in at.success)
    assert at.text_input(key="new_title").value == ""  # ready for the next one

    button(at, "Create").click().run()  # nothing chosen: said, nothing written
    assert any("Choose the owner agency" in e.value for e in at.error)


def test_an_observer_reads_the_tracker_and_changes_nothing(cast, app_as):
    item = cast["desk"][0].item
    at = open_page(app_as, cast["observer"], TRACKER, item=str(item.id))
    assert at.subheader[0].value.startswith(f"#{item.id}")
    labels = [b.label for b in [*at.button, *at.get("form_submit_button")]]
    assert not [label for label in labels if label in ("Save update", "Reassign", "Create")]
    assert "History" in texts(at)


def test_the_trackers_summary_and_report_are_drawn_only_on_their_tabs(cast, app_as):
    """What only shows waits for its tab (issue 24); the tabs with forms stay drawn, so that
    input typed in one survives a look at another."""
    at = open_page(app_as, cast["chair"], TRACKER)
    assert len(at.dataframe) == 1  # the items
    pending = tracker.pending_requests()[0]
    assert at.text_input(key=f"note_decide_requests_item_{pending.item.id}")
    at.session_state["tracker_tab"] = "By agency"
    at.run()
    assert "Agency" in at.dataframe[1].value.columns and len(at.dataframe) == 2
    assert at.text_input(key=f"note_decide_requests_item_{pending.item.id}")
