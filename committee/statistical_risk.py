"""Statistical risk from the Early Warning Project (United States Holocaust Memorial Museum).

Each year the Project publishes, for every country of more than 500,000 people, the estimated
risk that a new mass killing begins there. Two kinds of its files are read:

- a forecast edition (``final_forecasts_data_*.csv``): one row per country. The columns carry
  the years: ``risk.2025and2026.from2024`` is the two-year risk for 2025-2026 computed from 2024
  data, ``rank.2025and2026.from2025`` its rank, ``risk.2024and2025.from2023`` last edition's
  figure. Edition, period and data year are read from these names, never assumed.
- the out-of-sample history (``FOOSforecasts_*.csv``): one row per country and year since 1994,
  with the risk forecast for that year from the year before (``risk_prev``), its rank, and
  whether a mass killing began (``mk_onset``): each country's risk trend.

Countries match by Correlates of War code (``ccode``) against ``Country.cow_code``, which the
reference migration filled from ``db/reference/countries.csv``; the Project's names are only shown.

An import is previewed (new, changed, unchanged, unmatched) before it writes; it is written in
one transaction with one RiskImport row and one audit event, and importing the same file again
changes nothing. Importing a forecast edition evaluates the chair's rules on it in the same
transaction and opens a signal for each firing (committee/signals.py).
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, insert, select
from sqlmodel import Session

from committee import clock, data_files, signals
from committee.actor import Actor
from committee.errors import ValidationError
from committee.naming import person_name
from committee.transaction import Writing, writing
from db.engine import read_session
from db.models import Country, RiskImport, RiskObservation, User

SOURCE = "Early Warning Project"
# risk.2025and2026.from2024: two-year risk for 2025-2026 from 2024 data (rank columns alike).
PERIOD_COLUMN = re.compile(r"^(risk|rank)\.(\d{4})and(\d{4})\.from(\d{4})$")
HISTORY_COLUMNS = ("year", "prev_year", "ewp_name", "ccode", "mk_onset", "risk_prev", "rank_prev")
EXPECTED = (
    "an Early Warning Project statistical risk file: a forecast edition, whose header has "
    "ewp_name, ccode and risk.YYYYandYYYY.fromYYYY and rank.YYYYandYYYY.fromYYYY columns, or "
    "the history file, whose header has " + ", ".join(HISTORY_COLUMNS)
)
PROBLEMS_SHOWN = 10
# The largest file the Project publishes (the 30-year history) is about 0.5 MB. A file is
# read as it streams in and refused once past this size, so memory stays bounded whatever
# is uploaded or named on the command line (the upload limit in .streamlit/config.toml is
# the same).
MAX_MEGABYTES = 5
MAX_BYTES = MAX_MEGABYTES * 1024 * 1024
# The figures stored for each country and year, compared to tell a changed row from the same.
FIGURE_FIELDS = (
    "period",
    "risk",
    "rank",
    "previous_risk",
    "previous_rank",
    "mass_killing_onset",
)


@dataclass(frozen=True)
class Figure:
    """One row of the file, matched to a country: what would be stored for it."""

    line: int
    country_code: str
    country_name: str
    data_year: int
    period: str
    risk: float
    rank: int | None
    previous_risk: float | None = None
    previous_rank: int | None = None
    mass_killing_onset: bool | None = None

    def values(self) -> dict:
        return {name: getattr(self, name) for name in FIGURE_FIELDS}


@dataclass(frozen=True)
class Unmatched:
    """A row whose Correlates of War code matches no country."""

    line: int
    ewp_name: str
    ccode: int


@dataclass(frozen=True)
class Change:
    """A row whose figures differ from those stored: ``before`` holds the stored values."""

    figure: Figure
    before: dict


@dataclass
class ImportPreview:
    """What importing a file would do, or (with ``import_id``) what it did."""

    filename: str
    sha256: str
    kind: str  # forecast | history
    edition: str
    description: str  # e.g. "2025 edition: two-year risk for 2025-2026, from 2024 data"
    rows: int
    new: list[Figure] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    unmatched: list[Unmatched] = field(default_factory=list)
    without_figure: list[int] = field(default_factory=list)  # lines whose risk is NA
    import_id: int | None = None
    signals: int = 0  # signals the import opened (committee.signals)

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.changed)

    @property
    def summary(self) -> str:
        text = (
            f"{self.description}: {self.rows} rows; {len(self.new)} new, "
            f"{len(self.changed)} changed, {self.unchanged} unchanged, "
            f"{len(self.unmatched)} unmatched"
        )
        if self.without_figure:
            text += f", {len(self.without_figure)} without a figure (NA)"
        return text


@dataclass(frozen=True)
class _Layout:
    """Where a file keeps its figures, read from its header."""

    kind: str
    risk: str
    rank: str
    period: str = ""  # forecast: "2025-2026" (history: one per row)
    edition: str = ""  # forecast: its first forecast year (history: from its rows)
    data_year: int = 0  # forecast: the year of the data (history: one per row)
    previous_risk: str | None = None
    previous_rank: str | None = None


@dataclass(slots=True)  # one per row: a large file holds many
class _Row:
    line: int
    ewp_name: str
    ccode: int
    data_year: int
    period: str
    risk: float | None
    rank: int | None
    previous_risk: float | None = None
    previous_rank: int | None = None
    mass_killing_onset: bool | None = None


# --- reading a file -------------------------------------------------------------------------


def too_big(filename: str) -> ValidationError:
    return data_files.refuse(
        filename,
        f"the file is larger than {MAX_MEGABYTES} MB, the most this import reads (the Project's "
        f"files are under 1 MB). Expected {EXPECTED}.",
    )


class _Measured(io.RawIOBase):
    """A file read as it streams: its SHA-256 taken on the way, refused once too large."""

    def __init__(self, source: BinaryIO, filename: str) -> None:
        self.source, self.filename = source, filename
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.source.read(len(buffer))
        self.size += len(chunk)
        if self.size > MAX_BYTES:
            raise too_big(self.filename)
        self.digest.update(chunk)
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _not_text(filename: str) -> ValidationError:
    return data_files.refuse(filename, f"this is not a text CSV file. Expected {EXPECTED}.")


def _cells(reader, filename: str):
    """The reader's rows; a file that is not UTF-8 text is refused whole."""
    try:
        for cells in reader:
            if any("\x00" in cell for cell in cells):
                raise _not_text(filename)
            yield cells
    except UnicodeDecodeError:
        raise _not_text(filename) from None


