"""The horizon scan paper: for an edition, the biggest movers, countries above a threshold off
the watchlist, tier and rank divergences and open signals, each with its risk trend; DOCX and
PDF with the handling marking on every page. Figures checked against the files."""

import csv

import pytest
from test_documents import MARKING, assert_docx_marked, assert_pdf_marked, headings, read_docx
from test_statistical_risk import FORECAST_2025, HISTORY, import_path, needs_files

from committee import horizon, signals, watchlist
from committee.errors import ValidationError
from exports import documents


@pytest.fixture
def scanned(db, people, frozen_clock, monkeypatch):
    monkeypatch.setenv("APC_BANNER", MARKING)
    chair = people["chair"]
    for code, tier in {"SDN": 1, "MMR": 3, "FRA": 1}.items():
        watchlist.add_country(actor=chair, country_code=code, tier=tier, reason="Watched.")
    import_path(chair, FORECAST_2025)
    import_path(chair, HISTORY)
    signals.save_rule(actor=chair, name="Top five", kind="enters_top", threshold=5)
    signals.evaluate(actor=chair)
    return chair


@needs_files
def test_the_scan_holds_what_the_file_says(scanned):
    scan = horizon.horizon_scan(actor=scanned, threshold=5)
    with open(FORECAST_2025, newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["ewp_name"] != "Kosovo"]
    rises = sorted(
        (
            100 * (float(r["risk.2025and2026.from2024"]) - float(r["risk.2024and2025.from2023"]))
            for r in rows
        ),
        key=abs,
        reverse=True,
    )
    assert [round(m.rise, 6) for m in scan.movers] == [round(r, 6) for r in rises[:10]]
    above = {r["ewp_name"] for r in rows if float(r["risk.2025and2026.from2024"]) >= 0.05}
    assert len(scan.unwatched_above) == len(above) - 2  # Sudan and Myanmar are watched
    assert {m.country_code for m in scan.unwatched_above}.isdisjoint({"SDN", "MMR"})
    assert ("MMR", "tier 3, ranked 1") in {(m.country_code, how) for m, how in scan.divergences}
    assert any(code == "FRA" for code in (m.country_code for m, _ in scan.divergences))
    assert scan.open_signals and set(scan.trends) >= {m.country_code for m in scan.movers}


@needs_files
def test_the_paper_in_both_formats_is_marked_and_has_a_chart_per_country(scanned):
    docx_file = documents.horizon_paper(actor=scanned, fmt="docx")
    assert docx_file.file_name == "apc-horizon-scan-2025.docx"
    document = read_docx(docx_file.content)
    assert_docx_marked(document)
    assert headings(document, 1)[:4] == [
        "Biggest movers",
        "Above 5 % and not on the watchlist",
        "The committee's tier and the statistical rank diverge",
        "Open signals from data",
    ]
    scan = horizon.horizon_scan(actor=scanned)
    assert len(document.inline_shapes) == len(scan.trends) > 0
    pdf = assert_pdf_marked(documents.horizon_paper(actor=scanned, fmt="pdf").content)
    assert "Biggest movers" in pdf.pages[0].extract_text()


def test_a_threshold_out_of_range_is_refused(db, people):
    with pytest.raises(ValidationError) as refused:
        horizon.horizon_scan(actor=people["chair"], threshold=0)
    assert refused.value.field == "threshold"
