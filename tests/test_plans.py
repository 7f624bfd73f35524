"""Plans: drafting in versions, clearance by each agency, approval at a meeting, and the rules
that keep an approved version as it was approved."""

from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest
from conftest import DEMO_DAY
from sqlalchemy import func, select

from committee import assessments, coverage, plans, watchlist
from committee.errors import Conflict, PermissionDenied, ValidationError
from db.engine import read_session, write_session
from db.models import AuditEvent, Clearance, Decision, LineOfEffort, Meeting, Plan, PlanVersion

REVIEW_BY = DEMO_DAY.date() + timedelta(days=180)


def meeting(days_from_now: int, status: str = "held") -> int:
    """A meeting row, as the meetings area would have made it (test data)."""
    starts = DEMO_DAY + timedelta(days=days_from_now)
    with write_session() as session:
        row = Meeting(
            kind="ad_hoc",
            title=f"Meeting {days_from_now}",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            timezone="America/New_York",
            status=status,
            calendar_uid=f"test-{days_from_now}-{status}@apc-desk",
        )
        session.add(row)
        session.flush()
        return row.id


@pytest.fixture
def world(db, people, frozen_clock):
    """Sudan on the watchlist, two agencies (STATE, USAID) with their representatives, and a
    meeting held yesterday."""
    chair = people["chair"]
    watchlist.add_country(actor=chair, country_code="SDN", tier=1, reason="Acute.")
    state, usaid = people["rep"].agency_id, people["other_rep"].agency_id
    text = plans.PlanDraft(
        situation_summary="Attacks on civilians in Darfur. Famine conditions.",
        objectives="Protect civilians.",
        escalation_triggers="Siege of a city.",
        review_by=REVIEW_BY,
        lines=(
            plans.LineDraft(
                toolbox_category="preventive_diplomacy",
                objective="Press for a ceasefire around El Fasher.",
                lead_agency_id=state,
                supporting_agency_ids=(usaid,),
                recommendation_codes=("4-3",),
                factors=(1, 8),
            ),
            plans.LineDraft(
                toolbox_category="early_prevention",
                objective="Fund local early warning networks.",
                lead_agency_id=usaid,
                recommendation_codes=("3-2",),
                factors=(9,),
            ),
        ),
    )
    return SimpleNamespace(**people, state=state, usaid=usaid, text=text, meeting=meeting(-1))


def start(world, **kwargs) -> Plan:
    return plans.create_plan(
        actor=world.chair,
        country_code="SDN",
        kind=kwargs.pop("kind", "response"),
        title=kwargs.pop("title", "Response plan — Sudan"),
        draft=kwargs.pop("draft", world.text),
    )


def circulated(world, plan: Plan) -> PlanVersion:
    return plans.circulate(
        actor=world.chair, plan_id=plan.id, seen_version=plans.get_plan(plan.id).plan.version
    )


def clear(world, version: PlanVersion, who: str, position: str, comments: str = ""):
    actor = getattr(world, who)
    row = next(
        r.clearance
        for r in plans.version_detail(version.id).clearances
        if r.clearance.agency_id == actor.agency_id
    )
    return plans.record_clearance(
        actor=actor,
        version_id=version.id,
        agency_id=actor.agency_id,
        position=position,
        comments=comments,
        seen_version=row.version,
    )


def statuses(plan_id: int) -> list[str]:
    return [v.status for v in plans.get_plan(plan_id).versions]


# --- the whole life of a plan ---------------------------------------------------------------------


def test_draft_circulate_clear_and_approve(world):
    plan = start(world)
    assert (plan.status, statuses(plan.id)) == ("draft", ["draft"])
    edited = replace(world.text, objectives="Protect civilians. Deter the siege.")
    plans.save_draft(
        actor=world.rep,
        plan_id=plan.id,
        seen_version=plan.version,
        draft=edited,
        change_note="Deterrence added.",
    )
    assert statuses(plan.id) == ["superseded", "draft"]

    version = circulated(world, plan)
    assert plans.get_plan(plan.id).plan.status == "in_clearance"
    grid = plans.version_detail(version.id).clearances
    assert {(r.agency_code, r.clearance.position) for r in grid} == {
        ("STATE", "pending"),
        ("USAID", "pending"),
    }  # the lead and supporting agencies of its lines of effort

    clear(world, version, "rep", "concur")
    clear(world, version, "other_rep", "concur_with_comments", "Add access benchmarks.")
    detail = plans.version_detail(version.id)
    assert detail.fully_cleared
    assert {r.agency_code: r.cleared_by for r in detail.clearances} == {
        "STATE": "Rep",
        "USAID": "Other Rep",
    }

    decision = plans.approve(actor=world.chair, version_id=version.id, meeting_id=world.meeting)
    view = plans.get_plan(plan.id)
    assert (view.plan.status, view.plan.effective_version_id) == ("approved", version.id)
    assert view.plan.review_by == REVIEW_BY
    assert statuses(plan.id) == ["superseded", "approved"]
    assert (decision.kind, decision.meeting_id, decision.plan_version_id) == (
        "plan_approval",
        world.meeting,
        version.id,
    )
    assert "approves version 2" in decision.text
    assert plans.version_detail(version.id).decision.id == decision.id


