"""The evidence on policy tools in the app (AppTest, demo record): the chair's import page, and
a plan's line of effort with its evidence panel, the drafter's marks and the flag."""

from dataclasses import replace

from test_countries_app import actor, open_page, plan_of  # noqa: F401  (open_page: a fixture)
from test_tools_evidence import FACTORS, factor_of, needs_files

from committee import people, plans, tools_evidence

PLAN, IMPORT = "pages/plan.py", "pages/tools_evidence.py"


def sudan_plan_relying_on_sanctions(marks=(), *, line=0):
    """The evidence imported, and Sudan's response plan with its first line (or ``line``)
    relying on targeted sanctions (``marks``: the drafter's marks on it); (plan, tool id, its
    exposure factor)."""
    chair = actor("chair@apc.example")
    tools_evidence.import_file(actor=chair, content=FACTORS.read_bytes(), filename=FACTORS.name)
    plan = plan_of("SDN", "response")
    view = plans.get_plan(plan.id)
    base = plans.version_detail(view.latest.id).as_draft()
    tool_id, exposure = factor_of("Targeted sanctions", "International exposure of the target")
    marked = tuple((exposure.id, mark) for mark in marks)
    relying = replace(base.lines[line], tool_ids=(tool_id,), evidence_marks=marked)
    lines = (*base.lines[:line], relying, *base.lines[line + 1 :])
    plans.save_draft(
        actor=chair,
        plan_id=plan.id,
        seen_version=view.plan.version,
        draft=replace(base, lines=lines),
    )
    return plan, tool_id, exposure


@needs_files
def test_the_chair_sees_the_tools_after_an_import(open_page):  # noqa: F811
    tools_evidence.import_file(
        actor=actor("chair@apc.example"), content=FACTORS.read_bytes(), filename=FACTORS.name
    )
    at = open_page("chair@apc.example", IMPORT)
    [past, listing] = at.dataframe
    assert list(past.value["Edition"]) == ["V3"]
    assert len(listing.value) == 23
    frame = listing.value.set_index("Tool")
    assert frame.loc["Cyber attacks", "Factors"] == "No evidence review yet"


@needs_files
def test_a_line_of_effort_shows_its_evidence_and_takes_the_drafters_marks(open_page):  # noqa: F811
    plan, tool_id, exposure = sudan_plan_relying_on_sanctions()
    at = open_page("chair@apc.example", PLAN, id=plan.id)
    [panel] = [e for e in at.expander if "Targeted sanctions" in e.label]
    assert "what the evidence says" in panel.label
    assert any("Theory of change" in m.value for m in panel.markdown)
    assert not [e for e in at.error if "against the evidence" in e.value]

    # The drafter marks: the target has no ties to the international financial system.
    [editor] = [k for k in at.session_state if str(k).startswith("marks_")]
    rows = list(tools_evidence.tools([tool_id])[0].factors)
    at.session_state[editor] = {
        "edited_rows": {rows.index(exposure): {"In this country": "Does not hold"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(
        key=f"save_marks_{plans.version_detail(plans.get_plan(plan.id).latest.id).lines[0].line.id}"
    ).click().run()
    assert not at.exception, at.exception
    latest = plans.version_detail(plans.get_plan(plan.id).latest.id)
    assert latest.lines[0].evidence_marks == {exposure.id: "does_not_hold"}
    assert [e for e in at.error if "Tools used against the evidence" in e.value]


@needs_files
def test_the_meeting_room_shows_a_plan_going_against_the_evidence(open_page):  # noqa: F811
    from committee import agenda, meetings

    chair = actor("chair@apc.example")
    sudan_plan_relying_on_sanctions(marks=["does_not_hold"])
    meeting = next(
        r.meeting
        for r in meetings.list_meetings(when="upcoming").rows
        if r.meeting.status == "scheduled"
    )
    agenda.accept_proposal(actor=chair, meeting_id=meeting.id, seen_version=meeting.version)
    sudan = next(
        entry.item
        for entry in agenda.agenda_of(meeting.id).lines
        if entry.item.country_code == "SDN" and entry.item.kind == "country_review"
    )
    at = open_page("chair@apc.example", "pages/meeting_room.py", id=meeting.id)
    at.radio(key=f"room_item_{meeting.id}").set_value(sudan.id).run()
    shown = " ".join(m.value for m in at.markdown)
    assert "Tool used against the evidence" in shown
    assert "International exposure of the target" in shown


@needs_files
def test_the_editor_offers_tools_by_strategy_and_instrument(open_page):  # noqa: F811
    chair = actor("chair@apc.example")
    tools_evidence.import_file(actor=chair, content=FACTORS.read_bytes(), filename=FACTORS.name)
    plan = plan_of("SDN", "response")
    at = open_page("chair@apc.example", PLAN, id=plan.id)
    at.session_state["plan_tab"] = "Edit the draft"
    at.run()
    [strategy] = [s for s in at.selectbox if s.label == "Offer tools that serve the strategy"]
    strategy.set_value("protect").run()
    [instrument] = [s for s in at.selectbox if s.label == "… through the instrument"]
    instrument.set_value("military").run()
    [offered] = [
        m for m in at.multiselect if m.label == "Tools of the evidence review it relies on"
    ]
    expected = {
        e.tool.name
        for e in tools_evidence.tools()
        if "protect" in e.strategies and "military" in e.instruments
    }
    assert {option.split(" — ")[0] for option in offered.options} == expected
    assert "Peace operations" in expected and "Targeted sanctions" not in expected
    [peace_id] = [e.tool.id for e in tools_evidence.tools() if e.tool.name == "Peace operations"]
    offered.select(peace_id)
    [category] = [s for s in at.selectbox if s.label == "Toolbox category"]
    category.set_value("military_options")
    [lead] = [s for s in at.selectbox if s.label == "Lead agency"]
    lead.set_value(people.agency_by_code("DOD").id)
    [objective] = [t for t in at.text_area if t.label == "Objective of the line"]
    objective.input("Support the African Union's protection of civilians in El Fasher.")
    next(b for b in at.button if b.label == "Add the line (a new version)").click().run()
    assert not at.exception, at.exception
    latest = plans.version_detail(plans.get_plan(plan.id).latest.id)
    assert latest.lines[-1].tool_ids == [peace_id]


@needs_files
def test_the_drafter_s_marks_follow_their_line_when_a_line_above_is_deleted(open_page):  # noqa: F811
    """The lines editor: a line deleted above a marked one leaves the marks with their line,
    not with the place it moves up to."""
    plan, _, exposure = sudan_plan_relying_on_sanctions(["does_not_hold"], line=1)
    second = plans.version_detail(plans.get_plan(plan.id).latest.id).lines[1].line
    at = open_page("chair@apc.example", PLAN, id=plan.id)
    at.session_state["plan_tab"] = "Edit the draft"
    at.run()
    at.session_state[f"lines_{plan.id}"] = {
        "edited_rows": {},
        "added_rows": [],
        "deleted_rows": [0],
    }
    at.form_submit_button[0].click().run()
    assert not at.exception, at.exception
    lines = plans.version_detail(plans.get_plan(plan.id).latest.id).lines
    assert lines[0].line.objective == second.objective
    assert lines[0].evidence_marks == {exposure.id: "does_not_hold"}
