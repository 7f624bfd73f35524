"""The watchlist: the countries of concern, their tiers and the history of those tiers, and the
table and world map the committee reads them in.

Every change of tier is kept as a TierChange with its reason (added: no old tier; taken off: no
new tier). Taking a country off keeps its entry, so its history stays whole.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from committee import audit, clock, coverage, rotation, tracker
from committee.actor import Actor
from committee.errors import ValidationError
from committee.transaction import Writing, writing
from db.engine import read_session
from db.models import (
    ActionItem,
    Alert,
    Country,
    Plan,
    RiskObservation,
    TierChange,
    WatchlistEntry,
)
from db.models.countries import TIERS

# The tier an alert's country is put on the watchlist at, by the alert's severity.
SUGGESTED_TIER = {"acute": 1, "serious": 2, "concern": 3}
# Plans that speak for a country now (superseded and archived ones are history).
CURRENT_PLAN_STATUSES = ("draft", "in_clearance", "approved")


@dataclass(frozen=True)
class PlanState:
    """A current plan of a country, as the watchlist shows it."""

    plan_id: int
    kind: str
    status: str
    review_by: date | None


@dataclass
class WatchlistRow:
    """One country of concern, as the watchlist table shows it."""

    code: str
    name: str
    region: str | None
    tier: int
    since: date
    reason: str
    risk: float | None  # the newest edition's two-year risk, a probability
    rank: int | None
    risk_change: float | None  # since the last edition, as a probability
    rank_change: int | None  # places moved towards rank 1 since the last edition
    last_reviewed_on: date | None
    next_review_due: date | None
    review_status: str | None  # rotation.ReviewDue.status
    plans: list[PlanState] = field(default_factory=list)
    open_actions: int = 0
    overdue_actions: int = 0
    gaps: list[coverage.Gap] = field(default_factory=list)


@dataclass(frozen=True)
class MapCountry:
    """A country on the world map: its tier if watched, its statistical risk if published."""

    code: str
    name: str
    tier: int | None
    risk: float | None
    rank: int | None


# --- writes ---------------------------------------------------------------------------------
# This module owns every change to a watchlist entry: the pages, the meeting room (reviews and
# tier changes), the rotation's cadence and the alert channel all call the services below.


def _country(w: Writing, country_code: str) -> Country:
    country = w.session.get(Country, (country_code or "").strip().upper())
    if country is None:
        raise ValidationError(
            f"{country_code!r} is not an ISO 3166 country code (e.g. SDN for Sudan).",
            field="country",
        )
    return country


def _check(tier: int, reason: str) -> None:
    if tier not in TIERS:
        raise ValidationError("Choose tier 1 (acute), 2 (high risk) or 3 (watch).", field="tier")
    if not reason.strip():
        raise ValidationError("Give the reason for this tier.", field="reason")


def _entry(w: Writing, country_code: str) -> WatchlistEntry:
    entry = w.session.scalar(
        select(WatchlistEntry).where(
            WatchlistEntry.country_code == (country_code or "").strip().upper()
        )
    )
    if entry is None or not entry.on_watchlist:
        raise ValidationError(f"{country_code} is not on the watchlist.", field="country")
    return entry


def _record_change(w: Writing, code: str, old: int | None, new: int | None, **kwargs) -> None:
    w.session.add(
        TierChange(
            country_code=code,
            old_tier=old,
            new_tier=new,
            changed_by_id=w.actor.id,
            changed_at=clock.now(),
            **kwargs,
        )
    )


def add_country(*, actor: Actor, country_code: str, tier: int, reason: str) -> WatchlistEntry:
    """Put a country on the watchlist (again, if it was taken off before)."""
    _check(tier, reason)
    with writing(actor, "watchlist.add") as w:
        w.require("watchlist.edit")
        country = _country(w, country_code)
        entry = _put_on(w, country, tier, reason.strip())
        if entry is None:
            raise ValidationError(f"{country.name} is already on the watchlist.", field="country")
    return entry


def watch_for_alert(*, actor: Actor, alert_id: int) -> WatchlistEntry | None:
    """The alert channel's trigger (Blueprint 2-5): the alert's country goes on the watchlist
    at the tier its severity suggests, unless it is there already (then None). Whoever filed
    the alert sets this off, so the alert's filer may, beside the chairs."""
    with writing(actor, "watchlist.add_for_alert") as w:
        alert = w.get(Alert, alert_id, what="Alert")
        w.require("alert.trigger", record=alert, filed_by_id=alert.filed_by_id)
        # A restricted alert's existence is not for every member: the reason does not name it,
        # nor say that an alert put the country here.
        reason = (
            "Added to the watchlist."
            if alert.restricted
            else f"Added by the alert channel: {alert.severity} alert {alert.reference}."
        )
        entry = _put_on(w, _country(w, alert.country_code), SUGGESTED_TIER[alert.severity], reason)
        if entry is None:
            w.nothing_to_do()
        return entry


