"""Prevention and response plans: drafts and their versions, clearance by the agencies, approval.

The life of a plan:

- A plan is drafted for a country on the watchlist, as a prevention plan or a response plan.
  A country may have several; one of each kind is in effect at a time.
- Every save of the draft makes a new version; the one before is kept (superseded, or withdrawn
  from clearance if it was circulated). The editor names the plan version they started from: a
  save from a stale one is a Conflict, so two people editing one draft never overwrite each
  other, and the second keeps their text.
- The chair circulates the newest draft. Each participating agency (the lead and supporting
  agencies of its lines of effort, and any the chair adds) gets a pending clearance, which that
  agency's representative, and nobody else, records: concur, concur with comments, or
  non-concur with reasons.
- The committee approves the circulated version at a meeting, recorded as a Decision of kind
  plan_approval. The version comes into effect and supersedes the plan's version in effect, and
  any other plan of the same kind in effect for the country.
- Approval without full clearance (a clearance still pending, or a non-concurrence) is refused
  unless the chair records an override reason. The committee decides, not one agency (Blueprint
  4-2), but a plan approved over an agency's silence or objection says why: the reason is kept
  on the version, written into the decision, and shown beside the clearance grid.
- An approved version is never edited. A change is a new draft version, circulated and
  approved in turn, while the approved one stays in effect.
- A plan that no longer serves is archived; its versions stay readable.
"""

import difflib
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from committee import audit, clock, decisions, meeting_times, notices, titles
from committee.actor import Actor
from committee.errors import NotFound, ValidationError
from committee.naming import person_name
from committee.transaction import Writing, writing
from committee.vocabulary import (
    FACTOR_MARK_LABELS,
    PLAN_KIND_LABELS,
    RISK_FACTORS,
    TOOLBOX_LABELS,
)
from db.engine import read_session
from db.models import (
    Agency,
    AgendaItem,
    BlueprintRecommendation,
    Clearance,
    Country,
    Decision,
    EvidenceFactor,
    EvidenceTool,
    LineOfEffort,
    LineOfEffortAgency,
    LineOfEffortEvidenceMark,
    LineOfEffortFactor,
    LineOfEffortRecommendation,
    LineOfEffortTool,
    Meeting,
    Plan,
    PlanVersion,
    User,
    WatchlistEntry,
)
from db.models.plans import CLEARANCE_POSITIONS, FACTOR_MARKS, PLAN_KINDS, TOOLBOX_CATEGORIES

CLEARED = ("concur", "concur_with_comments")
RECENT_MEETINGS = 12


@dataclass(frozen=True)
class LineDraft:
    """A line of effort as a person writes it."""

    toolbox_category: str
    objective: str
    lead_agency_id: int | None
    supporting_agency_ids: tuple[int, ...] = ()
    resources: str = ""
    indicators: str = ""
    recommendation_codes: tuple[str, ...] = ()
    factors: tuple[int, ...] = ()
    # Tools of the evidence review it relies on, and for its country which of their factors
    # hold: (factor id, "holds" | "does_not_hold" | "unknown").
    tool_ids: tuple[int, ...] = ()
    evidence_marks: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class PlanDraft:
    """The text of a plan version as a person writes it."""

    situation_summary: str = ""
    objectives: str = ""
    escalation_triggers: str = ""
    review_by: date | None = None
    lines: tuple[LineDraft, ...] = ()


# --- checks -------------------------------------------------------------------------------------


