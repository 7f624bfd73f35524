"""The committee's papers: a meeting's agenda, its read-ahead, its minutes as approved, and a
plan version with its clearance grid.

Each paper is put together once as an ``exports.paper.Paper`` (what it says) and printed as
DOCX or PDF (how it looks), so the two formats always say the same thing. The read-ahead's
country sections come from ``committee.briefs``, the same read the country page and the
meeting room show.
"""

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from sqlalchemy import select

from committee import (
    access,
    agenda,
    briefs,
    clock,
    coverage,
    horizon,
    meeting_times,
    plans,
    settings,
    tools_evidence,
    vocabulary,
)
from committee import minutes as minutes_service
from committee.actor import Actor
from committee.errors import NotFound, PermissionDenied, ValidationError
from committee.vocabulary import risk_percent
from db.engine import read_session
from db.models import Agency, AgendaItem, Meeting, Plan, User
from exports.calendar import meeting_link
from exports.paper import (
    Block,
    Bullets,
    Chart,
    Facts,
    Heading,
    PageBreak,
    Paper,
    Paragraph,
    Table,
    tint,
    to_docx,
    to_pdf,
)

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
MEETING_PAPERS = ("agenda", "read-ahead", "minutes")
ACTION_ROWS = 30  # a brief lists the overdue and the soonest due; the tracker has the rest


@dataclass(frozen=True)
class Export:
    """A finished file: its bytes, the name to save it under, and its media type."""

    content: bytes
    file_name: str
    mime: str


def meeting_paper(kind: str, *, meeting_id: int, actor: Actor, fmt: str) -> Export:
    """A meeting's agenda, read-ahead or minutes as a DOCX or PDF file."""
    builders: dict[str, Callable[[_MeetingRecord, Actor], Paper]] = {
        "agenda": _agenda,
        "read-ahead": _read_ahead,
        "minutes": _minutes,
    }
    if kind not in builders:
        raise ValidationError(f"Choose one of: {', '.join(MEETING_PAPERS)}.", field="kind")
    check_format(fmt)
    record = _read_meeting(meeting_id, actor)
    paper = builders[kind](record, actor)
    return export(paper, fmt, meeting_file_name(kind, record.meeting, fmt))


def meeting_file_name(kind: str, meeting: Meeting, fmt: str) -> str:
    local = meeting.starts_at.astimezone(ZoneInfo(meeting.timezone))
    return f"apc-{kind}-{local:%Y-%m-%d}.{fmt}"


def plan_paper(*, plan_id: int, actor: Actor, fmt: str, version: int | None = None) -> Export:
    """A plan version (the one in effect, else the latest, unless ``version`` says which) with
    its lines of effort and clearance grid, as a DOCX or PDF file."""
    check_format(fmt)
    paper, plan, number = _plan(plan_id, actor=actor, number=version)
    return export(paper, fmt, plan_file_name(plan, number, fmt))


def plan_file_name(plan: Plan, version: int, fmt: str) -> str:
    return f"apc-{plan.kind}-plan-{plan.country_code.lower()}-v{version}.{fmt}"


def check_format(fmt: str) -> None:
    """Refuse a format the papers are not printed in."""
    if fmt not in FORMATS:
        raise ValidationError(f"Choose a format: {', '.join(FORMATS)}.", field="format")


def export(paper: Paper, fmt: str, file_name: str) -> Export:
    """The paper printed as a file in ``fmt``."""
    content = to_docx(paper) if fmt == "docx" else to_pdf(paper)
    return Export(content=content, file_name=file_name, mime=FORMATS[fmt])


def new_paper(kind: str, title: str, subtitle: str, blocks: list[Block]) -> Paper:
    """A paper with the committee's handling marking, prepared today."""
    prepared = clock.now().astimezone(settings.zone())
    return Paper(
        kind=kind,
        title=title,
        subtitle=subtitle,
        marking=str(settings.get("banner")),
        prepared=f"Prepared {day(prepared.date())}",
        blocks=blocks,
    )


# --- meetings ---------------------------------------------------------------------------------


@dataclass
class _MeetingRecord:
    meeting: Meeting
    items: list[tuple[AgendaItem, str | None]]  # each item with its presenter's agency code


