"""The reply mailbox: calendar programs send their answers to invitations (iMIP REPLY) to the
committee's address; the worker reads that mailbox over IMAP (``APC_IMAP_*``).

Each message is looked at once: it is marked with the keyword ``$ApcRead`` and otherwise
left alone (nothing is deleted or moved). A reply is recorded, or refused and reported
(``committee.replies``); a message that is no reply is reported too. A mailbox that cannot be
reached is reported once, when it stops answering, and again when it is back: the outbox page
shows the administrator the latest word.
"""

import imaplib
import os
import ssl
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default
from email.utils import parseaddr

from sqlalchemy import select

from committee import audit, replies
from committee.actor import Actor
from db.engine import read_session
from db.models import AuditEvent

LOOKED_AT = "$ApcRead"
STATE_ACTION = "mail.reply_mailbox"
CALENDAR_TYPES = ("text/calendar", "application/ics")
DEFAULT_PORTS = {"none": 143, "starttls": 143, "tls": 993}


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str
    user: str
    password: str
    folder: str


def settings() -> ImapSettings | None:
    """The reply mailbox's settings, or None while none is configured."""
    host = os.environ.get("APC_IMAP_HOST", "").strip()
    if not host:
        return None
    security = os.environ.get("APC_IMAP_SECURITY", "tls").strip().lower() or "tls"
    port = os.environ.get("APC_IMAP_PORT", "").strip()
    return ImapSettings(
        host=host,
        port=int(port) if port.isdigit() else DEFAULT_PORTS.get(security, 993),
        security=security,
        user=os.environ.get("APC_IMAP_USER", ""),
        password=os.environ.get("APC_IMAP_PASSWORD", ""),
        folder=os.environ.get("APC_IMAP_FOLDER", "").strip() or "INBOX",
    )


@dataclass
class Reading:
    """What one look at the mailbox found."""

    recorded: int = 0
    refused: int = 0
    not_replies: int = 0
    error: str = ""

    def summary(self) -> str:
        if self.error:
            return f"the reply mailbox cannot be reached: {self.error}"
        return (
            f"replies recorded {self.recorded}, refused {self.refused}, "
            f"other messages {self.not_replies}"
        )


def read_replies(*, actor: Actor) -> Reading | None:
    """Read the replies that arrived since the last look (None: no mailbox configured)."""
    config = settings()
    if config is None:
        return None
    reading = Reading()
    try:
        box = _open(config)
        try:
            status, _ = box.select(_quoted(config.folder))
            if status != "OK":
                raise imaplib.IMAP4.error(f"no folder {config.folder!r}")
            _, found = box.uid("SEARCH", None, "UNKEYWORD", LOOKED_AT)
            for uid in found[0].split():
                _, data = box.uid("FETCH", uid, "(BODY.PEEK[])")
                _take(actor, data[0][1], reading)
                box.uid("STORE", uid, "+FLAGS", f"({LOOKED_AT})")
        finally:
            box.logout()
    except (imaplib.IMAP4.error, OSError) as error:
        reading.error = f"{type(error).__name__}: {error}"
    _report_state(actor, reading)
    return reading


def _open(config: ImapSettings) -> imaplib.IMAP4:
    if config.security == "tls":
        box = imaplib.IMAP4_SSL(
            config.host, config.port, ssl_context=ssl.create_default_context(), timeout=30
        )
    else:
        box = imaplib.IMAP4(config.host, config.port, timeout=30)
        if config.security == "starttls":
            box.starttls(ssl.create_default_context())
    box.login(config.user, config.password)
    return box


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _take(actor: Actor, raw: bytes, reading: Reading) -> None:
    message = message_from_bytes(raw, policy=default)
    sender = parseaddr(str(message.get("From", "")))[1]
    part = next((p for p in message.walk() if p.get_content_type() in CALENDAR_TYPES), None)
    if part is None:
        reading.not_replies += 1
        subject = " ".join(str(message.get("Subject", "")).split())[:200]
        replies.refuse(f"mail from {sender or 'nobody'} is no reply: {subject!r}", actor=actor)
        return
    content = part.get_content()
    outcome = replies.answer_by_mail(
        actor=actor,
        calendar=content.encode() if isinstance(content, str) else content,
        sender=sender,
    )
    if outcome.recorded:
        reading.recorded += 1
    else:
        reading.refused += 1


def _report_state(actor: Actor, reading: Reading) -> None:
    """Record the mailbox's state when it changes (not at every look: the worker looks often)."""
    last = latest_state()
    now_failed = bool(reading.error)
    if last is None or (last.outcome == "failed") != now_failed:
        audit.record_alone(
            actor=actor,
            action=STATE_ACTION,
            outcome="failed" if now_failed else "ok",
            detail=reading.error or "the reply mailbox answers",
        )


def latest_state() -> AuditEvent | None:
    """The last word on the reply mailbox: ``outcome`` failed (and why) or ok, and when."""
    with read_session() as session:
        return session.scalar(
            select(AuditEvent)
            .where(AuditEvent.action == STATE_ACTION)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
