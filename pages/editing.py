"""Editing versioned records across Streamlit's reruns: the one place pages keep the version
of a record the person saw, and rerun saying what a save did (``ui.say_next``).

A click reruns the whole script, which reads every record afresh; saving with the version read
in that run would silently overwrite a change someone made while the person was looking at the
screen. So a save names the version the person's action is based on, and a change made
meanwhile is a Conflict, shown with the other person's change while the person's input is kept.
There are two cases, and a helper for each:

- an action on what the screen shows (a button, a form drawn from the stored values): the
  version on screen in the render the person acted on (``seen_version``);
- input that outlives reruns (forms whose widgets keep what was typed, text editors): the
  version the input was begun on, held until the save lands (``held``, ``save``,
  ``conflict_notice``; ``text_editor`` for one text).
"""

from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from typing import NoReturn

import streamlit as st

from committee import audit
from committee.errors import Conflict
from pages import ui

HELD_THIS_RUN = "held_this_run"


def rerun_saying(message: str, *, at: str = "page", close: str | None = None) -> NoReturn:
    """Rerun to show the new state, with ``message`` on the new screen (``ui.say_next``); the
    popover ``close`` names (drawn by ``popover``), where the action was done, closed."""
    if message:
        ui.say_next(message, at=at)
    if close:
        st.session_state[f"close:{close}"] = True
    st.rerun()


def popover(label: str, *, key: str, icon: str):
    """A popover holding a form, which closes once its action is done. It is keyed, so that
    the browser tells it from the others: unkeyed, its being open passes after a rerun to the
    popover drawn where it was (the read-ahead's, once the new screen has a message above)."""
    if st.session_state.pop(f"close:{key}", False):
        st.session_state[key] = False  # allowed: the popover is not drawn yet in this run
    return st.popover(label, icon=icon, key=key, on_change="rerun")


def seen_version(key: str, current: int | None) -> int | None:
    """The version of a record the person had on screen when they acted (the one the previous
    run showed); ``current`` is remembered as the one on screen now."""
    shown = st.session_state.get(f"seen:{key}", current)
    st.session_state[f"seen:{key}"] = current
    return shown


def held(key: str, record) -> dict:
    """The record as it was when the person began the edit ``key`` names: what their kept input
    is based on, and the version their save is checked against. Held through reruns until the
    save lands, a conflict shows a newer version (``save``), or a run ends without drawing the
    edit (``end_run``)."""
    st.session_state.setdefault(HELD_THIS_RUN, set()).add(key)
    if f"held:{key}" not in st.session_state:
        # A table record, or a row a service read for the screen (a dataclass).
        snapshot = asdict(record) if is_dataclass(record) else audit.snapshot(record)
        st.session_state[f"held:{key}"] = snapshot
    return st.session_state[f"held:{key}"]


def begin_run() -> None:
    st.session_state[HELD_THIS_RUN] = set()


def end_run() -> None:
    """A run that drew the page to its end lets go of the edits it did not draw: Streamlit
    forgets those widgets' input too, so the next time they start from what is stored. (A run
    cut short by a rerun keeps everything, as Streamlit keeps its widgets.)"""
    drawn = st.session_state.get(HELD_THIS_RUN, set())
    for name in [n for n in st.session_state if str(n).startswith("held:")]:
        if name.removeprefix("held:") not in drawn:
            release(name.removeprefix("held:"))


def release(key: str) -> None:
    """Forget what ``key``'s edit was based on: the next render begins afresh."""
    st.session_state.pop(f"held:{key}", None)
    st.session_state.pop(f"conflict_of:{key}", None)


def save(
    key: str,
    service: Callable,
    *,
    success: str,
    done: Callable[[str], NoReturn] = rerun_saying,
    **kwargs,
):
    """Save the edit ``key`` names through ``service``, over the version held for it.
    Landed: release the hold and rerun saying ``success`` (or ``done(success)``). Refused as a
    Conflict: the record as it now is becomes the one held, so that saving again applies the
    person's kept input over it, and ``conflict_notice`` shows what the other changed. Any
    other refusal is shown at once (``ui.attempt``) and the input stays. (A ``seen_version``
    given here is another record's, such as a request on the held one: its conflict is shown,
    the hold stays.)"""
    about_held = "seen_version" not in kwargs
    base = st.session_state[f"held:{key}"] if about_held else {}
    kwargs.setdefault("seen_version", base.get("version"))
    st.session_state.pop("conflict", None)
    result = ui.attempt(service, **kwargs)
    if result is not None:
        release(key)
        done(success)
    conflict = st.session_state.pop("conflict", None)
    if isinstance(conflict, Conflict):
        st.session_state[f"conflict_of:{key}"] = (base, conflict)
        if about_held:
            st.session_state[f"held:{key}"] = conflict.current
        st.rerun()  # to show the record as it now is, above the input kept in the form
    return None


def in_conflict(key: str) -> bool:
    """Whether the last save of ``key``'s edit met someone else's change."""
    return f"conflict_of:{key}" in st.session_state


def follow_theirs(key: str, fields: dict[str, str]) -> None:
    """After a conflict on ``key``: each field the person left as it was when they began
    (``fields``: widget key -> field) takes the other person's value, so that saving again
    applies only what the person changed. Call it before drawing the widgets."""
    stored = st.session_state.get(f"conflict_of:{key}")
    if stored is None:
        return
    base, conflict = stored
    for widget, field in fields.items():
        if base and st.session_state.get(widget) == base.get(field):
            st.session_state[widget] = conflict.current.get(field)


def conflict_notice(
    key: str,
    fields: dict[str, str],
    show: Callable[[str, object], str] = lambda f, v: str(v),
    *,
    what: str = "record",
) -> Conflict | None:
    """After a conflict on ``key``: who saved first, and field by field (``fields``: name ->
    label; ``show`` puts a value in words) what they changed since the person began, while the
    person's input is kept. Returns the conflict, if there was one."""
    stored = st.session_state.get(f"conflict_of:{key}")
    if stored is None:
        return None
    base, conflict = stored
    rows = [
        {
            "What": label,
            "When you began": show(field, base.get(field)) if base.get(field) is not None else "—",
            "Now": show(field, conflict.current.get(field))
            if conflict.current.get(field) is not None
            else "—",
        }
        for field, label in fields.items()
        if base and base.get(field) != conflict.current.get(field)
    ]
    st.warning(
        f"{ui.plain(conflict.changed_by) or 'Someone else'} saved this {what} while you were "
        "working on it. What they changed is below; your input is kept: check it and save "
        "again to apply it over theirs.",
        icon=":material/sync_problem:",
    )
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
    return conflict


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
