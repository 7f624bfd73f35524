"""What the home page shows a person: what matters to them today, from real queries."""

from dataclasses import dataclass, field

from sqlalchemy import select

from committee import alerts, clock, coverage, inbox, rotation
from committee.actor import Actor
from committee.tracker import ActionCounts, action_counts
from db.engine import read_session
from db.models import Agency, Meeting


@dataclass
class HomeSummary:
    next_meeting: Meeting | None
    agency: Agency | None
    agency_actions: ActionCounts
    all_actions: ActionCounts
    reviews_due: list[rotation.ReviewDue] = field(default_factory=list)
    plan_gaps: list[coverage.Gap] = field(default_factory=list)
    unread_notifications: int = 0
    alerts_open: int = 0
    alerts_past_deadline: int = 0


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
        summary = HomeSummary(
            next_meeting=next_meeting,
            agency=agency,
            agency_actions=action_counts(session, agency_id=actor.agency_id, today=today)
            if actor.agency_id
            else ActionCounts(),
            all_actions=action_counts(session, agency_id=None, today=today),
            plan_gaps=coverage.gaps(session, today=today),
            reviews_due=[
                r for r in rotation.review_schedule(session, today=today) if r.status != "on_time"
            ],
        )
    # The same counts as the Alerts page and the dashboard, for what this person may see.
    alert_counts = alerts.alert_counts(actor=actor)
    summary.unread_notifications = inbox.unread_count(actor=actor)
    summary.alerts_open = alert_counts.open
    summary.alerts_past_deadline = alert_counts.past_deadline
    return summary
