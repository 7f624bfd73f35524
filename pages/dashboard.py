"""Dashboard: is the committee doing its job? First the four places it can fall behind, then a
chart for each, in the same colours everywhere (green on time, amber due, red behind). Every
chart leads to the list behind it: click a bar or a country, or open the list below it."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from committee import access, dashboard, signals, vocabulary
from committee.dashboard import COVERAGE_COLORS, COVERAGE_LABELS, COVERAGE_STATES
from pages import ui, world

COUNTRY_PAGE, ALERTS_PAGE = "pages/country.py", "pages/alerts.py"
SIGNALS_PAGE = "pages/signals.py"
TRACKER_PAGE, DESK_PAGE = "pages/tracker.py", "pages/agency_desk.py"
REVIEW_ORDER = ("overdue", "due", "on_time")
OPEN_ORDER = ("blocked", "open", "in_progress")
TIER_NAMES = {tier: f"Tier {tier}" for tier in vocabulary.TIER_LABELS}
LAYOUT = dict(
    margin={"l": 0, "r": 10, "t": 30, "b": 0},
    legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "traceorder": "normal"},
    barmode="stack",
    plot_bgcolor="#ffffff",
)


def picked(event, field: int = 0) -> set:
    """What the person clicked in a chart: the ``customdata[field]`` of its points."""
    points = event.selection.points if event else []
    return {p["customdata"][field] for p in points if p.get("customdata")}


def bar(name: str, labels: list, values: list[int], color: str, keys: list) -> go.Bar:
    """One segment of a horizontal stacked bar, its count written on it."""
    return go.Bar(
        name=name,
        y=labels,
        x=values,
        orientation="h",
        marker_color=color,
        text=[v or "" for v in values],
        textposition="inside",
        insidetextanchor="middle",
        textangle=0,
        customdata=[[k] for k in keys],
        hovertemplate=f"{name}: %{{x}}<extra>%{{y}}</extra>",
    )


def list_behind(title: str, frame: pd.DataFrame, key: str, opened=None) -> None:
    """The rows behind a chart, in an expander; ``opened(row_number)`` opens one. The table
    is drawn only while the expander is open (opening it reruns): six tables laid out unseen
    cost the browser more than the charts above them."""
    expander = st.expander(title, expanded=False, key=f"{key}_open", on_change="rerun")
    if not expander.open:
        return
    with expander:
        if frame.empty:
            st.caption("Nothing to list.")
            return
        event = st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            on_select="rerun" if opened else "ignore",
            selection_mode="single-row",
            key=key,
        )
        if opened and event.selection.rows:
            opened(event.selection.rows[0])


# --- the charts -------------------------------------------------------------------------------


def tier_map(tiers: dict[str, int], names: dict[str, str]) -> go.Figure:
    traces = []
    for tier, label in vocabulary.TIER_LABELS.items():
        codes = [code for code, t in tiers.items() if t == tier]
        color = vocabulary.TIER_COLORS[tier]
        traces.append(
            go.Choropleth(
                locations=codes,
                z=[tier] * len(codes),
                colorscale=[[0, color], [1, color]],
                showscale=False,
                name=label,
                showlegend=True,
                customdata=[[code, names[code]] for code in codes],
                hovertemplate=f"<b>%{{customdata[1]}}</b><br>{label}<extra></extra>",
                marker_line_color="#ffffff",
            )
        )
    return world.figure(traces, height=340, land="#eeeeee")


def review_chart(reviews) -> go.Figure:
    tiers = list(reversed(vocabulary.TIER_LABELS))  # tier 1 on top
    return go.Figure(
        [
            bar(
                vocabulary.REVIEW_STATUS_LABELS[status],
                [TIER_NAMES[t] for t in tiers],
                [sum(1 for r in reviews if r.tier == t and r.status == status) for t in tiers],
                vocabulary.REVIEW_STATUS_COLORS[status],
                [status] * len(tiers),
            )
            for status in REVIEW_ORDER
        ],
        layout=dict(height=230, xaxis_title="Countries of concern", **LAYOUT),
    )


def actions_chart(agencies: list[dashboard.AgencyActions]) -> go.Figure:
    shown = list(reversed(agencies))  # the worst on top
    codes = [a.code for a in shown]
    traces = [bar("Overdue", codes, [a.overdue for a in shown], vocabulary.OVERDUE_COLOR, codes)]
    traces += [
        bar(
            vocabulary.ACTION_STATUS_LABELS[status],
            codes,
            [a.by_status.get(status, 0) for a in shown],
            vocabulary.ACTION_STATUS_COLORS[status],
            codes,
        )
        for status in OPEN_ORDER
    ]
    return go.Figure(
        traces,
        layout=dict(height=120 + 24 * len(codes), xaxis_title="Open action items", **LAYOUT),
    )


def trend_chart(points: list[dashboard.TrendPoint]) -> go.Figure:
    days = [p.day for p in points]
    traces, labels = [], []
    for name, values, color in (
        ("Open", [p.open for p in points], vocabulary.ACTION_STATUS_COLORS["open"]),
        ("Overdue", [p.overdue for p in points], vocabulary.OVERDUE_COLOR),
    ):
        traces.append(
            go.Scatter(
                x=days,
                y=values,
                name=name,
                mode="lines+markers",
                line={"color": color, "width": 2.5},
                fill="tozeroy" if name == "Overdue" else None,
                hovertemplate=f"{name}: %{{y}}<extra>%{{x|%d %b %Y}}</extra>",
            )
        )
        # The last value named at the line's end: no legend to look up.
        labels.append(
            {
                "x": days[-1],
                "y": values[-1],
                "text": f"{values[-1]} {name.lower()}",
                "showarrow": False,
                "xanchor": "left",
                "xshift": 8,
                "font": {"color": color},
            }
        )
    return go.Figure(
        traces,
        layout=dict(
            annotations=labels,
            height=300,
            showlegend=False,
            margin={"l": 0, "r": 80, "t": 10, "b": 0},
            yaxis_title="Action items",
            plot_bgcolor="#ffffff",
            yaxis={"gridcolor": "#eeeeee", "rangemode": "tozero"},
        ),
    )


def alert_state(timing: dashboard.AlertTiming) -> str:
    if timing.reviewed:
        return "Reviewed on time" if timing.on_time else "Reviewed late"
    return "Waiting" if timing.on_time else "Waiting, past deadline"


ALERT_COLORS = {
    "Reviewed on time": vocabulary.REVIEW_STATUS_COLORS["on_time"],
    "Reviewed late": vocabulary.REVIEW_STATUS_COLORS["overdue"],
    "Waiting": vocabulary.REVIEW_STATUS_COLORS["due"],
    "Waiting, past deadline": vocabulary.OVERDUE_COLOR,
}


def alerts_chart(timings: list[dashboard.AlertTiming]) -> go.Figure:
    shown = timings  # in filing order: plotly draws the first at the bottom, the newest on top
    labels = [f"{t.reference} · {t.country_name}" for t in shown]
    traces = []
    for state, color in ALERT_COLORS.items():
        group = [
            (label, t) for label, t in zip(labels, shown, strict=True) if alert_state(t) == state
        ]
        if group:
            traces.append(
                go.Bar(
                    name=state,
                    y=[label for label, _ in group],
                    x=[t.days for _, t in group],
                    orientation="h",
                    marker_color=color,
                    text=[f"{t.days:g} d" for _, t in group],
                    textposition="outside",
                    textangle=0,
                    cliponaxis=False,
                    customdata=[[t.alert_id] for _, t in group],
                    hovertemplate=f"{state}: %{{x}} days<extra>%{{y}}</extra>",
                )
            )
    traces.append(
        go.Scatter(
            name="Review deadline",
            y=labels,
            x=[t.deadline_days for t in shown],
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 22, "color": "#1f2a44", "line": {"width": 3}},
            hovertemplate="Deadline: %{x} days<extra>%{y}</extra>",
        )
    )
    # The x axis reaches a fifth past the longest bar: room for the labels beyond the bars.
    longest = max(max(t.days, t.deadline_days) for t in shown)
    return go.Figure(
        traces,
        layout=dict(
            height=120 + 30 * len(shown),
            xaxis={"title": {"text": "Days from filing"}, "range": [0, longest * 1.2]},
            yaxis={"categoryorder": "array", "categoryarray": labels},
            **LAYOUT,
        ),
    )


def coverage_chart(rows: list[dashboard.CoverageRow]) -> go.Figure:
    tiers = [2, 1]  # tier 1 on top
    return go.Figure(
        [
            bar(
                COVERAGE_LABELS[state],
                [TIER_NAMES[t] for t in tiers],
                [sum(1 for r in rows if r.tier == t and r.state == state) for t in tiers],
                COVERAGE_COLORS[state],
                [state] * len(tiers),
            )
            for state in COVERAGE_STATES
        ],
        layout=dict(height=200, xaxis_title="Tier 1 and 2 countries", **LAYOUT),
    )


# --- the page ---------------------------------------------------------------------------------

actor = ui.require("page.dashboard")
figures = dashboard.dashboard(actor=actor)
may_track = access.can(actor, "page.tracker")

st.title("Dashboard")
st.caption("Where the committee stands today, and where it is behind.")

behind = [
    ("Reviews overdue", figures.reviews_overdue, "countries past their review date"),
    ("Overdue action items", figures.actions_overdue, "open items past their due date"),
    ("Alerts past deadline", figures.alerts_late, "alerts not reviewed in time"),
    ("Plan gaps", figures.plan_gaps, "tier 1–2 countries without a current plan"),
]
for column, (label, count, meaning) in zip(st.columns(4), behind, strict=True):
    column.metric(
        label,
        count,
        border=True,
        help=meaning,
        delta="behind" if count else "on track",
        delta_color="inverse" if count else "off",
        delta_arrow="off",
    )

left, right = st.columns([1.4, 1])
with left, st.container(border=True):
    st.subheader("Countries of concern by tier")
    event = st.plotly_chart(
        tier_map(figures.tiers, figures.country_names),
        key="tier_map",
        on_select="rerun",
        selection_mode="points",
        config=world.config(),
    )
    st.caption("Click a country to open its page.")
    if clicked := picked(event):
        st.switch_page(COUNTRY_PAGE, query_params={"code": clicked.pop()})
    by_tier = sorted(
        figures.tiers.items(), key=lambda pair: (pair[1], figures.country_names[pair[0]])
    )
    list_behind(
        f"The {len(by_tier)} countries on this map",
        pd.DataFrame(
            [
                {"Country": figures.country_names[code], "Tier": vocabulary.TIER_LABELS[tier]}
                for code, tier in by_tier
            ]
        ),
        "tier_map_list",
        lambda n: st.switch_page(COUNTRY_PAGE, query_params={"code": by_tier[n][0]}),
    )

with right, st.container(border=True):
    st.subheader("Reviews by status")
    event = st.plotly_chart(
        review_chart(figures.reviews), key="reviews", on_select="rerun", selection_mode="points"
    )
    chosen = picked(event) or set(REVIEW_ORDER)
    reviews = [r for r in figures.reviews if r.status in chosen]
    list_behind(
        f"The {len(reviews)} countries behind this chart",
        pd.DataFrame(
            [
                {
                    "Country": r.country_name,
                    "Tier": TIER_NAMES[r.tier],
                    "Status": vocabulary.REVIEW_STATUS_LABELS[r.status],
                    "Last review": ui.day(r.last_reviewed_on),
                    "Next review due": ui.day(r.next_due_on),
                }
                for r in reviews
            ]
        ),
        "reviews_list",
        lambda n: st.switch_page(COUNTRY_PAGE, query_params={"code": reviews[n].country_code}),
    )

left, right = st.columns(2)
with left, st.container(border=True):
    st.subheader("Open action items by agency")
    event = st.plotly_chart(
        actions_chart(figures.actions), key="actions", on_select="rerun", selection_mode="points"
    )
    agencies = [
        a for a in figures.actions if a.code in (picked(event) or {a.code for a in figures.actions})
    ]
    list_behind(
        "The agencies behind this chart",
        pd.DataFrame(
            [
                {"Agency": a.name, "Overdue": a.overdue, "Open": a.open}
                | {
                    vocabulary.ACTION_STATUS_LABELS[s] + " (not overdue)": a.by_status.get(s, 0)
                    for s in OPEN_ORDER
                }
                for a in agencies
            ]
        ),
        "actions_list",
        (
            lambda n: st.switch_page(
                TRACKER_PAGE, query_params={"agency": agencies[n].code, "overdue": "1"}
            )
        )
        if may_track
        else None,
    )
    if may_track:
        st.page_link(
            TRACKER_PAGE,
            label="Every overdue item in the tracker",
            icon=":material/checklist:",
            query_params={"overdue": "1"},
        )
    elif access.can(actor, "page.agency_desk"):
        st.page_link(DESK_PAGE, label="My agency's items", icon=":material/assignment_ind:")

with right, st.container(border=True):
    st.subheader("Action items over 12 months")
    st.plotly_chart(trend_chart(figures.trend), key="trend")
    list_behind(
        "The figures behind this chart",
        pd.DataFrame(
            [
                {"At the end of": ui.day(p.day), "Open": p.open, "Overdue": p.overdue}
                for p in figures.trend
            ]
        ),
        "trend_list",
    )

left, right = st.columns(2)
with left, st.container(border=True):
    st.subheader("Time from alert to review")
    timings, record = figures.alert_timings, figures.alert_record
    if not timings:
        st.info("No alerts in the past year.")
    else:
        st.markdown(
            f"In the past 12 months: **{record.filed}** alerts filed, "
            f"**{record.reviewed_on_time}** reviewed by their deadline, "
            f"**{record.reviewed_late}** after it, **{record.waiting}** not reviewed yet."
        )
        event = st.plotly_chart(
            alerts_chart(timings), key="alerts", on_select="rerun", selection_mode="points"
        )
        if clicked := picked(event):
            st.switch_page(ALERTS_PAGE, query_params={"alert": str(clicked.pop())})
        st.caption(
            f"Every open alert and the {dashboard.ALERTS_SHOWN} filed most recently. Bars: days "
            "from filing to review (or waited so far); marks: the deadline."
        )
        list_behind(
            f"The {len(timings)} alerts behind this chart",
            pd.DataFrame(
                [
                    {
                        "Alert": t.reference,
                        "Country": t.country_name,
                        "Severity": vocabulary.SEVERITY_LABELS[t.severity].split(" —")[0],
                        "State": alert_state(t),
                        "Days": t.days,
                        "Deadline (days)": t.deadline_days,
                    }
                    for t in timings
                ]
            ),
            "alerts_list",
            lambda n: st.switch_page(ALERTS_PAGE, query_params={"alert": str(timings[n].alert_id)}),
        )
    st.page_link(
        ALERTS_PAGE,
        label="Alerts past their deadline",
        icon=":material/alarm:",
        query_params={"overdue": "1"},
    )

with right, st.container(border=True):
    st.subheader("Plan coverage")
    event = st.plotly_chart(
        coverage_chart(figures.coverage), key="coverage", on_select="rerun", selection_mode="points"
    )
    chosen = picked(event) or set(COVERAGE_STATES)
    covered = [c for c in figures.coverage if c.state in chosen]
    list_behind(
        f"The {len(covered)} countries behind this chart",
        pd.DataFrame(
            [
                {"Country": c.name, "Tier": TIER_NAMES[c.tier], "Plan": COVERAGE_LABELS[c.state]}
                for c in covered
            ]
        ),
        "coverage_list",
        lambda n: st.switch_page(COUNTRY_PAGE, query_params={"code": covered[n].code}),
    )

with st.container(border=True):
    st.subheader("Signals from data")
    waiting = signals.list_signals(actor=actor, status="open")
    if not waiting:
        st.caption("No open signals: the statistical risk has triggered nothing still to decide.")
    else:
        late = sum(1 for r in waiting if r.review_late)
        st.markdown(
            f"**{len(waiting)}** open signals from the statistical risk"
            + (f", :red[**{late}** past their review date]" if late else "")
            + "."
        )
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Country": r.country_name,
                        "Rule": r.rule.name,
                        "What fired": r.signal.what,
                        "Review by": ui.day(r.signal.review_due_on),
                        "Review": ui.day(r.meeting.starts_at.date()) if r.meeting else "not yet",
                    }
                    for r in waiting[:10]
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    st.page_link(SIGNALS_PAGE, label="Signals from data", icon=":material/sensors:")