def _check_lines(session: Session, lines: tuple[LineDraft, ...]) -> None:
    agencies = set(session.scalars(select(Agency.id).where(Agency.active)))
    codes = set(session.scalars(select(BlueprintRecommendation.code)))
    for number, line in enumerate(lines, start=1):
        where = f"Line of effort {number}"
        if line.toolbox_category not in TOOLBOX_CATEGORIES:
            raise ValidationError(f"{where}: choose its toolbox category.", field="lines")
        if not line.objective.strip():
            raise ValidationError(f"{where}: write its objective.", field="lines")
        if line.lead_agency_id not in agencies:
            raise ValidationError(f"{where}: choose the agency that leads it.", field="lines")
        if not set(line.supporting_agency_ids) <= agencies:
            raise ValidationError(f"{where}: a supporting agency is unknown.", field="lines")
        unknown = set(line.recommendation_codes) - codes
        if unknown:
            raise ValidationError(
                f"{where}: {', '.join(sorted(unknown))} is not one of the Blueprint's "
                "recommendations.",
                field="lines",
            )
        if not set(line.factors) <= set(RISK_FACTORS):
            raise ValidationError(f"{where}: risk factors are numbered 1 to 14.", field="lines")
        _check_evidence(session, where, line)


def _check_evidence(session: Session, where: str, line: LineDraft) -> None:
    named = set(line.tool_ids)
    if not named and not line.evidence_marks:
        return
    known = set(session.scalars(select(EvidenceTool.id).where(EvidenceTool.id.in_(named))))
    if named - known:
        raise ValidationError(
            f"{where}: a tool it names is not in the evidence review.", field="lines"
        )
    marked = [factor for factor, _ in line.evidence_marks]
    if len(marked) != len(set(marked)):
        raise ValidationError(f"{where}: a factor is marked twice.", field="lines")
    if any(mark not in FACTOR_MARKS for _, mark in line.evidence_marks):
        raise ValidationError(
            f"{where}: a factor is marked holds, does not hold or unknown.", field="lines"
        )
    tool_of = dict(
        session.execute(
            select(EvidenceFactor.id, EvidenceFactor.tool_id).where(EvidenceFactor.id.in_(marked))
        ).all()
    )
    if any(tool_of.get(factor) not in named for factor in marked):
        raise ValidationError(
            f"{where}: a factor is marked for a tool the line does not name.", field="lines"
        )


def _check_ready_to_circulate(version: PlanVersion, lines: int) -> None:
    if not version.situation_summary.strip():
        raise ValidationError(
            "Write the situation summary before circulating.", field="situation_summary"
        )
    if not lines:
        raise ValidationError("Add at least one line of effort before circulating.", field="lines")
    if version.review_by is None or version.review_by <= clock.today():
        raise ValidationError(
            "Set a review-by date in the future before circulating.", field="review_by"
        )


def _plan(w: Writing, plan_id: int) -> Plan:
    plan = w.get(Plan, plan_id, what="Plan")
    if plan.status == "archived":
        raise ValidationError("This plan is archived: nothing in it changes.", field="plan")
    return plan


def _latest(session: Session, plan_id: int) -> PlanVersion:
    return session.scalar(
        select(PlanVersion)
        .where(PlanVersion.plan_id == plan_id)
        .order_by(PlanVersion.number.desc())
        .limit(1)
    )


def _add_version(w: Writing, plan: Plan, number: int, draft: PlanDraft, note: str) -> PlanVersion:
    version = PlanVersion(
        plan_id=plan.id,
        number=number,
        situation_summary=draft.situation_summary.strip(),
        objectives=draft.objectives.strip(),
        escalation_triggers=draft.escalation_triggers.strip(),
        review_by=draft.review_by,
        change_note=note.strip(),
        created_by_id=w.actor.id,
    )
    w.session.add(version)
    w.session.flush()
    for position, line in enumerate(draft.lines, start=1):
        row = LineOfEffort(
            plan_version_id=version.id,
            position=position,
            toolbox_category=line.toolbox_category,
            objective=line.objective.strip(),
            lead_agency_id=line.lead_agency_id,
            resources=line.resources.strip(),
            indicators=line.indicators.strip(),
        )
        w.session.add(row)
        w.session.flush()
        for agency_id in sorted(set(line.supporting_agency_ids) - {line.lead_agency_id}):
            w.session.add(LineOfEffortAgency(line_of_effort_id=row.id, agency_id=agency_id))
        for code in sorted(set(line.recommendation_codes)):
            w.session.add(
                LineOfEffortRecommendation(line_of_effort_id=row.id, recommendation_code=code)
            )
        for factor in sorted(set(line.factors)):
            w.session.add(LineOfEffortFactor(line_of_effort_id=row.id, factor=factor))
        for tool_id in sorted(set(line.tool_ids)):
            w.session.add(LineOfEffortTool(line_of_effort_id=row.id, tool_id=tool_id))
        for factor_id, mark in sorted(line.evidence_marks):
            w.session.add(
                LineOfEffortEvidenceMark(line_of_effort_id=row.id, factor_id=factor_id, mark=mark)
            )
    return version