def _read_meeting(meeting_id: int, actor: Actor) -> _MeetingRecord:
    if not access.can(actor, "page.meeting"):
        raise PermissionDenied("You do not have access to this meeting's papers.")
    with read_session() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound(f"No meeting with id {meeting_id}.")
        items = list(
            session.execute(
                select(AgendaItem, Agency.code)
                .join(Agency, Agency.id == AgendaItem.presenter_agency_id, isouter=True)
                .where(AgendaItem.meeting_id == meeting_id)
                .order_by(AgendaItem.position)
            )
        )
    return _MeetingRecord(meeting, items)


def _check_agenda_visible(record: _MeetingRecord, actor: Actor) -> None:
    if not agenda.may_read(actor, record.meeting):
        raise ValidationError(
            f"The agenda of {record.meeting.title} is not published yet.", field="agenda"
        )


def _agenda(record: _MeetingRecord, actor: Actor) -> Paper:
    _check_agenda_visible(record, actor)
    published = record.meeting.agenda_status == "published"
    return new_paper(
        "Agenda" if published else "Draft agenda",
        record.meeting.title,
        _when(record.meeting),
        [*_meeting_facts(record.meeting), *_agenda_blocks(record)],
    )


def _read_ahead(record: _MeetingRecord, actor: Actor) -> Paper:
    """The agenda, then a brief on each country under review."""
    _check_agenda_visible(record, actor)
    codes = list(
        dict.fromkeys(
            item.country_code
            for item, _ in record.items
            if item.country_code and item.kind in ("country_review", "alert_review")
        )
    )
    country_briefs = briefs.country_briefs(codes, actor=actor)
    lines = {
        p.effective.id: plans.version_detail(p.effective.id).lines
        for b in country_briefs
        for p in b.plans
        if p.effective is not None
    }
    blocks = [*_meeting_facts(record.meeting), Heading("Agenda"), *_agenda_blocks(record)]
    if country_briefs:
        blocks += [
            Heading("Countries under review"),
            Bullets([_country_title(b) for b in country_briefs], numbered=True),
        ]
    for brief in country_briefs:
        blocks += [PageBreak(), *_country_blocks(brief, lines)]
    blocks.append(
        Paragraph(
            "Statistical risk: Early Warning Project (earlywarningproject.ushmm.org), the "
            "estimated probability that a new mass killing begins. Tiers, assessments, plans "
            "and action items are the committee's own record.",
            note=True,
        )
    )
    return new_paper("Read-ahead", record.meeting.title, _when(record.meeting), blocks)


def _minutes(record: _MeetingRecord, actor: Actor) -> Paper:
    """The minutes as approved: the latest revision, with any corrections listed."""
    meeting = record.meeting
    found = minutes_service.minutes_of(meeting.id)
    if found.minutes is None:
        raise NotFound(f"No minutes are recorded for {meeting.title}.")
    if not found.locked:
        raise ValidationError(
            f"The minutes of {meeting.title} are not approved yet (they are "
            f"{found.minutes.status}); only approved minutes are issued.",
            field="minutes",
        )
    approved, latest = found.minutes, found.current
    with read_session() as session:
        authors = {r.created_by_id for r in found.revisions} | {approved.approved_by_id}
        names = dict(session.execute(select(User.id, User.name).where(User.id.in_(authors))).all())
        approving_meeting = (
            session.get(Meeting, approved.approved_at_meeting_id)
            if approved.approved_at_meeting_id
            else None
        )
    approval = f"Approved {day(approved.approved_at)}" if approved.approved_at else "Approved"
    if approved.approved_by_id in names:
        approval += f" by {names[approved.approved_by_id]}"
    if approving_meeting:
        approval += f" at {approving_meeting.title}"
    blocks = [
        *_meeting_facts(meeting, ("Minutes", f"{approval}; revision {latest.number}")),
        *markdown_blocks(latest.body, drop_title=True),
    ]
    corrections = [r for r in reversed(found.revisions) if r.reason]
    if corrections:
        blocks += [
            Heading("Corrections after approval", 2),
            Table(
                ["Revision", "Date", "By", "Reason"],
                [
                    [str(r.number), day(r.created_at), names.get(r.created_by_id, "—"), r.reason]
                    for r in corrections
                ],
                [0.12, 0.16, 0.22, 0.5],
            ),
        ]
    return new_paper("Minutes", meeting.title, _when(meeting), blocks)


def _when(meeting: Meeting) -> str:
    zone = ZoneInfo(meeting.timezone)
    starts, ends = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    held = meeting_times.held_words(meeting)
    return (
        f"{starts:%A} {starts.day} {starts:%B %Y}, {starts:%H:%M}–{ends:%H:%M} "
        f"{starts.tzname()} ({meeting.timezone})" + (f"; {held}" if held else "")
    )


