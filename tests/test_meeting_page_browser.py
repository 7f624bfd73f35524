"""In Chromium, the meeting's page (issue 18): a cancelled meeting offers its cancellation to
download and to send, and no video call to join; moving a meeting says where it went, and
leaves the read-ahead's menu closed."""

import pytest
from conftest import settle
from playwright.sync_api import expect
from sqlalchemy import select

from db import engine as db_engine
from db.engine import read_session
from db.models import Meeting

pytestmark = pytest.mark.browser


@pytest.fixture
def scheduled(served_app):
    """The demo's scheduled meetings with a video link, soonest first, read from the served
    app's database."""
    db_engine.use_database(served_app["database_url"])
    with read_session() as session:
        return list(
            session.scalars(
                select(Meeting)
                .where(Meeting.status == "scheduled", Meeting.video_link != "")
                .order_by(Meeting.starts_at)
            )
        )


def open_meeting(page, served_app, meeting_id: int) -> None:
    page.goto(f"{served_app['url']}/meeting?id={meeting_id}")
    settle(page)


def test_moving_a_meeting_says_where_it_went_and_opens_no_menu(
    served_app, page, sign_in, scheduled
):
    """Issue 18, points 11 and 14: a day that does not exist, typed into the date, becomes
    another; the confirmation says which, in words. The read-ahead's menu stays closed."""
    meeting = scheduled[0]
    sign_in(served_app["url"], "chair@apc.example")
    open_meeting(page, served_app, meeting.id)
    page.get_by_role("button", name="Move").click()
    form = page.get_by_test_id("stForm")
    # 30 January, then February: the field keeps the day within the month, 28 February.
    form.get_by_role("spinbutton", name="day, Date").press_sequentially("30")
    form.get_by_role("spinbutton", name="month, Date").press_sequentially("02")
    page.screenshot(path="/tmp/meeting-move-form.png")
    form.get_by_label("Why it moves").fill("The chair is travelling")
    form.get_by_role("button", name="Move the meeting").click()
    done = page.get_by_text("Meeting moved to Sun 28 Feb 2027, 10:00 EST – 12:00 EST.")
    expect(done).to_be_visible()
    settle(page)
    page.screenshot(path="/tmp/meeting-moved.png", full_page=True)
    expect(page.get_by_role("button", name="Read-ahead (PDF)")).to_be_hidden()
    expect(page.get_by_role("button", name="Move the meeting")).to_be_hidden()
