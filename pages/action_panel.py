"""One action item, as the desk and the tracker show it: what it is, its history, and the
forms the person may use (progress update, note, new due date, the chair's decisions, edit).

A form keeps what the person typed in its widgets' own state. Each form saves over the version
of the item the person first saw; when someone else saved in between, the panel shows what
they changed and keeps the input, to be saved again over the new version.
"""

from datetime import date
from typing import NoReturn

import pandas as pd
import streamlit as st

from committee import access, actions, clock, people, titles, tracker, vocabulary
from committee.tracker import ItemDetail, TrackedItem
from pages import editing, ui

# st.badge takes named colours; these follow vocabulary.ACTION_STATUS_COLORS.
STATUS_BADGE = {
    "open": "blue",
    "in_progress": "violet",
    "blocked": "orange",
    "done": "green",
    "cancelled": "gray",
}
HISTORY_KINDS = {
    "created": "Created",
    "status": "Status",
    "note": "Note",
    "edited": "Edited",
    "reassigned": "Reassigned",
    "due_date_requested": "New due date requested",
    "due_date_granted": "New due date granted",
    "due_date_refused": "New due date refused",
    "due_date_withdrawn": "New due date request withdrawn",
}
FIELD_LABELS = {
    "title": "Title",
    "description": "Description",
    "country": "Country",
    "country_code": "Country",
    "owner_agency": "Owner agency",
    "owner_agency_id": "Owner agency",
    "assignee": "Assignee",
    "assignee_id": "Assignee",
    "supporting_agencies": "Supporting agencies",
    "priority": "Priority",
    "due_on": "Due date",
    "status": "Status",
    "status_reason": "Reason or closing note",
}


# --- small pieces shared by the desk and the tracker ------------------------------------------

# Every table of action items: what tells two items apart (the number messages cite, a title
# wide enough to read) stays pinned on the left; country, priority and assignee follow within
# a 1400 px screen (the desk's table is 940 px wide there).
DATE_COLUMN = st.column_config.DateColumn(format="D MMM YYYY", width=95)
ITEM_COLUMNS = {
    "ID": st.column_config.NumberColumn(format="#%d", width=56, pinned=True),
    "Title": st.column_config.TextColumn(width=300, pinned=True),
    "When": st.column_config.TextColumn(width=95),
    "Due": DATE_COLUMN,
    "New date asked": DATE_COLUMN,
    "Agency": st.column_config.TextColumn(width=62),
    "Owner": st.column_config.TextColumn(width=62),
    "Country": st.column_config.TextColumn(width=115),
    "Priority": st.column_config.TextColumn(width=65),
    "Assignee": st.column_config.TextColumn(width=115),
    "Status": st.column_config.TextColumn(width=95),
}


def item_label(tracked: TrackedItem) -> str:
    item = tracked.item
    return f"#{item.id} · {item.title} · {tracked.agency_code} · due {ui.day(item.due_on)}"


def when(tracked: TrackedItem) -> str:
    """Where the item stands in the desk order, in words."""
    days = (tracked.item.due_on - clock.today()).days
    if tracked.overdue:
        return f"Overdue {tracked.days_overdue} d"
    if tracked.bucket == "due_soon":
        return "Due today" if days == 0 else f"Due in {days} d"
    return tracker.BUCKET_LABELS[tracked.bucket] if tracked.bucket != "later" else ""


def coloured(table: pd.DataFrame):
    """A table with its status and urgency (the "When" column) in the committee's colours."""
    status_colours = {
        vocabulary.ACTION_STATUS_LABELS[s]: c for s, c in vocabulary.ACTION_STATUS_COLORS.items()
    }

    def status(value):
        return (
            f"color: {status_colours[value]}; font-weight: 600" if value in status_colours else ""
        )

    def urgency(value):
        if value.startswith("Overdue"):
            return f"color: {vocabulary.OVERDUE_COLOR}; font-weight: 600"
        return f"color: {vocabulary.DUE_SOON_COLOR}" if value.startswith("Due") else ""

    styled = table.style.map(urgency, subset=["When"])
    return styled.map(status, subset=["Status"]) if "Status" in table else styled


def status_label(status: str) -> str:
    return vocabulary.ACTION_STATUS_LABELS[status]


def value_text(field: str, value) -> str:
    """A history or conflict value in words."""
    if value in (None, ""):
        return "—"
    if field == "status":
        return status_label(value)
    if field == "priority":
        return vocabulary.PRIORITY_LABELS.get(value, value)
    if field in ("due_on", "requested_due_on"):
        return ui.day(date.fromisoformat(value))
    return str(value)


# --- the panel ----------------------------------------------------------------------------------


