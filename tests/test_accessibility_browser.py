"""axe-core, the rule engine behind most accessibility audits, on every page of the real app in
Chromium (issue 25): for every role that sees the page, on the demo record, with its expanders
open and each of its tabs shown, and with the forms a person fills open (move a meeting, file
an alert, update an item). No critical and no serious violation of the WCAG 2.0 and 2.1 A and
AA rules, whatever their source. Table cells are drawn on a canvas that axe cannot read: their
colours are checked in tests/test_colours.py.

axe-core comes from the npm registry, pinned with its lock file in tests/accessibility/.
"""

import json
import os
import shutil
import subprocess
import time

import pytest
from conftest import IN_CI, PROJECT_ROOT
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

AXE_DIR = PROJECT_ROOT / "tests" / "accessibility"
AXE_FILE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = {"serious", "critical"}
# Rules that Streamlit itself does not let the app meet, each with the reason and Streamlit's
# issue. None is needed today: this stays empty unless one truly cannot be met.
FRAMEWORK_EXCEPTIONS: dict[str, str] = {}

ROLES = {
    "chair": "chair@apc.example",
    "representative": "rep.state@apc.example",
    "observer": "observer@apc.example",
    "administrator": "admin@apc.example",
}


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from the lock file on first use (a fresh clone has none)."""
    if not AXE_FILE.exists():
        npm = shutil.which("npm")
        if npm is None:
            if IN_CI:
                pytest.fail("npm is required in CI to install axe-core (apt-get install npm)")
            pytest.skip(reason="npm not installed: it installs axe-core for this test")
        subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=AXE_DIR,
            check=True,
            capture_output=True,
            env={**os.environ, "npm_config_update_notifier": "false"},
        )
    return AXE_FILE.read_text()


def settle(page) -> None:
    """Wait until the app has finished its run and drawn what it lazily loads."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden()
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)
    expect(page.locator("[data-stale='true']")).to_have_count(0)  # faded while a run is due
    page.wait_for_function(  # the charts, which load after the rest
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".every(chart => chart.querySelector('svg.main-svg'))"
    )


def violations(page, axe_source: str, within: str = "document") -> list[dict]:
    """axe's serious and critical violations in the page, or in the element ``within``."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    found = page.evaluate(
        """async ([selector, tags]) => {
            const context = selector === 'document' ? document : document.querySelector(selector);
            const result = await axe.run(context, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                rule: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => [n.target.join(' '), n.html,
                    ...[...n.any, ...n.all, ...n.none].map(check => check.message)]),
            }));
        }""",
        [within, WCAG_AA],
    )
    return [v for v in found if v["impact"] in FAILING and v["rule"] not in FRAMEWORK_EXCEPTIONS]


def open_expanders(page) -> None:
    """Open every expander, one at a time: opening one may redraw the others."""
    closed = page.locator("[data-testid='stMain'] details:not([open]) > summary")
    for _ in range(40):
        shown = [summary for summary in closed.all() if summary.is_visible()]
        if not shown:
            return
        shown[0].click()
        settle(page)
    # An expander fades its content in: measured mid-way, its text would be too faint.
    page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running'"
        " || a.effect.getComputedTiming().iterations === Infinity)"
    )


def sweep(page, axe_source: str) -> list[dict]:
    """The page as drawn, its expanders open; then each further tab, its expanders open."""
    settle(page)
    open_expanders(page)
    found = violations(page, axe_source)
    tabs = page.locator("[data-testid='stMain'] [role='tab']")
    unseen = [
        n for n in range(tabs.count()) if tabs.nth(n).get_attribute("aria-selected") != "true"
    ]
    for n in unseen:
        tabs.nth(n).click()
        settle(page)
        open_expanders(page)
        panel = tabs.nth(n).get_attribute("aria-controls")
        found += violations(page, axe_source, f"[id='{panel}']" if panel else "document")
    return found


def open_from_menu(page, label: str) -> None:
    page.locator(".st-key-menu").get_by_role("link", name=label, exact=True).click()
    settle(page)


def menu_labels(page) -> list[str]:
    links = page.locator(".st-key-menu").get_by_role("link")
    expect(links.first).to_be_visible()
    return [link.inner_text().split("\n")[-1].strip() for link in links.all()]


def choose(page, label: str, text: str) -> None:
    """Pick the option holding ``text`` in the select box ``label``, typing to find it."""
    page.get_by_role("combobox", name=label).click()
    page.keyboard.type(text)
    page.get_by_role("option").filter(has_text=text).first.click()
    settle(page)


# The views that only a click beyond the menu reaches: the hidden pages and the open forms.


def a_country(page) -> None:
    open_from_menu(page, "Watchlist")
    choose(page, "Open a country", "Sudan")
    expect(page.get_by_role("heading", name="Sudan", exact=True)).to_be_visible()


def a_plan(page) -> None:
    a_country(page)
    page.get_by_role("tab", name="Plans").click()
    page.get_by_role("link", name="Open the plan").first.click()
    settle(page)


def a_meeting_being_moved(page) -> None:
    open_from_menu(page, "Meetings")
    page.get_by_role("link", name="Open").first.click()
    settle(page)
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_role("button", name="Move the meeting")).to_be_visible()


def a_meeting(page) -> None:
    open_from_menu(page, "Meetings")
    page.get_by_role("link", name="Open").first.click()
    settle(page)


def an_item_being_updated(page) -> None:
    open_from_menu(page, "My agency's desk")
    page.get_by_role("combobox", name="Item", exact=True).click()
    page.get_by_role("option").first.click()
    settle(page)
    expect(page.get_by_role("button", name="Save update")).to_be_visible()


EXTRA_VIEWS = {
    "chair": [a_country, a_plan, a_meeting_being_moved],
    "representative": [a_country, a_plan, a_meeting, an_item_being_updated],
    "observer": [a_country, a_meeting],
    "administrator": [a_country, a_meeting],
}


@pytest.mark.parametrize("role", list(ROLES))
def test_no_serious_or_critical_violation_on_any_page(
    served_app, page, sign_in, axe_source, role, record_property
):
    started = time.monotonic()
    page.goto(served_app["url"])
    settle(page)
    results = {"Sign in": violations(page, axe_source)}
    sign_in(served_app["url"], ROLES[role])
    for label in menu_labels(page):
        open_from_menu(page, label)
        results[label] = sweep(page, axe_source)
    for view in EXTRA_VIEWS[role]:
        view(page)
        results[view.__name__.replace("_", " ")] = sweep(page, axe_source)

    print(f"\naxe, {role}, {time.monotonic() - started:.0f} s:")
    for name, found in results.items():
        print(f"  {name}: {len(found)} serious or critical")
    record_property("axe", json.dumps({k: len(v) for k, v in results.items()}))
    failures = {name: found for name, found in results.items() if found}
    assert not failures, json.dumps(failures, indent=1)
