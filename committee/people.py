"""Agencies, people, passwords and sign-in."""

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from zxcvbn import zxcvbn

from committee import audit, clock, sessions
from committee.actor import Actor
from committee.errors import CommitteeError, NotFound, ValidationError
from committee.transaction import one_at_a_time, writing
from db.engine import read_session, write_session
from db.models import Agency, User
from db.models.people import ROLES

MIN_PASSWORD_LENGTH = 12
# argon2 hashes any length; the cap only keeps a request from asking it to hash megabytes.
MAX_PASSWORD_LENGTH = 256
# zxcvbn's score: 3 = "safely unguessable" (about 10^10 guesses), enough against offline attack.
MIN_PASSWORD_SCORE = 3
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; a strong start makes a strong whole
# Temporary passwords an admin hands over: no look-alike characters (0/o, 1/l/i).
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
SIGN_IN_FAILED = "That email and password do not match an active account."
LOCKED = "Too many failed sign-ins. Try again in 15 minutes."
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()
# Verifying against this when the email is unknown takes as long as a real check, so the
# answer's timing does not tell which emails exist.
_DUMMY_HASH = _hasher.hash("not a password of anyone's")


class SignInFailed(CommitteeError):
    pass


# --- agencies ---------------------------------------------------------------------------


def list_agencies(*, include_inactive: bool = False) -> list[Agency]:
    with read_session() as session:
        query = select(Agency).order_by(Agency.name)
        if not include_inactive:
            query = query.where(Agency.active)
        return list(session.scalars(query))


def agency_by_code(code: str) -> Agency:
    with read_session() as session:
        agency = session.scalar(select(Agency).where(func.upper(Agency.code) == code.upper()))
    if agency is None:
        known = ", ".join(a.code for a in list_agencies())
        raise NotFound(f"No agency with code {code!r}. Known codes: {known}.")
    return agency


def add_agency(*, actor: Actor, code: str, name: str) -> Agency:
    code, name = code.strip().upper(), name.strip()
    if not re.fullmatch(r"[A-Z0-9_-]{2,16}", code):
        raise ValidationError("Use 2 to 16 letters, digits, - or _.", field="code")
    if not name:
        raise ValidationError("Give the agency's name.", field="name")
    with writing(actor, "agency.add") as w:
        w.require("agencies.manage")
        if w.session.scalar(select(Agency).where((Agency.code == code) | (Agency.name == name))):
            raise ValidationError(f"An agency called {code} or {name} exists.", field="code")
        agency = Agency(code=code, name=name)
        w.session.add(agency)
        w.audit(agency)
    return agency


# --- people -----------------------------------------------------------------------------


