"""The meeting room (chair): the agenda with a clock per item, the country brief for a review,
notes, decisions and the action items they create, attendance, closing the meeting and its
minutes."""

from datetime import timedelta

import streamlit as st

from committee import (
    agenda,
    briefs,
    clock,
    coverage,
    decisions,
    markdown,
    meeting_room,
    meetings,
    minutes,
    replies,
    titles,
    vocabulary,
)
from committee.agenda import KIND_LABELS
from committee.errors import NotFound
from committee.meeting_room import AttendanceLine
from pages import editing, mailing, meeting_pages, risk_chart, ui

ATTENDANCE = {"present": "Present", "absent": "Absent", "represented": "Represented"}
ASKING = "meeting_room_asking"  # which irreversible step is asking first
TICK = timedelta(seconds=1)  # how often a running item's clock moves on its own

actor = ui.require("page.meeting_room")
ui.say_done()

choices = {m.id: m for m in meetings.open_meetings()}
asked = st.query_params.get("id", "")
if asked.isdigit() and int(asked) not in choices:
    # A held meeting opens here too: its record and minutes are completed after it.
    try:
        held = meetings.get_meeting(int(asked))
    except NotFound:
        held = None
    if held is not None and held.status == "held":
        choices = {held.id: held, **choices}
if not choices:
    st.title("Meeting room")
    st.info("No meeting is scheduled.")
    st.stop()
meeting_id = meeting_pages.choose("Meeting room", choices)

room = meeting_room.room(meeting_id)
meeting = room.meeting
meeting_seen = editing.seen_version(f"meeting:{meeting.id}", meeting.version)
now = clock.now()
locked = room.minutes.locked
# Every active agency is on the attendance list: the owners an action item may have.
agencies = {row.agency.id: row.agency for row in room.attendance if row.agency.active}


def act(service, success: str = "", **kwargs) -> None:
    """Call a service as the chair; rerun on success so the room shows the new state (a step
    that asked first has been taken: its box closes)."""
    if ui.attempt(service, actor=actor, **kwargs) is not None:
        st.session_state.pop(ASKING, None)
        editing.rerun_saying(success)


def asks_first(key: str, label: str, *, icon: str, disabled: bool = False) -> bool:
    """The button of a step that cannot be undone. Its click opens a box that asks first: True
    while it is open, and the caller draws the box's choices, ending with ``cancel(key)``."""
    if st.session_state.get(ASKING) == key:
        return True
    if st.button(label, type="primary", icon=icon, disabled=disabled, key=f"ask_{key}"):
        st.session_state[ASKING] = key
        st.rerun()
    return False


def cancel(key: str) -> None:
    if st.button("Cancel", key=f"cancel_{key}"):
        st.session_state.pop(ASKING, None)
        st.rerun()


def close_box() -> None:
    """Closing asks first, naming the items not taken up and offering to carry them to the next
    meeting's agenda: once the meeting is held they can no longer be taken up in it."""
    left = agenda.untaken(meeting_id=meeting.id)
    later = agenda.next_meeting(meeting_id=meeting.id) if left else None
    with st.container(border=True):
        st.markdown("**Close the meeting?** It is recorded as held and the clock stops.")
        if not left:
            st.write("Every item on the agenda was taken up. The minutes follow.")
        else:
            st.warning(
                f"{len(left)} items were not taken up:\n"
                + "".join(f"\n- {ui.plain(item.title)}" for item in left),
                icon=":material/warning:",
            )
            if later is None:
                st.caption("No later meeting is scheduled to carry them to.")
            else:
                st.write(
                    f"They can go on the agenda of **{ui.plain(later.title)}**, "
                    f"{ui.local(later.starts_at, later.timezone)}."
                )
        with st.container(horizontal=True):
            if later is not None and st.button(
                "Carry them over and close", type="primary", icon=":material/redo:"
            ):
                act(
                    meeting_room.close_and_carry_over,
                    meeting_id=meeting.id,
                    seen_version=meeting_seen,
                    carry_to_meeting_id=later.id,
                    success=f"Meeting closed; what it did not take up is on the agenda of "
                    f"{ui.plain(later.title)}.",
                )
            if st.button(
                "Close without carrying them" if left else "Close it now",
                type="secondary" if left else "primary",
            ):
                act(
                    meeting_room.close_meeting,
                    meeting_id=meeting.id,
                    seen_version=meeting_seen,
                    success="Meeting closed.",
                )
            cancel(f"close_{meeting.id}")