def test_an_approved_version_is_never_edited_and_stays_in_effect_until_replaced(world):
    plan = start(world)
    first = circulated(world, plan)
    clear(world, first, "rep", "concur")
    clear(world, first, "other_rep", "concur")
    plans.approve(actor=world.chair, version_id=first.id, meeting_id=world.meeting)
    approved = plans.version_detail(first.id)

    changed = replace(world.text, situation_summary="A ceasefire holds.", lines=())
    second = plans.save_draft(
        actor=world.chair,
        plan_id=plan.id,
        seen_version=plans.get_plan(plan.id).plan.version,
        draft=changed,
    )
    after = plans.version_detail(first.id)
    assert after.as_draft() == approved.as_draft() == world.text
    assert after.version.status == "approved" and second.number == 2
    view = plans.get_plan(plan.id)
    assert (view.plan.status, view.effective.number) == ("approved", 1)  # still in effect
    with pytest.raises(ValidationError, match="only a circulated version"):
        plans.approve(actor=world.chair, version_id=first.id, meeting_id=world.meeting)

    # The next version, once approved, supersedes it.
    third = plans.save_draft(
        actor=world.chair,
        plan_id=plan.id,
        seen_version=plans.get_plan(plan.id).plan.version,
        draft=replace(world.text, situation_summary="A ceasefire holds."),
    )
    version = circulated(world, plan)
    assert version.id == third.id
    plans.approve(
        actor=world.chair, version_id=third.id, meeting_id=world.meeting, override_reason="Urgent."
    )
    assert statuses(plan.id) == ["superseded", "superseded", "approved"]


def test_one_plan_of_each_kind_in_effect_per_country(world):
    plans_in_effect = []
    for title in ("First response plan", "Second response plan"):
        plan = start(world, title=title)
        version = circulated(world, plan)
        plans.approve(
            actor=world.chair,
            version_id=version.id,
            meeting_id=world.meeting,
            override_reason="Test.",
        )
        plans_in_effect.append(plan.id)
    first, second = (plans.get_plan(i) for i in plans_in_effect)
    assert (first.plan.status, second.plan.status) == ("superseded", "approved")
    assert first.versions[0].status == "superseded"


# --- two editors ----------------------------------------------------------------------------------


def test_the_second_of_two_editors_is_told_and_nothing_of_theirs_is_written(world):
    plan = start(world)
    seen = plan.version  # both open the draft
    plans.save_draft(
        actor=world.chair,
        plan_id=plan.id,
        seen_version=seen,
        draft=replace(world.text, objectives="The chair's text."),
    )
    with pytest.raises(Conflict) as conflict:
        plans.save_draft(
            actor=world.rep,
            plan_id=plan.id,
            seen_version=seen,
            draft=replace(world.text, objectives="The representative's text."),
        )
    assert conflict.value.changed_by == "Chair"
    view = plans.get_plan(plan.id)
    assert [v.number for v in view.versions] == [1, 2]
    assert plans.version_detail(view.latest.id).version.objectives == "The chair's text."


# --- clearance ------------------------------------------------------------------------------------


def test_a_representative_clears_only_for_their_own_agency(world):
    plan = start(world)
    version = circulated(world, plan)
    usaid_row = next(
        r.clearance
        for r in plans.version_detail(version.id).clearances
        if r.clearance.agency_id == world.usaid
    )
    for who in ("rep", "chair", "admin", "observer"):
        with pytest.raises(PermissionDenied):
            plans.record_clearance(
                actor=getattr(world, who),
                version_id=version.id,
                agency_id=world.usaid,
                position="concur",
                seen_version=usaid_row.version,
            )
    assert usaid_row.position == "pending"
    with read_session() as session:
        refusals = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "plan.clear", AuditEvent.outcome == "refused")
        )
    assert refusals == 4


