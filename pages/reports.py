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


def countries_reviewed(report: reports.AnnualReport) -> list[dict]:
    return [
        {
            "Country": r.name,
            "Tier now": vocabulary.TIER_LABELS[r.tier] if r.tier else "Off the watchlist",
            "Reviews": r.reviews,
            "Last reviewed": ui.day(r.last_reviewed),
        }
        for r in report.reviews
    ]


def tier_changes(report: reports.AnnualReport) -> list[dict]:
    return [
        {
            "Date": ui.day(c.day),
            "Country": c.country_name,
            "From": c.old_tier or "—",
            "To": c.new_tier or "off the watchlist",
            "Reason": c.reason,
        }
        for c in report.tier_changes
    ]


def plans_approved(report: reports.AnnualReport) -> list[dict]:
    return [
        {"Date": ui.day(p.day), "Country": p.country_name, "Plan": p.title, "Version": p.version}
        for p in report.plans_approved
    ]


def action_items(report: reports.AnnualReport) -> list[dict]:
    return [
        {"Agency": a.name, "Opened": a.opened, "Done": a.done, "Cancelled": a.cancelled}
        for a in report.actions
    ]


def alert_lines(report: reports.AnnualReport) -> list[dict]:
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
        for a in report.alerts
    ]


SECTIONS = {
    "Countries reviewed": countries_reviewed,
    "Tier changes": tier_changes,
    "Plans approved": plans_approved,
    "Action items": action_items,
    "Alerts": alert_lines,
}


actor = ui.require("page.reports")
st.title(":material/summarize: Reports")
st.caption("The annual report, drawn from the committee's record.")

this_year = clock.today().year
year = st.selectbox("Year", range(this_year, this_year - YEARS_OFFERED, -1), width=200)
start, end = reports.year_period(year)
report = reports.annual_report(actor=actor, start=start, end=end)

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

if report.is_empty:
    st.info(
        f"No committee activity is recorded for {year}: the report says so.",
        icon=":material/info:",
    )
    st.stop()

held = report.meetings_held
a, b, c, d, e = st.columns(5)
a.metric("Meetings held", sum(held.values()), help=", ".join(f"{n} {k}" for k, n in held.items()))
b.metric("Country reviews", report.reviews_held, help=f"of {len(report.reviews)} countries")
c.metric("Tier changes", len(report.tier_changes))
d.metric("Plans approved", len(report.plans_approved))
e.metric(
    "Alerts reviewed in time",
    f"{report.alerts_reviewed_on_time} of {len(report.alerts)}",
)

# Only the open tab's table is drawn: a busy year's alerts are sent when someone asks for them.
tabs = st.tabs(list(SECTIONS), key="report_section", on_change="rerun")
for tab, rows_of in zip(tabs, SECTIONS.values(), strict=True):
    if tab.open:
        with tab:
            table(rows_of(report))