def _put_on(w: Writing, country: Country, tier: int, reason: str) -> WatchlistEntry | None:
    """Put ``country`` on the watchlist, or None if it is on it already."""
    entry = w.session.scalar(
        select(WatchlistEntry).where(WatchlistEntry.country_code == country.code)
    )
    if entry is not None and entry.on_watchlist:
        return None
    before = audit.snapshot(entry)
    if entry is None:
        entry = WatchlistEntry(
            country_code=country.code, tier=tier, since=clock.today(), reason=reason
        )
        w.session.add(entry)
    else:
        w.touch(entry, on_watchlist=True, tier=tier, since=clock.today(), reason=reason)
    _record_change(w, country.code, None, tier, reason=reason)
    w.audit(entry, before=before)
    return entry


def set_tier(
    *,
    actor: Actor,
    country_code: str,
    tier: int,
    reason: str,
    seen_version: int,
    agenda_item_id: int | None = None,
) -> WatchlistEntry:
    """Change a country's tier, with the reason (and the review that changed it, if any)."""
    _check(tier, reason)
    with writing(actor, "watchlist.set_tier") as w:
        w.require("watchlist.edit")
        entry = _entry(w, country_code)
        if entry.tier == tier:
            raise ValidationError(f"{entry.country_code} is already tier {tier}.", field="tier")
        before = audit.snapshot(entry)
        old = entry.tier
        w.touch(entry, seen_version=seen_version, tier=tier, reason=reason.strip())
        _record_change(
            w, entry.country_code, old, tier, reason=reason.strip(), agenda_item_id=agenda_item_id
        )
        w.audit(entry, before=before)
    return entry


def take_off(*, actor: Actor, country_code: str, reason: str, seen_version: int) -> WatchlistEntry:
    """Take a country off the watchlist; its entry and history stay."""
    if not reason.strip():
        raise ValidationError("Give the reason for taking it off.", field="reason")
    with writing(actor, "watchlist.take_off") as w:
        w.require("watchlist.edit")
        entry = _entry(w, country_code)
        before = audit.snapshot(entry)
        w.touch(entry, seen_version=seen_version, on_watchlist=False)
        _record_change(w, entry.country_code, entry.tier, None, reason=reason.strip())
        w.audit(entry, before=before)
    return entry


def set_review_cadence(
    *, actor: Actor, country_code: str, meetings: int | None, seen_version: int | None
) -> WatchlistEntry:
    """Review one country every ``meetings`` regular meetings, whatever its tier; None goes
    back to the tier's cadence (``rotation``). ``seen_version``: the entry's version the chair
    saw; None for the operator's command line, which acts on the entry as it stands."""
    if meetings is not None and not 1 <= meetings <= 12:
        raise ValidationError("Review every 1 to 12 regular meetings.", field="cadence")
    with writing(actor, "watchlist.set_cadence") as w:
        w.require("watchlist.edit")
        entry = _entry(w, country_code)
        before = audit.snapshot(entry)
        w.touch(entry, seen_version=seen_version, review_cadence_override=meetings)
        w.audit(entry, before=before)
    return entry


def record_review(
    *, actor: Actor, country_code: str, meeting_id: int, reviewed_on: date
) -> WatchlistEntry:
    """The committee reviewed the country at a meeting: its last review, from which the next
    falls due (``rotation``)."""
    with writing(actor, "watchlist.record_review") as w:
        w.require("meeting.run")
        entry = _entry(w, country_code)
        before = audit.snapshot(entry)
        w.touch(entry, last_reviewed_on=reviewed_on, last_review_meeting_id=meeting_id)
        w.audit(entry, before=before)
    return entry


# --- reads ----------------------------------------------------------------------------------


def _newest_forecasts():
    """Each country's forecast from the newest edition that covers it, as a subquery."""
    ranked = (
        select(
            RiskObservation.country_code,
            RiskObservation.risk,
            RiskObservation.rank,
            RiskObservation.previous_risk,
            RiskObservation.previous_rank,
            func.row_number()
            .over(
                partition_by=RiskObservation.country_code,
                order_by=RiskObservation.edition.desc(),
            )
            .label("newest"),
        )
        .where(RiskObservation.kind == "forecast")
        .subquery()
    )
    return select(ranked).where(ranked.c.newest == 1).subquery()


