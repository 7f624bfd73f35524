"""Who may read a restricted alert, and everything derived from it: one rule, in SQL for lists
and per record for one alert. A restricted alert is for the chairs and the filing agency only;
its closing decision and the action items it gave rise to follow it (issue 17), so no list
shows another member what a restricted warning said or that it was about a given country."""

from sqlalchemy import or_, select, true

from committee import access
from committee.actor import Actor
from db.models import Alert


def readable_by(actor: Actor):
    """The alerts ``actor`` may read, as an SQL condition (``access``'s rule for alert.read)."""
    if actor.role in (*access.COMMITTEE_STAFF, "system"):
        return true()
    if actor.role == "agency_rep" and actor.agency_id is not None:
        return or_(~Alert.restricted, Alert.filing_agency_id == actor.agency_id)
    return ~Alert.restricted


def may_read(actor: Actor, alert: Alert) -> bool:
    return access.can(
        actor, "alert.read", restricted=alert.restricted, agency_id=alert.filing_agency_id
    )


def derived_readable_by(actor: Actor | None, alert_id):
    """Records derived from an alert (its closing decision, the action items it gave rise to),
    found by their ``alert_id`` column, as an SQL condition: readable where the alert is, or
    derived from none. ``actor`` None: any member (what every member is sent). Each row's
    alert is looked up by its key: a query that stops early (a LIMIT) reads only the alerts
    of the rows it keeps, not the list of every readable alert."""
    if actor is not None and actor.role in (*access.COMMITTEE_STAFF, "system"):
        return true()
    readable = ~Alert.restricted if actor is None else readable_by(actor)
    alert = select(readable).where(Alert.id == alert_id).correlate_except(Alert)
    return or_(alert_id.is_(None), alert.scalar_subquery())
