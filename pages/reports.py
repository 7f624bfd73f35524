"""Reports: the annual report for a chosen year (Blueprint 1-7; the Elie Wiesel Act's report to
Congress), on screen and as Word and PDF with its charts."""

import pandas as pd
import streamlit as st

from committee import clock, reports, vocabulary
from exports import annual_report, documents
from pages import ui

YEARS_OFFERED = 10
FORMAT_LABELS = {"docx": "Word", "pdf": "PDF"}


def table(rows: list[dict]) -> None:
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.caption("Nothing in this period.")


def countries_reviewed(lines: list[reports.CountryReviews]) -> list[dict]:
    return [
        {
            "Country": r.name,
            "Tier now": vocabulary.TIER_LABELS[r.tier] if r.tier else "Off the watchlist",
            "Reviews": r.reviews,
            "Last reviewed": ui.day(r.last_reviewed),
        }
        for r in lines
    ]


def tier_changes(lines: list[reports.TierChangeLine]) -> list[dict]:
    return [
        {
            "Date": ui.day(c.day),
            "Country": c.country_name,
            "From": c.old_tier or "—",
            "To": c.new_tier or "off the watchlist",
            "Reason": c.reason,
        }
        for c in lines
    ]


def plans_approved(lines: list[reports.PlanApproval]) -> list[dict]:
    return [
        {"Date": ui.day(p.day), "Country": p.country_name, "Plan": p.title, "Version": p.version}
        for p in lines
    ]


def action_items(lines: list[reports.AgencyActivity]) -> list[dict]:
    return [
        {"Agency": a.name, "Opened": a.opened, "Done": a.done, "Cancelled": a.cancelled}
        for a in lines
    ]


def alert_lines(lines: list[reports.AlertLine]) -> list[dict]:
    return [
        {
            "Alert": a.reference,
            "Country": a.country_name,
            "Severity": vocabulary.SEVERITY_LABELS[a.severity].split(" —")[0],
            "Filed": ui.day(a.filed_on),
            "Days to review": a.days_to_review,
            "Deadline (days)": a.deadline_days,
            "In time": "yes" if a.on_time else ("late" if a.late else "not yet"),
        }
        for a in lines
    ]


def signal_lines(lines: list[reports.SignalLine]) -> list[dict]:
    return [
        {
            "Country": line.country_name,
            "Rule": line.rule,
            "What fired": line.what,
            "Opened": ui.day(line.opened_on),
            "Days to review": line.days_to_review,
            "Days to decision": line.days_to_decision,
        }
        for line in lines
    ]


# The tabs: the report's section each shows, and its table's rows.
TABS = {
    "Countries reviewed": ("reviews", countries_reviewed),
    "Tier changes": ("tier_changes", tier_changes),
    "Plans approved": ("plans_approved", plans_approved),
    "Action items": ("actions", action_items),
    "Alerts": ("alerts", alert_lines),
    "Reviews triggered by data": ("signals", signal_lines),
}


actor = ui.require("page.reports")
st.title("Reports")
st.caption("The annual report, drawn from the committee's record.")

this_year = clock.today().year
year = st.selectbox("Year", range(this_year, this_year - YEARS_OFFERED, -1), width=200)
start, end = reports.year_period(year)
summary = reports.annual_summary(actor=actor, start=start, end=end)

with st.container(horizontal=True):
    for fmt, label in FORMAT_LABELS.items():
        st.download_button(
            f"Annual report {year} ({label})",
            data=lambda fmt=fmt, year=year: (
                annual_report.annual_report_paper(actor=actor, year=year, fmt=fmt).content
            ),
            file_name=f"apc-annual-report-{year}.{fmt}",
            mime=documents.FORMATS[fmt],
            icon=":material/description:",
            on_click="ignore",
            key=f"annual_{fmt}",
        )

if summary.is_empty:
    st.info(
        f"No committee activity is recorded for {year}: the report says so.",
        icon=":material/info:",
    )
    st.stop()

held = summary.meetings_held
a, b, c, d, e = st.columns(5)
a.metric("Meetings held", sum(held.values()), help=", ".join(f"{n} {k}" for k, n in held.items()))
b.metric("Country reviews", summary.reviews_held, help=f"of {summary.countries_reviewed} countries")
c.metric("Tier changes", summary.tier_changes)
d.metric("Plans approved", summary.plans_approved)
e.metric("Alerts reviewed in time", f"{summary.alerts_reviewed_on_time} of {summary.alerts}")

# Only the open tab's section is read and drawn: a busy year's alerts when someone asks.
tabs = st.tabs(list(TABS), key="report_section", on_change="rerun")
for tab, (section, rows_of) in zip(tabs, TABS.values(), strict=True):
    if tab.open:
        with tab:
            table(rows_of(reports.report_section(section, actor=actor, start=start, end=end)))
