"""The mail benchmark (issue 20), on a copy of a generated record (SQLite; the record itself is
left as it was for the page measurements):

- the weekly digest for every member (600 people at the largest scale) queued in one run;
- a first worker pass (``python -m committee worker --once``, a process of its own): the
  timed jobs (reminders, the series) and the delivery of the digests and reminders to a real
  SMTP server on loopback (aiosmtpd);
- invitations queued for the next meetings until at least 1,000 wait, then a second worker
  pass that delivers them, timed;
- the worker's peak resident memory over both passes.

Targets: 1,000 invitations delivered within 60 s; the digest run within 60 s; the worker under
300 MB.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from committee import invitations, meetings, outbox, reminders
from committee.actor import Actor
from db import engine as db_engine
from db.engine import read_session
from db.models import OutboxMessage

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INVITATIONS = 1_000
DELIVERY_S = 60
DIGEST_S = 60
WORKER_MB = 300
# The worker's one pass, reporting its own peak resident memory (ru_maxrss, in kB) at the end.
WORKER = (
    "import resource, sys\n"
    "from cli import main\n"
    "code = main(['worker', '--once'])\n"
    "print('peak_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "raise SystemExit(code)\n"
)


@dataclass
class MailResult:
    scale: str
    engine: str = "sqlite"
    people: int = 0
    digest_s: float | None = None
    digests: int = 0
    invitations: int = 0
    queue_s: float | None = None
    delivered: int = 0
    delivery_s: float | None = None
    worker_mb: float | None = None
    status: str = "ok"
    notes: list[str] = field(default_factory=list)


class Counting:
    """An SMTP handler that only counts what it is given."""

    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += len(envelope.rcpt_tos)
        return "250 2.0.0 Delivered"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker_pass(env: dict) -> tuple[subprocess.CompletedProcess, float, float | None]:
    """One ``worker --once`` in a process of its own: its output, seconds, peak MB."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WORKER], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    seconds = round(time.perf_counter() - started, 2)
    peak = [line for line in done.stderr.splitlines() if line.startswith("peak_kb")]
    return done, seconds, round(int(peak[-1].split()[1]) / 1024, 1) if peak else None


def measure(source: Path, *, scale: str, progress=print) -> MailResult:
    """Measure on a copy of the SQLite record at ``source``."""
    from aiosmtpd.controller import Controller

    result = MailResult(scale=scale)
    copy = source.with_name(f"mail-{source.name}")
    shutil.copyfile(source, copy)
    url = f"sqlite:///{copy}"
    db_engine.use_database(url)
    worker = Actor.operator("bench")
    try:
        started = time.perf_counter()
        run = reminders.send_digests(actor=worker)
        result.digest_s = round(time.perf_counter() - started, 2)
        result.people, result.digests = run.people, run.sent
        progress(f"  digest: {run.sent} queued for {run.people} people in {result.digest_s} s")

        handler = Counting()
        port = _free_port()
        server = Controller(handler, hostname="127.0.0.1", port=port)
        server.start()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "APC_SMTP_HOST": "127.0.0.1",
            "APC_SMTP_PORT": str(port),
            "APC_SMTP_SECURITY": "none",
            "APC_MAIL_FROM": "apc@committee.example",
        }
        env.pop("APC_IMAP_HOST", None)
        # The first pass runs the timed jobs and delivers the digests and reminders; the
        # second delivers the invitations alone, which is what the target times.
        first, first_s, first_mb = _worker_pass(env)
        result.notes = [line for line in first.stdout.splitlines() if line][:10]
        progress(f"  worker, first pass: {handler.received} delivered in {first_s} s")

        started = time.perf_counter()
        for row in meetings.list_meetings(when="upcoming", limit=10).rows:
            if result.invitations >= INVITATIONS:
                break
            if row.meeting.status == "scheduled":
                sent = invitations.send_invitations(actor=worker, meeting_id=row.meeting.id)
                result.invitations += sent.queued
        result.queue_s = round(time.perf_counter() - started, 2)
        progress(f"  invitations: {result.invitations} queued in {result.queue_s} s")

        before = handler.received
        second, result.delivery_s, second_mb = _worker_pass(env)
        server.stop()
        result.delivered = handler.received - before
        result.worker_mb = max(filter(None, (first_mb, second_mb)), default=None)
        for done in (first, second):
            if done.returncode:
                result.status = f"failed: worker exit {done.returncode}: {done.stderr[-300:]}"
        progress(
            f"  worker, second pass: {result.delivered} invitations delivered in "
            f"{result.delivery_s} s; peak {result.worker_mb} MB"
        )
        with read_session() as session:
            left = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status != "sent", OutboxMessage.status != "superseded")
            )
        if left:
            result.status = f"incomplete: {left} messages not sent ({outbox.waiting()} waiting)"
    except Exception as error:  # reported with what was measured so far
        result.status = f"failed: {str(error).splitlines()[0][:200]}"
    finally:
        db_engine.use_database("sqlite://")
        copy.unlink(missing_ok=True)
    return result