def _meeting_facts(meeting: Meeting, *extra: tuple[str, str]) -> list[Block]:
    """The meeting at a glance (its date and time head the paper)."""
    rows = [
        ("Meeting", f"{vocabulary.MEETING_KIND_LABELS[meeting.kind]} meeting"),
        ("Where", meeting.location or "To be confirmed"),
    ]
    if meeting.video_link:
        rows.append(("Video link", meeting.video_link))
    rows.append(("Status", vocabulary.MEETING_STATUS_LABELS[meeting.status]))
    if meeting.reason:
        rows.append(("Called because", meeting.reason))
    if meeting.change_reason:
        rows.append(("Changed", meeting.change_reason))
    rows += [*extra, ("Meeting page", meeting_link(meeting.id))]
    blocks: list[Block] = [Facts(rows)]
    if meeting.status == "cancelled":
        blocks.append(Paragraph("This meeting is cancelled."))
    return blocks


def _agenda_blocks(record: _MeetingRecord) -> list[Block]:
    meeting = record.meeting
    if not record.items:
        return [Paragraph("No items are on the agenda yet.")]
    blocks: list[Block] = []
    if meeting.agenda_status != "published":
        blocks.append(Paragraph("Draft agenda: not yet published; items may change.", note=True))
    zone = ZoneInfo(meeting.timezone)
    clock_at = meeting.starts_at.astimezone(zone)
    rows = []
    for item, presenter in record.items:
        rows.append(
            [
                str(item.position),
                f"{clock_at:%H:%M}",
                item.title,
                presenter or "—",
                f"{item.minutes_allotted} min",
            ]
        )
        clock_at += timedelta(minutes=item.minutes_allotted)
    blocks.append(
        Table(
            ["#", "Time", "Item", "Presenter", "Time allotted"], rows, [0.06, 0.1, 0.54, 0.14, 0.16]
        )
    )
    allotted = sum(item.minutes_allotted for item, _ in record.items)
    length = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    if allotted > length:
        blocks.append(
            Paragraph(f"The items take {allotted} minutes; the meeting lasts {length}.", note=True)
        )
    return blocks


# --- the country brief ------------------------------------------------------------------------


def _country_title(brief: briefs.CountryBrief) -> str:
    tier = vocabulary.TIER_LABELS[brief.entry.tier] if brief.entry else "not on the watchlist"
    return f"{brief.country.name} — {tier}"


def _country_blocks(
    brief: briefs.CountryBrief, lines: dict[int, list[plans.LineView]]
) -> list[Block]:
    """One country's brief: at a glance, then one section per part of the record."""
    return [
        Heading(_country_title(brief)),
        _glance(brief),
        *_tier_history(brief),
        *_statistical_risk(brief),
        *_assessment(brief),
        *_plans_in_effect(brief, lines),
        *_open_actions(brief),
        *_last_review(brief),
        *_open_alerts(brief),
    ]


def _glance(brief: briefs.CountryBrief) -> Facts:
    entry = brief.entry
    facts = []
    if entry and entry.on_watchlist:
        facts += [
            ("Tier", vocabulary.TIER_LABELS[entry.tier]),
            ("On the watchlist since", day(entry.since)),
        ]
        if entry.reason:
            facts.append(("Why", entry.reason))
    else:
        facts.append(("Tier", "Not on the watchlist"))
    last = brief.last_review
    facts.append(("Last review", f"{day(last.starts_at)} ({last.title})" if last else "Never"))
    if brief.statistical_risk:
        facts.append(("Statistical risk", _risk_text(brief.statistical_risk)))
    return Facts(facts)


def _tier_history(brief: briefs.CountryBrief) -> list[Block]:
    if not brief.tier_history:
        return []
    return [
        Heading("Tier history", 2),
        Table(
            ["Date", "Change", "Reason"],
            [[day(c.changed_at), _tier_change(c), c.reason] for c in brief.tier_history],
            [0.16, 0.24, 0.6],
        ),
    ]


def _statistical_risk(brief: briefs.CountryBrief) -> list[Block]:
    heading = Heading("Statistical risk", 2)
    if len(brief.risk_trend) >= 2:
        chart = _risk_chart(tuple(brief.risk_trend), brief.entry.tier if brief.entry else None)
        caption = (
            f"Estimated risk of a new mass killing in {brief.country.name}, by year forecast, "
            "up to the edition cited above. Source: Early Warning Project."
        )
        return [heading, Chart(chart, caption, width=0.85)]
    if brief.statistical_risk:
        text = f"{_risk_text(brief.statistical_risk)}. No yearly history is on record."
        return [heading, Paragraph(text)]
    return [heading, Paragraph("No statistical risk is on record for this country.")]


