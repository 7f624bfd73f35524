"""The outbox and the worker, against a real SMTP server on loopback: a rolled-back change sends
nothing; a server that is down, refusing, hung or cutting the connection mid-message gets each
message exactly once when it is back; a final answer fails the message with the server's words,
for an administrator to resend; two workers never send one message twice."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cli import main
from cli.worker import deliver
from committee import clock, outbox
from committee.errors import PermissionDenied, ValidationError
from committee.transaction import writing
from db.engine import read_session
from db.models import AuditEvent, OutboxMessage, User


def queue_to(actor, *, n: int = 1, subject: str = "Agenda published", key: str = "test"):
    """Queue ``n`` messages to the representative in one change, as a service would."""
    with writing(actor, "test.mail") as w:
        user = w.session.scalar(select(User).where(User.email == "rep@test.example"))
        for i in range(n):
            outbox.queue(w, key=f"{key}:{i}", kind="test", to=user, subject=subject, body="Hi.")
        w.audit(user, detail="queued mail")


def rows() -> list[OutboxMessage]:
    with read_session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def later(frozen_clock, minutes: int) -> None:
    frozen_clock(clock.now() + timedelta(minutes=minutes))


def test_a_change_rolled_back_sends_nothing(db, people, operator):
    with pytest.raises(RuntimeError), writing(operator, "test.mail") as w:
        user = w.session.scalar(select(User).where(User.email == "rep@test.example"))
        outbox.queue(w, key="k", kind="test", to=user, subject="Never", body="Never.")
        w.audit(user)
        raise RuntimeError("the change fails after queueing its mail")
    assert rows() == []


def test_a_message_is_delivered_once_with_its_marking_and_no_injected_header(
    db, people, operator, smtp_server, frozen_clock
):
    queue_to(operator, subject="Review\r\nBcc: spy@evil.example\nX-Evil: 1")
    queue_to(operator, subject="Review\r\nBcc: spy@evil.example\nX-Evil: 1")  # same key
    assert deliver().sent == 1
    assert deliver().sent == 0
    [(recipients, message)] = smtp_server.catcher.delivered
    assert recipients == ["rep@test.example"]
    assert message["Bcc"] is None and message["X-Evil"] is None
    marking = "UNCLASSIFIED // DEMONSTRATION DATA — ILLUSTRATIVE ONLY"
    assert message["Subject"] == f"[{marking}] Review Bcc: spy@evil.example X-Evil: 1"
    assert str(message["From"]) == "Atrocities Prevention Committee <apc@committee.example>"
    assert str(message["To"]) == "Rep <rep@test.example>"
    assert message["Message-ID"].endswith("@committee.example>")
    body = message.get_content()
    assert body.startswith(marking) and body.rstrip().endswith(marking)
    [row] = rows()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")


@pytest.mark.parametrize("trouble", ["down", "refuse", "hang", "drop"])
def test_a_server_in_trouble_gets_each_message_once_when_it_is_back(
    sqlite_db, people, operator, smtp_server, frozen_clock, trouble
):
    queue_to(operator, n=3)
    if trouble == "down":
        smtp_server.stop()
    elif trouble == "hang":
        smtp_server.hang()
    else:
        smtp_server.catcher.behaviour = trouble
    first = deliver()
    assert first.sent == 0 and first.retrying == 3
    assert all(row.status == "queued" and row.last_error for row in rows())
    if trouble == "refuse":
        assert rows()[0].last_error == "451 4.3.0 Mailbox busy, try again later"
    else:
        assert first.problems  # the pass stops at a server it cannot reach, and says so

    assert deliver().sent == 0  # not yet due: the retry waits 30 s
    smtp_server.start()
    smtp_server.catcher.behaviour = "accept"
    later(frozen_clock, 1)
    assert deliver().sent == 3
    later(frozen_clock, 120)
    assert deliver().sent == 0
    delivered = [m["Message-ID"] for m in smtp_server.catcher.messages()]
    assert len(delivered) == len(set(delivered)) == 3
    assert {row.status for row in rows()} == {"sent"}


def test_retries_wait_longer_each_time_then_fail_with_the_servers_answer(
    sqlite_db, people, operator, smtp_server, frozen_clock
):
    queue_to(operator)
    smtp_server.catcher.behaviour = "refuse"
    waits = []
    for _ in range(outbox.MAX_ATTEMPTS):
        deliver()
        [row] = rows()
        if row.status == "failed":
            break
        waits.append(row.next_attempt_at - clock.now())
        frozen_clock(row.next_attempt_at)
    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert max(waits) == timedelta(hours=1)
    assert (row.status, row.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert row.last_error == "451 4.3.0 Mailbox busy, try again later"


def test_a_final_answer_fails_at_once_and_an_administrator_resends(
    sqlite_db, people, operator, smtp_server, frozen_clock
):
    queue_to(operator)
    smtp_server.catcher.behaviour = "reject"
    assert deliver().failed == 1
    [row] = rows()
    assert (row.status, row.last_error) == ("failed", "550 5.1.1 No such mailbox here")
    view = outbox.outbox()
    assert view.counts == {"failed": 1} and view.messages[0].id == row.id

    with pytest.raises(PermissionDenied):
        outbox.resend(actor=people["chair"], message_id=row.id)
    smtp_server.catcher.behaviour = "accept"
    outbox.resend(actor=people["admin"], message_id=row.id)
    assert deliver().sent == 1
    with pytest.raises(ValidationError):
        outbox.resend(actor=people["admin"], message_id=row.id)  # sent: not again
    assert len(smtp_server.catcher.delivered) == 1


def test_with_no_mail_server_mail_waits_and_the_reason_is_given(
    sqlite_db, people, operator, monkeypatch, frozen_clock
):
    monkeypatch.delenv("APC_SMTP_HOST", raising=False)
    queue_to(operator)
    done = deliver()
    assert done.sent == 0 and "APC_SMTP_HOST is not set" in done.problems[0]
    assert [row.status for row in rows()] == ["queued"]
    assert any("APC_SMTP_HOST" in p for p in outbox.outbox().problems)


def test_two_workers_never_send_a_message_twice(db, people, operator, smtp_server):
    queue_to(operator, n=120)
    results = []
    workers = [threading.Thread(target=lambda: results.append(deliver())) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert sum(done.sent for done in results) == 120
    ids = [m["Message-ID"] for m in smtp_server.catcher.messages()]
    assert len(ids) == len(set(ids)) == 120
    with read_session() as session:
        claims = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "mail.claim")
        )
    assert claims >= 2


def test_the_command_line_worker_and_outbox(sqlite_db, people, operator, smtp_server, capsys):
    queue_to(operator)
    assert main(["worker", "--once"]) == 0
    assert "mail: sent 1, to retry 0, failed 0; waiting 0" in capsys.readouterr().out
    assert main(["mail", "outbox"]) == 0
    out = capsys.readouterr().out
    assert "sent" in out and "rep@test.example" in out
    assert main(["mail", "resend", str(rows()[0].id)]) == 1
    assert "only a failed message" in capsys.readouterr().err.lower()
