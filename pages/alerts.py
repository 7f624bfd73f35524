"""Alerts: the mass atrocities alert channel. Anyone files an alert in one short form and gets
its reference at once; everyone sees the alerts they may see, with their clocks; the chair
reads the inbox, acknowledges, schedules a proposed emergency session in one click, and closes
an alert with a recorded decision. Alerts past their review deadline stand out."""

import pandas as pd
import streamlit as st

from committee import access, alerts, inbox, vocabulary
from committee.alerts import AlertDetail, AlertRow, duration
from committee.errors import NotFound, PermissionDenied
from pages import editing, ui

MEETING_PAGE = "pages/meeting.py"
FLASH = "alerts_flash"
ALERT_NOTICES = ("alert.filed",)  # the inbox's messages about alerts, shown here too
SEVERITY_BADGE = {"acute": "red", "serious": "orange", "concern": "yellow"}
STATUS_BADGE = {"new": "blue", "acknowledged": "violet", "under_review": "orange", "closed": "gray"}


def severity(value: str) -> str:
    return vocabulary.SEVERITY_LABELS[value].split(" —")[0]


def flash(message: str) -> None:
    """A message that survives the rerun after a change."""
    st.session_state[FLASH] = message
    st.rerun()


def open_alert(alert_id: int | None) -> None:
    if alert_id is None:
        st.query_params.pop("alert", None)
    else:
        st.query_params["alert"] = str(alert_id)


def done(result, message: str) -> None:
    if result is not None:
        flash(message)


def act_on(alert, seen: int, service, actor, message: str, **fields) -> None:
    """A chair's action on the alert as the screen showed it when the chair acted (``seen``:
    that version guards against a change meanwhile), and the message once it is done."""
    done(ui.attempt(service, actor=actor, alert_id=alert.id, seen_version=seen, **fields), message)


# --- one alert --------------------------------------------------------------------------------


def badges(row: AlertRow) -> None:
    alert = row.alert
    with st.container(horizontal=True):
        st.badge(severity(alert.severity), color=SEVERITY_BADGE[alert.severity])
        st.badge(vocabulary.ALERT_STATUS_LABELS[alert.status], color=STATUS_BADGE[alert.status])
        if alert.restricted:
            st.badge("Restricted", icon=":material/lock:", color="gray")
        if row.overdue:
            st.badge("Past its review deadline", icon=":material/alarm:", color="red")


def clocks(row: AlertRow) -> None:
    a, b, c, d = st.columns(4)
    a.metric("To acknowledgement", duration(row.to_acknowledgement))
    b.metric("To review", duration(row.to_review))
    c.metric("To decision", duration(row.to_decision))
    if row.alert.status == "closed":
        d.metric("Open for", duration(row.waiting))
    else:
        d.metric(
            "Review deadline",
            duration(row.deadline_in) if row.deadline_in.total_seconds() > 0 else "Passed",
            help=ui.local(row.alert.review_deadline),
        )


def detail(actor, shown: AlertDetail) -> None:
    row, alert = shown.row, shown.row.alert
    with st.container(border=True):
        head, close = st.columns([6, 1], vertical_alignment="center")
        head.subheader(f"{alert.reference} · {row.country_name}")
        close.button("Close view", icon=":material/close:", on_click=open_alert, args=(None,))
        badges(row)
        if row.overdue:
            st.error(
                f"Past its review deadline ({ui.local(alert.review_deadline)}) and not reviewed.",
                icon=":material/alarm:",
            )
        st.markdown(f"**What is happening.** {ui.plain(alert.summary)}")
        facts = [
            ("Since", ui.day(alert.happening_since)),
            (
                "Filed",
                f"{ui.local(alert.filed_at)} by {row.filed_by or 'the operator'}"
                + (f" ({row.agency_code})" if row.agency_code else ""),
            ),
            ("Sources", alert.sources or "—"),
            ("Handling", alert.handling_marking or "—"),
            ("Review deadline", ui.local(alert.review_deadline)),
        ]
        for label, value in facts:
            st.markdown(f"**{label}:** {ui.plain(value)}")
        clocks(row)
        for _, meeting in shown.agenda_items:
            when = ui.local(meeting.starts_at, meeting.timezone)
            st.page_link(
                MEETING_PAGE,
                label=f"On the agenda of {ui.plain(meeting.title)} — {when}",
                icon=":material/event:",
                query_params={"id": meeting.id},
            )
        if shown.decision is not None:
            st.success(
                f"Closed {ui.local(shown.decision.decided_at)}: {ui.plain(shown.decision.text)}",
                icon=":material/gavel:",
            )
        if access.can(actor, "alert.triage") and alert.status != "closed":
            triage(actor, shown)


