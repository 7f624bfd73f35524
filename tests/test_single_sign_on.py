"""Single sign-on end to end: the real server (``AUTH_MODE=oidc``) and a real OpenID Connect
provider on loopback (``oidc-provider-mock``, Authlib's provider), driven in Chromium. A deep
link through the provider lands where it pointed; the email names the person and their role;
an unknown email becomes a request for access; a disabled person and an email the provider
has not given are refused; signing out ends the session here and at the provider; an identity
token that has expired signs nobody in."""

import re
from datetime import timedelta

import oidc_provider_mock
import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from test_deployment import serve_app

from committee import people, sessions
from db import engine as db_engine
from db.engine import read_session
from db.models import AuditEvent

pytestmark = pytest.mark.browser
CLIENT = {"APC_OIDC_CLIENT_ID": "apc-desk", "APC_OIDC_CLIENT_SECRET": "not-a-real-secret"}


def claims(email: str, name: str) -> oidc_provider_mock.User:
    return oidc_provider_mock.User(
        sub=email, claims={"email": email, "email_verified": True, "name": name}
    )


PROVIDER_USERS = [
    claims("chair@apc.example", "Dana Whitfield"),
    claims("rep.fbi@apc.example", "FBI Representative"),
    claims("stranger@agency.example", "Sam Stranger"),
    oidc_provider_mock.User(sub="no-email-given"),
]


@pytest.fixture(scope="module")
def provider():
    with oidc_provider_mock.run_server_in_thread(user_claims=PROVIDER_USERS) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def late_provider():
    """A provider whose identity tokens have expired ten minutes before they arrive."""
    with oidc_provider_mock.run_server_in_thread(
        user_claims=PROVIDER_USERS, access_token_max_age=timedelta(minutes=-10)
    ) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def demo_url(demo_database):
    """The demo, with one representative's account disabled."""
    db_engine.use_database(demo_database)
    people.set_active(
        actor=people.actor_for(people.user_by_email("admin@apc.example")),
        email="rep.fbi@apc.example",
        active=False,
    )
    return demo_database


@pytest.fixture(scope="module")
def app(demo_url, provider, tmp_path_factory):
    environment = {
        "DATABASE_URL": demo_url,
        "AUTH_MODE": "oidc",
        "APC_OIDC_METADATA_URL": f"{provider}/.well-known/openid-configuration",
        **CLIENT,
    }
    with serve_app(environment, tmp_path_factory.mktemp("oidc-log")) as base:
        yield base


def through_provider(page, base: str, sub: str, target: str = "/") -> None:
    """Open ``target`` signed out, choose single sign-on, and let the provider vouch for
    ``sub`` (its own form: the person typing who they are)."""
    page.goto(base + target)
    page.get_by_role("link", name="Sign in with single sign-on").click()
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def audit(action: str) -> list[AuditEvent]:
    with read_session() as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(session.scalars(query))


def test_a_deep_link_through_the_provider_signs_in_the_person_the_email_names(app, page):
    through_provider(page, app, "chair@apc.example", "/country?code=SDN")
    expect(page).to_have_url(f"{app}/country?code=SDN")
    expect(page.get_by_role("heading", name="Sudan")).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Chair / secretariat")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Agenda builder")).to_be_visible()  # a chair's page
    assert audit("signin.ok")[-1].after["method"] == "oidc"

    page.reload()  # the session is the server's: it lasts
    expect(page.get_by_role("heading", name="Sudan")).to_be_visible()

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.get_by_role("button", name="End session").click()  # the provider's own sign-out
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in with single sign-on")).to_be_visible()
    assert sessions.COOKIE not in {c["name"] for c in page.context.cookies()}
    assert audit("signout")[-1].actor_label == "chair@apc.example"


@pytest.mark.parametrize(
    ("sub", "message"),
    [
        ("stranger@agency.example", "waiting for an administrator's approval"),
        ("rep.fbi@apc.example", "Your account is disabled"),
        ("no-email-given", "did not give a verified email address"),
    ],
)
def test_people_the_tool_does_not_let_in_are_refused(app, page, sub, message):
    through_provider(page, app, sub, "/meeting?id=1")
    expect(page.get_by_text(message)).to_be_visible()
    expect(page.get_by_role("link", name="Sign in with single sign-on")).to_be_visible()
    assert sessions.COOKIE not in {c["name"] for c in page.context.cookies()}
    page.goto(f"{app}/meeting?id=1")  # still signed out
    expect(page.get_by_role("link", name="Sign in with single sign-on")).to_be_visible()
    if sub.startswith("stranger"):
        stranger = people.user_by_email(sub)
        assert (stranger.active, stranger.awaiting_approval, stranger.name) == (
            False,
            True,
            "Sam Stranger",
        )


def test_an_expired_identity_token_signs_nobody_in(demo_url, late_provider, page, tmp_path):
    environment = {
        "DATABASE_URL": demo_url,
        "AUTH_MODE": "oidc",
        "APC_OIDC_METADATA_URL": f"{late_provider}/.well-known/openid-configuration",
        **CLIENT,
    }
    with serve_app(environment, tmp_path) as base:
        through_provider(page, base, "chair@apc.example", "/watchlist")
        expect(page.get_by_text(re.compile("could not be verified"))).to_be_visible()
        assert sessions.COOKIE not in {c["name"] for c in page.context.cookies()}
    assert audit("signin.refused")[-1].detail == "oidc: answer not verified: ExpiredTokenError"
