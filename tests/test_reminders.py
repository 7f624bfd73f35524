"""Reminders (due in 7 days, tomorrow, overdue) and the weekly digest, as delivered to a real
SMTP server and read as a person would; each done once a day or week whoever runs it; one-click
unsubscribing per kind."""

import re
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from cli.worker import deliver
from committee import actions, clock, inbox, meetings, notices, reminders
from committee.actor import Actor
from db.engine import read_session, write_session
from db.models import ActionItem, OutboxMessage

WORKER = Actor.operator("worker")
THURSDAY = date(2026, 11, 26)
MONDAY = date(2026, 11, 30)


def item(people, title: str, due: date) -> ActionItem:
    made = actions.create_action_item(
        actor=people["chair"],
        title=title,
        owner_agency_id=people["rep"].agency_id,
        due_on=clock.today(),
    )
    with write_session() as session:
        session.get(ActionItem, made.id).due_on = due  # set-up: dates around today
    return made


def received(smtp_server) -> dict[str, list]:
    deliver()
    found: dict[str, list] = {}
    for recipients, message in smtp_server.catcher.delivered:
        for to in recipients:
            found.setdefault(to, []).append(message)
    return found


def text(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_reminders_go_7_days_and_1_day_before_and_weekly_once_overdue(
    db, people, smtp_server, frozen_clock
):
    week = item(people, "Brief partners on Darfur", THURSDAY + timedelta(days=7))
    tomorrow = item(people, "Send the cable", THURSDAY + timedelta(days=1))
    late = item(people, "Convene the donors", THURSDAY - timedelta(days=1))
    item(people, "Not yet", THURSDAY + timedelta(days=3))
    item(people, "Late, recalled last week", THURSDAY - timedelta(days=4))
    smtp_server.catcher.delivered.clear()
    deliver()
    smtp_server.catcher.delivered.clear()

    assert reminders.send_reminders(actor=WORKER) == 1
    assert reminders.send_reminders(actor=WORKER) == 0  # once a day, however often it runs
    [mail] = received(smtp_server)["rep@test.example"]
    assert text(mail).count("\n  #") == 3
    assert f"#{week.id}, due in 7 days" in text(mail)
    assert f"#{tomorrow.id}, due tomorrow" in text(mail)
    assert f"#{late.id}, overdue since 25 Nov 2026" in text(mail)
    assert "Darfur" not in mail.as_string()  # titles stay behind the sign-in
    assert "Brief partners on Darfur" in inbox.my_messages(actor=people["rep"])[0].notification.text

    frozen_clock(datetime(2026, 12, 3, 14, 0, tzinfo=timezone.utc))  # a week later
    reminders.send_reminders(actor=WORKER)
    [again] = received(smtp_server)["rep@test.example"][1:]
    assert f"#{late.id}, overdue since" in text(again) and f"#{week.id}, due" not in text(again)


def test_the_weekly_digest_reads_well_and_each_kind_stops_with_one_click(
    sqlite_db, people, smtp_server, frozen_clock
):
    frozen_clock(datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc))
    item(people, "Convene the donors", date(2026, 11, 26))
    starts = datetime(2026, 12, 8, 10, 0)
    meetings.schedule_session(
        actor=people["chair"],
        kind="ad_hoc",
        title="Ad hoc meeting on Sahel",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        timezone="America/New_York",
        reason="Reprisals",
    )
    notices.set_choice(actor=people["rep"], kind="reminder", delivery="digest")
    reminders.send_reminders(actor=WORKER)
    frozen_clock(datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc))
    deliver()  # the action item's own notice, sent at once
    smtp_server.catcher.delivered.clear()
    with read_session() as session:
        before = len(list(session.scalars(select(OutboxMessage))))

    run = reminders.send_digests(actor=WORKER)
    assert (run.week, run.sent, run.people) == (MONDAY, 4, 4)
    assert reminders.send_digests(actor=WORKER).sent == 0
    mail = received(smtp_server)
    assert set(mail) == {
        "chair@test.example",
        "rep@test.example",
        "other_rep@test.example",
        "observer@test.example",
    }
    [digest] = mail["rep@test.example"]
    body = text(digest)
    print(body)  # read as a person would: shown with -s
    assert digest["Subject"].endswith("Your week at the committee, 30 Nov 2026")
    assert "ACTION ITEMS OF STATE\n  1 overdue, 0 due in the next 14 days:" in body
    assert "Tue 08 Dec 2026, 10:00 EST  Ad hoc meeting on Sahel (agenda to come)" in body
    assert "1 × Reminders: action items due in 7 days, in 1 day, and overdue" in body
    assert "Convene" not in body
    with read_session() as session:
        assert len(list(session.scalars(select(OutboxMessage)))) == before + 4

    links = dict(re.findall(r"  (.+?): \S+/unsubscribe/(\S+)", body))
    stop_digest = links[notices.KINDS["digest"]]
    assert notices.check_unsubscribe(stop_digest).kind == notices.KINDS["digest"]
    assert notices.unsubscribe(stop_digest).problem == ""
    assert notices.unsubscribe(links[notices.KINDS["reminder"]]).problem == ""
    chosen = {c.kind: c.delivery for c in notices.my_choices(actor=people["rep"])}
    assert chosen["digest"] == chosen["reminder"] == "never"
    assert notices.unsubscribe(stop_digest[:-3] + "xyz").problem

    frozen_clock(datetime(2026, 12, 7, 7, 0, tzinfo=timezone.utc))
    smtp_server.catcher.delivered.clear()
    reminders.send_digests(actor=WORKER)
    assert "rep@test.example" not in received(smtp_server)


def test_a_chair_cannot_stop_alerts_even_with_a_crafted_link(sqlite_db, people):
    from committee import tokens

    with write_session() as session:
        token = tokens.sign(
            session, notices.UNSUBSCRIBE, {"u": people["chair"].id, "k": "alert.filed"}
        )
    assert "at once" in notices.unsubscribe(token).problem
    assert notices.my_choices(actor=people["chair"])[0].delivery == "at_once"
