"""The chair's tracker: every agency's action items, filtered (the filters live in the page's
address, so a view can be shared as a link) and paged in the database; an item opened to
update, reassign or decide on a new due date; the per-agency summary; the overdue report for
the next meeting; exports. Observers read it all and change nothing."""

import pandas as pd
import streamlit as st

from committee import access, actions, clock, titles, tracker, vocabulary
from committee.tracker import TrackerFilter
from exports import calendar, spreadsheets
from pages import action_panel, editing, ui

REQUESTS_SHOWN = 10  # forms for the oldest requests; the rest wait their turn

actor = ui.require("page.tracker")
may_decide = access.can(actor, "action.decide_due_date")
choices = tracker.filter_choices()
agency_names = {a.code: a.name for a in choices.agencies}
agency_ids = {a.code: a.id for a in choices.agencies}
meeting_names = dict(choices.meetings)

st.title("Action item tracker")
st.caption(
    "Every agency's items, most urgent first: overdue, due in the next 14 days, blocked, then "
    "the rest. The filters are part of this page's address: copy it to share the view."
)
ui.say_done()


# --- filters, kept in the address --------------------------------------------------------------


def show_filters(selection: TrackerFilter) -> None:
    """Put ``selection`` in the filters (before they are drawn)."""
    st.session_state.update(
        f_agencies=[c for c in selection.agencies if c in agency_names],
        f_countries=[c for c in selection.countries if c in dict(choices.countries)],
        f_statuses=list(selection.statuses),
        f_origins=list(selection.origins),
        f_meeting=selection.meeting_id if selection.meeting_id in meeting_names else None,
        f_due_from=selection.due_from,
        f_due_to=selection.due_to,
        f_overdue=selection.overdue,
    )


def linked_view() -> None:
    """Set the filters, the page and the item from the address when the page is first drawn;
    after that the filters lead and the address follows them."""
    if "f_agencies" in st.session_state:
        return
    show_filters(TrackerFilter.from_query(st.query_params.to_dict()))
    page, item = st.query_params.get("page", ""), st.query_params.get("item", "")
    st.session_state["tracker_linked_page"] = int(page) if page.isdigit() else 1
    st.session_state["tracker_item"] = int(item) if item.isdigit() else None


def filters() -> TrackerFilter:
    with st.container(border=True):
        agency, country, status, origin = st.columns(4)
        agencies = agency.multiselect(
            "Agency", list(agency_names), key="f_agencies", placeholder="All agencies"
        )
        countries = country.multiselect(
            "Country",
            [code for code, _ in choices.countries],
            key="f_countries",
            placeholder="All countries",
            format_func=dict(choices.countries).get,
        )
        statuses = status.multiselect(
            "Status",
            vocabulary.ACTION_STATUSES,
            key="f_statuses",
            placeholder="All statuses",
            format_func=vocabulary.ACTION_STATUS_LABELS.get,
        )
        origins = origin.multiselect(
            "Origin",
            vocabulary.ACTION_ORIGINS,
            key="f_origins",
            placeholder="Any origin",
            format_func=vocabulary.ORIGIN_LABELS.get,
        )
        meeting, due_from, due_to, switches = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
        meeting_id = meeting.selectbox(
            "Decided at meeting",
            [None, *meeting_names],
            key="f_meeting",
            format_func=lambda m: "Any meeting" if m is None else meeting_names[m],
            placeholder="Any meeting",
        )
        first = due_from.date_input("Due from", value=None, key="f_due_from")
        last = due_to.date_input("Due by", value=None, key="f_due_to")
        overdue = switches.toggle("Overdue only", key="f_overdue")
        switches.button(
            "Clear filters",
            on_click=show_filters,
            args=(TrackerFilter(),),
            icon=":material/filter_alt_off:",
        )
    return TrackerFilter(
        agencies=tuple(agencies),
        countries=tuple(countries),
        statuses=tuple(s for s in vocabulary.ACTION_STATUSES if s in statuses),
        origins=tuple(o for o in vocabulary.ACTION_ORIGINS if o in origins),
        overdue=overdue,
        meeting_id=meeting_id,
        due_from=first,
        due_to=last,
    )


