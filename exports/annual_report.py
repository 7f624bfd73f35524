"""The annual report as a DOCX or PDF paper, with its charts as images. It is built on the same
``Paper`` model and printers as the committee's other papers (``exports.documents``), so the
handling marking is on every page and both formats say the same thing."""

import io
from collections import Counter
from statistics import median

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from committee import reports, vocabulary
from committee.actor import Actor
from exports.documents import Export, check_format, day, export, new_paper
from exports.paper import Block, Chart, Facts, Heading, Paragraph, Table, tint

LATE_FILL = tint(vocabulary.OVERDUE_COLOR, 0.7)
NO_TIER_COLOR = "#9e9e9e"  # a country reviewed in the period and off the watchlist now


def annual_report_paper(*, actor: Actor, year: int, fmt: str) -> Export:
    """The year's report as a DOCX or PDF file."""
    check_format(fmt)
    start, end = reports.year_period(year)
    report = reports.annual_report(actor=actor, start=start, end=end)
    paper = new_paper(
        "Annual report",
        report.title,
        f"Atrocities Prevention Committee · {day(start)} – {day(end)}",
        blocks(report),
    )
    return export(paper, fmt, f"apc-annual-report-{year}.{fmt}")


def blocks(report: reports.AnnualReport) -> list[Block]:
    """What the report says, section by section."""
    if report.is_empty:
        return [
            Paragraph(
                "No committee activity is recorded for this period: no meeting was held, no "
                "country reviewed, no tier changed, no plan approved, no action item opened or "
                "closed, and no alert filed."
            )
        ]
    return [
        *_summary(report),
        *_reviews(report),
        *_tier_changes(report),
        *_plans(report),
        *_actions(report),
        *_alerts(report),
        *_signals(report),
        Paragraph(
            "Drawn from the committee's record in APC Desk. Restricted alerts are counted without "
            "their country.",
            note=True,
        ),
    ]


def _summary(report: reports.AnnualReport) -> list[Block]:
    held = report.meetings_held
    meetings = ", ".join(
        f"{held[kind]} {label.lower()}"
        for kind, label in vocabulary.MEETING_KIND_LABELS.items()
        if held.get(kind)
    )
    opened = sum(a.opened for a in report.actions)
    done = sum(a.done for a in report.actions)
    cancelled = sum(a.cancelled for a in report.actions)
    return [
        Heading("The year at a glance"),
        Facts(
            [
                ("Meetings held", meetings or "None"),
                (
                    "Country reviews",
                    f"{report.reviews_held} reviews of {len(report.reviews)} countries",
                ),
                ("Tier changes", str(len(report.tier_changes))),
                ("Plans approved", str(len(report.plans_approved))),
                ("Action items", f"{opened} opened, {done} done, {cancelled} cancelled"),
                (
                    "Alerts",
                    f"{len(report.alerts)} filed, {report.alerts_reviewed_on_time} reviewed "
                    "within their deadline",
                ),
                (
                    "Reviews triggered by data",
                    f"{len(report.signals)} signals, "
                    f"{sum(1 for s in report.signals if s.days_to_decision is not None)} decided",
                ),
            ]
        ),
    ]


def _reviews(report: reports.AnnualReport) -> list[Block]:
    out: list[Block] = [Heading("Countries reviewed")]
    if not report.reviews:
        return [*out, Paragraph("No country was reviewed at a meeting held in the period.")]
    return [
        *out,
        Chart(_reviews_chart(report.reviews), "Reviews held per country, coloured by tier now."),
        Table(
            ["Country", "Tier now", "Reviews", "Last reviewed"],
            [
                [
                    r.name,
                    vocabulary.TIER_LABELS[r.tier] if r.tier else "Off the watchlist",
                    str(r.reviews),
                    day(r.last_reviewed),
                ]
                for r in report.reviews
            ],
            [0.4, 0.25, 0.12, 0.23],
        ),
    ]


def _tier_changes(report: reports.AnnualReport) -> list[Block]:
    out: list[Block] = [Heading("Tier changes")]
    if not report.tier_changes:
        return [*out, Paragraph("No tier changed in the period.")]
    return [
        *out,
        Table(
            ["Date", "Country", "Change", "Reason"],
            [[day(c.day), c.country_name, _change(c), c.reason] for c in report.tier_changes],
            [0.14, 0.22, 0.2, 0.44],
        ),
    ]


def _change(change: reports.TierChangeLine) -> str:
    if change.new_tier is None:
        return "Taken off the watchlist"
    if change.old_tier is None:
        return f"Added at tier {change.new_tier}"
    return f"Tier {change.old_tier} → tier {change.new_tier}"


def _plans(report: reports.AnnualReport) -> list[Block]:
    out: list[Block] = [Heading("Plans approved")]
    if not report.plans_approved:
        return [*out, Paragraph("No plan was approved in the period.")]
    return [
        *out,
        Table(
            ["Date", "Country", "Plan", "Version"],
            [[day(p.day), p.country_name, p.title, str(p.version)] for p in report.plans_approved],
            [0.14, 0.24, 0.5, 0.12],
        ),
    ]


def _actions(report: reports.AnnualReport) -> list[Block]:
    out: list[Block] = [Heading("Action items by agency")]
    if not report.actions:
        return [*out, Paragraph("No action item was opened or closed in the period.")]
    return [
        *out,
        Chart(_actions_chart(report.actions), "Action items opened, done and cancelled."),
        Table(
            ["Agency", "Opened", "Done", "Cancelled"],
            [
                [f"{a.name} ({a.code})", str(a.opened), str(a.done), str(a.cancelled)]
                for a in report.actions
            ],
            [0.55, 0.15, 0.15, 0.15],
        ),
    ]