def _assessment(brief: briefs.CountryBrief) -> list[Block]:
    heading = Heading("Latest risk assessment", 2)
    assessment = brief.latest_assessment
    if assessment is None:
        return [heading, Paragraph("The committee has not assessed this country yet.")]
    record = assessment.record
    rows, fills = [], {}
    for number, factor in vocabulary.RISK_FACTORS.items():
        rated = assessment.ratings.get(number)
        value = rated.rating if rated else "not_assessed"
        label = vocabulary.FACTOR_RATING_LABELS[value]
        rows.append([f"{number}. {factor}", label, rated.note if rated else ""])
        fills[len(rows) - 1, 1] = tint(vocabulary.FACTOR_RATING_COLORS[value])
    return [
        heading,
        Facts(
            [
                ("Assessed on", day(record.assessed_on)),
                ("Overall risk", vocabulary.OVERALL_RATING_LABELS[record.overall_rating]),
            ]
        ),
        Paragraph(record.overall_judgement),
        Table(["UN Framework risk factor", "Rating", "Note"], rows, [0.46, 0.14, 0.4], fills),
    ]


def _plans_in_effect(
    brief: briefs.CountryBrief, lines: dict[int, list[plans.LineView]]
) -> list[Block]:
    blocks: list[Block] = [Heading("Plan in effect", 2)]
    in_effect = [p for p in brief.plans if p.effective is not None]
    if not in_effect:
        blocks.append(Paragraph("No plan is in effect."))
    for summary in in_effect:
        version = summary.effective
        review = day(summary.plan.review_by)
        if summary.past_review:
            review += " — past its review-by date"
        blocks.append(
            Facts(
                [
                    ("Plan", summary.plan.title),
                    ("Version", f"{version.number}, approved {day(version.approved_at)}"),
                    ("Review by", review),
                ]
            )
        )
        if version.objectives:
            blocks.append(Paragraph(f"Objectives: {version.objectives}"))
        if lines.get(version.id):
            rows = [
                [
                    str(x.line.position),
                    vocabulary.TOOLBOX_LABELS[x.line.toolbox_category],
                    x.line.objective,
                    x.lead,
                    ", ".join(x.supporting) or "—",
                ]
                for x in lines[version.id]
            ]
            columns = ["#", "Line of effort", "Objective", "Lead", "Supporting"]
            blocks.append(Table(columns, rows, [0.05, 0.2, 0.47, 0.12, 0.16]))
    others = [p for p in brief.plans if p.effective is None and p.latest is not None]
    if others:
        drafts = "; ".join(
            f"{p.plan.title} (version {p.latest.number}, "
            f"{vocabulary.PLAN_STATUS_LABELS[p.plan.status].lower()})"
            for p in others
        )
        blocks.append(Paragraph(f"In preparation: {drafts}", note=True))
    return blocks


def _open_actions(brief: briefs.CountryBrief) -> list[Block]:
    overdue = len(brief.overdue_actions)
    heading = Heading(f"Open action items ({len(brief.open_actions)} open, {overdue} overdue)", 2)
    if not brief.open_actions:
        return [heading, Paragraph("No open action items.")]
    ordered = sorted(brief.open_actions, key=lambda a: (not a.overdue, a.item.due_on))
    rows, fills = [], {}
    for action in ordered[:ACTION_ROWS]:
        due = day(action.item.due_on) + (" — overdue" if action.overdue else "")
        status = vocabulary.ACTION_STATUS_LABELS[action.item.status]
        rows.append([due, action.item.title, action.agency_code, status])
        if action.overdue:
            fills[len(rows) - 1, 0] = tint(vocabulary.OVERDUE_COLOR, 0.7)
    columns = ["Due", "Action item", "Owner", "Status"]
    blocks: list[Block] = [heading, Table(columns, rows, [0.22, 0.52, 0.11, 0.15], fills)]
    unlisted = ordered[ACTION_ROWS:]
    if unlisted:
        late = sum(a.overdue for a in unlisted)
        of_which = f", {late} of them overdue" if late else ", all due later"
        text = f"{len(unlisted)} more open items are not listed here{of_which}: see APC Desk."
        blocks.append(Paragraph(text, note=True))
    return blocks


