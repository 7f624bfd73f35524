"""The real app in Chromium: sign in, see Home, sign out; a wrong password is refused."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_chair_signs_in_sees_home_and_signs_out(served_app, page, sign_in):
    sign_in(served_app["url"], "chair@apc.example")
    expect(page.get_by_role("heading", name="Good day, Dana Whitfield")).to_be_visible()
    expect(page.get_by_text("Next meeting")).to_be_visible()
    expect(page.get_by_text("UNCLASSIFIED // DEMONSTRATION DATA")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Good day")).to_have_count(0)


def test_a_wrong_password_is_refused(served_app, page, sign_in):
    sign_in(served_app["url"], "chair@apc.example", password="not the password")
    expect(
        page.get_by_text("That email and password do not match an active account.")
    ).to_be_visible()
    expect(page.get_by_text("Good day")).to_have_count(0)


def test_the_world_map_comes_from_the_server_once_not_inside_every_chart(served_app):
    """The dashboard's and the watchlist's maps fetch their base map from the app's own server
    (no CDN the committee's network may not reach), and the browser keeps it (issue 24)."""
    import json
    import urllib.request

    from pages import world

    assert world.config()["topojsonURL"] == "maps/"  # relative: plotly adds the file's name
    with urllib.request.urlopen(served_app["url"] + world.MAP_ROUTE) as response:
        assert response.headers["Cache-Control"] == "public, max-age=86400"
        assert json.load(response)["type"] == "Topology"
