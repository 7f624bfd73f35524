"""Speed as people feel it (issue 24): the real server on a generated record, driven by
Chromium, every figure the time from a click to the page fully drawn, as a multiple of a
trivial page's (the floor) measured the same way in the same run.

    python -m bench --browser [--scales small,medium,large] [--engines sqlite,postgresql]
                              [--roles chair,representative] [--runs 5] [--reuse]

How one figure is taken: a capture listener notes the moment of the click's ``pointerdown``
(for a page opened by its address, the moment the address changes); a ``MutationObserver``
notes the last change to the page. The page is fully drawn when Streamlit's script has run
(the app's ``data-test-script-state`` went to running and back), its status widget is gone,
and nothing has changed for 500 ms; the figure is the last change's time less the click's, so
those 500 ms are not counted. Beside it: the bytes the server sent over the websocket for the
rerun, and the elements on the page once drawn.

Each round visits the floor and then every page the person may see, in the menu's order,
each by a click on its menu entry (the hidden pages and the pages opened in a working state
by their address, as a link does), with the page's typical interaction after it where it has
one; five rounds give the median. The floor is measured in every round, so a drift of the
shared machine's speed moves the floor and the pages alike.
"""

import json
import os
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import select

from bench import measure
from committee import access, meetings
from db import engine as db_engine
from db.models import AgendaItem

BENCH = Path(__file__).resolve().parent
RESULTS_JSON = BENCH / "results-browser.json"
RESULTS_MD = BENCH / "results-browser.md"
RUNS = 5
QUIET_MS = 500  # no change for this long: drawn (not counted in the figure)
FLOOR_SCRIPT = "bench/floor.py"
TARGET_RATIO = 1.5  # every page and interaction within this multiple of the floor's
VIEWPORT = {"width": 1400, "height": 1000}
DRAW_TIMEOUT = 60  # seconds: a page not drawn by then (never still) is reported as failed

# Installed once per tab, armed before each measurement.
ARM = """() => {
  const b = window.__bench || (window.__bench = {});
  if (!b.observer) {
    b.observer = new MutationObserver(records => {
      b.last = performance.now();
      if (records.some(r => r.attributeName === 'data-test-script-state')) b.ran = true;
    });
    b.observer.observe(document.body,
      {subtree: true, childList: true, attributes: true, characterData: true});
    document.addEventListener('pointerdown', e => { if (b.t0 === null) b.t0 = e.timeStamp; },
      true);
  }
  b.t0 = null; b.last = null; b.ran = false;
}"""
QUIET = f"""() => {{
  const b = window.__bench;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  return performance.now() - Math.max(b.last || 0, b.t0) >= {QUIET_MS};
}}"""
DRAWN = f"""() => {{
  const b = window.__bench;
  if (b.t0 === null || !b.ran || b.last === null) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  return performance.now() - b.last >= {QUIET_MS};
}}"""
RESULT = """() => ({ms: window.__bench.last - window.__bench.t0,
                    nodes: document.getElementsByTagName('*').length})"""
GO_TO = """path => { window.__bench.t0 = performance.now(); history.pushState({}, '', path);
  window.dispatchEvent(new PopStateEvent('popstate', {state: {}})); }"""


@dataclass
class Sample:
    ms: float
    bytes: int
    nodes: int


@dataclass
class Figure:
    """One page or interaction as one role: its samples and, once summed up, the medians."""

    name: str  # as the report shows it
    script: str
    role: str
    kind: str  # page, interaction
    how: str  # what the click was
    samples: list[Sample] = field(default_factory=list)
    failures: int = 0  # samples not taken: the page not drawn, or the click found nothing
    status: str = "ok"
    detail: str = ""

    @property
    def median_ms(self) -> float | None:
        return round(statistics.median(s.ms for s in self.samples)) if self.samples else None

    @property
    def bytes(self) -> int | None:
        return round(statistics.median(s.bytes for s in self.samples)) if self.samples else None

    @property
    def nodes(self) -> int | None:
        return round(statistics.median(s.nodes for s in self.samples)) if self.samples else None


