"""Notices: what the tool tells people when something concerns them, in their in-app inbox
and by mail, in the transaction of the change that causes it.

Every notice goes to the inbox. By mail it goes at once, in the weekly digest, or not at all,
as each person chooses per kind in My account (an alert to a chair always goes at once). A
notice's text is written for its handling marking: it names what happened and links to the
record; the record's sensitive content (an alert's account, a restricted alert's country)
stays behind the sign-in. Nobody is told of what they did themselves.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from committee import invitations, links, outbox, tokens
from committee.actor import Actor
from committee.errors import ValidationError
from committee.people import actor_for
from committee.transaction import Writing, writing
from db.engine import read_session
from db.models import (
    ActionItem,
    Agency,
    Clearance,
    Country,
    DueDateRequest,
    Meeting,
    NoticePreference,
    Notification,
    Plan,
    PlanVersion,
    User,
)
from db.models.mail import NOTICE_DELIVERIES

# The kinds of notice, as My account offers them.
KINDS = {
    "alert.filed": "A new alert",
    "agenda.published": "An agenda published, with its read-ahead",
    "minutes.circulated": "Draft minutes circulated for comment",
    "action.assigned": "An action item given to my agency or to me",
    "due_date.decided": "A decision on a new due date my agency asked for",
    "clearance.requested": "A plan sent to my agency for clearance",
    "plan.approved": "A plan my agency took part in approved",
    "reminder": "Reminders: action items due in 7 days, in 1 day, and overdue",
    "digest": "The weekly digest: my items, meetings ahead, clearances waiting",
}
DELIVERY_LABELS = {"at_once": "At once", "digest": "In the weekly digest", "never": "Never"}
# What each kind may be set to; the digest itself comes weekly or not at all.
OPTIONS = {kind: NOTICE_DELIVERIES for kind in KINDS} | {"digest": ("digest", "never")}
DEFAULTS = {"digest": "digest"}


def option_label(kind: str, option: str) -> str:
    return "Weekly" if (kind, option) == ("digest", "digest") else DELIVERY_LABELS[option]


# Chairs must hear of a new alert at once: its review clock is running.
ALWAYS_AT_ONCE = {("chair", "alert.filed")}


def link_url(link: str) -> str:
    """A record's address in the app (``link`` as notices store it, e.g. ``meeting?id=5``)."""
    return f"{links.base_url()}/{link}"


def account_url() -> str:
    return f"{links.base_url()}/account"


def delivery(person: User, kind: str, chosen: dict[tuple[int, str], str]) -> str:
    if (person.role, kind) in ALWAYS_AT_ONCE:
        return "at_once"
    return chosen.get((person.id, kind), DEFAULTS.get(kind, "at_once"))


def choices_of(session: Session, people: Iterable[User], kind: str) -> dict[tuple[int, str], str]:
    ids = [person.id for person in people]
    rows = session.scalars(
        select(NoticePreference).where(
            NoticePreference.user_id.in_(ids), NoticePreference.kind == kind
        )
    )
    return {(row.user_id, row.kind): row.delivery for row in rows}


def notify(
    w: Writing,
    *,
    kind: str,
    people: Iterable[User],
    occasion: str,
    text: str,
    link: str,
    mail_text: str | None = None,
    alert_id: int | None = None,
    meeting_id: int | None = None,
) -> int:
    """Tell ``people`` (each once; not the person acting) in the caller's transaction.
    ``occasion`` names this happening (with a version where it can recur), so a notice is
    mailed once however often the transaction is retried. ``mail_text`` is what the mail may
    say, where it must say less than the inbox. Returns how many people were told."""
    told: dict[int, User] = {}
    for person in people:
        if person.active and person.id != w.actor.id and person.id not in told:
            told[person.id] = person
    if not told:
        return 0
    chosen = choices_of(w.session, told.values(), kind)
    handling = outbox.marking()
    for person in told.values():
        w.session.add(
            Notification(
                user_id=person.id,
                kind=kind,
                text=text[:2000],
                link=link,
                alert_id=alert_id,
                meeting_id=meeting_id,
            )
        )
        if delivery(person, kind, chosen) == "at_once":
            outbox.queue(
                w,
                key=f"notice:{kind}:{occasion}:{person.id}",
                kind=kind,
                to=person,
                subject=_subject(mail_text or text),
                body=_body(person, mail_text or text, link),
                handling=handling,
            )
    return len(told)


def _subject(text: str) -> str:
    first = outbox.one_line(text)
    return first if len(first) <= 120 else first[:117] + "…"


