"""The United States Holocaust Memorial Museum's evidence review "Tools for Atrocity
Prevention": its tools, and the factors with which each works better or worse, as imported
(committee/tools_evidence.py). Lines of effort name these tools and mark, for their country,
which factors hold (db/models/plans.py)."""

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from db.models.base import Edited, one_of

STRENGTHS = ("stronger", "moderate", "weaker", "none_available")
DIRECTIONS = ("greater", "lesser", "mixed")  # effectiveness with the factor present
FACTOR_KINDS = ("contextual", "design")
STRATEGIES = ("dissuade", "degrade", "protect", "transition")
INSTRUMENTS = ("diplomatic", "informational", "military", "economic", "legal")


class ToolsEvidenceImport(Edited, table=True):
    """One import of the evidence review's factor table: which edition, from which file, by whom."""

    id: int | None = Field(default=None, primary_key=True)
    edition: str = Field(max_length=40, description="e.g. 'V3 - 2025_April'")
    filename: str = Field(max_length=300)
    sha256: str = Field(max_length=64, index=True)
    tools_new: int = 0
    tools_changed: int = 0
    factors_new: int = 0
    factors_changed: int = 0
    imported_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class EvidenceTool(Edited, table=True):
    """An atrocity prevention tool of the evidence review (sanctions, mediation, ...)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    short_description: str = Field(default="")
    description: str = Field(default="")
    theory_of_change: str = Field(default="")
    structural_or_operational: str = Field(default="", description="Structural, Operational")
    evidence_reviewed: bool = Field(default=True, description="false: no evidence review yet")
    strategies_text: str = Field(default="", description="the strategies it can support, in prose")
    dissuade: bool = False
    degrade: bool = False
    protect: bool = False
    transition: bool = False
    diplomatic: bool = False
    informational: bool = False
    military: bool = False
    economic: bool = False
    legal: bool = False
    edition: str = Field(max_length=40, description="the edition it was last imported from")
    import_id: int | None = Field(default=None, foreign_key="tools_evidence_import.id")


class EvidenceFactor(Edited, table=True):
    """A factor associated with a tool's effectiveness, named in the direction the evidence
    points, with the strength of the research and of the practitioners' evidence."""

    __table_args__ = (
        UniqueConstraint("tool_id", "source_row"),
        one_of("research_strength", STRENGTHS),
        one_of("practitioner_strength", STRENGTHS),
        one_of("research_direction", DIRECTIONS),
        one_of("practitioner_direction", DIRECTIONS),
        one_of("kind", FACTOR_KINDS),
    )

    id: int | None = Field(default=None, primary_key=True)
    tool_id: int = Field(foreign_key="evidence_tool.id", index=True)
    source_row: int = Field(description="the row number the file gives it (its first column)")
    name: str = Field(max_length=200, description="as the research names it, else practitioners")
    practitioner_name: str = Field(
        default="", max_length=200, description="where practitioners name it otherwise"
    )
    description: str = Field(default="")
    kind: str | None = Field(default=None, max_length=16, description="contextual or design")
    family: str = Field(default="", max_length=80)
    research_strength: str | None = Field(default=None, max_length=16)
    research_direction: str | None = Field(default=None, max_length=8)
    research_vote: float | None = Field(default=None, description="the signed vote count")
    practitioner_strength: str | None = Field(default=None, max_length=16)
    practitioner_direction: str | None = Field(default=None, max_length=8)
    practitioner_share: float | None = Field(default=None, description="proportion_practitioner")
    edition: str = Field(max_length=40, description="the edition it was last imported from")
