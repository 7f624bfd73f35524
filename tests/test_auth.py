"""Signing in, in each mode the operator may choose: local passwords (with the password policy
and the lock-out), OIDC single sign-on through ``st.user``, and a trusted reverse proxy's
header (allowed from the proxy, refused from anywhere else); sessions that end when idle or
when the account is disabled."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from conftest import DEMO_DAY, PROJECT_ROOT
from playwright.sync_api import expect
from sqlalchemy import select
from test_deployment import serve_app

from committee import auth
from committee import people as accounts
from committee.errors import ValidationError
from committee.people import SignInFailed
from db.engine import read_session
from db.models import AuditEvent
from pages import ui

PASSWORD = "correct horse battery"
# AppTest reruns a multipage app through its entry script only while a page is pinned.
SIGN_IN, HOME = "pages/sign_in.py", "pages/home.py"


def events(action: str) -> list[AuditEvent]:
    with read_session() as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(session.scalars(query))


def signed_in(at):
    return at.session_state["actor"] if "actor" in at.session_state else None


# --- local accounts -------------------------------------------------------------------------


def test_local_mode_signs_in_with_the_form(sqlite_db, people, app_as):
    at = app_as(None, SIGN_IN)
    assert [b.label for b in at.button] == ["Sign in"]
    at.text_input[0].input("Chair@Test.example")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert signed_in(at).email == "chair@test.example"
    at.switch_page(HOME).run()  # a browser goes there by itself
    assert at.title[0].value.startswith("Good day")


def test_lockout_after_five_failures_shows_on_the_form(sqlite_db, people, app_as, frozen_clock):
    at = app_as(None, SIGN_IN)
    for _ in range(accounts.LOCKOUT_FAILURES):
        at.text_input[0].input("chair@test.example")
        at.text_input[1].input("a wrong guess at it")
        at.button[0].click().run()
        assert "do not match" in at.error[0].value
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert "Too many failed sign-ins" in at.error[0].value and signed_in(at) is None
    frozen_clock(DEMO_DAY + accounts.LOCKOUT_WINDOW + timedelta(seconds=1))
    at.button[0].click().run()
    assert signed_in(at).email == "chair@test.example"


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short one", "at least 12"),
        ("password1234", "common"),
        ("qwertyuiop123", "common"),
        ("Password123!", "common"),
        ("aaaaaaaaaaaaaaaa", "Repeats"),
        ("Dana Whitfield 1", "guess"),  # the person's own name
        ("x" * 300, "at most"),
    ],
)
def test_password_policy_refuses_short_common_and_personal_passwords(password, why):
    with pytest.raises(ValidationError) as refused:
        accounts.check_password_policy(password, personal=("dana@test.example", "Dana Whitfield"))
    assert refused.value.field == "password"
    assert why.lower() in str(refused.value).lower()


def test_password_policy_accepts_long_unusual_passphrases():
    for password in (
        "correct horse battery",
        "mauve lantern on the quay",
        accounts.temporary_password(),
    ):
        accounts.check_password_policy(password, personal=("chair@test.example", "Chair"))


def test_admin_resets_a_password_to_a_one_time_one(db, people):
    handed_over = accounts.temporary_password()
    accounts.set_password(actor=people["admin"], email="rep@test.example", new_password=handed_over)
    assert accounts.sign_in(email="rep@test.example", password=handed_over).role == ("agency_rep")
    with pytest.raises(SignInFailed):
        accounts.sign_in(email="rep@test.example", password=PASSWORD)
    [event] = events("user.set_password")
    assert event.actor_label == "admin@test.example" and "password_hash" not in (event.after or {})


# --- OIDC single sign-on ----------------------------------------------------------------------


@pytest.fixture
def oidc(monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "oidc")


def test_oidc_shows_only_the_single_sign_on_button(sqlite_db, people, oidc, app_as):
    at = app_as(None, SIGN_IN)
    assert [b.label for b in at.button] == ["Sign in with single sign-on"]
    assert not at.text_input  # no password form in this mode


def test_oidc_signs_in_the_person_whose_email_st_user_gives(sqlite_db, people, oidc, app_as):
    at = app_as(None, SIGN_IN)
    at.user = {"is_logged_in": True, "email": "Rep@Test.example", "name": "Rep", "sub": "x1"}
    at.run()
    actor = signed_in(at)
    assert (actor.email, actor.role, actor.agency_code) == (
        "rep@test.example",
        "agency_rep",
        "STATE",
    )
    [event] = events("signin.ok")
    assert event.after == {"method": "oidc"} and event.actor_id == actor.id


def test_oidc_unknown_email_is_refused_and_awaits_approval(sqlite_db, people, oidc, app_as):
    at = app_as(None, SIGN_IN)
    at.user = {"is_logged_in": True, "email": "stranger@agency.example", "name": "Sam Stranger"}
    at.run()
    assert signed_in(at) is None
    assert "waiting for an administrator's approval" in at.error[0].value
    at.run()  # a rerun does not try (and audit) again
    stranger = accounts.user_by_email("stranger@agency.example")
    assert (stranger.role, stranger.active, stranger.awaiting_approval) == ("observer", False, True)
    assert [e.outcome for e in events("signin.refused")] == ["refused"]
    assert len(events("user.request_access")) == 1

    # An admin approves them as STATE's representative; their next sign-in gets that role.
    admin = people["admin"]
    accounts.update_user(
        actor=admin,
        user_id=stranger.id,
        seen_version=stranger.version,
        name=stranger.name,
        role="agency_rep",
        agency_id=people["rep"].agency_id,
        active=True,
    )
    actor = auth.actor_for_sso(email="stranger@agency.example", name="Sam Stranger")
    assert (actor.role, actor.agency_code) == ("agency_rep", "STATE")


def test_oidc_refuses_a_disabled_account_and_an_unverified_email(db, people):
    accounts.set_active(actor=people["admin"], email="observer@test.example", active=False)
    with pytest.raises(SignInFailed, match="disabled"):
        auth.actor_for_sso(email="observer@test.example")
    with pytest.raises(SignInFailed, match="verified"):
        auth.actor_for_sso(email="chair@test.example", email_verified=False)
    with pytest.raises(SignInFailed, match="verified"):
        auth.actor_for_sso(email="")
    assert len(events("signin.refused")) == 3 and not events("signin.ok")
    assert not events("user.request_access")  # only unknown emails make a request


def test_a_declined_request_stays_refused_without_a_new_request(db, people):
    with pytest.raises(SignInFailed):
        auth.actor_for_sso(email="nobody@agency.example")
    request = accounts.user_by_email("nobody@agency.example")
    accounts.update_user(
        actor=people["admin"],
        user_id=request.id,
        seen_version=request.version,
        name=request.name,
        role="observer",
        agency_id=None,
        active=False,
    )
    with pytest.raises(SignInFailed, match="disabled"):
        auth.actor_for_sso(email="nobody@agency.example")
    assert len(events("user.request_access")) == 1


def _sign_out_button():
    import streamlit as st

    from pages import ui

    if st.button("Sign out"):
        ui.sign_out()


def test_signing_out_under_oidc_ends_the_providers_session_too(sqlite_db, people, oidc):
    # The sidebar's button calls ui.sign_out; AppTest reruns a multipage app's pages without
    # their entry script, so the function is driven from a script of its own.
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_sign_out_button, default_timeout=30)
    at.session_state["actor"] = people["chair"]
    at.user = {"is_logged_in": True, "email": "chair@test.example"}
    at.run()
    at.button[0].click().run()
    assert signed_in(at) is None
    assert at.user == {"is_logged_in": False}
    assert [e.actor_label for e in events("signout")] == ["chair@test.example"]


def test_an_unknown_auth_mode_signs_nobody_in(sqlite_db, people, app_as, monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "ldap")
    at = app_as(None, SIGN_IN)
    assert "AUTH_MODE is 'ldap'" in at.error[0].value
    assert not at.button and not at.text_input


# --- the trusted reverse proxy ----------------------------------------------------------------


@pytest.fixture
def proxy(monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "proxy")
    monkeypatch.setenv("APC_TRUSTED_PROXIES", "10.0.0.5, 192.168.10.0/24")
    monkeypatch.delenv("APC_PROXY_HEADER", raising=False)


@pytest.mark.parametrize("peer", ["10.0.0.5", "192.168.10.77", "::ffff:10.0.0.5"])
def test_proxy_header_is_honoured_from_a_configured_proxy(db, people, proxy, peer):
    actor = auth.actor_for_proxy(headers={"x-forwarded-email": "Chair@test.example"}, peer=peer)
    assert actor.email == "chair@test.example"
    assert events("signin.ok")[0].after == {"method": "proxy"}


@pytest.mark.parametrize("peer", ["10.0.0.6", "192.168.11.1", None, "not-an-address"])
def test_proxy_header_from_anywhere_else_is_refused_and_audited(db, people, proxy, peer):
    with pytest.raises(SignInFailed, match="does not come through"):
        auth.actor_for_proxy(headers={"X-Forwarded-Email": "admin@test.example"}, peer=peer)
    [refusal] = events("signin.refused")
    assert refusal.record_id == "admin@test.example" and "untrusted address" in refusal.detail
    assert not events("signin.ok")


def test_proxy_header_is_ignored_unless_the_mode_says_proxy(db, people, monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "local")
    monkeypatch.setenv("APC_TRUSTED_PROXIES", "10.0.0.5")
    with pytest.raises(SignInFailed):
        auth.actor_for_proxy(headers={"X-Forwarded-Email": "admin@test.example"}, peer="10.0.0.5")
    assert not events("signin.ok")


def test_proxy_without_the_header_or_with_another_header_name(db, people, proxy, monkeypatch):
    with pytest.raises(SignInFailed, match="did not say who you are"):
        auth.actor_for_proxy(headers={}, peer="10.0.0.5")
    monkeypatch.setenv("APC_PROXY_HEADER", "X-Auth-Request-Email")
    named = {"X-Auth-Request-Email": "rep@test.example"}
    actor = auth.actor_for_proxy(headers=named, peer="10.0.0.5")
    assert actor.email == "rep@test.example"


def test_check_reports_a_proxy_mode_without_trusted_addresses(monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "proxy")
    monkeypatch.setenv("APC_TRUSTED_PROXIES", "")
    assert auth.problems() == ["AUTH_MODE=proxy needs APC_TRUSTED_PROXIES: the proxy's addresses"]
    monkeypatch.setenv("APC_TRUSTED_PROXIES", "10.0.0.300")
    assert "not an IP address" in auth.problems()[0]
    monkeypatch.setenv("AUTH_MODE", "oidc")
    assert any("[auth]" in problem for problem in auth.problems())


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory):
    """A SQLite file with the demo record, for the servers these tests start."""
    url = f"sqlite:///{tmp_path_factory.mktemp('proxy') / 'committee.db'}"
    subprocess.run(
        [sys.executable, "-m", "committee", "demo"],
        env={**os.environ, "DATABASE_URL": url},
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    return url


@pytest.mark.browser
@pytest.mark.parametrize(("trusted", "signs_in"), [("127.0.0.1", True), ("10.9.9.9", False)])
def test_proxy_sign_in_through_the_real_server(demo_database, browser, tmp_path, trusted, signs_in):
    """The browser's websocket carries the proxy's header; the app believes it only when the
    connection comes from a trusted address (here: this machine, or not)."""
    environment = {
        "DATABASE_URL": demo_database,
        "AUTH_MODE": "proxy",
        "APC_TRUSTED_PROXIES": trusted,
    }
    with serve_app(environment, tmp_path) as base:
        context = browser.new_context(extra_http_headers={"X-Forwarded-Email": "chair@apc.example"})
        page = context.new_page()
        page.goto(base)
        if signs_in:
            page.get_by_text("Good day").wait_for(timeout=30_000)
            # The menu is drawn after the greeting, in the same run: wait for it, do not peek.
            expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        else:
            page.get_by_text("does not come through it").wait_for(timeout=30_000)
            assert not page.get_by_text("Good day").count()
        context.close()


# --- sessions -----------------------------------------------------------------------------------


def test_an_idle_session_ends_after_the_configured_time(sqlite_db, people, app_as, frozen_clock):
    at = app_as(people["chair"], HOME)
    frozen_clock(DEMO_DAY + timedelta(minutes=29))
    at.run()
    assert signed_in(at) is not None  # activity at 29 minutes keeps it going
    frozen_clock(DEMO_DAY + timedelta(minutes=29 + 31))
    at.run()
    assert signed_in(at) is None
    at.switch_page(SIGN_IN).run()  # where a browser lands
    assert at.info[0].value == ui.IDLE
    assert not events("signout")  # an expiry is not the person signing out


def test_the_idle_time_is_a_setting(sqlite_db, people, app_as, frozen_clock):
    from committee import settings

    settings.update(actor=people["chair"], key="idle_timeout_minutes", value=120)
    at = app_as(people["chair"], HOME)
    frozen_clock(DEMO_DAY + timedelta(minutes=90))
    at.run()
    assert signed_in(at) is not None


def test_disabling_an_account_ends_its_open_session(sqlite_db, people, app_as):
    at = app_as(people["rep"], HOME)
    accounts.set_active(actor=people["admin"], email="rep@test.example", active=False)
    at.run()
    assert signed_in(at) is None
    at.switch_page(SIGN_IN).run()
    assert at.info[0].value == ui.DISABLED


def test_a_new_role_applies_to_an_open_session(sqlite_db, people, app_as):
    at = app_as(people["observer"], HOME)
    user = accounts.user_by_email("observer@test.example")
    accounts.update_user(
        actor=people["admin"],
        user_id=user.id,
        seen_version=user.version,
        name=user.name,
        role="chair",
        agency_id=None,
        active=True,
    )
    at.run()
    assert signed_in(at).role == "chair"


def test_a_session_for_an_account_that_does_not_exist_is_refused(sqlite_db, people, app_as):
    forged = people["chair"].__class__(id=9999, email="chair@test.example", name="C", role="admin")
    at = app_as(forged)
    assert signed_in(at) is None
