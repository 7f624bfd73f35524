"""Sign-in sessions: who a browser's cookie stands for.

Signing in (``people.record_sign_in``, whatever proved the identity) opens a session: a row
here and a new random token that only the browser keeps, in an HttpOnly cookie; the row keeps
the token's hash. Every click resolves the cookie against the row, so a session lasts across
reloads, tabs and app servers, and ends for everyone at once when it ends here: after the idle
time (Settings), at its absolute end (``APC_SESSION_HOURS``, 12 by default), when the person
signs out (here, or everywhere else from My account), when an administrator ends a person's
sessions, and when an account is disabled or its password reset. Every start and end is in
the audit trail.
"""

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from committee import clock, people, settings
from committee.actor import Actor
from committee.errors import ValidationError
from committee.transaction import Writing, writing
from db.engine import read_session, write_session
from db.models import Agency, SignInSession, User

COOKIE = "apc_session"
# secrets.token_urlsafe(32): 43 characters of the URL-safe alphabet. Anything else a browser
# sends is not a token of ours and is not looked up.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
LIFETIME_VARIABLE = "APC_SESSION_HOURS"
DEFAULT_LIFETIME_HOURS = 12
MAX_LIFETIME_HOURS = 7 * 24
# How stale ``last_seen_at`` may get before a click writes it again: one small write a minute
# per person, not one per click. The idle time-out is counted in minutes, so it stays true.
TOUCH_EVERY = timedelta(minutes=1)
USER_AGENT_LENGTH = 300

# Why a session ended, and what the person is told about it.
ENDED = {
    "signed_out": "You have signed out.",
    "idle": "Your session ended after a period without activity. Please sign in again.",
    "expired": "Your session reached its time limit. Please sign in again.",
    "ended_elsewhere": "You signed this browser out from another one. Please sign in again.",
    "ended_by_admin": "An administrator ended your session. Please sign in again.",
    "account_disabled": "Your account was disabled, so your session ended.",
    "password_reset": "Your password was reset, so your session ended.",
}


@dataclass(frozen=True)
class NewSession:
    """A sign-in just made: ``token`` goes into the browser's cookie and nowhere else."""

    actor: Actor
    token: str
    session_id: int


@dataclass(frozen=True)
class Current:
    """What a browser's cookie stands for on this click: the person (None when signed out),
    their session, whether they must first replace a one-time password, and why a session
    that has ended did so (a key of ``ENDED``, or empty)."""

    actor: Actor | None
    session_id: int | None = None
    must_change_password: bool = False
    ended: str = ""


SIGNED_OUT = Current(actor=None)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime() -> timedelta:
    """How long a session may last however active it is (``APC_SESSION_HOURS``)."""
    value = os.environ.get(LIFETIME_VARIABLE, "").strip() or str(DEFAULT_LIFETIME_HOURS)
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIFETIME_HOURS:
        raise ValidationError(
            f"{LIFETIME_VARIABLE} must be a whole number of hours from 1 to {MAX_LIFETIME_HOURS}.",
            field=LIFETIME_VARIABLE,
        )
    return timedelta(hours=int(value))


def problems() -> list[str]:
    """What is wrong with the session settings, for ``python -m committee check``."""
    try:
        lifetime()
    except ValidationError as error:
        return [str(error)]
    return []


# --- opening and resolving --------------------------------------------------------------------