def approve_minutes(
    label: str,
    *,
    meeting_id: int,
    title: str,
    seen_version: int,
    disabled: bool,
    at_meeting_id: int | None = None,
) -> None:
    """Approving minutes locks them with their meeting's record: asked first, wherever they
    are approved (``at_meeting_id``: by the committee, at this meeting)."""
    key = f"approve_{meeting_id}"
    if not asks_first(key, label, icon=":material/verified:", disabled=disabled):
        return
    with st.container(border=True):
        st.markdown(
            f"**Approve the minutes of {ui.plain(title)}?** Approved, they are locked with "
            "the meeting's record: a correction is then a new revision with its reason."
        )
        with st.container(horizontal=True):
            if st.button("Approve and lock them", type="primary", icon=":material/lock:"):
                act(
                    minutes.approve_minutes,
                    meeting_id=meeting_id,
                    seen_version=seen_version,
                    at_meeting_id=at_meeting_id,
                    success="Minutes approved.",
                )
            cancel(key)


# --- header -----------------------------------------------------------------------------------

st.subheader(ui.plain(meeting.title), anchor=False)
closing = False
with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown(
        f":material/schedule: {ui.local(meeting.starts_at, meeting.timezone)} · "
        f"{room.length} minutes"
        + (f" · {ui.plain(meeting.location)}" if meeting.location else "")
        + meeting_pages.held(meeting)
    )
    st.badge(vocabulary.MEETING_STATUS_LABELS[meeting.status], color="gray")
    st.space("stretch")
    st.page_link(
        "pages/meeting.py",
        label="Meeting page",
        icon=":material/event:",
        query_params={"id": meeting.id},
    )
    if meeting.status == "scheduled":
        st.page_link(
            "pages/agenda_builder.py",
            label="Agenda builder",
            icon=":material/format_list_numbered:",
            query_params={"id": meeting.id},
        )
        closing = asks_first(f"close_{meeting.id}", "Close the meeting", icon=":material/done_all:")
if closing:
    close_box()

used = room.used(now)
done = sum(1 for i in room.items if i.taken_up)
recorded = sum(1 for row in room.attendance if row.attendance is not None)
a, b, c, d = st.columns(4)
a.metric("Time used", f"{used} of {room.length} min", border=True)
b.metric("Items taken", f"{done} of {len(room.items)}", border=True)
c.metric("Agencies recorded", f"{recorded} of {len(room.attendance)}", border=True)
d.metric(
    "Minutes",
    minutes.STATUS_LABELS[room.minutes.minutes.status] if room.minutes.minutes else "Not drafted",
    border=True,
)
if locked:
    st.info("The minutes are approved: this meeting's record is locked.", icon=":material/lock:")


# --- one agenda item --------------------------------------------------------------------------


def item_label(entry: meeting_room.RoomItem) -> str:
    item = entry.item
    mark = "▶ " if entry.running else ("✓ " if entry.taken_up else "")
    used = f"{entry.used(now)}/{item.minutes_allotted} min"
    return f"{mark}{item.position}. {ui.plain(item.title)} · {used}"