# --- writes -------------------------------------------------------------------------------------


def create_plan(
    *, actor: Actor, country_code: str, kind: str, title: str, draft: PlanDraft = PlanDraft()
) -> Plan:
    """Start a plan for a country of concern, with its first draft version."""
    if kind not in PLAN_KINDS:
        raise ValidationError("Choose a prevention plan or a response plan.", field="kind")
    title = titles.checked(title, what="the plan")
    with writing(actor, "plan.create") as w:
        w.require("plan.draft")
        country = w.session.get(Country, (country_code or "").strip().upper())
        if country is None:
            raise ValidationError(f"{country_code!r} is not a country code.", field="country")
        watched = w.session.scalar(
            select(WatchlistEntry.on_watchlist).where(WatchlistEntry.country_code == country.code)
        )
        if not watched:
            raise ValidationError(
                f"Plans are for countries of concern: put {country.name} on the watchlist first.",
                field="country",
            )
        _check_lines(w.session, draft.lines)
        plan = Plan(
            country_code=country.code,
            kind=kind,
            title=title,
            created_by_id=actor.id,
        )
        w.session.add(plan)
        w.session.flush()
        _add_version(w, plan, 1, draft, "First draft.")
        w.audit(plan)
    return plan


def save_draft(
    *,
    actor: Actor,
    plan_id: int,
    seen_version: int,
    draft: PlanDraft,
    title: str | None = None,
    change_note: str = "",
) -> PlanVersion:
    """Save the draft as a new version. ``seen_version`` is the plan's version the editor
    started from; if anyone saved, circulated or approved since, this is a Conflict."""
    with writing(actor, "plan.save_draft") as w:
        w.require("plan.draft")
        plan = _plan(w, plan_id)
        if title is not None:
            title = titles.checked(title, what="the plan")
        _check_lines(w.session, draft.lines)
        before = audit.snapshot(plan)
        w.touch(
            plan,
            seen_version=seen_version,
            title=title or plan.title,
            # A plan in effect stays in effect while its next version is drafted.
            status="approved" if plan.status == "approved" else "draft",
        )
        latest = _latest(w.session, plan.id)
        if latest.status == "draft":
            w.touch(latest, status="superseded")
        elif latest.status == "circulated":
            # Its clearance stops: the text it was asked on changed.
            w.touch(latest, status="withdrawn")
        version = _add_version(w, plan, latest.number + 1, draft, change_note)
        w.audit(plan, before=before, detail=f"version {version.number} saved")
    return version


