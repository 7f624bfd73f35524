"""Watchlist: the countries of concern on a world map and in a table; a click opens a country."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from committee import access, plans, statistical_risk, vocabulary, watchlist
from pages import ui, world

COUNTRY_PAGE = "pages/country.py"
PLAN_PAGE = "pages/plan.py"


def world_map(countries: list[watchlist.MapCountry], colour_by: str) -> go.Figure:
    """A choropleth: by tier, one trace per tier (and one for the rest); or by risk."""
    traces = []
    hover = "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>Statistical risk %{customdata[2]}"
    hover += " (rank %{customdata[3]})<extra></extra>"

    def add(group: list[watchlist.MapCountry], marker_line_color="#ffffff", **style) -> None:
        traces.append(
            go.Choropleth(
                locations=[c.code for c in group],
                customdata=[
                    [
                        c.name,
                        vocabulary.TIER_LABELS[c.tier] if c.tier else "Not on the watchlist",
                        vocabulary.risk_percent(c.risk),
                        c.rank or "—",
                    ]
                    for c in group
                ],
                hovertemplate=hover,
                marker_line_color=marker_line_color,
                **style,
            )
        )

    if colour_by == "Tier":
        others = [c for c in countries if c.tier is None]
        add(
            others,
            z=[0] * len(others),
            colorscale=[[0, vocabulary.OFF_WATCHLIST_COLOR], [1, vocabulary.OFF_WATCHLIST_COLOR]],
            showscale=False,
            name="Not on the watchlist",
            showlegend=True,
        )
        for tier, label in vocabulary.TIER_LABELS.items():
            group = [c for c in countries if c.tier == tier]
            colour = vocabulary.TIER_COLORS[tier]
            add(
                group,
                z=[tier] * len(group),
                colorscale=[[0, colour], [1, colour]],
                showscale=False,
                name=label,
                showlegend=True,
            )
    else:
        scored = [c for c in countries if c.risk is not None]
        add(
            scored,
            z=[round(vocabulary.risk_on_axis(c.risk), 1) for c in scored],
            colorscale=vocabulary.RISK_SCALE,
            zmin=0,
            colorbar={"title": {"text": "Risk %"}, "thickness": 12, "len": 0.7},
            marker_line_width=[2.2 if c.tier else 0.5 for c in scored],
            marker_line_color=["#333333" if c.tier else "#ffffff" for c in scored],
        )
    return world.figure(traces, height=470, land="#f4f4f4", clickmode="event+select")


def table(rows: list[watchlist.WatchlistRow]) -> pd.DataFrame:
    """The rows in reading order: risk first, then what the committee does about it."""
    return pd.DataFrame(
        [
            {
                "Country": row.name,
                "Tier": f"{row.tier} · {vocabulary.TIER_SHORT[row.tier]}",
                "Risk %": None if row.risk is None else round(vocabulary.risk_on_axis(row.risk), 1),
                "Rank": row.rank,
                "Change (pts)": None
                if row.risk_change is None
                else round(vocabulary.risk_on_axis(row.risk_change), 1),
                "Plans": " · ".join(
                    f"{p.kind.capitalize()}: {vocabulary.PLAN_STATUS_LABELS[p.status].lower()}"
                    for p in row.plans
                )
                or "No plan",
                "Gaps": "; ".join(gap.text for gap in row.gaps),
                "Open actions": row.open_actions,
                "Overdue": row.overdue_actions,
                "Next review due": row.next_review_due,
                "Review": vocabulary.REVIEW_STATUS_LABELS.get(row.review_status or "", ""),
                "Last review": row.last_reviewed_on,
            }
            for row in rows
        ]
    )


def colour_tiers(frame: pd.DataFrame):
    """Tier cells in the tier's colour, overdue counts in red: the eye finds them first."""

    def tier_style(value: str) -> str:
        tier = int(value.split(" ")[0])
        colour = vocabulary.TIER_COLORS[tier]
        return f"background-color: {colour}; color: {vocabulary.ink_on(colour)}; font-weight: 600"

    return (
        frame.style.map(tier_style, subset=["Tier"])
        .map(
            lambda n: f"color: {vocabulary.OVERDUE_COLOR}; font-weight: 600" if n else "",
            subset=["Overdue"],
        )
        .format({"Risk %": "{:.1f}", "Change (pts)": "{:+.1f}"}, na_rep="—")
    )


actor = ui.require("page.watchlist")
rows = watchlist.watchlist_table()

st.title("Watchlist")
ui.say_done()
tiers = [sum(1 for r in rows if r.tier == tier) for tier in vocabulary.TIER_LABELS]
st.caption(
    f"{len(rows)} countries of concern: {tiers[0]} acute, {tiers[1]} high risk, {tiers[2]} watch."
)

if actor.agency_id and access.can(actor, "plan.clear", agency_id=actor.agency_id):
    waiting = plans.awaiting_clearance(agency_id=actor.agency_id)
    if waiting:
        with st.container(border=True):
            st.subheader(f"Awaiting {actor.agency_code}'s clearance")
            for plan, version, country_name in waiting:
                st.page_link(
                    PLAN_PAGE,
                    label=ui.plain(f"{country_name}: {plan.title} (version {version.number})"),
                    icon=":material/description:",
                    query_params={"id": plan.id},
                )

