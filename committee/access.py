"""The one policy that decides every permission. Deny by default: a permission not listed
here, or a rule that says no, refuses.

A rule receives the actor and what the action is about (``agency_id``: the agency that owns the
record; ``agency_ids``: agencies with a lesser stake, such as supporting agencies), so that a
representative's rights end at their own agency's records.
"""

from collections.abc import Callable, Iterable

from committee.actor import Actor

Rule = Callable[[Actor, dict], bool]

COMMITTEE_STAFF = ("admin", "chair")  # the chair and secretariat; admins may stand in
MEMBERS = ("admin", "chair", "agency_rep", "observer")


def roles(*allowed: str) -> Rule:
    return lambda actor, target: actor.role in allowed


def staff_or_own_agency(actor: Actor, target: dict) -> bool:
    """The chair for any agency; a representative for the agency that owns the record."""
    if actor.role in COMMITTEE_STAFF:
        return True
    return actor.role == "agency_rep" and _own(actor, target.get("agency_id"))


def staff_or_any_stake(actor: Actor, target: dict) -> bool:
    """As above, and also a representative of an agency with a stake (e.g. supporting)."""
    if staff_or_own_agency(actor, target):
        return True
    return actor.role == "agency_rep" and any(_own(actor, a) for a in target.get("agency_ids", ()))


def own_agency_only(actor: Actor, target: dict) -> bool:
    """Only the representative of the agency concerned (clearing a plan speaks for it)."""
    return actor.role == "agency_rep" and _own(actor, target.get("agency_id"))


def members_and_permitted_observers(actor: Actor, target: dict) -> bool:
    if actor.role in ("admin", "chair", "agency_rep"):
        return True
    return actor.role == "observer" and bool(target.get("observers_allowed"))


def restricted_alert_reader(actor: Actor, target: dict) -> bool:
    """Restricted alerts: chairs and the filing agency only."""
    if not target.get("restricted"):
        return actor.role in MEMBERS
    return actor.role in COMMITTEE_STAFF or (
        actor.role == "agency_rep" and _own(actor, target.get("agency_id"))
    )


def staff_or_alert_filer(actor: Actor, target: dict) -> bool:
    """What an alert sets off (Blueprint 2-5): the chairs, or the person who filed it."""
    if actor.role in COMMITTEE_STAFF:
        return True
    return actor.id is not None and actor.id == target.get("filed_by_id")


def _own(actor: Actor, agency_id) -> bool:
    return agency_id is not None and actor.agency_id == agency_id


PERMISSIONS: dict[str, Rule] = {
    # people and the system
    "users.manage": roles("admin"),
    "agencies.manage": roles("admin"),
    "settings.edit": roles(*COMMITTEE_STAFF),
    "audit.read": roles(*COMMITTEE_STAFF),
    "backup.run": roles("admin"),
    "account.manage_own": roles(*MEMBERS),
    # mail: the worker (the operator's process) delivers; administrators watch and resend
    "mail.deliver": roles(),
    "mail.manage": roles("admin"),
    # meetings
    "meetings.schedule": roles(*COMMITTEE_STAFF),
    "agenda.edit": roles(*COMMITTEE_STAFF),
    "meeting.run": roles(*COMMITTEE_STAFF),
    "minutes.edit": roles(*COMMITTEE_STAFF),
    "minutes.approve": roles(*COMMITTEE_STAFF),
    # countries of concern
    "watchlist.edit": roles(*COMMITTEE_STAFF),
    "risk.import": roles(*COMMITTEE_STAFF),
    "tools_evidence.import": roles(*COMMITTEE_STAFF),
    "signal.rules": roles(*COMMITTEE_STAFF),
    "signal.handle": roles(*COMMITTEE_STAFF),
    "assessment.record": roles(*COMMITTEE_STAFF),
    "plan.draft": roles(*COMMITTEE_STAFF, "agency_rep"),
    "plan.circulate": roles(*COMMITTEE_STAFF),
    "plan.approve": roles(*COMMITTEE_STAFF),
    "plan.archive": roles(*COMMITTEE_STAFF),
    "plan.clear": own_agency_only,
    # action items
    "action.create": staff_or_own_agency,
    "action.update": staff_or_own_agency,
    "action.note": staff_or_any_stake,
    "action.reassign": roles(*COMMITTEE_STAFF),
    "action.request_due_date": own_agency_only,
    "action.decide_due_date": roles(*COMMITTEE_STAFF),
    # alerts
    "alert.file": members_and_permitted_observers,
    "alert.read": restricted_alert_reader,
    "alert.triage": roles(*COMMITTEE_STAFF),
    "alert.trigger": staff_or_alert_filer,
    # pages: who sees which screen (the menu and the page itself both ask)
    "page.home": roles(*MEMBERS),
    "page.dashboard": roles(*MEMBERS),
    "page.meetings": roles(*MEMBERS),
    "page.meeting": roles(*MEMBERS),
    "page.agenda_builder": roles(*COMMITTEE_STAFF),
    "page.meeting_room": roles(*COMMITTEE_STAFF),
    "page.watchlist": roles(*MEMBERS),
    "page.country": roles(*MEMBERS),
    "page.plan": roles(*MEMBERS),
    "page.risk_import": roles(*COMMITTEE_STAFF),
    "page.tools_evidence": roles(*COMMITTEE_STAFF),
    "page.signals": roles(*MEMBERS),
    "page.agency_desk": roles("agency_rep"),
    "page.tracker": roles(*COMMITTEE_STAFF, "observer"),
    "page.alerts": roles(*MEMBERS),
    "page.reports": roles(*COMMITTEE_STAFF),
    "page.audit": roles(*COMMITTEE_STAFF),
    "page.users": roles("admin"),
    "page.settings": roles(*COMMITTEE_STAFF),
    "page.outbox": roles("admin"),
    "page.account": roles(*MEMBERS),
    "page.inbox": roles(*MEMBERS),
    "page.search": roles(*MEMBERS),
}


def can(actor: Actor | None, permission: str, **target) -> bool:
    """May ``actor`` do ``permission`` on ``target``? Unknown permissions are refused."""
    if actor is None:
        return False
    if actor.role == "system":
        return permission in PERMISSIONS
    rule = PERMISSIONS.get(permission)
    return rule is not None and rule(actor, target)


def permitted(actor: Actor | None, permissions: Iterable[str]) -> list[str]:
    return [p for p in permissions if can(actor, p)]
