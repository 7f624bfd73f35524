"""The audit trail: append-only, written in the same transaction as the change it records."""

import json
from datetime import datetime

from sqlalchemy import event as orm_event
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from committee import clock, logs
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
    _log_once_committed(session, event)
    return event


def _log_once_committed(session: Session, event: AuditEvent) -> None:
    """The event in the operations log too, once its transaction commits: what was done, by
    whom and to which record, never the record's contents."""

    def log(_session) -> None:
        logs.event(
            "audit",
            action=event.action,
            outcome=event.outcome,
            person=event.actor_id,
            record_type=event.record_type or None,
            # A sign-in's record is what was typed as the email, sometimes a password.
            record_id=None if event.record_type == "sign_in" else event.record_id or None,
        )

    orm_event.listen(session, "after_commit", log, once=True)


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