def show(actor, item_id: int) -> None:
    """The item panel: header, forms on the left, history on the right."""
    detail = tracker.item_detail(item_id, actor=actor)
    item = detail.tracked.item
    editing.held(_key(item.id), item)
    with st.container(border=True):
        _header(detail)
        _conflict_notice(item.id)
        forms, story = st.columns([3, 2], gap="large")
        with forms:
            ui.say_done(_key(item.id))
            _forms(actor, detail)
        with story:
            st.markdown("**History**")
            _history(detail)
    st.session_state.pop(f"fresh_item_{item.id}", None)


def _header(detail: ItemDetail) -> None:
    tracked, item = detail.tracked, detail.tracked.item
    st.subheader(f"#{item.id} {ui.plain(item.title)}")
    badges = st.container(horizontal=True)
    with badges:
        st.badge(status_label(item.status), color=STATUS_BADGE[item.status])
        if tracked.overdue:
            st.badge(f"Overdue {tracked.days_overdue} days", color="red", icon=":material/alarm:")
        elif tracked.bucket == "due_soon":
            st.badge("Due within 14 days", color="orange", icon=":material/schedule:")
        st.badge(f"{vocabulary.PRIORITY_LABELS[item.priority]} priority", color="gray")
        if tracked.requested_due_on:
            st.badge(f"New due date asked: {ui.day(tracked.requested_due_on)}", color="yellow")
    facts = [
        f"**Owner** {tracked.agency_code}"
        + (f" · {ui.plain(tracked.assignee_name)}" if tracked.assignee_name else ""),
        f"**Due** {ui.day(item.due_on)}",
        f"**Country** {ui.plain(tracked.country_name or '—')}",
        f"**Supporting** {', '.join(a.code for a in detail.supporting) or '—'}",
    ]
    st.markdown(" · ".join(facts))
    origin = vocabulary.ORIGIN_LABELS[item.origin]
    meeting = f" · {ui.plain(detail.meeting.title)}" if detail.meeting else ""
    st.caption(f"From: {origin}{meeting} — {ui.plain(detail.origin)}")
    if item.status_reason:
        st.markdown(f"**{FIELD_LABELS['status_reason']}:** {ui.plain(item.status_reason)}")
    if item.description:
        st.markdown(ui.plain(item.description))


def _history(detail: ItemDetail) -> None:
    if not detail.history:
        st.caption("Nothing recorded yet.")
    for entry in reversed(detail.history):
        lines = [f"**{HISTORY_KINDS[entry.kind]}** · {ui.plain(entry.by)}"]
        for field, (before, after) in entry.changes.items():
            label = FIELD_LABELS.get(field, field)
            lines.append(
                f"{label}: {ui.plain(value_text(field, before))} → "
                f"{ui.plain(value_text(field, after))}"
            )
        if entry.note:
            lines.append(f"_{ui.plain(entry.note)}_")
        st.markdown("  \n".join(lines))
        st.caption(ui.local(entry.at))


# --- versions and conflicts ---------------------------------------------------------------------


def _key(item_id: int) -> str:
    """The item's edit, as ``editing`` holds it: every form of the panel saves over it."""
    return f"action_item:{item_id}"


def _saved(item_id: int, message: str) -> NoReturn:
    """After a save: start the forms afresh and say so beside them, where the person is."""
    st.session_state[f"fresh_item_{item_id}"] = True
    editing.rerun_saying(message, at=_key(item_id))


def start_fields(fields: dict, *, fresh: bool = False) -> None:
    """Put each form field at its starting value: when first drawn, and when ``fresh`` (after
    a save, so that the saved input does not linger in the form)."""
    for key, value in fields.items():
        if fresh or key not in st.session_state:
            st.session_state[key] = value


def _start(item_id: int, fields: dict) -> None:
    start_fields(fields, fresh=st.session_state.get(f"fresh_item_{item_id}", False))


def _attempt(item_id: int, action, /, *, success: str, **kwargs) -> None:
    """Save through ``action`` over the item as the person began (``editing.save``): on
    success the forms start afresh; on a conflict the input stays, to save again."""
    editing.save(
        _key(item_id), action, success=success, done=lambda m: _saved(item_id, m), **kwargs
    )


def _add(item_id: int, action, /, *, success: str, **kwargs) -> None:
    """Add to the item (a note, a request) through ``action``: nothing of it is overwritten."""
    if ui.attempt(action, **kwargs) is not None:
        _saved(item_id, success)