linked_view()

# --- the day's numbers -------------------------------------------------------------------------

counts = tracker.action_counts()
requests = tracker.pending_requests(limit=REQUESTS_SHOWN)
waiting = tracker.pending_request_count()
with st.container(horizontal=True):
    st.metric("Open", counts.open, border=True)
    st.metric("Overdue", counts.overdue, border=True)
    st.metric("Due in 14 days", counts.due_soon, border=True)
    st.metric("Blocked", counts.blocked, border=True)
    st.metric("Due date requests", waiting, border=True)

# The two tabs that only show (the summary's chart and table, the overdue report's tables) are
# drawn only when on screen, a switch rerunning: they no longer travel to the browser and
# get laid out on every click. The two with forms stay drawn, so that what a person has
# typed in one survives a look at another.
items_tab, agencies_tab, report_tab, requests_tab = st.tabs(
    ["Items", "By agency", "Overdue report", "Due date requests"],
    key="tracker_tab",
    on_change="rerun",
)


ITEM_TABLE = [
    "ID",
    "Title",
    "When",
    "Due",
    "Agency",
    "Country",
    "Priority",
    "Assignee",
    "Status",
    "Origin",
    "New date asked",
]


def item_rows(items: list[tracker.TrackedItem]) -> pd.DataFrame:
    rows = [
        {
            "ID": t.item.id,
            "Title": t.item.title,
            "When": action_panel.when(t),
            "Due": t.item.due_on,
            "Agency": t.agency_code,
            "Country": t.country_name or "",
            "Priority": vocabulary.PRIORITY_LABELS[t.item.priority],
            "Assignee": t.assignee_name or "",
            "Status": vocabulary.ACTION_STATUS_LABELS[t.item.status],
            "Origin": vocabulary.ORIGIN_LABELS[t.item.origin],
            "New date asked": t.requested_due_on,
        }
        for t in items
    ]
    return pd.DataFrame(rows, columns=ITEM_TABLE)


# --- items -------------------------------------------------------------------------------------

