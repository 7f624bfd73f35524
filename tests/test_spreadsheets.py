"""Spreadsheet exports: text a spreadsheet would run as a formula arrives as text, read back
from the written CSV and XLSX files; large exports stream in bounded memory."""

import csv
import io
import re
import tracemalloc
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook

from committee import actions
from committee.tracker import TrackedItem, TrackerFilter
from db.models import ActionItem
from exports import spreadsheets
from exports.spreadsheets import neutralise

DANGEROUS = [
    '=HYPERLINK("http://evil.example","Open")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def ooxml_text(value: str) -> str:
    """A cell's text as Excel shows it: the file keeps a carriage return as ``_x000D_`` (the
    format's escape), which Excel turns back and openpyxl's reader leaves as it is."""
    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def tracked(title: str, number: int = 1, **fields) -> TrackedItem:
    """An item as the lists give it, built in memory (services trim leading tabs and CRs, so
    such titles can reach an export only from elsewhere)."""
    values = {
        "id": number,
        "title": title,
        "owner_agency_id": 1,
        "due_on": date(2026, 12, 1),
        "status": "blocked",
        "status_reason": "-awaiting clearance",
        "description": "@mention",
    }
    values.update(fields)
    return TrackedItem(
        ActionItem(**values), "STATE", "Department of State", "Sudan", None, None, "later"
    )


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_prefixes_what_would_run(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Plain title", "a=b", "", "'quoted", 42, None, date(2026, 1, 1)])
def test_neutralise_leaves_the_rest_alone(value):
    assert neutralise(value) == value


def test_csv_cells_arrive_as_text(tmp_path):
    path = tmp_path / "items.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        assert spreadsheets.write_csv([tracked(t, n) for n, t in enumerate(DANGEROUS)], out) == 6
    with path.open(newline="", encoding="utf-8") as written:
        rows = list(csv.reader(written))
    assert rows[0] == spreadsheets.HEADINGS
    title = spreadsheets.HEADINGS.index("Title")
    reason = spreadsheets.HEADINGS.index("Reason or closing note")
    assert [row[title] for row in rows[1:]] == ["'" + t for t in DANGEROUS]
    assert {row[reason] for row in rows[1:]} == {"'-awaiting clearance"}
    assert rows[1][spreadsheets.HEADINGS.index("Due")] == "2026-12-01"


def test_xlsx_cells_arrive_as_text_never_as_formulas(tmp_path):
    path = tmp_path / "items.xlsx"
    assert spreadsheets.write_xlsx([tracked(t, n) for n, t in enumerate(DANGEROUS)], path) == 6
    sheet = load_workbook(path).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    title = spreadsheets.HEADINGS.index("Title") + 1
    titles = [sheet.cell(row=r, column=title) for r in range(2, 8)]
    assert [ooxml_text(cell.value) for cell in titles] == ["'" + t for t in DANGEROUS]
    assert {cell.data_type for cell in titles} == {"s"}
    due = sheet.cell(row=2, column=spreadsheets.HEADINGS.index("Due") + 1).value
    assert due.date() == date(2026, 12, 1)  # dates stay dates


def test_a_title_named_like_an_error_stays_text(tmp_path):
    path = tmp_path / "items.xlsx"
    spreadsheets.write_xlsx([tracked("#N/A"), tracked("#REF! in the cable", 2)], path)
    title = spreadsheets.HEADINGS.index("Title") + 1
    sheet = load_workbook(path).active
    cells = [sheet.cell(row=r, column=title) for r in (2, 3)]
    assert [(c.value, c.data_type) for c in cells] == [("#N/A", "s"), ("#REF! in the cable", "s")]


def test_characters_xml_cannot_hold_are_dropped(tmp_path):
    path = tmp_path / "items.xlsx"
    spreadsheets.write_xlsx([tracked("Bell\x07 and form feed\x0c")], path)
    title = spreadsheets.HEADINGS.index("Title") + 1
    assert load_workbook(path).active.cell(row=2, column=title).value == "Bell and form feed"


def _peak_memory_writing(rows: int) -> int:
    item = tracked("=Item")
    tracemalloc.start()
    try:
        written = spreadsheets.write_xlsx((item for _ in range(rows)), io.BytesIO())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == rows
    return peak


def test_a_large_export_runs_in_bounded_memory():
    """Six times the rows, about the same memory: the writer keeps no row once written (a
    workbook held in memory would grow by some 3 MB per thousand rows)."""
    growth = _peak_memory_writing(3_000) - _peak_memory_writing(500)
    assert growth < 1024 * 1024, f"grew by {growth / 1e6:.1f} MB"


def test_the_tracker_export_reads_from_the_database(db, people, frozen_clock, tmp_path):
    frozen_clock(datetime(2026, 11, 1, 14, tzinfo=timezone.utc))
    for title in ("=cmd|' /C calc'!A0", "+44 20 7946 0000", "Ordinary"):
        actions.create_action_item(
            actor=people["chair"],
            title=title,
            owner_agency_id=people["rep"].agency_id,
            due_on=date(2026, 11, 20) if title == "Ordinary" else date(2026, 12, 20),
        )
    frozen_clock(datetime(2026, 11, 26, 14, tzinfo=timezone.utc))
    (tmp_path / "items.xlsx").write_bytes(spreadsheets.xlsx_bytes(TrackerFilter()))
    sheet = load_workbook(tmp_path / "items.xlsx").active
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["Ordinary", "'=cmd|' /C calc'!A0", "'+44 20 7946 0000"]  # overdue first
    text = spreadsheets.csv_bytes(TrackerFilter(overdue=True)).decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 2 and "Ordinary" in text