def _conflict_notice(item_id: int) -> None:
    agencies = {a.id: a.code for a in people.list_agencies(include_inactive=True)}

    def show(field: str, value) -> str:
        return agencies.get(value, "—") if field == "owner_agency_id" else value_text(field, value)

    fields = (
        "status",
        "status_reason",
        "due_on",
        "priority",
        "owner_agency_id",
        "assignee_id",
        "title",
    )
    editing.conflict_notice(_key(item_id), {f: FIELD_LABELS[f] for f in fields}, show, what="item")


# --- forms --------------------------------------------------------------------------------------


def _forms(actor, detail: ItemDetail) -> None:
    item = detail.tracked.item
    owner = {"agency_id": item.owner_agency_id}
    if access.can(actor, "action.update", **owner):
        _progress_form(actor, item)
    elif st.session_state.get(f"note_{_progress_key(item.id)}"):
        # Reassigned while the person was writing an update: the form stays, with their note.
        st.warning(
            f"Reassigned to {detail.tracked.agency_code} since you opened it: your agency may "
            "no longer update it. What you typed is kept below to copy.",
            icon=":material/swap_horiz:",
        )
        _progress_form(actor, item)
    elif access.can(actor, "action.note", agency_ids=[a.id for a in detail.supporting], **owner):
        _note_form(actor, item)
    if detail.pending_request is not None:
        _pending_request(actor, detail)
    elif access.can(actor, "action.request_due_date", **owner) and item.status in (
        tracker.OPEN_STATUSES
    ):
        _request_form(actor, item)
    if access.can(actor, "action.reassign", **owner):
        _reassign_form(actor, item)
    if access.can(actor, "action.update", **owner):
        _edit_form(actor, detail)


def _progress_key(item_id: int) -> str:
    return f"progress_item_{item_id}"


def _progress_form(actor, item) -> None:
    key = _progress_key(item.id)
    _start(
        item.id,
        {f"status_{key}": item.status, f"reason_{key}": item.status_reason, f"note_{key}": ""},
    )
    editing.follow_theirs(
        _key(item.id), {f"status_{key}": "status", f"reason_{key}": "status_reason"}
    )
    choices = [
        s
        for s in vocabulary.ACTION_STATUSES
        if s == item.status or s in actions.TRANSITIONS[item.status]
    ]
    with st.form(key, border=False):
        status = st.segmented_control(
            "Status", choices, format_func=status_label, key=f"status_{key}", required=True
        )
        reason = st.text_input(
            "Reason or closing note",
            key=f"reason_{key}",
            help="Needed when the item is blocked, done or cancelled.",
        )
        ui.field_error("reason")
        note = st.text_area(
            "Progress note", key=f"note_{key}", height=80, placeholder="What happened since"
        )
        ui.field_error("note")
        if st.form_submit_button("Save update", type="primary", icon=":material/save:"):
            _attempt(
                item.id,
                actions.record_progress,
                success=f"Item #{item.id} updated.",
                actor=actor,
                item_id=item.id,
                status=status or item.status,
                reason=reason,
                note=note,
            )


def _note_form(actor, item) -> None:
    key = f"note_form_item_{item.id}"
    _start(item.id, {f"note_{key}": ""})
    with st.form(key, border=False):
        st.caption("Your agency supports this item: you may add notes.")
        note = st.text_area("Progress note", key=f"note_{key}", height=80)
        ui.field_error("note")
        if st.form_submit_button("Add note", icon=":material/add_comment:"):
            _attempt(
                item.id,
                actions.add_note,
                success=f"Note added to item #{item.id}.",
                actor=actor,
                item_id=item.id,
                note=note,
            )


def _request_form(actor, item) -> None:
    key = f"request_item_{item.id}"
    _start(item.id, {f"date_{key}": None, f"why_{key}": ""})
    with st.expander("Ask for a new due date", icon=":material/event_repeat:"):
        with st.form(key, border=False):
            new_date = st.date_input(
                "New due date", value=None, min_value=clock.today(), key=f"date_{key}"
            )
            ui.field_error("requested_due_on")
            reason = st.text_input("Why", key=f"why_{key}")
            ui.field_error("reason")
            if st.form_submit_button("Send to the chair", icon=":material/send:"):
                if new_date is None:
                    st.error("Choose the new due date.")
                else:
                    _add(
                        item.id,
                        actions.request_due_date,
                        success="Request sent: the chair will grant or refuse it.",
                        actor=actor,
                        item_id=item.id,
                        requested_due_on=new_date,
                        reason=reason,
                    )


def _pending_request(actor, detail: ItemDetail) -> None:
    request, item = detail.pending_request, detail.tracked.item
    st.info(
        f"A new due date of **{ui.day(request.requested_due_on)}** was asked on "
        f"{ui.local(request.created_at, fmt='%d %b %Y')}: {ui.plain(request.reason)}",
        icon=":material/event_repeat:",
    )
    if access.can(actor, "action.decide_due_date"):
        decide_form(actor, request, item_id=item.id)


