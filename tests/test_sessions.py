"""Sign-in sessions on both engines: a sign-in opens one with a new token each time; the token
resolves to the person as their account stands now; idle time, the absolute lifetime, signing
out (here or everywhere else), an administrator, a disabled account and a password reset end
it; every start and end is audited; forged and malformed tokens are nobody. And the addresses
a sign-in may return to."""

import hashlib
from datetime import timedelta

import pytest
from conftest import DEMO_DAY
from sqlalchemy import select

from committee import links, sessions, settings
from committee import people as accounts
from committee.errors import PermissionDenied, ValidationError
from db.engine import read_session
from db.models import AuditEvent, SignInSession

PASSWORD = "correct horse battery"


def events(action: str) -> list[AuditEvent]:
    with read_session() as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(session.scalars(query))


def sign_in(email: str = "chair@test.example", **kwargs) -> sessions.NewSession:
    return accounts.sign_in(email=email, password=PASSWORD, **kwargs)


def save_account(admin, email: str, *, role: str, active: bool) -> None:
    """An administrator saves a person's account on People."""
    user = accounts.user_by_email(email)
    accounts.update_user(
        actor=admin,
        user_id=user.id,
        seen_version=user.version,
        name=user.name,
        role=role,
        agency_id=None,
        active=active,
    )


def stored(session_id: int) -> SignInSession:
    with read_session() as session:
        return session.get(SignInSession, session_id)


def test_a_sign_in_opens_a_session_that_stands_for_the_person(db, people, frozen_clock):
    new = sign_in("rep@test.example", user_agent="Mozilla/5.0 (X11; Linux) Chrome/140")
    current = sessions.resolve(new.token)
    assert (current.actor.email, current.actor.role, current.actor.agency_code) == (
        "rep@test.example",
        "agency_rep",
        "STATE",
    )
    assert current.session_id == new.session_id and not current.must_change_password
    row = stored(new.session_id)
    # Only the token's hash is kept: the table holds no working session.
    assert row.token_hash == hashlib.sha256(new.token.encode()).hexdigest() != new.token
    assert (row.method, row.user_agent) == ("password", "Mozilla/5.0 (X11; Linux) Chrome/140")
    assert row.expires_at == DEMO_DAY + timedelta(hours=12)
    [event] = events("signin.ok")
    assert event.after == {"method": "password", "session": new.session_id}


def test_every_sign_in_gets_a_new_token_and_session(db, people):
    first, second = sign_in(), sign_in()
    assert first.token != second.token and first.session_id != second.session_id
    assert sessions.resolve(first.token).actor.email == "chair@test.example"
    assert sessions.resolve(second.token).actor.email == "chair@test.example"


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "x",
        "A" * 43,  # the right shape, but no session has it
        "A" * 44,
        "<script>alert(1)</script>",
        "A" * 41 + "\r\n",
        "' OR 1=1 --" + "A" * 32,
    ],
)
def test_forged_and_malformed_tokens_stand_for_nobody(db, people, token):
    sign_in()
    assert sessions.resolve(token) == sessions.SIGNED_OUT


def test_an_idle_session_ends_once_and_says_why(db, people, frozen_clock):
    new = sign_in()
    frozen_clock(DEMO_DAY + timedelta(minutes=29))
    assert sessions.resolve(new.token).actor is not None  # activity at 29 minutes keeps it
    assert stored(new.session_id).last_seen_at == DEMO_DAY + timedelta(minutes=29)
    frozen_clock(DEMO_DAY + timedelta(minutes=29 + 31))
    assert sessions.resolve(new.token) == sessions.Current(actor=None, ended="idle")
    assert sessions.resolve(new.token).ended == "idle"  # and stays ended
    row = stored(new.session_id)
    assert (row.ended_at, row.end_reason) == (DEMO_DAY + timedelta(minutes=60), "idle")
    [event] = events("session.expire")
    assert event.after == {"reason": "idle"} and event.actor_label == "chair@test.example"


def test_the_idle_time_is_the_setting(db, people, frozen_clock):
    settings.update(actor=people["chair"], key="idle_timeout_minutes", value=120)
    new = sign_in()
    frozen_clock(DEMO_DAY + timedelta(minutes=90))
    assert sessions.resolve(new.token).actor is not None


def test_a_busy_session_still_ends_at_its_absolute_lifetime(db, people, frozen_clock, monkeypatch):
    monkeypatch.setenv("APC_SESSION_HOURS", "2")
    new = sign_in()
    for minutes in range(20, 120, 20):  # a click every 20 minutes
        frozen_clock(DEMO_DAY + timedelta(minutes=minutes))
        assert sessions.resolve(new.token).actor is not None
    frozen_clock(DEMO_DAY + timedelta(minutes=120))
    assert sessions.resolve(new.token).ended == "expired"
    assert [e.after for e in events("session.expire")] == [{"reason": "expired"}]


@pytest.mark.parametrize("hours", ["0", "twelve", "1000"])
def test_a_bad_lifetime_is_reported_and_refused(monkeypatch, hours):
    monkeypatch.setenv("APC_SESSION_HOURS", hours)
    assert "APC_SESSION_HOURS" in sessions.problems()[0]
    with pytest.raises(ValidationError):
        sessions.lifetime()


def test_sign_out_needs_the_pages_check_and_ends_only_that_session(db, people):
    here, elsewhere = sign_in(), sign_in()
    assert sessions.sign_out(token=here.token, check="forged") is False
    assert sessions.resolve(here.token).actor is not None  # nothing done
    assert sessions.sign_out(token=here.token, check=sessions.sign_out_check(here.token))
    assert sessions.resolve(here.token).ended == "signed_out"
    assert sessions.resolve(elsewhere.token).actor is not None
    [event] = events("signout")
    assert (event.record_type, event.record_id) == ("sign_in_session", str(here.session_id))
    # Signing out again, or with a token nobody has, writes nothing.
    assert sessions.sign_out(token=here.token, check=sessions.sign_out_check(here.token))
    assert len(events("signout")) == 1