def _body(person: User, text: str, link: str) -> str:
    return "\n".join(
        [
            f"Dear {person.name},",
            "",
            text,
            "",
            "Open it in APC Desk (sign in):",
            link_url(link),
            "",
            f"You get this by mail at once as you chose in My account: {account_url()}",
        ]
    )


# --- who is told ------------------------------------------------------------------------------


def representatives(session: Session, agency_ids: Iterable[int | None]) -> list[User]:
    """The active representatives of these agencies."""
    ids = [agency_id for agency_id in agency_ids if agency_id is not None]
    if not ids:
        return []
    return list(
        session.scalars(
            select(User).where(User.role == "agency_rep", User.active, User.agency_id.in_(ids))
        )
    )


def chairs(session: Session) -> list[User]:
    """The chairs; the administrators where no chair is set up yet."""
    for roles in (("chair",), ("admin",)):
        found = list(session.scalars(select(User).where(User.role.in_(roles), User.active)))
        if found:
            return found
    return []


def people_by_id(session: Session, ids: Iterable[int | None]) -> list[User]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return []
    return list(session.scalars(select(User).where(User.id.in_(wanted))))


# --- a person's choices -----------------------------------------------------------------------


@dataclass
class Choice:
    kind: str
    label: str
    delivery: str
    fixed: bool  # cannot be changed (an alert to a chair)
    options: tuple[str, ...]


def my_choices(*, actor: Actor) -> list[Choice]:
    """How the person gets each kind of notice by mail."""
    with read_session() as session:
        stored = {
            row.kind: row.delivery
            for row in session.scalars(
                select(NoticePreference).where(NoticePreference.user_id == actor.id)
            )
        }
    fixed = {kind for role, kind in ALWAYS_AT_ONCE if role == actor.role}
    return [
        Choice(
            kind,
            label,
            "at_once" if kind in fixed else stored.get(kind, DEFAULTS.get(kind, "at_once")),
            kind in fixed,
            OPTIONS[kind],
        )
        for kind, label in KINDS.items()
    ]


def set_choice(*, actor: Actor, kind: str, delivery: str) -> NoticePreference:
    """Choose how one kind of notice reaches the person by mail."""
    if kind not in KINDS:
        raise ValidationError(f"No notice of kind {kind!r}.", field="kind")
    if delivery not in OPTIONS[kind]:
        labels = " or ".join(DELIVERY_LABELS[option].lower() for option in OPTIONS[kind])
        raise ValidationError(f"Choose {labels}.", field="delivery")
    if (actor.role, kind) in ALWAYS_AT_ONCE and delivery != "at_once":
        raise ValidationError(
            "A chair hears of every new alert at once: its review clock is running.",
            field="delivery",
        )
    with writing(actor, "notice.choose") as w:
        w.require("account.manage_own")
        return _store_choice(w, actor.id, kind, delivery)


# --- unsubscribing with one click -------------------------------------------------------------

UNSUBSCRIBE = "unsubscribe"


def unsubscribe_link(w: Writing, person: User, kind: str) -> str:
    """A link that stops ``kind`` by mail for ``person``, without a sign-in."""
    token = tokens.sign(w.session, UNSUBSCRIBE, {"u": person.id, "k": kind})
    return f"{links.base_url()}/unsubscribe/{token}"


@dataclass
class Unsubscribing:
    person: str = ""
    kind: str = ""
    problem: str = ""


def check_unsubscribe(token: str) -> Unsubscribing:
    """What an unsubscribe link would stop (shown before the person confirms)."""
    payload = tokens.read(UNSUBSCRIBE, token)
    if payload is None or payload.get("k") not in KINDS:
        return Unsubscribing(problem="This link is not valid. Use the one in your mail.")
    with read_session() as session:
        person = session.get(User, payload["u"])
    if person is None or not person.active:
        return Unsubscribing(problem="This account is no longer active.")
    return Unsubscribing(person.name, KINDS[payload["k"]])


def unsubscribe(token: str) -> Unsubscribing:
    """Stop one kind of notice by mail, as the person the link was made for."""
    found = check_unsubscribe(token)
    if found.problem:
        return found
    payload = tokens.read(UNSUBSCRIBE, token)
    with read_session() as session:
        person = session.get(User, payload["u"])
    try:
        set_choice(actor=actor_for(person), kind=payload["k"], delivery="never")
    except ValidationError as error:
        found.problem = str(error)
    return found


