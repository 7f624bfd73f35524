"""What the home page shows a person: what matters to them today, from real queries."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, func, select

from committee import clock, rotation
from committee.actor import Actor
from db.engine import read_session
from db.models import ActionItem, Agency, Alert, Meeting, Notification
from db.models.actions import CLOSED_STATUSES


@dataclass
class ActionCounts:
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    blocked: int = 0


@dataclass
class HomeSummary:
    next_meeting: Meeting | None
    agency: Agency | None
    agency_actions: ActionCounts
    all_actions: ActionCounts
    reviews_due: list[rotation.ReviewDue] = field(default_factory=list)
    unread_notifications: int = 0
    alerts_open: int = 0
    alerts_past_deadline: int = 0


def action_counts(session, *, agency_id: int | None, today: date) -> ActionCounts:
    """Open, overdue, due within 14 days and blocked items, for one agency or all."""
    is_open = ActionItem.status.not_in(CLOSED_STATUSES)
    query = select(
        func.count().filter(is_open),
        func.count().filter(is_open, ActionItem.due_on < today),
        func.count().filter(
            is_open, ActionItem.due_on >= today, ActionItem.due_on <= today + timedelta(days=14)
        ),
        func.count().filter(ActionItem.status == "blocked"),
    ).select_from(ActionItem)
    if agency_id is not None:
        query = query.where(ActionItem.owner_agency_id == agency_id)
    return ActionCounts(*session.execute(query).one())


def home_summary(actor: Actor) -> HomeSummary:
    today = clock.today()
    now = clock.now()
    with read_session() as session:
        next_meeting = session.scalar(
            select(Meeting)
            .where(Meeting.status == "scheduled", Meeting.ends_at >= now)
            .order_by(Meeting.starts_at)
            .limit(1)
        )
        agency = session.get(Agency, actor.agency_id) if actor.agency_id else None
        alerts_open, alerts_late = session.execute(
            select(
                func.count(),
                func.sum(case((Alert.review_deadline < now, 1), else_=0)).filter(
                    Alert.reviewed_at.is_(None)
                ),
            ).where(Alert.status != "closed")
        ).one()
        unread = (
            session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
            )
            if actor.id
            else 0
        )
        return HomeSummary(
            next_meeting=next_meeting,
            agency=agency,
            agency_actions=action_counts(session, agency_id=actor.agency_id, today=today)
            if actor.agency_id
            else ActionCounts(),
            all_actions=action_counts(session, agency_id=None, today=today),
            reviews_due=[
                r for r in rotation.review_schedule(session, today=today) if r.status != "on_time"
            ],
            unread_notifications=unread or 0,
            alerts_open=alerts_open or 0,
            alerts_past_deadline=alerts_late or 0,
        )
