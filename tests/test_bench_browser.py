"""The browser benchmark (issue 24) at the small scale on two pages: the real server, Chromium,
every figure from a click to fully drawn, and each one's ratio to the floor page measured as
the same person in the same run. (``make bench`` itself is not part of the suite.)"""

from concurrent.futures import ThreadPoolExecutor

import pytest

from bench import browser
from bench.generate import SMALL, generate
from tests.conftest import DEMO_DAY

PAGES = {"pages/home.py", "pages/tracker.py"}
RUNS = 2


@pytest.fixture(scope="module")
def measured(tmp_path_factory, chromium_path):
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'small.db'}"
    generate(url, SMALL, today=DEMO_DAY.date())
    # In a thread of its own: the suite's browser fixture may hold this thread's Playwright,
    # and Playwright's sync API runs one per thread.
    with ThreadPoolExecutor(1) as thread:
        run = thread.submit(browser.measure_record, url, roles=["chair"], runs=RUNS, pages=PAGES)
        figures = run.result()
    return browser.summarise(figures)


def test_every_page_and_interaction_is_measured_beside_the_floor(measured):
    found = {(row["script"], row["kind"]): row for row in measured}
    assert set(found) == {
        (browser.FLOOR_SCRIPT, "page"),
        (browser.FLOOR_SCRIPT, "interaction"),
        ("pages/home.py", "page"),
        ("pages/tracker.py", "page"),
        ("pages/tracker.py", "interaction"),
    }
    assert found["pages/tracker.py", "page"]["how"] == "address /tracker?agency=STATE"
    assert found["pages/home.py", "page"]["how"] == "menu entry"
    for row in measured:
        assert row["status"] == "ok", row
        assert len(row["samples"]) == RUNS
        # A click's rerun sends the page over the websocket and leaves it drawn.
        assert all(s["ms"] > 0 and s["bytes"] > 0 and s["nodes"] > 0 for s in row["samples"])


def test_each_ratio_is_against_the_floor_of_the_same_kind(measured):
    floors = {
        row["kind"]: row["median_ms"] for row in measured if row["script"] == browser.FLOOR_SCRIPT
    }
    assert floors["page"] and floors["interaction"]
    for row in measured:
        assert row["floor_ms"] == floors[row["kind"]]
        assert row["ratio"] == round(row["median_ms"] / floors[row["kind"]], 2)
    # The tracker opened on a filter sends its table: more than the floor's ten rows.
    tracker = next(r for r in measured if r["script"] == "pages/tracker.py")
    assert tracker["bytes"] > next(r["bytes"] for r in measured if r["name"] == "Floor")


def test_the_report_shows_each_figure_with_its_ratio(measured):
    text = browser.render({"sqlite/small": {"measured": "now", "load": 1.0, "rows": measured}})
    assert "## sqlite / small" in text
    assert "| Page or interaction | Role | Median | × floor |" in text
    tracker = next(r for r in measured if r["script"] == "pages/tracker.py")
    assert f"| {tracker['name']} | chair | {tracker['median_ms']:,} ms |" in text
    assert f"×{tracker['ratio']:.2f}" in text
