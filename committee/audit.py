"""The audit trail: append-only, written in the same transaction as the change it records."""

import json
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from committee import clock
from committee.actor import Actor
from db.engine import write_session
from db.models import AuditEvent

HIDDEN_FIELDS = {"password_hash", "token_hash"}


def snapshot(record: SQLModel | None) -> dict | None:
    """A record as JSON-ready values, secrets left out."""
    if record is None:
        return None
    data = json.loads(record.model_dump_json())
    return {k: v for k, v in data.items() if k not in HIDDEN_FIELDS}


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    record_type: str = "",
    record_id="",
    before: dict | None = None,
    after: dict | None = None,
    outcome: str = "ok",
    detail: str = "",
) -> AuditEvent:
    event = AuditEvent(
        at=clock.now(),
        actor_id=actor.id if actor else None,
        actor_label=actor.label if actor else "anonymous",
        action=action,
        outcome=outcome,
        record_type=record_type,
        record_id=str(record_id or ""),
        before=before,
        after=after,
        detail=detail,
    )
    session.add(event)
    return event


def record_alone(**fields) -> None:
    """Record an event in its own transaction (refusals and failed sign-ins, whose own
    transaction was rolled back or never began)."""
    with write_session() as session:
        record(session, **fields)


def count_since(
    session: Session, *, action: str, record_type: str, record_id, since: datetime
) -> int:
    return session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.record_type == record_type,
            AuditEvent.record_id == str(record_id),
            AuditEvent.action == action,
            AuditEvent.at >= since,
        )
    )