def decide_form(actor, request, *, item_id: int, place: str = "panel") -> None:
    """Grant or refuse a request for a new due date (the chair); ``place`` tells apart the
    same form drawn twice on one page."""
    key = f"decide_{place}_item_{item_id}"
    _start(item_id, {f"note_{key}": ""})
    with st.form(key, border=False):
        note = st.text_input("Note (needed to refuse)", key=f"note_{key}")
        ui.field_error("note")
        grant_col, refuse_col = st.columns(2)
        grant = grant_col.form_submit_button(
            f"Grant {ui.day(request.requested_due_on)}", type="primary", width="stretch"
        )
        refuse = refuse_col.form_submit_button("Refuse", width="stretch")
        if grant or refuse:
            _attempt(
                item_id,
                actions.decide_due_date,
                success="New due date granted." if grant else "Request refused.",
                actor=actor,
                request_id=request.id,
                seen_version=request.version,
                grant=grant,
                note=note,
            )


def _reassign_form(actor, item) -> None:
    key = f"reassign_item_{item.id}"
    _start(item.id, {f"agency_{key}": None, f"note_{key}": ""})
    agencies = [a for a in people.list_agencies() if a.id != item.owner_agency_id]
    with st.expander("Reassign to another agency", icon=":material/swap_horiz:"):
        with st.form(key, border=False):
            agency = st.selectbox(
                "New owner agency",
                agencies,
                index=None,
                placeholder="Choose the agency",
                format_func=lambda a: f"{a.code} — {a.name}",
                key=f"agency_{key}",
            )
            ui.field_error("owner_agency")
            note = st.text_input("Why (kept in the history)", key=f"note_{key}")
            if st.form_submit_button("Reassign", icon=":material/swap_horiz:"):
                if agency is None:
                    st.error("Choose the agency.")
                else:
                    _attempt(
                        item.id,
                        actions.reassign_action_item,
                        success=f"Item #{item.id} reassigned to {agency.code}.",
                        actor=actor,
                        item_id=item.id,
                        owner_agency_id=agency.id,
                        note=note,
                    )


def _edit_form(actor, detail: ItemDetail) -> None:
    item = detail.tracked.item
    key = f"edit_item_{item.id}"
    agencies = {a.code: a.id for a in people.list_agencies()}
    people_ids = [None, *(person_id for person_id, _ in detail.people)]
    names = dict(detail.people)
    defaults = {
        f"title_{key}": item.title,
        f"description_{key}": item.description,
        f"priority_{key}": item.priority,
        f"due_{key}": item.due_on,
        f"assignee_{key}": item.assignee_id if item.assignee_id in people_ids else None,
        f"supporting_{key}": [a.code for a in detail.supporting if a.code in agencies],
    }
    _start(item.id, defaults)
    may_move_date = access.can(actor, "action.decide_due_date")
    with st.expander("Edit the item", icon=":material/edit:"):
        with st.form(key, border=False):
            title = st.text_input("Title", key=f"title_{key}", max_chars=titles.LONGEST)
            ui.field_error("title")
            description = st.text_area("Description", key=f"description_{key}", height=100)
            left, right = st.columns(2)
            priority = left.selectbox(
                "Priority",
                vocabulary.PRIORITIES,
                format_func=vocabulary.PRIORITY_LABELS.get,
                key=f"priority_{key}",
            )
            due_on = right.date_input(
                "Due date",
                key=f"due_{key}",
                disabled=not may_move_date,
                help=None if may_move_date else "Ask the chair for a new due date.",
            )
            ui.field_error("due_on")
            assignee = left.selectbox(
                "Assignee",
                people_ids,
                format_func=lambda p: "Nobody in particular" if p is None else names[p],
                key=f"assignee_{key}",
            )
            ui.field_error("assignee")
            supporting = right.multiselect(
                "Supporting agencies",
                [code for code in agencies if code != detail.tracked.agency_code],
                key=f"supporting_{key}",
            )
            if st.form_submit_button("Save changes", icon=":material/save:"):
                _attempt(
                    item.id,
                    actions.edit_action_item,
                    success=f"Item #{item.id} saved.",
                    actor=actor,
                    item_id=item.id,
                    title=title,
                    description=description,
                    country_code=item.country_code,
                    assignee_id=assignee,
                    priority=priority,
                    due_on=due_on,
                    supporting_agency_ids=[agencies[code] for code in supporting],
                )