def triage(actor, shown: AlertDetail) -> None:
    """The chair's actions on an open alert."""
    alert = shown.row.alert
    seen = editing.seen_version(f"alert:{alert.id}", alert.version)
    # One container whatever it holds, so that the closing form keeps its place on the page
    # when the acknowledgement or the proposal goes away, and is updated rather than redrawn.
    with st.container():
        if alert.acknowledged_at is None and st.button(
            "Acknowledge", icon=":material/done:", key="acknowledge"
        ):
            act_on(alert, seen, alerts.acknowledge_alert, actor, f"{alert.reference} acknowledged.")
        if shown.proposal is not None:
            proposal_box(actor, shown, seen)
        elif shown.next_meeting is not None:
            next_meeting_box(actor, shown, seen)
    with st.form("close_alert"):
        st.markdown("**Close with a decision**")
        places = {None: "Decision of the chair, between meetings"} | {
            item.id: f"Decision of the committee at {meeting.title}"
            for item, meeting in shown.agenda_items
        }
        where = st.selectbox("Decided", list(places), format_func=places.get, index=len(places) - 1)
        reason = st.text_area("Decision and reason", placeholder="What was decided, and why.")
        ui.field_error("reason")
        if st.form_submit_button("Close the alert", icon=":material/gavel:"):
            act_on(
                alert,
                seen,
                alerts.close_alert,
                actor,
                f"{alert.reference} closed with the decision recorded.",
                reason=reason,
                agenda_item_id=where,
            )
            if st.session_state.get("field_errors"):
                st.rerun()


def proposal_box(actor, shown: AlertDetail, seen: int) -> None:
    proposal, alert = shown.proposal, shown.row.alert
    with st.container(border=True):
        st.markdown(
            f":red[**Emergency session proposed**] — the next meeting is after this alert's "
            f"review deadline. Ready to schedule: **{ui.plain(proposal.title)}**, "
            f"{ui.local(proposal.starts_at, proposal.timezone)}, {proposal.minutes} minutes."
        )
        st.dataframe(
            [
                {"#": n, "Item": item.title, "Minutes": item.minutes}
                for n, item in enumerate(proposal.items, start=1)
            ],
            hide_index=True,
            width="stretch",
        )
        if st.button(
            "Schedule the emergency session",
            icon=":material/event_available:",
            type="primary",
            key="schedule_emergency",
        ):
            act_on(
                alert,
                seen,
                alerts.schedule_emergency_session,
                actor,
                f"Emergency session scheduled for {ui.local(proposal.starts_at)}.",
            )


def next_meeting_box(actor, shown: AlertDetail, seen: int) -> None:
    meeting, alert = shown.next_meeting, shown.row.alert
    when = ui.local(meeting.starts_at, meeting.timezone)
    with st.container(border=True):
        st.markdown(
            f":orange[**On no agenda**] — the next meeting, **{ui.plain(meeting.title)}** "
            f"({when}), reviews this alert in time."
        )
        if st.button(
            "Put its review on that agenda",
            icon=":material/playlist_add:",
            type="primary",
            key="review_at_next_meeting",
        ):
            act_on(
                alert,
                seen,
                alerts.review_at_next_meeting,
                actor,
                f"{alert.reference}: its review is on the agenda of {ui.plain(meeting.title)}.",
            )


def needing_you(rows: list[AlertRow], place: str) -> None:
    """Alerts the chair must act on, one line each, with a button to open them."""
    for row in rows:
        alert = row.alert
        text, button = st.columns([6, 1], vertical_alignment="center")
        deadline = "was" if row.deadline_in.total_seconds() < 0 else "is"
        reference = f":red[**{alert.reference}**]" if row.overdue else f"**{alert.reference}**"
        text.markdown(
            f"{reference} · {ui.plain(row.country_name)} · "
            f"{severity(alert.severity)} · "
            f"{vocabulary.ALERT_STATUS_LABELS[alert.status].lower()} · deadline {deadline} "
            f"{ui.local(alert.review_deadline)}"
        )
        button.button("Open", key=f"{place}_{alert.id}", on_click=open_alert, args=(alert.id,))


# --- the inbox --------------------------------------------------------------------------------


def message_state(message: inbox.Message) -> list[str]:
    """The state of the alert a message is about, in words."""
    state = []
    if message.alert_status:
        state.append(vocabulary.ALERT_STATUS_LABELS[message.alert_status])
    if message.alert_past_deadline:
        state.append("past its review deadline")
    return state


