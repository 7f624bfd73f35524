"""Mail outbox (administrators): why mail is not leaving, if it is not; how many messages are
queued, sent or failed; the newest messages with the mail server's last answer; a failed
message sent again; whether the reply mailbox answers, and the replies that changed nothing."""

import streamlit as st

from committee import outbox, replies, reply_mailbox
from pages import editing, ui

FAILED_SHOWN = 20

actor = ui.require("page.outbox")
ui.say_done()
st.title(":material/outbox: Mail outbox")
st.caption(
    "Every message the tool sends waits here until the worker (`python -m committee worker`) "
    "hands it to the mail server. A message the server refuses for now is tried again, at "
    "longer and longer intervals; one it refuses for good, or after "
    f"{outbox.MAX_ATTEMPTS} tries, fails and can be sent again below."
)

status = st.segmented_control(
    "Show", list(outbox.STATUS_LABELS), format_func=outbox.STATUS_LABELS.get
)
view = outbox.outbox(status=status)
for problem in view.problems:
    st.warning(problem, icon=":material/mail_lock:")

with st.container(horizontal=True):
    for key, label in outbox.STATUS_LABELS.items():
        st.metric(label, view.counts.get(key, 0), border=True)

failed = [m for m in view.messages if m.status == "failed"][:FAILED_SHOWN]
if failed:
    st.subheader(":material/error: Failed")
    for message in failed:
        with st.container(border=True):
            text, action = st.columns([5, 1], vertical_alignment="center")
            text.markdown(
                f"**{ui.plain(message.subject)}**  \nto {ui.plain(message.recipient)} · "
                f"{message.attempts} tries · the server said: {ui.plain(message.last_error)}"
            )
            if action.button("Send again", key=f"resend_{message.id}", icon=":material/send:"):
                if ui.attempt(outbox.resend, actor=actor, message_id=message.id):
                    editing.rerun_saying("Queued again: it goes at the worker's next pass.")

st.subheader("Messages")
if not view.messages:
    st.info("No messages" + (" in this state." if status else " yet."))
else:
    st.dataframe(
        [
            {
                "#": m.id,
                "Queued": ui.local(m.created_at),
                "To": m.recipient,
                "Subject": m.subject,
                "State": outbox.STATUS_LABELS[m.status],
                "Tries": m.attempts,
                "Sent": ui.local(m.sent_at) if m.sent_at else "",
                "Server's last answer": m.last_error,
            }
            for m in view.messages
        ],
        hide_index=True,
        width="stretch",
    )
    st.caption(f"The newest {len(view.messages)} shown.")

st.subheader(":material/move_to_inbox: Replies")
state = reply_mailbox.latest_state()
if reply_mailbox.settings() is None:
    st.caption(
        "No reply mailbox is configured (APC_IMAP_HOST): answers come only through the links "
        "in the invitations."
    )
elif state is not None and state.outcome == "failed":
    st.error(
        f"The reply mailbox cannot be reached since {ui.local(state.at)}: {ui.plain(state.detail)}",
        icon=":material/cloud_off:",
    )
elif state is not None:
    st.caption(f"The reply mailbox answers (since {ui.local(state.at)}).")
refused = replies.refused_lately()
if refused:
    st.markdown("**Replies that changed nothing**, newest first:")
    st.dataframe(
        [{"When": ui.local(e.at), "Why": e.detail} for e in refused],
        hide_index=True,
        width="stretch",
    )
