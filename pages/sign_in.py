"""Sign in: with email and password, through single sign-on, or (behind the organisation's
proxy) at once. The operator's AUTH_MODE decides which."""

import streamlit as st

from committee import auth, people
from committee.errors import CommitteeError
from pages import ui

REFUSAL_KEY = "sign_in_refusal"  # a single sign-on refusal is tried and audited once


def single_sign_on(identify) -> None:
    """Sign in with the identity ``identify()`` returns, once per session; show a refusal."""
    if REFUSAL_KEY not in st.session_state:
        try:
            actor = identify()
        except CommitteeError as error:
            st.session_state[REFUSAL_KEY] = str(error)
        else:
            ui.sign_in_as(actor)
            st.rerun()
    st.error(st.session_state[REFUSAL_KEY], icon=":material/block:")


if st.session_state.get(ui.ACTOR_KEY) is not None:  # signed in already: nothing to do here
    st.switch_page("pages/home.py")

_, middle, _ = st.columns([1, 1.2, 1])
with middle:
    st.title("APC Desk")
    st.caption("The Atrocities Prevention Committee's working tool")
    notice = st.session_state.pop("sign_in_notice", None)
    if notice:
        st.info(notice, icon=":material/schedule:")
    try:
        mode = auth.mode()
    except CommitteeError as error:
        st.error(f"Sign-in is not configured correctly: {error}", icon=":material/error:")
        st.stop()

    if mode == "local":
        with st.form("sign_in"):
            email = st.text_input("Email", autocomplete="username")
            password = st.text_input("Password", type="password", autocomplete="current-password")
            submitted = st.form_submit_button("Sign in", type="primary", width="stretch")
        if submitted:
            try:
                actor = people.sign_in(email=email, password=password)
            except CommitteeError as error:
                st.error(str(error), icon=":material/error:")
            else:
                ui.sign_in_as(actor)
                st.rerun()

    elif mode == "oidc":
        if st.user.get("is_logged_in"):
            single_sign_on(
                lambda: auth.actor_for_sso(
                    email=str(st.user.get("email") or ""),
                    name=str(st.user.get("name") or ""),
                    email_verified=st.user.get("email_verified") is not False,
                )
            )
            st.button("Sign out of single sign-on", on_click=st.logout, width="stretch")
        else:
            st.button(
                "Sign in with single sign-on",
                type="primary",
                icon=":material/key:",
                on_click=st.login,
                args=(auth.oidc_provider(),),
                width="stretch",
            )

    elif st.session_state.get(ui.SIGNED_OUT_KEY):  # proxy: the page's next load signs in anew
        st.info("You have signed out of APC Desk.", icon=":material/logout:")
        st.link_button("Sign in again", "./", type="primary", width="stretch")
    else:
        single_sign_on(
            lambda: auth.actor_for_proxy(headers=st.context.headers, peer=st.context.ip_address)
        )