@dataclass(frozen=True)
class Visit:
    """How a page is opened, and its typical interaction if it has one."""

    name: str
    script: str
    address: str = ""  # opened by its address (a link's way) rather than its menu entry
    interaction: str = ""
    act: Callable | None = None  # the interaction: given the tab, clicks
    prepare: Callable | None = None  # before the interaction's timed click (opening a list)


class Measuring:
    """One tab of one person's, and the websocket bytes it received since it was armed."""

    def __init__(self, tab):
        self.tab, self.received = tab, 0
        tab.on("websocket", lambda ws: ws.on("framereceived", self._count))

    def _count(self, payload) -> None:
        self.received += len(payload)

    def measure(self, action: Callable, timeout_ms: int) -> Sample:
        self.tab.evaluate(ARM)
        self.received = 0
        action()
        self.tab.wait_for_function(DRAWN, polling=50, timeout=timeout_ms)
        found = self.tab.evaluate(RESULT)
        return Sample(round(found["ms"], 1), self.received, found["nodes"])

    def settle(self, timeout_ms: int) -> None:
        """Until the page is still: what follows a sign-in (a second run, the menu's marks) is
        not to land inside the first figure."""
        self.tab.evaluate(ARM)
        self.tab.evaluate("() => { window.__bench.t0 = performance.now(); }")
        self.tab.wait_for_function(QUIET, polling=50, timeout=timeout_ms)

    def click_menu(self, script: str) -> None:
        # The menu's links are relative; the first page's (the default, home) is empty.
        first = measure.app_pages()[0].script
        href = "" if script == first else Path(script).stem
        self.tab.locator(f'[data-testid="stSidebar"] a[href="{href}"]').first.click()

    def go_to(self, address: str) -> None:
        self.tab.evaluate(GO_TO, address)


# --- what is visited --------------------------------------------------------------------------


def _review_position() -> int | None:
    """The position of the first country review on the agenda of the meeting the meeting room
    opens on (the first open meeting)."""
    opened = meetings.open_meetings(limit=1)
    if not opened:
        return None
    with db_engine.read_session() as session:
        return session.scalar(
            select(AgendaItem.position)
            .where(AgendaItem.meeting_id == opened[0].id, AgendaItem.kind == "country_review")
            .order_by(AgendaItem.position)
        )


def _open_item_list(tab) -> None:
    """Open the desk's list of items from the keyboard: on the largest record a click in the
    box leaves the list closed."""
    choice = tab.get_by_role("combobox", name="Item")
    choice.focus()
    choice.press("ArrowDown")


def visits(records: measure.Records, actor) -> list[Visit]:
    """The floor, then every page ``actor`` may see in the menu's order, then the hidden ones,
    each in the state people use it in, with the working pages' typical interaction."""
    review = _review_position()
    special = {
        "pages/tracker.py": Visit(
            "Tracker, one agency's items",
            "pages/tracker.py",
            address=f"/tracker?agency={records.agency_code}",
            interaction="Tracker: a filter changed (overdue only)",
            act=lambda tab: tab.get_by_text("Overdue only", exact=True).click(),
        ),
        "pages/agency_desk.py": Visit(
            "My agency's desk",
            "pages/agency_desk.py",
            interaction="Desk: an item opened",
            prepare=_open_item_list,
            act=lambda tab: tab.get_by_role("option").first.click(),
        ),
        "pages/meeting_room.py": Visit(
            "Meeting room",
            "pages/meeting_room.py",
            interaction="Meeting room: a country review opened",
            act=None
            if review is None
            else lambda tab: (
                tab.locator('[data-testid="stRadio"] label')
                .filter(has_text=re.compile(rf"^\s*{review}\. "))
                .first.click()
            ),
        ),
        "pages/watchlist.py": Visit(
            "Watchlist",
            "pages/watchlist.py",
            interaction="Watchlist: a tier filter changed",
            act=lambda tab: tab.locator('[data-testid="stButtonGroup"] button').last.click(),
        ),
        "pages/country.py": Visit(
            "Country with the most history",
            "pages/country.py",
            address=f"/country?code={records.country_code}",
            interaction="Country: a tab switched (action items)",
            act=lambda tab: tab.get_by_role("tab", name="Action items").click(),
        ),
    }
    found = [
        Visit(
            "Floor",
            FLOOR_SCRIPT,
            interaction="Floor: a rerun",
            act=lambda tab: tab.get_by_role("button", name="Rerun").click(),
        )
    ]
    for page in measure.app_pages():
        if not access.can(actor, page.permission):
            continue
        if page.script in special:
            found.append(special[page.script])
        elif page.hidden:
            query = "&".join(f"{k}={v}" for k, v in records.query_for(page).items())
            found.append(Visit(page.title, page.script, address=f"/{page.url_path}?{query}"))
        else:
            found.append(Visit(page.title, page.script))
    return found