gaps = [(row, gap) for row in rows for gap in row.gaps]
a, b, c, d = st.columns(4)
a.metric("Tier 1 — acute", tiers[0])
b.metric("Plan gaps", len(gaps), help="Tier 1 or 2 with no plan in effect; plans past review-by")
c.metric(
    "Reviews overdue",
    sum(1 for r in rows if r.review_status == "overdue"),
)
d.metric("Overdue actions", sum(r.overdue_actions for r in rows))

if gaps:
    with st.expander(f":material/warning: {len(gaps)} plan gaps", expanded=False):
        for row, gap in gaps:
            st.page_link(
                COUNTRY_PAGE,
                label=ui.plain(f"{row.name} — {gap.text}"),
                icon=":material/error:" if row.tier == 1 else ":material/warning:",
                query_params={"code": row.code},
            )

with st.container(border=True):
    left, right = st.columns([3, 2], vertical_alignment="center")
    left.subheader("World map")
    colour_by = right.segmented_control(
        "Colour by", ["Tier", "Statistical risk"], default="Tier", key="colour_by"
    )
    event = st.plotly_chart(
        world_map(watchlist.world_map(), colour_by or "Tier"),
        key="world_map",
        on_select="rerun",
        selection_mode="points",
        config=world.config(),
    )
    attribution = statistical_risk.newest_edition()
    outlined = " Outlined: countries on the watchlist." if colour_by == "Statistical risk" else ""
    st.caption(
        f"Click a country to open its page.{outlined} "
        + (f"Statistical risk: {attribution}." if attribution else "No statistical risk imported.")
    )
    if event and event.selection.points:
        st.switch_page(COUNTRY_PAGE, query_params={"code": event.selection.points[0]["location"]})

with st.container(border=True):
    st.subheader("Countries of concern")
    tier_col, region_col, search_col, gap_col = st.columns([2.6, 1.8, 1.8, 1])
    chosen_tiers = tier_col.pills(
        "Tier",
        list(vocabulary.TIER_SHORT),
        format_func=lambda t: f"{t} · {vocabulary.TIER_SHORT[t]}",
        selection_mode="multi",
        default=list(vocabulary.TIER_SHORT),
    )
    regions = sorted({row.region for row in rows if row.region})
    region = region_col.selectbox("Region", ["All regions", *regions])
    search = search_col.text_input("Find a country", placeholder="Name or code")
    only_gaps = gap_col.toggle("Only gaps")
    shown = [
        row
        for row in rows
        if row.tier in chosen_tiers
        and (region == "All regions" or row.region == region)
        and (not search or search.lower() in f"{row.name} {row.code}".lower())
        and (row.gaps or not only_gaps)
    ]
    picked = st.dataframe(
        colour_tiers(table(shown)) if shown else table(shown),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(shown), 740),
        on_select="rerun",
        selection_mode="single-row",
        key="watchlist_table",
        column_config={
            "Country": st.column_config.TextColumn(pinned=True, width="medium"),
            "Rank": st.column_config.NumberColumn(help="1 = highest statistical risk"),
            "Change (pts)": st.column_config.NumberColumn(
                help="Change of statistical risk since the last edition, in percentage points"
            ),
            "Last review": st.column_config.DateColumn(format="D MMM YYYY"),
            "Next review due": st.column_config.DateColumn(format="D MMM YYYY"),
        },
    )
    st.caption("Select a row to open the country. Click a column's header to sort by it.")
    if picked and picked.selection.rows:
        st.switch_page(COUNTRY_PAGE, query_params={"code": shown[picked.selection.rows[0]].code})
    # The table's rows open only with a pointer or Shift+Space: a list opens them by keyboard.
    names = {row.code: f"{row.name} · {vocabulary.TIER_LABELS[row.tier]}" for row in shown}
    opened = st.selectbox(
        "Open a country",
        [row.code for row in shown],
        format_func=lambda code: names[code],
        index=None,
        placeholder="Type a country's name, then Enter",
    )
    if opened:
        st.switch_page(COUNTRY_PAGE, query_params={"code": opened})

if access.can(actor, "watchlist.edit"):
    with st.expander(":material/add_circle: Add a country to the watchlist"):
        options = dict(watchlist.countries_not_watched())
        with st.form("add_country", clear_on_submit=False):
            code = st.selectbox(
                "Country",
                list(options),
                format_func=lambda c: f"{options[c]} ({c})",
                index=None,
                placeholder="Any ISO 3166 country",
            )
            ui.field_error("country")
            tier = st.radio(
                "Tier",
                list(vocabulary.TIER_LABELS),
                format_func=vocabulary.TIER_LABELS.get,
                horizontal=True,
                index=2,
            )
            reason = st.text_area("Why it is watched at this tier")
            ui.field_error("reason")
            added = st.form_submit_button("Add to the watchlist", type="primary")
        if added and ui.attempt(
            watchlist.add_country,
            actor=actor,
            country_code=code or "",
            tier=tier,
            reason=reason,
            success=f"{options.get(code, code)} added to the watchlist.",
            success_at="add_country",
        ):
            st.rerun()
    ui.say_done("add_country")  # under the form, outside it: seen whether it is open or not
