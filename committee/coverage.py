"""Coverage: what the committee's plans address, and what they leave open.

- For a country: the risk factors its latest assessment rates high that no line of effort of
  its plans in effect addresses (or, for one plan version, that version's lines leave out).
- Across countries: which Blueprint tools, toolbox categories and recommendations, the plans in
  effect use, and which none uses.
- Gaps: a tier 1 or tier 2 country with no plan in effect; a plan in effect past its review-by
  date. The watchlist and the home page show them.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from committee import clock
from committee.briefs import Assessment
from committee.tools_evidence import against_evidence
from committee.vocabulary import PLAN_KIND_LABELS, RISK_FACTORS, TOOLBOX_LABELS
from db.engine import read_session
from db.models import (
    BlueprintRecommendation,
    Country,
    EvidenceFactor,
    EvidenceTool,
    LineOfEffort,
    LineOfEffortEvidenceMark,
    LineOfEffortFactor,
    LineOfEffortRecommendation,
    Plan,
    PlanVersion,
    RiskAssessment,
    RiskFactorRating,
    WatchlistEntry,
)

# Tiers that call for a plan in effect: acute (1) and high risk (2).
TIERS_NEEDING_A_PLAN = (1, 2)


@dataclass(frozen=True)
class Gap:
    """Something the committee's plans should cover and do not."""

    kind: str  # no_plan | review_overdue
    country_code: str
    country_name: str
    tier: int | None
    plan_id: int | None = None
    plan_kind: str | None = None
    review_by: date | None = None

    @property
    def text(self) -> str:
        if self.kind == "no_plan":
            return f"Tier {self.tier} with no plan in effect"
        return (
            f"{PLAN_KIND_LABELS[self.plan_kind]} past its review-by date "
            f"({self.review_by:%d %b %Y})"
        )


def gaps(session: Session | None = None, *, today: date | None = None) -> list[Gap]:
    """Every gap, tier 1 first, in two queries."""
    if session is None:
        with read_session() as session:
            return gaps(session, today=today)
    today = today or clock.today()
    in_effect = select(Plan.country_code).where(Plan.status == "approved")
    found = [
        Gap("no_plan", code, name, tier)
        for code, name, tier in session.execute(
            select(WatchlistEntry.country_code, Country.name, WatchlistEntry.tier)
            .join(Country, Country.code == WatchlistEntry.country_code)
            .where(
                WatchlistEntry.on_watchlist,
                WatchlistEntry.tier.in_(TIERS_NEEDING_A_PLAN),
                WatchlistEntry.country_code.not_in(in_effect),
            )
        )
    ]
    found += [
        Gap("review_overdue", plan.country_code, name, tier, plan.id, plan.kind, plan.review_by)
        for plan, name, tier in session.execute(
            select(Plan, Country.name, WatchlistEntry.tier)
            .join(Country, Country.code == Plan.country_code)
            .join(
                WatchlistEntry,
                (WatchlistEntry.country_code == Plan.country_code) & WatchlistEntry.on_watchlist,
                isouter=True,
            )
            .where(Plan.status == "approved", Plan.review_by < today)
        )
    ]
    return sorted(found, key=lambda g: (g.tier or 9, g.country_name, g.kind))


# --- risk factors -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FactorGap:
    """A risk factor rated high that no line of effort addresses."""

    factor: int
    note: str

    @property
    def name(self) -> str:
        return RISK_FACTORS[self.factor]


def _addressed(session: Session, version_ids: list[int]) -> set[int]:
    return set(
        session.scalars(
            select(LineOfEffortFactor.factor)
            .join(LineOfEffort, LineOfEffort.id == LineOfEffortFactor.line_of_effort_id)
            .where(LineOfEffort.plan_version_id.in_(version_ids))
        )
    )


def unaddressed(*, assessment: Assessment | None, version_ids: list[int]) -> list[FactorGap]:
    """Factors ``assessment`` rates high that no line of effort of these plan versions
    addresses (none without an assessment)."""
    high = sorted(
        (r for r in (assessment.ratings.values() if assessment else ()) if r.rating == "high"),
        key=lambda r: r.factor,
    )
    if not high:
        return []
    with read_session() as session:
        addressed = _addressed(session, version_ids)
    return [FactorGap(r.factor, r.note) for r in high if r.factor not in addressed]


