"""A meeting's record (attendance, notes, time used, decisions, action items created in the
room) stays open to completion after the meeting, until its minutes are approved; then it is
locked with them. Every service that adds to the record asks here first."""

from sqlalchemy import select
from sqlmodel import Session

from committee.errors import ValidationError
from db.models import Meeting, Minutes


def check_open(session: Session, meeting: Meeting) -> None:
    """Refuse unless ``meeting``'s record may still change: not cancelled, minutes not approved."""
    if meeting.status == "cancelled":
        raise ValidationError("The meeting was cancelled.", field="status")
    approved = session.scalar(
        select(Minutes.id).where(Minutes.meeting_id == meeting.id, Minutes.status == "approved")
    )
    if approved:
        raise ValidationError(
            "The minutes are approved: the meeting's record is locked.", field="status"
        )
