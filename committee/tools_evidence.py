"""The evidence review "Tools for Atrocity Prevention" (United States Holocaust Memorial Museum,
Simon-Skjodt Center for the Prevention of Genocide): what research and practitioners say about
when each of 23 policy tools works.

Its factor-level table (``all_factors_<n>.csv``, published in ``ushmm/atrocity-prevention-data``)
has one row per tool and factor: the tool's descriptions, theory of change, the strategies
(dissuade, degrade, protect, transition) and instruments (diplomatic, informational, military,
economic, legal) it serves, and a factor named in the direction the evidence points, with the
strength of the research evidence (``research_qualitative``, from the signed vote count
``vote_count_factor``) and of the practitioners' (``practitioner_qualitative``, from
``proportion_practitioner``). A tool not yet reviewed has one row and no factor.

An import is previewed before it writes, is written whole or not at all in one transaction with
one ToolsEvidenceImport row and one audit event, and importing the same file again changes
nothing. Tools match by name, factors by the row number the file gives them.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from committee import data_files
from committee.actor import Actor
from committee.errors import ValidationError
from committee.transaction import writing
from db.engine import read_session
from db.models import EvidenceFactor, EvidenceTool, ToolsEvidenceImport
from db.models.evidence import INSTRUMENTS, STRATEGIES

SOURCE = (
    "Tools for Atrocity Prevention, Simon-Skjodt Center for the Prevention of Genocide, "
    "United States Holocaust Memorial Museum"
)
TOOL_COLUMNS = {
    "name": "tool_name",
    "short_description": "Short.description",
    "description": "Description_tool",
    "theory_of_change": "Theory.of.change",
    "structural_or_operational": "Structural.or.operational",
    "strategies_text": "Strategies.the.tool.can.support",
}
FACTOR_COLUMNS = (
    "Name.Final_research",
    "Name.Final_practitioner",
    "Description.Final_research",
    "Description.Final_practitioner",
    "Contextual.or.design.factor",
    "Family",
    "research_qualitative",
    "practitioner_qualitative",
    "vote_count_factor",
    "proportion_practitioner",
)
REQUIRED = (
    *TOOL_COLUMNS.values(),
    "Evidence.review",
    *STRATEGIES,
    *INSTRUMENTS,
    *FACTOR_COLUMNS,
)
EXPECTED = (
    "the evidence review's factor table (all_factors_<n>.csv from ushmm/atrocity-prevention-data), "
    "whose header has a first unnamed row-number column and " + ", ".join(REQUIRED)
)
STRENGTHS = {"Stronger": "stronger", "Moderate": "moderate", "Weaker": "weaker"}
STRENGTHS["None available"] = "none_available"
TOOL_FIELDS = (*TOOL_COLUMNS, "evidence_reviewed", *STRATEGIES, *INSTRUMENTS)
FACTOR_FIELDS = (
    "name",
    "practitioner_name",
    "description",
    "kind",
    "family",
    "research_strength",
    "research_direction",
    "research_vote",
    "practitioner_strength",
    "practitioner_direction",
    "practitioner_share",
)
PROBLEMS_SHOWN = 10


@dataclass
class ToolsPreview:
    """What importing a file would do, or (with ``import_id``) what it did."""

    filename: str
    sha256: str
    edition: str
    rows: int
    tools: int
    factors: int
    not_reviewed: list[str] = field(default_factory=list)  # tools with no evidence review yet
    tools_new: list[str] = field(default_factory=list)
    tools_changed: list[str] = field(default_factory=list)
    factors_new: int = 0
    factors_changed: int = 0
    import_id: int | None = None

    @property
    def has_changes(self) -> bool:
        return bool(
            self.tools_new or self.tools_changed or self.factors_new or self.factors_changed
        )

    @property
    def summary(self) -> str:
        return (
            f"Edition {self.edition}: {self.rows} rows, {self.tools} tools "
            f"({len(self.not_reviewed)} without an evidence review yet), {self.factors} factors; "
            f"tools {len(self.tools_new)} new, {len(self.tools_changed)} changed; "
            f"factors {self.factors_new} new, {self.factors_changed} changed"
        )


@dataclass
class _Read:
    tools: dict[str, dict]  # name -> tool fields
    factors: dict[str, dict[int, dict]]  # tool name -> source row -> factor fields
    rows: int


def edition_of(filename: str) -> str:
    """The edition a file's name gives (``all_factors_3.csv``: "V3"), or "" when it gives none."""
    match = re.search(r"all_factors_(\d+)", filename)
    return f"V{match.group(1)}" if match else ""


