"""One meeting, for every member: when and where, the agenda, attendance, decisions, the
minutes with their revisions, and the action items it gave the viewer's agency. The chair
also moves or cancels it here. The meeting's id comes from the address (?id=)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import streamlit as st

from committee import access, markdown, meetings, minutes, vocabulary
from committee.agenda import KIND_LABELS
from committee.errors import NotFound
from pages import downloads, editing, mailing, meeting_pages, ui

KIND_COLORS = {"regular": "blue", "ad_hoc": "violet", "emergency": "red"}
STATUS_COLORS = {"scheduled": "green", "held": "gray", "cancelled": "orange"}
ATTENDANCE_LABELS = {"present": "Present", "absent": "Absent", "represented": "Represented"}
MOVE, CANCEL = "move_popover", "cancel_popover"

actor = ui.require("page.meeting")
ui.say_done()
staff = access.can(actor, "meetings.schedule")
try:
    record = meetings.meeting_record(meeting_id=int(st.query_params.get("id", "")), actor=actor)
except (ValueError, NotFound):
    st.error("No such meeting.", icon=":material/search_off:")
    st.page_link("pages/meetings.py", label="All meetings", icon=":material/arrow_back:")
    st.stop()
meeting = record.meeting
seen = editing.seen_version(f"meeting:{meeting.id}", meeting.version)


def move_form() -> None:
    zone = meeting.timezone
    local_start = meeting.starts_at.astimezone(ZoneInfo(zone))
    local_end = meeting.ends_at.astimezone(ZoneInfo(zone))
    with st.form("move"):
        day, start, end = st.columns([2, 1, 1])  # room for the whole date
        on = day.date_input("Date", local_start.date())
        starts = start.time_input("Starts", local_start.time())
        ends = end.time_input("Ends", local_end.time())
        ui.field_error("starts_at")
        ui.field_error("ends_at")
        timezone = st.text_input("Time zone", zone)
        ui.field_error("timezone")
        location = st.text_input("Place", meeting.location)
        video_link = st.text_input("Video link", meeting.video_link)
        ui.field_error("video_link")
        reason = st.text_input("Why it moves")
        ui.field_error("reason")
        moved = st.form_submit_button("Move the meeting", type="primary")
    if not moved:
        return
    moved_to = ui.attempt(
        meetings.move_meeting,
        actor=actor,
        meeting_id=meeting.id,
        seen_version=seen,
        starts_at=datetime.combine(on, starts),
        ends_at=datetime.combine(on, ends),
        timezone=timezone.strip(),
        location=location,
        video_link=video_link,
        reason=reason,
    )
    if moved_to:
        # Said in words: the date field can turn a day typed into another (30 February into
        # 28 February), and the person should see where the meeting went.
        editing.rerun_saying(f"Meeting moved to {meeting_pages.when(moved_to)}.", close=MOVE)


def cancel_form() -> None:
    with st.form("cancel"):
        reason = st.text_input("Why it is cancelled")
        ui.field_error("reason")
        cancelled = st.form_submit_button("Cancel the meeting", type="primary")
    if cancelled and ui.attempt(
        meetings.cancel_meeting,
        actor=actor,
        meeting_id=meeting.id,
        seen_version=seen,
        reason=reason,
    ):
        editing.rerun_saying("Meeting cancelled.", close=CANCEL)


# --- header -----------------------------------------------------------------------------------

st.page_link("pages/meetings.py", label="All meetings", icon=":material/arrow_back:")
st.title(ui.plain(meeting.title))
st.set_page_config(page_title=f"{meeting.title} · Meeting · APC Desk")  # the tab's name
with st.container(horizontal=True):
    st.badge(vocabulary.MEETING_KIND_LABELS[meeting.kind], color=KIND_COLORS[meeting.kind])
    st.badge(vocabulary.MEETING_STATUS_LABELS[meeting.status], color=STATUS_COLORS[meeting.status])
    st.badge(
        "Agenda published" if meeting.agenda_status == "published" else "Agenda in preparation",
        color="green" if meeting.agenda_status == "published" else "gray",
    )
    if record.minutes.minutes is not None:
        st.badge(f"Minutes {record.minutes.minutes.status}", color="gray")

when, where = st.columns(2)
with when:
    st.markdown(f":material/schedule: {meeting_pages.when(meeting)}" + meeting_pages.held(meeting))
    committee_time = ui.local(meeting.starts_at)
    if committee_time != ui.local(meeting.starts_at, meeting.timezone):
        st.caption(f"{committee_time} in the committee's time zone")
with where:
    if meeting.location:
        st.markdown(f":material/location_on: {ui.plain(meeting.location)}")
    # A cancelled meeting's call is not held: joining it would leave someone waiting alone.
    if (
        meeting.status != "cancelled"
        and meeting.video_link
        and meetings.SAFE_LINK.match(meeting.video_link)
    ):
        st.link_button("Join by video", meeting.video_link, icon=":material/videocam:")
if record.called_for:
    st.markdown(f":material/public: Called for **{ui.plain(record.called_for)}**")
if meeting.reason:
    st.info(f"Why: {ui.plain(meeting.reason)}", icon=":material/info:")
if meeting.status == "cancelled":
    st.error(f"Cancelled: {ui.plain(meeting.change_reason)}", icon=":material/event_busy:")
elif meeting.change_reason:
    st.warning(f"Changed: {ui.plain(meeting.change_reason)}", icon=":material/update:")
if meeting.status != "cancelled":
    downloads.meeting_downloads(actor, meeting, minutes_approved=record.minutes.locked)
else:
    downloads.cancellation_download(meeting)
if staff and meeting.status != "held":
    mailing.invitation_panel(actor, meeting)
mailing.replies_panel(meeting)

if staff and meeting.status == "scheduled":
    with st.container(horizontal=True):
        meeting_pages.link(
            "pages/agenda_builder.py",
            "Build the agenda",
            ":material/format_list_numbered:",
            meeting.id,
        )
        meeting_pages.link(
            "pages/meeting_room.py",
            "Open the meeting room",
            ":material/meeting_room:",
            meeting.id,
        )
        with editing.popover("Move", icon=":material/edit_calendar:", key=MOVE):
            move_form()
        with editing.popover("Cancel", icon=":material/event_busy:", key=CANCEL):
            cancel_form()


def decisions_text() -> str:
    """The decisions under their agenda items, in the agenda's order, as minutes list them:
    one block of Markdown however many there are (a box each made a long meeting slow)."""
    lines = record.agenda.lines if record.agenda else []
    titles = {line.item.id: line.item.title for line in lines} | {None: "General"}
    under: dict[int | None, list[str]] = {}
    for decision in record.decisions:
        # Its own line breaks stay inside its list item.
        text = ui.plain(decision.text).replace("\n", "  \n  ")
        day = ui.local(decision.decided_at, meeting.timezone, "%d %b %Y")
        item_id = decision.agenda_item_id if decision.agenda_item_id in titles else None
        under.setdefault(item_id, []).append(f"- {text} :gray[· {day}]")
    return "\n\n".join(
        f"**{ui.plain(title)}**\n\n" + "\n".join(under[item_id])
        for item_id, title in titles.items()
        if item_id in under
    )


# --- the record -------------------------------------------------------------------------------

own = actor.role == "agency_rep"
tabs = st.tabs(
    [
        "Agenda",
        "Attendance",
        "Decisions",
        "Minutes",
        f"{actor.agency_code}'s action items" if own else "Action items",
    ]
)

with tabs[0]:
    if record.agenda is None:
        st.info("The chair is preparing the agenda; it shows here once published.")
    elif not record.agenda.lines:
        st.info("The agenda has no items yet.")
    else:
        st.dataframe(
            [
                {
                    "#": line.item.position,
                    "Item": line.item.title,
                    "Kind": KIND_LABELS[line.item.kind],
                    "Tier": vocabulary.TIER_SHORT.get(line.tier, ""),
                    "Presenter": line.presenter or "",
                    "Minutes": line.item.minutes_allotted,
                }
                for line in record.agenda.lines
            ],
            hide_index=True,
            width="stretch",
        )
        st.caption(record.agenda.statement)

with tabs[1]:
    recorded = [row for row in record.attendance if row.attendance is not None]
    if not recorded:
        st.info("Attendance has not been recorded.")
    else:
        st.dataframe(
            [
                {
                    "Agency": row.agency.name,
                    "Attendance": ATTENDANCE_LABELS[row.attendance.status],
                    "Who": row.attendance.attendees
                    or (
                        f"by {row.attendance.represented_by}"
                        if row.attendance.represented_by
                        else ""
                    ),
                }
                for row in recorded
            ],
            hide_index=True,
            width="stretch",
        )

with tabs[2]:
    if not record.decisions:
        st.info("No decisions recorded.")
    else:
        with st.container(border=True):
            st.markdown(decisions_text())

with tabs[3]:
    found = record.minutes
    readable = found.minutes is not None and (staff or found.minutes.status != "draft")
    if not readable:
        st.info("The minutes have not been circulated yet.")
    else:
        status = minutes.STATUS_LABELS[found.minutes.status]
        if found.locked:
            st.success(
                f"{status} on {ui.day(found.minutes.approved_at.date())}; locked.",
                icon=":material/lock:",
            )
        else:
            st.info(f"{status}: not yet approved.", icon=":material/edit_note:")
        with st.container(border=True):
            st.markdown(markdown.authored(found.current.body))
        for revision in found.revisions[1:]:
            with st.expander(f"Revision {revision.number} of {ui.day(revision.created_at.date())}"):
                st.markdown(markdown.authored(revision.body))
        if found.current.reason:
            st.caption(
                f"Revision {found.current.number}, corrected: {ui.plain(found.current.reason)}"
            )
    if staff and meeting.status != "cancelled":
        meeting_pages.link(
            "pages/meeting_room.py",
            "Draft or edit the minutes in the meeting room",
            ":material/edit_note:",
            meeting.id,
        )

with tabs[4]:
    if not record.actions:
        st.info(
            f"The meeting gave {actor.agency_code} no action items."
            if own
            else "The meeting created no action items."
        )
    else:
        st.table(
            [
                {
                    "Action": ui.plain(row.item.title),
                    "Owner": row.agency_code,
                    "Due": ui.day(row.item.due_on) + (" (overdue)" if row.overdue else ""),
                    "Status": vocabulary.ACTION_STATUS_LABELS[row.item.status],
                }
                for row in record.actions
            ],
            border="horizontal",
            hide_index=True,
        )