def unread_card(actor, message: inbox.Message) -> None:
    """An unread message, with what the chair can do about it."""
    note = message.notification
    with st.container(border=True):
        text, actions = st.columns([5, 2], vertical_alignment="center")
        icon = ":material/alarm:" if message.alert_past_deadline else ":material/mail:"
        text.markdown(f"{icon} **{ui.plain(note.text)}**")
        state = message_state(message)
        if message.alert_past_deadline:
            state[-1] = f":red[**{state[-1]}**]"
        text.caption(" · ".join([ui.local(note.created_at), *state]))
        with actions.container(horizontal=True):
            if note.alert_id and st.button("Open", key=f"open_{note.id}"):
                ui.attempt(inbox.mark_read, actor=actor, notification_ids=[note.id])
                open_alert(note.alert_id)
                st.rerun()
            if st.button("Mark read", key=f"read_{note.id}"):
                done(
                    ui.attempt(inbox.mark_read, actor=actor, notification_ids=[note.id]),
                    "Marked read.",
                )


def inbox_tab(actor) -> None:
    """Unread messages as cards to act on; the ones already read in a compact list."""
    messages = inbox.my_messages(actor=actor, kinds=ALERT_NOTICES)
    if not messages:
        st.info("Your inbox is empty.", icon=":material/inbox:")
        return
    unread = [m for m in messages if m.unread]
    if unread and st.button("Mark all read", icon=":material/mark_email_read:"):
        ids = [m.notification.id for m in unread]
        done(ui.attempt(inbox.mark_read, actor=actor, notification_ids=ids), "Marked read.")
    for message in unread:
        unread_card(actor, message)
    read = [m for m in messages if not m.unread]
    if not read:
        return
    st.markdown("**Read**" if unread else f"**All read** · the newest {len(read)}")
    table_of_alerts(
        pd.DataFrame(
            [
                {
                    "Message": m.notification.text,
                    "Alert": " · ".join(message_state(m)),
                    "When": ui.local(m.notification.created_at),
                }
                for m in read
            ]
        ),
        [m.notification.alert_id for m in read],
        key="inbox_read",
    )


def table_of_alerts(frame, alert_ids: list[int | None], *, key: str) -> None:
    """A table whose rows each lead to an alert: choosing a row opens it."""
    picked = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=key,
    )
    if picked and picked.selection.rows and (chosen := alert_ids[picked.selection.rows[0]]):
        open_alert(chosen)
        st.rerun()


# --- the list ---------------------------------------------------------------------------------


def alerts_table(rows: list[AlertRow]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Alert": row.alert.reference,
                "Country": row.country_name,
                "Severity": severity(row.alert.severity),
                "Status": vocabulary.ALERT_STATUS_LABELS[row.alert.status],
                "Deadline": "PASSED — not reviewed"
                if row.overdue
                else ui.local(row.alert.review_deadline, fmt="%d %b %H:%M"),
                "Filed": ui.local(row.alert.filed_at, fmt="%d %b %Y %H:%M"),
                "To acknowledgement": duration(row.to_acknowledgement),
                "To review": duration(row.to_review),
                "To decision": duration(row.to_decision),
            }
            for row in rows
        ]
    )


def flag_overdue(frame: pd.DataFrame, rows: list[AlertRow]):
    """Alerts past their deadline in red: the eye finds them first."""
    late = {i for i, row in enumerate(rows) if row.overdue}
    colour = vocabulary.OVERDUE_COLOR

    def style(line: pd.Series) -> list[str]:
        if line.name in late:
            return [f"color: {colour}; font-weight: 600"] * len(line)
        return [""] * len(line)

    return frame.style.apply(style, axis=1)


def list_tab(actor) -> None:
    left, middle, right = st.columns([1, 1, 2])
    open_only = left.toggle("Open only", key="open_only")
    overdue_only = middle.toggle(
        "Past deadline only", key="overdue_only", value=st.query_params.get("overdue") == "1"
    )
    page = st.session_state.get("alerts_page", 1)
    found = alerts.list_alerts(
        actor=actor, open_only=open_only, overdue_only=overdue_only, page=page
    )
    right.caption(f"{found.total} alert(s) you may see. Select a row to open it.")
    if not found.rows:
        st.info("No alerts to show.")
        return
    table_of_alerts(
        flag_overdue(alerts_table(found.rows), found.rows),
        [row.alert.id for row in found.rows],
        key="alerts_table",
    )
    if found.pages > 1:
        st.number_input("Page", 1, found.pages, key="alerts_page")


# --- filing -----------------------------------------------------------------------------------