# --- one server, one record -------------------------------------------------------------------


def measure_record(
    url: str, *, roles: list[str], runs: int = RUNS, progress=print, pages: set[str] | None = None
) -> list[Figure]:
    """Every page and interaction, as each of ``roles``, on the record at ``url``: the real
    server started on it with the floor page, Chromium signed in as each person in turn.
    ``pages``: only these scripts (and the floor)."""
    from playwright.sync_api import sync_playwright

    db_engine.use_database(url)
    records = measure.find_records()
    figures: list[Figure] = []
    timeout = DRAW_TIMEOUT * 1000
    with (
        measure.serve(url, measure.free_port(), {"APC_BENCH_FLOOR": "1"}) as (base, _),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=measure.CHROMIUM, args=measure.CHROMIUM_ARGS
        )
        for role in roles:
            actor = measure.actor_of(measure.ROLES[role])
            planned = [
                v
                for v in visits(records, actor)
                if pages is None or v.script in {*pages, FLOOR_SCRIPT}
            ]
            context = browser.new_context(viewport=VIEWPORT)
            tab = context.new_page()
            tab.set_default_timeout(timeout)
            measuring = Measuring(tab)  # before the app's websocket opens, to count it
            measure.sign_in(tab, base, measure.ROLES[role])
            measuring.settle(timeout)
            opened = {v.script: Figure(v.name, v.script, role, "page", _how(v)) for v in planned}
            acted = {
                v.script: Figure(
                    v.interaction, v.script, role, "interaction", "on the page as opened"
                )
                for v in planned
                if v.act
            }
            for round_ in range(runs):
                for visit in planned:
                    _take(measuring, visit, opened[visit.script], acted.get(visit.script), timeout)
                progress(f"    {role}: round {round_ + 1} of {runs}")
            context.close()
            for visit in planned:
                figures.append(opened[visit.script])
                if visit.script in acted:
                    figures.append(acted[visit.script])
        browser.close()
    return figures


def _how(visit: Visit) -> str:
    return f"address {visit.address}" if visit.address else "menu entry"


def _take(measuring: Measuring, visit: Visit, page: Figure, interaction, timeout: int) -> None:
    """One visit: the page opened, then its interaction; a failure is reported, not raised."""
    for figure, action in [
        (page, lambda: _open(measuring, visit)),
        (interaction, lambda: visit.act(measuring.tab)),
    ]:
        if figure is None or figure.status != "ok":
            continue
        try:
            if figure is interaction and visit.prepare:
                visit.prepare(measuring.tab)
            figure.samples.append(measuring.measure(action, timeout))
        except Exception as error:  # one page's failure is a result, and the run goes on
            figure.failures += 1
            figure.detail = f"{figure.failures} failed: {str(error).splitlines()[0][:160]}"
            if not figure.samples and figure.failures > 1:
                figure.status = "failed"  # twice and never once: not measurable as it is
            return


def _open(measuring: Measuring, visit: Visit) -> None:
    if visit.address:
        measuring.go_to(visit.address)
    else:
        measuring.click_menu(visit.script)


# --- results ----------------------------------------------------------------------------------


def floor_of(figures: list[Figure], role: str, kind: str) -> float | None:
    """The floor measured as ``role`` in the same run: its page open, or (for interactions)
    its rerun."""
    for figure in figures:
        if figure.script == FLOOR_SCRIPT and figure.role == role and figure.kind == kind:
            return figure.median_ms
    return None