def _last_review(brief: briefs.CountryBrief) -> list[Block]:
    heading = Heading("Decisions of the last review", 2)
    meeting = brief.last_review
    if meeting is None:
        return [heading, Paragraph("The committee has not reviewed this country yet.")]
    decisions = [d.text for d in brief.last_review_decisions]
    return [
        heading,
        Paragraph(f"{meeting.title}, {day(meeting.starts_at)}:"),
        Bullets(decisions) if decisions else Paragraph("No decision was recorded."),
    ]


def _open_alerts(brief: briefs.CountryBrief) -> list[Block]:
    if not brief.open_alerts:
        return []
    return [
        Heading("Open alerts", 2),
        Bullets(
            [
                f"{a.reference} — {vocabulary.SEVERITY_LABELS[a.severity]} — "
                f"{vocabulary.ALERT_STATUS_LABELS[a.status]}, filed {day(a.filed_at)}"
                for a in brief.open_alerts
            ]
        ),
        Paragraph(
            "Alert reports carry their own handling marking: read them in APC Desk.", note=True
        ),
    ]


def _risk_text(risk: briefs.StatisticalRisk) -> str:
    text = risk_percent(risk.risk)
    if risk.rank:
        text += f", rank {risk.rank}"
    if risk.previous_risk is not None:
        text += f" (previous edition {risk_percent(risk.previous_risk)}"
        text += f", rank {risk.previous_rank})" if risk.previous_rank else ")"
    return f"{text} — {risk.source} {risk.edition}, forecast for {risk.period}"


def _tier_change(change) -> str:
    if change.new_tier is None:
        return "Taken off the watchlist"
    if change.old_tier is None:
        return f"Added at tier {change.new_tier}"
    return f"Tier {change.old_tier} → tier {change.new_tier}"


class _RiskChart:
    """A small line chart of the statistical risk by year. Its figure is drawn once and then
    given each country's figures in turn: setting up axes and ticks is most of what a
    matplotlib chart costs, and a read-ahead has one chart per country."""

    def __init__(self):
        self.figure = Figure(figsize=(6.4, 2.1), dpi=170)
        self.figure.subplots_adjust(left=0.08, right=0.95, top=0.93, bottom=0.13)
        axes = self.axes = self.figure.add_subplot()
        (self.line,) = axes.plot([], [], linewidth=1.8, marker="o", markersize=3)
        self.fill = None
        self.last = axes.annotate("", (0, 0), textcoords="offset points", xytext=(4, 4), fontsize=8)
        axes.set_ylabel("Risk (%)", fontsize=8)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.tick_params(labelsize=7.5)
        axes.grid(axis="y", color="#dddddd", linewidth=0.6)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)

    def png(self, trend: tuple[tuple[int, float], ...], tier: int | None) -> bytes:
        years = [year for year, _ in trend]
        risks = [vocabulary.risk_on_axis(risk) for _, risk in trend]
        color = vocabulary.TIER_COLORS.get(tier, "#4575b4")
        self.line.set_data(years, risks)
        self.line.set_color(color)
        if self.fill is not None:
            self.fill.remove()
        self.fill = self.axes.fill_between(years, risks, color=color, alpha=0.12)
        self.last.set_text(risk_percent(trend[-1][1]))
        self.last.xy = (years[-1], risks[-1])
        self.axes.relim()
        self.axes.autoscale_view(scaley=False)
        self.axes.set_ylim(0, max(max(risks), 0.1) * 1.12)  # room above for the last value
        out = io.BytesIO()
        self.figure.savefig(out, format="png")
        return out.getvalue()


_charts = threading.local()  # a figure is not for two threads at once: one per thread


@lru_cache(maxsize=256)
def _risk_chart(trend: tuple[tuple[int, float], ...], tier: int | None) -> bytes:
    """The chart as a PNG. It depends on nothing but its figures, which change once a year
    with the Early Warning Project's edition: kept for the next paper that shows them."""
    if not hasattr(_charts, "drawer"):
        _charts.drawer = _RiskChart()
    return _charts.drawer.png(trend, tier)


# --- plans ------------------------------------------------------------------------------------


