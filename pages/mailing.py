"""The meeting's mail: sending the invitation (or the cancellation) by mail, what the chair
should know before pressing the button, and the answers that came back."""

import streamlit as st

from committee import invitations, replies
from committee.actor import Actor
from pages import editing, ui

# The answers in the order they are counted.
ORDER = [
    (key, replies.LABELS[key]) for key in ("accepted", "tentative", "declined", "needs_action")
]


def invitation_panel(actor: Actor, meeting) -> None:
    """Send the meeting's invitation by mail, once; then say that changes go out by themselves
    and offer to reach anyone who has not had the latest version."""
    plan = invitations.mailing(meeting_id=meeting.id)
    cancel = plan.method == "CANCEL"
    with st.container(border=True):
        st.markdown("**:material/forward_to_inbox: By mail**")
        if plan.invited and not plan.pending:
            st.caption(
                f"The {'cancellation' if cancel else 'invitation'} went to {plan.invited} "
                "people by mail."
                + ("" if cancel else " Moving or cancelling the meeting tells them by itself.")
            )
        elif plan.invited:
            st.caption(
                f"Mailed to {plan.invited} people. {len(plan.pending)} have not had this "
                f"version: {ui.plain(_names(plan.pending))}."
            )
        else:
            st.caption(
                f"Not mailed yet. The {'cancellation' if cancel else 'invitation'} goes to "
                f"{len(plan.to)} people: {ui.plain(_names(plan.to))}."
            )
        if plan.no_address:
            st.warning(
                "No valid email address, so not sent to: "
                f"{ui.plain(_names(plan.no_address))}. Correct it under People.",
                icon=":material/unsubscribe:",
            )
        label = "Send the cancellation" if cancel else "Send the invitation"
        if plan.pending and st.button(
            label if not plan.invited else f"{label} to them",
            icon=":material/send:",
            key=f"send_invitations_{meeting.id}",
        ):
            sent = ui.attempt(invitations.send_invitations, actor=actor, meeting_id=meeting.id)
            if sent:
                editing.rerun_saying(f"Queued for {sent.queued} people.")


def _names(people, most: int = 12) -> str:
    names = [person.name for person in people[:most]]
    more = len(people) - most
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def replies_panel(meeting) -> None:
    """Who was mailed the invitation and what each answered (for every member)."""
    found = replies.replies_to(meeting_id=meeting.id)
    if not found.rows:
        return
    st.markdown("**:material/how_to_reg: Replies to the invitation**")
    st.caption(" · ".join(f"{found.counts.get(key, 0)} {label.lower()}" for key, label in ORDER))
    st.dataframe(
        [
            {
                "Person": row.name,
                "Agency": row.agency,
                "Answer": replies.LABELS[row.reply],
                "When": ui.local(row.replied_at) if row.replied_at else "",
            }
            for row in found.rows
        ],
        hide_index=True,
        width="stretch",
    )


def expected(counts) -> str:
    """An agency's answers in a few words, e.g. "1 accepted, 1 no answer yet"."""
    if not counts:
        return ""
    return ", ".join(f"{counts[key]} {label.lower()}" for key, label in ORDER if counts.get(key))
