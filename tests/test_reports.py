"""The annual report: a year with data, checked against counts made directly from the demo's
rows; a year without, which says so; the DOCX and PDF with charts and the handling marking on
every page; the command line."""

import io
from datetime import date

import pytest
from conftest import DEMO_DAY
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from cli import main
from committee import people, reports, settings
from committee.actor import Actor
from committee.errors import ValidationError
from db.engine import read_session
from db.models import ActionItem, Agency, AgendaItem, Alert, Meeting, PlanVersion, TierChange
from exports import annual_report

YEAR = DEMO_DAY.year
OPERATOR = Actor.operator("pytest")


def all_rows(model):
    with read_session() as session:
        return list(session.scalars(select(model)))


def in_year(moment) -> bool:
    return moment is not None and moment.astimezone(settings.zone()).year == YEAR


@pytest.fixture
def report(db, demo, frozen_clock):
    return reports.annual_report(actor=OPERATOR, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31))


def test_a_year_with_data_matches_a_direct_count(report):
    held = {m.id: m for m in all_rows(Meeting) if m.status == "held" and in_year(m.starts_at)}
    reviews: dict[str, set] = {}
    for item in all_rows(AgendaItem):
        if item.kind == "country_review" and item.meeting_id in held:
            reviews.setdefault(item.country_code, set()).add(item.meeting_id)
    assert {r.code: r.reviews for r in report.reviews} == {
        code: len(ids) for code, ids in reviews.items()
    }
    assert sum(report.meetings_held.values()) == len(held)
    assert report.meetings_held["emergency"] == 1
    assert len(report.tier_changes) == sum(1 for c in all_rows(TierChange) if in_year(c.changed_at))
    assert len(report.plans_approved) == sum(
        1 for v in all_rows(PlanVersion) if in_year(v.approved_at)
    )
    codes = {a.id: a.code for a in all_rows(Agency)}
    opened: dict[str, int] = {}
    done: dict[str, int] = {}
    for item in all_rows(ActionItem):
        code = codes[item.owner_agency_id]
        if in_year(item.created_at):
            opened[code] = opened.get(code, 0) + 1
        if in_year(item.closed_at) and item.status == "done":
            done[code] = done.get(code, 0) + 1
    assert {a.code: a.opened for a in report.actions if a.opened} == opened
    assert {a.code: a.done for a in report.actions if a.done} == done
    assert len(report.alerts) == sum(1 for a in all_rows(Alert) if in_year(a.filed_at))
    assert not report.is_empty


def test_alerts_in_the_report_show_how_fast_they_were_reviewed_and_hide_restricted_ones(report):
    by_reference = {a.reference: a for a in report.alerts}
    closed = by_reference["ALR-2026-0004"]  # reviewed 2 days after filing, deadline 3
    assert (closed.days_to_review, closed.deadline_days, closed.on_time) == (2.0, 3.0, True)
    restricted = by_reference["ALR-2026-0002"]
    assert restricted.country_name == "Restricted"
    assert restricted.days_to_review is None and restricted.late
    assert report.alerts_reviewed_on_time == 1


@pytest.mark.parametrize("who", ["operator", "representative"])
def test_the_summary_counts_in_sql_what_the_full_report_lists(report, who):
    # The representative may not see the restricted alert: the figures follow what one sees.
    actor = (
        OPERATOR
        if who == "operator"
        else people.actor_for(
            people.user_by_email("rep.state@apc.example"), people.agency_by_code("STATE")
        )
    )
    period = {"start": date(YEAR, 1, 1), "end": date(YEAR, 12, 31)}
    full = reports.annual_report(actor=actor, **period)
    summary = reports.annual_summary(actor=actor, **period)
    assert summary.meetings_held == full.meetings_held
    assert (summary.reviews_held, summary.countries_reviewed) == (
        full.reviews_held,
        len(full.reviews),
    )
    assert (summary.tier_changes, summary.plans_approved) == (
        len(full.tier_changes),
        len(full.plans_approved),
    )
    assert (summary.alerts, summary.alerts_reviewed_on_time) == (
        len(full.alerts),
        full.alerts_reviewed_on_time,
    )
    assert summary.items_moved == sum(a.opened + a.done + a.cancelled for a in full.actions)
    assert not summary.is_empty
    for name, lines in [("reviews", full.reviews), ("alerts", full.alerts)]:
        assert reports.report_section(name, actor=actor, **period) == lines
    if who == "representative":
        assert summary.alerts == len(report.alerts) - 1


def test_a_year_without_data_gives_a_report_that_says_so(db, demo, frozen_clock):
    empty = reports.annual_report(actor=OPERATOR, start=date(2019, 1, 1), end=date(2019, 12, 31))
    assert empty.is_empty and empty.title == "Annual report 2019"
    period = {"start": date(2019, 1, 1), "end": date(2019, 12, 31)}
    assert reports.annual_summary(actor=OPERATOR, **period).is_empty
    pdf = annual_report.annual_report_paper(actor=OPERATOR, year=2019, fmt="pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "No committee activity is recorded for this period" in " ".join(text.split())


def test_a_year_outside_the_record_is_refused(db, frozen_clock):
    with pytest.raises(ValidationError) as refused:
        reports.year_period(YEAR + 1)
    assert refused.value.field == "year"


def test_the_pdf_has_its_sections_charts_and_the_marking_on_every_page(db, demo, frozen_clock):
    pdf = annual_report.annual_report_paper(actor=OPERATOR, year=YEAR, fmt="pdf")
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    marking = str(settings.get("banner"))
    assert len(pages) >= 2
    for page in pages:
        assert marking in page.extract_text()
    text = " ".join(p.extract_text() for p in pages)
    for heading in ("Countries reviewed", "Tier changes", "Plans approved", "Action items by"):
        assert heading in text
    assert sum(len(page.images) for page in pages) == 3  # reviews, actions, alerts
    assert pdf.file_name == f"apc-annual-report-{YEAR}.pdf"


def test_the_docx_carries_the_charts_and_the_marking(db, demo, frozen_clock):
    docx = annual_report.annual_report_paper(actor=OPERATOR, year=YEAR, fmt="docx")
    document = Document(io.BytesIO(docx.content))
    assert len(document.inline_shapes) == 3
    assert str(settings.get("banner")) in document.sections[0].header.paragraphs[0].text
    assert any("Sudan" in cell.text for t in document.tables for cell in t._cells)


def test_the_command_line_writes_the_report(db, demo, frozen_clock, tmp_path, capsys):
    out = tmp_path / "report.docx"
    assert (
        main(["report", "annual", "--year", str(YEAR), "--format", "docx", "--out", str(out)]) == 0
    )
    assert out.read_bytes()[:2] == b"PK"
    assert main(["report", "annual", "--year", "1990", "--format", "pdf", "--out", str(out)]) == 1
    assert "year" in capsys.readouterr().err


def test_the_command_line_lists_alerts(db, demo, frozen_clock, capsys):
    assert main(["alerts", "list", "--open"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3  # the demo's open alerts; the closed one left out
    assert lines[0].startswith("ALR-2026-0002") and lines[0].endswith("PAST DEADLINE")
    assert main(["alerts", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4
