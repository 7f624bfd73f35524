"""The papers for someone who reads them with a screen reader (issue 25): the DOCX with real
headings, table heading rows and charts described; the PDF with what fpdf2 can tag: its
language, its title shown, an outline of its headings, and charts as figures with their text."""

import io
from dataclasses import replace

import docx
import pypdf
from docx.oxml.ns import qn

from exports.paper import Chart, Heading, Paper, Paragraph, Table, to_docx, to_pdf


def png() -> bytes:
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(2, 1))
    axes.bar(["2024", "2025"], [3, 5])
    out = io.BytesIO()
    figure.savefig(out, format="png")
    plt.close(figure)
    return out.getvalue()


PAPER = Paper(
    kind="Read-ahead",
    title="Regular meeting — January 2027",
    subtitle="",
    marking="UNCLASSIFIED",
    prepared="4 Dec 2026",
    blocks=[
        Heading("Agenda", 1),
        Table(["Item", "Minutes"], [["Sudan", "30"], ["Chad", "20"]], [3, 1]),
        Heading("Sudan", 2),
        Paragraph("The review of Sudan."),
        Chart(png(), "Statistical risk of Sudan, 2024 to 2025: 3% then 5%."),
    ],
)


def test_the_docx_has_real_headings_heading_rows_and_described_charts():
    document = docx.Document(io.BytesIO(to_docx(PAPER)))
    styled = [(p.style.name, p.text) for p in document.paragraphs if p.text in ("Agenda", "Sudan")]
    assert styled == [("Heading 1", "Agenda"), ("Heading 2", "Sudan")]
    table = document.tables[-1]
    first, second = table.rows[0]._tr, table.rows[1]._tr
    assert [c.text for c in table.rows[0].cells] == ["Item", "Minutes"]
    assert first.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None  # a heading row
    assert second.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None
    pictures = document.element.body.xpath(".//wp:docPr")
    assert [p.get("descr") for p in pictures] == [
        "Statistical risk of Sudan, 2024 to 2025: 3% then 5%."
    ]


def test_the_pdf_has_its_language_title_outline_and_tagged_figures():
    reader = pypdf.PdfReader(io.BytesIO(to_pdf(PAPER)))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-US"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 (a PDF boolean)
    assert reader.metadata.title == "Read-ahead: Regular meeting — January 2027"
    outline = reader.outline
    assert outline[0].title == "Agenda" and outline[1][0].title == "Sudan"
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712
    figures = [e["/Alt"] for e in elements(catalog["/StructTreeRoot"]) if e.get("/S") == "/Figure"]
    assert figures == ["Statistical risk of Sudan, 2024 to 2025: 3% then 5%."]


def elements(node) -> list:
    """Every structure element under ``node``, depth first."""
    kids = node.get_object().get("/K", [])
    kids = kids if isinstance(kids, list) else [kids]
    found = []
    for kid in kids:
        kid = kid.get_object()
        if hasattr(kid, "get"):
            found += [kid, *elements(kid)]
    return found


def test_a_heading_is_never_left_at_the_foot_of_a_page_above_its_chart():
    """Wherever the text before it ends, a heading shares its page with the chart it heads
    (issue 23: the horizon scan's trend charts)."""
    chart = Chart(png(), "Statistical risk, 2016 to 2025.", width=0.9)
    for filler in range(0, 40, 3):
        text = [Paragraph(f"Paragraph {n} of the text before the chart.") for n in range(filler)]
        paper = replace(PAPER, blocks=[*text, Heading("Sudan's trend", 2), chart])
        pages = pypdf.PdfReader(io.BytesIO(to_pdf(paper))).pages
        [headed] = [n for n, page in enumerate(pages) if "Sudan's trend" in page.extract_text()]
        [charted] = [n for n, page in enumerate(pages) if page.images]
        assert headed == charted, filler
