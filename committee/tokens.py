"""Signed links that act without a sign-in: each for one purpose only (a reply to one
invitation, unsubscribing from one kind of notice), so a token made for one can never be used
for another. Signed with ``itsdangerous`` under a secret kept in the database, which every app
process and worker shares; it is made by the first write that needs it."""

import secrets

from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session

from db.engine import read_session
from db.models import Setting

SECRET_KEY = "link_secret"  # a row of the settings table, never shown on the settings page


def _secret(session: Session, *, create: bool) -> str | None:
    row = session.get(Setting, SECRET_KEY)
    if row is None and create:
        row = Setting(key=SECRET_KEY, value=secrets.token_urlsafe(48))
        session.add(row)
        session.flush()
    return row.value if row is not None else None


def sign(session: Session, purpose: str, payload: dict) -> str:
    """A token for ``payload``, good for ``purpose`` only (``session`` is a write session)."""
    return URLSafeSerializer(_secret(session, create=True), salt=purpose).dumps(payload)


def read(purpose: str, token: str) -> dict | None:
    """The payload of a genuine token made for ``purpose``; None for anything else."""
    if not token or len(token) > 500:
        return None
    with read_session() as session:
        secret = _secret(session, create=False)
    if secret is None:
        return None
    try:
        payload = URLSafeSerializer(secret, salt=purpose).loads(token)
    except BadSignature:
        return None
    return payload if isinstance(payload, dict) else None