def test_sign_out_everywhere_else_keeps_this_browser(db, people):
    here, phone, laptop = sign_in(), sign_in(), sign_in()
    other_person = sign_in("observer@test.example")
    chair = sessions.resolve(here.token).actor
    assert sessions.end_other_sessions(actor=chair, keep_session_id=here.session_id) == 2
    assert sessions.resolve(here.token).actor is not None
    assert sessions.resolve(phone.token).ended == "ended_elsewhere"
    assert sessions.resolve(laptop.token).ended == "ended_elsewhere"
    assert sessions.resolve(other_person.token).actor is not None
    assert [s.id for s in sessions.open_sessions(actor=chair)] == [here.session_id]
    assert events("session.end_others")[0].after == {"sessions_ended": 2}


def test_an_administrator_ends_all_of_a_persons_sessions(db, people):
    one, two = sign_in("rep@test.example"), sign_in("rep@test.example")
    rep_id = people["rep"].id
    with pytest.raises(PermissionDenied):
        sessions.end_sessions_of(actor=people["chair"], user_id=rep_id)
    assert sessions.end_sessions_of(actor=people["admin"], user_id=rep_id) == 2
    assert {sessions.resolve(t.token).ended for t in (one, two)} == {"ended_by_admin"}
    refusal, event = events("session.end_all")
    assert (refusal.outcome, refusal.actor_label) == ("refused", "chair@test.example")
    assert (event.actor_label, event.record_id) == ("admin@test.example", str(rep_id))


def test_disabling_an_account_ends_its_sessions_at_once(db, people):
    by_toggle, by_form = sign_in("rep@test.example"), sign_in("observer@test.example")
    accounts.set_active(actor=people["admin"], email="rep@test.example", active=False)
    assert sessions.resolve(by_toggle.token).ended == "account_disabled"
    save_account(people["admin"], "observer@test.example", role="observer", active=False)
    assert sessions.resolve(by_form.token).ended == "account_disabled"
    assert not events("session.expire")  # ended by the disabling, in its own transaction


def test_a_new_role_applies_to_an_open_session_at_once(db, people):
    new = sign_in("observer@test.example")
    save_account(people["admin"], "observer@test.example", role="chair", active=True)
    assert sessions.resolve(new.token).actor.role == "chair"


def test_a_password_reset_ends_sessions_and_a_one_time_one_must_be_replaced(db, people):
    before = sign_in("rep@test.example")
    handed_over = accounts.temporary_password()
    accounts.set_password(
        actor=people["admin"], email="rep@test.example", new_password=handed_over, one_time=True
    )
    assert sessions.resolve(before.token).ended == "password_reset"
    after = accounts.sign_in(email="rep@test.example", password=handed_over)
    assert sessions.resolve(after.token).must_change_password
    accounts.change_own_password(
        actor=after.actor, current_password=handed_over, new_password="my own long passphrase"
    )
    assert not sessions.resolve(after.token).must_change_password
    assert events("user.set_password")[0].after == {"password": "changed", "one_time": True}


def test_a_person_added_with_a_one_time_password_must_replace_it(db, people):
    handed_over = accounts.temporary_password()
    accounts.add_user(
        actor=people["admin"],
        email="new@test.example",
        name="New Member",
        role="observer",
        password=handed_over,
        one_time=True,
    )
    new = accounts.sign_in(email="new@test.example", password=handed_over)
    assert sessions.resolve(new.token).must_change_password
    # The operator's own password at the command line is not a one-time one.
    assert not sessions.resolve(sign_in().token).must_change_password


# --- where a sign-in may return to ------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/meeting?id=8",
        "/tracker?agency=NSC&item=32",
        "/country?code=SDN",
        "/plan?id=3",
        "/",
    ],
)
def test_paths_on_this_server_are_kept(target):
    assert links.local_target(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example",
        "//evil.example/meeting?id=8",
        "https://evil.example",
        "http://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/meeting?id=8\r\nSet-Cookie: x=1",
        "/meeting\nLocation: //evil.example",
        "/meeting\t",
        "javascript:alert(1)",
        "meeting?id=8",
        "/sign-in?next=/meeting",
        "/sign-out",
        "/" + "a" * 3000,
    ],
)
def test_anything_else_returns_home(target):
    assert links.local_target(target) == "/"


def test_the_sign_in_address_carries_the_target_and_the_reason():
    assert links.sign_in_path(target="/tracker?agency=NSC&item=32", why="idle") == (
        "/sign-in?next=%2Ftracker%3Fagency%3DNSC%26item%3D32&why=idle"
    )
    assert links.sign_in_path(target="//evil.example") == "/sign-in"


def test_links_that_leave_the_tool_need_its_address(monkeypatch):
    monkeypatch.setenv("APC_BASE_URL", "https://apc-desk.agency.gov/")
    assert links.link("/meeting?id=8") == "https://apc-desk.agency.gov/meeting?id=8"
    assert links.host() == "apc-desk.agency.gov" and links.problems() == []
    for value in ("", "apc-desk.agency.gov", "ftp://apc-desk.agency.gov"):
        monkeypatch.setenv("APC_BASE_URL", value)
        with pytest.raises(ValidationError):
            links.base_url()
        assert "APC_BASE_URL" in links.problems()[0]
