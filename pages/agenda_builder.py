"""The agenda builder (chair): the rotation's proposal beside the agenda, to accept, reorder,
add, remove and edit items, then publish. The agenda is one list to pick an item from, and the
picked item is moved, edited or removed in the panel below it. Another chair's change made
meanwhile is shown, not overwritten."""

import streamlit as st

from committee import agenda, meetings, people, rotation, titles, vocabulary
from committee.agenda import KIND_LABELS
from pages import editing, meeting_pages, ui

PICKED = "agenda_item_picked"  # the id of the agenda item picked in the list
LIST = "agenda_item"  # the list's widget, which names its pick by label (position, time, title)
PANEL = "agenda_item_panel"  # where the picked item's saves are confirmed
SAVED_OVER = "agenda_item_saved_over"  # (item id, the item as on screen) while a save is tried
SCROLL_AFTER = 8  # items; a longer agenda scrolls inside its list, keeping the item in view
LIST_HEIGHT = 480  # pixels

actor = ui.require("page.agenda_builder")
ui.say_done()

conflict = st.session_state.pop("conflict", None)
choices = {m.id: m for m in meetings.open_meetings()}
if not choices:
    st.title("Agenda builder")
    st.info("No meeting is scheduled. Schedule one on the Meetings page.")
    st.page_link("pages/meetings.py", label="Meetings", icon=":material/event:")
    st.stop()
meeting_id = meeting_pages.choose("Agenda builder", choices)

view, proposal = agenda.agenda_and_proposal(meeting_id)
meeting = view.meeting
seen = editing.seen_version(f"meeting:{meeting.id}", meeting.version)  # the agenda on screen
agencies = {a.id: a for a in people.list_agencies()}
watchlist = {code: (name, tier) for code, name, tier in rotation.watched_countries()}


def change(service, success: str = "", *, at: str = "page", **kwargs) -> None:
    """Run one agenda edit against the agenda the chair had on screen; rerun to show the
    result, ``success`` told where ``at`` says (or, after a conflict, the other chair's agenda
    with a warning on top)."""
    done = ui.attempt(service, actor=actor, meeting_id=meeting.id, seen_version=seen, **kwargs)
    if done is not None:
        editing.rerun_saying(success, at=at)
    if "conflict" in st.session_state:
        st.rerun()


def presenter_box(key: str, current: int | None):
    options = [None, *agencies]
    return st.selectbox(
        "Presenter",
        options,
        index=options.index(current) if current in options else 0,
        format_func=lambda a: "—" if a is None else agencies[a].code,
        key=key,
    )


def item_label(line: agenda.AgendaLine, starts) -> str:
    item = line.item
    return (
        f"**{item.position}.** {starts:%H:%M} · {ui.plain(item.title)} · "
        f"{item.minutes_allotted} min"
    )


def item_caption(line: agenda.AgendaLine) -> str:
    details = [KIND_LABELS[line.item.kind]]
    if line.tier:
        details.append(vocabulary.TIER_LABELS[line.tier])
    if line.presenter:
        details.append(f"presented by {line.presenter}")
    return " · ".join(details)


def agenda_list() -> agenda.AgendaLine:
    """The agenda as one list to pick an item from; returns the picked line. One widget for
    the whole agenda keeps a long agenda as quick to draw as a short one."""
    by_id = {line.item.id: line for line in view.lines}
    starts = dict(zip(by_id, view.starts(), strict=True))
    if st.session_state.get(PICKED) not in by_id:  # none yet, removed, or another meeting's
        st.session_state[PICKED] = next(iter(by_id))
    # The browser names the pick by its label, which changes when the item is edited or moves:
    # given the picked id afresh each run, the list keeps the same item picked.
    st.session_state[LIST] = st.session_state[PICKED]
    tall = len(by_id) > SCROLL_AFTER
    with st.container(border=True, height=LIST_HEIGHT if tall else "content"):
        st.radio(
            "Agenda item",
            list(by_id),
            format_func=lambda i: item_label(by_id[i], starts[i]),
            captions=[item_caption(line) for line in by_id.values()],
            key=LIST,
            on_change=lambda: st.session_state.update({PICKED: st.session_state[LIST]}),
            label_visibility="collapsed",
        )
    return by_id[st.session_state[PICKED]]


def item_panel(line: agenda.AgendaLine) -> None:
    """The picked item: move it, edit it, or take it off the agenda."""
    item = line.item
    now = {
        "Title": item.title,
        "Minutes": item.minutes_allotted,
        "Presenter": agencies[item.presenter_agency_id].code if item.presenter_agency_id else "—",
    }
    shown = editing.seen_version(f"agenda_item:{item.id}", now)
    saved_over = st.session_state.pop(SAVED_OVER, None)
    with st.container(border=True):
        if conflict is not None and saved_over and saved_over[0] == item.id:
            their_change(saved_over[1], now)
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(f"**{item.position}. {ui.plain(item.title)}**")
            st.space("stretch")
            up = st.button(
                "Up", icon=":material/arrow_upward:", key="move_up", disabled=item.position == 1
            )
            down = st.button(
                "Down",
                icon=":material/arrow_downward:",
                key="move_down",
                disabled=item.position == len(view.lines),
            )
            remove = st.button("Remove", icon=":material/delete:", key="remove_item")
        # Acted on below the buttons, so that a refusal reads across the panel.
        if up or down:
            move_to(item, item.position + (1 if down else -1))
        if remove:
            change(agenda.remove_item, item_id=item.id, success="Item removed.")
        with st.form(f"place_item_{item.id}", border=False):
            with st.container(horizontal=True, vertical_alignment="bottom"):
                # Keyed by the place too, so that the field shows the place the item is in now.
                place = st.number_input(
                    "Place on the agenda",
                    1,
                    len(view.lines),
                    item.position,
                    key=f"place_{item.id}_{item.position}",
                    help="Type where the item goes, 1 for the top; the others make room.",
                )
                moved = st.form_submit_button("Move", icon=":material/low_priority:")
        if moved:
            move_to(item, int(place))
        with st.form(f"edit_item_{item.id}", border=False):
            title = st.text_input(
                "Title", item.title, max_chars=titles.LONGEST, key=f"title_{item.id}"
            )
            ui.field_error("title")
            minutes_column, presenter_column = st.columns(2)
            with minutes_column:
                minutes = st.number_input(
                    "Minutes", 0, 600, item.minutes_allotted, key=f"minutes_{item.id}"
                )
                ui.field_error("minutes_allotted")
            with presenter_column:
                presenter = presenter_box(f"presenter_{item.id}", item.presenter_agency_id)
            saved = st.form_submit_button("Save", type="primary")
        ui.say_done(PANEL)
        if saved:
            st.session_state[SAVED_OVER] = (item.id, shown)
            change(
                agenda.edit_item,
                item_id=item.id,
                title=title,
                minutes_allotted=int(minutes),
                presenter_agency_id=presenter,
                success=f"Item saved: {ui.plain(title)}, {int(minutes)} min.",
                at=PANEL,
            )