def check_password_policy(password: str, *, personal: Iterable[str] = ()) -> None:
    """Length is what makes a password strong (NIST SP 800-63B): no composition rules, but
    at least 12 characters and not one people commonly use. "Commonly used" is zxcvbn's
    judgement: its ranked list of the 30,000 most common passwords (with their l33t, reversed
    and capitalised variants), words, names, keyboard patterns, repeats, sequences and dates.
    ``personal``: the person's own words (email, name), which make a password guessable too."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"Use at least {MIN_PASSWORD_LENGTH} characters; a short sentence works well.",
            field="password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(f"Use at most {MAX_PASSWORD_LENGTH} characters.", field="password")
    personal = [word.lower() for word in personal]
    hints = personal + [part for word in personal for part in re.split(r"[@.\s]+", word) if part]
    verdict = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=hints)
    if verdict["score"] < MIN_PASSWORD_SCORE:
        warning = verdict["feedback"]["warning"] or "That password is too easy to guess."
        raise ValidationError(
            f"{warning} A few unrelated words make a strong password.", field="password"
        )


def temporary_password() -> str:
    """A strong random password for an admin to hand over once, e.g. ``k7mq-x2pf-9trw-hd4c``."""
    groups = ("".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def actor_for(user: User, agency: Agency | None = None) -> Actor:
    return Actor(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        agency_id=user.agency_id,
        agency_code=agency.code if agency else None,
    )


@dataclass(frozen=True)
class Person:
    """A line of the directory of everyone with an account."""

    id: int
    email: str
    name: str
    role: str
    agency_id: int | None
    agency_code: str | None
    active: bool
    awaiting_approval: bool
    created_at: datetime
    last_signed_in_at: datetime | None
    version: int

    @property
    def state(self) -> str:
        if self.awaiting_approval:
            return "Waiting for approval"
        return "Active" if self.active else "Disabled"


def directory(*, include_inactive: bool = True) -> list[Person]:
    """Everyone, by role and name: plain rows, not records to change (a long directory reads
    in a moment)."""
    query = (
        select(
            User.id,
            User.email,
            User.name,
            User.role,
            User.agency_id,
            Agency.code,
            User.active,
            User.awaiting_approval,
            User.created_at,
            User.last_signed_in_at,
            User.version,
        )
        .join(Agency, User.agency_id == Agency.id, isouter=True)
        .order_by(User.role, User.name)
    )
    if not include_inactive:
        query = query.where(User.active)
    with read_session() as session:
        # Core rows, past the ORM's bookkeeping: nothing here is an object to change.
        return [Person(*row) for row in session.connection().execute(query)]


def user_by_email(email: str) -> User:
    with read_session() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"No person with email {email!r}.")
    return user


def users_of_agency(agency_id: int) -> list[User]:
    with read_session() as session:
        return list(
            session.scalars(
                select(User).where(User.agency_id == agency_id, User.active).order_by(User.name)
            )
        )


def _validate_person(email: str, name: str, role: str, agency_id: int | None) -> None:
    if not EMAIL_PATTERN.match(email):
        raise ValidationError("Give a valid email address.", field="email")
    if not name.strip():
        raise ValidationError("Give the person's name.", field="name")
    if role not in ROLES:
        raise ValidationError(f"Role must be one of {', '.join(ROLES)}.", field="role")
    # The agency link is what lets a representative act for an agency; no other role has one,
    # so a representative who becomes anything else is unlinked by the administrator, knowingly.
    if role == "agency_rep" and agency_id is None:
        raise ValidationError("An agency representative needs an agency.", field="agency")
    if role != "agency_rep" and agency_id is not None:
        raise ValidationError(
            "Only an agency representative has an agency: choose — to unlink the agency.",
            field="agency",
        )


def add_user(
    *,
    actor: Actor,
    email: str,
    name: str,
    role: str,
    agency_id: int | None = None,
    password: str | None = None,
    one_time: bool = False,
) -> User:
    """Add a person. ``one_time``: the password is one an administrator hands over, which the
    person must replace at their first sign-in."""
    email = email.strip().lower()
    _validate_person(email, name, role, agency_id)
    if password is not None:
        check_password_policy(password, personal=(email, name))
    with writing(actor, "user.add") as w:
        w.require("users.manage")
        if w.session.scalar(select(User).where(User.email == email)):
            raise ValidationError(f"{email} already has an account.", field="email")
        if agency_id is not None:
            w.get(Agency, agency_id, what="Agency")
        user = User(
            email=email,
            name=name.strip(),
            role=role,
            agency_id=agency_id,
            password_hash=hash_password(password) if password else None,
            must_change_password=one_time and password is not None,
        )
        w.session.add(user)
        w.audit(user)
    return user


def update_user(
    *,
    actor: Actor,
    user_id: int,
    seen_version: int,
    name: str,
    role: str,
    agency_id: int | None,
    active: bool,
) -> User:
    with writing(actor, "user.update") as w:
        w.require("users.manage")
        user = w.get(User, user_id, what="Person")
        _validate_person(user.email, name, role, agency_id)
        if actor.id == user.id and (role != user.role or not active):
            raise ValidationError(
                "You cannot change your own role or disable yourself.", field="role"
            )
        before = audit.snapshot(user)
        if user.active and not active:
            sessions.end_all_of(w, user_id=user.id, reason="account_disabled")
        w.touch(
            user,
            seen_version=seen_version,
            name=name.strip(),
            role=role,
            agency_id=agency_id,
            active=active,
            # An admin's save decides a request for access, whichever way it goes.
            awaiting_approval=False,
        )
        w.audit(user, before=before)
    return user


def set_active(*, actor: Actor, email: str, active: bool) -> User:
    with writing(actor, "user.enable" if active else "user.disable") as w:
        w.require("users.manage")
        user = w.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise NotFound(f"No person with email {email!r}.")
        if actor.id == user.id and not active:
            raise ValidationError("You cannot disable yourself.", field="email")
        before = audit.snapshot(user)
        if not active:
            sessions.end_all_of(w, user_id=user.id, reason="account_disabled")
        w.touch(user, active=active, awaiting_approval=False)  # decided, whichever way
        w.audit(user, before=before)
    return user


def set_password(*, actor: Actor, email: str, new_password: str, one_time: bool = False) -> User:
    """An admin resets someone's password (the page hands over a ``temporary_password()``
    once, ``one_time``: to be replaced at the first sign-in), or the operator sets one at the
    command line. The person's open sessions end: whoever knew the old password is out."""
    with writing(actor, "user.set_password") as w:
        w.require("users.manage")
        user = w.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise NotFound(f"No person with email {email!r}.")
        check_password_policy(new_password, personal=(user.email, user.name))
        w.touch(user, password_hash=hash_password(new_password), must_change_password=one_time)
        sessions.end_all_of(w, user_id=user.id, reason="password_reset")
        w.audit(user, after={"password": "changed", "one_time": one_time})
    return user