def _layout(header: list[str], filename: str) -> _Layout:
    periods: dict[tuple[str, int, int], tuple[str, int]] = {}
    for name in header:
        match = PERIOD_COLUMN.match(name)
        if match:
            what, first, last, data_year = match.groups()
            periods[(what, int(first), int(last))] = (name, int(data_year))
    risks = sorted(key for key in periods if key[0] == "risk")
    if risks and {"ewp_name", "ccode"} <= set(header):
        _, first, last = risks[-1]
        rank = periods.get(("rank", first, last))
        if rank is None:
            raise data_files.refuse(
                filename,
                f"the file has a risk column for {first}-{last} but no "
                f"rank.{first}and{last}.fromYYYY column. Expected {EXPECTED}.",
            )
        risk_column, data_year = periods[("risk", first, last)]
        previous = periods.get(("risk", first - 1, last - 1))
        previous_rank = periods.get(("rank", first - 1, last - 1))
        return _Layout(
            kind="forecast",
            risk=risk_column,
            rank=rank[0],
            period=f"{first}-{last}",
            edition=str(first),
            data_year=data_year,
            previous_risk=previous[0] if previous else None,
            previous_rank=previous_rank[0] if previous_rank else None,
        )
    if set(HISTORY_COLUMNS) <= set(header):
        return _Layout(kind="history", risk="risk_prev", rank="rank_prev")
    shown = ", ".join(data_files.shown(name) if name else "(unnamed)" for name in header[:8])
    raise data_files.refuse(filename, f"expected {EXPECTED}; this file's header begins: {shown}.")


