"""My account: change my password; my calendar feed addresses."""

import streamlit as st

from committee import feeds, people
from pages import ui

actor = ui.require("page.account")
st.title("My account")
st.write(
    f"**{ui.plain(actor.name)}** · {actor.email} · {actor.role_label}"
    + (f" · {actor.agency_code}" if actor.agency_code else "")
)

with st.container(border=True):
    st.subheader("Change my password")
    st.caption(
        f"At least {people.MIN_PASSWORD_LENGTH} characters. A short sentence is easy to "
        "remember and hard to guess."
    )
    with st.form("change_password", clear_on_submit=False):
        current = st.text_input("Current password", type="password")
        ui.field_error("current_password")
        new = st.text_input("New password", type="password")
        again = st.text_input("New password again", type="password")
        ui.field_error("password")
        submitted = st.form_submit_button("Change password", type="primary")
    if submitted:
        if new != again:
            st.error("The two new passwords differ.")
        else:
            ui.attempt(
                people.change_own_password,
                actor=actor,
                current_password=current,
                new_password=new,
                success="Password changed.",
            )

with st.container(border=True):
    st.subheader(":material/calendar_month: Calendar feeds")
    st.caption(
        "A feed address lets Outlook, Google Calendar or Apple Calendar subscribe to the "
        "committee's meetings and your action items and keep them up to date. Treat it like a "
        "password: anyone with the address sees the feed. Agendas and papers stay behind the "
        "sign-in."
    )
    new_url = st.session_state.pop("new_feed_url", None)
    if new_url:
        st.success(
            "Your new feed address, shown only this once: copy it into your calendar program "
            "now (in Outlook: Add calendar → From internet).",
            icon=":material/key:",
        )
        st.code(new_url, language=None)
    with st.form("new_feed"):
        scope = st.radio(
            "The feed shows",
            feeds.SCOPES if actor.agency_id else ("personal",),
            format_func=feeds.SCOPE_LABELS.get,
            horizontal=True,
        )
        create = st.form_submit_button("Create a feed address", icon=":material/add_link:")
    ui.field_error("scope")
    if create:
        made = ui.attempt(feeds.create_feed, actor=actor, scope=scope)
        if made:
            st.session_state["new_feed_url"] = made.url
            st.rerun()

    my_feeds = feeds.my_feeds(actor=actor)
    active = [feed for feed in my_feeds if feed.revoked_at is None]
    if not active:
        st.caption("You have no active feed address.")
    for feed in active:
        what, since, action = st.columns([3, 3, 1.3], vertical_alignment="center")
        what.write(feeds.SCOPE_LABELS[feed.scope])
        since.caption(f"Active since {ui.local(feed.created_at)}")
        if action.button("Revoke", key=f"revoke_feed_{feed.id}", icon=":material/link_off:"):
            if ui.attempt(
                feeds.revoke_feed,
                actor=actor,
                feed_id=feed.id,
                success="Feed revoked: calendar programs get nothing from it now.",
            ):
                st.rerun()
    revoked = [feed for feed in my_feeds if feed.revoked_at is not None]
    if revoked:
        with st.expander(f"Revoked addresses ({len(revoked)})"):
            for feed in revoked:
                st.caption(
                    f"{feeds.SCOPE_LABELS[feed.scope]} · made {ui.local(feed.created_at)} · "
                    f"revoked {ui.local(feed.revoked_at)}"
                )