def start(w: Writing, *, user_id: int, method: str, user_agent: str = "") -> tuple[int, str]:
    """Open a session inside the sign-in's own transaction; returns its id and token. The
    token is new at every sign-in, so a token known before it is worth nothing after it."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    session = SignInSession(
        user_id=user_id,
        token_hash=hash_token(token),
        method=method,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime(),
        user_agent=(user_agent or "")[:USER_AGENT_LENGTH],
    )
    w.session.add(session)
    w.session.flush()
    return session.id, token


def resolve(token: str | None) -> Current:
    """The person a cookie's token stands for now. A missing, malformed, unknown or ended
    token is simply signed out; a session found idle or past its end is ended (and audited)
    here, the first time anyone notices."""
    if not token or not TOKEN_PATTERN.fullmatch(token):
        return SIGNED_OUT
    with read_session() as session:
        row = session.execute(
            select(SignInSession, User, Agency)
            .join(User, User.id == SignInSession.user_id)
            .join(Agency, Agency.id == User.agency_id, isouter=True)
            .where(SignInSession.token_hash == hash_token(token))
        ).first()
    if row is None:
        return SIGNED_OUT
    found, user, agency = row
    if found.ended_at is not None:
        return Current(actor=None, ended=found.end_reason or "")
    actor = people.actor_for(user, agency)
    now = clock.now()
    idle = timedelta(minutes=int(settings.get("idle_timeout_minutes")))
    reason = (
        "account_disabled"
        if not user.active
        else "expired"
        if now >= found.expires_at
        else "idle"
        if now - found.last_seen_at > idle
        else ""
    )
    if reason:
        _expire(found.id, actor=actor, reason=reason)
        return Current(actor=None, ended=reason)
    if now - found.last_seen_at >= TOUCH_EVERY:
        _touch(found.id, now)
    return Current(actor=actor, session_id=found.id, must_change_password=user.must_change_password)


class _AlreadyEnded(Exception):
    """Another click ended the session a moment ago: nothing left to write."""


def _expire(session_id: int, *, actor: Actor, reason: str) -> None:
    try:
        with writing(actor, "session.expire") as w:
            if not _end(w, SignInSession.id == session_id, reason=reason):
                raise _AlreadyEnded
            w.audit(record_type="sign_in_session", record_id=session_id, after={"reason": reason})
    except _AlreadyEnded:
        pass


def _touch(session_id: int, now: datetime) -> None:
    # Bookkeeping, not a change anyone makes: no audit event (one a minute per person would
    # bury the trail); the session's start and end are audited.
    with write_session() as session:
        session.execute(
            update(SignInSession)
            .where(SignInSession.id == session_id, SignInSession.ended_at.is_(None))
            .values(last_seen_at=now)
        )


def _end(w: Writing, condition, *, reason: str) -> int:
    """End the open sessions that match ``condition``; how many there were."""
    return w.session.execute(
        update(SignInSession)
        .where(condition, SignInSession.ended_at.is_(None))
        .values(ended_at=clock.now(), end_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount


def end_all_of(w: Writing, *, user_id: int, reason: str) -> int:
    """End every open session of a person inside the caller's transaction (an account
    disabled, a password reset); how many there were."""
    return _end(w, SignInSession.user_id == user_id, reason=reason)


# --- ending ---------------------------------------------------------------------------------


def sign_out_check(token: str) -> str:
    """The value a sign-out must carry besides the cookie: only a page that holds the token
    can make it, so another site cannot sign people out by posting to the route."""
    return hmac.new(token.encode(), b"sign-out", hashlib.sha256).hexdigest()


def sign_out(*, token: str | None, check: str) -> bool:
    """End the session this token stands for (the person signing out). False, and nothing
    done, when ``check`` is not the token's ``sign_out_check``; a token that stands for no
    open session ends nothing and writes nothing."""
    if not token or not hmac.compare_digest(check, sign_out_check(token)):
        return False
    current = resolve(token)
    if current.actor is None:
        return True
    with writing(current.actor, "signout") as w:
        _end(w, SignInSession.id == current.session_id, reason="signed_out")
        w.audit(record_type="sign_in_session", record_id=current.session_id)
    return True


def end_other_sessions(*, actor: Actor, keep_session_id: int) -> int:
    """Sign the person out everywhere but in this browser; how many sessions ended."""
    with writing(actor, "session.end_others") as w:
        w.require("account.manage_own")
        ended = _end(
            w,
            (SignInSession.user_id == actor.id) & (SignInSession.id != keep_session_id),
            reason="ended_elsewhere",
        )
        w.audit(record_type="app_user", record_id=actor.id, after={"sessions_ended": ended})
    return ended


def end_sessions_of(*, actor: Actor, user_id: int) -> int:
    """An administrator ends all of a person's sessions; how many there were."""
    with writing(actor, "session.end_all") as w:
        w.require("users.manage")
        person = w.get(User, user_id, what="Person")
        ended = end_all_of(w, user_id=person.id, reason="ended_by_admin")
        w.audit(record_type="app_user", record_id=person.id, after={"sessions_ended": ended})
    return ended


def open_sessions(*, actor: Actor) -> list[SignInSession]:
    """The person's sessions still open (not ended, idle or past their end), newest first."""
    now = clock.now()
    idle = timedelta(minutes=int(settings.get("idle_timeout_minutes")))
    with read_session() as session:
        return list(
            session.scalars(
                select(SignInSession)
                .where(
                    SignInSession.user_id == actor.id,
                    SignInSession.ended_at.is_(None),
                    SignInSession.expires_at > now,
                    SignInSession.last_seen_at >= now - idle,
                )
                .order_by(SignInSession.created_at.desc())
            )
        )
