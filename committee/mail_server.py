"""The mail server the worker delivers through (SMTP), configured from the environment, and
the committee's own address (the sender, and the ORGANIZER of its invitations).

A delivery that fails says whether trying again may help: a server that is down, slow, cut
off mid-message or answering 4xx is tried again later; a 5xx answer about the message or its
recipient is final. Nothing is sent while ``APC_SMTP_HOST`` is unset: mail stays queued.
"""

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr

from committee import links
from committee.errors import ValidationError

SECURITY = ("none", "starttls", "tls")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str
    password: str
    timeout: float


class DeliveryFailed(Exception):
    """The server did not take the message. ``answer`` is what it said (or what went wrong);
    ``final`` means trying again will not help; ``unreachable`` that the server itself could
    not be reached or went away, so the messages after this one would fare no better."""

    def __init__(self, answer: str, *, final: bool = False, unreachable: bool = False):
        super().__init__(answer)
        self.answer = answer
        self.final = final
        self.unreachable = unreachable


def committee_address() -> str:
    """The address mail comes from and replies go to (``APC_MAIL_FROM``)."""
    return parseaddr(os.environ.get("APC_MAIL_FROM", ""))[1] or default_sender()


def default_sender() -> str:
    """Without ``APC_MAIL_FROM``: an address at the tool's own host (``APC_BASE_URL``; its
    absence is reported by ``check`` on its own)."""
    try:
        return f"apc-desk@{links.host()}"
    except ValidationError:
        return "apc-desk@localhost"


def settings() -> SmtpSettings | None:
    """The SMTP settings, or None while no mail server is configured."""
    host = os.environ.get("APC_SMTP_HOST", "").strip()
    if not host:
        return None
    security = os.environ.get("APC_SMTP_SECURITY", "none").strip().lower() or "none"
    port = os.environ.get("APC_SMTP_PORT", "").strip()
    timeout = os.environ.get("APC_SMTP_TIMEOUT", "").strip()
    return SmtpSettings(
        host=host,
        port=int(port) if port.isdigit() else DEFAULT_PORTS.get(security, 25),
        security=security,
        user=os.environ.get("APC_SMTP_USER", ""),
        password=os.environ.get("APC_SMTP_PASSWORD", ""),
        timeout=float(timeout) if timeout.replace(".", "", 1).isdigit() else DEFAULT_TIMEOUT,
    )


def problems() -> list[str]:
    """What keeps mail from leaving, in words for the administrator (empty: nothing)."""
    found = []
    config = settings()
    if config is None:
        found.append(
            "No mail server is configured (APC_SMTP_HOST is not set): mail is kept in the "
            "outbox and goes out once one is."
        )
    elif config.security not in SECURITY:
        found.append(f"APC_SMTP_SECURITY must be one of {', '.join(SECURITY)}.")
    if not os.environ.get("APC_MAIL_FROM", "").strip():
        found.append(f"APC_MAIL_FROM is not set: mail would come from {default_sender()}.")
    return found


class Connection:
    """One SMTP session, opened on first use and reused for the messages that follow; a
    failure closes it, so the next message starts afresh."""

    def __init__(self, config: SmtpSettings):
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        try:
            smtp = self._smtp or self._open()
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            self.close()
            code, answer = next(iter(error.recipients.values()))
            raise DeliveryFailed(_said(code, answer), final=code >= 500) from error
        except smtplib.SMTPAuthenticationError as error:
            # The server's settings, not the message, are wrong: keep it for when they are not.
            self.close()
            raise DeliveryFailed(_said(error.smtp_code, error.smtp_error)) from error
        except smtplib.SMTPResponseException as error:
            self.close()
            code = error.smtp_code
            raise DeliveryFailed(_said(code, error.smtp_error), final=code >= 500) from error
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            answer = f"{type(error).__name__}: {error}".rstrip(": ")
            raise DeliveryFailed(answer, unreachable=True) from error

    def _open(self) -> smtplib.SMTP:
        config = self.config
        if config.security == "tls":
            smtp = smtplib.SMTP_SSL(
                config.host,
                config.port,
                timeout=config.timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            if config.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if config.user:
            smtp.login(config.user, config.password)
        self._smtp = smtp
        return smtp

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


def _said(code: int, answer: bytes | str) -> str:
    text = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
    return f"{code} {text}".strip()