def circulate(
    *, actor: Actor, plan_id: int, seen_version: int, extra_agency_ids: tuple[int, ...] = ()
) -> PlanVersion:
    """Circulate the newest draft for clearance by every participating agency."""
    with writing(actor, "plan.circulate") as w:
        w.require("plan.circulate")
        plan = _plan(w, plan_id)
        version = _latest(w.session, plan.id)
        if version.status != "draft":
            raise ValidationError(
                f"Version {version.number} is {version.status.replace('_', ' ')}: only a draft "
                "is circulated. Save a new draft first.",
                field="plan",
            )
        lines = list(
            w.session.scalars(
                select(LineOfEffort).where(LineOfEffort.plan_version_id == version.id)
            )
        )
        _check_ready_to_circulate(version, len(lines))
        active = set(w.session.scalars(select(Agency.id).where(Agency.active)))
        if not set(extra_agency_ids) <= active:
            raise ValidationError("An agency added to the clearance is unknown.", field="agencies")
        participants = {line.lead_agency_id for line in lines} | set(extra_agency_ids)
        participants |= set(
            w.session.scalars(
                select(LineOfEffortAgency.agency_id).where(
                    LineOfEffortAgency.line_of_effort_id.in_([line.id for line in lines])
                )
            )
        )
        before = audit.snapshot(plan)
        w.touch(
            plan,
            seen_version=seen_version,
            status="approved" if plan.status == "approved" else "in_clearance",
        )
        w.touch(version, status="circulated", circulated_at=clock.now())
        for agency_id in sorted(participants):
            w.session.add(Clearance(plan_version_id=version.id, agency_id=agency_id))
        notices.clearance_requested(w, plan, version, participants)
        w.audit(
            plan,
            before=before,
            detail=f"version {version.number} circulated to {len(participants)} agencies",
        )
    return version


def record_clearance(
    *,
    actor: Actor,
    version_id: int,
    agency_id: int,
    position: str,
    comments: str = "",
    seen_version: int,
) -> Clearance:
    """An agency's position on a circulated version, recorded by that agency's representative."""
    with writing(actor, "plan.clear") as w:
        clearance = w.session.scalar(
            select(Clearance).where(
                Clearance.plan_version_id == version_id, Clearance.agency_id == agency_id
            )
        )
        w.require("plan.clear", record=clearance, agency_id=agency_id)
        version = w.get(PlanVersion, version_id, what="Plan version")
        if clearance is None:
            raise ValidationError(
                "Your agency is not asked to clear this version.", field="position"
            )
        if version.status != "circulated":
            raise ValidationError(
                f"Version {version.number} is no longer in clearance.", field="position"
            )
        if position not in CLEARANCE_POSITIONS or position == "pending":
            raise ValidationError(
                "Choose concur, concur with comments, or non-concur.", field="position"
            )
        if position != "concur" and not comments.strip():
            what = "reasons" if position == "non_concur" else "comments"
            raise ValidationError(f"Give your agency's {what}.", field="comments")
        before = audit.snapshot(clearance)
        w.touch(
            clearance,
            seen_version=seen_version,
            position=position,
            comments=comments.strip(),
            cleared_by_id=actor.id,
            cleared_at=clock.now(),
        )
        w.audit(clearance, before=before)
    return clearance


def approve(
    *,
    actor: Actor,
    version_id: int,
    meeting_id: int,
    decision_text: str = "",
    override_reason: str = "",
) -> Decision:
    """The committee approves a circulated version at a meeting; it comes into effect."""
    with writing(actor, "plan.approve") as w:
        w.require("plan.approve")
        version = w.get(PlanVersion, version_id, what="Plan version")
        plan = _plan(w, version.plan_id)
        if version.status != "circulated":
            raise ValidationError(
                f"Version {version.number} is {version.status}: only a circulated version is "
                "approved.",
                field="version",
            )
        meeting = w.get(Meeting, meeting_id, what="Meeting")
        if not meeting_times.has_begun(meeting, clock.now()):
            raise ValidationError(
                "Approve at a meeting that has begun or been held, not a cancelled or future one.",
                field="meeting",
            )
        positions = list(
            w.session.scalars(
                select(Clearance.position).where(Clearance.plan_version_id == version.id)
            )
        )
        short = [p for p in positions if p not in CLEARED]
        if short and not override_reason.strip():
            raise ValidationError(
                f"{len(short)} of {len(positions)} agencies have not concurred. Approving "
                "without full clearance needs the chair's override reason.",
                field="override_reason",
            )
        before = audit.snapshot(version)
        for other in w.session.scalars(
            select(Plan).where(
                Plan.country_code == plan.country_code,
                Plan.kind == plan.kind,
                Plan.status == "approved",
                Plan.id != plan.id,
            )
        ):
            w.touch(other, status="superseded")
            _supersede(w, other.effective_version_id)
        _supersede(w, plan.effective_version_id)
        w.session.flush()  # one plan in effect per kind: the old one leaves before this comes in
        text = decision_text.strip() or (
            f"The committee approves version {version.number} of the "
            f"{PLAN_KIND_LABELS[plan.kind].lower()} “{plan.title}”."
        )
        if short:
            text += f" Approved without full clearance: {override_reason.strip()}"
        decision = decisions.record_decision(
            actor=actor,
            kind="plan_approval",
            meeting_id=meeting.id,
            agenda_item_id=w.session.scalar(
                select(AgendaItem.id).where(
                    AgendaItem.meeting_id == meeting.id, AgendaItem.plan_id == plan.id
                )
            ),
            country_code=plan.country_code,
            plan_version_id=version.id,
            text=text,
        )
        w.touch(
            version,
            status="approved",
            approved_at=clock.now(),
            approval_decision_id=decision.id,
            approval_override_reason=override_reason.strip() if short else "",
        )
        w.touch(
            plan, status="approved", effective_version_id=version.id, review_by=version.review_by
        )
        notices.plan_approved(w, plan, version)
        w.audit(version, before=before, detail=text)
    return decision


