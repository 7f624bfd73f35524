"""Inbox, for everyone: what the tool told the person (a new alert, an action item for their
agency, an agenda published, a plan to clear...), unread first; each leads to its record.
The same notices go by mail as the person chose under My account."""

import streamlit as st

from committee import inbox
from pages import editing, ui

actor = ui.require("page.inbox")
ui.say_done()


def open_message(message: inbox.Message) -> None:
    note = message.notification
    if note.read_at is None:
        ui.attempt(inbox.mark_read, actor=actor, notification_ids=[note.id])
    page, params = inbox.destination(note.link)
    st.switch_page(page, query_params=params)


st.title(":material/inbox: Inbox")
st.caption(
    "What concerns you, as it happens. How each kind also reaches you by mail is yours "
    "to choose under My account."
)
messages = inbox.my_messages(actor=actor)
unread = [m for m in messages if m.unread]
read = [m for m in messages if not m.unread]
if not messages:
    st.info("Your inbox is empty.", icon=":material/inbox:")
if unread:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.subheader(f"Unread ({len(unread)})")
        if st.button("Mark all read", icon=":material/mark_email_read:"):
            ids = [m.notification.id for m in unread]
            if ui.attempt(inbox.mark_read, actor=actor, notification_ids=ids) is not None:
                editing.rerun_saying("All marked read.")
for message in unread:
    note = message.notification
    with st.container(border=True):
        text, actions = st.columns([5, 2], vertical_alignment="center")
        text.markdown(f":material/mail: **{ui.plain(note.text)}**")
        text.caption(ui.local(note.created_at))
        with actions.container(horizontal=True):
            if note.link and st.button("Open", key=f"open_{note.id}", type="primary"):
                open_message(message)
            if st.button("Mark read", key=f"read_{note.id}"):
                if ui.attempt(inbox.mark_read, actor=actor, notification_ids=[note.id]):
                    editing.rerun_saying("Marked read.")
if read:
    st.subheader("Read" if unread else f"All read · the newest {len(read)}")
    for message in read:
        note = message.notification
        text, action = st.columns([6, 1], vertical_alignment="center")
        text.markdown(f"{ui.plain(note.text)}  \n:gray[{ui.local(note.created_at)}]")
        if note.link and action.button("Open", key=f"open_{note.id}"):
            open_message(message)
