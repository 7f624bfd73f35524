"""Signals from data (Blueprint 2-5): what the chair's rules fired on the imported editions of
the statistical risk, and their handling: the review scheduled, the decision that closes each.
Everyone reads them; the chair schedules and closes."""

import pandas as pd
import streamlit as st

from committee import access, horizon, signals, vocabulary
from exports import documents
from pages import downloads, editing, ui

COUNTRY_PAGE, MEETING_PAGE = "pages/country.py", "pages/meeting.py"
STATUS_LABELS = {"open": "Open", "scheduled": "Review scheduled", "closed": "Closed"}

actor = ui.require("page.signals")
st.title("Signals from data")
st.caption(
    "Each time an edition of the Early Warning Project's statistical risk is imported, the "
    "rules the chair set in Settings are evaluated on it; a rule that fires opens a signal. "
    "Like an alert, a signal puts the country's review on the next regular meeting's agenda, "
    "and closes only with a recorded decision."
)
ui.say_done()

shown = st.segmented_control(
    "Show", ["Open", "All"], default="Open", key="signals_shown", label_visibility="collapsed"
)
rows = signals.list_signals(actor=actor, status="open" if shown != "All" else None)
open_rows = [r for r in rows if r.signal.status != "closed"]
counts = st.columns(3)
counts[0].metric("Open signals", signals.open_count(), border=True)
counts[1].metric(
    "Review late", sum(1 for r in open_rows if r.review_late), border=True, help="past review-by"
)
counts[2].metric("Decision late", sum(1 for r in open_rows if r.decision_late), border=True)

with st.popover("Horizon scan paper", icon=":material/description:"):
    st.caption(
        "For an edition: the biggest movers, countries above a threshold not on the watchlist, "
        "divergences between tier and rank, the open signals; each with its risk trend."
    )
    chosen_edition = st.selectbox("Edition", horizon.editions(), key="scan_edition")
    scan_threshold = st.number_input(
        "Countries off the watchlist above (risk %)", 0.1, 100.0, 5.0, key="scan_threshold"
    )
    if chosen_edition:
        for fmt, label in downloads.FORMAT_LABELS.items():
            st.download_button(
                f"Horizon scan {chosen_edition} ({label})",
                data=lambda fmt=fmt: (
                    documents.horizon_paper(
                        actor=actor, fmt=fmt, edition=chosen_edition, threshold=scan_threshold
                    ).content
                ),
                file_name=f"apc-horizon-scan-{chosen_edition}.{fmt}",
                mime=documents.FORMATS[fmt],
                on_click="ignore",
                key=f"download_scan_{fmt}",
                width="stretch",
            )

if not rows:
    st.info(
        "No signals. The chair sets the rules in Settings; importing an edition evaluates them.",
        icon=":material/sensors:",
    )
    st.stop()


def shown_value(row: signals.SignalRow, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2%}" if row.rule.kind in ("risk_rise", "above_off_watchlist") else f"{value:g}"


frame = pd.DataFrame(
    [
        {
            "Country": r.country_name,
            "Tier": vocabulary.TIER_SHORT.get(r.tier, "Not watched"),
            "Rule": r.rule.name,
            "What fired": r.signal.what,
            "Before": shown_value(r, r.signal.value_before),
            "After": shown_value(r, r.signal.value_after),
            "Edition": f"{r.signal.edition} vs {r.signal.previous_edition or '—'}",
            "Status": STATUS_LABELS[r.status],
            "Review by": ui.day(r.signal.review_due_on) + (" · late" if r.review_late else ""),
            "Decision by": ui.day(r.signal.decision_due_on)
            + (" · late" if r.decision_late else ""),
            "Meeting": ui.day(r.meeting.starts_at.date()) if r.meeting else "—",
        }
        for r in rows
    ]
)
st.dataframe(
    frame,
    hide_index=True,
    width="stretch",
    key="signals_table",
    column_config={
        "What fired": st.column_config.TextColumn(width="medium"),
        "Tier": st.column_config.TextColumn(width="small"),
    },
)
st.caption(
    "Before and after: the two-year risk, or the rank (1 = highest risk), in the edition before "
    "and this one. Source: Early Warning Project, United States Holocaust Memorial Museum."
)

if not access.can(actor, "signal.handle"):
    st.stop()

# --- the chair handles one signal -------------------------------------------------------------

handled = [r for r in rows if r.signal.status != "closed"]
if not handled:
    st.stop()
st.subheader("Handle a signal")
by_id = {r.signal.id: r for r in handled}
chosen = st.selectbox(
    "Signal",
    list(by_id),
    format_func=lambda i: f"{by_id[i].country_name} — {by_id[i].rule.name}: {by_id[i].signal.what}",
    key="signal_chosen",
)
row = by_id[chosen]
signal = row.signal
st.page_link(
    COUNTRY_PAGE,
    label=f"{row.country_name}: the country page",
    icon=":material/public:",
    query_params={"code": signal.country_code},
)
editing.held(f"signal:{signal.id}", signal)  # the signal as the chair saw it
editing.conflict_notice(f"signal:{signal.id}", {"status": "Status"}, what="signal")

left, right = st.columns(2)
with left, st.container(border=True):
    st.markdown("**Schedule the review**")
    if row.status == "scheduled":
        st.success(
            f"On the agenda of {ui.plain(row.meeting.title)} "
            f"({ui.day(row.meeting.starts_at.date())}).",
            icon=":material/event_available:",
        )
        st.page_link(
            MEETING_PAGE,
            label="The meeting",
            icon=":material/event:",
            query_params={"id": row.meeting.id},
        )
    else:
        with st.form(f"schedule_{signal.id}"):
            tier = None
            if row.tier is None:
                st.caption(
                    f"{ui.plain(row.country_name)} is not on the watchlist: the signal proposes "
                    "adding it. Choose its tier; it then goes on the next regular meeting's agenda."
                )
                tier = st.radio(
                    "Tier",
                    [1, 2, 3],
                    index=2,
                    format_func=vocabulary.TIER_LABELS.get,
                    horizontal=True,
                )
                ui.field_error("tier")
            else:
                st.caption("The review goes on the next regular meeting's agenda.")
            scheduled = st.form_submit_button(
                "Add to the watchlist and schedule the review"
                if row.tier is None
                else "Schedule the review",
                type="primary",
            )
        ui.field_error("meeting")
        if scheduled:
            editing.save(
                f"signal:{signal.id}",
                signals.schedule_review,
                actor=actor,
                success=f"{row.country_name}'s review is on the next regular meeting's agenda.",
                signal_id=signal.id,
                tier=tier,
            )

with right, st.container(border=True):
    st.markdown("**Close with a decision**")
    with st.form(f"close_{signal.id}"):
        reason = st.text_area(
            "The decision, with its reason",
            placeholder="Reviewed at the meeting: …",
            key=f"signal_reason_{signal.id}",
        )
        ui.field_error("reason")
        closed = st.form_submit_button("Record the decision and close the signal")
    if closed:
        editing.save(
            f"signal:{signal.id}",
            signals.close_signal,
            actor=actor,
            success="Decision recorded; the signal is closed.",
            signal_id=signal.id,
            reason=reason,
            agenda_item_id=None,
        )
