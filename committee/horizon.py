"""The horizon scan: for one edition of the Early Warning Project's statistical risk, what
moved and what the committee's watchlist does not yet reflect: the biggest movers since the
edition before, countries above a threshold that are not on the watchlist, divergences between
the committee's tier and the statistical rank, and the signals still open; each country with
its risk trend. exports/documents.py prints it."""

from dataclasses import dataclass

from sqlalchemy import func, select

from committee import access, signals
from committee.actor import Actor
from committee.errors import PermissionDenied, ValidationError
from db.engine import read_session
from db.models import RiskObservation

MOVERS = 10


@dataclass(frozen=True)
class HorizonScan:
    edition: str
    previous_edition: str
    period: str  # e.g. "2025-2026"
    threshold: float  # risk %, for the countries off the watchlist
    top: int  # tier 3 or unwatched, ranked in the top ``top``
    below: int  # tier 1 ranked below ``below``
    movers: list[signals.Movement]
    unwatched_above: list[signals.Movement]
    divergences: list[tuple[signals.Movement, str]]
    open_signals: list[signals.SignalRow]
    trends: dict[str, list[tuple[int, float]]]  # country code -> (year, risk), oldest first


def editions() -> list[str]:
    """The forecast editions imported, newest first."""
    with read_session() as session:
        return list(
            session.scalars(
                select(RiskObservation.edition)
                .where(RiskObservation.source == signals.SOURCE, RiskObservation.kind == "forecast")
                .distinct()
                .order_by(RiskObservation.edition.desc())
            )
        )


def horizon_scan(
    *,
    actor: Actor,
    edition: str | None = None,
    threshold: float = 5.0,
    top: int = 10,
    below: int = 60,
) -> HorizonScan:
    """The horizon scan of ``edition`` (default: the newest imported)."""
    if not access.can(actor, "page.signals"):
        raise PermissionDenied("You do not have access to the statistical risk.")
    if not isinstance(threshold, int | float) or not 0.1 <= threshold <= 100:
        raise ValidationError("Give a risk threshold from 0.1 to 100 %.", field="threshold")
    if not (1 <= top < below <= signals.RANKS):
        raise ValidationError(
            f"The top ranks must lie above the tier 1 rank, both from 1 to {signals.RANKS}.",
            field="top",
        )
    known = editions()
    edition = edition or (known[0] if known else None)
    if edition not in known:
        raise ValidationError("That edition is not imported.", field="edition")
    with read_session() as session:
        previous, moved = signals.movements(session, edition)
        period = moved[0].now.period if moved else ""
        history_edition = session.scalar(
            select(func.max(RiskObservation.edition)).where(
                RiskObservation.kind == "history", RiskObservation.edition <= edition
            )
        )
        history: dict[str, list[tuple[int, float]]] = {}
        for code, year, risk in session.execute(
            select(RiskObservation.country_code, RiskObservation.period, RiskObservation.risk)
            .where(RiskObservation.kind == "history", RiskObservation.edition == history_edition)
            .order_by(RiskObservation.data_year)
        ):
            history.setdefault(code, []).append((int(year), risk))
    rising = sorted(
        (m for m in moved if m.rise is not None), key=lambda m: abs(m.rise), reverse=True
    )
    divergences = []
    for m in sorted(moved, key=lambda m: m.now.rank or signals.RANKS):
        rank = m.now.rank
        if rank is None:
            continue
        if m.tier in (None, 3) and rank <= top:
            where = "off the watchlist" if m.tier is None else "tier 3"
            divergences.append((m, f"{where}, ranked {rank}"))
        elif m.tier == 1 and rank > below:
            divergences.append((m, f"tier 1, ranked {rank}"))
    scan = HorizonScan(
        edition=edition,
        previous_edition=previous,
        period=period,
        threshold=float(threshold),
        top=top,
        below=below,
        movers=rising[:MOVERS],
        unwatched_above=sorted(
            (m for m in moved if m.tier is None and m.now.risk * 100 >= threshold),
            key=lambda m: -m.now.risk,
        ),
        divergences=divergences,
        open_signals=signals.list_signals(actor=actor, status="open"),
        trends={},
    )
    named = {m.country_code for m in [*scan.movers, *scan.unwatched_above]}
    named |= {m.country_code for m, _ in scan.divergences}
    named |= {row.signal.country_code for row in scan.open_signals}
    scan.trends.update({code: history[code] for code in named if len(history.get(code, ())) >= 2})
    return scan
