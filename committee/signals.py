"""Signals from data: warning as an automatic trigger of policy review (Blueprint 2-5), from
the Early Warning Project's statistical risk rather than from a person.

The chair sets rules (``SignalRule``), each with a name and thresholds:

- ``risk_rise``: a country's two-year risk rises by at least N percentage points between
  editions;
- ``enters_top``: a country enters the top N of the ranking;
- ``above_off_watchlist``: a country not on the watchlist has a risk of at least X %;
- ``tier_rank_divergence``: the committee's tier and the statistical rank diverge: a tier 3
  country, or one off the watchlist, ranks in the top N; or a tier 1 country ranks below M.

"Between editions" compares an edition with the one before it as the committee recorded it;
before that edition is imported, with the figures the new file gives for it.

Importing a forecast edition evaluates every active rule in the import's transaction
(``open_signals``) and opens a ``Signal`` for each firing, with the values before and after, the
edition and the file's SHA-256. A firing already recorded (same rule, country and edition)
opens nothing again. A signal is handled like an alert: a country on the watchlist goes on the
next regular meeting's agenda at once; one off it is proposed for the watchlist, and the chair
who adds it schedules its review (``schedule_review``). It has clocks to review and to decision
(setting ``signal_days``) and closes only with a recorded decision (``close_signal``).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from committee import agenda, audit, clock, decisions, meeting_times, settings, watchlist
from committee.actor import Actor
from committee.errors import ValidationError
from committee.transaction import Writing, writing
from db.engine import read_session
from db.models import (
    AgendaItem,
    Country,
    Decision,
    Meeting,
    RiskImport,
    RiskObservation,
    Signal,
    SignalRule,
    WatchlistEntry,
)
from db.models.signals import RULE_KINDS

SOURCE = "Early Warning Project"
NAME_LIMIT = 120
RANKS = 200  # the Project ranks about 170 countries; a rank threshold above this means nothing


# --- rules --------------------------------------------------------------------------------------


def describe_rule(kind: str, threshold: float, second: float | None) -> str:
    """A rule in the committee's words."""
    if kind == "risk_rise":
        return f"two-year risk rises by at least {threshold:g} points between editions"
    if kind == "enters_top":
        return f"enters the top {threshold:g} of the ranking"
    if kind == "above_off_watchlist":
        return f"not on the watchlist, with a two-year risk of {threshold:g} % or more"
    return (
        f"tier 3 or off the watchlist but ranked in the top {threshold:g}; "
        f"or tier 1 but ranked below {second:g}"
    )


def _whole_rank(value, field: str, what: str) -> int:
    if not isinstance(value, int | float) or value != int(value) or not 1 <= value <= RANKS:
        raise ValidationError(f"{what} is a whole rank from 1 to {RANKS}.", field=field)
    return int(value)