def _signals(report: reports.AnnualReport) -> list[Block]:
    out: list[Block] = [Heading("Reviews triggered by data, and how fast")]
    if not report.signals:
        return [*out, Paragraph("No rule on the statistical risk fired in the period.")]
    reviewed = sorted(s.days_to_review for s in report.signals if s.days_to_review is not None)
    decided = sorted(s.days_to_decision for s in report.signals if s.days_to_decision is not None)

    def middle(days: list[int]) -> str:
        return f"{median(days):g} days" if days else "—"

    rows, fills = [], {}
    for line in report.signals:
        rows.append(
            [
                line.country_name,
                f"{line.rule}: {line.what}",
                day(line.opened_on),
                "Not yet" if line.days_to_review is None else str(line.days_to_review),
                "Not yet" if line.days_to_decision is None else str(line.days_to_decision),
            ]
        )
        if line.review_late:
            fills[len(rows) - 1, 3] = LATE_FILL
        if line.decision_late:
            fills[len(rows) - 1, 4] = LATE_FILL
    return [
        *out,
        Paragraph(
            f"{len(report.signals)} signals opened by the committee's rules on the Early Warning "
            f"Project's statistical risk; {len(reviewed)} reviewed at a meeting (median "
            f"{middle(reviewed)}), {len(decided)} closed by a decision (median {middle(decided)})."
        ),
        Table(
            ["Country", "What fired", "Opened", "Days to review", "Days to decision"],
            rows,
            [0.18, 0.42, 0.14, 0.13, 0.13],
            fills,
        ),
    ]


def _alerts(report: reports.AnnualReport) -> list[Block]:
    out: list[Block] = [Heading("Alerts and how fast they were reviewed")]
    if not report.alerts:
        return [*out, Paragraph("No alert was filed in the period.")]
    rows, fills = [], {}
    for line in report.alerts:
        rows.append(
            [
                line.reference,
                line.country_name,
                vocabulary.SEVERITY_LABELS[line.severity].split(" —")[0],
                day(line.filed_on),
                "Not reviewed" if line.days_to_review is None else f"{line.days_to_review:g}",
                f"{line.deadline_days:g}",
            ]
        )
        if line.late:
            fills[len(rows) - 1, 4] = LATE_FILL
    return [
        *out,
        Chart(
            _alerts_chart(report.alerts),
            "Alerts filed each month, by whether they were reviewed by their deadline.",
        ),
        Table(
            ["Alert", "Country", "Severity", "Filed", "Days to review", "Deadline (days)"],
            rows,
            [0.17, 0.23, 0.13, 0.15, 0.16, 0.16],
            fills,
        ),
    ]


# --- charts -----------------------------------------------------------------------------------


def _figure(height: float) -> tuple[Figure, object]:
    figure = Figure(figsize=(6.4, height), dpi=200, layout="constrained")
    axes = figure.add_subplot()
    axes.tick_params(labelsize=7.5)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, axes


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _reviews_chart(reviews: list[reports.CountryReviews]) -> bytes:
    shown = list(reversed(reviews))  # most reviewed on top
    figure, axes = _figure(0.3 + 0.2 * len(shown))
    axes.barh(
        [r.name for r in shown],
        [r.reviews for r in shown],
        color=[vocabulary.TIER_COLORS.get(r.tier, NO_TIER_COLOR) for r in shown],
    )
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("Reviews", fontsize=8)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    return _png(figure)


def _actions_chart(actions: list[reports.AgencyActivity]) -> bytes:
    figure, axes = _figure(2.6)
    positions = range(len(actions))
    series = (
        ("Opened", "opened", vocabulary.ACTION_STATUS_COLORS["open"]),
        ("Done", "done", vocabulary.ACTION_STATUS_COLORS["done"]),
        ("Cancelled", "cancelled", vocabulary.ACTION_STATUS_COLORS["cancelled"]),
    )
    width = 0.27
    for offset, (label, attribute, color) in enumerate(series):
        axes.bar(
            [p + (offset - 1) * width for p in positions],
            [getattr(a, attribute) for a in actions],
            width,
            label=label,
            color=color,
        )
    axes.set_xticks(list(positions), [a.code for a in actions], rotation=45, ha="right")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.legend(fontsize=7.5, frameon=False, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1))
    return _png(figure)


# How an alert of the period fared, in the order stacked, with its colour.
ALERT_OUTCOMES = {
    "Reviewed by the deadline": vocabulary.REVIEW_STATUS_COLORS["on_time"],
    "Late": vocabulary.REVIEW_STATUS_COLORS["overdue"],
    "Waiting, within the deadline": vocabulary.REVIEW_STATUS_COLORS["due"],
}


def _alert_outcome(line: reports.AlertLine) -> str:
    if line.on_time:
        return "Reviewed by the deadline"
    return "Late" if line.late else "Waiting, within the deadline"


def _alerts_chart(alerts: list[reports.AlertLine]) -> bytes:
    """The alerts filed each month, by how their review went: one bar a month, however many
    alerts a year brings (the table under it lists each one)."""
    months = sorted({line.filed_on.replace(day=1) for line in alerts})
    counts = Counter((line.filed_on.replace(day=1), _alert_outcome(line)) for line in alerts)
    figure, axes = _figure(2.4)
    positions = range(len(months))
    below = [0] * len(months)
    for outcome, color in ALERT_OUTCOMES.items():
        heights = [counts[month, outcome] for month in months]
        axes.bar(positions, heights, 0.7, bottom=below, label=outcome, color=color)
        below = [b + h for b, h in zip(below, heights, strict=True)]
    axes.set_xticks(
        list(positions), [f"{month:%b %Y}" for month in months], rotation=45, ha="right"
    )
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("Alerts filed", fontsize=8)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.legend(fontsize=7.5, frameon=False, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1))
    return _png(figure)
