"""Commands for mail: the outbox, and resending a message that failed."""

import argparse

from cli.common import lazy, operator

invitations, outbox, settings = lazy(
    "committee.invitations", "committee.outbox", "committee.settings"
)


def outbox_status(value: str) -> str:
    """A message's state, checked when the command runs (the models load late: `lazy` cannot
    defer a module inside db.models, whose package imports every model)."""
    from db.models.mail import OUTBOX_STATUSES

    if value not in OUTBOX_STATUSES:
        raise argparse.ArgumentTypeError(
            f"invalid status {value!r} (choose from {', '.join(OUTBOX_STATUSES)})"
        )
    return value


def register(commands) -> None:
    group = commands.add_parser("mail", help="mail: the outbox, resending, invitations")
    actions = group.add_subparsers(dest="mail_command", required=True, metavar="ACTION")

    listing = actions.add_parser("outbox", help="the newest messages and their state")
    listing.add_argument("--status", type=outbox_status, help="queued, sent, failed, ...")
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(run=run_outbox)

    again = actions.add_parser("resend", help="send a failed message again")
    again.add_argument("message", type=int, help="the message's number (see `mail outbox`)")
    again.set_defaults(run=run_resend)

    invite = actions.add_parser(
        "send-invitations",
        help="mail a meeting's invitation to everyone invited (a cancelled one's cancellation)",
    )
    invite.add_argument("--meeting", type=int, required=True, help="the meeting's id")
    invite.set_defaults(run=run_send_invitations)


def run_outbox(args) -> int:
    view = outbox.outbox(status=args.status, limit=args.limit)
    zone = settings.zone()
    for message in view.messages:
        when = message.created_at.astimezone(zone)
        print(
            f"{message.id:6} {when:%Y-%m-%d %H:%M} {message.status:10} {message.attempts:2} "
            f"{message.recipient:32} {message.subject}"
        )
        if message.last_error:
            print(f"{'':7}server said: {message.last_error}")
    counts = ", ".join(f"{n} {status}" for status, n in sorted(view.counts.items()))
    print(counts or "the outbox is empty")
    for problem in view.problems:
        print(f"note: {problem}")
    return 0


def run_resend(args) -> int:
    message = outbox.resend(actor=operator(), message_id=args.message)
    print(f"message {message.id} to {message.recipient} queued again")
    return 0


def run_send_invitations(args) -> int:
    sent = invitations.send_invitations(actor=operator(), meeting_id=args.meeting)
    what = "cancellation" if sent.method == "CANCEL" else "invitation"
    print(f"{sent.meeting.title}: {what} queued for {sent.queued} people")
    if sent.already:
        print(f"{sent.already} had this version already")
    for name in sent.no_address:
        print(f"not sent (no valid address): {name}")
    return 0
