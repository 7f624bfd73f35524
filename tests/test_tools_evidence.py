"""The evidence review "Tools for Atrocity Prevention": the real factor table imported whole,
idempotent, and a foreign or damaged file refused with nothing written."""

import csv
import io

import pytest
from conftest import SHARED
from sqlalchemy import func, select

from committee import tools_evidence
from committee.errors import PermissionDenied, ValidationError
from db.engine import read_session
from db.models import EvidenceFactor, EvidenceTool, ToolsEvidenceImport

TOOLS = SHARED / "data" / "ushmm-tools"
FACTORS = TOOLS / "all_factors_3.csv"
ABSENT = f"the evidence review's files are not at {TOOLS} (../shared is absent)"
needs_files = pytest.mark.skipif(not TOOLS.is_dir(), reason=ABSENT)


def load(actor, content: bytes | None = None, filename: str = FACTORS.name):
    return tools_evidence.import_file(
        actor=actor, content=content or FACTORS.read_bytes(), filename=filename
    )


def count(model) -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(model))


def file_rows() -> list[dict]:
    with open(FACTORS, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def without(column: str) -> bytes:
    """The real file with one column dropped."""
    rows = list(csv.reader(io.StringIO(FACTORS.read_text(encoding="utf-8"))))
    drop = rows[0].index(column)
    out = io.StringIO()
    csv.writer(out).writerows([row[:drop] + row[drop + 1 :] for row in rows])
    return out.getvalue().encode()


@needs_files
def test_the_real_table_imports_23_tools_from_442_rows(db, operator):
    result = load(operator)
    assert (result.rows, result.tools, result.edition) == (442, 23, "V3")
    rows = file_rows()
    with_factor = [
        r
        for r in rows
        if "NA" not in (r["Name.Final_research"], r["Name.Final_practitioner"])
        or r["Name.Final_research"] != r["Name.Final_practitioner"]
    ]
    assert result.factors == count(EvidenceFactor) == len(with_factor) == 431
    assert count(EvidenceTool) == 23 and result.import_id is not None
    # Tools not yet reviewed are kept and said so, not shown as weak evidence.
    not_reviewed = {r["tool_name"] for r in rows if r["Evidence.review"] == "No"}
    assert set(result.not_reviewed) == not_reviewed and len(not_reviewed) == 11

    by_name = {entry.tool.name: entry for entry in tools_evidence.tools()}
    sanctions = by_name["Targeted sanctions"]
    first = next(r for r in rows if r["tool_name"] == "Targeted sanctions")
    assert sanctions.strategies == [
        s for s in ("dissuade", "degrade", "protect", "transition") if first[s] == "1"
    ]
    assert set(sanctions.instruments) == {"economic", "legal", "diplomatic"}
    assert sanctions.tool.theory_of_change.startswith("If targeted sanctions")
    assert len(sanctions.factors) == sum(
        1 for r in with_factor if r["tool_name"] == "Targeted sanctions"
    )
    # The strongest evidence first; a factor practitioners alone name keeps their strength.
    clear = next(f for f in sanctions.factors if f.name == "Clear communication")
    assert (clear.research_strength, clear.practitioner_strength) == ("none_available", "stronger")
    assert clear.practitioner_direction == "greater"
    assert tools_evidence.strongest(sanctions.factors[0]) == "stronger"


@needs_files
def test_a_second_import_changes_nothing(db, operator):
    load(operator)
    with read_session() as session:
        before = {f.id: (f.version, f.updated_at) for f in session.scalars(select(EvidenceFactor))}
    again = load(operator)
    assert not again.has_changes and again.import_id is None
    with read_session() as session:
        after = {f.id: (f.version, f.updated_at) for f in session.scalars(select(EvidenceFactor))}
    assert after == before and count(ToolsEvidenceImport) == 1


@needs_files
def test_a_file_without_a_column_is_refused_naming_it(db, operator):
    with pytest.raises(ValidationError) as refused:
        load(operator, without("research_qualitative"))
    assert refused.value.field == "file"
    assert "missing: research_qualitative" in str(refused.value)
    assert "all_factors" in str(refused.value)  # says what was expected
    assert count(EvidenceTool) == count(EvidenceFactor) == count(ToolsEvidenceImport) == 0


@needs_files
def test_one_bad_row_refuses_the_whole_file(db, operator):
    text = FACTORS.read_text(encoding="utf-8").splitlines(keepends=True)
    text[-1] = text[-1].replace('"No"', '"Maybe"')
    with pytest.raises(ValidationError, match="line 443: Evidence.review 'Maybe'"):
        load(operator, "".join(text).encode())
    assert count(EvidenceTool) == count(EvidenceFactor) == 0


def test_a_foreign_file_is_refused(db, operator):
    with pytest.raises(ValidationError, match="Expected the evidence review's factor table"):
        load(operator, b"ewp_name,ccode\nSudan,625\n", "all_factors_3.csv")


def test_an_edition_is_needed_when_the_name_gives_none(db, operator):
    with pytest.raises(ValidationError) as refused:
        tools_evidence.preview_file(content=b"a,b\n", filename="factors.csv")
    assert refused.value.field == "edition"


@needs_files
def test_only_the_chair_imports(db, people):
    with pytest.raises(PermissionDenied):
        load(people["rep"])
    assert count(EvidenceTool) == 0


# --- lines of effort naming tools, and flags where a plan goes against the evidence -----------


def factor_of(tool: str, name: str) -> tuple[int, EvidenceFactor]:
    entry = next(e for e in tools_evidence.tools() if e.tool.name == tool)
    return entry.tool.id, next(f for f in entry.factors if f.name == name)


@pytest.fixture
def sanctions_plan(db, people):
    """The evidence imported; Sudan watched; a plan whose line relies on targeted sanctions."""
    from committee import plans, watchlist

    load(people["chair"])
    watchlist.add_country(actor=people["chair"], country_code="SDN", tier=1, reason="Acute.")
    tool_id, exposure = factor_of("Targeted sanctions", "International exposure of the target")
    _, trade = factor_of(
        "Targeted sanctions", "Target relies on international trade and investment"
    )
    line = plans.LineDraft(
        toolbox_category="economic_measures",
        objective="Sanction the commanders of the paramilitary forces.",
        lead_agency_id=people["rep"].agency_id,
        tool_ids=(tool_id,),
        # The commanders hold no assets abroad and trade in nothing the world buys.
        evidence_marks=((exposure.id, "does_not_hold"), (trade.id, "does_not_hold")),
    )
    plan = plans.create_plan(
        actor=people["chair"],
        country_code="SDN",
        kind="response",
        title="Response plan — Sudan",
        draft=plans.PlanDraft(situation_summary="Sieges.", lines=(line,)),
    )
    return plans, plan, line, exposure, trade


@needs_files
def test_sanctions_on_a_target_without_international_exposure_are_flagged(sanctions_plan, people):
    plans, plan, line, exposure, trade = sanctions_plan
    version = plans.get_plan(plan.id).latest
    detail = plans.version_detail(version.id)
    [stored] = detail.lines
    assert stored.evidence_marks == {exposure.id: "does_not_hold", trade.id: "does_not_hold"}

    from committee import coverage

    # Practitioners' stronger evidence: targeted sanctions work better on a target with ties to
    # the international financial system. "Relies on international trade" has one no-or-mixed
    # finding and weaker evidence: marked the same way, it flags nothing by itself.
    [flag] = coverage.against_the_evidence([version.id])
    assert (flag.tool, flag.factor, flag.line_position) == (
        "Targeted sanctions",
        "International exposure of the target",
        1,
    )
    assert flag.reasons == ["practitioners: stronger evidence that the tool works better with it"]

    # The plan paper prints the tool, its theory of change, the marks and the flag.
    import docx

    from exports import documents

    paper = documents.plan_paper(plan_id=plan.id, actor=people["chair"], fmt="docx")
    document = docx.Document(io.BytesIO(paper.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Relies on: Targeted sanctions" in text and "Theory of change: If targeted" in text
    assert "Tools used against the evidence" in text
    rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert [
        "International exposure of the target",
        "Weaker: works better",
        "Stronger: works better",
        "Does not hold",
    ] in rows


@needs_files
def test_evidence_marks_are_kept_per_version_and_compared(sanctions_plan, people):
    plans, plan, line, exposure, trade = sanctions_plan
    from dataclasses import replace

    from committee import coverage

    first = plans.get_plan(plan.id).latest
    holds = replace(line, evidence_marks=((exposure.id, "holds"), (trade.id, "unknown")))
    second = plans.save_draft(
        actor=people["chair"],
        plan_id=plan.id,
        seen_version=plans.get_plan(plan.id).plan.version,
        draft=plans.PlanDraft(situation_summary="Sieges.", lines=(holds,)),
    )
    assert coverage.against_the_evidence([second.id]) == []
    assert len(coverage.against_the_evidence([first.id])) == 1  # the old version is as it was
    [lines] = [
        s.lines
        for s in plans.compare_versions(plan_id=plan.id, first=1, second=2)
        if s.title == "Lines of effort"
    ]
    assert (
        "-   For this country, Targeted sanctions: International exposure of the target: "
        "does not hold" in lines
    )
    assert (
        "+   For this country, Targeted sanctions: International exposure of the target: holds"
        in lines
    )


@needs_files
def test_a_mark_for_a_tool_the_line_does_not_name_is_refused(sanctions_plan, people):
    plans, plan, line, exposure, trade = sanctions_plan
    from dataclasses import replace

    _, mediation = factor_of("Mediation", "Directive mediation")
    wrong = replace(line, evidence_marks=((mediation.id, "holds"),))
    with pytest.raises(ValidationError, match="a tool the line does not name") as refused:
        plans.save_draft(
            actor=people["chair"],
            plan_id=plan.id,
            seen_version=plans.get_plan(plan.id).plan.version,
            draft=plans.PlanDraft(lines=(wrong,)),
        )
    assert refused.value.field == "lines"
    assert len(plans.get_plan(plan.id).versions) == 1  # nothing half-written