def _plan(plan_id: int, *, actor: Actor, number: int | None) -> tuple[Paper, Plan, int]:
    if not access.can(actor, "page.plan"):
        raise PermissionDenied("You do not have access to plans.")
    view = plans.get_plan(plan_id)
    if number is None:
        version = view.effective or view.latest
    else:
        version = next((v for v in view.versions if v.number == number), None)
        if version is None:
            raise NotFound(f"Plan {plan_id} has no version {number}.")
    detail = plans.version_detail(version.id)
    blocks: list[Block] = [_plan_facts(view, detail)]
    for title, text in (
        ("Situation", version.situation_summary),
        ("Objectives", version.objectives),
        ("Escalation triggers", version.escalation_triggers),
    ):
        blocks += [Heading(title), Paragraph(text or "—")]
    blocks += [*_lines_of_effort(detail), *_clearance_grid(detail)]
    plan = view.plan
    title = f"{vocabulary.PLAN_KIND_LABELS[plan.kind]} — {view.country_name}"
    subtitle = f"{plan.title} · version {version.number}"
    return new_paper("Plan", title, subtitle, blocks), plan, version.number


def _plan_facts(view: plans.PlanView, detail: plans.VersionDetail) -> Facts:
    plan, version = view.plan, detail.version
    author = f" by {detail.author}" if detail.author else ""
    facts = [
        ("Country", view.country_name),
        ("Plan", plan.title),
        ("Plan status", vocabulary.PLAN_STATUS_LABELS[plan.status]),
        ("Version", f"{version.number} — {version.status.replace('_', ' ')}"),
        ("Created", day(version.created_at) + author),
    ]
    if version.circulated_at:
        facts.append(("Circulated for clearance", day(version.circulated_at)))
    if version.approved_at:
        at = f" at {detail.decision_meeting.title}" if detail.decision_meeting else ""
        facts.append(("Approved", day(version.approved_at) + at))
    if detail.decision:
        facts.append(("Approval decision", detail.decision.text))
    if version.approval_override_reason:
        facts.append(("Approved without full clearance because", version.approval_override_reason))
    facts.append(("Review by", day(version.review_by)))
    if version.change_note:
        facts.append(("What this version changed", version.change_note))
    return Facts(facts)


def _lines_of_effort(detail: plans.VersionDetail) -> list[Block]:
    cited = {r.code: r.text for r in plans.recommendations()}
    blocks: list[Block] = [Heading(f"Lines of effort ({len(detail.lines)})")]
    if not detail.lines:
        blocks.append(Paragraph("This version has no lines of effort yet."))
    for view in detail.lines:
        line = view.line
        recommendations = "\n".join(f"{c} {cited.get(c, '')}" for c in view.recommendations)
        factors = "\n".join(f"{n}. {vocabulary.RISK_FACTORS[n]}" for n in view.factors)
        blocks += [
            Heading(f"{line.position}. {vocabulary.TOOLBOX_LABELS[line.toolbox_category]}", 2),
            Facts(
                [
                    ("Objective", line.objective),
                    ("Lead agency", view.lead),
                    ("Supporting agencies", ", ".join(view.supporting) or "—"),
                    ("Resources", line.resources or "—"),
                    ("Indicators and triggers", line.indicators or "—"),
                    ("Blueprint recommendations", recommendations or "—"),
                    ("Risk factors addressed", factors or "—"),
                ]
            ),
            *_tools_used(view),
        ]
    flags = coverage.against_the_evidence([detail.version.id])
    if flags:
        blocks += [
            Heading("Tools used against the evidence", 2),
            Bullets([flag.text for flag in flags]),
        ]
    return blocks


def _tools_used(view: plans.LineView) -> list[Block]:
    """Each evidence-review tool a line relies on: what it is, its theory of change, and the
    factors marked for the country or backed by stronger or moderate evidence."""
    blocks: list[Block] = []
    for entry in tools_evidence.tools(view.tool_ids):
        tool = entry.tool
        blocks += [
            Paragraph(
                [("Relies on: ", "B"), (tool.name, "B"), (f" — {tool.short_description}", "")]
            ),
            Paragraph([("Theory of change: ", "I"), (tool.theory_of_change or "—", "")]),
        ]
        if not tool.evidence_reviewed:
            blocks.append(Paragraph("No evidence review yet for this tool.", note=True))
            continue
        rows = [
            [
                factor.name,
                _evidence(factor.research_strength, factor.research_direction),
                _evidence(factor.practitioner_strength, factor.practitioner_direction),
                vocabulary.FACTOR_MARK_LABELS.get(view.evidence_marks.get(factor.id), "Not marked"),
            ]
            for factor in entry.factors
            if factor.id in view.evidence_marks
            or tools_evidence.strongest(factor) in tools_evidence.STRONG_EVIDENCE
        ]
        if rows:
            columns = ["Factor", "Research", "Practitioners", "In this country"]
            blocks.append(Table(columns, rows, [0.4, 0.2, 0.2, 0.2]))
    if blocks:
        blocks.append(Paragraph(f"Evidence: {tools_evidence.SOURCE}.", note=True))
    return blocks


