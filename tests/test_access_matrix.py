"""The access matrix: every service function that writes, called by every role.

For each writing service, ``WRITES`` names who may call it. The test calls it as each role on
the demo record: an allowed role's call succeeds and leaves exactly one audit event; a refused
role's call raises PermissionDenied, changes nothing, and leaves one refusal in the audit trail.
A writing service missing from ``WRITES`` fails the completeness test, so a new service cannot
slip past the policy.

To add a service: a ``Case`` whose ``call(actor, n)`` makes a valid call (``n`` is unique per
call, for unique names), and the set of roles allowed (keys of ``ROLES``).
"""

import ast
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from committee import people, settings
from committee.errors import PermissionDenied
from db.engine import read_session
from db.models import AuditEvent, User

ROLES = {
    "admin": "admin@apc.example",
    "chair": "chair@apc.example",
    "rep": "rep.state@apc.example",  # STATE: the owner of the records the cases touch
    "other_rep": "rep.usaid@apc.example",
    "observer": "observer@apc.example",
}
STAFF = {"admin", "chair"}
EVERYONE = set(ROLES)


@dataclass
class Case:
    call: Callable  # (actor, n) -> None
    allowed: set[str]


def _user_id(email: str) -> int:
    return people.user_by_email(email).id


WRITES: dict[str, Case] = {
    "committee.people.add_agency": Case(
        lambda actor, n: people.add_agency(actor=actor, code=f"AG{n}", name=f"Agency {n}"),
        {"admin"},
    ),
    "committee.people.add_user": Case(
        lambda actor, n: people.add_user(
            actor=actor,
            email=f"new{n}@apc.example",
            name="New",
            role="observer",
            password="a long enough password",
        ),
        {"admin"},
    ),
    "committee.people.update_user": Case(
        lambda actor, n: people.update_user(
            actor=actor,
            user_id=_user_id("observer@apc.example"),
            seen_version=people.user_by_email("observer@apc.example").version,
            name=f"Observer {n}",
            role="observer",
            agency_id=None,
            active=True,
        ),
        {"admin"},
    ),
    "committee.people.set_active": Case(
        lambda actor, n: people.set_active(actor=actor, email="rep.fbi@apc.example", active=True),
        {"admin"},
    ),
    "committee.people.set_password": Case(
        lambda actor, n: people.set_password(
            actor=actor, email="rep.fbi@apc.example", new_password=f"another password {n}"
        ),
        {"admin"},
    ),
    "committee.settings.update": Case(
        lambda actor, n: settings.update(actor=actor, key="idle_timeout_minutes", value=30 + n),
        STAFF,
    ),
}
# Writers that are not permission-gated, and why.
NOT_GATED = {
    "committee.people.sign_in": "signing in is how a person gets an identity",
    "committee.people.sign_out": "ends the person's own session",
    "committee.people.change_own_password": "gated by the current password; tested on its own",
    "committee.demo.load_demo": "operator-only bulk load; tested on its own",
}


def writing_services() -> set[str]:
    """Every function under committee/ that opens a write transaction with ``writing(``."""
    found = set()
    root = Path(__file__).resolve().parent.parent / "committee"
    for path in root.rglob("*.py"):
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                calls = [
                    n
                    for n in ast.walk(node)
                    if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "writing"
                ]
                if calls:
                    found.add(f"{module}.{node.name}")
    return found


def test_every_writing_service_is_in_the_matrix():
    missing = writing_services() - set(WRITES) - set(NOT_GATED)
    assert not missing, f"add these to WRITES in {__file__}: {sorted(missing)}"
    stale = (set(WRITES) | set(NOT_GATED)) - writing_services()
    assert not stale, f"no longer writing services: {sorted(stale)}"


def _audit_counts() -> tuple[int, int]:
    with read_session() as session:
        ok = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "ok")
        )
        refused = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "refused")
        )
    return ok, refused


@pytest.fixture
def actors(sqlite_db, demo, frozen_clock):
    result = {}
    with read_session() as session:
        for role, email in ROLES.items():
            user = session.scalar(select(User).where(User.email == email))
            agency = (
                people.agency_by_code("STATE" if role == "rep" else "USAID")
                if (role in ("rep", "other_rep"))
                else None
            )
            result[role] = people.actor_for(user, agency)
    return result


@pytest.mark.parametrize("service", sorted(WRITES))
def test_access_matrix(service, actors):
    case = WRITES[service]
    counter = itertools.count(1)
    for role, actor in actors.items():
        ok_before, refused_before = _audit_counts()
        if role in case.allowed:
            case.call(actor, next(counter))
            assert _audit_counts() == (ok_before + 1, refused_before), (
                f"{service} as {role}: one audit event per write"
            )
        else:
            with pytest.raises(PermissionDenied):
                case.call(actor, next(counter))
            assert _audit_counts() == (ok_before, refused_before + 1), (
                f"{service} as {role}: a refusal is audited, nothing else written"
            )
