"""In Chromium, the meeting's page (issue 18): a cancelled meeting offers its cancellation to
download and to send, and no video call to join; moving a meeting says where it went, and
leaves the read-ahead's menu closed."""

import re
from pathlib import Path

import pytest
from conftest import settle
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from committee import outbox
from db import engine as db_engine
from db.engine import read_session
from db.models import Meeting
from exports import calendar

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


def test_a_cancelled_meeting_offers_its_cancellation_to_download_and_to_send(
    served_app, page, sign_in, scheduled
):
    """Issue 18, point 16: the file is the command line's (METHOD:CANCEL, the same UID, the
    raised SEQUENCE), the mail goes through the outbox, and nobody is offered the call."""
    meeting = scheduled[-1]
    sign_in(served_app["url"], "chair@apc.example")
    open_meeting(page, served_app, meeting.id)
    expect(page.get_by_role("link", name="Join by video")).to_be_visible()
    page.get_by_role("button", name="Cancel", exact=True).click()
    page.get_by_label("Why it is cancelled").fill("The principals are at the General Assembly")
    page.get_by_role("button", name="Cancel the meeting").click()
    expect(page.get_by_text("Meeting cancelled.")).to_be_visible()
    expect(page.get_by_text("Cancelled: The principals are at the General")).to_be_visible()
    settle(page)
    page.screenshot(path="/tmp/meeting-cancelled.png", full_page=True)
    expect(page.get_by_role("link", name="Join by video")).to_have_count(0)
    expect(page.get_by_role("button", name="Add to my calendar")).to_have_count(0)

    with page.expect_download() as download:
        page.get_by_role("button", name="Cancellation for my calendar").click()
    assert download.value.suggested_filename.endswith(".ics")
    downloaded = Path(download.value.path()).read_bytes()
    assert b"METHOD:CANCEL" in downloaded
    (event,) = Calendar.from_ical(downloaded).walk("VEVENT")
    (cli_event,) = Calendar.from_ical(calendar.invitation(meeting.id, cancel=True)).walk("VEVENT")
    assert event["STATUS"] == "CANCELLED"
    assert str(event["UID"]) == str(cli_event["UID"]) == meeting.calendar_uid
    assert event["SEQUENCE"] == cli_event["SEQUENCE"] > meeting.calendar_sequence

    before = {m.id for m in outbox.outbox(limit=1000).messages}
    page.get_by_role("button", name="Send the cancellation").click()
    queued = page.get_by_text(re.compile(r"^Queued for \d+ people\.$"))
    expect(queued).to_be_visible()
    count = int(re.search(r"\d+", queued.inner_text())[0])
    sent = [m for m in outbox.outbox(limit=1000).messages if m.id not in before]
    assert count > 0 and len(sent) == count
    assert {(m.kind, m.meeting_id, m.calendar_method) for m in sent} == {
        ("invitation", meeting.id, "CANCEL")
    }
    settle(page)
    expect(page.get_by_role("button", name="Send the cancellation")).to_have_count(0)
    expect(page.get_by_text(f"The cancellation went to {count} people by mail.")).to_be_visible()
