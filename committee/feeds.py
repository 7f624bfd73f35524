"""Calendar feeds: secret addresses a calendar program subscribes to.

A feed belongs to one person. Its token is shown once, when it is made; only a hash is kept,
so the database never holds a working address. A calendar program fetching the feed does not
sign in: the token stands for the person, so the feed shows only what that person may see,
and stops working when it is revoked or the person's account is disabled.

Scope ``personal``: the meetings and the action items assigned to the person.
Scope ``agency``: the meetings and the open action items of the person's agency.
"""

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from committee import audit, clock, links
from committee.actor import Actor
from committee.errors import PermissionDenied, ValidationError
from committee.transaction import writing
from db.engine import read_session
from db.models import Agency, CalendarFeed, User

SCOPES = ("personal", "agency")
SCOPE_LABELS = {
    "personal": "My meetings and my action items",
    "agency": "Meetings and my agency's action items",
}


def feed_url(token: str) -> str:
    return links.link(f"/feeds/{token}.ics")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewFeed:
    """A feed just made: ``url`` holds the secret token, shown to its owner this once."""

    feed: CalendarFeed
    url: str


@dataclass(frozen=True)
class Subscription:
    """Who a presented token speaks for, and which action items their feed carries: those
    assigned to ``assignee_id`` (personal) or owned by ``agency_id`` (agency), never both."""

    feed_id: int
    scope: str
    user_name: str
    assignee_id: int | None
    agency_id: int | None
    agency_code: str | None


def create_feed(*, actor: Actor, scope: str) -> NewFeed:
    """Make a new feed address for the actor."""
    if scope not in SCOPES:
        raise ValidationError(f"Choose one of: {', '.join(SCOPES)}.", field="scope")
    if scope == "agency" and actor.agency_id is None:
        raise ValidationError(
            "An agency feed needs an agency; you do not speak for one.", field="scope"
        )
    token = secrets.token_urlsafe(32)
    with writing(actor, "calendar_feed.create") as w:
        w.require("account.manage_own")
        feed = CalendarFeed(user_id=actor.id, scope=scope, token_hash=_hash(token))
        w.session.add(feed)
        w.audit(feed)
    return NewFeed(feed=feed, url=feed_url(token))


def revoke_feed(*, actor: Actor, feed_id: int) -> CalendarFeed:
    """Stop one of the actor's own feeds; calendar programs get nothing from it any more."""
    with writing(actor, "calendar_feed.revoke") as w:
        w.require("account.manage_own")
        feed = w.get(CalendarFeed, feed_id, what="Calendar feed")
        if feed.user_id != actor.id:
            raise PermissionDenied(
                "You can revoke only your own calendar feeds.",
                permission="account.manage_own",
                record_type="calendar_feed",
                record_id=feed.id,
            )
        if feed.revoked_at is not None:
            raise ValidationError("This feed is already revoked.", field="feed")
        before = audit.snapshot(feed)
        w.touch(feed, revoked_at=clock.now())
        w.audit(feed, before=before)
    return feed


def my_feeds(*, actor: Actor) -> list[CalendarFeed]:
    """The actor's feeds, active ones first, newest first."""
    with read_session() as session:
        return list(
            session.scalars(
                select(CalendarFeed)
                .where(CalendarFeed.user_id == actor.id)
                .order_by(CalendarFeed.revoked_at.is_not(None), CalendarFeed.created_at.desc())
            )
        )


def resolve(token: str) -> Subscription | None:
    """The subscription a token stands for; None for a wrong or revoked token, a disabled
    account, or an agency feed of someone who no longer speaks for an agency."""
    if not token or len(token) > 100:
        return None
    with read_session() as session:
        row = session.execute(
            select(CalendarFeed, User, Agency.code)
            .join(User, User.id == CalendarFeed.user_id)
            .join(Agency, Agency.id == User.agency_id, isouter=True)
            .where(
                CalendarFeed.token_hash == _hash(token),
                CalendarFeed.revoked_at.is_(None),
                User.active,
            )
        ).first()
    if row is None:
        return None
    feed, user, agency_code = row
    if feed.scope == "agency" and user.agency_id is None:
        return None
    personal = feed.scope == "personal"
    return Subscription(
        feed_id=feed.id,
        scope=feed.scope,
        user_name=user.name,
        assignee_id=user.id if personal else None,
        agency_id=None if personal else user.agency_id,
        agency_code=None if personal else agency_code,
    )
