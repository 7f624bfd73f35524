"""Under load, nothing is refused and no limit is outrun (issue 17, points 4 and 5): many
agencies filing alerts at once from several processes, and many wrong passwords tried at once
for one email; on SQLite and PostgreSQL."""

import multiprocessing
import sys
import threading
import time
import types
from concurrent.futures import ProcessPoolExecutor

from sqlalchemy import func, select

from committee import people as people_service
from committee.people import SignInFailed
from db import engine as db_engine
from db.engine import read_session
from db.models import Alert, AuditEvent

FILERS = ["state", "usaid", "dod", "treas", "doj"]
FILINGS_EACH = 10


def _file_alerts(url: str, agency: str, start_at: float) -> list[str]:
    """One process of filers: its own engine, all starting at the same moment."""
    db_engine.use_database(url)
    from committee import alerts

    actor = people_service.actor_for(people_service.user_by_email(f"rep.{agency}@apc.example"))
    while time.time() < start_at:
        time.sleep(0.005)
    return [
        alerts.file_alert(
            actor=actor,
            country_code="SDN",
            severity="concern",
            summary=f"Report {n} from {agency}.",
        ).alert.reference
        for n in range(FILINGS_EACH)
    ]


def test_fifty_filings_at_once_all_land_numbered_without_gaps(db, demo, monkeypatch):
    url = db_engine.get_engine().url.render_as_string(hide_password=False)
    with read_session() as session:
        before = set(session.scalars(select(Alert.reference)))
    # A spawned process first runs the parent's __main__ again; after an AppTest in the same
    # run that is the app's script, which fails outside Streamlit. The filers need none of it.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    start_at = time.time() + 3  # every process started and connected by then
    # An executor, not a Pool: a process that dies fails the test instead of hanging it.
    with ProcessPoolExecutor(len(FILERS), mp_context=multiprocessing.get_context("spawn")) as pool:
        runs = [pool.submit(_file_alerts, url, agency, start_at) for agency in FILERS]
        filed = [reference for run in runs for reference in run.result(timeout=300)]
    assert len(filed) == len(FILERS) * FILINGS_EACH == len(set(filed))
    by_year: dict[str, list[int]] = {}
    for reference in before | set(filed):
        _, year, number = reference.split("-")
        by_year.setdefault(year, []).append(int(number))
    for year, numbers in by_year.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), year  # no gap, no twin


def test_parallel_wrong_passwords_are_checked_no_more_than_the_limit(db, people):
    """Twenty wrong passwords at once for one account: five are checked and fail, the others
    find the account locked; the right password is then refused too."""
    email, guesses = people["rep"].email, 20
    outcomes: list[str] = []
    start = threading.Barrier(guesses)

    def guess() -> None:
        start.wait()
        try:
            people_service.sign_in(email=email, password="not the password")
        except SignInFailed as refused:
            outcomes.append(str(refused))

    threads = [threading.Thread(target=guess) for _ in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == guesses
    with read_session() as session:
        checked = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "signin.failed", AuditEvent.record_id == email)
        )
    assert checked == people_service.LOCKOUT_FAILURES
    assert outcomes.count(people_service.LOCKED) == guesses - people_service.LOCKOUT_FAILURES