def _supersede(w: Writing, version_id: int | None) -> None:
    version = w.session.get(PlanVersion, version_id) if version_id else None
    if version is not None and version.status == "approved":
        w.touch(version, status="superseded")


def archive(*, actor: Actor, plan_id: int, reason: str, seen_version: int) -> Plan:
    """Archive a plan that no longer serves; a version in clearance is withdrawn."""
    if not reason.strip():
        raise ValidationError("Give the reason for archiving the plan.", field="reason")
    with writing(actor, "plan.archive") as w:
        w.require("plan.archive")
        plan = _plan(w, plan_id)
        before = audit.snapshot(plan)
        w.touch(plan, seen_version=seen_version, status="archived")
        latest = _latest(w.session, plan.id)
        if latest.status == "circulated":
            w.touch(latest, status="withdrawn")
        w.audit(plan, before=before, detail=f"archived: {reason.strip()}")
    return plan


# --- reads --------------------------------------------------------------------------------------


@dataclass
class PlanView:
    """A plan, its country and all its versions (oldest first)."""

    plan: Plan
    country_name: str
    tier: int | None
    versions: list[PlanVersion]

    @property
    def latest(self) -> PlanVersion:
        return self.versions[-1]

    @property
    def effective(self) -> PlanVersion | None:
        return next((v for v in self.versions if v.id == self.plan.effective_version_id), None)

    def version(self, number: int) -> PlanVersion:
        return next(v for v in self.versions if v.number == number)


def get_plan(plan_id: int) -> PlanView:
    with read_session() as session:
        row = session.execute(
            select(Plan, Country.name, WatchlistEntry.tier)
            .join(Country, Country.code == Plan.country_code)
            .join(
                WatchlistEntry,
                (WatchlistEntry.country_code == Plan.country_code) & WatchlistEntry.on_watchlist,
                isouter=True,
            )
            .where(Plan.id == plan_id)
        ).first()
        if row is None:
            raise NotFound(f"Plan {plan_id} does not exist.")
        versions = list(
            session.scalars(
                select(PlanVersion)
                .where(PlanVersion.plan_id == plan_id)
                .order_by(PlanVersion.number)
            )
        )
    plan, name, tier = row
    return PlanView(plan, name, tier, versions)


@dataclass(frozen=True)
class LineView:
    """A stored line of effort with its agencies (by code), recommendations and factors."""

    line: LineOfEffort
    lead: str
    supporting: list[str]
    supporting_ids: list[int]
    recommendations: list[str]
    factors: list[int]
    tool_ids: list[int]
    evidence_marks: dict[int, str]  # factor id -> holds | does_not_hold | unknown


