"""The committee's papers read back: DOCX with python-docx (sections, marking, tables, chart)
and PDF with pypdf (the marking and page number on every page)."""

import io
import logging
import re
import unicodedata
from datetime import timedelta

import docx
import pypdf
import pytest
from conftest import DEMO_DAY
from docx.oxml.ns import qn
from sqlalchemy import select

from cli import main
from committee import minutes, people
from committee.errors import NotFound, ValidationError
from db.engine import read_session, write_session
from db.models import (
    ActionItem,
    AgendaItem,
    Clearance,
    Meeting,
    Minutes,
    Plan,
    RiskObservation,
)
from exports import documents
from exports.paper import Bullets, Heading, Paper, Paragraph, Table, to_pdf

MARKING = "CONFIDENTIAL // APC TEST MARKING"


@pytest.fixture
def record(db, operator, frozen_clock, monkeypatch, tmp_path):
    """The demo, with a marking of our own, and a statistical risk history for Sudan (the
    Early Warning Project's files are left out: the test needs figures it can count on)."""
    from committee import demo

    monkeypatch.setenv("APC_BANNER", MARKING)
    monkeypatch.setenv("APC_EWP_DIR", str(tmp_path))
    demo.load_demo(actor=operator, today=DEMO_DAY.date())
    with write_session() as s:
        for year in range(2015, 2025):
            s.add(
                RiskObservation(
                    source="Test",
                    edition="2025",
                    kind="history",
                    country_code="SDN",
                    data_year=year,
                    period=str(year + 1),
                    risk=0.02 + 0.01 * (year - 2015),
                )
            )


def actor(email: str):
    user = people.user_by_email(email)
    agency = next((a for a in people.list_agencies() if a.id == user.agency_id), None)
    return people.actor_for(user, agency)


def held_meetings() -> list[Meeting]:
    with read_session() as s:
        return list(
            s.scalars(
                select(Meeting)
                .where(Meeting.status == "held", Meeting.kind == "regular")
                .order_by(Meeting.starts_at)
            )
        )


def read_docx(content: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(content))


