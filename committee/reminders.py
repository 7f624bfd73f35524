"""Timed mail: reminders of action items due in 7 days, due tomorrow and overdue, each day;
and each Monday a weekly digest per member (their items, the meetings ahead, clearances
waiting, and the week's notices they chose to read there). The worker runs both; each is
keyed by its day or week, so running twice, or from two workers, sends nothing twice.

Reminders follow each person's choice for the kind ``reminder`` (at once, in the digest, or
never), and go to the inbox too. Like every notice, the mail names items by number and due date;
their titles and the rest stay behind the sign-in. An overdue item is recalled on the day it
falls due and every seventh day after.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from committee import clock, invitations, links, notices, outbox, settings
from committee.actor import Actor
from committee.transaction import writing
from db.engine import read_session
from db.models import (
    ActionItem,
    Agency,
    AuditEvent,
    Clearance,
    Country,
    Meeting,
    NoticePreference,
    Notification,
    Plan,
    PlanVersion,
    User,
)
from db.models.actions import CLOSED_STATUSES

AHEAD = (7, 1)  # days before the due date a reminder goes
OVERDUE_EVERY = 7  # days between reminders of an overdue item
DIGEST_WEEKDAY = 0  # Monday
DIGEST_ITEMS = 10  # items listed by number in a digest; the rest are counted
SOON = timedelta(days=14)
MEETINGS_AHEAD = timedelta(days=45)


# --- reminders --------------------------------------------------------------------------------


def _reminded(item: ActionItem, today: date) -> str | None:
    """Why an item is recalled today, or None."""
    days = (item.due_on - today).days
    if days in AHEAD:
        return "due tomorrow" if days == 1 else f"due in {days} days"
    if days < 0 and (-days - 1) % OVERDUE_EVERY == 0:
        return f"overdue since {item.due_on:%d %b %Y}"
    return None


def send_reminders(*, actor: Actor, today: date | None = None) -> int:
    """Today's reminders, one notice per person listing their items. Returns people told."""
    today = today or clock.today()
    if _done("reminders.send", today):
        return 0
    with writing(actor, "reminders.send") as w:
        w.require("mail.deliver")
        items = [
            (item, why)
            for item in w.session.scalars(
                select(ActionItem).where(
                    ActionItem.status.not_in(CLOSED_STATUSES),
                    ActionItem.due_on <= today + timedelta(days=max(AHEAD)),
                )
            )
            if (why := _reminded(item, today))
        ]
        owners: dict[int, list] = defaultdict(list)
        for rep in notices.representatives(w.session, {i.owner_agency_id for i, _ in items}):
            owners[rep.agency_id].append(rep)
        assignees = {
            u.id: u for u in notices.people_by_id(w.session, {i.assignee_id for i, _ in items})
        }
        per_person: dict[int, tuple[User, list]] = {}
        for item, why in items:
            people = owners[item.owner_agency_id] + (
                [assignees[item.assignee_id]] if item.assignee_id in assignees else []
            )
            for person in people:
                per_person.setdefault(person.id, (person, []))[1].append((item, why))
        told = 0
        for person, due in per_person.values():
            due.sort(key=lambda pair: pair[0].due_on)
            told += notices.notify(
                w,
                kind="reminder",
                people=[person],
                occasion=f"{today.isoformat()}",
                text="Reminder: " + "; ".join(f"{i.title} ({why})" for i, why in due),
                mail_text="Reminder of your action items:\n"
                + "\n".join(f"  #{i.id}, {why}" for i, why in due),
                link="agency_desk" if person.role == "agency_rep" else "tracker",
            )
        w.audit(record_type="reminder", record_id=today.isoformat(), after={"people": told})
    return told


# --- the weekly digest ------------------------------------------------------------------------


def digest_week(today: date) -> date:
    """The Monday of the week ``today`` is in: the digest's key."""
    return today - timedelta(days=today.weekday())


@dataclass
class DigestRun:
    week: date
    sent: int = 0
    people: int = 0
    skipped: list[str] = field(default_factory=list)


def send_digests(*, actor: Actor, today: date | None = None) -> DigestRun:
    """This week's digest to every member who has not turned it off. One transaction, and
    a handful of queries whatever the number of people: everything is read in bulk first."""
    today = today or clock.today()
    week = digest_week(today)
    run = DigestRun(week)
    zone = settings.zone()
    if _done("digest.send", week):
        return run
    with writing(actor, "digest.send") as w:
        w.require("mail.deliver")
        session = w.session
        members = invitations.invitees(session)
        run.people = len(members)
        choices = _choices(session, [m.id for m in members])
        agencies = dict(session.execute(select(Agency.id, Agency.code)).all())
        items = _open_items(session, today)
        meetings = list(
            session.scalars(
                select(Meeting)
                .where(
                    Meeting.status == "scheduled",
                    Meeting.starts_at >= clock.now(),
                    Meeting.starts_at < clock.now() + MEETINGS_AHEAD,
                )
                .order_by(Meeting.starts_at)
            )
        )
        clearances = _clearances_waiting(session)
        week_start = datetime.combine(week, time(), zone) - timedelta(days=7)
        saved = _saved_for_digest(session, choices, week_start)
        handling = outbox.marking()
        for person in members:
            if choices.get((person.id, "digest"), "digest") == "never":
                continue
            body = _digest_body(
                w,
                person,
                agency=agencies.get(person.agency_id),
                items=items.get(person.agency_id, []) + items.get(("assignee", person.id), []),
                meetings=meetings,
                clearances=clearances.get(person.agency_id, []),
                saved=saved.get(person.id, Counter()),
                zone=zone,
            )
            queued = outbox.queue(
                w,
                key=f"digest:{week.isoformat()}:{person.id}",
                kind="digest",
                to=person,
                subject=f"Your week at the committee, {week:%d %b %Y}",
                body=body,
                handling=handling,
            )
            run.sent += queued is not None
        w.audit(record_type="digest", record_id=week.isoformat(), after={"sent": run.sent})
    return run