def minutes_and_seconds(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    return f"{seconds // 60}:{seconds % 60:02d}"


def clock_face(entry: meeting_room.RoomItem) -> None:
    """The item's time used against its allotment, read from the clock at each drawing."""
    item = entry.item
    spent, allotted = entry.elapsed(clock.now()), timedelta(minutes=item.minutes_allotted)
    over = spent - allotted
    st.progress(
        min(1.0, spent / max(allotted, timedelta(minutes=1))),
        text=f"{minutes_and_seconds(spent)} of {minutes_and_seconds(allotted)}"
        + (f" · :red[{minutes_and_seconds(over)} over]" if over > timedelta() else "")
        + (
            f" · running since {ui.local(item.started_at, meeting.timezone, '%H:%M')}"
            if entry.running
            else ""
        ),
    )


# A running item's clock redraws itself, and only itself: the rest of the page (its widgets,
# the text being typed) is not run again. It draws no widget, so no key can clash.
ticking_clock_face = st.fragment(run_every=TICK)(clock_face)


def clock_bar(entry: meeting_room.RoomItem) -> None:
    item = entry.item
    bar, button = st.columns([4, 1], vertical_alignment="center")
    with bar:
        (ticking_clock_face if entry.running else clock_face)(entry)
    if locked or meeting.status != "scheduled":
        return
    if entry.running:
        if button.button("Stop", icon=":material/stop_circle:", width="stretch"):
            act(
                meeting_room.stop_item,
                item_id=item.id,
                success=f"Clock stopped: {ui.plain(item.title)}.",
            )
    elif button.button("Start", icon=":material/play_circle:", type="primary", width="stretch"):
        # Said in words too: a screen reader announces the message, not the bar's change.
        act(
            meeting_room.start_item,
            item_id=item.id,
            success=f"Clock started: {ui.plain(item.title)}.",
        )


def fact(column, label: str, value: str, detail: str = "") -> None:
    with column.container(border=True):
        st.caption(label)
        st.markdown(f"**{value}**")
        if detail:
            st.caption(detail)


def brief_panel(code: str) -> None:
    """The country brief from committee/briefs.py: the same picture as the country page."""
    brief = briefs.country_brief(code, actor=actor)
    entry, risk, assessment = brief.entry, brief.statistical_risk, brief.latest_assessment
    tier, statistical, ours = st.columns(3)
    fact(
        tier,
        "Tier",
        vocabulary.TIER_LABELS[entry.tier] if entry and entry.on_watchlist else "Not watched",
        f"since {ui.day(entry.since)}" if entry else "",
    )
    change = ""
    if risk and risk.change is not None:
        change = f", {vocabulary.risk_points(risk.change)} since the last edition"
    fact(
        statistical,
        "Statistical risk",
        f"{vocabulary.risk_percent(risk.risk)} · rank {risk.rank}" if risk else "No figure",
        f"{risk.source} {risk.edition}{change}" if risk else "",
    )
    fact(
        ours,
        "Our latest assessment",
        vocabulary.OVERALL_RATING_LABELS[assessment.record.overall_rating]
        if assessment
        else "None",
        f"of {ui.day(assessment.record.assessed_on)}" if assessment else "",
    )
    left, right = st.columns(2, gap="medium")
    with left:
        if brief.risk_trend:
            st.caption("Statistical risk over time")
            risk_chart.show(brief, editions=False, height=190)
        st.caption("Tier history")
        for change in reversed(brief.tier_history[-4:]):
            new = vocabulary.TIER_SHORT.get(change.new_tier, "off the watchlist")
            st.markdown(
                f"- {ui.day(change.changed_at.date())}: **{new}** — {ui.plain(change.reason)}"
            )
        if brief.open_alerts:
            st.caption("Open alerts")
            for alert in brief.open_alerts:
                st.markdown(
                    f"- :red[{vocabulary.SEVERITY_LABELS[alert.severity].split(' —')[0]}] "
                    f"{alert.reference}: {ui.plain(alert.summary)}"
                )
    with right:
        st.caption("Plans")
        if not brief.plans:
            st.markdown(":orange[No plan for this country.]")
        for summary in brief.plans:
            late = " · :red[past its review date]" if summary.past_review else ""
            st.markdown(
                f"- {ui.plain(summary.plan.title)}: "
                f"**{vocabulary.PLAN_STATUS_LABELS[summary.plan.status]}**{late}"
            )
        # The version in effect, and a newer draft being prepared: both are the committee's.
        shown_versions = sorted(
            {v.id for s in brief.plans for v in (s.effective, s.latest) if v is not None}
        )
        for flag in coverage.against_the_evidence(shown_versions):
            st.markdown(f"- :red[Tool used against the evidence:] {ui.plain(flag.text)}")
        when = f" ({ui.day(brief.last_review.starts_at.date())})" if brief.last_review else ""
        st.caption(f"Decisions of its last review{when}")
        if not brief.last_review_decisions:
            st.markdown("—")
        for decision in brief.last_review_decisions:
            st.markdown(f"- {ui.plain(decision.text)}")
        overdue = len(brief.overdue_actions)
        st.caption(
            f"Open action items: {len(brief.open_actions)}"
            + (f", :red[{overdue} overdue]" if overdue else "")
        )
        for summary in brief.open_actions[:8]:
            due = f"due {ui.day(summary.item.due_on)}"
            st.markdown(
                f"- {ui.plain(summary.item.title)} — {summary.agency_code}, "
                + (f":red[{due}]" if summary.overdue else due)
            )
        if len(brief.open_actions) > 8:
            st.caption(f"and {len(brief.open_actions) - 8} more")
    if assessment:
        with st.expander("Risk factors of the latest assessment (UN Framework of Analysis)"):
            st.dataframe(
                [
                    {
                        "Factor": f"{n}. {vocabulary.RISK_FACTORS[n]}",
                        "Rating": vocabulary.FACTOR_RATING_LABELS[r.rating],
                        "Note": r.note,
                    }
                    for n, r in sorted(assessment.ratings.items())
                ],
                hide_index=True,
                width="stretch",
            )


def review_controls(entry: meeting_room.RoomItem) -> None:
    item = entry.item
    # The country's watchlist entry as the room showed it: a tier changed meanwhile (on the
    # country's page, say) is a conflict, not overwritten.
    seen_entry = editing.seen_version(
        f"watchlist_entry:{item.country_code}", entry.line.watch_version
    )
    with st.container(horizontal=True):
        if item.review_done:
            st.success("Review done", icon=":material/task_alt:")
        elif st.button("Mark the review done", icon=":material/task_alt:", disabled=locked):
            act(meeting_room.mark_review_done, item_id=item.id, success="Review recorded.")
        with st.popover("Change the tier", icon=":material/swap_vert:", disabled=locked):
            with st.form(f"tier_{item.id}"):
                tier = st.radio(
                    "New tier",
                    list(vocabulary.TIER_LABELS),
                    index=(entry.line.tier or 1) - 1,
                    format_func=vocabulary.TIER_LABELS.get,
                )
                ui.field_error("tier")
                reason = st.text_area("Why")
                ui.field_error("reason")
                changed = st.form_submit_button("Record the tier change", type="primary")
            if changed:
                act(
                    meeting_room.change_tier,
                    item_id=item.id,
                    new_tier=tier,
                    reason=reason,
                    seen_version=seen_entry,
                    success="Tier changed.",
                )


def minutes_approval_controls() -> None:
    if room.earlier_minutes is None:
        st.success("The last meeting's minutes are approved.", icon=":material/task_alt:")
        return
    earlier, status = room.earlier_minutes
    st.write(f"Minutes of **{ui.plain(earlier.title)}**: {status}.")
    found = minutes.minutes_of(earlier.id)
    if found.current is None:
        st.caption("They have not been drafted yet.")
        return
    seen = editing.seen_version(f"minutes:{found.minutes.id}", found.minutes.version)
    with st.expander("Read them"):
        st.markdown(markdown.authored(found.current.body))
    approve_minutes(
        "The committee approves them",
        meeting_id=earlier.id,
        title=earlier.title,
        seen_version=seen,
        disabled=locked,
        at_meeting_id=meeting.id,
    )


def decisions_panel(entry: meeting_room.RoomItem) -> None:
    item = entry.item
    for decision in entry.decisions:
        with st.container(border=True):
            st.markdown(f":material/gavel: {ui.plain(decision.text)}")
            for row in entry.actions:
                if row.item.decision_id == decision.id:
                    st.caption(
                        f":material/task: {ui.plain(row.item.title)} — {row.agency_code}, "
                        f"due {ui.day(row.item.due_on)}"
                    )
            if not locked:
                with st.popover("New action item", icon=":material/add_task:"):
                    action_form(decision.id)
    if not locked:
        with st.form(f"decision_{item.id}", clear_on_submit=True):
            text = st.text_area("Decision", placeholder="The committee decides…", height=80)
            ui.field_error("decision")
            if st.form_submit_button("Record the decision", icon=":material/gavel:"):
                act(
                    decisions.record_decision,
                    kind="general",
                    agenda_item_id=item.id,
                    text=text,
                    success="Decision recorded.",
                )


def action_form(decision_id: int) -> None:
    with st.form(f"action_{decision_id}"):
        title = st.text_input("Action", max_chars=titles.LONGEST, key=f"action_title_{decision_id}")
        ui.field_error("title")
        owner = st.selectbox(
            "Owner agency",
            list(agencies),
            format_func=lambda a: f"{agencies[a].code} — {agencies[a].name}",
            key=f"action_owner_{decision_id}",
        )
        due, priority = st.columns(2)
        due_on = due.date_input(
            "Due", clock.today() + timedelta(days=30), key=f"action_due_{decision_id}"
        )
        level = priority.selectbox(
            "Priority",
            list(vocabulary.PRIORITY_LABELS),
            index=1,
            format_func=vocabulary.PRIORITY_LABELS.get,
            key=f"action_priority_{decision_id}",
        )
        ui.field_error("due_on")
        if st.form_submit_button("Create the action item", type="primary"):
            act(
                meeting_room.add_action_item,
                decision_id=decision_id,
                title=title,
                owner_agency_id=owner,
                due_on=due_on,
                priority=level,
                success="Action item created.",
            )


def notes_panel(entry: meeting_room.RoomItem) -> None:
    item = entry.item
    key = f"notes_{item.id}"
    notes = editing.text_editor(
        "Notes",
        key,
        text=item.notes,
        version=item.version,
        height=140,
        disabled=locked,
        placeholder="Points made, by whom; what was agreed.",
    )
    if not locked and st.button("Save the notes", key=f"save_{key}"):
        editing.save_text(
            meeting_room.save_notes,
            key=key,
            success="Notes saved.",
            actor=actor,
            item_id=item.id,
            seen_version=editing.editor_version(key),
            notes=notes,
        )


def item_panel(entry: meeting_room.RoomItem) -> None:
    item = entry.item
    st.subheader(f"{item.position}. {ui.plain(item.title)}", anchor=False)
    st.caption(
        KIND_LABELS[item.kind]
        + (f" · {vocabulary.TIER_LABELS[entry.line.tier]}" if entry.line.tier else "")
        + (f" · presented by {entry.line.presenter}" if entry.line.presenter else "")
    )
    clock_bar(entry)
    if item.kind == "country_review" and item.country_code:
        review_controls(entry)
        brief_tab, record_tab = st.tabs(["Country brief", "Notes and decisions"])
        with brief_tab:
            brief_panel(item.country_code)
        with record_tab:
            notes_panel(entry)
            decisions_panel(entry)
        return
    if item.kind == "minutes_approval":
        minutes_approval_controls()
    notes_panel(entry)
    decisions_panel(entry)


# --- attendance and minutes -------------------------------------------------------------------


def attendance_editor() -> None:
    rows = room.attendance
    shown = {
        row.agency.id: editing.seen_version(
            f"attendance:{meeting.id}:{row.agency.id}",
            row.attendance.version if row.attendance else None,
        )
        for row in rows
    }
    expected = replies.replies_to(meeting_id=meeting.id).by_agency
    edited = st.data_editor(
        [
            {
                "Agency": row.agency.name,
                "Expected": mailing.expected(expected.get(row.agency.code)),
                "Attendance": ATTENDANCE[row.attendance.status] if row.attendance else None,
                "Who attended": row.attendance.attendees if row.attendance else "",
                "Represented by": row.attendance.represented_by if row.attendance else "",
            }
            for row in rows
        ],
        column_config={
            "Agency": st.column_config.TextColumn(disabled=True),
            "Expected": st.column_config.TextColumn(
                disabled=True, help="The answers to the invitation mailed to the agency's people."
            ),
            "Attendance": st.column_config.SelectboxColumn(options=list(ATTENDANCE.values())),
        },
        hide_index=True,
        width="stretch",
        height=38 + 35 * len(rows),
        disabled=locked,
        key=f"attendance_{meeting.id}",
    )
    ui.field_error("attendance")
    if locked:
        return
    save, everyone = st.columns([1, 3])
    if everyone.button(
        "Everyone not yet recorded is present",
        icon=":material/groups:",
        help="Records present every agency with no entry yet; saved entries stay as they are.",
    ):
        act(
            meeting_room.record_attendance,
            meeting_id=meeting.id,
            lines=[
                AttendanceLine(row.agency.id, "present")
                for row in rows
                if row.attendance is None and row.agency.active
            ],
            success="Attendance saved.",
        )
    if save.button("Save attendance", type="primary", icon=":material/how_to_reg:"):
        statuses = {label: status for status, label in ATTENDANCE.items()}
        lines = [
            AttendanceLine(
                agency_id=row.agency.id,
                status=statuses[values["Attendance"]],
                attendees=values["Who attended"] or "",
                represented_by=values["Represented by"] or "",
                seen_version=shown[row.agency.id],
            )
            for row, values in zip(rows, edited, strict=True)
            if values["Attendance"]
        ]
        act(
            meeting_room.record_attendance,
            meeting_id=meeting.id,
            lines=lines,
            success="Attendance saved.",
        )


def minutes_panel() -> None:
    found = room.minutes
    if found.minutes is None:
        st.info(
            "No minutes yet. The draft is written from the notes, decisions, attendance "
            "and new action items."
        )
        if st.button("Draft the minutes", type="primary", icon=":material/edit_note:"):
            act(minutes.draft_minutes, meeting_id=meeting.id, success="Minutes drafted.")
        return
    record, current = found.minutes, found.current
    if found.locked:
        seen = editing.seen_version(f"minutes:{record.id}", record.version)
        st.success(
            f"Approved on {ui.day(record.approved_at.date())}; locked. A correction is a new "
            "revision with its reason.",
            icon=":material/lock:",
        )
        with st.container(border=True):
            st.markdown(markdown.authored(current.body))
        with st.form("correction"):
            body = st.text_area("Corrected text", current.body, height=300)
            reason = st.text_input("Why the correction")
            ui.field_error("reason")
            ui.field_error("body")
            if st.form_submit_button("Record the correction", type="primary"):
                act(
                    minutes.correct_minutes,
                    meeting_id=meeting.id,
                    seen_version=seen,
                    body=body,
                    reason=reason,
                    success="Correction recorded.",
                )
    else:
        st.caption(f"{minutes.STATUS_LABELS[record.status]} · revision {current.number}")
        key = f"minutes_{record.id}"
        write, preview = st.columns(2)
        with write:
            body = editing.text_editor(
                "Text of the minutes (Markdown)",
                key,
                text=current.body,
                version=record.version,
                height=480,
            )
        with preview:
            st.caption("As the members will read them")
            with st.container(border=True, height=480):
                st.markdown(body)
        ui.field_error("body")
        seen = editing.editor_version(key)  # the text on screen is what gets circulated
        held = meeting.status == "held"
        with st.container(horizontal=True):
            if st.button("Save the text", icon=":material/save:"):
                editing.save_text(
                    minutes.edit_minutes,
                    key=key,
                    success="Minutes saved.",
                    actor=actor,
                    meeting_id=meeting.id,
                    seen_version=seen,
                    body=body,
                )
            with st.popover("Draft again from the record", icon=":material/restart_alt:"):
                st.write("The text is replaced by a new draft from the meeting's record.")
                if st.button("Replace the text", type="primary"):
                    editing.save_text(
                        minutes.draft_minutes,
                        key=key,
                        success="Minutes drafted again.",
                        actor=actor,
                        meeting_id=meeting.id,
                        seen_version=seen,
                    )
            if record.status == "draft" and st.button(
                "Circulate to the members", icon=":material/forward_to_inbox:", disabled=not held
            ):
                act(
                    minutes.circulate_minutes,
                    meeting_id=meeting.id,
                    seen_version=seen,
                    success="Minutes circulated.",
                )
        approve_minutes(
            "Approve the minutes",
            meeting_id=meeting.id,
            title=meeting.title,
            seen_version=seen,
            disabled=not held,
        )
        if not held:
            st.caption("Close the meeting to circulate or approve its minutes.")
    for revision in found.revisions[1:]:
        with st.expander(f"Revision {revision.number} of {ui.day(revision.created_at.date())}"):
            if revision.reason:
                st.caption(f"Why: {ui.plain(revision.reason)}")
            st.markdown(markdown.authored(revision.body))
    if len(found.revisions) > 1:
        compare_revisions([r.number for r in found.revisions])


def compare_revisions(numbers: list[int]) -> None:
    """Two revisions of the minutes side by side, as a diff (numbers: newest first)."""
    with st.expander("Compare two revisions", icon=":material/difference:"):
        left, right = st.columns(2)
        first = left.selectbox("From revision", numbers, index=1, key="minutes_diff_from")
        second = right.selectbox("To revision", numbers, index=0, key="minutes_diff_to")
        lines = minutes.compare_revisions(meeting_id=meeting.id, first=first, second=second)
        if lines:
            st.code("\n".join(lines), language="diff", wrap_lines=True)
        else:
            st.caption("The two texts are the same.")


# --- the page ---------------------------------------------------------------------------------

# Keyed, so the open tab stays open when a message above it comes or goes: a step that asks
# first asks where the person clicked.
agenda_tab, attendance_tab, minutes_tab = st.tabs(
    ["Agenda", "Attendance", "Minutes"], key=f"room_tabs_{meeting.id}"
)
with agenda_tab:
    if not room.items:
        st.info("The agenda is empty: build it first.")
        st.page_link(
            "pages/agenda_builder.py",
            label="Agenda builder",
            icon=":material/format_list_numbered:",
            query_params={"id": meeting.id},
        )
    else:
        by_id = {entry.item.id: entry for entry in room.items}
        running = next((e.item.id for e in room.items if e.running), None)
        key = f"room_item_{meeting.id}"
        if running is not None and st.session_state.get(key) not in by_id:
            st.session_state[key] = running
        listing, panel = st.columns([1.1, 2.6], gap="large")
        with listing, st.container(border=True):
            st.caption("Agenda")
            current = st.radio(
                "Agenda item",
                list(by_id),
                format_func=lambda i: item_label(by_id[i]),
                key=key,
                label_visibility="collapsed",
            )
        with panel:
            item_panel(by_id[current])
with attendance_tab:
    attendance_editor()
with minutes_tab:
    minutes_panel()