def _whole(cell: str, what: str, *, required: bool = False) -> int | None:
    value = data_files.number(cell, what)
    if value is None:
        if required:
            raise data_files.BadValue(f"{what} is missing")
        return None
    if not value.is_integer():
        raise data_files.BadValue(f"{what} {data_files.shown(cell)} is not a whole number")
    return int(value)


def _probability(cell: str, what: str) -> float | None:
    value = data_files.number(cell, what)
    if value is not None and not 0 <= value <= 1:
        raise data_files.BadValue(
            f"{what} {data_files.shown(cell)} is not a probability between 0 and 1"
        )
    return value


def _read_row(layout: _Layout, line: int, cells: dict[str, str]) -> _Row:
    ccode = _whole(cells["ccode"], "ccode", required=True)
    row = _Row(
        line=line,
        ewp_name=cells["ewp_name"].strip(),
        ccode=ccode,
        data_year=layout.data_year,
        period=layout.period,
        risk=_probability(cells[layout.risk], layout.risk),
        rank=_whole(cells[layout.rank], layout.rank),
    )
    if layout.kind == "forecast":
        if layout.previous_risk:
            row.previous_risk = _probability(cells[layout.previous_risk], layout.previous_risk)
        if layout.previous_rank:
            row.previous_rank = _whole(cells[layout.previous_rank], layout.previous_rank)
    else:
        row.data_year = _whole(cells["prev_year"], "prev_year", required=True)
        row.period = str(_whole(cells["year"], "year", required=True))
        onset = _whole(cells["mk_onset"], "mk_onset")
        if onset not in (None, 0, 1):
            raise data_files.BadValue(
                f"mk_onset {data_files.shown(cells['mk_onset'])} is not 0 or 1"
            )
        row.mass_killing_onset = None if onset is None else bool(onset)
    return row