@dataclass(frozen=True)
class ClearanceRow:
    """One agency's place in the clearance grid."""

    clearance: Clearance
    agency_code: str
    agency_name: str
    cleared_by: str | None


@dataclass
class VersionDetail:
    version: PlanVersion
    lines: list[LineView]
    clearances: list[ClearanceRow]
    decision: Decision | None = None
    decision_meeting: Meeting | None = None
    author: str | None = None

    @property
    def fully_cleared(self) -> bool:
        return bool(self.clearances) and all(
            row.clearance.position in CLEARED for row in self.clearances
        )

    def count(self, position: str) -> int:
        return sum(1 for row in self.clearances if row.clearance.position == position)

    def as_draft(self) -> PlanDraft:
        """The version's text, as a draft to edit or compare."""
        return PlanDraft(
            situation_summary=self.version.situation_summary,
            objectives=self.version.objectives,
            escalation_triggers=self.version.escalation_triggers,
            review_by=self.version.review_by,
            lines=tuple(
                LineDraft(
                    toolbox_category=view.line.toolbox_category,
                    objective=view.line.objective,
                    lead_agency_id=view.line.lead_agency_id,
                    supporting_agency_ids=tuple(view.supporting_ids),
                    resources=view.line.resources,
                    indicators=view.line.indicators,
                    recommendation_codes=tuple(view.recommendations),
                    factors=tuple(view.factors),
                    tool_ids=tuple(view.tool_ids),
                    evidence_marks=tuple(sorted((view.evidence_marks or {}).items())),
                )
                for view in self.lines
            ),
        )


def _line_views(session: Session, version_ids: list[int]) -> dict[int, list[LineView]]:
    """The lines of effort of several versions, by version, in five queries."""
    codes = dict(session.execute(select(Agency.id, Agency.code)).all())
    lines = list(
        session.scalars(
            select(LineOfEffort)
            .where(LineOfEffort.plan_version_id.in_(version_ids))
            .order_by(LineOfEffort.plan_version_id, LineOfEffort.position)
        )
    )
    ids = [line.id for line in lines]
    supporting = _grouped(
        session.execute(
            select(LineOfEffortAgency.line_of_effort_id, LineOfEffortAgency.agency_id).where(
                LineOfEffortAgency.line_of_effort_id.in_(ids)
            )
        )
    )
    cited = _grouped(
        session.execute(
            select(
                LineOfEffortRecommendation.line_of_effort_id,
                LineOfEffortRecommendation.recommendation_code,
            ).where(LineOfEffortRecommendation.line_of_effort_id.in_(ids))
        )
    )
    factors = _grouped(
        session.execute(
            select(LineOfEffortFactor.line_of_effort_id, LineOfEffortFactor.factor).where(
                LineOfEffortFactor.line_of_effort_id.in_(ids)
            )
        )
    )
    tools = _grouped(
        session.execute(
            select(LineOfEffortTool.line_of_effort_id, LineOfEffortTool.tool_id).where(
                LineOfEffortTool.line_of_effort_id.in_(ids)
            )
        )
    )
    marks = _grouped(
        session.execute(
            select(
                LineOfEffortEvidenceMark.line_of_effort_id,
                LineOfEffortEvidenceMark.factor_id,
                LineOfEffortEvidenceMark.mark,
            ).where(LineOfEffortEvidenceMark.line_of_effort_id.in_(ids))
        ),
        pairs=True,
    )
    views: dict[int, list[LineView]] = {version_id: [] for version_id in version_ids}
    for line in lines:
        agency_ids = sorted(supporting.get(line.id, []), key=lambda a: codes[a])
        views[line.plan_version_id].append(
            LineView(
                line=line,
                lead=codes[line.lead_agency_id],
                supporting=[codes[a] for a in agency_ids],
                supporting_ids=agency_ids,
                recommendations=sorted(cited.get(line.id, []), key=_code_order),
                factors=sorted(factors.get(line.id, [])),
                tool_ids=sorted(tools.get(line.id, [])),
                evidence_marks=dict(marks.get(line.id, [])),
            )
        )
    return views