def _evidence(strength: str | None, direction: str | None) -> str:
    if strength in (None, "none_available"):
        return "—"
    return f"{vocabulary.STRENGTH_LABELS[strength]}: {vocabulary.DIRECTION_LABELS[direction]}"


def _clearance_grid(detail: plans.VersionDetail) -> list[Block]:
    heading = Heading("Clearance")
    if not detail.clearances:
        return [heading, Paragraph("This version has not been circulated for clearance.")]
    rows, fills = [], {}
    for row in detail.clearances:
        position = row.clearance.position
        rows.append(
            [
                row.agency_name,
                vocabulary.CLEARANCE_LABELS[position],
                row.clearance.comments or "—",
                row.cleared_by or "—",
                day(row.clearance.cleared_at),
            ]
        )
        fills[len(rows) - 1, 1] = tint(vocabulary.CLEARANCE_COLORS[position])
    summary = ", ".join(
        f"{detail.count(p)} {label.lower()}"
        for p, label in vocabulary.CLEARANCE_LABELS.items()
        if detail.count(p)
    )
    columns = ["Agency", "Position", "Comments", "Cleared by", "Date"]
    return [
        heading,
        Paragraph(f"{len(detail.clearances)} agencies: {summary}."),
        Table(columns, rows, [0.26, 0.16, 0.3, 0.16, 0.12], fills),
    ]


# --- the horizon scan -----------------------------------------------------------------------


def horizon_paper(
    *, actor: Actor, fmt: str, edition: str | None = None, threshold: float = 5.0
) -> Export:
    """The horizon scan of an edition of the statistical risk, as a DOCX or PDF file."""
    check_format(fmt)
    scan = horizon.horizon_scan(actor=actor, edition=edition, threshold=threshold)
    return export(_horizon(scan), fmt, f"apc-horizon-scan-{scan.edition}.{fmt}")


def _tier_name(tier: int | None) -> str:
    return vocabulary.TIER_SHORT[tier] if tier else "Not watched"


def _horizon(scan: horizon.HorizonScan) -> Paper:
    period = scan.period.replace("-", "–")
    blocks: list[Block] = [
        Facts(
            [
                ("Edition", f"{scan.edition}: two-year risk of a new mass killing, {period}"),
                ("Compared with", f"the {scan.previous_edition} edition"),
                ("Countries off the watchlist shown above", f"{scan.threshold:g} % risk"),
                (
                    "Tier and rank diverge when",
                    f"tier 3 or off the watchlist in the top {scan.top}; "
                    f"tier 1 ranked below {scan.below}",
                ),
                ("Open signals from data", str(len(scan.open_signals))),
            ]
        ),
        Heading("Biggest movers"),
    ]
    if scan.movers:
        rows, fills = [], {}
        for m in scan.movers:
            rows.append(
                [
                    m.country_name,
                    _tier_name(m.tier),
                    risk_percent(m.risk_before),
                    risk_percent(m.now.risk),
                    f"{m.rise:+.2f}",
                    f"{m.rank_before or '—'} → {m.now.rank or '—'}",
                ]
            )
            if m.rise > 0:
                fills[len(rows) - 1, 4] = tint(vocabulary.TIER_COLORS[2])
        columns = ["Country", "Tier", "Risk before", "Risk now", "Points", "Rank"]
        blocks.append(Table(columns, rows, [0.28, 0.14, 0.14, 0.14, 0.12, 0.18], fills))
    else:
        blocks.append(Paragraph("No figures of an edition before this one are on record."))
    blocks.append(Heading(f"Above {scan.threshold:g} % and not on the watchlist"))
    if scan.unwatched_above:
        blocks.append(
            Table(
                ["Country", "Risk now", "Rank", "Risk before"],
                [
                    [
                        m.country_name,
                        risk_percent(m.now.risk),
                        str(m.now.rank or "—"),
                        risk_percent(m.risk_before),
                    ]
                    for m in scan.unwatched_above
                ],
                [0.4, 0.2, 0.2, 0.2],
            )
        )
    else:
        blocks.append(Paragraph("Every country above the threshold is on the watchlist."))
    blocks.append(Heading("The committee's tier and the statistical rank diverge"))
    if scan.divergences:
        blocks.append(
            Table(
                ["Country", "How", "Risk now"],
                [[m.country_name, how, risk_percent(m.now.risk)] for m, how in scan.divergences],
                [0.35, 0.45, 0.2],
            )
        )
    else:
        blocks.append(Paragraph("None: tiers and ranks agree."))
    blocks.append(Heading("Open signals from data"))
    if scan.open_signals:
        blocks.append(
            Table(
                ["Country", "Rule", "What fired", "Review by"],
                [
                    [r.country_name, r.rule.name, r.signal.what, day(r.signal.review_due_on)]
                    for r in scan.open_signals
                ],
                [0.2, 0.22, 0.42, 0.16],
            )
        )
    else:
        blocks.append(Paragraph("No signal is open."))
    if scan.trends:
        blocks += [PageBreak(), Heading("Risk trends")]
        names = {m.country_code: (m.country_name, m.tier) for m in scan.movers}
        names |= {m.country_code: (m.country_name, m.tier) for m in scan.unwatched_above}
        names |= {m.country_code: (m.country_name, m.tier) for m, _ in scan.divergences}
        names |= {r.signal.country_code: (r.country_name, r.tier) for r in scan.open_signals}
        for code in sorted(scan.trends, key=lambda c: names[c][0]):
            name, tier = names[code]
            blocks += [
                Heading(f"{name} ({_tier_name(tier).lower()})", 2),
                Chart(
                    _risk_chart(tuple(scan.trends[code]), tier),
                    f"Estimated risk of a new mass killing in {name}, by year forecast.",
                    width=0.8,
                ),
            ]
    blocks.append(
        Paragraph(
            "Source: Early Warning Project, Statistical Risk Assessment, United States Holocaust "
            "Memorial Museum (public replication files). Signals: the committee's own rules.",
            note=True,
        )
    )
    return new_paper(
        "Horizon scan",
        f"Statistical risk, {scan.edition} edition",
        f"What moved since {scan.previous_edition}, and what the watchlist does not yet reflect",
        blocks,
    )


