"""The watchlist, country, plan and import pages under AppTest, on the demo record: what each
role sees and does, and the number of SQL statements a page takes to render."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select
from test_statistical_risk import FORECAST_2024, needs_files

from committee import briefs, people, plans
from db.engine import get_engine, read_session
from db.models import Plan, RiskAssessment, RiskImport, TierChange

WATCHLIST, COUNTRY, PLAN, IMPORT = (
    "pages/watchlist.py",
    "pages/country.py",
    "pages/plan.py",
    "pages/risk_import.py",
)
MAX_STATEMENTS = 25  # per page render, whatever the data's size (the benchmark's budget)


def actor(email: str):
    user = people.user_by_email(email)
    agency = None
    if user.agency_id:
        agency = next(a for a in people.list_agencies() if a.id == user.agency_id)
    return people.actor_for(user, agency)


@pytest.fixture
def open_page(sqlite_db, demo, frozen_clock, app_as):
    """``open_page(email, script, **query)``: the page rendered for that demo person."""

    def open_(email: str, script: str, **query):
        at = app_as(actor(email))
        at.query_params.update({k: str(v) for k, v in query.items()})
        at.switch_page(script)
        at.run()
        assert not at.exception, at.exception
        return at

    return open_


@contextmanager
def statements():
    seen = []

    def count(*args):
        seen.append(1)

    event.listen(get_engine(), "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(get_engine(), "before_cursor_execute", count)


def plan_of(code: str, kind: str) -> Plan:
    with read_session() as session:
        return session.scalar(select(Plan).where(Plan.country_code == code, Plan.kind == kind))


# --- the watchlist --------------------------------------------------------------------------------


@needs_files  # the demo's statistical risk, which orders the table
def test_the_watchlist_shows_the_map_the_table_and_the_gaps(open_page):
    at = open_page("observer@apc.example", WATCHLIST)
    [table] = at.dataframe
    frame = table.value
    assert len(frame) == 20 and list(frame["Country"][:2]) == ["Myanmar", "Sudan"]
    assert frame.loc[frame["Country"] == "Ethiopia", "Gaps"].item() == (
        "Prevention plan past its review-by date (06 Nov 2026)"
    )
    assert at.get("plotly_chart"), "the world map"
    assert {m.label: m.value for m in at.metric}["Plan gaps"] == "10"
    assert not any("Add a country" in e.label for e in at.expander)  # the chair's only

    at.text_input[0].input("sud").run()
    assert list(at.dataframe[0].value["Country"]) == ["Sudan", "South Sudan"]


def test_the_chair_adds_a_country(open_page):
    at = open_page("chair@apc.example", WATCHLIST)
    [country] = [s for s in at.selectbox if s.label == "Country"]
    country.set_value("SYR")
    at.radio[0].set_value(2)
    at.text_area[0].input("Renewed sectarian killings.")
    at.form_submit_button[0].click().run()
    assert not at.exception and not at.error
    with read_session() as session:
        change = session.scalar(select(TierChange).where(TierChange.country_code == "SYR"))
    assert (change.new_tier, change.reason) == (2, "Renewed sectarian killings.")
    assert "Syria" in list(at.dataframe[0].value["Country"])


# --- a country ------------------------------------------------------------------------------------


@needs_files  # the demo's statistical risk, shown as a figure
def test_a_country_page_for_a_representative(open_page):
    at = open_page("rep.state@apc.example", COUNTRY, code="SDN")
    assert at.title[0].value == "Sudan"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Plans in effect"] == "1"
    assert metrics["Statistical risk 2025–2026"].endswith("%")
    assert not [e for e in at.expander if "Change the tier" in e.label]  # the chair's only
    at.session_state["country_tab"] = "Assessments"
    at.run()
    assert "Compare two assessments" in [s.value for s in at.subheader]
    assert not [e for e in at.expander if "Record an assessment" in e.label]
    at.session_state["country_tab"] = "Plans"
    at.run()
    links = [link for link in at.get("page_link") if "Open the plan" in link.proto.label]
    assert len(links) == 1


def test_older_reviews_are_shown_on_asking(open_page):
    at = open_page("chair@apc.example", COUNTRY, code="SDN")
    at.session_state["history_shown_SDN"] = 1  # as if the committee had met for years
    at.session_state["country_tab"] = "Reviews and decisions"
    at.run()
    shown = [c.value for c in at.caption if c.value.startswith("The newest")]
    assert shown and shown[0].startswith("The newest 1 of ")
    held = int(shown[0].split()[4])  # "The newest 1 of N reviews and ..."
    meetings = len([link for link in at.get("page_link") if link.proto.label == "The meeting"])
    at.button(key="older_history").click().run()
    assert not at.exception
    more = len([link for link in at.get("page_link") if link.proto.label == "The meeting"])
    assert held > 1 and (meetings, more) == (1, min(held, 1 + briefs.HISTORY_SHOWN))


def test_the_chair_changes_a_tier_with_a_reason(open_page):
    at = open_page("chair@apc.example", COUNTRY, code="PAK")
    [tier] = [r for r in at.radio if r.label == "New tier"]
    tier.set_value(2)
    [reason] = [t for t in at.text_area if t.label == "Reason for the change"]
    reason.input("Sectarian attacks doubled.")
    [button] = [b for b in at.form_submit_button if b.label == "Change the tier"]
    button.click().run()
    assert not at.exception and not at.error
    with read_session() as session:
        last = session.scalar(
            select(TierChange)
            .where(TierChange.country_code == "PAK")
            .order_by(TierChange.id.desc())
            .limit(1)
        )
    assert (last.old_tier, last.new_tier, last.reason) == (3, 2, "Sectarian attacks doubled.")


def test_an_assessment_with_no_factor_rated_is_refused_on_the_page(open_page):
    at = open_page("chair@apc.example", COUNTRY, code="PAK")  # never assessed
    at.session_state["country_tab"] = "Assessments"
    at.run()
    before = _assessments()
    [judgement] = [t for t in at.text_area if t.label == "Overall judgement"]
    judgement.input("Nothing rated.")
    [button] = [b for b in at.form_submit_button if b.label == "Record the assessment"]
    button.click().run()
    assert any("Rate at least one" in e.value for e in at.error)
    assert _assessments() == before
    at.selectbox(key="factor_9").set_value("high")
    [button] = [b for b in at.form_submit_button if b.label == "Record the assessment"]
    button.click().run()
    assert _assessments() == before + 1


def _assessments() -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(RiskAssessment))


def test_an_unknown_country_is_said_plainly(open_page):
    at = open_page("observer@apc.example", COUNTRY, code="NOPE")
    assert [e.value for e in at.error] == ["No such country."]


# --- a plan ---------------------------------------------------------------------------------------


def test_a_representative_clears_for_their_agency_on_the_plan_page(open_page):
    plan = plan_of("MMR", "response")  # in clearance; DOD and TREAS pending
    at = open_page("rep.dod@apc.example", PLAN, id=plan.id)
    at.session_state["plan_tab"] = "Clearance"
    at.run()
    grid = at.dataframe[0].value
    assert grid.loc[grid["Agency"].str.startswith("DOD"), "Position"].item() == "Pending"
    assert "Clear for DOD" in [s.value for s in at.subheader]
    assert "Approve at a meeting" not in [s.value for s in at.subheader]  # the chair's only
    at.radio[0].set_value("non_concur")
    at.form_submit_button[0].click().run()
    assert any("reasons" in e.value for e in at.error)  # a non-concurrence needs them
    at.text_area[0].input("Military options are premature.")
    at.form_submit_button[0].click().run()
    grid = at.dataframe[0].value
    assert grid.loc[grid["Agency"].str.startswith("DOD"), "Position"].item() == "Non-concur"


def test_the_chair_edits_the_draft_into_a_new_version(open_page):
    plan = plan_of("COD", "response")  # a draft
    at = open_page("chair@apc.example", PLAN, id=plan.id)
    at.session_state["plan_tab"] = "Edit the draft"
    at.run()
    at.text_area(key=f"summary_{plan.id}").input("Offensives around Goma. Displacement grows.")
    at.text_input(key=f"note_{plan.id}").input("New situation.")
    at.form_submit_button[0].click().run()
    assert not at.exception and not at.error
    view = plans.get_plan(plan.id)
    assert [v.number for v in view.versions] == [1, 2]
    assert view.latest.situation_summary == "Offensives around Goma. Displacement grows."
    assert view.latest.change_note == "New situation."
    assert len(plans.version_detail(view.latest.id).lines) == 4  # the lines came along


def test_the_chair_approves_with_an_override_reason(open_page):
    plan = plan_of("MMR", "response")
    at = open_page("chair@apc.example", PLAN, id=plan.id)
    at.session_state["plan_tab"] = "Clearance"
    at.run()
    at.form_submit_button[0].click().run()  # two agencies still pending
    assert any("override reason" in e.value for e in at.error)
    [reason] = [t for t in at.text_area if "without full clearance" in t.label]
    reason.input("Village burnings continue; the committee cannot wait.")
    at.form_submit_button[0].click().run()
    assert plans.get_plan(plan.id).plan.status == "approved"


# --- the import page ------------------------------------------------------------------------------


@needs_files
def test_the_chair_previews_then_imports_an_edition(open_page):
    at = open_page("chair@apc.example", IMPORT)
    at.file_uploader[0].upload(FORECAST_2024.name, FORECAST_2024.read_bytes(), "text/csv")
    at.run()
    assert {m.label: m.value for m in at.metric}["New"] == "167"
    assert at.dataframe[0].value["Name in the file"].tolist() == ["Kosovo"]
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(RiskImport)) == 2  # the demo's
    [button] = [b for b in at.button if b.label.startswith("Import 167 new")]
    button.click().run()
    assert not at.exception
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(RiskImport)) == 3
    # What the import did is said; the uploader is emptied, so no preview of it lingers.
    assert [s.value for s in at.success][0].startswith("Imported: 2024 edition")
    assert not at.metric


def test_a_foreign_file_is_refused_on_the_page(open_page):
    at = open_page("chair@apc.example", IMPORT)
    at.file_uploader[0].upload("people.csv", b"name,email\nA,a@example.org\n", "text/csv")
    at.run()
    assert any("header begins: 'name', 'email'" in e.value for e in at.error)


# --- the cost of a render -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "script, query, tab",
    [
        (WATCHLIST, {}, None),
        (COUNTRY, {"code": "SDN"}, None),
        (COUNTRY, {"code": "SDN"}, ("country_tab", "Assessments")),
        (PLAN, {"plan": ("SDN", "response")}, None),
        (PLAN, {"plan": ("SDN", "response")}, ("plan_tab", "Clearance")),
        (PLAN, {"plan": ("SDN", "response")}, ("plan_tab", "Compare versions")),
    ],
)
def test_a_page_renders_within_the_statement_budget(open_page, script, query, tab):
    if "plan" in query:
        query = {"id": plan_of(*query["plan"]).id}
    at = open_page("chair@apc.example", script, **query)
    if tab:
        at.session_state[tab[0]] = tab[1]
    with statements() as seen:
        at.run()
    assert not at.exception
    assert len(seen) <= MAX_STATEMENTS, f"{script} {tab}: {len(seen)} statements"
