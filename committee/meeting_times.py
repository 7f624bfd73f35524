"""When a meeting was held, kept apart from when it was scheduled.

The schedule (``starts_at``, ``ends_at``) is what the invitation promised and every calendar
shows: running or closing the meeting never changes it. The meeting began when the chair
started its first agenda item (``held_from``) and ended when the chair closed it
(``held_until``). Whatever says when a meeting took place, or shows it, asks this module.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func

from committee import audit
from committee.transaction import Writing
from db.models import Meeting

_MOMENT = "%a %d %b %Y, %H:%M"


def begin(w: Writing, meeting: Meeting, now: datetime) -> None:
    """An item is started: the first one, while the meeting is still to be held, marks when it
    began. Items started later, or while the record is completed after closing, do not."""
    if meeting.held_from is not None or meeting.status != "scheduled":
        return
    before = audit.snapshot(meeting)
    # Like an item's clock, the meeting's doing, not an edit: its version, which guards what
    # the chair edits (time, place, agenda), stays.
    meeting.held_from = now
    w.audit(meeting, before=before)


def end(now: datetime) -> dict:
    """What closing the meeting records, beside its status: when it ended."""
    return {"held_until": now}


def took_place(meeting: Meeting) -> datetime:
    """When the meeting took place, for the record: when it began; closed without an item
    started, when it was closed if that was ahead of its schedule; else its scheduled start."""
    if meeting.held_from is not None:
        return meeting.held_from
    if meeting.held_until is not None and meeting.held_until < meeting.starts_at:
        return meeting.held_until
    return meeting.starts_at


def took_place_sql():
    """``took_place`` as SQL, on ``Meeting``'s columns."""
    return func.coalesce(
        Meeting.held_from,
        case((Meeting.held_until < Meeting.starts_at, Meeting.held_until), else_=Meeting.starts_at),
    )


def has_begun(meeting: Meeting, now: datetime) -> bool:
    """Begun or held, whatever its schedule says; a cancelled meeting never begins."""
    return meeting.status != "cancelled" and (
        meeting.status == "held" or meeting.held_from is not None or meeting.starts_at <= now
    )


def held_words(meeting: Meeting) -> str:
    """How it was held, in the meeting's zone, to show beside its scheduled time: "held Fri 04
    Dec 2026, 10:25–10:28 EST"; "" while it has not begun."""
    zone = ZoneInfo(meeting.timezone)
    began = meeting.held_from and meeting.held_from.astimezone(zone)
    ended = meeting.held_until and meeting.held_until.astimezone(zone)
    if began and ended:
        until = f"{ended:%H:%M}" if ended.date() == began.date() else f"{ended:{_MOMENT}}"
        return f"held {began:{_MOMENT}}–{until} {ended.tzname()}"
    if began:
        return f"under way since {began:{_MOMENT}} {began.tzname()}"
    if ended:
        return f"held, closed {ended:{_MOMENT}} {ended.tzname()}"
    return ""