def check_rule(
    *, name: str, kind: str, threshold, second_threshold=None
) -> tuple[str, float, float | None]:
    """The rule's name and thresholds, checked: refused at the field that is wrong."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the rule a name.", field="name")
    if len(name) > NAME_LIMIT:
        raise ValidationError(f"A rule's name has at most {NAME_LIMIT} characters.", field="name")
    if kind not in RULE_KINDS:
        raise ValidationError("Choose what the rule watches for.", field="kind")
    if threshold is None or not isinstance(threshold, int | float):
        raise ValidationError("Give the rule its threshold.", field="threshold")
    second = None
    if kind in ("risk_rise", "above_off_watchlist"):
        if not 0.1 <= threshold <= 100:
            raise ValidationError(
                "Give a threshold from 0.1 to 100 percentage points.", field="threshold"
            )
        threshold = round(float(threshold), 2)
    elif kind == "enters_top":
        threshold = _whole_rank(threshold, "threshold", "The top N")
    else:
        threshold = _whole_rank(threshold, "threshold", "The top ranks")
        if second_threshold is None:
            raise ValidationError(
                "Give the rank below which a tier 1 country diverges.", field="second_threshold"
            )
        second = _whole_rank(second_threshold, "second_threshold", "The lowest rank for tier 1")
        if second <= threshold:
            raise ValidationError(
                "The rank for tier 1 must lie below the top ranks for tier 3.",
                field="second_threshold",
            )
    return name, float(threshold), None if second is None else float(second)


def save_rule(
    *,
    actor: Actor,
    name: str,
    kind: str,
    threshold,
    second_threshold=None,
    rule_id: int | None = None,
    seen_version: int | None = None,
) -> SignalRule:
    """Add a rule, or change one (``rule_id``, over the version the chair saw)."""
    name, threshold, second = check_rule(
        name=name, kind=kind, threshold=threshold, second_threshold=second_threshold
    )
    with writing(actor, "signal_rule.save") as w:
        w.require("signal.rules")
        same_name = w.session.scalar(select(SignalRule).where(SignalRule.name == name))
        if same_name is not None and same_name.id != rule_id:
            raise ValidationError(f"A rule is already named {name!r}.", field="name")
        values = {"name": name, "kind": kind, "threshold": threshold, "second_threshold": second}
        if rule_id is None:
            rule = SignalRule(**values, created_by_id=actor.id)
            w.session.add(rule)
            w.audit(rule)
            return rule
        rule = w.get(SignalRule, rule_id, what="Rule")
        before = audit.snapshot(rule)
        w.touch(rule, seen_version=seen_version, **values)
        w.audit(rule, before=before)
    return rule


def set_rule_active(*, actor: Actor, rule_id: int, active: bool, seen_version: int) -> SignalRule:
    """Pause a rule (it fires no more; its signals stay) or resume it."""
    with writing(actor, "signal_rule.set_active") as w:
        w.require("signal.rules")
        rule = w.get(SignalRule, rule_id, what="Rule")
        before = audit.snapshot(rule)
        w.touch(rule, seen_version=seen_version, active=bool(active))
        w.audit(rule, before=before)
    return rule


def rules() -> list[SignalRule]:
    """Every rule, active first, by name."""
    with read_session() as session:
        return list(
            session.scalars(select(SignalRule).order_by(SignalRule.active.desc(), SignalRule.name))
        )


# --- evaluating the rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class Firing:
    """A rule that fires for a country on an edition."""

    rule: SignalRule
    country_code: str
    country_name: str
    edition: str
    previous_edition: str
    before: float | None
    after: float | None
    what: str


def _percent(risk: float | None) -> str:
    return "—" if risk is None else f"{risk:.2%}"


def _ordinal(rank: float | None) -> str:
    return "unranked" if rank is None else f"ranked {int(rank)}"


def newest_edition(session: Session) -> str | None:
    return session.scalar(
        select(func.max(RiskObservation.edition)).where(
            RiskObservation.source == SOURCE, RiskObservation.kind == "forecast"
        )
    )


@dataclass(frozen=True)
class Movement:
    """A country's figures in an edition and the one before, with its tier (None: off the
    watchlist)."""

    country_code: str
    country_name: str
    tier: int | None
    now: RiskObservation
    risk_before: float | None
    rank_before: int | None

    @property
    def rise(self) -> float | None:
        """The change of the two-year risk, in percentage points."""
        return None if self.risk_before is None else (self.now.risk - self.risk_before) * 100


def movements(session: Session, edition: str) -> tuple[str, list[Movement]]:
    """Every country's figures in ``edition`` against the edition before it as recorded (or,
    before that one is imported, as the new file gives it): (previous edition, movements)."""
    forecast = (
        RiskObservation.source == SOURCE,
        RiskObservation.kind == "forecast",
    )
    figures = list(
        session.execute(
            select(RiskObservation, Country.name)
            .join(Country, Country.code == RiskObservation.country_code)
            .where(*forecast, RiskObservation.edition == edition)
        )
    )
    previous_edition = session.scalar(
        select(func.max(RiskObservation.edition)).where(
            *forecast, RiskObservation.edition < edition
        )
    )
    before = {}
    if previous_edition is not None:
        before = {
            o.country_code: (o.risk, o.rank)
            for o in session.scalars(
                select(RiskObservation).where(
                    *forecast, RiskObservation.edition == previous_edition
                )
            )
        }
    else:
        previous_edition = str(int(edition) - 1) if edition.isdigit() else ""
    tiers = dict(
        session.execute(
            select(WatchlistEntry.country_code, WatchlistEntry.tier).where(
                WatchlistEntry.on_watchlist
            )
        ).all()
    )
    moved = [
        Movement(
            o.country_code,
            name,
            tiers.get(o.country_code),
            o,
            *before.get(o.country_code, (o.previous_risk, o.previous_rank)),
        )
        for o, name in figures
    ]
    return previous_edition, sorted(moved, key=lambda m: m.country_name)


def firings(session: Session, edition: str) -> list[Firing]:
    """What every active rule fires on ``edition``, as the watchlist now stands."""
    previous_edition, moved = movements(session, edition)
    active = session.scalars(
        select(SignalRule).where(SignalRule.active).order_by(SignalRule.name)
    ).all()
    fired = []
    for rule in active:
        for m in moved:
            found = _fires(rule, m.now, m.tier, m.risk_before, m.rank_before)
            if found is not None:
                value_before, value_after, what = found
                fired.append(
                    Firing(
                        rule,
                        m.country_code,
                        m.country_name,
                        edition,
                        previous_edition,
                        value_before,
                        value_after,
                        what,
                    )
                )
    return sorted(fired, key=lambda f: (f.rule.name, f.country_name))


def _fires(
    rule: SignalRule,
    now: RiskObservation,
    tier: int | None,
    risk_before: float | None,
    rank_before: int | None,
) -> tuple[float | None, float | None, str] | None:
    """(value before, value after, what happened) if ``rule`` fires for this figure."""
    if rule.kind == "risk_rise":
        if risk_before is not None and (now.risk - risk_before) * 100 >= rule.threshold - 1e-9:
            rise = (now.risk - risk_before) * 100
            return (
                risk_before,
                now.risk,
                f"two-year risk rose {rise:.2f} points, "
                f"from {_percent(risk_before)} to {_percent(now.risk)}",
            )
    elif rule.kind == "enters_top":
        top = rule.threshold
        if now.rank is not None and now.rank <= top and (rank_before is None or rank_before > top):
            return (
                rank_before,
                now.rank,
                f"entered the top {top:g}: {_ordinal(rank_before)}, now {now.rank}",
            )
    elif rule.kind == "above_off_watchlist":
        if tier is None and now.risk * 100 >= rule.threshold - 1e-9:
            return (
                risk_before,
                now.risk,
                f"not on the watchlist, with a two-year risk of {_percent(now.risk)}",
            )
    elif now.rank is not None:
        if tier in (None, 3) and now.rank <= rule.threshold:
            where = "off the watchlist" if tier is None else "tier 3"
            return rank_before, now.rank, f"{where} but ranked {now.rank}"
        if tier == 1 and now.rank > rule.second_threshold:
            return rank_before, now.rank, f"tier 1 but ranked {now.rank}"
    return None


def _recorded(session: Session, edition: str) -> set[tuple[int, str]]:
    return set(
        session.execute(
            select(Signal.rule_id, Signal.country_code).where(Signal.edition == edition)
        ).all()
    )


def open_signals(
    *, actor: Actor, edition: str, sha256: str, risk_import_id: int | None = None
) -> list[Signal]:
    """Evaluate every active rule on ``edition`` and open a signal for each firing not yet
    recorded; called inside the import's transaction (or on demand). A country on the watchlist
    goes on the next regular meeting's agenda at once."""
    with writing(actor, "signal.open") as w:
        w.require("signal.handle")
        known = _recorded(w.session, edition)
        new = [f for f in firings(w.session, edition) if (f.rule.id, f.country_code) not in known]
        if not new:
            w.nothing_to_do()
            return []
        now, today = clock.now(), clock.today()
        days = settings.get("signal_days")
        opened = []
        for firing in new:
            signal = Signal(
                rule_id=firing.rule.id,
                country_code=firing.country_code,
                edition=edition,
                previous_edition=firing.previous_edition,
                value_before=firing.before,
                value_after=firing.after,
                what=firing.what,
                sha256=sha256,
                risk_import_id=risk_import_id,
                created_at=now,  # the committee's clock: opened when the edition came in
                review_due_on=today + timedelta(days=days["review"]),
                decision_due_on=today + timedelta(days=days["decision"]),
            )
            w.session.add(signal)
            w.session.flush()
            opened.append(signal)
        watched = set(
            w.session.scalars(
                select(WatchlistEntry.country_code).where(WatchlistEntry.on_watchlist)
            )
        )
        meeting = _next_regular_meeting(w.session)
        for signal in opened:
            if meeting is not None and signal.country_code in watched:
                _schedule(w, signal, meeting)
        w.audit(
            record_type="signal",
            record_id=f"edition {edition}",
            after={
                "sha256": sha256,
                "signals": {s.id: f"{s.country_code}: {s.what}" for s in opened},
            },
            detail=f"{len(opened)} signals opened on the {edition} edition",
        )
    return opened


