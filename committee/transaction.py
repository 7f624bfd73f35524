"""One write transaction per service call: permission, validation, write and audit together.

    with writing(actor, "action_item.update") as w:
        item = w.get(ActionItem, item_id)
        w.require("action.update", record=item, agency_id=item.owner_agency_id)
        ...validate...
        w.touch(item, seen_version=seen_version, status="done")
        w.audit(item, before=before)

Services compose: a ``writing()`` opened while another is open in the same thread joins it (a
context variable holds the open one). The inner service still checks its own permission and
records its own audit event, but commits nothing; the outermost commits or rolls back the whole.
So a service that needs another area's rule calls that area's service, inside its own
transaction, and the rule is written once.

If a permission check fails, at any depth, the whole transaction is rolled back and the refusal
is recorded once, in an audit transaction of its own, under the refused service's action. A
transaction that writes without recording an audit event is a bug and is rolled back.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy import func, inspect, select, text, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel

from committee import access, audit, clock
from committee.actor import Actor
from committee.errors import Conflict, NotFound, PermissionDenied
from committee.naming import person_name
from db.engine import write_session
from db.models import AuditEvent, User

# The write transaction open in this thread (Streamlit runs each session's script in a thread
# of its own, so people never share one), for services called inside another to join.
_open_writing: ContextVar["Writing | None"] = ContextVar("open_writing", default=None)


def one_at_a_time(session: Session, topic: str) -> None:
    """Hold ``topic`` until the session's transaction ends: another writer asking for it waits
    its turn instead of racing (a year's alert numbers, one email's sign-in attempts).
    SQLite's write transactions already run one at a time (BEGIN IMMEDIATE); PostgreSQL's run
    together, so there a transaction-scoped advisory lock on the topic does it."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:topic, 0))"), {"topic": topic}
        )


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
    found_nothing_to_do: bool = False

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

    def nothing_to_do(self) -> None:
        """This call found nothing to change (a trigger whose work is already done): it writes
        nothing, so it records no audit event."""
        self.found_nothing_to_do = True

    def touch(self, record: SQLModel, *, seen_version: int | None = None, **values) -> None:
        """Save a change to a record people edit, as its next version.

        ``values``, and any attribute already changed on ``record`` in this transaction, are
        written with ``version + 1`` and a new ``updated_at``, but only if the record is still
        at ``seen_version``: the version the person had on screen when they acted (None: the
        version read in this transaction, for changes nobody typed). The check and the write
        are one ``UPDATE ... WHERE version = :seen``, so two people saving at once cannot both
        win, on SQLite or PostgreSQL; the loser gets a ``Conflict`` showing the record as the
        winner left it. A record whose model names ``CALENDAR_FIELDS`` (a meeting's time, place
        and title) also takes the next calendar SEQUENCE when one of them changes, or when its
        status enters or leaves one of ``CALENDAR_STATUSES`` (cancelled), never otherwise.
        """
        model = type(record)
        for key, value in values.items():
            setattr(record, key, value)
        state = inspect(record)
        changed = {attr.key: attr.value for attr in state.attrs if attr.history.has_changes()}
        seen = record.version if seen_version is None else seen_version
        if _seen_by_calendars(model, state, changed):
            history = state.attrs.calendar_sequence.history
            stored = history.deleted[0] if history.deleted else record.calendar_sequence
            changed["calendar_sequence"] = stored + 1
        changed |= {"version": seen + 1, "updated_at": clock.now()}
        mapper = inspect(model)
        identity = zip(mapper.primary_key, mapper.primary_key_from_instance(record), strict=True)
        statement = (
            update(model)
            .where(*(column == value for column, value in identity), model.version == seen)
            .values(**changed)
            .execution_options(synchronize_session=False)
        )
        # No autoflush: the record's pending changes go out in this one guarded UPDATE, never
        # in an unguarded one before it.
        with self.session.no_autoflush:
            if self.session.execute(statement).rowcount == 1:
                for key, value in changed.items():
                    set_committed_value(record, key, value)
                return
            self.session.refresh(record)
        raise Conflict(
            f"Someone else changed this {record_type_of(record).replace('_', ' ')} "
            "while you were editing it. Their version is shown; your input is kept.",
            current=audit.snapshot(record),
            changed_by=_last_editor(self.session, record),
        )


def _seen_by_calendars(model: type[SQLModel], state, changed: dict) -> bool:
    if set(changed) & set(getattr(model, "CALENDAR_FIELDS", ())):
        return True
    statuses = getattr(model, "CALENDAR_STATUSES", ())
    if "status" not in changed or not statuses:
        return False
    return bool({*state.attrs.status.history.deleted, changed["status"]} & set(statuses))


def _last_editor(session: Session, record: SQLModel) -> str:
    return (
        session.scalar(
            select(func.coalesce(person_name(), AuditEvent.actor_label))
            .outerjoin(User, User.id == AuditEvent.actor_id)
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
    """Open the transaction of a service call, or join the one open in this thread (see the
    module's docstring)."""
    outer = _open_writing.get()
    if outer is not None:
        with _joined(outer, actor, action) as work:
            yield work
        return
    try:
        with write_session() as session:
            with _held(Writing(session=session, actor=actor, action=action)) as work:
                yield work
    except PermissionDenied as refusal:
        # Recorded only now, after the rollback: on SQLite a second write transaction could not
        # begin while this one held the write lock.
        audit.record_alone(
            actor=refusal.refused_actor or actor,
            action=refusal.refused_action or action,
            outcome="refused",
            record_type=refusal.record_type,
            record_id=refusal.record_id,
            detail=f"permission {refusal.permission} refused",
        )
        raise


@contextmanager
def _joined(outer: Writing, actor: Actor, action: str) -> Iterator[Writing]:
    """A service inside another's transaction: a savepoint of its own, so that a failure the
    outer service catches leaves nothing of it behind."""
    with outer.session.begin_nested():
        with _held(Writing(session=outer.session, actor=actor, action=action)) as work:
            yield work


@contextmanager
def _held(work: Writing) -> Iterator[Writing]:
    """``work`` is the open writing while the service runs; it must have audited its write."""
    token = _open_writing.set(work)
    try:
        yield work
        if not work.events and not work.found_nothing_to_do:
            raise RuntimeError(f"{work.action} wrote without recording an audit event")
    except PermissionDenied as refusal:
        if not refusal.refused_action:  # the innermost service is the one refused
            refusal.refused_action, refusal.refused_actor = work.action, work.actor
        raise
    finally:
        _open_writing.reset(token)
