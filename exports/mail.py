"""Messages as they leave: an outbox row made into a MIME message (standard library ``email``).

An invitation is ``multipart/alternative``: the plain text, then the meeting's calendar as
``text/calendar; method=REQUEST`` (or ``CANCEL``), the method in the MIME header as RFC 6047
asks and Outlook needs, rendered by ``exports.calendar`` with the committee's address as the
ORGANIZER, so that replies come back to it. Every other message is plain text.
"""

import hashlib
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from icalendar import Calendar, vCalAddress

from committee import clock
from db.models import OutboxMessage
from exports import calendar

SENDER_NAME = calendar.COMMITTEE


def message_id(key: str, sender: str) -> str:
    """The same for every attempt at one message: a retry is recognisably the same message."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"<{digest}@{sender.rpartition('@')[2] or 'apc-desk'}>"


class Composer:
    """Makes the messages of one delivery pass; each meeting's calendar is rendered once per
    pass and SEQUENCE, however many people it goes to, then addressed to each."""

    def __init__(self, sender: str):
        self.sender = sender
        self._calendars: dict[tuple[int, int | None], tuple] = {}

    def compose(self, row: OutboxMessage) -> EmailMessage:
        message = EmailMessage()
        message["From"] = Address(SENDER_NAME, addr_spec=self.sender)
        message["To"] = Address(row.recipient_name, addr_spec=row.recipient)
        message["Subject"] = row.subject
        message["Date"] = format_datetime(clock.now())
        message["Message-ID"] = message_id(row.key, self.sender)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(row.body)
        if row.meeting_id is not None:
            # As bytes, so that its CRLF line ends (RFC 5545) arrive as they were written.
            message.add_alternative(
                self._calendar(row),
                maintype="text",
                subtype="calendar",
                params={"method": row.calendar_method or "REQUEST", "charset": "UTF-8"},
            )
        return message

    def _calendar(self, row: OutboxMessage) -> bytes:
        """The meeting's invitation as the download has it, naming the recipient alone as
        ATTENDEE (RFC 5546 asks for at least one): the full list of hundreds of members
        would make each message a hundred kilobytes."""
        key = (row.meeting_id, row.calendar_sequence)
        if key not in self._calendars:
            organizer = (self.sender, SENDER_NAME)
            parsed = Calendar.from_ical(calendar.invitation(row.meeting_id, organizer=organizer))
            event = parsed.walk("VEVENT")[0]
            attendees = event.pop("ATTENDEE", [])
            attendees = attendees if isinstance(attendees, list) else [attendees]
            everyone = {str(a).removeprefix("mailto:").lower(): a for a in attendees}
            self._calendars[key] = (parsed, event, everyone)
        parsed, event, everyone = self._calendars[key]
        event.pop("ATTENDEE", None)
        event.add(
            "attendee",
            everyone.get(row.recipient.lower())
            or vCalAddress.new(
                f"mailto:{row.recipient}",
                cn=row.recipient_name,
                role="REQ-PARTICIPANT",
                partstat="NEEDS-ACTION",
                rsvp=True,
            ),
        )
        return parsed.to_ical()
