"""The meeting pages under AppTest, for the chair and for a representative: the list, one
meeting's page, the agenda builder (with a second chair at work) and the meeting room."""

import pytest

from committee import agenda, decisions, meeting_room, meetings, minutes, people
from pages import ui


@pytest.fixture
def cast(sqlite_db, demo, frozen_clock):
    state = people.agency_by_code("STATE")
    return {
        "chair": people.actor_for(people.user_by_email("chair@apc.example")),
        "admin": people.actor_for(people.user_by_email("admin@apc.example")),
        "rep": people.actor_for(people.user_by_email("rep.state@apc.example"), state),
        "next": meetings.list_meetings(when="upcoming").rows[0].meeting,
        "held": meetings.list_meetings(when="past", kind="regular").rows[0].meeting,
    }


def open_page(app_as, actor, script: str, meeting_id: int | None = None):
    at = app_as(actor)
    if meeting_id is not None:
        at.query_params["id"] = str(meeting_id)
    at.switch_page(script)
    at.run()
    assert not at.exception, at.exception
    return at


def popovers(at) -> list[str]:
    return [block.proto.popover.label for block in at.get("popover")]


def texts(at) -> str:
    return "\n".join(
        element.value
        for kind in (at.markdown, at.caption, at.info, at.success, at.warning, at.error)
        for element in kind
    )


def test_a_representative_reads_the_meetings_and_cannot_schedule(cast, app_as):
    at = open_page(app_as, cast["rep"], "pages/meetings.py")
    shown = texts(at)
    assert "Regular meeting — January 2027" in shown
    assert popovers(at) == []
    past = open_page(app_as, cast["rep"], "pages/meeting.py", cast["held"].id)
    assert past.title[0].value == cast["held"].title
    shown = texts(past)
    assert "Minutes — Regular meeting — November 2026" in shown  # circulated: readable
    assert not {"Move", "Cancel"} & set(popovers(past))
    upcoming = open_page(app_as, cast["rep"], "pages/meeting.py", cast["next"].id)
    assert "The chair is preparing the agenda" in texts(upcoming)  # a draft is not shown


def test_the_meetings_list_filters_by_kind_and_shows_the_month(cast, app_as):
    at = open_page(app_as, cast["chair"], "pages/meetings.py")
    assert popovers(at) == ["Call a session", "Series rule"]
    at.session_state["kind_filter"] = "emergency"
    at.run()
    assert "Emergency session — Sudan" in texts(at)
    assert "Regular meeting — January 2027" not in texts(at)
    assert "November 2026" in [s.value for s in at.subheader]  # the month view's title


def test_the_chair_builds_and_publishes_the_agenda(cast, app_as):
    at = open_page(app_as, cast["chair"], "pages/agenda_builder.py", cast["next"].id)
    assert "Proposed by the rotation" in [s.value for s in at.subheader]
    at.button(key="FormSubmitter:proposal-Add the ticked items to the agenda").click().run()
    assert not at.exception, at.exception
    view = agenda.agenda_of(cast["next"].id)
    assert len(view.lines) > 10 and view.fits
    second = view.lines[1].item
    at.radio(key="agenda_item").set_value(second.id).run()
    at.button(key="move_up").click().run()
    assert agenda.agenda_of(cast["next"].id).lines[0].item.id == second.id
    assert at.radio(key="agenda_item").value == second.id  # the moved item stays picked
    assert at.button(key="move_up").disabled  # it is first now
    next(b for b in at.button if b.label == "Publish the agenda").click().run()
    assert agenda.agenda_of(cast["next"].id).meeting.agenda_status == "published"


