"""Notices: who is told of what, in the inbox and by mail, what the mail may say under its
handling marking, and each person's choice of at once, digest or never. The mail is read as it
arrived at a real SMTP server."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from cli.worker import deliver
from committee import actions, agenda, alerts, clock, inbox, meetings, notices, plans
from committee.errors import ValidationError
from db.engine import read_session, write_session
from db.models import (
    Clearance,
    LineOfEffort,
    Meeting,
    Notification,
    OutboxMessage,
    Plan,
    PlanVersion,
)

MARKING = "UNCLASSIFIED // DEMONSTRATION DATA — ILLUSTRATIVE ONLY"


def mailed(smtp_server) -> dict[str, list]:
    """What each address received, once the worker has run."""
    deliver()
    found: dict[str, list] = {}
    for recipients, message in smtp_server.catcher.delivered:
        for to in recipients:
            found.setdefault(to, []).append(message)
    return found


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def inbox_of(actor) -> list[Notification]:
    return [m.notification for m in inbox.my_messages(actor=actor)]


def test_a_new_alert_reaches_every_chair_at_once_and_the_filing_agency(
    db, people, smtp_server, frozen_clock
):
    alerts.file_alert(
        actor=people["rep"],
        country_code="SDN",
        severity="acute",
        summary="Militia massing outside El Fasher.",
    )
    received = mailed(smtp_server)
    assert set(received) == {"chair@test.example"}  # the filer is not told of their own alert
    [message] = received["chair@test.example"]
    assert message["Subject"].startswith(f"[{MARKING}] Acute alert ALR-")
    body = text_of(message)
    assert body.startswith(MARKING) and "Sudan" in body
    assert "Militia" not in body  # the account stays behind the sign-in
    assert "/alerts?alert=" in body
    [note] = inbox_of(people["chair"])
    assert note.link.startswith("alerts?alert=") and "Sudan" in note.text
    assert inbox.destination(note.link)[0] == "pages/alerts.py"


def test_a_restricted_alerts_mail_says_only_that_one_was_filed(
    sqlite_db, people, smtp_server, frozen_clock, operator
):
    from committee import people as people_service

    people_service.add_user(
        actor=operator,
        email="rep2@test.example",
        name="Second State Rep",
        role="agency_rep",
        agency_id=people["rep"].agency_id,
        password="correct horse battery",
    )
    filed = alerts.file_alert(
        actor=people["rep"],
        country_code="UKR",
        severity="serious",
        summary="Deportations of children.",
        restricted=True,
    )
    received = mailed(smtp_server)
    assert set(received) == {"chair@test.example", "rep2@test.example"}
    for [message] in received.values():
        whole = message.as_string()
        assert filed.alert.reference in message["Subject"]
        assert "Ukraine" not in whole and "Deportations" not in whole and "UKR" not in whole
        assert "A restricted alert was filed" in text_of(message)
    assert received.keys() and "other_rep@test.example" not in received


def test_an_action_item_reaches_its_agency_and_a_reassignment_the_new_one(
    sqlite_db, people, smtp_server, frozen_clock
):
    item = actions.create_action_item(
        actor=people["chair"],
        title="Brief partners on the Darfur corridor",
        owner_agency_id=people["rep"].agency_id,
        due_on=clock.today() + timedelta(days=20),
    )
    [mine] = mailed(smtp_server)["rep@test.example"]
    assert "An action item is new for STATE, due 16 Dec 2026" in text_of(mine)
    assert "Darfur" not in mine.as_string()
    assert "Darfur" in inbox_of(people["rep"])[0].text
    actions.reassign_action_item(
        actor=people["chair"],
        item_id=item.id,
        seen_version=item.version,
        owner_agency_id=people["other_rep"].agency_id,
    )
    received = mailed(smtp_server)
    assert len(received["other_rep@test.example"]) == 1
    assert "given to USAID" in text_of(received["other_rep@test.example"][0])

    request = actions.request_due_date(
        actor=people["other_rep"],
        item_id=item.id,
        requested_due_on=clock.today() + timedelta(days=40),
        reason="Partners meet later",
    )
    actions.decide_due_date(
        actor=people["chair"], request_id=request.id, seen_version=1, grant=True
    )
    decided = mailed(smtp_server)["other_rep@test.example"][-1]
    assert "The chair granted the new due date 05 Jan 2027" in text_of(decided)


def test_a_published_agenda_reaches_every_member_but_the_chair_who_published_it(
    sqlite_db, people, smtp_server, frozen_clock
):
    starts = datetime(2027, 1, 12, 10, 0)
    meeting = meetings.schedule_session(
        actor=people["chair"],
        kind="ad_hoc",
        title="Ad hoc meeting on Sahel",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        timezone="America/New_York",
        reason="Reprisals",
    )
    agenda.add_item(
        actor=people["chair"],
        meeting_id=meeting.id,
        seen_version=meeting.version,
        kind="other",
        title="Situation",
    )
    with read_session() as session:
        version = session.get(Meeting, meeting.id).version
    agenda.publish_agenda(actor=people["chair"], meeting_id=meeting.id, seen_version=version)
    received = mailed(smtp_server)
    assert set(received) == {"rep@test.example", "other_rep@test.example", "observer@test.example"}
    assert "is published; the read-ahead is ready" in text_of(received["observer@test.example"][0])


def _plan_with_line(agency_id: int) -> Plan:
    with write_session() as session:
        plan = Plan(country_code="SDN", kind="prevention", title="Sudan prevention plan")
        session.add(plan)
        session.flush()
        version = PlanVersion(
            plan_id=plan.id,
            number=1,
            situation_summary="Attacks on civilians.",
            review_by=clock.today() + timedelta(days=90),
        )
        session.add(version)
        session.flush()
        session.add(
            LineOfEffort(
                plan_version_id=version.id,
                toolbox_category="preventive_diplomacy",
                objective="Talks.",
                lead_agency_id=agency_id,
            )
        )
    return plan


def test_clearance_requested_and_plan_approved_reach_the_agencies_taking_part(
    sqlite_db, people, smtp_server, frozen_clock
):
    plan = _plan_with_line(people["rep"].agency_id)
    version = plans.circulate(actor=people["chair"], plan_id=plan.id, seen_version=1)
    received = mailed(smtp_server)
    assert set(received) == {"rep@test.example"}
    assert "circulated for your agency's clearance" in text_of(received["rep@test.example"][0])

    with write_session() as session:
        session.scalar(select(Clearance)).position = "concur"
    past = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
    frozen_clock(past - timedelta(days=1))
    held = meetings.schedule_session(
        actor=people["chair"],
        kind="ad_hoc",
        title="Past meeting",
        starts_at=past,
        ends_at=past + timedelta(hours=1),
        timezone="UTC",
        reason="Plans",
    )
    frozen_clock(datetime(2026, 11, 26, 14, 0, tzinfo=timezone.utc))
    plans.approve(actor=people["chair"], version_id=version.id, meeting_id=held.id)
    last = mailed(smtp_server)["rep@test.example"][-1]
    assert "version 1, is approved" in text_of(last)


def test_each_person_chooses_at_once_digest_or_never_and_a_chair_cannot_mute_alerts(
    sqlite_db, people, smtp_server, frozen_clock
):
    notices.set_choice(actor=people["rep"], kind="action.assigned", delivery="never")
    with pytest.raises(ValidationError):
        notices.set_choice(actor=people["chair"], kind="alert.filed", delivery="never")
    choices = {c.kind: c for c in notices.my_choices(actor=people["chair"])}
    assert choices["alert.filed"].fixed and choices["alert.filed"].delivery == "at_once"
    actions.create_action_item(
        actor=people["chair"],
        title="Muted by mail",
        owner_agency_id=people["rep"].agency_id,
        due_on=clock.today() + timedelta(days=20),
    )
    assert mailed(smtp_server) == {}
    assert [n.text for n in inbox_of(people["rep"])][0].endswith("Muted by mail")  # still here
    notices.set_choice(actor=people["rep"], kind="action.assigned", delivery="digest")
    with read_session() as session:
        assert session.scalar(select(OutboxMessage.id)) is None