def watchlist_table(*, today: date | None = None) -> list[WatchlistRow]:
    """The countries on the watchlist, by tier then statistical risk, in a fixed number of
    queries whatever their number."""
    today = today or clock.today()
    with read_session() as session:
        forecast = _newest_forecasts()
        rows = session.execute(
            select(
                WatchlistEntry,
                Country.name,
                Country.un_region,
                forecast.c.risk,
                forecast.c.rank,
                forecast.c.previous_risk,
                forecast.c.previous_rank,
            )
            .join(Country, Country.code == WatchlistEntry.country_code)
            .join(forecast, forecast.c.country_code == WatchlistEntry.country_code, isouter=True)
            .where(WatchlistEntry.on_watchlist)
        ).all()
        plans = _current_plans(session)
        actions = _action_counts(session, today)
        reviews = {r.country_code: r for r in rotation.review_schedule(session, today=today)}
        gaps: dict[str, list[coverage.Gap]] = {}
        for gap in coverage.gaps(session, today=today):
            gaps.setdefault(gap.country_code, []).append(gap)
    table = []
    for entry, name, region, risk, rank, previous_risk, previous_rank in rows:
        review = reviews.get(entry.country_code)
        open_count, overdue = actions.get(entry.country_code, (0, 0))
        table.append(
            WatchlistRow(
                code=entry.country_code,
                name=name,
                region=region,
                tier=entry.tier,
                since=entry.since,
                reason=entry.reason,
                risk=risk,
                rank=rank,
                risk_change=None if previous_risk is None else risk - previous_risk,
                rank_change=None if previous_rank is None or rank is None else previous_rank - rank,
                last_reviewed_on=entry.last_reviewed_on,
                next_review_due=review.next_due_on if review else None,
                review_status=review.status if review else None,
                plans=plans.get(entry.country_code, []),
                open_actions=open_count,
                overdue_actions=overdue,
                gaps=gaps.get(entry.country_code, []),
            )
        )
    return sorted(table, key=lambda r: (r.tier, -(r.risk or 0), r.name))


def _current_plans(session: Session) -> dict[str, list[PlanState]]:
    plans: dict[str, list[PlanState]] = {}
    for plan in session.scalars(
        select(Plan).where(Plan.status.in_(CURRENT_PLAN_STATUSES)).order_by(Plan.kind, Plan.id)
    ):
        plans.setdefault(plan.country_code, []).append(
            PlanState(plan.id, plan.kind, plan.status, plan.review_by)
        )
    return plans


def _action_counts(session: Session, today: date) -> dict[str, tuple[int, int]]:
    """Open and overdue action items per country (read from the open items' index)."""
    return {
        code: (open_count, overdue)
        for code, open_count, overdue in session.execute(
            select(
                ActionItem.country_code,
                func.count(),
                func.count().filter(ActionItem.due_on < today),
            )
            .where(tracker.is_open(), ActionItem.country_code.is_not(None))
            .group_by(ActionItem.country_code)
        )
    }


def world_map() -> list[MapCountry]:
    """Every country with a tier or a published statistical risk, for the world map."""
    with read_session() as session:
        forecast = _newest_forecasts()
        watched = (
            select(WatchlistEntry.country_code, WatchlistEntry.tier)
            .where(WatchlistEntry.on_watchlist)
            .subquery()
        )
        return [
            MapCountry(code, name, tier, risk, rank)
            for code, name, tier, risk, rank in session.execute(
                select(Country.code, Country.name, watched.c.tier, forecast.c.risk, forecast.c.rank)
                .join(watched, watched.c.country_code == Country.code, isouter=True)
                .join(forecast, forecast.c.country_code == Country.code, isouter=True)
                .where((watched.c.tier.is_not(None)) | (forecast.c.risk.is_not(None)))
                .order_by(Country.name)
            )
        ]


def countries_not_watched() -> list[tuple[str, str]]:
    """(code, name) of every ISO country not on the watchlist, for the 'add' form."""
    with read_session() as session:
        watched = select(WatchlistEntry.country_code).where(WatchlistEntry.on_watchlist)
        return [
            (code, name)
            for code, name in session.execute(
                select(Country.code, Country.name)
                .where(Country.code.not_in(watched))
                .order_by(Country.name)
            )
        ]
