"""The app server protects itself (issue 17, points 8 and 9): every answer carries its own
security headers and none names the server; and no page, signed in or not, asks anything of
a host but this one (the tool must work on an air-gapped network, and tell no outside host
who uses it), nor breaks its Content-Security-Policy."""

import urllib.request
from urllib.parse import urlparse

import pytest

from web import headers

ADDRESSES = ["/sign-in", "/healthz", "/favicon.png", "/_stcore/health", "/feeds/unknown.ics"]


def answer(url: str):
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers
    except urllib.error.HTTPError as refused:  # a 404 is an answer too
        return refused.headers


@pytest.mark.parametrize("path", ["/", *ADDRESSES])
def test_every_answer_carries_the_security_headers(served_app, path):
    got = answer(served_app["url"] + path)
    assert got["X-Content-Type-Options"] == "nosniff"
    assert got["X-Frame-Options"] == "DENY"
    assert got["Referrer-Policy"] == "same-origin"
    policy = got["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert "Server" not in got, got["Server"]


CHAIR_PAGES = [
    "",
    "inbox",
    "search?q=sudan",
    "account",
    "dashboard",
    "alerts",
    "reports",
    "meetings",
    "meeting?id=1",
    "agenda_builder",
    "meeting_room",
    "watchlist",
    "country?code=SDN",
    "plan?id=1",
    "tracker",
    "audit",
    "settings",
]
ADMIN_PAGES = ["users", "outbox", "risk_import"]


def test_no_page_asks_an_outside_host_for_anything_or_breaks_the_policy(served_app, page, sign_in):
    base = served_app["url"]
    own = urlparse(base).netloc
    outside, violations = [], []

    def only_here(route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).netloc == own:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", only_here)
    # The console is where Chromium reports what the policy blocked (before any request).
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def visit(path: str) -> None:
        page.goto(f"{base}/{path}")
        page.locator("[data-testid='stMainBlockContainer'] h1, h1").first.wait_for()
        page.wait_for_timeout(1500)  # what loads after the first draw: icons, charts, maps
        assert not outside and not violations, (path, outside, violations)

    page.goto(f"{base}/sign-in")
    page.wait_for_load_state("load")
    assert not outside and not violations, ("sign-in", outside, violations)
    for who, paths in (("chair@apc.example", CHAIR_PAGES), ("admin@apc.example", ADMIN_PAGES)):
        page.context.clear_cookies()
        sign_in(base, who)
        page.wait_for_url(f"{base}/")
        for path in paths:
            visit(path)
    # The inline scripts the policy names by their hash did run; no other inline script may.
    assert page.evaluate("() => [window.apcAccessibility, window.prerenderReady]") == [True, True]
    icons = page.eval_on_selector_all("link[rel*='icon']", "links => links.map(l => l.href)")
    assert icons and all(icon.startswith(base) for icon in icons), icons  # this server's


def test_the_policy_lets_streamlit_draw_and_connect():
    """What the policy allows, in so many words: the server's own scripts and the two inline
    ones by their hash (never any inline script), styles Streamlit writes inline, images and
    the world map from data: addresses; nothing else."""
    policy = dict(part.split(" ", 1) for part in headers.POLICY.split("; "))
    assert policy["connect-src"] == "'self' data:"
    assert "https:" not in headers.POLICY and "*" not in headers.POLICY
    assert "unsafe" not in policy["script-src"] and policy["script-src"].count("'sha256-") == 2