def version_detail(version_id: int) -> VersionDetail:
    """A version with its lines of effort, clearance grid and approval, in a fixed number of
    queries."""
    with read_session() as session:
        row = session.execute(
            select(PlanVersion, person_name())
            .join(User, User.id == PlanVersion.created_by_id, isouter=True)
            .where(PlanVersion.id == version_id)
        ).first()
        if row is None:
            raise NotFound(f"Plan version {version_id} does not exist.")
        version, author = row
        lines = _line_views(session, [version_id])[version_id]
        clearances = [
            ClearanceRow(clearance, code, name, person)
            for clearance, code, name, person in session.execute(
                select(Clearance, Agency.code, Agency.name, person_name())
                .join(Agency, Agency.id == Clearance.agency_id)
                .join(User, User.id == Clearance.cleared_by_id, isouter=True)
                .where(Clearance.plan_version_id == version_id)
                .order_by(Agency.code)
            )
        ]
        decision, meeting = None, None
        if version.approval_decision_id:
            decision, meeting = session.execute(
                select(Decision, Meeting)
                .join(Meeting, Meeting.id == Decision.meeting_id, isouter=True)
                .where(Decision.id == version.approval_decision_id)
            ).one()
    return VersionDetail(version, lines, clearances, decision, meeting, author)


def _grouped(rows, *, pairs: bool = False) -> dict:
    """Rows (key, value) as {key: [value, ...]}; with ``pairs``, rows (key, a, b) as
    {key: [(a, b), ...]}."""
    grouped: dict = {}
    for key, *value in rows:
        grouped.setdefault(key, []).append(tuple(value) if pairs else value[0])
    return grouped


def _code_order(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("-"))


def recommendations() -> list[BlueprintRecommendation]:
    """The Blueprint's 34 recommendations, in their order."""
    with read_session() as session:
        found = list(session.scalars(select(BlueprintRecommendation)))
    return sorted(found, key=lambda r: _code_order(r.code))


def recent_meetings() -> list[Meeting]:
    """Meetings a decision can be recorded at: begun or held, not cancelled; newest first."""
    with read_session() as session:
        return list(
            session.scalars(
                select(Meeting)
                .where(Meeting.status != "cancelled", Meeting.starts_at <= clock.now())
                .order_by(Meeting.starts_at.desc())
                .limit(RECENT_MEETINGS)
            )
        )


def awaiting_clearance(*, agency_id: int) -> list[tuple[Plan, PlanVersion, str]]:
    """Circulated versions on which an agency's clearance is pending: (plan, version, country)."""
    with read_session() as session:
        return [
            (plan, version, name)
            for plan, version, name in session.execute(
                select(Plan, PlanVersion, Country.name)
                .join(PlanVersion, PlanVersion.plan_id == Plan.id)
                .join(Clearance, Clearance.plan_version_id == PlanVersion.id)
                .join(Country, Country.code == Plan.country_code)
                .where(
                    PlanVersion.status == "circulated",
                    Clearance.agency_id == agency_id,
                    Clearance.position == "pending",
                )
                .order_by(PlanVersion.circulated_at)
            )
        ]


# --- comparing versions -------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionDiff:
    """One section of two plan texts: its lines in unified-diff form ('+' added, '-' removed)."""

    title: str
    lines: list[str]

    @property
    def changed(self) -> bool:
        return any(line[:1] in "+-" for line in self.lines)


def _sentences(text: str) -> list[str]:
    """Text split into sentences and lines, so that a diff shows what changed, not whole
    paragraphs."""
    return [
        part.strip()
        for paragraph in text.splitlines()
        for part in re.split(r"(?<=[.!?;])\s+", paragraph)
        if part.strip()
    ]


@dataclass(frozen=True)
class _Names:
    """What a plan text refers to by id, by name: agencies, evidence-review tools, factors."""

    agencies: dict[int, str]
    tools: dict[int, str]
    factors: dict[int, str]  # "Tool: factor"