def test_an_agency_not_asked_cannot_clear_and_a_non_concurrence_needs_reasons(world):
    text = replace(world.text, lines=world.text.lines[:1])
    text = replace(text, lines=(replace(text.lines[0], supporting_agency_ids=()),))
    plan = start(world, draft=text)
    version = circulated(world, plan)
    with pytest.raises(ValidationError, match="not asked"):
        plans.record_clearance(
            actor=world.other_rep,
            version_id=version.id,
            agency_id=world.usaid,
            position="concur",
            seen_version=1,
        )
    with pytest.raises(ValidationError) as refusal:
        clear(world, version, "rep", "non_concur", "  ")
    assert refusal.value.field == "comments"
    clear(world, version, "rep", "non_concur", "The sanctions line is premature.")
    [row] = plans.version_detail(version.id).clearances
    assert (row.clearance.position, row.clearance.comments) == (
        "non_concur",
        "The sanctions line is premature.",
    )


def test_the_chair_can_add_agencies_to_the_clearance(world):
    plan = start(world, draft=replace(world.text, lines=world.text.lines[1:]))
    version = plans.circulate(
        actor=world.chair,
        plan_id=plan.id,
        seen_version=plan.version,
        extra_agency_ids=(world.state,),
    )
    assert {r.agency_code for r in plans.version_detail(version.id).clearances} == {
        "USAID",
        "STATE",
    }


def test_saving_a_draft_withdraws_the_version_in_clearance(world):
    plan = start(world)
    version = circulated(world, plan)
    plans.save_draft(
        actor=world.chair,
        plan_id=plan.id,
        seen_version=plans.get_plan(plan.id).plan.version,
        draft=replace(world.text, objectives="Changed."),
    )
    assert statuses(plan.id) == ["withdrawn", "draft"]
    assert plans.get_plan(plan.id).plan.status == "draft"
    with pytest.raises(ValidationError, match="no longer in clearance"):
        clear(world, version, "rep", "concur")


# --- approval -------------------------------------------------------------------------------------


def test_approval_without_full_clearance_needs_the_chairs_recorded_reason(world):
    plan = start(world)
    version = circulated(world, plan)
    clear(world, version, "rep", "concur")
    clear(world, version, "other_rep", "non_concur", "Too little, too late.")
    with pytest.raises(ValidationError) as refusal:
        plans.approve(actor=world.chair, version_id=version.id, meeting_id=world.meeting)
    assert refusal.value.field == "override_reason"
    assert "1 of 2 agencies have not concurred" in str(refusal.value)
    assert plans.get_plan(plan.id).plan.status == "in_clearance"

    decision = plans.approve(
        actor=world.chair,
        version_id=version.id,
        meeting_id=world.meeting,
        override_reason="The siege leaves no time for another round.",
    )
    stored = plans.version_detail(version.id).version
    assert stored.approval_override_reason == "The siege leaves no time for another round."
    assert "without full clearance: The siege leaves no time" in decision.text


@pytest.mark.parametrize("days, status", [(3, "scheduled"), (-1, "cancelled")])
def test_approval_is_at_a_meeting_that_has_begun(world, days, status):
    plan = start(world)
    version = circulated(world, plan)
    with pytest.raises(ValidationError) as refusal:
        plans.approve(
            actor=world.chair,
            version_id=version.id,
            meeting_id=meeting(days, status),
            override_reason="x",
        )
    assert refusal.value.field == "meeting"
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"situation_summary": " "}, "situation_summary"),
        ({"lines": ()}, "lines"),
        ({"review_by": DEMO_DAY.date()}, "review_by"),
        ({"review_by": None}, "review_by"),
    ],
)
def test_a_draft_is_circulated_only_when_complete(world, change, field):
    plan = start(world, draft=replace(world.text, **change))
    with pytest.raises(ValidationError) as refusal:
        circulated(world, plan)
    assert refusal.value.field == field
    assert statuses(plan.id) == ["draft"]
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(Clearance)) == 0


# --- bad input and permissions --------------------------------------------------------------------