def evaluate(*, actor: Actor, edition: str | None = None, dry_run: bool = False) -> list[Firing]:
    """Evaluate the rules now on ``edition`` (default: the newest imported): the firings not
    yet recorded. Unless ``dry_run``, a signal is opened for each, citing the file that
    brought the edition."""
    with read_session() as session:
        edition = edition or newest_edition(session)
        if edition is None:
            raise ValidationError(
                "No forecast edition is imported yet: import one first.", field="edition"
            )
        known = _recorded(session, edition)
        new = [f for f in firings(session, edition) if (f.rule.id, f.country_code) not in known]
        source = session.execute(
            select(RiskImport.id, RiskImport.sha256)
            .where(RiskImport.edition == edition, RiskImport.kind == "forecast")
            .order_by(RiskImport.id.desc())
            .limit(1)
        ).first()
    if dry_run or not new:
        return new
    import_id, sha256 = source if source else (None, "")
    open_signals(actor=actor, edition=edition, sha256=sha256, risk_import_id=import_id)
    return new


# --- handling a signal ----------------------------------------------------------------------------


def _next_regular_meeting(session: Session) -> Meeting | None:
    return session.scalar(
        select(Meeting)
        .where(
            Meeting.kind == "regular",
            Meeting.status == "scheduled",
            Meeting.starts_at > clock.now(),
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def _schedule(w: Writing, signal: Signal, meeting: Meeting) -> None:
    item = agenda.add_signal_review(
        actor=w.actor, meeting_id=meeting.id, country_code=signal.country_code
    )
    w.touch(signal, status="scheduled", agenda_item_id=item.id)


def schedule_review(
    *,
    actor: Actor,
    signal_id: int,
    seen_version: int,
    tier: int | None = None,
    reason: str = "",
) -> Signal:
    """Put the signal's country on the next regular meeting's agenda; a country off the
    watchlist is first added to it, at ``tier`` with ``reason`` (the proposal accepted)."""
    with writing(actor, "signal.schedule") as w:
        w.require("signal.handle")
        signal = w.get(Signal, signal_id, what="Signal")
        if signal.status != "open":
            raise ValidationError(
                "This signal's review is already scheduled, or the signal is closed.",
                field="signal",
            )
        meeting = _next_regular_meeting(w.session)
        if meeting is None:
            raise ValidationError(
                "No regular meeting is scheduled: schedule the series first.", field="meeting"
            )
        before = audit.snapshot(signal)
        watched = w.session.scalar(
            select(WatchlistEntry.on_watchlist).where(
                WatchlistEntry.country_code == signal.country_code
            )
        )
        if not watched:
            if tier is None:
                raise ValidationError(
                    "The country is not on the watchlist: choose its tier to add it.",
                    field="tier",
                )
            watchlist.add_country(
                actor=actor,
                country_code=signal.country_code,
                tier=tier,
                reason=reason.strip() or f"Added on a signal from data: {signal.what}.",
            )
        w.touch(signal, seen_version=seen_version)
        _schedule(w, signal, meeting)
        w.audit(signal, before=before, detail=f"review on the agenda of meeting {meeting.id}")
    return signal


def close_signal(
    *,
    actor: Actor,
    signal_id: int,
    seen_version: int,
    reason: str,
    agenda_item_id: int | None = None,
) -> Decision:
    """Close the signal with a recorded decision, with its reason: the committee's on the
    review's agenda item (``agenda_item_id``), or the chair's between meetings."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            "Record the decision that closes the signal, with the reason.", field="reason"
        )
    with writing(actor, "signal.close") as w:
        w.require("signal.handle")
        signal = w.get(Signal, signal_id, what="Signal")
        if signal.status == "closed":
            raise ValidationError("The signal is already closed.", field="signal")
        if agenda_item_id is not None and agenda_item_id != signal.agenda_item_id:
            raise ValidationError(
                "That agenda item is not this signal's review.", field="agenda_item"
            )
        before = audit.snapshot(signal)
        decision = decisions.record_decision(
            actor=actor,
            kind="general",
            agenda_item_id=agenda_item_id,
            country_code=signal.country_code,
            text=reason,
        )
        w.touch(
            signal,
            seen_version=seen_version,
            status="closed",
            closing_decision_id=decision.id,
            closed_at=clock.now(),
        )
        w.audit(signal, before=before, detail=f"closed by decision {decision.id}")
    return decision


# --- reading signals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalRow:
    signal: Signal
    rule: SignalRule
    country_name: str
    tier: int | None  # None: not on the watchlist
    meeting: Meeting | None  # the meeting whose agenda has its review, if the reader may know
    decision: Decision | None

    @property
    def status(self) -> str:
        """The signal's status as the reader may know it: a review on an agenda still in draft
        is for the chair and secretariat to know (agenda.may_read), so "open" for others."""
        if self.signal.status == "scheduled" and self.meeting is None:
            return "open"
        return self.signal.status

    @property
    def reviewed_on(self) -> date | None:
        """The day of the meeting that reviewed it, once that meeting has begun."""
        if self.meeting is None or not meeting_times.has_begun(self.meeting, clock.now()):
            return None
        return meeting_times.took_place(self.meeting).date()

    @property
    def review_late(self) -> bool:
        due = self.signal.review_due_on
        if self.signal.status == "closed" and self.decision is not None:
            return (self.reviewed_on or self.decision.decided_at.date()) > due
        if self.meeting is not None and self.meeting.status == "scheduled":
            return self.meeting.starts_at.date() > due
        return (self.reviewed_on or clock.today()) > due

    @property
    def decision_late(self) -> bool:
        done = self.decision.decided_at.date() if self.decision else clock.today()
        return done > self.signal.decision_due_on


def list_signals(
    *,
    actor: Actor | None = None,
    status: str | None = None,
    edition: str | None = None,
    opened_since: datetime | None = None,
    opened_until: datetime | None = None,
    session: Session | None = None,
) -> list[SignalRow]:
    """Signals, open first, newest first; each with its rule, country, meeting and decision.
    ``opened_since``/``opened_until`` keep those opened in a period. With ``actor``, a review's
    meeting is left out where its agenda is not yet theirs to read (None: the whole record)."""
    if session is None:
        with read_session() as session:
            return list_signals(
                actor=actor,
                status=status,
                edition=edition,
                opened_since=opened_since,
                opened_until=opened_until,
                session=session,
            )
    query = (
        select(Signal, SignalRule, Country.name, WatchlistEntry, Meeting, Decision)
        .join(SignalRule, SignalRule.id == Signal.rule_id)
        .join(Country, Country.code == Signal.country_code)
        .join(
            WatchlistEntry,
            (WatchlistEntry.country_code == Signal.country_code) & WatchlistEntry.on_watchlist,
            isouter=True,
        )
        .join(AgendaItem, AgendaItem.id == Signal.agenda_item_id, isouter=True)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id, isouter=True)
        .join(Decision, Decision.id == Signal.closing_decision_id, isouter=True)
        .order_by((Signal.status == "closed"), Signal.id.desc())
    )
    if status == "open":
        query = query.where(Signal.status != "closed")
    elif status is not None:
        query = query.where(Signal.status == status)
    if edition is not None:
        query = query.where(Signal.edition == edition)
    if opened_since is not None:
        query = query.where(Signal.created_at >= opened_since)
    if opened_until is not None:
        query = query.where(Signal.created_at < opened_until)
    return [
        SignalRow(
            signal,
            rule,
            name,
            entry.tier if entry else None,
            meeting
            if meeting is None or actor is None or agenda.may_read(actor, meeting)
            else None,
            decision,
        )
        for signal, rule, name, entry, meeting, decision in session.execute(query)
    ]


def open_count() -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).where(Signal.status != "closed"))
