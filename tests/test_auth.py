"""Signing in, in each mode the operator may choose: local passwords (with the password policy
and the lock-out), OIDC single sign-on (the rules for the identity the provider vouches for;
the flow itself in Chromium against a real provider in test_single_sign_on.py), and a trusted
reverse proxy's header (allowed from the proxy, refused from anywhere else, also through the
real server); what the app shows when a session has ended."""

from datetime import timedelta

import pytest
from conftest import DEMO_DAY, PROJECT_ROOT
from playwright.sync_api import expect
from sqlalchemy import select
from test_deployment import serve_app

from committee import auth, sessions
from committee import people as accounts
from committee.errors import ValidationError
from committee.people import SignInFailed
from db.engine import read_session
from db.models import AuditEvent
from pages import ui

PASSWORD = "correct horse battery"


def events(action: str) -> list[AuditEvent]:
    with read_session() as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(session.scalars(query))


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
    signed_in = accounts.sign_in(email="rep@test.example", password=handed_over)
    assert signed_in.actor.role == "agency_rep"
    with pytest.raises(SignInFailed):
        accounts.sign_in(email="rep@test.example", password=PASSWORD)
    [event] = events("user.set_password")
    assert event.actor_label == "admin@test.example" and "password_hash" not in (event.after or {})


# --- OIDC single sign-on ----------------------------------------------------------------------


def test_single_sign_on_opens_a_session_for_the_person_the_email_names(db, people):
    new = auth.sign_in_sso(email="Rep@Test.example", name="Rep", user_agent="Firefox/140")
    current = sessions.resolve(new.token)
    assert (current.actor.email, current.actor.role, current.actor.agency_code) == (
        "rep@test.example",
        "agency_rep",
        "STATE",
    )
    [event] = events("signin.ok")
    assert event.after == {"method": "oidc", "session": new.session_id}


def test_single_sign_on_refuses_an_expired_identity_token(db, people, frozen_clock):
    with pytest.raises(SignInFailed, match="expired"):
        auth.sign_in_sso(email="chair@test.example", expires_at=DEMO_DAY - timedelta(seconds=1))
    [refusal] = events("signin.refused")
    assert refusal.record_id == "chair@test.example" and "expired" in refusal.detail
    assert not events("signin.ok")
    new = auth.sign_in_sso(email="chair@test.example", expires_at=DEMO_DAY + timedelta(minutes=5))
    assert sessions.resolve(new.token).actor.email == "chair@test.example"


def test_an_unverifiable_provider_answer_is_refused_and_audited(db, people):
    with pytest.raises(SignInFailed, match="could not be verified"):
        auth.refuse_unverified(detail="ExpiredTokenError")
    [refusal] = events("signin.refused")
    assert refusal.detail == "oidc: answer not verified: ExpiredTokenError"


def test_an_unknown_email_is_refused_and_awaits_approval(db, people):
    with pytest.raises(SignInFailed, match="waiting for an administrator's approval"):
        auth.sign_in_sso(email="stranger@agency.example", name="Sam Stranger")
    stranger = accounts.user_by_email("stranger@agency.example")
    assert (stranger.role, stranger.active, stranger.awaiting_approval) == ("observer", False, True)
    assert len(events("user.request_access")) == 1
    with pytest.raises(SignInFailed, match="waiting"):  # the next try: no second request
        auth.sign_in_sso(email="stranger@agency.example", name="Sam Stranger")
    assert len(events("user.request_access")) == 1

    # An admin approves them as STATE's representative; their next sign-in gets that role.
    accounts.update_user(
        actor=people["admin"],
        user_id=stranger.id,
        seen_version=stranger.version,
        name=stranger.name,
        role="agency_rep",
        agency_id=people["rep"].agency_id,
        active=True,
    )
    actor = auth.sign_in_sso(email="stranger@agency.example", name="Sam Stranger").actor
    assert (actor.role, actor.agency_code) == ("agency_rep", "STATE")


def test_oidc_refuses_a_disabled_account_and_an_unverified_email(db, people):
    accounts.set_active(actor=people["admin"], email="observer@test.example", active=False)
    with pytest.raises(SignInFailed, match="disabled"):
        auth.sign_in_sso(email="observer@test.example")
    with pytest.raises(SignInFailed, match="verified"):
        auth.sign_in_sso(email="chair@test.example", email_verified=False)
    with pytest.raises(SignInFailed, match="verified"):
        auth.sign_in_sso(email="")
    assert len(events("signin.refused")) == 3 and not events("signin.ok")
    assert not events("user.request_access")  # only unknown emails make a request


def test_a_declined_request_stays_refused_without_a_new_request(db, people):
    with pytest.raises(SignInFailed):
        auth.sign_in_sso(email="nobody@agency.example")
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
        auth.sign_in_sso(email="nobody@agency.example")
    assert len(events("user.request_access")) == 1


# --- the trusted reverse proxy ----------------------------------------------------------------


