"""Sign-in that lasts and links that open, in Chromium against the real server (``server.py``):
a deep link opened signed out returns there after signing in; reloads and new tabs stay signed
in; signing out in one tab signs the other out at its next click; an idle session ends; a
forged cookie is nobody; sign-in posts without the form's check are refused and the lock-out
holds at the route; a one-time password is replaced first; My account lists the sessions and
signs the others out; a page a person may not see gives its ordinary refusal."""

import re
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from committee import clock, meetings, people, sessions
from db import engine as db_engine
from db.engine import read_session, write_session
from db.models import AuditEvent, SignInSession

pytestmark = pytest.mark.browser
PASSWORD = "apc-demo-2026"
GOOD_DAY = re.compile(r"^Good day")


@pytest.fixture(scope="module")
def app(served_app):
    """The served app, with this process reading and writing its database."""
    db_engine.use_database(served_app["database_url"])
    return served_app["url"]


def settle(page) -> None:
    """Wait for the app to finish its run."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden()


def fill_sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def signed_in(page) -> None:
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)


def next_meeting_id() -> int:
    rows = meetings.list_meetings(when="upcoming").rows
    return next(r.meeting.id for r in rows if r.meeting.status == "scheduled")


def test_a_deep_link_returns_there_after_sign_in_and_lasts_across_reloads_and_tabs(app, page):
    page.goto(f"{app}/tracker?agency=NSC&item=32")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Ftracker%3Fagency%3DNSC%26item%3D32$"))
    fill_sign_in(page, "chair@apc.example")
    expect(page).to_have_url(f"{app}/tracker?agency=NSC&item=32")
    signed_in(page)
    expect(page.get_by_role("heading", name="Tracker")).to_be_visible()

    [cookie] = [c for c in page.context.cookies() if c["name"] == sessions.COOKIE]
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Lax", "/")
    assert not cookie["secure"]  # plain http here; https deployments get Secure

    page.reload()
    signed_in(page)
    expect(page.get_by_role("heading", name="Tracker")).to_be_visible()
    expect(page).to_have_url(f"{app}/tracker?agency=NSC&item=32")

    meeting_id = next_meeting_id()
    second = page.context.new_page()
    second.goto(f"{app}/meeting?id={meeting_id}")
    signed_in(second)
    expect(second).to_have_url(f"{app}/meeting?id={meeting_id}")
    expect(second.get_by_role("link", name="All meetings")).to_be_visible()


def test_the_sign_in_returns_only_to_this_server(app, page):
    for target in ("//evil.example", "https://evil.example/", "/\\evil.example"):
        page.context.clear_cookies()
        page.goto(f"{app}/sign-in?{httpx.QueryParams(next=target)}")
        fill_sign_in(page, "observer@apc.example")
        expect(page).to_have_url(f"{app}/")
        signed_in(page)


def test_signing_out_in_one_tab_signs_the_other_out_at_its_next_click(app, page):
    page.goto(f"{app}/country?code=SDN")
    fill_sign_in(page, "chair@apc.example")
    signed_in(page)
    other = page.context.new_page()
    other.goto(f"{app}/watchlist")
    signed_in(other)

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    assert sessions.COOKIE not in {c["name"] for c in page.context.cookies()}

    settle(other)
    other.get_by_role("link", name="Meetings", exact=True).click()
    expect(other.get_by_text("You have signed out.")).to_be_visible()
    other.get_by_role("link", name="Sign in").click()
    expect(other).to_have_url(re.compile(r"/sign-in\?next=%2Fmeetings$"))


def test_an_idle_session_ends_at_the_next_click(app, page):
    page.goto(f"{app}/watchlist")
    fill_sign_in(page, "rep.state@apc.example")
    signed_in(page)
    settle(page)
    # Half an hour and a minute without a click: the row says when it was last used.
    with write_session() as session:
        session.execute(
            update(SignInSession)
            .where(SignInSession.ended_at.is_(None))
            .values(last_seen_at=clock.now() - timedelta(minutes=31))
        )
    page.get_by_role("link", name="Meetings", exact=True).click()
    expect(page.get_by_text(sessions.ENDED["idle"])).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.reload()  # the cookie is of no use now: the sign-in page, with the reason
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_text(sessions.ENDED["idle"])).to_be_visible()


@pytest.mark.parametrize("value", ["A" * 43, "forged-not-a-token", "%0d%0aSet-Cookie:x"])
def test_a_forged_cookie_is_signed_out_without_an_error_page(app, page, value):
    page.context.add_cookies([{"name": sessions.COOKIE, "value": value, "url": app}])
    page.goto(f"{app}/meeting?id=1")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    assert sessions.COOKIE not in {c["name"] for c in page.context.cookies()}


def test_the_route_refuses_posts_without_the_check_and_keeps_the_lock_out(app):
    with httpx.Client(base_url=app, follow_redirects=False, timeout=30) as client:
        form = {"email": "rep.doj@apc.example", "password": PASSWORD, "next": "/"}
        refused = client.post("/sign-in", data={**form, "check": "guessed"})
        assert refused.status_code == 403 and sessions.COOKIE not in refused.cookies
        assert "did not come from APC Desk" in refused.text

        def attempt(password: str) -> httpx.Response:
            page = client.get("/sign-in")
            check = re.search(r'name="check" value="([^"]+)"', page.text).group(1)
            return client.post("/sign-in", data={**form, "password": password, "check": check})

        for _ in range(people.LOCKOUT_FAILURES):
            assert people.SIGN_IN_FAILED in attempt("a wrong guess").text
        locked = attempt(PASSWORD)
        assert locked.status_code == 401 and people.LOCKED in locked.text
        assert sessions.COOKIE not in client.cookies
    with read_session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.record_id == "rep.doj@apc.example")
        ).all()
    assert actions == ["signin.failed"] * people.LOCKOUT_FAILURES + ["signin.locked"]


def test_a_one_time_password_is_replaced_at_the_first_sign_in(app, page):
    handed_over = people.temporary_password()
    people.set_password(
        actor=people.actor_for(people.user_by_email("admin@apc.example")),
        email="rep.usaid@apc.example",
        new_password=handed_over,
        one_time=True,
    )
    page.goto(f"{app}/country?code=SDN")
    fill_sign_in(page, "rep.usaid@apc.example", handed_over)
    expect(page.get_by_role("heading", name="Choose your own password")).to_be_visible()
    page.get_by_label("Current password").fill(handed_over)
    page.get_by_label("New password", exact=True).fill("lantern quay mauve harbour")
    page.get_by_label("New password again").fill("lantern quay mauve harbour")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name=re.compile("Sudan"))).to_be_visible()
    expect(page).to_have_url(f"{app}/country?code=SDN")


def test_my_account_lists_sessions_and_signs_out_everywhere_else(app, browser, page):
    laptop = browser.new_context(viewport={"width": 1400, "height": 1000})
    phone = laptop.new_page()
    phone.goto(f"{app}/alerts")
    fill_sign_in(phone, "rep.treas@apc.example")
    signed_in(phone)

    page.goto(f"{app}/account")
    fill_sign_in(page, "rep.treas@apc.example")
    signed_in(page)
    expect(page.get_by_text("this browser")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Chrome on Linux"))).to_have_count(2)
    page.get_by_role("button", name="Sign out everywhere else (1)").click()
    expect(page.get_by_role("button", name=re.compile("Sign out everywhere else"))).to_have_count(0)

    settle(phone)
    phone.get_by_role("link", name="Home", exact=True).click()
    expect(phone.get_by_text(sessions.ENDED["ended_elsewhere"])).to_be_visible()
    signed_in(page)  # this browser stays in
    laptop.close()


def test_a_page_the_person_may_not_see_gives_its_refusal(app, page):
    page.goto(f"{app}/settings")
    fill_sign_in(page, "observer@apc.example")
    expect(page).to_have_url(f"{app}/settings")
    expect(page.get_by_text("You do not have access to this page.")).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("link", name="Watchlist")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Settings")).to_have_count(0)
