"""Editing versioned records across Streamlit's reruns, and saying what an action did.

A click reruns the whole script, which reads every record afresh; saving with the version read
in that run would silently overwrite a change someone made while the person was looking at the
screen. So pages save with the version the person had on screen (the one the previous run
showed), and a change made meanwhile is a Conflict. The text editor here also keeps the
person's own text through such a conflict, shows the other change, and lets them save again.
"""

from typing import NoReturn

import streamlit as st

from pages import ui

DONE_KEY = "done_message"


def rerun_saying(message: str) -> NoReturn:
    """Rerun to show the new state, with ``message`` as a toast on the new screen (a toast
    shown just before a rerun is lost with the old screen)."""
    if message:
        st.session_state[DONE_KEY] = message
    st.rerun()


def say_done() -> None:
    """Show what the last action did; the pages call it first thing."""
    message = st.session_state.pop(DONE_KEY, None)
    if message:
        st.toast(message, icon=":material/check_circle:")


def seen_version(key: str, current: int | None) -> int | None:
    """The version of a record the person had on screen when they acted (the one the previous
    run showed); ``current`` is remembered as the one on screen now."""
    shown = st.session_state.get(f"seen:{key}", current)
    st.session_state[f"seen:{key}"] = current
    return shown


def text_editor(label: str, key: str, *, text: str, version: int, **options) -> str:
    """A text area for one versioned text. It shows the stored text until the person types;
    if someone else saves while the person has typed nothing, it shows theirs."""
    base = st.session_state.get(f"base:{key}")
    if base is None or (base[0] != version and st.session_state.get(key) == base[1]):
        st.session_state[key] = text
        st.session_state[f"base:{key}"] = (version, text)
    changed_by = st.session_state.pop(f"conflict:{key}", None)
    if changed_by is not None:
        st.warning(
            f"{changed_by or 'Someone else'} saved a change first. Your text is kept below; "
            f"save again to put it in place of theirs, which reads: {ui.plain(text[:600])}",
            icon=":material/sync_problem:",
        )
    return st.text_area(label, key=key, **options)


def editor_version(key: str) -> int:
    """The version the text in the editor ``key`` was based on."""
    return st.session_state[f"base:{key}"][0]


def save_text(service, *, key: str, success: str, **kwargs) -> None:
    """Call ``service`` to save the text of editor ``key``. On success the editor starts again
    from the saved text; on a conflict it keeps the person's text for a second, informed save."""
    if ui.attempt(service, **kwargs) is not None:
        st.session_state.pop(f"base:{key}", None)
        rerun_saying(success)
    conflict = st.session_state.pop("conflict", None)
    if conflict is not None:
        st.session_state[f"base:{key}"] = (conflict.current["version"], None)
        st.session_state[f"conflict:{key}"] = conflict.changed_by
        st.rerun()