def _store_choice(w: Writing, user_id: int, kind: str, delivery: str) -> NoticePreference:
    row = w.session.scalar(
        select(NoticePreference).where(
            NoticePreference.user_id == user_id, NoticePreference.kind == kind
        )
    )
    before = {"delivery": row.delivery if row else "at_once"}
    if row is None:
        row = NoticePreference(user_id=user_id, kind=kind, delivery=delivery)
        w.session.add(row)
    else:
        w.touch(row, delivery=delivery)
    w.audit(row, before=before, after={"kind": kind, "delivery": delivery})
    return row


# --- what each change says --------------------------------------------------------------------
# One function per occasion, called by the service that makes the change, in its transaction.


def _day(value) -> str:
    return f"{value:%d %b %Y}"


def _meeting_day(meeting: Meeting) -> str:
    return _day(meeting.starts_at.astimezone(ZoneInfo(meeting.timezone)))


def agenda_published(w: Writing, meeting: Meeting) -> int:
    text = (
        f"The agenda of {meeting.title} ({_meeting_day(meeting)}) is published; "
        "the read-ahead is ready on the meeting's page."
    )
    return _to_members(w, meeting, "agenda.published", f"agenda:{meeting.version}", text)


def minutes_circulated(w: Writing, meeting: Meeting, minutes_version: int) -> int:
    text = (
        f"The draft minutes of {meeting.title} ({_meeting_day(meeting)}) are circulated "
        "for comment."
    )
    return _to_members(w, meeting, "minutes.circulated", f"minutes:{minutes_version}", text)


def _to_members(w: Writing, meeting: Meeting, kind: str, what: str, text: str) -> int:
    """A notice about a meeting to every member invited to meetings."""
    return notify(
        w,
        kind=kind,
        people=invitations.invitees(w.session),
        occasion=f"meeting:{meeting.id}:{what}",
        text=text,
        link=f"meeting?id={meeting.id}",
        meeting_id=meeting.id,
    )


def action_assigned(w: Writing, item: ActionItem, *, reassigned: bool) -> int:
    """A new item, or one given to another agency: its representatives and its assignee.
    The mail gives the owner and due date; the title and the rest stay behind the sign-in."""
    agency = w.session.get(Agency, item.owner_agency_id)
    verb = "given to" if reassigned else "new for"
    due = _day(item.due_on)
    return notify(
        w,
        kind="action.assigned",
        people=[
            *representatives(w.session, [item.owner_agency_id]),
            *people_by_id(w.session, [item.assignee_id]),
        ],
        occasion=f"action_item:{item.id}:{item.version}",
        text=f"Action item {verb} {agency.code}, due {due}: {item.title}",
        mail_text=f"An action item is {verb} {agency.code}, due {due}. Sign in to read it.",
        link="agency_desk",
    )


def due_date_decided(w: Writing, request: DueDateRequest, item: ActionItem) -> int:
    granted = request.status == "granted"
    what = (
        f"The chair granted the new due date {_day(request.requested_due_on)}"
        if granted
        else f"The chair refused the new due date {_day(request.requested_due_on)}"
    )
    return notify(
        w,
        kind="due_date.decided",
        people=[
            *people_by_id(w.session, [request.requested_by_id]),
            *representatives(w.session, [item.owner_agency_id]),
        ],
        occasion=f"due_date_request:{request.id}",
        text=f"{what} for the action item {item.title}.",
        mail_text=f"{what} for an action item of your agency. Sign in to read it.",
        link="agency_desk",
    )


def clearance_requested(w: Writing, plan: Plan, version: PlanVersion, agency_ids) -> int:
    country = w.session.get(Country, plan.country_code)
    text = (
        f"{plan.title} ({country.name}), version {version.number}, is circulated for "
        "your agency's clearance."
    )
    return notify(
        w,
        kind="clearance.requested",
        people=representatives(w.session, agency_ids),
        occasion=f"plan_version:{version.id}:circulated",
        text=text,
        link=f"plan?id={plan.id}",
    )


def plan_approved(w: Writing, plan: Plan, version: PlanVersion) -> int:
    country = w.session.get(Country, plan.country_code)
    agency_ids = w.session.scalars(
        select(Clearance.agency_id).where(Clearance.plan_version_id == version.id)
    )
    return notify(
        w,
        kind="plan.approved",
        people=representatives(w.session, list(agency_ids)),
        occasion=f"plan_version:{version.id}:approved",
        text=f"{plan.title} ({country.name}), version {version.number}, is approved.",
        link=f"plan?id={plan.id}",
    )
