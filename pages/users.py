"""People (administrators): requests for access to decide, everyone's account, a person's
role, agency and access, a password reset, adding a person; and when the record was last
backed up."""

from functools import partial

import streamlit as st

from committee import auth, backup, clock, people, sessions, vocabulary
from committee.actor import ROLE_LABELS
from pages import editing, ui

STALE_BACKUP_HOURS = 26  # a nightly backup that missed a night

actor = ui.require("page.users")
ui.say_done()
mode = auth.mode()
everyone = people.directory()
agencies = {agency.id: agency for agency in people.list_agencies()}


def role_and_agency(key: str, role: str = "observer", agency_id: int | None = None):
    """The role and agency inputs every form here shares."""
    left, right = st.columns(2)
    role = left.selectbox(
        "Role",
        vocabulary.ROLES,
        index=vocabulary.ROLES.index(role),
        format_func=ROLE_LABELS.get,
        key=f"role_{key}",
    )
    agency_id = right.selectbox(
        "Agency (for a representative)",
        [None, *agencies],
        index=[None, *agencies].index(agency_id) if agency_id in agencies else 0,
        format_func=lambda a: "—" if a is None else f"{agencies[a].code} · {agencies[a].name}",
        key=f"agency_{key}",
    )
    ui.field_error("agency")
    return role, agency_id


def hand_over(email: str, password: str) -> None:
    st.session_state["handover"] = (email, password)


st.title("People")
st.caption(
    {
        "local": "People sign in with their email and a password.",
        "oidc": "People sign in through single sign-on; their email finds their account here.",
        "proxy": "People sign in through the organisation's proxy; their email finds their "
        "account here.",
    }[mode]
)

handover = st.session_state.pop("handover", None)
if handover:
    with st.container(border=True):
        st.success(f"One-time password for {ui.plain(handover[0])}. It is shown only now.")
        st.code(handover[1], language=None)
        st.caption(
            "Hand it over in person or by phone. It works once: at their first sign-in they "
            "choose their own."
        )

# --- requests for access ------------------------------------------------------------------

waiting = [person for person in everyone if person.awaiting_approval]
if waiting:
    st.subheader(f"Waiting for approval ({len(waiting)})")
    st.caption(
        "These people signed in through single sign-on without an account. Approve them with "
        "the role they need, or decline."
    )
    for user in waiting:
        with st.form(f"decide_{user.id}", border=True):
            st.markdown(f"**{ui.plain(user.name)}** · {ui.plain(user.email)}")
            st.caption(f"First tried to sign in {ui.local(user.created_at)}")
            role, agency_id = role_and_agency(f"decide_{user.id}")
            approve, decline = st.columns(2)
            approved = approve.form_submit_button("Approve", type="primary", width="stretch")
            declined = decline.form_submit_button("Decline", width="stretch")
        if approved or declined:
            done = ui.attempt(
                people.update_user,
                actor=actor,
                user_id=user.id,
                seen_version=user.version,
                name=user.name,
                role=role,
                agency_id=agency_id,
                active=approved,
                success=f"{user.email} {'approved' if approved else 'declined'}.",
            )
            if done:
                st.rerun()

# --- everyone -----------------------------------------------------------------------------

st.subheader("Everyone")
st.dataframe(
    [
        {
            "Name": person.name,
            "Email": person.email,
            "Role": ROLE_LABELS[person.role],
            "Agency": person.agency_code or "",
            "Status": person.state,
            "Last signed in": ui.local(person.last_signed_in_at, fmt="%d %b %Y %H:%M"),
        }
        for person in everyone
    ],
    hide_index=True,
    width="stretch",
)

# --- one person ---------------------------------------------------------------------------

st.subheader("Change a person's account")
by_id = {person.id: person for person in everyone}
ui.keep_choice("person_chosen")  # a save may rename them
chosen = st.selectbox(
    "Person",
    list(by_id),
    index=None,
    placeholder="Choose a person",
    format_func=lambda i: f"{by_id[i].name} · {by_id[i].email}",
    key="person_chosen",
)
if chosen is not None:
    user = by_id[chosen]
    key = f"person:{user.id}"
    editing.held(key, user)
    editing.conflict_notice(
        key,
        {"name": "Name", "role": "Role", "agency_id": "Agency", "active": "May sign in"},
        what="account",
    )
    with st.form(f"edit_{user.id}", border=True):
        name = st.text_input("Name", value=user.name, key=f"name_{user.id}")
        ui.field_error("name")
        role, agency_id = role_and_agency(f"edit_{user.id}", user.role, user.agency_id)
        ui.field_error("role")
        active = st.toggle("May sign in", value=user.active, key=f"active_{user.id}")
        saved = st.form_submit_button("Save", type="primary")
    ui.say_done(key)  # under Save, where the person is looking
    if saved:
        editing.save(
            key,
            people.update_user,
            actor=actor,
            user_id=user.id,
            name=name,
            role=role,
            agency_id=agency_id,
            active=active,
            success=f"{name or user.name}'s account saved.",
            done=partial(editing.rerun_saying, at=key),
        )

    if mode == "local" and user.active:
        st.caption("A forgotten password: reset it and hand over a one-time password.")
        if st.button("Reset password", icon=":material/lock_reset:", key=f"reset_{user.id}"):
            password = people.temporary_password()
            if ui.attempt(
                people.set_password,
                actor=actor,
                email=user.email,
                new_password=password,
                one_time=True,
            ):
                hand_over(user.email, password)
                st.rerun()

    st.caption("Signed in somewhere they should not be, or a device lost: end their sessions.")
    end_all = st.button("End all their sessions", icon=":material/logout:", key=f"end_{user.id}")
    ui.say_done(f"sessions_of:{user.id}")
    if end_all:
        ended = ui.attempt(sessions.end_sessions_of, actor=actor, user_id=user.id)
        if ended is not None:
            editing.rerun_saying(
                f"{ended} session(s) of {user.email} ended.", at=f"sessions_of:{user.id}"
            )

# --- a new person -------------------------------------------------------------------------

with st.expander("Add a person", icon=":material/person_add:"):
    with st.form("add_person", clear_on_submit=False):
        email = st.text_input("Email")
        ui.field_error("email")
        name = st.text_input("Name")
        ui.field_error("name")
        role, agency_id = role_and_agency("add")
        if mode == "local":
            st.caption("A one-time password is made for them and shown to you once.")
        added = st.form_submit_button("Add", type="primary")
    if added:
        password = people.temporary_password() if mode == "local" else None
        new = ui.attempt(
            people.add_user,
            actor=actor,
            email=email,
            name=name,
            role=role,
            agency_id=agency_id,
            password=password,
            one_time=True,
            success=f"{email} added.",
        )
        if new is not None:
            if password:
                hand_over(new.email, password)
            st.rerun()

# --- operations ---------------------------------------------------------------------------

st.subheader("Backups")
last = backup.last_backup()
if last is None:
    st.warning(
        "No backup has been made yet. The operator runs "
        "`python -m committee backup --out FILE` on the server (see README).",
        icon=":material/warning:",
    )
else:
    age = clock.now() - last.at
    details = last.after or {}
    message = (
        f"Last backup {ui.local(last.at)} by {last.actor_label}: {details.get('format', '')} "
        f"format, {details.get('rows', 0):,} rows."
    )
    if age.total_seconds() > STALE_BACKUP_HOURS * 3600:
        st.warning(f"{message} That is more than a day ago.", icon=":material/warning:")
    else:
        st.success(message, icon=":material/check_circle:")