def _text(cell: str) -> str:
    return "" if cell.strip() in data_files.MISSING else cell.strip()


def _flag(cell: str, column: str) -> bool:
    if cell.strip() not in ("0", "1"):
        raise data_files.BadValue(f"{column} {data_files.shown(cell)} is not 0 or 1")
    return cell.strip() == "1"


def _strength(cell: str, column: str) -> str | None:
    if cell.strip() in data_files.MISSING:
        return None
    if cell.strip() not in STRENGTHS:
        raise data_files.BadValue(
            f"{column} {data_files.shown(cell)} is not Stronger, Moderate, Weaker or None available"
        )
    return STRENGTHS[cell.strip()]


def _direction(vote: float | None) -> str | None:
    """Greater effectiveness with the factor present, lesser, or no or mixed effects."""
    if vote is None:
        return None
    return "greater" if vote > 0 else "lesser" if vote < 0 else "mixed"


def _tool(cells: dict[str, str]) -> dict:
    tool = {key: _text(cells[column]) for key, column in TOOL_COLUMNS.items()}
    reviewed = cells["Evidence.review"].strip()
    if reviewed not in ("Yes", "No"):
        raise data_files.BadValue(f"Evidence.review {data_files.shown(reviewed)} is not Yes or No")
    tool["evidence_reviewed"] = reviewed == "Yes"
    for column in (*STRATEGIES, *INSTRUMENTS):
        tool[column] = _flag(cells[column], column)
    return tool


def _factor(cells: dict[str, str]) -> dict | None:
    research, practitioner = (
        _text(cells["Name.Final_research"]),
        _text(cells["Name.Final_practitioner"]),
    )
    if not research and not practitioner:
        return None  # a tool with no evidence review yet: the row only describes the tool
    kind = _text(cells["Contextual.or.design.factor"]).lower() or None
    if kind not in (None, "contextual", "design"):
        raise data_files.BadValue(
            f"Contextual.or.design.factor {data_files.shown(kind)} is not Contextual or Design"
        )
    vote = data_files.number(cells["vote_count_factor"], "vote_count_factor")
    share = data_files.number(cells["proportion_practitioner"], "proportion_practitioner")
    return {
        "name": (research or practitioner)[:200],
        "practitioner_name": practitioner[:200] if research and practitioner != research else "",
        "description": _text(cells["Description.Final_research"])
        or _text(cells["Description.Final_practitioner"]),
        "kind": kind,
        "family": _text(cells["Family"])[:80],
        "research_strength": _strength(cells["research_qualitative"], "research_qualitative"),
        "research_direction": _direction(vote),
        "research_vote": vote,
        "practitioner_strength": _strength(
            cells["practitioner_qualitative"], "practitioner_qualitative"
        ),
        "practitioner_direction": _direction(share),
        "practitioner_share": share,
    }


