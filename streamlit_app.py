"""APC Desk: the entry point. It only prepares the database, shows the banner, and builds the
navigation for the signed-in person's role; each page is a script in pages/."""

import streamlit as st

from committee import access, inbox, system
from pages import ui

# (section, script, title, icon, permission): the menu shows a person only what they may see.
PAGES = [
    ("", "pages/home.py", "Home", ":material/home:", "page.home"),
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
]
# Pages opened from other pages (one meeting, one country, one plan): not in the menu.
HIDDEN_PAGES: list[tuple[str, str, str]] = [
    ("pages/meeting.py", "Meeting", "page.meeting"),
    ("pages/country.py", "Country", "page.country"),
    ("pages/plan.py", "Plan", "page.plan"),
]


def database_outage() -> None:
    """The database went away: say so plainly. Every write is one transaction, so nothing was
    half-written; the next click tries again and works once the database is back."""
    st.error(system.OUTAGE_MESSAGE, icon=":material/cloud_off:")
    st.stop()


st.set_page_config(page_title="APC Desk", page_icon=":material/shield:", layout="wide")
try:
    ui.prepare()
    ui.banner()
    actor = ui.current_actor()
    unread = inbox.unread_count(actor=actor) if actor else 0  # shown beside "Alerts"
except system.OUTAGES:
    database_outage()

if actor is None:
    sign_in = st.Page("pages/sign_in.py", title="Sign in", icon=":material/login:")
    st.navigation([sign_in], position="hidden").run()
    st.stop()

menu: dict[str, list[st.Page]] = {}
for section, script, title, icon, permission in PAGES:
    if script == "pages/alerts.py" and unread:
        title = f"{title} ({unread})"
    if access.can(actor, permission):
        menu.setdefault(section, []).append(st.Page(script, title=title, icon=icon))
for script, title, permission in HIDDEN_PAGES:
    if access.can(actor, permission):
        menu.setdefault("", []).append(st.Page(script, title=title, visibility="hidden"))

with st.sidebar:
    st.markdown(
        f"**{ui.plain(actor.name)}**  \n{actor.role_label}"
        + (f" · {actor.agency_code}" if actor.agency_code else "")
    )
    if st.button("Sign out", icon=":material/logout:", width="stretch"):
        ui.sign_out()
        st.rerun()

try:
    st.navigation(menu, expanded=True).run()
except system.OUTAGES:
    database_outage()
