"""Calendar feeds: secret tokens kept only as hashes, what a token resolves to, and the feed
served over HTTP by the real server (``server.py``) for a valid, a wrong and a revoked
token."""

import hashlib
import urllib.error
import urllib.request

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from committee import feeds, links
from committee import people as directory
from committee.actor import Actor
from committee.errors import PermissionDenied, ValidationError
from db import engine as db_engine
from db.engine import read_session
from db.models import ActionItem, AuditEvent, CalendarFeed, Meeting
from db.models.actions import CLOSED_STATUSES
from exports import calendar


def token_of(new: feeds.NewFeed) -> str:
    return new.url.rsplit("/", 1)[1].removesuffix(".ics")


# --- tokens ---------------------------------------------------------------------------------


def test_the_token_is_shown_once_and_only_its_hash_is_kept(db, people):
    new = feeds.create_feed(actor=people["rep"], scope="agency")
    token = token_of(new)
    assert new.url == f"http://localhost:8501/feeds/{token}.ics"
    assert len(token) >= 40
    with read_session() as s:
        stored = s.get(CalendarFeed, new.feed.id)
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action.like("calendar_feed%"))))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert [e.action for e in events] == ["calendar_feed.create"]
    assert token not in str(events[0].after) and "token_hash" not in events[0].after
    assert feeds.create_feed(actor=people["rep"], scope="agency").url != new.url


def test_a_token_resolves_to_its_person_and_scope(db, people):
    personal = token_of(feeds.create_feed(actor=people["rep"], scope="personal"))
    agency = token_of(feeds.create_feed(actor=people["rep"], scope="agency"))

    mine = feeds.resolve(personal)
    assert (mine.scope, mine.assignee_id, mine.agency_id) == ("personal", people["rep"].id, None)
    theirs = feeds.resolve(agency)
    assert (theirs.scope, theirs.assignee_id, theirs.agency_code) == ("agency", None, "STATE")
    assert theirs.agency_id == people["rep"].agency_id
    for wrong in ("", "x", personal[:-1], personal + "x", "a" * 500):
        assert feeds.resolve(wrong) is None


def test_revoked_feeds_and_disabled_people_get_nothing(db, people, operator):
    first = feeds.create_feed(actor=people["rep"], scope="personal")
    second = feeds.create_feed(actor=people["other_rep"], scope="agency")
    feeds.revoke_feed(actor=people["rep"], feed_id=first.feed.id)
    assert feeds.resolve(token_of(first)) is None
    with pytest.raises(ValidationError, match="already revoked"):
        feeds.revoke_feed(actor=people["rep"], feed_id=first.feed.id)
    assert [f.revoked_at is not None for f in feeds.my_feeds(actor=people["rep"])] == [True]

    directory.set_active(actor=operator, email="other_rep@test.example", active=False)
    assert feeds.resolve(token_of(second)) is None


def test_an_agency_feed_ends_when_its_owner_no_longer_speaks_for_an_agency(db, people, operator):
    new = feeds.create_feed(actor=people["rep"], scope="agency")
    user = directory.user_by_email("rep@test.example")
    directory.update_user(
        actor=operator,
        user_id=user.id,
        seen_version=user.version,
        name=user.name,
        role="observer",
        agency_id=None,
        active=True,
    )
    assert feeds.resolve(token_of(new)) is None


def test_only_the_owner_revokes_a_feed_and_a_refusal_is_audited(db, people):
    new = feeds.create_feed(actor=people["rep"], scope="personal")
    with pytest.raises(PermissionDenied):
        feeds.revoke_feed(actor=people["chair"], feed_id=new.feed.id)
    assert feeds.resolve(token_of(new)) is not None
    with read_session() as s:
        refusals = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "calendar_feed.revoke", AuditEvent.outcome == "refused")
        )
    assert refusals == 1


def test_an_agency_feed_needs_an_agency(db, people):
    with pytest.raises(ValidationError, match="needs an agency"):
        feeds.create_feed(actor=people["chair"], scope="agency")
    with pytest.raises(ValidationError):
        feeds.create_feed(actor=people["rep"], scope="everything")


# --- over HTTP, from the real server --------------------------------------------------------


@pytest.fixture
def feed_server(served_app):
    """The real server; the test process points at the same file to make and revoke feeds."""
    return served_app["url"], served_app["database_url"]


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def actor(email: str) -> Actor:
    user = directory.user_by_email(email)
    agency = next((a for a in directory.list_agencies() if a.id == user.agency_id), None)
    return directory.actor_for(user, agency)


def test_the_feed_over_http(feed_server):
    base, url = feed_server
    db_engine.use_database(url)
    rep = actor("rep.usaid@apc.example")
    address = feeds.create_feed(actor=rep, scope="agency").url.replace(links.base_url(), base)

    status, headers, body = fetch(address)
    assert status == 200
    assert headers["content-type"] == "text/calendar; charset=utf-8"
    assert "no-store" in headers["cache-control"]
    cal = Calendar.from_ical(body)
    with read_session() as s:
        meetings = set(s.scalars(select(Meeting.calendar_uid).where(Meeting.status != "cancelled")))
        items = set(
            s.scalars(
                select(ActionItem.id).where(
                    ActionItem.owner_agency_id == rep.agency_id,
                    ActionItem.status.not_in(CLOSED_STATUSES),
                )
            )
        )
    assert {str(e["UID"]) for e in cal.walk("VEVENT")} == meetings
    assert {str(t["UID"]) for t in cal.walk("VTODO")} == {
        calendar.action_item_uid(i) for i in items
    }
    assert b"video.example.gov" not in body and b"Agenda:" not in body

    # A token never issued, and one cut short, get the same plain refusal.
    for wrong in (f"{base}/feeds/{'A' * 43}.ics", address.replace(".ics", "x.ics")):
        status, _, body = fetch(wrong)
        assert status == 404 and b"BEGIN:VCALENDAR" not in body

    feeds.revoke_feed(actor=rep, feed_id=feeds.my_feeds(actor=rep)[0].id)
    status, _, body = fetch(address)
    assert status == 404 and b"BEGIN:VCALENDAR" not in body


def test_a_personal_feed_carries_only_the_persons_own_items(feed_server):
    base, url = feed_server
    db_engine.use_database(url)
    rep = actor("rep.usaid@apc.example")
    address = feeds.create_feed(actor=rep, scope="personal").url.replace(links.base_url(), base)
    status, _, body = fetch(address)
    with read_session() as s:
        mine = set(
            s.scalars(
                select(ActionItem.id).where(
                    ActionItem.assignee_id == rep.id, ActionItem.status.not_in(CLOSED_STATUSES)
                )
            )
        )
    uids = {str(t["UID"]) for t in Calendar.from_ical(body).walk("VTODO")}
    assert status == 200 and mine
    assert uids == {calendar.action_item_uid(i) for i in mine}
