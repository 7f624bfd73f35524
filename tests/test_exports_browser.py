"""In Chromium: the chair downloads a meeting's invitation and its read-ahead from the
meeting's page; the files are what a calendar program and a reader expect."""

import io
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pypdf
import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from db import engine as db_engine
from db.engine import read_session
from db.models import Meeting

MARKING = "UNCLASSIFIED // DEMONSTRATION DATA — ILLUSTRATIVE ONLY"

pytestmark = pytest.mark.browser


def test_the_chair_downloads_an_invitation_and_a_read_ahead(served_app, page, sign_in):
    sign_in(served_app["url"], "chair@apc.example")
    page.get_by_role("link", name="Meetings", exact=True).click()
    page.get_by_role("link", name="Open").first.click()
    invite_button = page.get_by_role("button", name="Add to my calendar")
    expect(invite_button).to_be_visible()
    meeting_id = int(parse_qs(urlparse(page.url).query)["id"][0])
    db_engine.use_database(served_app["database_url"])
    with read_session() as session:
        meeting = session.get(Meeting, meeting_id)

    with page.expect_download() as download:
        invite_button.click()
    assert download.value.suggested_filename.endswith(".ics")
    invitation = Calendar.from_ical(Path(download.value.path()).read_bytes())
    (event,) = invitation.walk("VEVENT")
    assert invitation["METHOD"] == "REQUEST"
    assert str(event["UID"]) == meeting.calendar_uid
    assert event["SUMMARY"] == meeting.title
    assert event["DTSTART"].dt == meeting.starts_at

    page.get_by_role("button", name="Read-ahead", exact=True).click()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Read-ahead (PDF)").click()
    assert download.value.suggested_filename.startswith("apc-read-ahead-")
    reader = pypdf.PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert meeting.title in reader.pages[0].extract_text()
    for number, pdf_page in enumerate(reader.pages, start=1):
        lines = [line for line in pdf_page.extract_text().splitlines() if line.strip()]
        assert lines[0] == MARKING and lines[-1] == MARKING, f"page {number} is not marked"
