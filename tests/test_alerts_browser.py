"""The alert channel in Chromium: a representative files an acute alert, the chair sees it in
the inbox, schedules the proposed emergency session in one click, and the alert is closed with
a decision at that session."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlmodel import Session

from db.models import Alert, Decision, Meeting

pytestmark = pytest.mark.browser


def open_alerts_page(page) -> None:
    page.locator(".st-key-menu").get_by_text("Alerts").first.click()
    expect(page.get_by_role("heading", name="Alerts")).to_be_visible()


def test_an_acute_alert_goes_from_filing_to_a_decision_at_an_emergency_session(
    served_app, page, sign_in
):
    # The representative files it, and has its reference at once.
    sign_in(served_app["url"], "rep.state@apc.example")
    open_alerts_page(page)
    page.get_by_role("tab", name="File an alert").click()
    page.get_by_label("Country").click()
    page.keyboard.type("Ukraine")
    page.keyboard.press("Enter")
    page.get_by_text("Acute — violence under way or imminent").click()
    page.get_by_label("What is happening").fill("Shelling of a town; civilians trapped.")
    page.get_by_role("button", name="File the alert").click()
    filed = page.get_by_text(re.compile(r"Alert ALR-\d{4}-\d{4} filed on Ukraine"))
    expect(filed).to_be_visible()
    expect(page.get_by_text("an emergency session is proposed to the chair")).to_be_visible()
    reference = re.search(r"ALR-\d{4}-\d{4}", filed.inner_text()).group(0)

    # The chair sees the count in the menu and the alert in the inbox.
    page.get_by_role("button", name="Sign out").click()
    sign_in(served_app["url"], "chair@apc.example")
    expect(page.locator(".st-key-menu").get_by_text(re.compile(r"Inbox \(\d+\)"))).to_be_visible()
    open_alerts_page(page)
    message = page.get_by_test_id("stHorizontalBlock").filter(
        has_text=f"Acute alert {reference} on Ukraine"
    )
    expect(message.first).to_be_visible()
    message.first.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", name=f"{reference} · Ukraine")).to_be_visible()

    # One click sets up the proposed emergency session with the alert's review on its agenda.
    page.get_by_role("button", name="Schedule the emergency session").click()
    expect(page.get_by_text("Emergency session scheduled for")).to_be_visible()
    expect(page.get_by_text("On the agenda of Emergency session — Ukraine")).to_be_visible()

    # At that session, the committee closes it with a recorded decision.
    expect(page.get_by_role("combobox", name="Decided")).to_have_value(
        "Decision of the committee at Emergency session — Ukraine"
    )
    page.get_by_label("Decision and reason").fill("Demarches made; a response plan is drafted.")
    page.get_by_role("button", name="Close the alert").click()
    expect(page.get_by_text(f"{reference} closed with the decision recorded.")).to_be_visible()

    engine = create_engine(served_app["database_url"])
    with Session(engine) as session:
        alert = session.scalar(select(Alert).where(Alert.reference == reference))
        decision = session.get(Decision, alert.closing_decision_id)
        meeting = session.get(Meeting, decision.meeting_id)
    engine.dispose()
    assert (alert.status, alert.severity, alert.emergency_session_proposed) == (
        "closed",
        "acute",
        True,
    )
    assert (decision.kind, decision.alert_id) == ("alert_closure", alert.id)
    assert (meeting.kind, meeting.called_for_alert_id, alert.review_meeting_id) == (
        "emergency",
        alert.id,
        meeting.id,
    )