@pytest.fixture
def proxy(monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "proxy")
    monkeypatch.setenv("APC_TRUSTED_PROXIES", "10.0.0.5, 192.168.10.0/24")
    monkeypatch.delenv("APC_PROXY_HEADER", raising=False)


@pytest.mark.parametrize("peer", ["10.0.0.5", "192.168.10.77", "::ffff:10.0.0.5"])
def test_proxy_header_is_honoured_from_a_configured_proxy(db, people, proxy, peer):
    new = auth.sign_in_proxy(headers={"x-forwarded-email": "Chair@test.example"}, peer=peer)
    assert sessions.resolve(new.token).actor.email == "chair@test.example"
    assert events("signin.ok")[0].after == {"method": "proxy", "session": new.session_id}


@pytest.mark.parametrize("peer", ["10.0.0.6", "192.168.11.1", None, "not-an-address"])
def test_proxy_header_from_anywhere_else_is_refused_and_audited(db, people, proxy, peer):
    with pytest.raises(SignInFailed, match="does not come through"):
        auth.sign_in_proxy(headers={"X-Forwarded-Email": "admin@test.example"}, peer=peer)
    [refusal] = events("signin.refused")
    assert refusal.record_id == "admin@test.example" and "untrusted address" in refusal.detail
    assert not events("signin.ok")


def test_proxy_header_is_ignored_unless_the_mode_says_proxy(db, people, monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "local")
    monkeypatch.setenv("APC_TRUSTED_PROXIES", "10.0.0.5")
    with pytest.raises(SignInFailed):
        auth.sign_in_proxy(headers={"X-Forwarded-Email": "admin@test.example"}, peer="10.0.0.5")
    assert not events("signin.ok")


def test_proxy_without_the_header_or_with_another_header_name(db, people, proxy, monkeypatch):
    with pytest.raises(SignInFailed, match="did not say who you are"):
        auth.sign_in_proxy(headers={}, peer="10.0.0.5")
    monkeypatch.setenv("APC_PROXY_HEADER", "X-Auth-Request-Email")
    named = {"X-Auth-Request-Email": "rep@test.example"}
    new = auth.sign_in_proxy(headers=named, peer="10.0.0.5")
    assert new.actor.email == "rep@test.example"


def test_check_reports_a_proxy_mode_without_trusted_addresses(monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "proxy")
    monkeypatch.setenv("APC_TRUSTED_PROXIES", "")
    assert auth.problems() == ["AUTH_MODE=proxy needs APC_TRUSTED_PROXIES: the proxy's addresses"]
    monkeypatch.setenv("APC_TRUSTED_PROXIES", "10.0.0.300")
    assert "not an IP address" in auth.problems()[0]
    monkeypatch.setenv("AUTH_MODE", "oidc")
    assert any("[auth]" in problem for problem in auth.problems())


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


# --- the app when a session has ended ---------------------------------------------------------


def greeted(at) -> bool:
    return any(title.value.startswith("Good day") for title in at.title)


def open_app(token: str):
    """The app's entry as a browser holding ``token`` opens it. (AppTest reruns the page
    alone after its first run, so each check here is a first run.)"""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[ui.TOKEN_KEY] = token
    return at.run()


def test_an_idle_session_ends_and_the_page_says_why(sqlite_db, people, frozen_clock):
    token = accounts.sign_in(email="chair@test.example", password=PASSWORD).token
    frozen_clock(DEMO_DAY + timedelta(minutes=29))
    assert greeted(open_app(token))  # activity at 29 minutes keeps it going
    frozen_clock(DEMO_DAY + timedelta(minutes=29 + 31))
    at = open_app(token)
    assert not greeted(at) and at.info[0].value == sessions.ENDED["idle"]
    # The way back in: the sign-in page, then Home, where this was.
    assert any('href="/sign-in"' in html.proto.body for html in at.get("html"))
    assert not events("signout")  # an expiry is not the person signing out


def test_disabling_an_account_ends_its_open_session(sqlite_db, people, app_as):
    at = app_as(people["rep"])
    accounts.set_active(actor=people["admin"], email="rep@test.example", active=False)
    at.run()
    assert not greeted(at)
    at = open_app(at.session_state[ui.TOKEN_KEY])
    assert at.info[0].value == sessions.ENDED["account_disabled"]


def test_a_new_role_applies_to_an_open_session(sqlite_db, people, app_as):
    at = app_as(people["observer"], "pages/settings.py")
    assert [e.value for e in at.error] == ["You do not have access to this page."]
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
    assert not at.error and at.title[0].value.endswith("Settings")


@pytest.mark.parametrize("token", ["A" * 43, "not a token", "A" * 41 + "\r\n"])
def test_a_token_the_database_does_not_hold_is_signed_out(sqlite_db, people, token):
    at = open_app(token)
    assert not at.exception and not greeted(at)
    assert at.info[0].value == "You are not signed in."
