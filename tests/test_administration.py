"""Administration: the audit trail read back (filters, paging and the CSV export, in SQL, on
SQLite and PostgreSQL), the People, Audit trail and Settings pages, and the health check."""

import csv
import io
from datetime import date, timedelta

import pytest
from conftest import DEMO_DAY
from sqlalchemy import select

from committee import auditlog, settings, system
from committee import people as accounts
from committee.auditlog import AuditFilter
from committee.errors import PermissionDenied
from db.engine import read_session, write_session
from db.models import AuditEvent, Setting
from exports import audit_trail

AUDIT, USERS, SETTINGS = "pages/audit.py", "pages/users.py", "pages/settings.py"


@pytest.fixture
def trail(db, people, frozen_clock):
    """A trail with a few kinds of events, on two days."""
    accounts.add_agency(actor=people["admin"], code="DOJ", name="Department of Justice")
    with pytest.raises(PermissionDenied):
        accounts.add_agency(actor=people["rep"], code="FBI", name="Federal Bureau")
    frozen_clock(DEMO_DAY + timedelta(days=1))
    settings.update(actor=people["chair"], key="banner", value="=cmd|' /C calc'!A0")
    with pytest.raises(accounts.SignInFailed):
        accounts.sign_in(email="rep@test.example", password="not the password")
    with pytest.raises(accounts.SignInFailed):  # anyone may type anything as an email
        accounts.sign_in(email=FORMULA_EMAIL, password="whatever")
    return people


FORMULA_EMAIL = '=hyperlink("http://evil.example")@x.example'


def test_filters_narrow_the_trail_in_the_database(trail):
    chair = trail["chair"]
    everything = auditlog.events(actor=chair, where=AuditFilter())
    assert everything.total == 12  # 2 agencies and 5 people set up, then the five above
    refused = auditlog.events(actor=chair, where=AuditFilter(outcome="refused"))
    assert [e.action for e in refused.events] == ["signin.failed", "signin.failed", "agency.add"]
    mine = auditlog.events(actor=chair, where=AuditFilter(person="REP@test.example"))
    # what the representative did, and the sign-in tried in their name
    assert [e.action for e in mine.events] == ["signin.failed", "agency.add"]
    one_day = auditlog.events(
        actor=chair, where=AuditFilter(since=date(2026, 11, 27), until=date(2026, 11, 27))
    )
    assert [e.action for e in one_day.events] == [
        "signin.failed",
        "signin.failed",
        "setting.update",
    ]
    record = auditlog.events(actor=chair, where=AuditFilter(record_type="setting"))
    [change] = [c for c in auditlog.changes(record.events[0]) if c.changed]
    assert (change.field, change.after) == ("value", "=cmd|' /C calc'!A0")


def test_the_trail_names_people_by_name(trail):
    """Issue 18, point 18: by name, as the histories do; what no account did, as recorded."""
    found = auditlog.events(actor=trail["chair"], where=AuditFilter())
    named = [(e.action, found.person(e)) for e in found.events]
    assert ("setting.update", "Chair") in named
    assert ("agency.add", "Admin") in named and ("agency.add", "Rep") in named  # refused
    assert ("user.add", "cli:pytest") in named  # the operator, who has no account
    assert ("signin.failed", "anonymous") in named  # a sign-in tried, by anyone


def test_the_trail_is_paged_newest_first(trail):
    first = auditlog.events(actor=trail["admin"], where=AuditFilter(), page=1, page_size=4)
    last = auditlog.events(actor=trail["admin"], where=AuditFilter(), page=3, page_size=4)
    assert (first.pages, len(first.events), len(last.events)) == (3, 4, 4)
    assert first.events[0].id > first.events[-1].id > last.events[0].id
    beyond = auditlog.events(actor=trail["admin"], where=AuditFilter(), page=99, page_size=4)
    assert beyond.page == 3


def test_only_admins_and_chairs_read_the_trail(trail):
    for role in ("rep", "observer"):
        with pytest.raises(PermissionDenied):
            auditlog.events(actor=trail[role], where=AuditFilter())
        with pytest.raises(PermissionDenied):
            list(auditlog.export_rows(actor=trail[role], where=AuditFilter()))