def their_change(began: dict, now: dict) -> None:
    """After a refused save: what the other chair changed on this item, beside the chair's
    input kept in the form."""
    rows = [
        {"What": field, "When you began": began[field], "Now": value}
        for field, value in now.items()
        if began.get(field) != value
    ]
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")


def move_to(item, place: int) -> None:
    change(
        agenda.move_item,
        item_id=item.id,
        to_position=place,
        success=f"{ui.plain(item.title)} moved to place {place}.",
        at=PANEL,
    )


def add_form() -> None:
    with st.form("add_item", clear_on_submit=False):
        kind = st.selectbox("Kind", agenda.ADDABLE_KINDS, format_func=KIND_LABELS.get)
        country = st.selectbox(
            "Country (for a review)",
            [None, *watchlist],
            format_func=lambda c: (
                "—"
                if c is None
                else f"{watchlist[c][0]} ({vocabulary.TIER_SHORT[watchlist[c][1]]})"
            ),
        )
        ui.field_error("country")
        title = st.text_input(
            "Title",
            placeholder="For a review: named after the country",
            max_chars=titles.LONGEST,
        )
        ui.field_error("title")
        minutes = st.number_input("Minutes", 0, 600, 10)
        presenter = presenter_box("new_presenter", None)
        added = st.form_submit_button("Add to the agenda", type="primary")
    if added:
        change(
            agenda.add_item,
            kind=kind,
            title=title,
            minutes_allotted=int(minutes),
            country_code=country,
            presenter_agency_id=presenter,
            success="Item added.",
        )


# --- the page ---------------------------------------------------------------------------------

if conflict is not None:
    st.warning(
        f"{ui.plain(conflict.changed_by) or 'Another chair'} changed this agenda while you were "
        "working: it is shown as it is now, and your last change was not saved. What you "
        "typed in a form is kept there: check it against theirs and save again; make a move "
        "again if it still applies.",
        icon=":material/sync_problem:",
    )

published = meeting.agenda_status == "published"
with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown(
        f":material/schedule: **{ui.local(meeting.starts_at, meeting.timezone)}** · "
        f"{view.length} minutes"
    )
    st.badge(
        f"Published {ui.local(meeting.agenda_published_at, meeting.timezone, '%d %b %H:%M')}"
        if published
        else "Draft",
        color="green" if published else "gray",
    )
    st.space("stretch")
    meeting_pages.link("pages/meeting.py", "Meeting page", ":material/event:", meeting.id)
    meeting_pages.link(
        "pages/meeting_room.py", "Meeting room", ":material/meeting_room:", meeting.id
    )
    if st.button(
        "Publish changes" if published else "Publish the agenda",
        icon=":material/send:",
        type="primary",
        disabled=not view.lines,
    ):
        change(agenda.publish_agenda, success="Agenda published to the members.")

built, proposed = st.columns([3, 2], gap="large")

with built:
    st.subheader("The agenda", anchor=False)
    if view.lines:
        st.progress(
            min(1.0, view.allotted / max(view.length, 1)),
            text=view.statement if view.fits else None,
        )
        if not view.fits:
            st.error(view.statement, icon=":material/timer_off:")
        item_panel(agenda_list())
    else:
        st.info("No items yet: take the rotation's proposal, or add items one by one.")
    with st.expander("Add an item", icon=":material/add:"):
        add_form()

with proposed:
    st.subheader("Proposed by the rotation", anchor=False)
    (st.info if proposal.fits else st.warning)(proposal.statement, icon=":material/auto_awesome:")
    missing = [item for item in proposal.items if not item.on_agenda]
    if len(missing) < len(proposal.items):
        st.caption(f"{len(proposal.items) - len(missing)} of the proposed items are on the agenda.")
    if not missing:
        st.success("Everything the rotation proposes is on the agenda.", icon=":material/task_alt:")
    else:
        with st.form("proposal", border=True):
            ticked = {}
            for item in missing:
                ticked[item.key] = st.checkbox(
                    f"**{ui.plain(item.title)}** · {item.minutes} min",
                    value=not item.deferred,
                    key=f"propose_{item.key}",
                )
                st.caption(item.why)
            accepted = st.form_submit_button(
                "Add the ticked items to the agenda", type="primary", icon=":material/playlist_add:"
            )
        if accepted:
            change(
                agenda.accept_proposal,
                leave_out=[key for key, keep in ticked.items() if not keep],
                success="Proposal added to the agenda.",
            )