with items_tab:
    selection = filters()
    pager = f"tracker_page_{hash(selection)}"  # a new filter starts on its first page
    wanted = st.session_state.get(pager) or st.session_state.pop("tracker_linked_page", 1)
    listing = tracker.find_items(selection, page=wanted, per_page=tracker.PER_PAGE)
    first = (listing.page - 1) * tracker.PER_PAGE + 1 if listing.total else 0
    last = min(listing.page * tracker.PER_PAGE, listing.total)
    st.caption(f"{first}–{last} of {listing.total} item(s)")
    shown = [t.item.id for t in listing.items]

    def open_clicked_row() -> None:
        rows = st.session_state["tracker_table"].selection.rows
        if rows:
            st.session_state["tracker_item"] = shown[rows[0]]

    st.dataframe(
        action_panel.coloured(item_rows(listing.items)),
        hide_index=True,
        width="stretch",
        height="content",
        placeholder="—",
        column_config=action_panel.ITEM_COLUMNS,
        key="tracker_table",
        on_select=open_clicked_row,
        selection_mode="single-row",
    )
    if listing.pages > 1:
        st.pagination(listing.pages, default=listing.page, key=pager, max_visible_pages=9)

    downloads = st.container(horizontal=True)
    stamp = clock.today().isoformat()
    downloads.download_button(
        "CSV",
        data=lambda: spreadsheets.csv_bytes(selection),
        file_name=f"apc-action-items-{stamp}.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    downloads.download_button(
        "Excel (XLSX)",
        data=lambda: spreadsheets.xlsx_bytes(selection),
        file_name=f"apc-action-items-{stamp}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )
    if len(selection.agencies) == 1:
        code = selection.agencies[0]
        downloads.download_button(
            f"{code}'s due dates (.ics)",
            data=lambda: calendar.action_items(agency_id=agency_ids[code]),
            file_name=f"apc-action-items-{code.lower()}.ics",
            mime="text/calendar",
            icon=":material/calendar_month:",
        )
    else:
        downloads.caption("Filter on one agency to download its due dates for a calendar.")

    opened_choices = {t.item.id: action_panel.item_label(t) for t in listing.items}
    linked_item = st.session_state.get("tracker_item")
    if linked_item is not None and linked_item not in opened_choices:
        opened_choices[linked_item] = f"#{linked_item}"
    ui.keep_choice("tracker_item")  # an edit changes its label (title, owner, due date)
    opened = st.selectbox(
        "Open an item",
        list(opened_choices),
        index=None,
        format_func=opened_choices.get,
        placeholder="Click a row, or choose an item here, to see its history"
        + (", update, reassign or edit it" if may_decide else ""),
        key="tracker_item",
    )
    if opened is not None:
        action_panel.show(actor, opened)

    if access.can(actor, "action.create"):
        with st.expander("New action item", icon=":material/add_task:"):
            action_panel.start_fields(
                {
                    "new_title": "",
                    "new_owner": None,
                    "new_due": None,
                    "new_priority": "medium",
                    "new_country": None,
                    "new_supporting": [],
                    "new_description": "",
                },
                fresh=st.session_state.pop("new_item_created", False),
            )
            with st.form("new_item"):
                title = st.text_input("Title", max_chars=titles.LONGEST, key="new_title")
                ui.field_error("title")
                left, middle, right = st.columns(3)
                owner = left.selectbox(
                    "Owner agency", list(agency_names), index=None, key="new_owner"
                )
                ui.field_error("owner_agency")
                due_on = middle.date_input(
                    "Due date", value=None, min_value=clock.today(), key="new_due"
                )
                ui.field_error("due_on")
                priority = right.selectbox(
                    "Priority",
                    vocabulary.PRIORITIES,
                    format_func=vocabulary.PRIORITY_LABELS.get,
                    key="new_priority",
                )
                country = left.selectbox(
                    "Country",
                    [code for code, _ in choices.countries],
                    index=None,
                    format_func=dict(choices.countries).get,
                    key="new_country",
                )
                supporting = middle.multiselect(
                    "Supporting agencies", list(agency_names), key="new_supporting"
                )
                description = st.text_area("Description", height=80, key="new_description")
                if st.form_submit_button("Create", type="primary", icon=":material/add_task:"):
                    if owner is None or due_on is None:
                        st.error("Choose the owner agency and the due date.")
                    else:
                        created = ui.attempt(
                            actions.create_action_item,
                            actor=actor,
                            title=title,
                            owner_agency_id=agency_ids[owner],
                            due_on=due_on,
                            priority=priority,
                            country_code=country,
                            supporting_agency_ids=[agency_ids[c] for c in supporting],
                            description=description,
                        )
                        if created is not None:
                            st.session_state["new_item_created"] = True
                            editing.rerun_saying(f"Item #{created.id} created for {owner}.")

# --- by agency ----------------------------------------------------------------------------------

if agencies_tab.open:
    with agencies_tab:
        summary = tracker.agency_summary()
        table = pd.DataFrame(
            [
                {
                    "Agency": s.code,
                    "Name": s.name,
                    "Open": s.counts.open,
                    "Overdue": s.counts.overdue,
                    "Due in 14 days": s.counts.due_soon,
                    "Blocked": s.counts.blocked,
                    "Done on time": s.done_on_time,
                    "Done late": s.done_late,
                    "On time": s.on_time_rate,
                }
                for s in summary
            ]
        )
        st.caption(
            "Open items now; items done in the last "
            f"{tracker.ON_TIME_WINDOW_DAYS} days, by whether they were done by their due date."
        )
        later = table["Open"] - table["Overdue"] - table["Due in 14 days"]
        st.bar_chart(
            table.assign(Later=later),
            x="Agency",
            y=["Overdue", "Due in 14 days", "Later"],
            color=[
                vocabulary.OVERDUE_COLOR,
                vocabulary.DUE_SOON_COLOR,
                vocabulary.ACTION_STATUS_COLORS["open"],
            ],
            stack=True,
            horizontal=True,
            height=450,
            x_label="",
            y_label="Open items",
        )
        st.dataframe(
            table.style.map(
                lambda n: f"color: {vocabulary.OVERDUE_COLOR}; font-weight: 600" if n else "",
                subset=["Overdue"],
            ),
            hide_index=True,
            width="stretch",
            height="content",
            column_config={
                "On time": st.column_config.ProgressColumn(
                    format="percent", min_value=0, max_value=1, width="small"
                )
            },
        )

# --- the overdue report -------------------------------------------------------------------------

if report_tab.open:
    with report_tab:
        report = tracker.overdue_report()
        if report.meeting is None:
            st.caption("No meeting is scheduled: the report lists what is overdue today.")
        else:
            meeting = report.meeting
            st.markdown(
                f"For **{ui.plain(meeting.title)}**, "
                f"{ui.local(meeting.starts_at, meeting.timezone)}: "
                f"**{report.overdue_total}** item(s) overdue today, **{report.falling_due_total}** "
                "more falling due before the meeting."
            )
        st.dataframe(
            [
                {"Agency": line.code, "Overdue": line.overdue, "Falling due": line.falling_due}
                for line in report.by_agency
            ],
            hide_index=True,
            width="content",
            height="content",
        )
        for heading, items, total in (
            ("Overdue today", report.overdue, report.overdue_total),
            ("Falling due before the meeting", report.falling_due, report.falling_due_total),
        ):
            if not items:
                continue
            shown = f"the {len(items)} due first of {total}" if total > len(items) else str(total)
            st.markdown(f"**{heading}** ({shown})")
            st.dataframe(
                [
                    {
                        "Agency": t.agency_code,
                        "ID": t.item.id,
                        "Title": t.item.title,
                        "Country": t.country_name or "",
                        "Due": t.item.due_on,
                        "Days overdue": t.days_overdue or None,
                        "Status": vocabulary.ACTION_STATUS_LABELS[t.item.status],
                        "Reason": t.item.status_reason,
                        "New date asked": t.requested_due_on,
                    }
                    for t in items
                ],
                hide_index=True,
                width="stretch",
                height="content",
                placeholder="—",
                column_config=action_panel.ITEM_COLUMNS,
            )
        if report.overdue_total > len(report.overdue):
            st.caption(
                "The whole list: the Items tab with Overdue only, or its CSV and Excel exports."
            )

# --- due date requests --------------------------------------------------------------------------

with requests_tab:
    if not requests:
        st.success("No request for a new due date is waiting.", icon=":material/task_alt:")
    elif waiting > len(requests):
        st.caption(
            f"The {len(requests)} oldest of {waiting} requests: as each is decided, the next "
            "one takes its place."
        )
    for pending in requests:
        request, item = pending.request, pending.item
        asked_on = ui.day(request.created_at.date())
        with st.container(border=True):
            st.markdown(
                f"**#{item.id} {ui.plain(item.title)}** · {pending.agency_code}  \n"
                f"Due {ui.day(item.due_on)} → asked **{ui.day(request.requested_due_on)}** by "
                f"{ui.plain(pending.requested_by)} on {asked_on}"
            )
            st.markdown(f"_{ui.plain(request.reason)}_")
            if may_decide:
                action_panel.decide_form(actor, request, item_id=item.id, place="requests")

# The address always describes the view, so that it can be shared as it is.
address = selection.to_query()
if listing.page > 1:
    address["page"] = str(listing.page)
if st.session_state.get("tracker_item") is not None:
    address["item"] = str(st.session_state["tracker_item"])
if st.query_params.to_dict() != address:
    st.query_params.from_dict(address)
