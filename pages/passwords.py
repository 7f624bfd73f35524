"""Changing one's own password: the form My account shows, and the step a person with a
one-time password must take before anything else."""

import streamlit as st

from committee import people
from committee.actor import Actor
from pages import ui


def change_form(actor: Actor, *, key: str = "change_password", said_at: str = "") -> bool:
    """The current password, the new one twice; True once changed (the caller reruns, and
    "Password changed." is said under the form, or where ``said_at`` says)."""
    st.caption(
        f"At least {people.MIN_PASSWORD_LENGTH} characters. A short sentence is easy to "
        "remember and hard to guess."
    )
    with st.form(key, clear_on_submit=False):
        current = st.text_input("Current password", type="password")
        ui.field_error("current_password")
        new = st.text_input("New password", type="password")
        again = st.text_input("New password again", type="password")
        ui.field_error("password")
        submitted = st.form_submit_button("Change password", type="primary")
    ui.say_done(key)
    if not submitted:
        return False
    if new != again:
        st.error("The two new passwords differ.")
        return False
    return bool(
        ui.attempt(
            _change,
            actor=actor,
            current_password=current,
            new_password=new,
            success="Password changed.",
            success_at=said_at or key,
        )
    )


def _change(**fields) -> bool:
    people.change_own_password(**fields)
    return True  # ui.attempt answers None for a refusal


def choose_own(actor: Actor) -> None:
    """Instead of any page: replace the one-time password, then go on to the page asked for."""
    _, middle, _ = st.columns([1, 1.4, 1])
    with middle:
        st.title("Choose your own password")
        st.info(
            "You signed in with a one-time password from an administrator. Choose your own "
            "before you go on: the one-time password is your current password.",
            icon=":material/key:",
        )
        if change_form(actor, key="first_password", said_at="page"):  # on the page asked for
            st.rerun()
        ui.sign_out_button()
