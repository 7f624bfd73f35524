"""APC Desk: the entry point. It only prepares the database, shows the banner, and builds the
navigation for the signed-in person's role; each page is a script in pages/."""

import logging
import os
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from committee import access, inbox, logs, system
from pages import accessibility, editing, menu_links, passwords, ui

logs.configure("app")  # also takes in the loggers Streamlit made since the last run

ICON = Path(__file__).parent / "pages" / "assets" / "icon.png"
# (section, script, title, icon, permission): the menu shows a person only what they may see.
PAGES = [
    ("", "pages/home.py", "Home", ":material/home:", "page.home"),
    ("", "pages/inbox.py", "Inbox", ":material/inbox:", "page.inbox"),
    ("", "pages/search.py", "Search", ":material/search:", "page.search"),
    ("", "pages/account.py", "My account", ":material/person:", "page.account"),
    ("", "pages/dashboard.py", "Dashboard", ":material/monitoring:", "page.dashboard"),
    ("", "pages/alerts.py", "Alerts", ":material/notification_important:", "page.alerts"),
    ("", "pages/reports.py", "Reports", ":material/summarize:", "page.reports"),
    ("Meetings", "pages/meetings.py", "Meetings", ":material/event:", "page.meetings"),
    (
        "Meetings",
        "pages/agenda_builder.py",
        "Agenda builder",
        ":material/format_list_numbered:",
        "page.agenda_builder",
    ),
    (
        "Meetings",
        "pages/meeting_room.py",
        "Meeting room",
        ":material/meeting_room:",
        "page.meeting_room",
    ),
    ("Countries", "pages/watchlist.py", "Watchlist", ":material/public:", "page.watchlist"),
    (
        "Countries",
        "pages/risk_import.py",
        "Statistical risk import",
        ":material/upload_file:",
        "page.risk_import",
    ),
    (
        "Countries",
        "pages/signals.py",
        "Signals from data",
        ":material/sensors:",
        "page.signals",
    ),
    (
        "Countries",
        "pages/tools_evidence.py",
        "Evidence on policy tools",
        ":material/library_books:",
        "page.tools_evidence",
    ),
    (
        "Action items",
        "pages/agency_desk.py",
        "My agency's desk",
        ":material/assignment_ind:",
        "page.agency_desk",
    ),
    ("Action items", "pages/tracker.py", "Tracker", ":material/checklist:", "page.tracker"),
    ("Administration", "pages/users.py", "People", ":material/group:", "page.users"),
    ("Administration", "pages/audit.py", "Audit trail", ":material/policy:", "page.audit"),
    ("Administration", "pages/settings.py", "Settings", ":material/settings:", "page.settings"),
    ("Administration", "pages/outbox.py", "Mail outbox", ":material/outbox:", "page.outbox"),
]
# Pages opened from other pages (one meeting, one country, one plan): not in the menu.
HIDDEN_PAGES: list[tuple[str, str, str]] = [
    ("pages/meeting.py", "Meeting", "page.meeting"),
    ("pages/country.py", "Country", "page.country"),
    ("pages/plan.py", "Plan", "page.plan"),
]

BENCH_FLOOR = "APC_BENCH_FLOOR"  # set by bench/browser.py for its own server


def database_outage() -> None:
    """The database went away: say so plainly. Every write is one transaction, so nothing was
    half-written; the next click tries again and works once the database is back."""
    logs.event("database_outage", level=logging.WARNING, error=True)
    st.error(system.OUTAGE_MESSAGE, icon=":material/cloud_off:")
    # The menu needs the database too, so this is the one thing left to click; it reruns.
    st.button("Try again", icon=":material/refresh:")
    st.stop()


# No page_title here: each page's own title (from its st.Page) names the browser tab (issue 25).
# The icon is a file this server serves: a :material/: icon is fetched from fonts.gstatic.com.
st.set_page_config(page_icon=str(ICON), layout="wide")
accessibility.install()
try:
    ui.prepare()
    ui.banner()
    current = ui.current()
    actor = current.actor
    logs.person.set(actor.id if actor else None)  # on every log line of this run
    unread = inbox.unread_count(actor=actor) if actor else 0  # shown beside "Inbox"
except system.OUTAGES:
    database_outage()

# Every page is registered for everyone, so that every address finds its page: the menu shows
# a person only what they may see, and any other page opened by its address refuses them
# itself. Signed out, the page is not run: the way to sign in, and back to this address.
menu: dict[str, list[st.Page]] = {}
for section, script, title, icon, permission in PAGES:
    if script == "pages/inbox.py" and unread:
        title = f"{title} ({unread})"
    shown = access.can(actor, permission)
    menu.setdefault(section if shown else "", []).append(
        st.Page(script, title=title, icon=icon, visibility="visible" if shown else "hidden")
    )
for script, title, _ in HIDDEN_PAGES:
    menu.setdefault("", []).append(st.Page(script, title=title, visibility="hidden"))
if os.environ.get(BENCH_FLOOR):  # only on the benchmark's server: the page it measures against
    menu[""].append(st.Page("bench/floor.py", title="Floor", icon=":material/speed:"))

if actor is None:
    page = st.navigation(menu, position="hidden")
    query = urlencode(st.query_params.to_dict())
    ui.signed_out(current, target=f"/{page.url_path}" + (f"?{query}" if query else ""))
    st.stop()

# The menu is the app's own (pages/menu_links.py says why), so Streamlit's is hidden.
page = st.navigation(menu, position="hidden")
logs.path.set(f"/{page.url_path}")
if current.must_change_password:  # a one-time password an administrator handed over
    passwords.choose_own(actor)
    st.stop()
menu_links.draw(menu, page)

with st.sidebar:
    st.markdown(
        f"**{ui.plain(actor.name)}**  \n{actor.role_label}"
        + (f" · {actor.agency_code}" if actor.agency_code else "")
    )
    ui.sign_out_button()
    if access.can(actor, "page.search"):
        ui.search_box()

try:
    editing.begin_run()
    page.run()
    editing.end_run()
except system.OUTAGES:
    database_outage()
