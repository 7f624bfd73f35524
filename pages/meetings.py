"""Meetings: what is coming up, what was held, and the month at a glance. The chair also sets
the regular series' rule and calls ad hoc and emergency sessions here."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import streamlit as st

from committee import access, clock, meetings, rotation, settings, titles, vocabulary
from committee.series import ORDINALS, WEEKDAY_NAMES
from pages import editing, ui

PAGE_SIZE = 10
KIND_COLORS = {"regular": "blue", "ad_hoc": "violet", "emergency": "red"}
STATUS_COLORS = {"scheduled": "green", "held": "gray", "cancelled": "orange"}
KIND_ICONS = {
    "regular": ":material/groups:",
    "ad_hoc": ":material/event:",
    "emergency": ":material/emergency:",
}
MONTHS = {m: datetime(2000, m, 1).strftime("%B") for m in range(1, 13)}

actor = ui.require("page.meetings")
ui.say_done()
may_schedule = access.can(actor, "meetings.schedule")
series = meetings.current_series()
series_seen = editing.seen_version("series", series.version if series else None)
home_zone = str(settings.get("timezone"))  # the committee's; read once for the whole page
watchlist = {code: name for code, name, _ in rotation.watched_countries()}


def meeting_badges(meeting) -> None:
    if meeting.kind != "regular":  # a regular meeting's title says so
        st.badge(vocabulary.MEETING_KIND_LABELS[meeting.kind], color=KIND_COLORS[meeting.kind])
    if meeting.status != "scheduled":
        st.badge(
            vocabulary.MEETING_STATUS_LABELS[meeting.status], color=STATUS_COLORS[meeting.status]
        )
    elif meeting.agenda_status == "published":
        st.badge("Agenda published", icon=":material/check:", color="green")
    if meeting.edited_by_hand and meeting.status == "scheduled":
        st.badge("Moved", icon=":material/schedule:", color="gray")


def meeting_card(row: meetings.MeetingRow) -> None:
    meeting = row.meeting
    starts = meeting.starts_at.astimezone(ZoneInfo(home_zone))
    begins, ends = (
        t.astimezone(ZoneInfo(meeting.timezone)) for t in (meeting.starts_at, meeting.ends_at)
    )
    with st.container(border=True):
        when, what, go = st.columns([1.1, 6, 1], vertical_alignment="center")
        when.markdown(f"### {starts:%d} {starts:%b}\n{starts:%a} {starts:%Y}", anchors=False)
        with what:
            with st.container(horizontal=True, vertical_alignment="center", gap="small"):
                st.markdown(f"**{ui.plain(meeting.title)}**", width="content")
                meeting_badges(meeting)
            place = meeting.location or ("Video conference" if meeting.video_link else "")
            items = f"{row.items} agenda item{'s' if row.items != 1 else ''}" if row.items else ""
            st.caption(
                " · ".join(
                    part
                    for part in (
                        f"{begins:%H:%M}–{ends:%H:%M} {ends.tzname()}",
                        ui.plain(place),
                        items,
                    )
                    if part
                )
            )
            if row.countries:
                shown = ", ".join(row.countries[:8])
                more = f" and {len(row.countries) - 8} more" if len(row.countries) > 8 else ""
                st.caption(f":material/public: {ui.plain(shown)}{more}")
            if meeting.status == "cancelled" and meeting.change_reason:
                st.caption(f":orange[Cancelled: {ui.plain(meeting.change_reason)}]")
        go.page_link(
            "pages/meeting.py",
            label="Open",
            icon=":material/arrow_forward:",
            query_params={"id": meeting.id},
        )


def meeting_list(when: str, kind: str | None, country: str | None) -> None:
    first = meetings.list_meetings(when=when, kind=kind, country_code=country, limit=PAGE_SIZE)
    if not first.total:
        st.info("No meetings match." if kind or country else "No meetings yet.")
        return
    pages = -(-first.total // PAGE_SIZE)
    number = 1
    if pages > 1:
        number = st.pagination(pages, key=f"{when}_page")
    shown = (
        first
        if number == 1
        else meetings.list_meetings(
            when=when,
            kind=kind,
            country_code=country,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
    )
    for row in shown.rows:
        meeting_card(row)
    st.caption(f"{first.total} meeting(s)")


def month_grid(kind: str | None, country: str | None) -> None:
    zone = ZoneInfo(home_zone)
    today = clock.now().astimezone(zone).date()
    year, month = st.session_state.setdefault("month_shown", (today.year, today.month))
    view = meetings.month_view(year=year, month=month, kind=kind, country_code=country, zone=zone)
    back, title, ahead = st.columns([1, 4, 1], vertical_alignment="center")
    if back.button("Previous", icon=":material/chevron_left:", width="stretch"):
        st.session_state["month_shown"] = view.shifted(-1)
        st.rerun()
    title.subheader(view.title, anchor=False, text_alignment="center")
    if ahead.button(
        "Next", icon=":material/chevron_right:", icon_position="right", width="stretch"
    ):
        st.session_state["month_shown"] = view.shifted(1)
        st.rerun()
    for column, name in zip(st.columns(7, gap="small"), WEEKDAY_NAMES, strict=True):
        column.markdown(f"**{name[:3]}**", text_alignment="center")
    for week in view.weeks:
        for column, cell in zip(st.columns(7, gap="small"), week, strict=True):
            with column.container(border=True, height=105, gap=None):
                label = f"**{cell.day.day}**" if cell.in_month else f":gray[{cell.day.day}]"
                st.markdown(f":blue-background[{label}]" if cell.day == today else label)
                for meeting in cell.meetings:
                    cancelled = meeting.status == "cancelled"
                    st.page_link(
                        "pages/meeting.py",
                        label=f"{meeting.starts_at.astimezone(zone):%H:%M}",
                        icon=":material/event_busy:" if cancelled else KIND_ICONS[meeting.kind],
                        query_params={"id": meeting.id},
                        help=ui.plain(meeting.title) + (" (cancelled)" if cancelled else ""),
                    )


# --- the chair's scheduling tools -------------------------------------------------------------


def series_form() -> None:
    if series is not None:
        st.caption(f"Now: {meetings.rule_of(series).describe()}.")
    with st.form("series_rule"):
        every, week, day = st.columns(3)
        interval = every.number_input(
            "Every … months", 1, 12, series.interval_months if series else 2
        )
        weeks = [1, 2, 3, 4, -1]
        week_of_month = week.selectbox(
            "On the",
            weeks,
            index=weeks.index(series.week_of_month) if series else 1,
            format_func=lambda w: ORDINALS[w],
        )
        weekday = day.selectbox(
            "Weekday",
            range(7),
            index=series.weekday if series else 1,
            format_func=lambda d: WEEKDAY_NAMES[d],
        )
        first, start, length = st.columns(3)
        first_month = first.selectbox(
            "Starting in",
            list(MONTHS),
            index=(series.first_month if series else 1) - 1,
            format_func=MONTHS.get,
        )
        start_time = start.time_input("At", series.start_time if series else time(10, 0))
        duration = length.number_input(
            "Minutes", 15, 720, series.duration_minutes if series else 120, step=15
        )
        ui.field_error("week_of_month")
        zone = st.text_input("Time zone", series.timezone if series else home_zone)
        ui.field_error("timezone")
        location = st.text_input("Place", series.location if series else "")
        video_link = st.text_input("Video link", series.video_link if series else "")
        ui.field_error("video_link")
        saved = st.form_submit_button("Save the rule and re-plan", type="primary")
    if saved:
        report = ui.attempt(
            meetings.set_series_rule,
            actor=actor,
            interval_months=int(interval),
            first_month=first_month,
            weekday=weekday,
            week_of_month=week_of_month,
            start_time=start_time,
            duration_minutes=int(duration),
            timezone=zone.strip(),
            location=location,
            video_link=video_link,
            seen_version=series_seen,
        )
        if report is not None:
            st.session_state["replan"] = report
            st.rerun()
    if series is not None and st.button("Schedule the next 12 months", icon=":material/update:"):
        report = ui.attempt(meetings.schedule_series, actor=actor)
        if report is not None:
            st.session_state["replan"] = report
            st.rerun()


def session_form() -> None:
    with st.form("new_session"):
        kind = st.segmented_control(
            "Kind",
            meetings.SESSION_KINDS,
            default="ad_hoc",
            format_func=vocabulary.MEETING_KIND_LABELS.get,
        )
        title = st.text_input(
            "Title",
            placeholder="Left empty: named after its kind and date",
            max_chars=titles.LONGEST,
        )
        on, at, length = st.columns(3)
        day = on.date_input("Date", clock.today() + timedelta(days=1))
        start = at.time_input("Starts", time(10, 0))
        minutes = length.number_input("Minutes", 15, 720, 60, step=15)
        ui.field_error("starts_at")
        zone = st.text_input("Time zone", home_zone)
        ui.field_error("timezone")
        country = st.selectbox(
            "About a country (optional)",
            [None, *watchlist],
            format_func=lambda c: "—" if c is None else watchlist[c],
        )
        location = st.text_input("Place")
        video_link = st.text_input("Video link")
        ui.field_error("video_link")
        reason = st.text_area("Why the session is called")
        ui.field_error("reason")
        called = st.form_submit_button("Schedule the session", type="primary")
    if called:
        starts = datetime.combine(day, start)
        meeting = ui.attempt(
            meetings.schedule_session,
            actor=actor,
            kind=kind or "ad_hoc",
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=int(minutes)),
            timezone=zone.strip(),
            reason=reason,
            location=location,
            video_link=video_link,
            country_code=country,
        )
        if meeting is not None:
            st.switch_page("pages/meeting.py", query_params={"id": meeting.id})


# --- the page ---------------------------------------------------------------------------------

heading, tools = st.columns([3, 2], vertical_alignment="bottom")
heading.title("Meetings")
heading.caption(
    "The committee meets every other month, and as needed at other times (Blueprint 4-1)."
    + (f" Regular meetings: {meetings.rule_of(series).describe()}." if series else "")
)
if may_schedule:
    with tools.container(horizontal=True, horizontal_alignment="right"):
        with st.popover("Call a session", icon=":material/add:", type="primary"):
            session_form()
        with st.popover("Series rule", icon=":material/event_repeat:"):
            series_form()

report = st.session_state.pop("replan", None)
if report is not None:
    st.success(f"Regular series re-planned: {report.summary()}.", icon=":material/update:")
    for meeting, why in report.left_alone:
        st.caption(f"Left alone: {ui.plain(meeting.title)} ({why}).")

kind_col, country_col = st.columns([2, 2])
kind = kind_col.segmented_control(
    "Kind",
    list(vocabulary.MEETING_KIND_LABELS),
    format_func=vocabulary.MEETING_KIND_LABELS.get,
    key="kind_filter",
)
country = country_col.selectbox(
    "Country",
    [None, *watchlist],
    format_func=lambda c: "All countries" if c is None else watchlist[c],
    key="country_filter",
)

upcoming, past, month = st.tabs(["Upcoming", "Past", "Month"])
with upcoming:
    meeting_list("upcoming", kind, country)
with past:
    meeting_list("past", kind, country)
with month:
    month_grid(kind, country)
