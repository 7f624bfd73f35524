"""The audit trail (administrators and chairs): every change, sign-in, failed sign-in and
refusal; filtered and paged in the database; one event's before and after side by side; the
filtered events as CSV. Nothing on this page can change the trail."""

import json

import streamlit as st

from committee import auditlog, people, settings
from committee.auditlog import OUTCOME_LABELS, AuditFilter
from exports import audit_trail
from pages import ui

PAGE_KEY = "audit_page"

actor = ui.require("page.audit")
choices = auditlog.choices(actor=actor)
names = {person.email: f"{person.name} ({person.email})" for person in people.directory()}


def first_page() -> None:
    st.session_state[PAGE_KEY] = 1


def shown(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


st.title("Audit trail")
st.caption(
    "Who did what to which record, and when: every change, sign-in, failed sign-in and "
    f"refusal, as recorded at the time. Times are shown in {settings.get('timezone')}."
)

with st.container(border=True):
    left, middle, right = st.columns(3)
    person = left.selectbox(
        "Person",
        list(names),
        format_func=lambda email: names.get(email, email),
        index=None,
        placeholder="Anyone (or type an email)",
        accept_new_options=True,
        on_change=first_page,
        help="What they did, and sign-ins tried with their email.",
    )
    action = middle.selectbox(
        "Action", choices.actions, index=None, placeholder="Any action", on_change=first_page
    )
    outcome = right.segmented_control(
        "Outcome", choices.outcomes, format_func=OUTCOME_LABELS.get, on_change=first_page
    )
    left, middle, right = st.columns(3)
    record_type = left.selectbox(
        "Record type",
        choices.record_types,
        index=None,
        placeholder="Any record",
        on_change=first_page,
    )
    record_id = middle.text_input("Record", placeholder="e.g. 12", on_change=first_page)
    days = right.date_input("Between", value=(), format="DD/MM/YYYY", on_change=first_page)

where = AuditFilter(
    person=person or "",
    action=action or "",
    outcome=outcome or "",
    record_type=record_type or "",
    record_id=record_id,
    since=days[0] if len(days) > 0 else None,
    until=days[-1] if len(days) > 0 else None,
)
found = auditlog.events(actor=actor, where=where, page=st.session_state.get(PAGE_KEY, 1))

summary, download = st.columns([3, 1])
matched = (
    f"More than {auditlog.COUNT_LIMIT:,} events (narrow them with the filters)"
    if found.more
    else f"{found.total:,} events"
)
summary.caption(f"{matched} · page {found.page} of {found.pages} · newest first")
download.download_button(
    "Export CSV",
    data=lambda: audit_trail.csv_bytes(actor=actor, where=where),
    file_name="apc-desk-audit-trail.csv",
    mime="text/csv",
    icon=":material/download:",
    width="stretch",
    disabled=not found.total,
)

table = st.dataframe(
    [
        {
            "When": ui.local(event.at, fmt="%d %b %Y %H:%M:%S"),
            "Person": found.person(event),
            "Action": event.action,
            "Outcome": OUTCOME_LABELS[event.outcome],
            "Record": f"{event.record_type} {event.record_id}".strip(),
            "Detail": event.detail,
        }
        for event in found.events
    ],
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="audit_table",
)

back, _, onward = st.columns([1, 4, 1])
if back.button("Newer", icon=":material/chevron_left:", disabled=found.page <= 1):
    st.session_state[PAGE_KEY] = found.page - 1
    st.rerun()
if onward.button("Older", icon=":material/chevron_right:", disabled=found.page >= found.pages):
    st.session_state[PAGE_KEY] = found.page + 1
    st.rerun()

selected = [row for row in table.selection.rows if row < len(found.events)]
if not selected:
    st.caption("Choose an event in the table to see its record before and after.")
else:
    event = found.events[selected[0]]
    with st.container(border=True):
        st.subheader(f"{event.action} · {OUTCOME_LABELS[event.outcome]}")
        st.caption(
            f"{ui.local(event.at, fmt='%d %b %Y %H:%M:%S')} · {ui.plain(found.person(event))} · "
            f"{ui.plain(event.record_type)} {ui.plain(event.record_id)}"
        )
        if event.detail:
            st.text(event.detail)
        changes = auditlog.changes(event)
        every_field = st.toggle("Show unchanged fields", value=False)
        rows = [change for change in changes if every_field or change.changed]
        if rows:
            st.dataframe(
                [
                    {"Field": c.field, "Before": shown(c.before), "After": shown(c.after)}
                    for c in rows
                ],
                hide_index=True,
                width="stretch",
            )
        else:
            st.caption("No record fields were recorded for this event.")