def _names(session: Session, drafts: tuple[PlanDraft, ...]) -> _Names:
    tool_ids = {t for d in drafts for line in d.lines for t in line.tool_ids}
    factor_ids = {f for d in drafts for line in d.lines for f, _ in line.evidence_marks}
    return _Names(
        agencies=dict(session.execute(select(Agency.id, Agency.code)).all()),
        tools=dict(
            session.execute(
                select(EvidenceTool.id, EvidenceTool.name).where(EvidenceTool.id.in_(tool_ids))
            ).all()
        ),
        factors={
            id_: f"{tool}: {factor}"
            for id_, tool, factor in session.execute(
                select(EvidenceFactor.id, EvidenceTool.name, EvidenceFactor.name)
                .join(EvidenceTool, EvidenceTool.id == EvidenceFactor.tool_id)
                .where(EvidenceFactor.id.in_(factor_ids))
            )
        },
    )


def _as_sections(draft: PlanDraft, names: _Names) -> dict[str, list[str]]:
    agencies = names.agencies
    lines: list[str] = []
    for number, line in enumerate(draft.lines, start=1):
        supporting = [agencies.get(a, "?") for a in line.supporting_agency_ids]
        lines.append(
            f"{number}. {TOOLBOX_LABELS.get(line.toolbox_category, line.toolbox_category)} "
            f"— led by {agencies.get(line.lead_agency_id, '?')}"
            + (f", with {', '.join(supporting)}" if supporting else "")
        )
        lines += [f"   Objective: {s}" for s in _sentences(line.objective)]
        lines += [f"   Resources: {s}" for s in _sentences(line.resources)]
        lines += [f"   Indicators: {s}" for s in _sentences(line.indicators)]
        if line.recommendation_codes:
            lines.append(
                "   Blueprint: " + ", ".join(sorted(line.recommendation_codes, key=_code_order))
            )
        if line.factors:
            lines.append("   Risk factors: " + ", ".join(str(f) for f in sorted(line.factors)))
        if line.tool_ids:
            lines.append(
                "   Tools: " + ", ".join(sorted(names.tools.get(t, "?") for t in line.tool_ids))
            )
        lines += sorted(
            f"   For this country, {names.factors.get(factor, '?')}: "
            f"{FACTOR_MARK_LABELS[mark].lower()}"
            for factor, mark in line.evidence_marks
        )
    return {
        "Situation summary": _sentences(draft.situation_summary),
        "Objectives": _sentences(draft.objectives),
        "Lines of effort": lines,
        "Escalation triggers": _sentences(draft.escalation_triggers),
        "Review by": [f"{draft.review_by:%d %b %Y}"] if draft.review_by else [],
    }


def diff_drafts(before: PlanDraft, after: PlanDraft) -> list[SectionDiff]:
    """A readable diff of two plan texts, section by section (difflib, unified form)."""
    with read_session() as session:
        names = _names(session, (before, after))
    old, new = _as_sections(before, names), _as_sections(after, names)
    sections = []
    for title in old:
        diff = list(difflib.unified_diff(old[title], new[title], lineterm="", n=1000))
        sections.append(SectionDiff(title, diff[3:] if diff else [f" {s}" for s in new[title]]))
    return sections


def compare_versions(*, plan_id: int, first: int, second: int) -> list[SectionDiff]:
    """What changed from version number ``first`` to version number ``second`` of a plan."""
    with read_session() as session:
        versions = {
            v.number: v
            for v in session.scalars(
                select(PlanVersion).where(
                    PlanVersion.plan_id == plan_id, PlanVersion.number.in_([first, second])
                )
            )
        }
        if first not in versions or second not in versions:
            raise NotFound(f"Plan {plan_id} has no version {first} or {second}.")
        lines = _line_views(session, [versions[first].id, versions[second].id])
    before, after = (
        VersionDetail(versions[n], lines[versions[n].id], []).as_draft() for n in (first, second)
    )
    return diff_drafts(before, after)
