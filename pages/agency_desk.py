"""A representative's desk: their agency's action items, most urgent first (overdue, due in the
next 14 days, blocked, the rest); several updated at once in the table, or one opened below
to update, note, ask for a new due date or read its history."""

import pandas as pd
import streamlit as st

from committee import actions, people, tracker, vocabulary
from committee.actions import ProgressUpdate
from committee.tracker import TrackerFilter
from exports import calendar
from pages import action_panel, ui

STATUS_BY_LABEL = {label: status for status, label in vocabulary.ACTION_STATUS_LABELS.items()}
# The columns a person edits in the table; the rest are shown as they are.
EDITABLE = ("Status", "Reason or closing note", "Progress note")
SHOWN = ("ID", "Title", "When", "Due", "Status", "Country", "Priority", "Assignee", *EDITABLE[1:])

actor = ui.require("page.agency_desk")
agency = people.agency_by_code(actor.agency_code)

st.title(f"{ui.plain(agency.name)}: action items")
st.caption(
    "Your agency's items, most urgent first: overdue, due in the next 14 days, blocked, then "
    "the rest. Update several in the table, or open one below."
)
ui.say_done()

counts = tracker.action_counts(agency_id=agency.id)
with st.container(horizontal=True):
    st.metric("Open", counts.open, border=True)
    st.metric("Overdue", counts.overdue, border=True)
    st.metric("Due in 14 days", counts.due_soon, border=True)
    st.metric("Blocked", counts.blocked, border=True)
if counts.overdue:
    st.error(
        f"{counts.overdue} item(s) are overdue: update them, or ask the chair for a new due date.",
        icon=":material/alarm:",
    )

# --- the table: several items at once ----------------------------------------------------------

round_ = st.session_state.setdefault("desk_round", 0)
editor_key = f"desk_editor_{round_}"
kept: dict[int, dict] = st.session_state.setdefault("desk_kept", {})
pending_edits = bool(st.session_state.get(editor_key, {}).get("edited_rows"))

show_closed = st.toggle("Show done and cancelled", key="desk_closed", disabled=pending_edits)
selection = TrackerFilter(
    agencies=(agency.code,), statuses=() if show_closed else tracker.OPEN_STATUSES
)
pager = f"desk_page_{show_closed}"  # each list has its own page
listing = tracker.find_items(selection, page=st.session_state.get(pager, 1))


def table(items: list[tracker.TrackedItem]) -> pd.DataFrame:
    """The editor's rows. ``was_*`` and ``version`` hold what the person saw, so that a save
    goes over that version and changes only what they changed; input kept after a refused
    save is laid over its row."""
    rows = []
    for tracked in items:
        item = tracked.item
        row = {
            "id": item.id,
            "version": item.version,
            "was_status": item.status,
            "was_reason": item.status_reason,
            "ID": item.id,
            "When": action_panel.when(tracked),
            "Due": item.due_on,
            "Title": item.title,
            "Country": tracked.country_name or "",
            "Status": vocabulary.ACTION_STATUS_LABELS[item.status],
            "Reason or closing note": item.status_reason,
            "Progress note": "",
            "Priority": vocabulary.PRIORITY_LABELS[item.priority],
            "Assignee": tracked.assignee_name or "",
        }
        row.update(kept.get(item.id, {}))
        rows.append(row)
    return pd.DataFrame(rows, columns=["id", "version", "was_status", "was_reason", *SHOWN])


def text(value) -> str:
    return value if isinstance(value, str) else ""  # an emptied cell may come back as NaN


def changed_rows(edited: pd.DataFrame) -> list[tuple[ProgressUpdate, dict]]:
    """The rows whose status, reason or note the person changed, as updates."""
    found = []
    for row in edited.to_dict("records"):
        status = STATUS_BY_LABEL.get(row["Status"], row["was_status"])
        reason, note = text(row["Reason or closing note"]), text(row["Progress note"])
        if status != row["was_status"] or reason.strip() != row["was_reason"] or note.strip():
            update = ProgressUpdate(int(row["id"]), int(row["version"]), status, reason, note)
            found.append((update, row))
    return found


if pending_edits and "desk_base" in st.session_state:
    base = st.session_state["desk_base"]  # rows stay put while the person edits them
else:
    base = st.session_state["desk_base"] = table(listing.items)

st.subheader("Your agency's items")
if listing.total == 0:
    st.success("Nothing to do: no open items.", icon=":material/task_alt:")