def unaddressed_by_version(version_id: int) -> list[FactorGap]:
    """Factors the country's latest assessment rates high that this plan version leaves out."""
    latest = (
        select(RiskAssessment.id)
        .join(Plan, Plan.country_code == RiskAssessment.country_code)
        .join(PlanVersion, PlanVersion.plan_id == Plan.id)
        .where(PlanVersion.id == version_id)
        .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    with read_session() as session:
        high = session.execute(
            select(RiskFactorRating.factor, RiskFactorRating.note)
            .where(RiskFactorRating.assessment_id == latest, RiskFactorRating.rating == "high")
            .order_by(RiskFactorRating.factor)
        ).all()
        addressed = _addressed(session, [version_id]) if high else set()
    return [FactorGap(factor, note) for factor, note in high if factor not in addressed]


# --- tools used against the evidence -----------------------------------------------------------


@dataclass(frozen=True)
class AgainstEvidence:
    """A line of effort relying on a tool whose well-evidenced factor is marked, for its
    country, the wrong way (committee.tools_evidence.against_evidence)."""

    plan_version_id: int
    line_position: int
    tool: str
    factor: str
    mark: str  # does_not_hold | holds
    reasons: list[str]

    @property
    def text(self) -> str:
        marked = "not holding" if self.mark == "does_not_hold" else "holding"
        return (
            f"Line {self.line_position} relies on {self.tool}, but “{self.factor}” is marked as "
            f"{marked} in this country ({'; '.join(self.reasons)})"
        )


def against_the_evidence(version_ids: list[int]) -> list[AgainstEvidence]:
    """Every use of a tool against the evidence in these plan versions, by line, in one query."""
    if not version_ids:
        return []
    with read_session() as session:
        rows = session.execute(
            select(LineOfEffort, EvidenceTool.name, EvidenceFactor, LineOfEffortEvidenceMark.mark)
            .join(
                LineOfEffortEvidenceMark,
                LineOfEffortEvidenceMark.line_of_effort_id == LineOfEffort.id,
            )
            .join(EvidenceFactor, EvidenceFactor.id == LineOfEffortEvidenceMark.factor_id)
            .join(EvidenceTool, EvidenceTool.id == EvidenceFactor.tool_id)
            .where(
                LineOfEffort.plan_version_id.in_(version_ids),
                LineOfEffortEvidenceMark.mark.in_(("does_not_hold", "holds")),
            )
            .order_by(LineOfEffort.plan_version_id, LineOfEffort.position, EvidenceTool.name)
        ).all()
    return [
        AgainstEvidence(line.plan_version_id, line.position, tool, factor.name, mark, reasons)
        for line, tool, factor, mark in rows
        if (reasons := against_evidence(factor, mark))
    ]


# --- the Blueprint's tools ----------------------------------------------------------------------


@dataclass
class ToolUse:
    """A toolbox category or a Blueprint recommendation, and the plans in effect that use it."""

    key: str  # the category, or the recommendation's code (e.g. "4-3")
    label: str
    chapter: str = ""
    lines: int = 0
    countries: list[str] = field(default_factory=list)  # names, alphabetical

    @property
    def used(self) -> bool:
        return self.lines > 0


@dataclass
class ToolboxUsage:
    categories: list[ToolUse]
    recommendations: list[ToolUse]


def toolbox_usage() -> ToolboxUsage:
    """Which toolbox categories and recommendations the lines of effort of the plans in effect
    use, across all countries, in three queries."""
    with read_session() as session:
        in_effect = (
            select(LineOfEffort.id, LineOfEffort.toolbox_category, Country.name)
            .join(Plan, Plan.effective_version_id == LineOfEffort.plan_version_id)
            .join(Country, Country.code == Plan.country_code)
            .where(Plan.status == "approved")
            .subquery()
        )
        lines = session.execute(select(in_effect.c.toolbox_category, in_effect.c.name)).all()
        cited = session.execute(
            select(LineOfEffortRecommendation.recommendation_code, in_effect.c.name).join(
                in_effect, in_effect.c.id == LineOfEffortRecommendation.line_of_effort_id
            )
        ).all()
        recommendations = list(
            session.scalars(select(BlueprintRecommendation).order_by(BlueprintRecommendation.code))
        )
    categories = {key: ToolUse(key, label) for key, label in TOOLBOX_LABELS.items()}
    for category, country in lines:
        _count(categories[category], country)
    by_code = {r.code: ToolUse(r.code, r.text, r.chapter) for r in recommendations}
    for code, country in cited:
        _count(by_code[code], country)
    for use in [*categories.values(), *by_code.values()]:
        use.countries.sort()
    return ToolboxUsage(
        categories=list(categories.values()),
        recommendations=sorted(by_code.values(), key=lambda r: tuple(map(int, r.key.split("-")))),
    )


def _count(use: ToolUse, country: str) -> None:
    use.lines += 1
    if country not in use.countries:
        use.countries.append(country)