def _read(content: bytes, filename: str) -> _Read:
    """The file's tools and factors; refuses the whole file, naming lines, if any row is bad."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise data_files.refuse(
            filename, f"this is not a text CSV file. Expected {EXPECTED}."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error:
        raise data_files.refuse(filename, f"not readable as CSV. Expected {EXPECTED}.") from None
    missing = [column for column in REQUIRED if column not in header]
    if not header or header[0] != "" or missing:
        what = (
            "these columns are missing: " + ", ".join(missing)
            if missing
            else "its first column is not the unnamed row number"
        )
        raise data_files.refuse(filename, f"{what}. Expected {EXPECTED}.")
    read = _Read(tools={}, factors={}, rows=0)
    problems: list[str] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                problems.append(f"line {line} has {len(cells)} values, the header {len(header)}")
                continue
            row = dict(zip(header, cells, strict=True))
            read.rows += 1
            try:
                number = data_files.number(row[""], "row number")
                if number is None or not number.is_integer():
                    raise data_files.BadValue("the row number is missing")
                tool, factor = _tool(row), _factor(row)
            except data_files.BadValue as error:
                problems.append(f"line {line}: {error}")
                continue
            if not tool["name"]:
                problems.append(f"line {line}: tool_name is empty")
                continue
            known = read.tools.setdefault(tool["name"], tool)
            if known != tool:
                problems.append(
                    f"line {line}: {data_files.shown(tool['name'])} is described otherwise above"
                )
            factors = read.factors.setdefault(tool["name"], {})
            if int(number) in factors:
                problems.append(f"line {line}: row number {int(number)} appears twice")
            if factor is not None:
                factors[int(number)] = factor
    except csv.Error as error:
        problems.append(f"line {reader.line_num}: not readable as CSV ({error})")
    if problems:
        more = len(problems) - PROBLEMS_SHOWN
        raise data_files.refuse(
            filename,
            "nothing was imported: "
            + "; ".join(problems[:PROBLEMS_SHOWN])
            + (f"; and {more} more problems" if more > 0 else "")
            + ".",
        )
    if not read.tools:
        raise data_files.refuse(
            filename, f"the file has a header but no rows. Expected {EXPECTED}."
        )
    return read


def _edition(filename: str, edition: str | None) -> str:
    edition = (edition or "").strip() or edition_of(filename)
    if not edition:
        raise ValidationError(
            "Name the edition of the evidence review this file is (e.g. V3): its file name "
            "does not say.",
            field="edition",
        )
    if len(edition) > 40:
        raise ValidationError("An edition name has at most 40 characters.", field="edition")
    return edition


def _compare(session: Session, content: bytes, filename: str, edition: str) -> tuple:
    read = _read(content, filename)
    stored_tools = {t.name: t for t in session.scalars(select(EvidenceTool))}
    stored_factors = {(f.tool_id, f.source_row): f for f in session.scalars(select(EvidenceFactor))}
    preview = ToolsPreview(
        filename=filename,
        sha256=hashlib.sha256(content).hexdigest(),
        edition=edition,
        rows=read.rows,
        tools=len(read.tools),
        factors=sum(len(f) for f in read.factors.values()),
        not_reviewed=sorted(n for n, t in read.tools.items() if not t["evidence_reviewed"]),
    )
    for name, values in read.tools.items():
        tool = stored_tools.get(name)
        if tool is None:
            preview.tools_new.append(name)
            preview.factors_new += len(read.factors[name])
            continue
        if {k: getattr(tool, k) for k in TOOL_FIELDS} != values or tool.edition != edition:
            preview.tools_changed.append(name)
        for row, factor in read.factors[name].items():
            known = stored_factors.get((tool.id, row))
            if known is None:
                preview.factors_new += 1
            elif {k: getattr(known, k) for k in FACTOR_FIELDS} != factor or (
                known.edition != edition
            ):
                preview.factors_changed += 1
    return preview, read, stored_tools, stored_factors


def preview_file(*, content: bytes, filename: str, edition: str | None = None) -> ToolsPreview:
    """What importing ``content`` would do. Writes nothing; refuses a malformed file."""
    edition = _edition(filename, edition)
    with read_session() as session:
        return _compare(session, content, filename, edition)[0]


def import_file(
    *, actor: Actor, content: bytes, filename: str, edition: str | None = None
) -> ToolsPreview:
    """Import the evidence review's factor table: all of it or, on any problem, nothing.
    Compared again inside the transaction, so what is written is what differs at that moment.
    A factor a newer edition drops is kept (plans cite it) under the edition it came from."""
    edition = _edition(filename, edition)
    with writing(actor, "tools_evidence.import") as w:
        w.require("tools_evidence.import")
        preview, read, tools, factors = _compare(w.session, content, filename, edition)
        if not preview.has_changes:
            w.audit(
                record_type="tools_evidence_import",
                after=None,
                detail=f"{filename}: nothing new. {preview.summary}",
            )
            return preview
        record = ToolsEvidenceImport(
            edition=edition,
            filename=filename[:300],
            sha256=preview.sha256,
            tools_new=len(preview.tools_new),
            tools_changed=len(preview.tools_changed),
            factors_new=preview.factors_new,
            factors_changed=preview.factors_changed,
            imported_by_id=actor.id,
        )
        w.session.add(record)
        w.session.flush()
        for name, values in read.tools.items():
            tool = tools.get(name)
            if tool is None:
                tool = EvidenceTool(**values, edition=edition, import_id=record.id)
                w.session.add(tool)
                w.session.flush()
            elif name in preview.tools_changed:
                w.touch(tool, **values, edition=edition, import_id=record.id)
            for row, values in read.factors[name].items():
                known = factors.get((tool.id, row))
                if known is None:
                    w.session.add(
                        EvidenceFactor(tool_id=tool.id, source_row=row, edition=edition, **values)
                    )
                elif {k: getattr(known, k) for k in FACTOR_FIELDS} != values or (
                    known.edition != edition
                ):
                    w.touch(known, **values, edition=edition)
        w.audit(record, detail=preview.summary)
        preview.import_id = record.id
    return preview


# --- reading what is stored -------------------------------------------------------------------


def imports() -> list:
    """Every import, newest first (as statistical_risk.imports lists its own)."""
    from committee import statistical_risk  # late: it reaches this module through coverage

    return statistical_risk.imports(ToolsEvidenceImport)


@dataclass(frozen=True)
class ToolEvidence:
    """A tool with the factors of its current edition, strongest evidence first."""

    tool: EvidenceTool
    factors: list[EvidenceFactor]

    @property
    def strategies(self) -> list[str]:
        return [s for s in STRATEGIES if getattr(self.tool, s)]

    @property
    def instruments(self) -> list[str]:
        return [i for i in INSTRUMENTS if getattr(self.tool, i)]


STRENGTH_ORDER = {"stronger": 0, "moderate": 1, "weaker": 2, "none_available": 3, None: 4}


def strongest(factor: EvidenceFactor) -> str | None:
    """The stronger of a factor's research and practitioner strengths of evidence."""
    return min(
        (factor.research_strength, factor.practitioner_strength), key=STRENGTH_ORDER.__getitem__
    )