def headings(document, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def assert_docx_marked(document) -> None:
    for section in document.sections:
        header = [p.text for p in section.header.paragraphs]
        footer = [p.text for p in section.footer.paragraphs]
        assert header[0] == MARKING and footer[-1] == MARKING
        fields = section.footer._element.xml
        assert 'w:instr="PAGE"' in fields and 'w:instr="NUMPAGES"' in fields
        assert re.search(r"Prepared \d+ \w+ 20\d\d", header[1])


def assert_pdf_marked(content: bytes) -> pypdf.PdfReader:
    reader = pypdf.PdfReader(io.BytesIO(content))
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        assert lines[0] == MARKING, f"page {number} has no marking at the top"
        assert lines[-1] == MARKING, f"page {number} has no marking at the bottom"
        assert f"Page {number} of {total}" in lines
    return reader


# --- the read-ahead -------------------------------------------------------------------------


def test_read_ahead_has_the_agenda_and_a_brief_per_country(record):
    meeting = held_meetings()[-1]
    export = documents.meeting_paper(
        "read-ahead", meeting_id=meeting.id, actor=actor("chair@apc.example"), fmt="docx"
    )
    assert export.file_name == f"apc-read-ahead-{meeting.starts_at:%Y-%m-%d}.docx"
    document = read_docx(export.content)
    assert_docx_marked(document)

    with read_session() as s:
        items = list(
            s.scalars(
                select(AgendaItem)
                .where(AgendaItem.meeting_id == meeting.id)
                .order_by(AgendaItem.position)
            )
        )
    reviewed = [i.country_code for i in items if i.kind == "country_review"]
    sections = headings(document, 1)
    assert sections[:2] == ["Agenda", "Countries under review"]
    assert len(sections) == 2 + len(reviewed)
    assert sections[2].startswith("Sudan — Tier 1")
    subsections = headings(document, 2)
    for title in ("Tier history", "Statistical risk", "Latest risk assessment", "Plan in effect"):
        assert subsections.count(title) == len(reviewed)
    assert sum(s.startswith("Open action items (") for s in subsections) == len(reviewed)

    agenda = next(t for t in document.tables if t.rows[0].cells[0].text == "#")
    assert [c.text for c in agenda.rows[0].cells] == [
        "#",
        "Time",
        "Item",
        "Presenter",
        "Time allotted",
    ]
    assert [row.cells[2].text for row in agenda.rows[1:]] == [i.title for i in items]
    assert agenda.rows[1].cells[1].text == "10:00"
    factors = [t for t in document.tables if t.rows[0].cells[0].text == "UN Framework risk factor"]
    assert factors and all(len(t.rows) == 15 for t in factors)
    assert len(document.inline_shapes) == 1  # Sudan's risk trend, the only history on record


def test_a_brief_lists_the_most_urgent_action_items_and_counts_the_rest(record):
    state = people.agency_by_code("STATE")
    today = DEMO_DAY.date()
    with write_session() as s:
        for n in range(40):
            s.add(
                ActionItem(
                    title=f"Extra item {n:02d}",
                    country_code="SDN",
                    owner_agency_id=state.id,
                    due_on=today + timedelta(days=n - 5),  # five of them overdue
                )
            )
    meeting = held_meetings()[-1]
    export = documents.meeting_paper(
        "read-ahead", meeting_id=meeting.id, actor=actor("chair@apc.example"), fmt="docx"
    )
    document = read_docx(export.content)
    sudan = next(t for t in document.tables if t.rows[0].cells[0].text == "Due")
    dues = [row.cells[0].text for row in sudan.rows[1:]]
    assert len(dues) == documents.ACTION_ROWS
    assert dues[0].endswith("overdue") and not dues[-1].endswith("overdue")
    notes = [p.text for p in document.paragraphs if "more open items are not listed" in p.text]
    assert notes and notes[0].endswith("all due later: see APC Desk.")


def test_a_brief_s_figure_and_its_chart_end_on_the_same_edition(record, monkeypatch):
    """Issue 18, point 8: the chart of a brief ends on the figure its text cites, not on the
    history's own figure for that year."""
    with write_session() as s:
        s.add(
            RiskObservation(
                source="Test",
                edition="2025",
                kind="forecast",
                country_code="SDN",
                data_year=2024,
                period="2025-2026",
                risk=0.0812,
                rank=2,
                previous_risk=0.1060,
                previous_rank=1,
            )
        )
    charted = []
    drawn = documents._risk_chart
    monkeypatch.setattr(
        documents, "_risk_chart", lambda trend, tier: charted.append(trend) or drawn(trend, tier)
    )
    meeting = held_meetings()[-1]
    export = documents.meeting_paper(
        "read-ahead", meeting_id=meeting.id, actor=actor("chair@apc.example"), fmt="docx"
    )
    document = read_docx(export.content)
    glance = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any(text.startswith("8.1%, rank 2 (previous edition 10.6%, rank 1)") for text in glance)
    (trend,) = charted
    assert trend[-1] == (2025, 0.0812)
    # The history's years before the edition, then the edition itself in the history's place.
    assert [year for year, _ in trend] == list(range(2016, 2026))


def test_read_ahead_pdf_is_marked_on_every_page(record):
    meeting = held_meetings()[-1]
    export = documents.meeting_paper(
        "read-ahead", meeting_id=meeting.id, actor=actor("chair@apc.example"), fmt="pdf"
    )
    assert export.mime == "application/pdf"
    reader = assert_pdf_marked(export.content)
    assert len(reader.pages) > 4
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Countries under review" in text and "Decisions of the last review" in text
    assert sum(len(page.images) for page in reader.pages) == 1  # the chart, as an image


def test_a_draft_agenda_is_for_the_chair_only(record):
    with read_session() as s:
        upcoming = s.scalar(
            select(Meeting).where(Meeting.status == "scheduled").order_by(Meeting.starts_at)
        )
    assert upcoming.agenda_status == "draft"
    with pytest.raises(ValidationError, match="not published yet"):
        documents.meeting_paper(
            "agenda", meeting_id=upcoming.id, actor=actor("observer@apc.example"), fmt="pdf"
        )
    export = documents.meeting_paper(
        "agenda", meeting_id=upcoming.id, actor=actor("chair@apc.example"), fmt="docx"
    )
    document = read_docx(export.content)
    assert document.paragraphs[1].text == "Draft agenda"
    assert_docx_marked(document)


# --- minutes --------------------------------------------------------------------------------


def test_minutes_as_approved_with_their_corrections(record):
    meeting = held_meetings()[-2]
    chair = actor("chair@apc.example")
    with read_session() as s:
        seen = s.scalar(select(Minutes.version).where(Minutes.meeting_id == meeting.id))
    body = minutes.minutes_of(meeting.id).current.body
    minutes.correct_minutes(
        actor=chair,
        meeting_id=meeting.id,
        seen_version=seen,
        body=body + "\n\n**Decision:** Ask *Treasury* for options.\n",
        reason="Decision omitted",
    )
    for fmt in ("docx", "pdf"):
        export = documents.meeting_paper("minutes", meeting_id=meeting.id, actor=chair, fmt=fmt)
        if fmt == "pdf":
            text = "\n".join(p.extract_text() for p in assert_pdf_marked(export.content).pages)
        else:
            document = read_docx(export.content)
            assert_docx_marked(document)
            text = "\n".join(p.text for p in document.paragraphs)
            text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
            bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
            assert "Decision:" in bold
        assert "Approved" in text and "by Dana Whitfield (chair)" in text
        assert "revision 2" in text
        assert "Decision: Ask Treasury for options." in text
        assert "Decision omitted" in text  # the corrections table


def test_minutes_not_yet_approved_are_not_issued(record):
    latest = held_meetings()[-1]
    with pytest.raises(ValidationError, match="not approved yet"):
        documents.meeting_paper(
            "minutes", meeting_id=latest.id, actor=actor("chair@apc.example"), fmt="pdf"
        )


# --- a plan ---------------------------------------------------------------------------------


def test_plan_has_its_lines_of_effort_and_clearance_grid(record):
    with read_session() as s:
        plan = s.scalar(select(Plan).where(Plan.country_code == "SDN"))
        cleared = list(
            s.scalars(
                select(Clearance).where(Clearance.plan_version_id == plan.effective_version_id)
            )
        )
    export = documents.plan_paper(plan_id=plan.id, actor=actor("rep.state@apc.example"), fmt="docx")
    assert export.file_name == "apc-response-plan-sdn-v2.docx"
    document = read_docx(export.content)
    assert_docx_marked(document)
    assert [s for s in headings(document, 1)] == [
        "Situation",
        "Objectives",
        "Escalation triggers",
        "Lines of effort (4)",
        "Clearance",
    ]
    assert len(headings(document, 2)) == 4
    grid = document.tables[-1]
    assert [c.text for c in grid.rows[0].cells] == [
        "Agency",
        "Position",
        "Comments",
        "Cleared by",
        "Date",
    ]
    assert len(grid.rows) == 1 + len(cleared)
    positions = [row.cells[1].text for row in grid.rows[1:]]
    assert positions.count("Concur with comments") == 1 and positions.count("Concur") == 5
    fill = grid.rows[1].cells[1]._tc.xml
    assert "w:shd" in fill  # positions carry their colour

    earlier = documents.plan_paper(
        plan_id=plan.id, actor=actor("chair@apc.example"), fmt="pdf", version=1
    )
    assert earlier.file_name.endswith("-v1.pdf")
    text = "\n".join(p.extract_text() for p in assert_pdf_marked(earlier.content).pages)
    assert "1 — superseded" in text


# --- bad input ------------------------------------------------------------------------------


# Every script people may type, emoji (one with a variation selector, one with a skin tone),
# a CR LF, typographic quotes and a control character that XML cannot hold.
AWKWARD_TITLE = (
    "Review\r\nof Sudan; “quoted”, commas — Судан السودان 苏丹 日本語 한국어 עברית 🕊️ 👍🏽\x07"
)
ARABIC_NOTE = "هجمات على المدنيين في دارفور"


def pdf_fonts(reader: pypdf.PdfReader) -> set[str]:
    """The fonts a PDF's pages use, without their subset prefix (e.g. "NotoSansArabic")."""
    return {
        font.get_object()["/BaseFont"].split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


def missing_glyphs(caplog) -> list[str]:
    """fpdf2 logs the characters no font had a glyph for (they print as empty boxes)."""
    return [r.getMessage() for r in caplog.records if "missing the following glyphs" in r.msg]


def test_awkward_text_comes_out_intact(record, caplog):
    meeting = held_meetings()[-1]
    long_note = f"{ARABIC_NOTE}, corroborated by several sources (2026); " * 150
    with write_session() as s:
        found = s.get(Meeting, meeting.id)
        found.title = AWKWARD_TITLE
        found.reason = long_note
    export = documents.meeting_paper(
        "agenda", meeting_id=meeting.id, actor=actor("chair@apc.example"), fmt="docx"
    )
    document = read_docx(export.content)
    expected = AWKWARD_TITLE.replace("\r\n", "\n").removesuffix("\x07")  # BEL dropped
    assert document.paragraphs[2].text == expected
    note = next(p for t in document.tables for r in t.rows for c in r.cells for p in c.paragraphs
                if p.text == long_note)  # fmt: skip
    assert note._p.pPr.find(qn("w:bidi")) is not None  # Arabic first: a right-to-left paragraph
    assert document.paragraphs[2]._p.pPr is None or "w:bidi" not in document.paragraphs[2]._p.xml

    caplog.set_level(logging.WARNING, logger="fpdf")
    pdf = documents.meeting_paper(
        "agenda", meeting_id=meeting.id, actor=actor("chair@apc.example"), fmt="pdf"
    )
    assert missing_glyphs(caplog) == []
    reader = assert_pdf_marked(pdf.content)
    fonts = pdf_fonts(reader)
    for family in ("NotoSansArabic", "NotoSansHebrew", "NotoSansCJKJP", "NotoEmoji"):
        assert any(font.startswith(family) for font in fonts), family
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Судан" in text and "“quoted”, commas" in text and "עברית" in text
    assert "🕊️ 👍🏽" in text  # each emoji one glyph, its selector and skin tone included
    assert "· Review of Sudan;" in text  # the running head on one line
    # pypdf reads spaces and NULs between the characters of a CJK font (pdftotext does not)
    unspaced = text.replace(" ", "").replace("\x00", "")
    assert "苏丹" in unspaced and "日本語" in unspaced and "한국어" in unspaced
    # Shaped Arabic is drawn in joined forms, its words right to left: fold the forms back to
    # letters and read the words in the order they stand on the page.
    letters = "".join(
        c
        for c in unicodedata.normalize("NFKC", text)
        if unicodedata.name(c, "").startswith("ARABIC LETTER")
    )
    assert "".join(reversed(ARABIC_NOTE.split())) in letters


def test_a_character_no_font_has_is_caught(caplog):
    """The check above can fail: a private-use character has no glyph in any of the fonts."""
    caplog.set_level(logging.WARNING, logger="fpdf")
    paper = Paper("Agenda", "Title \U000f0001", "", MARKING, "Prepared 1 Jan 2026", [])
    to_pdf(paper)
    assert missing_glyphs(caplog)


def test_latin_text_takes_no_fallback_font():
    """A paper in Latin script is set in the main font alone, without the slower shaping."""
    paper = Paper("Agenda", "Regular meeting — Résumé", "", MARKING, "Prepared 1 Jan 2026", [
        Heading("Agenda"), Paragraph("Заседание"), Table(["#"], [["1"]], [1]),
    ])  # fmt: skip
    assert pdf_fonts(pypdf.PdfReader(io.BytesIO(to_pdf(paper)))) == {
        "DejaVuSansBook",
        "DejaVuSansBold",
    }


def test_unknown_records_get_clear_errors(record, capsys, tmp_path):
    chair = actor("chair@apc.example")
    with pytest.raises(NotFound, match="No meeting with id 999"):
        documents.meeting_paper("agenda", meeting_id=999, actor=chair, fmt="pdf")
    with pytest.raises(NotFound, match="Plan 999 does not exist"):
        documents.plan_paper(plan_id=999, actor=chair, fmt="pdf")
    with pytest.raises(ValidationError, match="Choose a format"):
        documents.meeting_paper("agenda", meeting_id=1, actor=chair, fmt="odt")
    out = tmp_path / "x.pdf"
    assert (
        main(["export-doc", "read-ahead", "--meeting", "999", "--format", "pdf", "--out", str(out)])
        == 1
    )
    assert "No meeting with id 999." in capsys.readouterr().err
    assert main(["export-doc", "plan", "--format", "pdf", "--out", str(out)]) == 1
    assert "needs --plan" in capsys.readouterr().err
    assert not out.exists()


def test_cli_writes_each_paper(record, tmp_path):
    meeting = held_meetings()[-2]
    for paper, fmt in (("agenda", "docx"), ("read-ahead", "pdf"), ("minutes", "docx")):
        out = tmp_path / f"{paper}.{fmt}"
        args = ["export-doc", paper, "--meeting", str(meeting.id), "--format", fmt]
        assert main([*args, "--out", str(out)]) == 0
        assert out.read_bytes()[:4] in (b"%PDF", b"PK\x03\x04")
    out = tmp_path / "plan.pdf"
    assert main(["export-doc", "plan", "--plan", "1", "--format", "pdf", "--out", str(out)]) == 0
    assert_pdf_marked(out.read_bytes())


# --- Markdown of the minutes ----------------------------------------------------------------


def test_markdown_becomes_headings_paragraphs_lists_and_tables():
    blocks = documents.markdown_blocks(
        "# Minutes — X\n\n## Attendance\n\nPresent: **State**, *USAID*.\n\n"
        "- one\n- two\n  - nested\n\n1. first\n2. second\n\n"
        "| Agency | Status |\n| --- | --- |\n| STATE | present |\n",
        drop_title=True,
    )
    assert blocks[0] == Heading("Attendance", 2)
    assert blocks[1] == Paragraph(
        [("Present: ", ""), ("State", "B"), (", ", ""), ("USAID", "I"), (".", "")]
    )
    assert blocks[2] == Bullets([[("one", "")], [("two", "")], [("nested", "")]])
    assert blocks[3] == Bullets([[("first", "")], [("second", "")]], numbered=True)
    assert blocks[4] == Table(["Agency", "Status"], [["STATE", "present"]], [1, 1])
    assert len(blocks) == 5
    assert documents.markdown_blocks("# Kept")[0] == Heading("Kept", 1)