def file_tab(actor) -> None:
    if not alerts.may_file(actor):
        st.info("Observers may not file alerts here; the chair can allow it in Settings.")
        return
    countries = dict(alerts.countries())
    form_key = f"file_alert_{st.session_state.get('filed_count', 0)}"
    with st.form(form_key):
        country = st.selectbox(
            "Country",
            list(countries),
            index=None,
            format_func=countries.get,
            placeholder="Any country: type to search",
        )
        ui.field_error("country")
        chosen = st.radio(
            "Severity",
            list(vocabulary.SEVERITY_LABELS),
            format_func=vocabulary.SEVERITY_LABELS.get,
            horizontal=True,
        )
        summary = st.text_area("What is happening", height=110)
        ui.field_error("summary")
        since, marking = st.columns(2)
        happening_since = since.date_input("Since when", value=None, format="DD/MM/YYYY")
        ui.field_error("happening_since")
        handling = marking.text_input("Handling marking", placeholder="e.g. SBU")
        with marking:
            ui.field_error("marking")
        sources = st.text_area("Sources", height=70, placeholder="Reporting, links, contacts")
        ui.field_error("sources")
        restricted = st.checkbox("Restricted: only the chair and my agency see it")
        submitted = st.form_submit_button(
            "File the alert", icon=":material/campaign:", type="primary"
        )
    if submitted:
        filed = ui.attempt(
            alerts.file_alert,
            actor=actor,
            country_code=country,
            summary=summary,
            severity=chosen,
            happening_since=happening_since,
            sources=sources,
            handling_marking=handling,
            restricted=restricted,
        )
        if filed is not None:
            st.session_state["filed_count"] = st.session_state.get("filed_count", 0) + 1
            flash(filed_message(filed))
        elif st.session_state.get("field_errors"):
            st.rerun()  # the message goes beside its field; the input stays


def filed_message(filed: alerts.Filed) -> str:
    parts = [f"Alert **{filed.alert.reference}** filed on {ui.plain(filed.country_name)}."]
    if filed.added_to_watchlist:
        parts.append("The country is now on the watchlist.")
    if filed.review_meeting is not None:
        parts.append(f"Its review is on the agenda of {ui.plain(filed.review_meeting.title)}.")
    else:
        parts.append(
            "The next meeting is after the review deadline: an emergency session is "
            "proposed to the chair."
        )
    parts.append(f"{filed.chairs_told} chair(s) told.")
    return " ".join(parts)


# --- the page ---------------------------------------------------------------------------------

actor = ui.require("page.alerts")
is_chair = access.can(actor, "alert.triage")

st.title("Alerts")
st.caption(
    "The mass atrocities alert channel: an alert puts the country's review on the next "
    "meeting's agenda, or calls for an emergency session when that meeting is too far away."
)
counts = alerts.alert_counts(actor=actor)
unread = inbox.unread_count(actor=actor, kinds=ALERT_NOTICES)
if is_chair:
    a, b, c, d = st.columns(4)
    a.metric("Open alerts", counts.open)
    b.metric("Past review deadline", counts.past_deadline)
    c.metric("On no agenda", counts.on_no_agenda)
    d.metric("Unread in your inbox", unread)
# The messages and calls to act come and go; in one container, they do not move what follows,
# so the alert below is updated in place instead of drawn a second time under the old one.
notices = st.container()
if FLASH in st.session_state:
    notices.success(st.session_state.pop(FLASH), icon=":material/check_circle:")
if counts.past_deadline:
    with notices.container(border=True):
        st.error(
            f"{counts.past_deadline} alert(s) passed their review deadline without a review.",
            icon=":material/alarm:",
        )
        needing_you(alerts.list_alerts(actor=actor, overdue_only=True).rows, "late")
if is_chair and counts.on_no_agenda:
    with notices.container(border=True):
        st.warning(
            f"{counts.on_no_agenda} alert(s) on no agenda, {counts.emergency_proposed} of them "
            "with an emergency session proposed (the next meeting is after their review "
            "deadline). Open one to schedule its session, or to put its review on the next "
            "meeting's agenda, in one click.",
            icon=":material/event_upcoming:",
        )
        needing_you(alerts.list_alerts(actor=actor, on_no_agenda_only=True).rows, "agenda")

asked = st.query_params.get("alert", "")
if asked.isdigit():
    # Not through ui.attempt: a read must not wipe the last form's message at its field.
    try:
        shown = alerts.get_alert(actor=actor, alert_id=int(asked))
    except (PermissionDenied, NotFound) as refusal:
        st.error(str(refusal), icon=":material/block:")
    else:
        detail(actor, shown)

names = (["Inbox" + (f" ({unread})" if unread else "")] if is_chair else []) + [
    "Alerts",
    "File an alert",
]
tabs = dict(zip(names, st.tabs(names), strict=True))
if is_chair:
    with tabs[names[0]]:
        inbox_tab(actor)
with tabs["Alerts"]:
    list_tab(actor)
with tabs["File an alert"]:
    file_tab(actor)