def test_the_chair_edits_the_picked_item_then_removes_another(cast, app_as):
    meeting = cast["next"]
    agenda.accept_proposal(actor=cast["chair"], meeting_id=meeting.id, seen_version=meeting.version)
    first, second = [line.item for line in agenda.agenda_of(meeting.id).lines[:2]]
    at = open_page(app_as, cast["chair"], "pages/agenda_builder.py", meeting.id)
    assert at.radio(key="agenda_item").value == first.id  # the first item is picked at first
    assert not [t for t in at.text_input if t.key == f"title_{second.id}"]  # one form only
    at.text_input(key=f"title_{first.id}").set_value("Minutes of the last meeting")
    at.number_input(key=f"minutes_{first.id}").set_value(15)
    at.button(key=f"FormSubmitter:edit_item_{first.id}-Save").click().run()
    assert not at.exception, at.exception
    edited = agenda.agenda_of(meeting.id).lines[0].item
    assert (edited.title, edited.minutes_allotted) == ("Minutes of the last meeting", 15)
    at.text_input(key=f"title_{first.id}").set_value(" ")
    at.button(key=f"FormSubmitter:edit_item_{first.id}-Save").click().run()
    assert "Give the item a title." in [e.value for e in at.error]
    assert agenda.agenda_of(meeting.id).lines[0].item.title == "Minutes of the last meeting"
    # An item the meeting has taken notes on stays, and the panel says why.
    meeting_room.save_notes(
        actor=cast["chair"], item_id=first.id, seen_version=edited.version, notes="Taken."
    )
    at.button(key="remove_item").click().run()
    assert "it stays" in " ".join(e.value for e in at.error)
    assert first.id in [line.item.id for line in agenda.agenda_of(meeting.id).lines]
    at.radio(key="agenda_item").set_value(second.id).run()
    at.button(key="remove_item").click().run()
    assert second.id not in [line.item.id for line in agenda.agenda_of(meeting.id).lines]
    assert at.radio(key="agenda_item").value == first.id  # the removed item's pick is let go


def test_a_second_chairs_change_is_shown_not_overwritten(cast, app_as):
    at = open_page(app_as, cast["chair"], "pages/agenda_builder.py", cast["next"].id)
    # Meanwhile the secretariat adds an item from another screen.
    agenda.add_item(
        actor=cast["admin"],
        meeting_id=cast["next"].id,
        seen_version=cast["next"].version,
        kind="other",
        title="Briefing by the Special Adviser",
    )
    next(b for b in at.button if b.label == "Publish the agenda").click().run()
    assert "changed this agenda while you were working" in texts(at)
    assert agenda.agenda_of(cast["next"].id).meeting.agenda_status == "draft"
    agenda_shown = " ".join(at.radio(key="agenda_item").options)
    assert "Briefing by the Special Adviser" in agenda_shown  # theirs, shown as it is now


def test_the_chair_runs_a_review_in_the_meeting_room(cast, app_as):
    chair, meeting = cast["chair"], cast["next"]
    agenda.accept_proposal(actor=chair, meeting_id=meeting.id, seen_version=meeting.version)
    sudan = next(
        line.item
        for line in agenda.agenda_of(meeting.id).lines
        if line.item.country_code == "SDN" and line.item.kind == "country_review"
    )
    at = open_page(app_as, chair, "pages/meeting_room.py", meeting.id)
    at.radio(key=f"room_item_{meeting.id}").set_value(sudan.id).run()
    assert "Response plan — Sudan" in texts(at)  # the country brief is on the screen
    next(b for b in at.button if b.label == "Start").click().run()
    assert meeting_room.room(meeting.id).items[sudan.position - 1].running
    at.text_area(key=f"notes_{sudan.id}").input("ODNI briefed.")
    at.button(key=f"save_notes_{sudan.id}").click().run()
    form = next(t for t in at.text_area if t.label == "Decision")
    form.input("Press for humanitarian access.")
    at.button(key=f"FormSubmitter:decision_{sudan.id}-Record the decision").click().run()
    assert not at.exception, at.exception
    entry = meeting_room.room(meeting.id).items[sudan.position - 1]
    assert entry.item.notes == "ODNI briefed."
    assert [d.text for d in entry.decisions] == ["Press for humanitarian access."]
    next(b for b in at.button if b.label == "Mark the review done").click().run()
    assert meeting_room.room(meeting.id).items[sudan.position - 1].item.review_done


def test_the_chair_drafts_the_minutes_in_the_meeting_room(cast, app_as):
    at = open_page(app_as, cast["chair"], "pages/meeting_room.py", cast["held"].id)
    assert "Circulated · revision 1" in texts(at)
    record = minutes.minutes_of(cast["held"].id)
    key = f"minutes_{record.minutes.id}"
    at.text_area(key=key).input(record.current.body + "\nAdjourned at 12:00.").run()
    next(b for b in at.button if b.label == "Save the text").click().run()
    assert minutes.minutes_of(cast["held"].id).current.body.endswith("Adjourned at 12:00.")
    next(b for b in at.button if b.label == "Approve the minutes").click().run()
    assert not minutes.minutes_of(cast["held"].id).locked  # asked first
    assert "they are locked" in texts(at)
    next(b for b in at.button if b.label == "Approve and lock them").click().run()
    assert minutes.minutes_of(cast["held"].id).locked
    assert "locked" in texts(at)