def test_the_csv_export_neutralises_formulas(trail, monkeypatch):
    monkeypatch.setattr(auditlog, "EXPORT_BATCH", 3)  # several batches, in id order
    text = audit_trail.csv_bytes(actor=trail["chair"], where=AuditFilter()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(auditlog.CSV_COLUMNS) and len(rows) == 13
    assert [int(row[0]) for row in rows[1:]] == sorted(int(row[0]) for row in rows[1:])
    typed = next(row for row in rows if row[3] == "signin.failed" and row[6] != "rep@test.example")
    assert typed[6] == "'" + FORMULA_EMAIL  # shown as typed, never run
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def captions(at) -> str:
    return " ".join(caption.value for caption in at.caption)


def test_audit_page_filters_the_trail(trail, app_as):
    at = app_as(trail["chair"], AUDIT)
    assert not at.exception
    assert "12 events · page 1 of 1" in captions(at)
    at.segmented_control[0].set_value("refused").run()
    assert "3 events · page 1 of 1" in captions(at)


def test_settings_page_saves_each_change_with_its_audit_event(sqlite_db, people, app_as):
    at = app_as(people["chair"], SETTINGS)
    idle = next(box for box in at.number_input if box.label.startswith("End a session after"))
    idle.set_value(45)
    at.toggle[0].set_value(True)  # observers may file alerts
    next(b for b in at.button if b.label == "Save settings").click().run()
    assert settings.get("idle_timeout_minutes") == 45
    assert settings.get("observers_may_file_alerts") is True
    changes = auditlog.events(actor=people["chair"], where=AuditFilter(action="setting.update"))
    assert changes.total == 2


def test_settings_page_shows_what_the_operator_fixed(sqlite_db, people, app_as, monkeypatch):
    monkeypatch.setenv("APC_BANNER", "SET BY THE OPERATOR")
    at = app_as(people["chair"], SETTINGS)
    banner = next(box for box in at.text_input if box.label.startswith("Banner"))
    assert banner.disabled
    assert "SET BY THE OPERATOR" in captions(at)


def test_people_page_adds_a_person_with_a_one_time_password(sqlite_db, people, app_as):
    at = app_as(people["admin"], USERS)
    email, name = (box for box in at.text_input if box.label in ("Email", "Name"))
    email.input("new.member@test.example")
    name.input("New Member")
    next(b for b in at.button if b.label == "Add").click().run()
    handed_over = at.code[0].value
    assert accounts.sign_in(email="new.member@test.example", password=handed_over).actor.role == (
        "observer"
    )


def test_saving_a_person_s_account_says_so_under_its_form(sqlite_db, people, app_as):
    """Issue 18, point 12: the confirmation is where the person is looking, not at the top."""
    at = app_as(people["admin"], USERS)
    rep = people["rep"]
    next(s for s in at.selectbox if s.label == "Person").select(rep.id).run()
    next(t for t in at.text_input if t.key == f"name_{rep.id}").input("Rep Renamed")
    next(b for b in at.button if b.label == "Save").click().run()
    assert accounts.user_by_email(rep.email).name == "Rep Renamed"
    [said] = at.success
    assert said.value == "Rep Renamed's account saved."
    # Drawn right under the account form's Save, not among the page's top lines.
    shown = list(at.main)  # depth first: in the order the page draws them
    save = next(i for i, e in enumerate(shown) if getattr(e, "label", "") == "Save")
    assert shown[save + 1] == said


def test_people_page_approves_a_request_for_access(sqlite_db, people, app_as):
    with pytest.raises(accounts.SignInFailed):
        from committee import auth

        auth.sign_in_sso(email="asking@agency.example", name="Asking Person")
    at = app_as(people["admin"], USERS)
    assert at.subheader[0].value.endswith("Waiting for approval (1)")
    next(b for b in at.button if b.label == "Approve").click().run()
    asking = accounts.user_by_email("asking@agency.example")
    assert (asking.active, asking.awaiting_approval, asking.role) == (True, False, "observer")


def test_check_reports_bad_settings_and_sign_in_configuration(sqlite_db, monkeypatch):
    assert system.check().ok
    with write_session() as session:  # as if edited outside the tool
        session.add(Setting(key="timezone", value="Mars/Olympus_Mons"))
    report = system.check()
    assert not report.ok
    assert any("setting timezone" in line and "Mars/Olympus_Mons" in line for line in report.lines)
    with write_session() as session:
        session.delete(session.get(Setting, "timezone"))
    monkeypatch.setenv("AUTH_MODE", "kerberos")
    report = system.check()
    assert not report.ok and any("AUTH_MODE" in line for line in report.lines)


def test_matches_are_counted_up_to_the_limit_then_said_to_be_more(trail, monkeypatch):
    monkeypatch.setattr(auditlog, "COUNT_LIMIT", 10)
    found = auditlog.events(actor=trail["chair"], where=AuditFilter(), page=9, page_size=4)
    # 12 events match: 10 are counted, the pages stop there, and the reader is told there is more
    assert (found.total, found.more, found.pages, found.page) == (10, True, 3, 3)
    narrowed = auditlog.events(actor=trail["chair"], where=AuditFilter(outcome="refused"))
    assert (narrowed.total, narrowed.more) == (3, False)


def test_the_filters_offer_every_action_and_record_type_in_the_trail(trail):
    with read_session() as session:
        actions = sorted(set(session.scalars(select(AuditEvent.action))))
        types = sorted(set(session.scalars(select(AuditEvent.record_type))) - {""})
    choices = auditlog.choices(actor=trail["chair"])
    assert choices.actions == actions and len(actions) >= 4
    assert choices.record_types == types and "setting" in types
