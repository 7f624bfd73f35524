"""The statistical risk over time, as the country page and the meeting room's brief draw it: one
chart on a percent axis, whose line ends on the edition the brief cites (``risk_trend``), with
the figures behind it in a table beside it."""

import plotly.graph_objects as go
import streamlit as st

from committee import briefs, clock, vocabulary
from committee.vocabulary import risk_on_axis, risk_percent

LINE_COLOR = "#4575b4"
EDITION_COLOR = "#d73027"


def figure(brief: briefs.CountryBrief, *, editions: bool = True, height: int = 340) -> go.Figure:
    """The trend line and the years a mass killing began; with ``editions``, every published
    edition's two-year forecast as a diamond (the cited one sits on the line's end)."""
    trend = brief.risk_trend
    ranks = _ranks(brief)
    traces = [
        go.Scatter(
            x=[year for year, _ in trend],
            y=[risk_on_axis(risk) for _, risk in trend],
            customdata=[ranks.get(year) or "—" for year, _ in trend],
            mode="lines+markers",
            name="Forecast for each year",
            line={"color": LINE_COLOR, "width": 2},
            marker={"size": 4},
            hovertemplate="%{x}: %{y:.1f}% (rank %{customdata})<extra></extra>",
        )
    ]
    onsets = [p for p in brief.risk_history if p.onset]
    if onsets:
        traces.append(
            go.Scatter(
                x=[p.year for p in onsets],
                y=[risk_on_axis(p.risk) for p in onsets],
                mode="markers",
                name="A mass killing began",
                marker={"symbol": "x", "size": 11, "color": vocabulary.OVERDUE_COLOR},
                hovertemplate="%{x}: a new mass killing began<extra></extra>",
            )
        )
    if editions and brief.forecasts:
        traces.append(
            go.Scatter(
                x=[f.first_year for f in brief.forecasts],
                y=[risk_on_axis(f.risk) for f in brief.forecasts],
                customdata=[[f.edition, f.period, f.rank or "—"] for f in brief.forecasts],
                mode="markers+text",
                text=[f"{f.edition} edition" for f in brief.forecasts],
                textposition="top center",
                name="Edition: two-year forecast",
                marker={"symbol": "diamond", "size": 12, "color": EDITION_COLOR},
                hovertemplate="%{customdata[0]} edition: %{y:.1f}% for %{customdata[1]} "
                "(rank %{customdata[2]})<extra></extra>",
            )
        )
    return go.Figure(
        traces,
        layout=dict(
            height=height,
            margin={"l": 10, "r": 10, "t": 30 if editions else 10, "b": 10},
            yaxis={"title": "Risk (%)", "ticksuffix": "%", "rangemode": "tozero"},
            xaxis={"dtick": 5, "range": [1993, clock.today().year + 2]} if editions else {},
            showlegend=editions,
            legend={"orientation": "h", "y": 1.12, "x": 0},
            hovermode="closest",
        ),
    )


def show(brief: briefs.CountryBrief, *, editions: bool = True, height: int = 340) -> None:
    """The chart, then its figures (its text version) in an expander."""
    st.plotly_chart(
        figure(brief, editions=editions, height=height), config={"displayModeBar": False}
    )
    cited = brief.statistical_risk
    ranks = _ranks(brief)
    onsets = {p.year for p in brief.risk_history if p.onset}
    rows = [
        {
            "Year": str(year),
            "Risk": risk_percent(risk),
            "Rank": ranks.get(year),
            "What": "Yearly forecast" + ("; a mass killing began" if year in onsets else ""),
        }
        for year, risk in brief.risk_trend
    ]
    if cited is not None and rows:
        rows[-1]["What"] = f"{cited.edition} edition: two-year forecast for {cited.period}"
    if editions:
        rows += [
            {
                "Year": f.period,
                "Risk": risk_percent(f.risk),
                "Rank": f.rank,
                "What": f"{f.edition} edition: two-year forecast",
            }
            for f in brief.forecasts
            if f is not cited
        ]
    with st.expander("The figures behind this chart"):
        st.dataframe(rows, hide_index=True)


def _ranks(brief: briefs.CountryBrief) -> dict[int, int | None]:
    """The rank of each year on the trend line, the cited edition's at its end."""
    ranks = {point.year: point.rank for point in brief.risk_history}
    if brief.statistical_risk is not None:
        ranks[brief.statistical_risk.first_year] = brief.statistical_risk.rank
    return ranks
