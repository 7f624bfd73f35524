"""APC Desk: the entry point. It only prepares the database, shows the banner, and builds the
navigation for the signed-in person's role; each page is a script in pages/."""

import streamlit as st

from committee import access
from pages import ui

# (section, script, title, icon, permission): the menu shows a person only what they may see.
PAGES = [
    ("", "pages/home.py", "Home", ":material/home:", "page.home"),
    ("", "pages/account.py", "My account", ":material/person:", "page.account"),
]
# Pages opened from other pages (one meeting, one country, one plan): not in the menu.
HIDDEN_PAGES: list[tuple[str, str, str]] = []

st.set_page_config(page_title="APC Desk", page_icon=":material/shield:", layout="wide")
ui.prepare()
ui.banner()
actor = ui.current_actor()

if actor is None:
    st.navigation(
        [st.Page("pages/sign_in.py", title="Sign in", icon=":material/login:")], position="hidden"
    ).run()
    st.stop()

menu: dict[str, list[st.Page]] = {}
for section, script, title, icon, permission in PAGES:
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

st.navigation(menu).run()
