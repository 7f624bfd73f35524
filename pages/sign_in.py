"""Sign in with email and password."""

import streamlit as st

from committee import people
from committee.errors import CommitteeError
from pages import ui

_, middle, _ = st.columns([1, 1.2, 1])
with middle:
    st.title("APC Desk")
    st.caption("The Atrocities Prevention Committee's working tool")
    notice = st.session_state.pop("sign_in_notice", None)
    if notice:
        st.info(notice, icon=":material/schedule:")
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
