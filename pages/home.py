"""Home: what matters to the person signed in, today."""

import streamlit as st

from committee import overview, vocabulary
from pages import ui

actor = ui.require("page.home")
summary = overview.home_summary(actor)

st.title(f"Good day, {ui.plain(actor.name.split(' (')[0])}")
ui.say_done()  # "Password changed." after a one-time password, say
st.caption(
    f"{actor.role_label}" + (f" · {ui.plain(summary.agency.name)}" if summary.agency else "")
)

meeting_col, actions_col = st.columns([1, 1.4])
with meeting_col, st.container(border=True):
    st.subheader("Next meeting")
    meeting = summary.next_meeting
    if meeting is None:
        st.write("No meeting is scheduled.")
    else:
        st.markdown(f"**{ui.plain(meeting.title)}**")
        st.write(ui.local(meeting.starts_at, meeting.timezone))
        st.caption(ui.plain(meeting.location or meeting.video_link or "Place to be confirmed"))
        st.caption(
            f"{vocabulary.MEETING_KIND_LABELS[meeting.kind]} meeting · agenda "
            f"{'published' if meeting.agenda_status == 'published' else 'in preparation'}"
        )

with actions_col, st.container(border=True):
    counts = summary.agency_actions if summary.agency else summary.all_actions
    whose = f"{summary.agency.code}'s action items" if summary.agency else "All action items"
    st.subheader(whose)
    a, b, c, d = st.columns(4)
    a.metric("Open", counts.open)
    b.metric("Overdue", counts.overdue, delta=None)
    c.metric("Due in 14 days", counts.due_soon)
    d.metric("Blocked", counts.blocked)
    if counts.overdue:
        st.error(f"{counts.overdue} overdue item(s) need attention.", icon=":material/warning:")

if actor.role in ("chair", "admin"):
    with st.container(border=True):
        st.subheader("Alerts")
        a, b, c = st.columns(3)
        a.metric("Open alerts", summary.alerts_open)
        b.metric("Past review deadline", summary.alerts_past_deadline)
        c.metric("Unread in your inbox", summary.unread_notifications)
        if summary.alerts_past_deadline:
            st.error(
                f"{summary.alerts_past_deadline} alert(s) passed their review deadline "
                "without a review.",
                icon=":material/alarm:",
            )

with st.container(border=True):
    st.subheader("Countries due for review")
    if not summary.reviews_due:
        st.success("Every country of concern has been reviewed on time.")
    else:
        st.dataframe(
            [
                {
                    "Country": review.country_name,
                    "Tier": vocabulary.TIER_LABELS[review.tier],
                    "Last review": ui.day(review.last_reviewed_on),
                    "Next review due": ui.day(review.next_due_on),
                    "Status": vocabulary.REVIEW_STATUS_LABELS[review.status]
                    + (f" by {review.days_overdue} days" if review.days_overdue else ""),
                }
                for review in summary.reviews_due
            ],
            hide_index=True,
            width="stretch",
        )

if summary.plan_gaps:
    with st.container(border=True):
        st.subheader("Plan gaps")
        st.caption(
            "Tier 1 and 2 countries with no plan in effect, and plans past their review-by date."
        )
        for gap in summary.plan_gaps:
            st.page_link(
                "pages/country.py",
                label=f"{gap.country_name} — {gap.text}",
                query_params={"code": gap.country_code},
                icon=":material/arrow_forward:",
            )
