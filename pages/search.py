"""Search: the committee's record found by words, with the query in the address (shareable,
and it survives a reload and a sign-in), filters beside the results and counts per kind."""

from datetime import date

import streamlit as st

from committee import alerts, people, search
from pages import ui

# The page that shows each kind of record (search.Result.opens).
OPENS = {
    "meeting": "pages/meeting.py",
    "plan": "pages/plan.py",
    "alert": "pages/alerts.py",
    "action_item": "pages/tracker.py",
    "country": "pages/country.py",
}

actor = ui.require("page.search")
st.title("Search")

asked = st.query_params.get("q", "")
if st.session_state.get("search_asked") != asked:  # arrived by an address or the sidebar box
    st.session_state["search_asked"] = st.session_state["search_q"] = asked
with st.form("search", border=False, enter_to_submit=True):
    box, button = st.columns([5, 1], vertical_alignment="bottom")
    query = box.text_input(
        "Search the record",
        key="search_q",
        placeholder='Words, "a phrase", -a word to leave out',
        max_chars=search.LONGEST_QUERY,
    )
    button.form_submit_button("Search", icon=":material/search:", width="stretch")
if query != asked:
    st.query_params["q"] = st.session_state["search_asked"] = query
ui.field_error("query")

filters_column, results_column = st.columns([1, 3], gap="large")
with filters_column:
    st.subheader("Filters")
    kind_filter = st.container()  # drawn once the search has counted each kind
    countries = dict(alerts.countries())
    country = st.selectbox(
        "Country", [None, *countries], format_func=lambda c: countries.get(c, "Every country")
    )
    agencies = {agency.id: agency.name for agency in people.list_agencies()}
    agency = st.selectbox(
        "Agency", [None, *agencies], format_func=lambda a: agencies.get(a, "Every agency")
    )
    since = st.date_input("From", value=None, format="YYYY-MM-DD", max_value=date(2100, 1, 1))
    until = st.date_input("To", value=None, format="YYYY-MM-DD", max_value=date(2100, 1, 1))
    status = st.selectbox(
        "Status",
        [None, *search.STATUS_LABELS],
        format_func=lambda s: search.STATUS_LABELS.get(s, "Any status"),
    )

found = None
if query.strip():
    # The kind filter's value is the person's last choice, known before it is drawn: the
    # search runs once, and its counts label the kinds.
    kinds = tuple(st.session_state.get("search_kinds", ()))
    with results_column:
        found = ui.attempt(
            search.search,
            actor=actor,
            query=query,
            filters=search.Filters(kinds, country, agency, since, until, status),
        )
kind_filter.multiselect(
    "Kind",
    list(search.KINDS),
    key="search_kinds",
    format_func=lambda kind: f"{search.KINDS[kind]} ({found.count_of(kind) if found else 0})",
    placeholder="Every kind",
)

with results_column:
    if not query.strip():
        st.info("Type words above, or in the box in the menu, to search the record.")
        st.stop()
    if found is None:
        st.stop()
    shown = len(found.results)
    st.caption(
        f"{search.how_many(found.total).capitalize()} found"
        + (f"; the best {shown} shown" if shown < found.total else "")
    )
    if not found.results:
        st.info("Nothing found. Try other words, or fewer of them, or wider filters.")
    for result in found.results:
        with st.container(border=True):
            st.page_link(
                OPENS[result.opens],
                label=f"{result.what}: {ui.plain(result.title)}",
                query_params=result.params,
                icon=":material/open_in_new:",
            )
            where = [
                result.country,
                ui.day(result.happened_at.date()) if result.happened_at else "",
            ]
            status_label = search.STATUS_LABELS.get(result.status, "")
            st.caption(" · ".join(ui.plain(part) for part in [*where, status_label] if part))
            st.markdown(
                "".join(
                    f"**{ui.plain(text.strip())}** " if matched else ui.plain(text)
                    for text, matched in result.snippet
                )
            )
