"""Download buttons for calendar files and papers, for the pages where the reader is.

A file is made when its button is pressed (Streamlit calls the function then), not each time
the page is drawn: a read-ahead takes many queries and a second or two to make.
"""

import streamlit as st

from committee import agenda
from committee.actor import Actor
from exports import calendar, documents

CALENDAR_MIME = "text/calendar"
FORMAT_LABELS = {"docx": "Word", "pdf": "PDF"}


def meeting_downloads(actor: Actor, meeting, *, minutes_approved: bool = False) -> None:
    """The meeting's invitation for a calendar program, its agenda and read-ahead once the
    reader may see the agenda, and its minutes once approved (each as Word and PDF)."""
    papers = [
        *(["agenda", "read-ahead"] if agenda.may_read(actor, meeting) else []),
        *(["minutes"] if minutes_approved else []),
    ]
    with st.container(horizontal=True):
        st.download_button(
            "Add to my calendar",
            data=lambda: calendar.invitation(meeting.id),
            file_name=documents.meeting_file_name("invitation", meeting, "ics"),
            mime=CALENDAR_MIME,
            icon=":material/event:",
            on_click="ignore",
            key=f"download_invitation_{meeting.id}",
            help="An invitation (.ics) for Outlook, Google Calendar or Apple Calendar. "
            "Import it again after a change: the same meeting is updated, not doubled.",
        )
        for kind in papers:
            with st.popover(kind.capitalize(), icon=":material/description:"):
                for fmt, label in FORMAT_LABELS.items():
                    st.download_button(
                        f"{kind.capitalize()} ({label})",
                        data=_meeting_paper(kind, actor, meeting.id, fmt),
                        file_name=documents.meeting_file_name(kind, meeting, fmt),
                        mime=documents.FORMATS[fmt],
                        on_click="ignore",
                        key=f"download_{kind}_{fmt}_{meeting.id}",
                        width="stretch",
                    )


def cancellation_download(meeting) -> None:
    """A cancelled meeting's cancellation, which removes it from a calendar it was added to."""
    st.download_button(
        "Cancellation for my calendar",
        data=lambda: calendar.invitation(meeting.id, cancel=True),
        file_name=documents.meeting_file_name("cancellation", meeting, "ics"),
        mime=CALENDAR_MIME,
        icon=":material/event_busy:",
        on_click="ignore",
        key=f"download_cancellation_{meeting.id}",
        help="Open it in the calendar program the invitation went into: the meeting goes.",
    )


def plan_downloads(actor: Actor, plan, version) -> None:
    """The plan version with its clearance grid, as Word and PDF."""
    with st.container(horizontal=True):
        for fmt, label in FORMAT_LABELS.items():
            st.download_button(
                f"Version {version.number} ({label})",
                data=_plan_paper(actor, plan.id, version.number, fmt),
                file_name=documents.plan_file_name(plan, version.number, fmt),
                mime=documents.FORMATS[fmt],
                icon=":material/description:",
                on_click="ignore",
                key=f"download_plan_{plan.id}_{version.number}_{fmt}",
            )


def schedule_download() -> None:
    """Every meeting in one calendar file."""
    st.download_button(
        "All meetings (.ics)",
        data=calendar.schedule,
        file_name="apc-meetings.ics",
        mime=CALENDAR_MIME,
        icon=":material/calendar_month:",
        on_click="ignore",
        key="download_schedule",
        help="For a calendar program; a calendar feed (My account) keeps itself up to date.",
    )


def _meeting_paper(kind: str, actor: Actor, meeting_id: int, fmt: str):
    return lambda: (
        documents.meeting_paper(kind, meeting_id=meeting_id, actor=actor, fmt=fmt).content
    )


def _plan_paper(actor: Actor, plan_id: int, number: int, fmt: str):
    return lambda: (
        documents.plan_paper(plan_id=plan_id, actor=actor, fmt=fmt, version=number).content
    )