else:
    edited = st.data_editor(
        action_panel.coloured(base),
        key=editor_key,
        hide_index=True,
        width="stretch",
        height="content",
        column_order=SHOWN,
        disabled=[c for c in SHOWN if c not in EDITABLE],
        column_config=action_panel.ITEM_COLUMNS
        | {
            "Status": st.column_config.SelectboxColumn(
                options=list(STATUS_BY_LABEL), required=True, width=95
            ),
            "Reason or closing note": st.column_config.TextColumn(
                help="Needed for blocked, done and cancelled", width=190
            ),
            "Progress note": st.column_config.TextColumn(
                help="What happened since the last update", width=190
            ),
        },
    )
    changes = changed_rows(edited)
    buttons = st.container(horizontal=True)
    save = buttons.button(
        f"Save {len(changes)} change(s)" if changes else "Save changes",
        type="primary",
        icon=":material/save:",
        disabled=not changes,
    )
    if buttons.button("Discard my changes", disabled=not (changes or kept)):
        st.session_state["desk_kept"] = {}
        st.session_state["desk_round"] = round_ + 1
        st.rerun()
    if save:
        outcomes = actions.bulk_update(actor=actor, updates=[u for u, _ in changes])
        rows = {update.item_id: row for update, row in changes}
        st.session_state["desk_kept"] = {
            o.item_id: {column: rows[o.item_id][column] for column in EDITABLE}
            for o in outcomes
            if not o.saved
        }
        st.session_state["desk_outcomes"] = [
            (o, rows[o.item_id]["Title"], rows[o.item_id]["was_status"]) for o in outcomes
        ]
        st.session_state["desk_round"] = round_ + 1
        st.rerun()
    if listing.pages > 1:
        st.pagination(listing.pages, key=pager, disabled=pending_edits)

for outcome, title, was_status in st.session_state.pop("desk_outcomes", []):
    title = ui.plain(title)
    if outcome.saved:
        st.success(f"#{outcome.item_id} {title}: saved.", icon=":material/check_circle:")
    elif outcome.conflict is not None:
        now = outcome.conflict.current
        who = ui.plain(outcome.conflict.changed_by or "someone else")
        reason = f", reason: {ui.plain(now['status_reason'])}" if now.get("status_reason") else ""
        st.warning(
            f"#{outcome.item_id} {title}: {who} changed it first (status "
            f"{action_panel.status_label(was_status)} → "
            f"{action_panel.status_label(now.get('status', was_status))}{reason}). "
            "Your input is kept in the table: check it and save again.",
            icon=":material/sync_problem:",
        )
    else:
        st.error(
            f"#{outcome.item_id} {title}: {outcome.message} Your input is kept in the table.",
            icon=":material/error:",
        )

# --- one item -----------------------------------------------------------------------------------

supported = tracker.find_items(TrackerFilter(), supported_by=agency.id)
choices = {t.item.id: t for t in [*listing.items, *supported.items]}
st.subheader("Open an item")
left = st.session_state.get("desk_item")
if left is not None and left not in choices:
    # Closed or reassigned by someone else while open here: it stays, with what was typed in
    # it, until the person chooses another.
    choices[left] = tracker.item_detail(left, actor=actor).tracked
    st.info(
        f"#{left} has left this list since you opened it: it is "
        f"{action_panel.status_label(choices[left].item.status).lower()}, owned by "
        f"{choices[left].agency_code}. It stays open below until you choose another.",
        icon=":material/info:",
    )
ui.keep_choice("desk_item")  # its label changes with the item (owner, due date)
opened = st.selectbox(
    "Item",
    list(choices),
    index=None,
    format_func=lambda item_id: action_panel.item_label(choices[item_id]),
    placeholder="Choose an item to update it, add a note, ask for a new date, read its history",
    key="desk_item",
    label_visibility="collapsed",
)
if opened is not None:
    action_panel.show(actor, opened)

st.subheader(f"Items {agency.code} supports")
if not supported.items:
    st.caption("Your agency supports no open item.")
else:
    st.caption("Owned by another agency; open one above to add a note.")
    st.dataframe(
        action_panel.coloured(
            pd.DataFrame(
                [
                    {
                        "ID": t.item.id,
                        "When": action_panel.when(t),
                        "Due": t.item.due_on,
                        "Title": t.item.title,
                        "Owner": t.agency_code,
                        "Status": vocabulary.ACTION_STATUS_LABELS[t.item.status],
                    }
                    for t in supported.items
                ]
            )
        ),
        hide_index=True,
        width="stretch",
        column_config=action_panel.ITEM_COLUMNS,
    )

st.download_button(
    "Due dates for my calendar (.ics)",
    data=lambda: calendar.action_items(agency_id=agency.id),
    file_name=f"apc-action-items-{agency.code.lower()}.ics",
    mime="text/calendar",
    icon=":material/calendar_month:",
)