@pytest.mark.parametrize(
    "line_change, message",
    [
        ({"objective": " "}, "write its objective"),
        ({"toolbox_category": "wishful_thinking"}, "toolbox category"),
        ({"lead_agency_id": None}, "leads it"),
        ({"recommendation_codes": ("9-9",)}, "9-9 is not one of the Blueprint"),
        ({"factors": (15,)}, "numbered 1 to 14"),
    ],
)
def test_a_bad_line_of_effort_is_refused_and_nothing_written(world, line_change, message):
    bad = replace(
        world.text, lines=(world.text.lines[0], replace(world.text.lines[1], **line_change))
    )
    with pytest.raises(ValidationError, match=f"Line of effort 2: .*{message}") as refusal:
        start(world, draft=bad)
    assert refusal.value.field == "lines"
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(Plan)) == 0
        assert session.scalar(select(func.count()).select_from(LineOfEffort)) == 0


def test_plans_are_for_countries_on_the_watchlist(world):
    for code, message in (("XXX", "not a country code"), ("FRA", "watchlist first")):
        with pytest.raises(ValidationError, match=message):
            plans.create_plan(actor=world.chair, country_code=code, kind="prevention", title="P")


def test_a_plan_title_too_long_is_refused_not_cut(world):
    plan = start(world)
    for attempt in (
        lambda: plans.create_plan(
            actor=world.chair, country_code="SDN", kind="prevention", title="P" * 301
        ),
        lambda: plans.save_draft(
            actor=world.chair,
            plan_id=plan.id,
            seen_version=plan.version,
            draft=plans.PlanDraft(),
            title="P" * 301,
        ),
    ):
        with pytest.raises(ValidationError, match="300 characters") as refused:
            attempt()
        assert refused.value.field == "title"


def test_who_may_do_what(world):
    with pytest.raises(PermissionDenied):
        plans.create_plan(actor=world.observer, country_code="SDN", kind="response", title="P")
    plan = plans.create_plan(actor=world.rep, country_code="SDN", kind="response", title="P")
    with pytest.raises(PermissionDenied):
        plans.circulate(actor=world.rep, plan_id=plan.id, seen_version=plan.version)
    plan = start(world)
    version = circulated(world, plan)
    with pytest.raises(PermissionDenied):
        plans.approve(
            actor=world.rep, version_id=version.id, meeting_id=world.meeting, override_reason="x"
        )
    with pytest.raises(PermissionDenied):
        plans.archive(actor=world.rep, plan_id=plan.id, reason="x", seen_version=2)


def test_an_archived_plan_changes_no_more(world):
    plan = start(world)
    circulated(world, plan)
    plans.archive(
        actor=world.chair,
        plan_id=plan.id,
        reason="Overtaken by the response plan.",
        seen_version=plans.get_plan(plan.id).plan.version,
    )
    view = plans.get_plan(plan.id)
    assert (view.plan.status, statuses(plan.id)) == ("archived", ["withdrawn"])
    with pytest.raises(ValidationError, match="archived"):
        plans.save_draft(
            actor=world.chair, plan_id=plan.id, seen_version=view.plan.version, draft=world.text
        )


# --- reading plans --------------------------------------------------------------------------------


def test_versions_compare_as_a_readable_diff(world):
    plan = start(world)
    plans.save_draft(
        actor=world.chair,
        plan_id=plan.id,
        seen_version=plan.version,
        draft=replace(
            world.text,
            situation_summary="Attacks on civilians in Darfur. Cholera spreads.",
        ),
    )
    sections = {s.title: s for s in plans.compare_versions(plan_id=plan.id, first=1, second=2)}
    assert sections["Situation summary"].lines == [
        " Attacks on civilians in Darfur.",
        "-Famine conditions.",
        "+Cholera spreads.",
    ]
    assert not sections["Lines of effort"].changed
    assert sections["Lines of effort"].lines[0] == (
        " 1. Preventive diplomacy — led by STATE, with USAID"
    )


def test_high_factors_left_out_by_a_version(world):
    assessments.record_assessment(
        actor=world.chair,
        country_code="SDN",
        assessed_on=DEMO_DAY.date(),
        overall_rating="very_high",
        overall_judgement="Atrocities under way.",
        ratings={
            1: assessments.Rating("high"),
            8: assessments.Rating("high"),
            11: assessments.Rating("high", "Attacks on camps."),
            3: assessments.Rating("moderate"),
        },
    )
    plan = start(world)
    [gap] = coverage.unaddressed_by_version(plans.get_plan(plan.id).latest.id)
    assert (gap.factor, gap.note) == (11, "Attacks on camps.")