def _done(action: str, day: date) -> bool:
    """Already done for this day (or week), by this worker or another? (Two workers starting
    it at the same moment both pass here; the outbox's unique keys then let only one commit.)"""
    with read_session() as session:
        found = session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.action == action, AuditEvent.record_id == day.isoformat()
            )
        )
    return found is not None


def _choices(session, ids: list[int]) -> dict[tuple[int, str], str]:
    rows = session.scalars(select(NoticePreference).where(NoticePreference.user_id.in_(ids)))
    return {(row.user_id, row.kind): row.delivery for row in rows}


def _open_items(session, today: date) -> dict:
    """Open items overdue or due within 14 days, by owner agency and ("assignee", person)."""
    found: dict = defaultdict(list)
    for item in session.scalars(
        select(ActionItem)
        .where(ActionItem.status.not_in(CLOSED_STATUSES), ActionItem.due_on <= today + SOON)
        .order_by(ActionItem.due_on, ActionItem.id)
    ):
        found[item.owner_agency_id].append(item)
        if item.assignee_id is not None:
            found[("assignee", item.assignee_id)].append(item)
    return found


def _clearances_waiting(session) -> dict[int, list]:
    found: dict[int, list] = defaultdict(list)
    rows = session.execute(
        select(Clearance.agency_id, Plan, PlanVersion, Country.name)
        .join(PlanVersion, PlanVersion.id == Clearance.plan_version_id)
        .join(Plan, Plan.id == PlanVersion.plan_id)
        .join(Country, Country.code == Plan.country_code)
        .where(PlanVersion.status == "circulated", Clearance.position == "pending")
        .order_by(PlanVersion.circulated_at)
    )
    for agency_id, plan, version, country in rows:
        found[agency_id].append((plan, version, country))
    return found


def _saved_for_digest(session, choices, since: datetime) -> dict[int, Counter]:
    """The week's notices each person chose to read in the digest, counted by kind."""
    wanted = {(user, kind) for (user, kind), how in choices.items() if how == "digest"}
    if not wanted:
        return {}
    counts: dict[int, Counter] = defaultdict(Counter)
    rows = session.execute(
        select(Notification.user_id, Notification.kind, func.count())
        .where(
            Notification.user_id.in_({user for user, _ in wanted}),
            Notification.created_at >= since,
        )
        .group_by(Notification.user_id, Notification.kind)
    )
    for user, kind, n in rows:
        if (user, kind) in wanted:
            counts[user][kind] = n
    return counts


def _digest_body(w, person, *, agency, items, meetings, clearances, saved, zone) -> str:
    base = links.base_url()
    lines = [f"Dear {person.name},", "", "Your week at the Atrocities Prevention Committee.", ""]
    today = clock.today()
    seen, mine = set(), []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            mine.append(item)
    if person.role == "agency_rep" or mine:
        overdue = [i for i in mine if i.due_on < today]
        lines.append(f"ACTION ITEMS{f' OF {agency}' if agency else ''}")
        if not mine:
            lines.append("  Nothing overdue or due in the next 14 days.")
        else:
            lines.append(
                f"  {len(overdue)} overdue, {len(mine) - len(overdue)} due in the next 14 days:"
            )
            for item in mine[:DIGEST_ITEMS]:
                state = "overdue since" if item.due_on < today else "due"
                lines.append(f"  #{item.id}, {state} {item.due_on:%d %b %Y}")
            if len(mine) > DIGEST_ITEMS:
                lines.append(f"  and {len(mine) - DIGEST_ITEMS} more")
        lines += [f"  {base}/{'agency_desk' if person.role == 'agency_rep' else 'tracker'}", ""]
    lines.append("MEETINGS AHEAD")
    if not meetings:
        lines.append("  None in the next six weeks.")
    for meeting in meetings:
        local = meeting.starts_at.astimezone(zone)
        agenda = "agenda published" if meeting.agenda_status == "published" else "agenda to come"
        lines.append(f"  {local:%a %d %b %Y, %H:%M %Z}  {meeting.title} ({agenda})")
        lines.append(f"    {invitations.meeting_link(meeting.id)}")
    lines.append("")
    if clearances:
        lines.append(f"CLEARANCES WAITING FOR {agency}")
        for plan, version, country in clearances:
            lines.append(
                f"  {plan.title} ({country}), version {version.number}, circulated "
                f"{version.circulated_at:%d %b %Y}"
            )
            lines.append(f"    {base}/plan?id={plan.id}")
        lines.append("")
    if saved:
        lines.append("THE WEEK'S NOTICES (read them in your Inbox)")
        for kind, n in sorted(saved.items()):
            lines.append(f"  {n} × {notices.KINDS.get(kind, kind)}")
        lines += [f"  {base}/inbox", ""]
    lines.append("Stop by mail with one click (My account changes it back):")
    for kind in ["digest", *sorted(saved)]:
        lines.append(f"  {notices.KINDS[kind]}: {notices.unsubscribe_link(w, person, kind)}")
    lines.append(f"Your choices: {notices.account_url()}")
    return "\n".join(lines)
