"""Action items as CSV and XLSX, as the tracker filters them.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab
or carriage return) as a formula: a title typed as ``=HYPERLINK(...)`` would become a live
link on the chair's machine. ``neutralise`` prefixes such text with a single quote; the XLSX
writer also stores every text cell as text. Rows are streamed from the database and written as
they come (openpyxl's write-only mode), so an export of any size runs in bounded memory.
"""

import csv
import io
from collections.abc import Iterable
from typing import BinaryIO, TextIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from committee import tracker, vocabulary
from committee.tracker import TrackedItem, TrackerFilter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
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
    count. Text cells are stored as text, dates as dates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Action items")
    for index, (_, _, width) in enumerate(COLUMNS):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, heading, font=bold) for heading in HEADINGS])
    count = 0
    for tracked in items:
        sheet.append([_cell(sheet, value) for value in _values(tracked)])
        count += 1
    workbook.save(out)
    return count


def _cell(sheet, value, font=None) -> WriteOnlyCell:
    if isinstance(value, str):
        # Characters XML cannot hold would make the workbook unreadable.
        cell = WriteOnlyCell(sheet, value=neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))
        cell.data_type = "s"  # text, never a formula, whatever it begins with
    else:
        cell = WriteOnlyCell(sheet, value=value)
        if value is not None and not isinstance(value, int):
            cell.number_format = "yyyy-mm-dd"
    if font is not None:
        cell.font = font
    return cell


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
