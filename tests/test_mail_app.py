"""The mail pages under AppTest: the administrator's outbox."""

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from committee import meetings, outbox
from committee.transaction import writing
from db.engine import read_session
from db.models import OutboxMessage, User


def test_the_outbox_says_why_mail_waits_and_resends_a_failed_message(
    sqlite_db, people, operator, app_as, monkeypatch
):
    monkeypatch.delenv("APC_SMTP_HOST", raising=False)
    with writing(operator, "test.mail") as w:
        user = w.session.get(User, people["rep"].id)
        failed = outbox.queue(w, key="a", kind="test", to=user, subject="Plan *approved*", body="x")
        outbox.queue(w, key="b", kind="test", to=user, subject="Agenda published", body="x")
        w.session.flush()
        failed.status, failed.last_error = "failed", "550 5.1.1 No such mailbox here"
        w.audit(user)

    at = app_as(people["admin"], "pages/outbox.py")
    assert not at.exception
    assert any("APC_SMTP_HOST is not set" in w.value for w in at.warning)
    assert [m.value for m in at.metric][:4] == ["1", "0", "0", "1"]
    assert any("No such mailbox here" in m.value for m in at.markdown)
    at.button(key=f"resend_{failed.id}").click().run()
    with read_session() as session:
        statuses = set(session.scalars(select(OutboxMessage.status)))
    assert statuses == {"queued"}


def meeting_page(app_as, actor, meeting_id: int):
    at = app_as(actor)
    at.query_params["id"] = str(meeting_id)
    at.switch_page("pages/meeting.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_chair_mails_the_invitation_from_the_meeting_page(
    sqlite_db, people, app_as, frozen_clock
):
    starts = datetime(2027, 2, 9, 10, 0)
    meeting = meetings.schedule_session(
        actor=people["chair"],
        kind="ad_hoc",
        title="Ad hoc meeting on Sahel",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        timezone="America/New_York",
        reason="Reports of reprisals",
    )
    at = meeting_page(app_as, people["chair"], meeting.id)
    assert any("Not mailed yet. The invitation goes to 4 people" in c.value for c in at.caption)
    at.button(key=f"send_invitations_{meeting.id}").click().run()
    assert not at.exception
    with read_session() as session:
        assert len(list(session.scalars(select(OutboxMessage)))) == 4
    assert any("went to 4 people by mail" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key == f"send_invitations_{meeting.id}"]

    # A representative sees no sending at all.
    rep = meeting_page(app_as, people["rep"], meeting.id)
    assert not any("By mail" in m.value for m in rep.markdown)


def test_everyone_has_an_inbox_whose_unread_count_shows_in_the_menu(
    sqlite_db, people, app_as, frozen_clock
):
    from committee import actions, clock

    actions.create_action_item(
        actor=people["chair"],
        title="Brief partners",
        owner_agency_id=people["rep"].agency_id,
        due_on=clock.today() + timedelta(days=20),
    )
    at = app_as(people["rep"])
    menu = {Path(p["script_path"]).name: p["page_name"] for p in at._registered_pages.values()}
    assert menu["inbox.py"] == "Inbox (1)"
    at.switch_page("pages/inbox.py")
    at.run()
    assert not at.exception
    assert any("Brief partners" in m.value for m in at.markdown)
    [open_button] = [b for b in at.button if b.label == "Open"]
    open_button.click().run()
    assert not at.exception
    from committee import inbox

    assert inbox.unread_count(actor=people["rep"]) == 0


def test_my_account_keeps_my_choice_per_kind(sqlite_db, people, app_as):
    from committee import notices

    at = app_as(people["chair"], "pages/account.py")
    assert not at.exception
    alerts_choice = at.segmented_control(key="notice_alert.filed")
    assert alerts_choice.value == "at_once" and alerts_choice.disabled
    at.segmented_control(key="notice_reminder").set_value("digest").run()
    assert not at.exception
    chosen = {c.kind: c.delivery for c in notices.my_choices(actor=people["chair"])}
    assert chosen["reminder"] == "digest" and chosen["plan.approved"] == "at_once"
