"""My account: change my password."""

import streamlit as st

from committee import people
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
