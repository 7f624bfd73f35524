"""The audit trail as CSV, as the audit page filters it.

Anyone can type anything into the sign-in form's email field, and that text is recorded as
typed: a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) would
run as a formula in a spreadsheet, so every cell goes through ``spreadsheets.neutralise``.
"""

import csv
import io

from committee import auditlog
from committee.actor import Actor
from committee.auditlog import AuditFilter
from exports.spreadsheets import neutralise


def csv_bytes(*, actor: Actor, where: AuditFilter) -> bytes:
    """The matching events, oldest first, as CSV bytes (UTF-8 with a byte order mark, which
    Excel needs to read accents right)."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    for row in auditlog.export_rows(actor=actor, where=where):
        writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" + text.getvalue()).encode("utf-8")
