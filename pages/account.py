"""My account: change my password; where I am signed in; how each kind of notice reaches me
by mail; my calendar feed addresses."""

from functools import partial

import streamlit as st

from committee import feeds, notices, sessions
from pages import passwords, ui

actor = ui.require("page.account")
st.title("My account")
st.write(
    f"**{ui.plain(actor.name)}** · {actor.email} · {actor.role_label}"
    + (f" · {actor.agency_code}" if actor.agency_code else "")
)

with st.container(border=True):
    st.subheader("Change my password")
    if passwords.change_form(actor):
        st.rerun()

with st.container(border=True):
    st.subheader("Where I am signed in")
    st.caption(
        "Each browser you signed in with, until you sign out there or it has been idle for "
        "too long. Sign the others out if you left one signed in, or do not know one."
    )
    here = ui.current().session_id
    mine = sessions.open_sessions(actor=actor)
    for session in mine:
        what, since, seen = st.columns([3, 3, 3], vertical_alignment="center")
        what.write(
            ui.browser_name(session.user_agent)
            + (" · **this browser**" if session.id == here else "")
        )
        since.caption(f"Signed in {ui.local(session.created_at)}")
        seen.caption(f"Last active {ui.local(session.last_seen_at)}")
    others = [session for session in mine if session.id != here]
    if others and st.button(
        f"Sign out everywhere else ({len(others)})", icon=":material/logout:", key="end_others"
    ):
        if (
            ui.attempt(
                sessions.end_other_sessions,
                actor=actor,
                keep_session_id=here,
                success="Signed out everywhere else.",
                success_at="sessions",
            )
            is not None
        ):
            st.rerun()
    ui.say_done("sessions")

with st.container(border=True):
    st.subheader("Notices by mail")
    st.caption(
        "Every notice is in your Inbox. Choose for each kind whether it also comes by mail at "
        "once, in the weekly digest (Monday mornings), or never."
    )
    for choice in notices.my_choices(actor=actor):
        what, how = st.columns([3, 2], vertical_alignment="center")
        what.write(choice.label + (" (a chair's, always at once)" if choice.fixed else ""))
        chosen = how.segmented_control(
            choice.label,
            choice.options,
            format_func=partial(notices.option_label, choice.kind),
            default=choice.delivery,
            key=f"notice_{choice.kind}",
            disabled=choice.fixed,
            label_visibility="collapsed",
        )
        if chosen and chosen != choice.delivery:
            if ui.attempt(
                notices.set_choice,
                actor=actor,
                kind=choice.kind,
                delivery=chosen,
                success=f"Saved: {choice.label}, {notices.option_label(choice.kind, chosen)}.",
                success_at="notices",
            ):
                st.rerun()
    ui.field_error("delivery")
    ui.say_done("notices")

with st.container(border=True):
    st.subheader("Calendar feeds")
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
                success_at="feeds",
            ):
                st.rerun()
    ui.say_done("feeds")
    revoked = [feed for feed in my_feeds if feed.revoked_at is not None]
    if revoked:
        with st.expander(f"Revoked addresses ({len(revoked)})"):
            for feed in revoked:
                st.caption(
                    f"{feeds.SCOPE_LABELS[feed.scope]} · made {ui.local(feed.created_at)} · "
                    f"revoked {ui.local(feed.revoked_at)}"
                )
