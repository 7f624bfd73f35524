"""Decisions: what the committee decided at a meeting, or the chair between meetings. Every
decision is recorded here, whatever led to it: a discussion in the meeting room, a tier change
during a review, the approval of minutes or of a plan, the closing of an alert.

A decision taken on an agenda item belongs to that item's meeting and adds to its record, so it
is refused once the meeting's minutes are approved (``meeting_record``). Who may record one
depends on its kind: the permission of the act it decides.
"""

from committee import clock, meeting_record
from committee.actor import Actor
from committee.errors import NotFound, ValidationError
from committee.transaction import writing
from db.models import AgendaItem, Decision, Meeting
from db.models.meetings import DECISION_KINDS

# The permission each kind of decision needs: that of the act it decides.
PERMISSIONS = {
    "general": "meeting.run",
    "tier_change": "meeting.run",
    "minutes_approval": "minutes.approve",
    "plan_approval": "plan.approve",
    "alert_closure": "alert.triage",
}
TEXT_LIMIT = 10_000


def record_decision(
    *,
    actor: Actor,
    kind: str,
    text: str,
    agenda_item_id: int | None = None,
    meeting_id: int | None = None,
    country_code: str | None = None,
    alert_id: int | None = None,
    plan_version_id: int | None = None,
) -> Decision:
    """Record a decision. On an agenda item it takes the item's meeting, country and alert
    (unless given); without one it is the chair's between meetings, or a meeting's own
    (``meeting_id``)."""
    if kind not in DECISION_KINDS:
        raise ValidationError(f"{kind!r} is not a kind of decision.", field="kind")
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write the decision.", field="decision")
    if len(text) > TEXT_LIMIT:
        raise ValidationError(
            f"Keep the decision under {TEXT_LIMIT:,} characters.", field="decision"
        )
    with writing(actor, "decision.record") as w:
        w.require(PERMISSIONS[kind])
        if agenda_item_id is not None:
            item = w.get(AgendaItem, agenda_item_id, what="Agenda item")
            if meeting_id is not None and item.meeting_id != meeting_id:
                raise NotFound(f"Agenda item {agenda_item_id} is not on this meeting's agenda.")
            meeting_id = item.meeting_id
            country_code = country_code or item.country_code
            alert_id = alert_id or item.alert_id
        if meeting_id is not None:
            meeting_record.check_open(w.session, w.get(Meeting, meeting_id, what="Meeting"))
        decision = Decision(
            kind=kind,
            meeting_id=meeting_id,
            agenda_item_id=agenda_item_id,
            country_code=country_code,
            alert_id=alert_id,
            plan_version_id=plan_version_id,
            text=text,
            decided_by_id=actor.id,
            decided_at=clock.now(),
        )
        w.session.add(decision)
        w.audit(decision)
    return decision
