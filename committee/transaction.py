"""One write transaction per service call: permission, validation, write and audit together.

    with writing(actor, "action_item.update") as w:
        item = w.get(ActionItem, item_id)
        w.require("action.update", record=item, agency_id=item.owner_agency_id)
        ...validate, change...
        w.audit(item, before=before)

If the permission check fails, the transaction is rolled back and the refusal is recorded in
an audit transaction of its own. A transaction that writes without recording an audit event
is a bug and is rolled back.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlmodel import Session, SQLModel

from committee import access, audit, clock
from committee.actor import Actor
from committee.errors import Conflict, NotFound, PermissionDenied
from db.engine import write_session
from db.models import AuditEvent


def record_type_of(record: SQLModel | type[SQLModel]) -> str:
    table = getattr(record, "__tablename__", "")
    return table if isinstance(table, str) else type(record).__name__.lower()


def record_key(record: SQLModel) -> str:
    identity = record.__mapper__.primary_key_from_instance(record)
    return "/".join(str(part) for part in identity)


@dataclass
class Writing:
    session: Session
    actor: Actor
    action: str
    events: list[AuditEvent] = field(default_factory=list)

    def require(self, permission: str, *, record: SQLModel | None = None, **target) -> None:
        """Refuse unless the policy allows ``permission`` on ``target``."""
        if not access.can(self.actor, permission, **target):
            raise PermissionDenied(
                "You do not have permission to do this.",
                permission=permission,
                record_type=record_type_of(record) if record is not None else "",
                record_id=record_key(record) if record is not None else "",
            )

    def get(self, model: type[SQLModel], key, *, what: str = "") -> SQLModel:
        found = self.session.get(model, key) if key is not None else None
        if found is None:
            raise NotFound(f"{what or model.__name__} {key} does not exist.")
        return found

    def audit(
        self,
        record: SQLModel | None = None,
        *,
        before: dict | None = None,
        after: dict | None | bool = True,
        record_type: str = "",
        record_id="",
        detail: str = "",
    ) -> None:
        """Record this write. ``after=True`` (the default) snapshots ``record`` as it now is."""
        if record is not None:
            self.session.flush()
            record_type = record_type or record_type_of(record)
            record_id = record_id or record_key(record)
        if after is True:
            after = audit.snapshot(record)
        self.events.append(
            audit.record(
                self.session,
                actor=self.actor,
                action=self.action,
                record_type=record_type,
                record_id=record_id,
                before=before,
                after=after or None,
                detail=detail,
            )
        )

    def update_versioned(self, record: SQLModel, *, seen_version: int, **values) -> None:
        """Change ``record`` only if nobody changed it since its author read ``seen_version``.

        The check and the write are one ``UPDATE ... WHERE id = :id AND version = :seen``, so
        two people saving at once cannot both win, on SQLite or PostgreSQL.
        """
        model = type(record)
        values = {**values, "version": seen_version + 1, "updated_at": clock.now()}
        statement = (
            update(model)
            .where(model.id == record.id, model.version == seen_version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if self.session.execute(statement).rowcount != 1:
            self.session.refresh(record)
            raise Conflict(
                f"Someone else changed this {record_type_of(record).replace('_', ' ')} "
                "while you were editing it. Their version is shown; your input is kept.",
                current=audit.snapshot(record),
                changed_by=_last_editor(self.session, record),
            )
        self.session.refresh(record)


def _last_editor(session: Session, record: SQLModel) -> str:
    return (
        session.scalar(
            select(AuditEvent.actor_label)
            .where(
                AuditEvent.record_type == record_type_of(record),
                AuditEvent.record_id == record_key(record),
                AuditEvent.outcome == "ok",
            )
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
        or ""
    )


@contextmanager
def writing(actor: Actor, action: str) -> Iterator[Writing]:
    """Open the one transaction of a service call (see the module's docstring)."""
    try:
        with write_session() as session:
            work = Writing(session=session, actor=actor, action=action)
            yield work
            if not work.events:
                raise RuntimeError(f"{action} wrote without recording an audit event")
    except PermissionDenied as refusal:
        audit.record_alone(
            actor=actor,
            action=action,
            outcome="refused",
            record_type=refusal.record_type,
            record_id=refusal.record_id,
            detail=f"permission {refusal.permission} refused",
        )
        raise