def summarise(figures: list[Figure]) -> list[dict]:
    """Each figure with its medians and its ratio to the floor of the same role and kind."""
    rows = []
    for figure in figures:
        floor = floor_of(figures, figure.role, figure.kind)
        median = figure.median_ms
        row = {
            "name": figure.name,
            "script": figure.script,
            "role": figure.role,
            "kind": figure.kind,
            "how": figure.how,
            "status": figure.status,
            "detail": figure.detail,
            "median_ms": median,
            "floor_ms": floor,
            "ratio": round(median / floor, 2) if median and floor else None,
            "bytes": figure.bytes,
            "nodes": figure.nodes,
            "samples": [asdict(s) for s in figure.samples],
        }
        rows.append(row)
    return rows


def load() -> dict:
    return json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}


def record(results: dict, *, engine: str, scale: str, rows: list[dict]) -> None:
    """Keep this run's figures; each role replaces only its own earlier ones (its floor was
    measured with them), so roles can be measured in separate runs."""
    measured = {row["role"] for row in rows}
    earlier = results.get(f"{engine}/{scale}", {})
    kept = [row for row in earlier.get("rows", []) if row["role"] not in measured]
    results[f"{engine}/{scale}"] = {
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load": round(os.getloadavg()[0], 1),
        "rows": kept + rows,
    }


def server_figures() -> dict[tuple[str, str, str, str], float]:
    """The server-side render of each page (``bench/results.json``), to show beside it."""
    from bench import report

    found = {}
    for key, run in report.load().get("runs", {}).items():
        engine, scale = key.split("/")
        for timing in run.get("timings", []):
            if timing.get("kind") == "page" and timing.get("median_ms") is not None:
                found[engine, scale, timing["name"], timing["role"]] = timing["median_ms"]
    return found


def render(results: dict) -> str:
    server = server_figures()
    lines = [
        "# Browser benchmark results",
        "",
        "Written by `python -m bench --browser` (issue 24; the method: `bench/browser.py` and "
        "README's benchmark section). Each figure: the median of the runs, from a click to the "
        f"page fully drawn in Chromium (Streamlit's status widget gone, no change for "
        f"{QUIET_MS} ms, not counted); × floor: against the floor page (a title and a 10-row "
        "table) measured as the same person in the same run, an interaction against the "
        "floor's rerun. Server: the warm render of the same page as the same role under "
        "AppTest (`bench/results.md`). Sent: bytes over the websocket for the click's rerun. "
        "Elements: the page's DOM elements once drawn.",
        "",
    ]
    for key in sorted(results, key=_order):
        run = results[key]
        engine, scale = key.split("/")
        rows = run["rows"]
        ok = [r for r in rows if r["ratio"] is not None and r["script"] != FLOOR_SCRIPT]
        within = sum(1 for r in ok if r["ratio"] <= TARGET_RATIO)
        failed = [r for r in rows if r["status"] != "ok"]
        lines += [
            f"## {engine} / {scale}",
            "",
            f"Measured {run['measured']} (load {run['load']}). Within ×{TARGET_RATIO} of the "
            f"floor: {within} of {len(ok)}" + (f"; failed: {len(failed)}" if failed else "") + ".",
            "",
            "| Page or interaction | Role | Median | × floor | Server | Sent | Elements | How |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in rows:
            figure = f"{r['median_ms']:,} ms" if r["median_ms"] is not None else r["status"]
            ratio = f"×{r['ratio']:.2f}" if r["ratio"] is not None else ""
            if r["ratio"] is not None and r["ratio"] > TARGET_RATIO:
                ratio = f"**{ratio}**"
            rendered = server.get((engine, scale, r["script"], r["role"]))
            served = f"{rendered:,.0f} ms" if rendered is not None and r["kind"] == "page" else ""
            sent = f"{r['bytes'] / 1024:,.1f} KB" if r["bytes"] is not None else ""
            how = r["how"] + (f" — {r['detail']}" if r["detail"] else "")
            lines.append(
                f"| {r['name']} | {r['role']} | {figure} | {ratio} | {served} | {sent} | "
                f"{r['nodes'] or ''} | {how} |"
            )
        lines.append("")
    return "\n".join(lines)


def _order(key: str) -> tuple[int, int]:
    engine, scale = key.split("/")
    return (
        ("sqlite", "postgresql").index(engine),
        ("small", "medium", "large").index(scale),
    )


def save(results: dict) -> None:
    RESULTS_JSON.write_text(json.dumps(results, indent=1) + "\n")
    RESULTS_MD.write_text(render(results))
