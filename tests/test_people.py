"""Sign-in, lock-out, accounts and passwords, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from conftest import DEMO_DAY
from sqlalchemy import select

from committee import people as accounts
from committee.errors import ValidationError
from db.engine import read_session
from db.models import AuditEvent, User

PASSWORD = "correct horse battery"


def events(action: str) -> list[AuditEvent]:
    with read_session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_sign_in_returns_the_person_with_role_and_agency(db, people):
    actor = accounts.sign_in(email="  REP@test.example ", password=PASSWORD).actor
    assert (actor.email, actor.role, actor.agency_code) == (
        "rep@test.example",
        "agency_rep",
        "STATE",
    )
    [event] = events("signin.ok")
    assert event.actor_id == actor.id and event.outcome == "ok"


def test_wrong_email_and_wrong_password_get_the_same_message(db, people):
    with pytest.raises(accounts.SignInFailed) as unknown:
        accounts.sign_in(email="nobody@test.example", password=PASSWORD)
    with pytest.raises(accounts.SignInFailed) as wrong:
        accounts.sign_in(email="chair@test.example", password="not the password")
    assert str(unknown.value) == str(wrong.value) == accounts.SIGN_IN_FAILED
    assert [e.record_id for e in events("signin.failed")] == [
        "nobody@test.example",
        "chair@test.example",
    ]


def test_five_failures_lock_the_email_for_fifteen_minutes(db, people, frozen_clock):
    for _ in range(accounts.LOCKOUT_FAILURES):
        with pytest.raises(accounts.SignInFailed):
            accounts.sign_in(email="chair@test.example", password="guess")
    with pytest.raises(accounts.SignInFailed, match="Too many failed sign-ins"):
        accounts.sign_in(email="chair@test.example", password=PASSWORD)
    assert len(events("signin.locked")) == 1
    # Another person is not affected, and the lock ends after 15 minutes.
    accounts.sign_in(email="rep@test.example", password=PASSWORD)
    frozen_clock(DEMO_DAY + timedelta(minutes=15, seconds=1))
    assert accounts.sign_in(email="chair@test.example", password=PASSWORD).actor.role == "chair"


def test_an_unknown_email_locks_the_same_way(db, people):
    for _ in range(accounts.LOCKOUT_FAILURES):
        with pytest.raises(accounts.SignInFailed, match="do not match"):
            accounts.sign_in(email="ghost@test.example", password="guess")
    with pytest.raises(accounts.SignInFailed, match="Too many"):
        accounts.sign_in(email="ghost@test.example", password="guess")


def test_a_disabled_account_cannot_sign_in(db, people, operator):
    accounts.set_active(actor=operator, email="observer@test.example", active=False)
    with pytest.raises(accounts.SignInFailed, match="do not match"):
        accounts.sign_in(email="observer@test.example", password=PASSWORD)


def test_passwords_are_stored_as_argon2_hashes(db, people):
    with read_session() as session:
        stored = session.scalar(
            select(User.password_hash).where(User.email == "chair@test.example")
        )
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    with read_session() as session:
        recorded = [e.after for e in session.scalars(select(AuditEvent)) if e.after]
    assert recorded and not any("password_hash" in after for after in recorded)


def test_change_own_password(db, people):
    chair = people["chair"]
    with pytest.raises(ValidationError) as wrong:
        accounts.change_own_password(actor=chair, current_password="nope", new_password="x" * 20)
    assert wrong.value.field == "current_password"
    with pytest.raises(ValidationError) as short:
        accounts.change_own_password(actor=chair, current_password=PASSWORD, new_password="short")
    assert short.value.field == "password"
    accounts.change_own_password(
        actor=chair, current_password=PASSWORD, new_password="a brand new passphrase"
    )
    assert (
        accounts.sign_in(email=chair.email, password="a brand new passphrase").actor.id == chair.id
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"name": "  "}, "name"),
        ({"role": "emperor"}, "role"),
        ({"role": "agency_rep", "agency_id": None}, "agency"),
        ({"email": "chair@test.example"}, "email"),
        ({"password": "short"}, "password"),
    ],
)
def test_add_user_refuses_bad_input_and_writes_nothing(db, people, operator, fields, field):
    values = {
        "email": "new@test.example",
        "name": "New Person",
        "role": "observer",
        "agency_id": None,
        "password": "long enough password",
    } | fields
    before = len(accounts.directory())
    with pytest.raises(ValidationError) as refused:
        accounts.add_user(actor=operator, **values)
    assert refused.value.field == field
    assert len(accounts.directory()) == before


def test_a_representative_made_observer_is_unlinked_from_the_agency_knowingly(db, people):
    rep = accounts.user_by_email("rep@test.example")
    change = dict(actor=people["admin"], user_id=rep.id, seen_version=rep.version, name=rep.name)
    with pytest.raises(ValidationError, match="Only an agency representative") as kept:
        accounts.update_user(**change, role="observer", agency_id=rep.agency_id, active=True)
    assert kept.value.field == "agency"
    assert accounts.user_by_email("rep@test.example").role == "agency_rep"

    accounts.update_user(**change, role="observer", agency_id=None, active=True)
    observer = accounts.user_by_email("rep@test.example")
    assert (observer.role, observer.agency_id) == ("observer", None)
    [event] = events("user.update")
    assert (event.before["agency_id"], event.after["agency_id"]) == (rep.agency_id, None)