def tools(tool_ids: list[int] | None = None) -> list[ToolEvidence]:
    """The tools (all, or those of ``tool_ids``) with their current factors, by name."""
    with read_session() as session:
        query = select(EvidenceTool).order_by(EvidenceTool.name)
        if tool_ids is not None:
            query = query.where(EvidenceTool.id.in_(tool_ids))
        found = list(session.scalars(query))
        by_tool: dict[int, list[EvidenceFactor]] = {t.id: [] for t in found}
        editions = {t.id: t.edition for t in found}
        for factor in session.scalars(
            select(EvidenceFactor).where(EvidenceFactor.tool_id.in_(list(by_tool)))
        ):
            if factor.edition == editions[factor.tool_id]:
                by_tool[factor.tool_id].append(factor)
    return [
        ToolEvidence(
            tool,
            sorted(by_tool[tool.id], key=lambda f: (STRENGTH_ORDER[strongest(f)], f.source_row)),
        )
        for tool in found
    ]


# --- a plan's use of a tool against the evidence ----------------------------------------------

STRONG_EVIDENCE = ("stronger", "moderate")


def against_evidence(factor: EvidenceFactor, mark: str) -> list[str]:
    """Why relying on the factor's tool goes against the evidence, where it does: a factor with
    stronger or moderate evidence that the tool works better with it is marked as not holding,
    or one with such evidence that it works worse is marked as holding. Weaker evidence and
    no-or-mixed findings flag nothing."""
    reasons = []
    for source, strength, direction in (
        ("research", factor.research_strength, factor.research_direction),
        ("practitioners", factor.practitioner_strength, factor.practitioner_direction),
    ):
        if strength in STRONG_EVIDENCE and (direction, mark) in (
            ("greater", "does_not_hold"),
            ("lesser", "holds"),
        ):
            better = "better" if direction == "greater" else "worse"
            reasons.append(f"{source}: {strength} evidence that the tool works {better} with it")
    return reasons
