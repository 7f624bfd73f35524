"""The one-click links of the mail, over HTTP from the real server: an invitation's answer and
a digest's unsubscribe. Opening a link changes nothing (mail scanners open links); its one
button does it, without a sign-in; a tampered link is refused."""

import re
import urllib.error
import urllib.request

from sqlalchemy import select

from committee import invitations, meetings, notices, people, reminders
from committee.actor import Actor
from db import engine as db_engine
from db.engine import read_session
from db.models import Invitation, OutboxMessage, User


def fetch(url: str, *, post: bool = False) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=b"" if post else None, method="POST" if post else "GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_link_asks_then_records_the_answer_without_a_sign_in(served_app):
    db_engine.use_database(served_app["database_url"])
    meeting = meetings.list_meetings(when="upcoming").rows[0].meeting
    invitations.send_invitations(actor=Actor.operator("pytest"), meeting_id=meeting.id)
    with read_session() as session:
        body = session.scalar(
            select(OutboxMessage.body).where(OutboxMessage.recipient == "rep.state@apc.example")
        )
    token = re.search(r"Accept: \S+/reply/(\S+)", body).group(1)
    link = f"{served_app['url']}/reply/{token}"

    def answer() -> str:
        with read_session() as session:
            return session.scalar(
                select(Invitation.reply)
                .join(User, User.id == Invitation.user_id)
                .where(User.email == "rep.state@apc.example", Invitation.meeting_id == meeting.id)
            )

    status, page = fetch(link)
    assert status == 200 and "Record my answer" in page and "accepted" in page
    assert answer() == "needs_action"
    status, page = fetch(link, post=True)
    assert status == 200 and "your answer is recorded as <b>accepted</b>" in page
    assert answer() == "accepted"
    status, page = fetch(link[:-4] + "AAAA", post=True)
    assert status == 400 and "not valid" in page
    assert answer() == "accepted"


def test_the_digest_unsubscribe_link_asks_then_stops_that_kind(served_app):
    db_engine.use_database(served_app["database_url"])
    reminders.send_digests(actor=Actor.operator("worker"))
    with read_session() as session:
        body = session.scalar(
            select(OutboxMessage.body).where(
                OutboxMessage.kind == "digest", OutboxMessage.recipient == "observer@apc.example"
            )
        )
    token = re.search(r"weekly digest.*?/unsubscribe/(\S+)", body).group(1)
    link = f"{served_app['url']}/unsubscribe/{token}"
    observer = people.actor_for(people.user_by_email("observer@apc.example"))

    def digest_choice() -> str:
        return {c.kind: c.delivery for c in notices.my_choices(actor=observer)}["digest"]

    status, page = fetch(link)
    assert status == 200 and "Stop it" in page and digest_choice() == "digest"
    status, page = fetch(link, post=True)
    assert status == 200 and "no longer comes by mail" in page
    assert digest_choice() == "never"