# --- text -------------------------------------------------------------------------------------


def day(value: date | datetime | None) -> str:
    """A date as papers print it ("3 Mar 2027"; a moment on the committee's calendar)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(settings.zone()).date()
    return f"{value.day} {value:%b %Y}"


_MARKDOWN = MarkdownIt("commonmark").enable("table")


def markdown_blocks(text: str, *, drop_title: bool = False) -> list[Block]:
    """Minutes are written in Markdown: its headings, paragraphs, lists and tables as blocks.
    ``drop_title`` leaves out a first top-level heading (the paper has its own title)."""
    blocks: list[Block] = []
    level = 0  # of the heading being read
    lists: list[Bullets] = []  # open lists, outermost first; nested items join the outer one
    table: list[list[str]] | None = None
    for token in _MARKDOWN.parse(text or ""):
        kind = token.type
        if kind == "heading_open":
            level = int(token.tag[1])
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(Bullets([], numbered=kind == "ordered_list_open"))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            done = lists.pop()
            if not lists:
                blocks.append(done)
        elif kind == "table_open":
            table = []
        elif kind == "tr_open" and table is not None:
            table.append([])
        elif kind == "table_close" and table:
            columns, *rows = table
            blocks.append(Table(columns, rows, [1] * len(columns)))
            table = None
        elif kind in ("fence", "code_block"):
            blocks.append(Paragraph(token.content.rstrip("\n")))
        elif kind == "inline":
            words = _inline_text(token)
            if table is not None:
                table[-1].append(words)
            elif level:
                if not (drop_title and level == 1 and not blocks):
                    blocks.append(Heading(words, min(level, 3)))
                level = 0
            elif lists:
                lists[0].items.append(_inline_runs(token))
            else:
                blocks.append(Paragraph(_inline_runs(token)))
    return blocks


def _inline_runs(token) -> list[tuple[str, str]]:
    """Inline Markdown as runs of text with their emphasis (bold "B", italic "I")."""
    runs: list[tuple[str, str]] = []
    bold = italic = False
    for child in token.children or []:
        if child.type in ("strong_open", "strong_close"):
            bold = child.type == "strong_open"
        elif child.type in ("em_open", "em_close"):
            italic = child.type == "em_open"
        else:
            text = {"softbreak": " ", "hardbreak": "\n"}.get(child.type, child.content)
            runs.append((text, "B" * bold + "I" * italic))
    return runs


def _inline_text(token) -> str:
    return "".join(text for text, _ in _inline_runs(token))
