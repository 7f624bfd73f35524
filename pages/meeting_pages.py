"""What the meeting's own pages (the meeting, the agenda builder, the meeting room) share: the
meeting chosen beside the page's title, and the links from one of them to another."""

import streamlit as st

from committee import meeting_times
from pages import ui


def choose(title: str, choices: dict) -> int:
    """The page's title beside a choice among ``choices`` (meetings by id, not empty): the one
    the address asks for (``?id=``), else the first. The choice goes back into the address, so
    a reload or a shared link opens the same meeting."""
    asked = st.query_params.get("id", "")
    chosen = int(asked) if asked.isdigit() and int(asked) in choices else next(iter(choices))
    title_col, pick_col = st.columns([3, 2], vertical_alignment="bottom")
    title_col.title(title)
    meeting_id = pick_col.selectbox(
        "Meeting",
        list(choices),
        index=list(choices).index(chosen),
        format_func=lambda i: _label(choices[i]),
    )
    st.query_params["id"] = str(meeting_id)
    return meeting_id


def _label(meeting) -> str:
    """A meeting as the choice shows it: its local date and title."""
    return f"{ui.local(meeting.starts_at, meeting.timezone, '%d %b %Y')} · {meeting.title}"


def when(meeting) -> str:
    """When it is scheduled, in its own time zone, e.g. "**Tue 12 Jan 2027, 10:00 EST** – 12:00
    EST"."""
    return (
        f"**{ui.local(meeting.starts_at, meeting.timezone)}**"
        f" – {ui.local(meeting.ends_at, meeting.timezone, '%H:%M')}"
    )


def held(meeting) -> str:
    """When it was held, to follow its scheduled time ("" before it begins)."""
    words = meeting_times.held_words(meeting)
    return f" · {words}" if words else ""


def link(page: str, label: str, icon: str, meeting_id: int) -> None:
    """A link to another of the meeting's pages, open on the same meeting."""
    st.page_link(page, label=label, icon=icon, query_params={"id": meeting_id})