def change_own_password(*, actor: Actor, current_password: str, new_password: str) -> None:
    with writing(actor, "user.change_own_password") as w:
        w.require("account.manage_own")
        user = w.get(User, actor.id, what="Person")
        if not _verify(user.password_hash, current_password):
            raise ValidationError("Your current password is not right.", field="current_password")
        check_password_policy(new_password, personal=(user.email, user.name))
        if current_password == new_password:
            raise ValidationError("Choose a password you have not used here.", field="password")
        w.touch(user, password_hash=hash_password(new_password), must_change_password=False)
        w.audit(user, after={"password": "changed"})


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


# --- sign-in ----------------------------------------------------------------------------


def sign_in(*, email: str, password: str, user_agent: str = "") -> "sessions.NewSession":
    """Check a password sign-in and open a session. Failures count per email, known or not,
    so the lock-out and the message never tell which emails have accounts."""
    email = email.strip().lower()
    # One check at a time per email, the attempt counted in the same transaction: parallel
    # guesses wait their turn, so no more than LOCKOUT_FAILURES passwords are ever tried.
    with write_session() as session:
        one_at_a_time(session, f"sign-in {email}")
        failures = audit.count_since(
            session,
            action="signin.failed",
            record_type="sign_in",
            record_id=email,
            since=clock.now() - LOCKOUT_WINDOW,
        )
        row = session.execute(
            select(User, Agency)
            .join(Agency, User.agency_id == Agency.id, isouter=True)
            .where(User.email == email)
        ).first()
        user, agency = row if row else (None, None)
        locked = failures >= LOCKOUT_FAILURES
        ok = not locked and _verify(user.password_hash if user else None, password)
        refused = locked or not ok or user is None or not user.active
        if refused:
            audit.record(
                session,
                actor=None,
                action="signin.locked" if locked else "signin.failed",
                outcome="refused",
                record_type="sign_in",
                record_id=email,
                detail="account locked after repeated failures"
                if locked
                else "inactive account"
                if ok
                else "wrong email or password",
            )
    if refused:
        raise SignInFailed(LOCKED if locked else SIGN_IN_FAILED)
    return record_sign_in(
        user=user, agency=agency, method="password", password=password, user_agent=user_agent
    )


def record_sign_in(
    *,
    user: User,
    agency: Agency | None,
    method: str,
    password: str | None = None,
    user_agent: str = "",
) -> "sessions.NewSession":
    """Open a session for ``user``, whose identity the caller has just proven by ``method``
    (a password here; single sign-on in committee/auth.py): stamp and audit the sign-in.
    A password whose hash uses older argon2 parameters is rehashed while we have it."""
    actor = actor_for(user, agency)
    with writing(actor, "signin.ok") as w:
        stored = w.get(User, user.id)
        stored.last_signed_in_at = clock.now()
        if password and _hasher.check_needs_rehash(stored.password_hash):
            stored.password_hash = hash_password(password)
        session_id, token = sessions.start(w, user_id=user.id, method=method, user_agent=user_agent)
        w.audit(
            record_type="sign_in",
            record_id=user.email,
            after={"method": method, "session": session_id},
        )
    return sessions.NewSession(actor=actor, token=token, session_id=session_id)