def _read(content: bytes | BinaryIO, filename: str) -> tuple[_Layout, list[_Row], str]:
    """The file's layout, rows and SHA-256, read as it streams; refuses the whole file, naming
    lines, if any row is bad."""
    source = io.BytesIO(content) if isinstance(content, bytes) else content
    if source.seekable():
        source.seek(0)  # a file previewed, then imported
    measured = _Measured(source, filename)
    text = io.TextIOWrapper(io.BufferedReader(measured), encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    cells_of = _cells(reader, filename)
    try:
        header = [name.strip() for name in next(cells_of, [])]
    except csv.Error as error:
        raise data_files.refuse(
            filename, f"not readable as CSV ({error}). Expected {EXPECTED}."
        ) from None
    if not any(header):
        raise data_files.refuse(filename, f"the file is empty. Expected {EXPECTED}.")
    layout = _layout(header, filename)
    rows: list[_Row] = []
    problems: list[str] = []  # the first PROBLEMS_SHOWN; all of them counted
    found = 0

    def problem(text: str) -> None:
        nonlocal found
        found += 1
        if len(problems) < PROBLEMS_SHOWN:
            problems.append(text)

    seen: dict[tuple[int, str], int] = {}
    try:
        for cells in cells_of:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                problem(f"line {line} has {len(cells)} values where the header has {len(header)}")
                continue
            try:
                row = _read_row(layout, line, dict(zip(header, cells, strict=True)))
            except data_files.BadValue as error:
                problem(f"line {line}: {error}")
                continue
            key = (row.ccode, row.period)
            if key in seen:
                year = f" for {row.period}" if layout.kind == "history" else ""
                problem(
                    f"lines {seen[key]} and {line} both give ccode {row.ccode} "
                    f"({data_files.shown(row.ewp_name)}){year}"
                )
            seen.setdefault(key, line)
            rows.append(row)
    except csv.Error as error:
        problem(f"line {reader.line_num}: not readable as CSV ({error})")
    if problems:
        shown = "; ".join(problems)
        more = found - PROBLEMS_SHOWN
        raise data_files.refuse(
            filename,
            f"nothing was imported: {shown}"
            + (f"; and {more} more problems" if more > 0 else "")
            + ".",
        )
    if not rows:
        raise data_files.refuse(
            filename, f"the file has a header but no rows. Expected {EXPECTED}."
        )
    if layout.kind == "history":
        # A history ends with the forecast for the year before its edition.
        last = max(int(row.period) for row in rows)
        layout = _Layout(kind="history", risk=layout.risk, rank=layout.rank, edition=str(last + 1))
    return layout, rows, measured.digest.hexdigest()


def _description(layout: _Layout, rows: list[_Row]) -> str:
    if layout.kind == "forecast":
        first, last = layout.period.split("-")
        return (
            f"{layout.edition} edition: two-year risk for {first}–{last}, "
            f"from {layout.data_year} data"
        )
    years = sorted(int(row.period) for row in rows)
    return f"History of the {layout.edition} edition: yearly forecasts {years[0]}–{years[-1]}"


# --- comparing with what is stored ----------------------------------------------------------


def _compare(session: Session, content: bytes | BinaryIO, filename: str) -> ImportPreview:
    layout, rows, sha256 = _read(content, filename)
    countries = {
        cow: (code, name)
        for cow, code, name in session.execute(
            select(Country.cow_code, Country.code, Country.name).where(
                Country.cow_code.is_not(None)
            )
        )
    }
    stored = {
        (o.country_code, o.data_year): o
        for o in session.scalars(
            select(RiskObservation).where(
                RiskObservation.source == SOURCE,
                RiskObservation.edition == layout.edition,
                RiskObservation.kind == layout.kind,
            )
        )
    }
    preview = ImportPreview(
        filename=filename,
        sha256=sha256,
        kind=layout.kind,
        edition=layout.edition,
        description=_description(layout, rows),
        rows=len(rows),
    )
    for row in rows:
        if row.ccode not in countries:
            preview.unmatched.append(Unmatched(row.line, row.ewp_name, row.ccode))
            continue
        if row.risk is None:
            preview.without_figure.append(row.line)
            continue
        code, name = countries[row.ccode]
        figure = Figure(
            line=row.line,
            country_code=code,
            country_name=name,
            data_year=row.data_year,
            period=row.period,
            risk=row.risk,
            rank=row.rank,
            previous_risk=row.previous_risk,
            previous_rank=row.previous_rank,
            mass_killing_onset=row.mass_killing_onset,
        )
        existing = stored.get((code, row.data_year))
        if existing is None:
            preview.new.append(figure)
            continue
        before = {name: getattr(existing, name) for name in FIGURE_FIELDS}
        if before == figure.values():
            preview.unchanged += 1
        else:
            preview.changed.append(Change(figure, before))
    return preview


def preview_file(*, content: bytes | BinaryIO, filename: str) -> ImportPreview:
    """What importing ``content`` (the file's bytes, or the file open for reading) would do.
    Writes nothing; refuses a malformed file, or one over ``MAX_MEGABYTES``."""
    with read_session() as session:
        return _compare(session, content, filename)


def import_file(*, actor: Actor, content: bytes | BinaryIO, filename: str) -> ImportPreview:
    """Import a file: all of it or, on any problem, nothing. The figures are compared again
    inside the transaction, so what is written is what differs at that moment."""
    with writing(actor, "risk.import") as w:
        w.require("risk.import")
        preview = _compare(w.session, content, filename)
        if not preview.has_changes:
            # Nothing to write: the record stays as it is; the attempt is still audited. The
            # rules are evaluated again (the chair may have set new ones since); a firing
            # already recorded opens nothing.
            w.audit(
                record_type="risk_import",
                after=None,
                detail=f"{filename}: nothing new. {preview.summary}",
            )
            if preview.kind == "forecast":
                preview.signals = _evaluate(w, actor, preview)
            return preview
        record = RiskImport(
            source=SOURCE,
            edition=preview.edition,
            kind=preview.kind,
            filename=filename[:300],
            sha256=preview.sha256,
            rows_new=len(preview.new),
            rows_changed=len(preview.changed),
            rows_unmatched=len(preview.unmatched),
            imported_by_id=actor.id,
        )
        w.session.add(record)
        w.session.flush()
        now = clock.now()
        if preview.new:
            w.session.execute(
                insert(RiskObservation),
                [
                    {
                        **figure.values(),
                        "source": SOURCE,
                        "edition": preview.edition,
                        "kind": preview.kind,
                        "country_code": figure.country_code,
                        "data_year": figure.data_year,
                        "import_id": record.id,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for figure in preview.new
                ],
            )
        if preview.changed:
            stored = {
                (o.country_code, o.data_year): o
                for o in w.session.scalars(
                    select(RiskObservation).where(
                        RiskObservation.source == SOURCE,
                        RiskObservation.edition == preview.edition,
                        RiskObservation.kind == preview.kind,
                    )
                )
            }
            for change in preview.changed:
                observation = stored[(change.figure.country_code, change.figure.data_year)]
                w.touch(observation, **change.figure.values(), import_id=record.id)
        w.audit(record, detail=preview.summary)
        preview.import_id = record.id
        if preview.kind == "forecast":
            # Blueprint 2-5: the new figures trigger review in the import's own transaction.
            preview.signals = _evaluate(w, actor, preview)
    return preview


def _evaluate(w: Writing, actor: Actor, preview: ImportPreview) -> int:
    """Open the signals the chair's rules fire on the edition; how many were opened."""
    import_id = preview.import_id or w.session.scalar(
        select(func.max(RiskImport.id)).where(
            RiskImport.edition == preview.edition, RiskImport.kind == "forecast"
        )
    )
    opened = signals.open_signals(
        actor=actor, edition=preview.edition, sha256=preview.sha256, risk_import_id=import_id
    )
    return len(opened)


# --- what has been imported -----------------------------------------------------------------


@dataclass(frozen=True)
class ImportRecord:
    """A past import (of the statistical risk, or of another public data set), with who
    made it."""

    record: RiskImport
    imported_by: str


def imports(model=RiskImport) -> list[ImportRecord]:
    """Every import of ``model``'s kind, newest first."""
    with read_session() as session:
        return [
            ImportRecord(record, name or "Operator (command line)")
            for record, name in session.execute(
                select(model, person_name())
                .join(User, User.id == model.imported_by_id, isouter=True)
                .order_by(model.id.desc())
            )
        ]


def newest_edition() -> str | None:
    """The attribution line for the newest forecast edition, or None before any import."""
    with read_session() as session:
        row = session.execute(
            select(RiskObservation.edition, RiskObservation.period)
            .where(RiskObservation.source == SOURCE, RiskObservation.kind == "forecast")
            .order_by(RiskObservation.edition.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    edition, period = row
    return (
        f"{SOURCE}, United States Holocaust Memorial Museum, {edition} edition: estimated "
        f"risk that a new mass killing begins in {period.replace('-', '–')}"
    )


def files_to_load(folder: Path) -> list[Path]:
    """In a folder of the Project's files: the newest forecast edition and the newest
    history, found by reading their headers (the demo loads these)."""
    newest: dict[str, tuple[str, Path]] = {}
    for path in sorted(folder.glob("*.csv")):
        try:
            with path.open("rb") as file:
                layout, _, _ = _read(file, path.name)
        except ValidationError:
            continue  # other files of the Project (e.g. the country name sheet)
        if layout.kind not in newest or layout.edition > newest[layout.kind][0]:
            newest[layout.kind] = (layout.edition, path)
    return [newest[kind][1] for kind in ("forecast", "history") if kind in newest]
