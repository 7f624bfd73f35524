"""Action items as CSV and XLSX, as the tracker filters them.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab
or carriage return) as a formula: a title typed as ``=HYPERLINK(...)`` would become a live
link on the chair's machine. ``neutralise`` prefixes such text with a single quote; the XLSX
writer also stores every text cell as text. Rows are streamed from the database and written as
they come (XlsxWriter's constant-memory mode), so an export of any size runs in bounded memory.
"""

import csv
import io
import re
from collections.abc import Iterable
from datetime import date
from typing import BinaryIO, TextIO

import xlsxwriter

from committee import tracker, vocabulary
from committee.tracker import TrackedItem, TrackerFilter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
DAY = "yyyy-mm-dd"
# (heading, value of a tracked item, column width in XLSX)
COLUMNS = [
    ("ID", lambda t: t.item.id, 7),
    ("Title", lambda t: t.item.title, 50),
    ("Country", lambda t: t.country_name or "", 22),
    ("Owner agency", lambda t: t.agency_code, 12),
    ("Assignee", lambda t: t.assignee_name or "", 20),
    ("Origin", lambda t: vocabulary.ORIGIN_LABELS[t.item.origin], 20),
    ("Status", lambda t: vocabulary.ACTION_STATUS_LABELS[t.item.status], 12),
    ("Reason or closing note", lambda t: t.item.status_reason, 40),
    ("Priority", lambda t: vocabulary.PRIORITY_LABELS[t.item.priority], 10),
    ("Due", lambda t: t.item.due_on, 12),
    ("Overdue", lambda t: "Yes" if t.overdue else "No", 9),
    ("New due date requested", lambda t: t.requested_due_on, 14),
    ("Description", lambda t: t.item.description, 60),
]
HEADINGS = [heading for heading, _, _ in COLUMNS]


def neutralise(value):
    """Text that a spreadsheet would run as a formula, prefixed with a single quote so that it
    is shown as typed. Anything other than text is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _values(tracked: TrackedItem) -> list:
    return [value(tracked) for _, value, _ in COLUMNS]


def write_csv(items: Iterable[TrackedItem], out: TextIO) -> int:
    """Write ``items`` as CSV to ``out`` (opened with ``newline=""``); returns the row count."""
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    count = 0
    for tracked in items:
        writer.writerow(["" if v is None else neutralise(v) for v in _values(tracked)])
        count += 1
    return count


def write_xlsx(items: Iterable[TrackedItem], out: BinaryIO | str) -> int:
    """Write ``items`` as an XLSX workbook to ``out`` (a path or a binary file); returns the row
    count. Text cells are stored as text (never a formula, whatever they begin with), dates as
    dates."""
    # XlsxWriter, row by row to a temporary file (constant memory); told never to read a text
    # as a formula, a number or a link.
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet("Action items")
    bold, day = workbook.add_format({"bold": True}), workbook.add_format({"num_format": DAY})
    for column, (heading, _, width) in enumerate(COLUMNS):
        sheet.set_column(column, column, width)
        sheet.write_string(0, column, heading, bold)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, tracked in enumerate(items, start=1):
        for column, value in enumerate(_values(tracked)):
            if isinstance(value, str):
                # Characters XML cannot hold would make the workbook unreadable.
                sheet.write_string(count, column, neutralise(_NOT_IN_XML.sub("", value)))
            elif isinstance(value, date):
                sheet.write_datetime(count, column, value, day)
            elif value is not None:
                sheet.write_number(count, column, value)
    workbook.close()
    return count


def csv_bytes(selection: TrackerFilter) -> bytes:
    """The filtered list as CSV bytes (UTF-8 with a byte order mark, which Excel needs to read
    the accents in names right)."""
    text = io.StringIO(newline="")
    write_csv(tracker.iter_items(selection), text)
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def xlsx_bytes(selection: TrackerFilter) -> bytes:
    """The filtered list as XLSX bytes."""
    buffer = io.BytesIO()
    write_xlsx(tracker.iter_items(selection), buffer)
    return buffer.getvalue()