def test_notes_saved_by_someone_else_meanwhile_keep_the_persons_text(cast, app_as):
    chair, meeting = cast["chair"], cast["next"]
    item = agenda.agenda_of(meeting.id).lines[0].item
    at = open_page(app_as, chair, "pages/meeting_room.py", meeting.id)
    at.text_area(key=f"notes_{item.id}").input("My notes.")
    meeting_room.save_notes(  # the secretariat, on another screen
        actor=cast["admin"], item_id=item.id, seen_version=item.version, notes="Their notes."
    )
    at.button(key=f"save_notes_{item.id}").click().run()
    assert "saved a change first" in texts(at) and "Their notes" in texts(at)
    assert at.text_area(key=f"notes_{item.id}").value == "My notes."
    assert agenda.agenda_of(meeting.id).lines[0].item.notes == "Their notes."
    at.button(key=f"save_notes_{item.id}").click().run()  # having read theirs
    assert agenda.agenda_of(meeting.id).lines[0].item.notes == "My notes."


def test_the_meeting_page_lists_the_decisions_under_their_agenda_items(cast, app_as):
    chair, meeting = cast["chair"], cast["next"]
    agenda.accept_proposal(actor=chair, meeting_id=meeting.id, seen_version=meeting.version)
    # Published: a draft agenda's items (and so the headings of decisions taken on them) are
    # for the chair and secretariat only.
    agenda.publish_agenda(actor=chair, meeting_id=meeting.id, seen_version=meeting.version + 1)
    first, second = [line.item for line in agenda.agenda_of(meeting.id).lines][:2]
    decisions.record_decision(
        actor=chair, kind="general", agenda_item_id=second.id, text="Fund *two* monitors."
    )
    decisions.record_decision(
        actor=chair,
        kind="general",
        agenda_item_id=first.id,
        text="Demarche in the capital.\nReport back in May.",
    )
    at = open_page(app_as, cast["rep"], "pages/meeting.py", meeting.id)
    shown = next(m.value for m in at.markdown if "Demarche" in m.value)
    # In the agenda's order, not the order of deciding; the person's text stays literal, and
    # a decision's second line stays inside its own list item.
    where = [
        shown.index(part)
        for part in (f"**{ui.plain(first.title)}**", "Demarche", f"**{ui.plain(second.title)}**")
    ]
    assert where == sorted(where) and where[-1] < shown.index("Fund")
    assert "- Fund \\*two\\* monitors." in shown
    assert "- Demarche in the capital.  \n  Report back in May." in shown


def test_closing_with_items_not_taken_up_asks_first(cast, app_as):
    """Issue 18, point 13: the box names what was not taken up and the next meeting; Cancel
    leaves the meeting open; carrying over closes it and puts the items on the next agenda."""
    chair, meeting = cast["chair"], cast["next"]
    untaken = agenda.untaken(meeting_id=meeting.id)
    left = [item.title for item in untaken]
    later = agenda.next_meeting(meeting_id=meeting.id)
    assert left and later is not None
    at = open_page(app_as, chair, "pages/meeting_room.py", meeting.id)
    next(b for b in at.button if b.label == "Close the meeting").click().run()
    shown = texts(at)
    assert f"{len(left)} items were not taken up" in shown and later.title in shown
    assert all(title in shown for title in left)
    next(b for b in at.button if b.label == "Cancel").click().run()
    assert meetings.get_meeting(meeting.id).status == "scheduled"
    assert "were not taken up" not in texts(at)

    next(b for b in at.button if b.label == "Close the meeting").click().run()
    next(b for b in at.button if b.label == "Carry them over and close").click().run()
    assert not at.exception, at.exception
    assert meetings.get_meeting(meeting.id).status == "held"
    carried = [line.item for line in agenda.agenda_of(later.id).lines][-len(left) :]
    assert [(i.kind, i.alert_id, i.country_code) for i in carried] == [
        (i.kind, i.alert_id, i.country_code) for i in untaken
    ]
