"""The worker: ``python -m committee worker`` delivers the outbox through SMTP, reads the
replies to invitations from the reply mailbox (IMAP), and runs the tool's timed jobs (keeping
the regular series 12 months ahead); ``--once`` does one pass.

It is an entry point like the pages: it may render messages through ``exports`` (the
calendar part of an invitation), which the domain below it may not import.
"""

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cli.common import lazy
from committee import logs
from committee.actor import Actor
from committee.errors import ValidationError

clock, mail_server, meetings, outbox, reminders, reply_mailbox, mail = lazy(
    "committee.clock",
    "committee.mail_server",
    "committee.meetings",
    "committee.outbox",
    "committee.reminders",
    "committee.reply_mailbox",
    "exports.mail",
)

DEFAULT_INTERVAL = 15.0  # seconds between passes
SERIES_EVERY = timedelta(days=1)


@dataclass
class Delivery:
    """What one delivery pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"sent {self.sent}, to retry {self.retrying}, failed {self.failed}"

    def count(self, status: str) -> None:
        if status == "sent":
            self.sent += 1
        elif status == "failed":
            self.failed += 1
        else:
            self.retrying += 1


def worker_actor() -> Actor:
    return Actor.operator("worker")


def deliver(actor: Actor | None = None) -> Delivery:
    """Send every message that is due. With no mail server configured nothing is claimed:
    the mail stays queued, and the pass says why. A server that cannot be reached ends the
    pass: the messages claimed with the failed one are put back to be tried later."""
    actor = actor or worker_actor()
    done = Delivery()
    config = mail_server.settings()
    if config is None:
        done.problems = mail_server.problems()
        return done
    connection = mail_server.Connection(config)
    composer = mail.Composer(mail_server.committee_address())
    try:
        while batch := outbox.claim(actor=actor):
            lost: mail_server.DeliveryFailed | None = None
            outcomes = []
            for row in batch:
                error = lost
                if error is None:
                    try:
                        connection.send(composer.compose(row))
                    except mail_server.DeliveryFailed as failure:
                        error = failure
                        lost = failure if failure.unreachable else None
                outcomes.append((row.id, error))
                if len(outcomes) == outbox.RECORD_EVERY or row is batch[-1]:
                    for recorded in outbox.record_outcomes(actor=actor, outcomes=outcomes):
                        done.count(recorded.status)
                    outcomes = []
            if lost is not None:
                done.problems.append(f"the mail server could not be reached: {lost.answer}")
                break
    finally:
        connection.close()
    return done


def keep_series(actor: Actor) -> str:
    """Keep the regular meetings of the next 12 months scheduled (nothing before a series)."""
    try:
        return meetings.schedule_series(actor=actor).summary()
    except ValidationError as error:
        return str(error)


def register(commands) -> None:
    run = commands.add_parser(
        "worker", help="deliver the outbox by SMTP and run the timed jobs, until stopped"
    )
    run.add_argument("--once", action="store_true", help="one pass, then exit")
    run.add_argument(
        "--interval", type=float, default=DEFAULT_INTERVAL, help="seconds between passes"
    )
    run.set_defaults(run=run_worker)


def timed_jobs(actor: Actor) -> list[str]:
    """Today's reminders, and on Mondays the weekly digest (each done once, whoever runs it)."""
    done = [f"reminders: {reminders.send_reminders(actor=actor)} people reminded"]
    if clock.today().weekday() == reminders.DIGEST_WEEKDAY:
        run = reminders.send_digests(actor=actor)
        done.append(f"digest of the week of {run.week:%d %b %Y}: {run.sent} queued")
    return done


def run_worker(args) -> int:
    logs.configure("worker")
    actor = worker_actor()
    series_due: datetime = clock.now()
    day = None
    while True:
        if clock.now() >= series_due:
            print(f"series: {keep_series(actor)}", flush=True)
            series_due = clock.now() + SERIES_EVERY
        if clock.today() != day:
            for line in timed_jobs(actor):
                print(line, flush=True)
            day = clock.today()
        reading = reply_mailbox.read_replies(actor=actor)
        if reading is not None and (
            reading.error or reading.summary() != reply_mailbox.Reading().summary()
        ):
            print(f"replies: {reading.summary()}", flush=True)
        done = deliver(actor)
        if done.sent or done.retrying or done.failed or args.once:
            print(f"mail: {done.summary()}; waiting {outbox.waiting()}", flush=True)
        for problem in done.problems:
            print(f"mail: {problem}", flush=True)
        if args.once:
            return 0
        time.sleep(args.interval)
