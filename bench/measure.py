"""What the benchmark measures on each database: every page as each role that sees it, the
exports, the statistical risk import; and the app server's memory after ten browser sessions.

Pages are read from the entry script's ``PAGES`` and ``HIDDEN_PAGES``, and the exports and the
import are found by module name at run time, so whatever lands later is measured without
editing this file; what is not there yet is reported as "not available yet".
"""

import ast
import contextlib
import importlib.util
import io
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st
import streamlit.logger
from sqlalchemy import Engine, delete, event, func, select
from streamlit import config
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test, local_script_runner

import cli
from committee import access, clock, people
from committee.actor import Actor
from committee.demo import DEMO_PASSWORD
from db import engine as db_engine
from db.models import (
    ActionItem,
    ActionUpdate,
    Alert,
    Meeting,
    PlanVersion,
    RiskImport,
    RiskObservation,
    WatchlistEntry,
)
from pages import ui

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP = PROJECT_ROOT / "streamlit_app.py"
SERVER = PROJECT_ROOT / "server.py"  # the app with its sign-in routes, as make run serves it
EWP = Path(os.environ.get("APC_EWP_DIR", PROJECT_ROOT.parent / "shared" / "data" / "ewp"))
ROLES = {
    "chair": "chair@apc.example",
    "representative": "rep.state@apc.example",  # STATE owns a tenth of the items, the most
    "observer": "observer@apc.example",
    "admin": "admin@apc.example",
}
QUICK_ROLES = ("chair", "representative")
RENDER_TIMEOUT = 300  # seconds; a page slower than this is a finding, not a hang
SLOW_RENDER = 3.0  # seconds: past this, fewer repetitions keep the run within minutes
FAST_RENDER = 0.15  # seconds: under this, more repetitions steady the median
RUNS, QUICK_RUNS = 5, 3  # warm renders of a page (three times as many of a fast one)
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")
USAGE_ERROR = 2  # argparse's exit status for a command line it does not know
QUERY_PARAM = re.compile(r"""query_params(?:\.get(?:_all)?\(\s*|\[\s*)["'](\w+)["']""")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MEMORY_SESSIONS = [  # ten sessions, every role, several agencies
    "chair@apc.example",
    "rep.state@apc.example",
    "observer@apc.example",
    "admin@apc.example",
    "secretariat@apc.example",
    "rep.usaid@apc.example",
    "chair@apc.example",
    "rep.dod@apc.example",
    "observer@apc.example",
    "rep.treas@apc.example",
]


@dataclass(frozen=True)
class Page:
    """A page of the app as the entry script registers it."""

    script: str
    title: str
    permission: str
    hidden: bool
    params: tuple[str, ...] = ()  # query parameters a hidden page reads

    @property
    def url_path(self) -> str:
        return Path(self.script).stem


@dataclass
class Timing:
    """One thing measured on one database: a page as one role, an export, or an import."""

    kind: str  # page, export, import
    name: str  # the page's script, or the export's name
    role: str = ""
    query: str = ""
    status: str = "ok"  # ok, failed, not available yet
    median_ms: float | None = None  # warm: after a first render or run
    sql_ms: float | None = None  # time inside the driver's execute, median run
    # SQL statements (BEGIN/COMMIT not counted) of most runs: a cache refreshed once a minute
    # (the time zone's) adds one to the run that refreshes it, whichever run that is.
    statements: int | None = None
    cold_statements: int | None = None  # the first render's, caches empty
    runs: int = 0
    detail: str = ""


@dataclass
class Memory:
    """The app server's resident memory after ``sessions`` browser sessions visited every page
    their person may see, all still open."""

    scale: str
    engine: str
    sessions: int = 0
    visits: int = 0
    start_mb: float | None = None
    rss_mb: float | None = None
    peak_mb: float | None = None
    seconds: float | None = None
    status: str = "ok"
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Records:
    """Real records to open: the busiest of each kind, so pages show the most."""

    country_code: str
    meeting_id: int  # the last meeting held: agenda, decisions, minutes
    next_meeting_id: int  # the next one: what a read-ahead is for
    plan_id: int  # the plan with the most versions
    alert_id: int
    action_item_id: int  # the item with the longest history
    agency_code: str
    year: int  # for the annual report: the last full year held, else this one

    def for_param(self, param: str, page_stem: str) -> str | None:
        """The value for a hidden page's query parameter: ``id`` means the page's own noun."""
        noun = param.lower().removesuffix("_id")
        noun = page_stem if noun == "id" else noun
        values = {
            "country": self.country_code,
            "code": self.country_code,
            "meeting": self.meeting_id,
            "plan": self.plan_id,
            "alert": self.alert_id,
            "action": self.action_item_id,
            "item": self.action_item_id,
            "agency": self.agency_code,
        }
        found = next((value for key, value in values.items() if key in noun), None)
        return None if found is None else str(found)

    def query_for(self, page: Page) -> dict[str, str]:
        """The query parameters that open ``page`` on a real record (none for menu pages)."""
        values = {param: self.for_param(param, page.url_path) for param in page.params}
        return {param: value for param, value in values.items() if value is not None}


# --- what there is to measure ---------------------------------------------------------------


def app_pages() -> list[Page]:
    """``PAGES`` and ``HIDDEN_PAGES`` as the entry script declares them. Read from its source:
    importing the entry script would run the app."""
    declared = {}
    for node in ast.parse(APP.read_text()).body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id in ("PAGES", "HIDDEN_PAGES"):
            declared[target.id] = ast.literal_eval(node.value)
    pages = [
        Page(script, title, permission, hidden=False)
        for _section, script, title, _icon, permission in declared.get("PAGES", [])
    ]
    for script, title, permission in declared.get("HIDDEN_PAGES", []):
        path = PROJECT_ROOT / script
        found = QUERY_PARAM.findall(path.read_text()) if path.exists() else []
        # A page that reads its parameters through a helper: offer the usual two.
        params = tuple(dict.fromkeys(found)) or ("id", "code")
        pages.append(Page(script, title, permission, hidden=True, params=params))
    return pages


def find_records() -> Records:
    with db_engine.read_session() as session:
        watched = select(WatchlistEntry.country_code).where(WatchlistEntry.on_watchlist)
        country = session.scalar(
            select(ActionItem.country_code)
            .where(ActionItem.country_code.in_(watched))
            .group_by(ActionItem.country_code)
            .order_by(func.count().desc(), ActionItem.country_code)
            .limit(1)
        )
        last_held = session.scalar(
            select(Meeting.id).where(Meeting.status == "held").order_by(Meeting.starts_at.desc())
        )
        next_meeting = session.scalar(
            select(Meeting.id)
            .where(Meeting.status == "scheduled", Meeting.starts_at >= clock.now())
            .order_by(Meeting.starts_at)
        )
        plan = session.scalar(
            select(PlanVersion.plan_id)
            .group_by(PlanVersion.plan_id)
            .order_by(func.count().desc(), PlanVersion.plan_id.desc())
            .limit(1)
        )
        alert = session.scalar(
            select(Alert.id).where(Alert.restricted.is_(False)).order_by(Alert.filed_at.desc())
        )
        first_held = session.scalar(select(func.min(Meeting.starts_at)))
        item = session.scalar(
            select(ActionUpdate.action_item_id)
            .group_by(ActionUpdate.action_item_id)
            .order_by(func.count().desc(), ActionUpdate.action_item_id.desc())
            .limit(1)
        )
    return Records(
        country_code=country,
        meeting_id=last_held,
        next_meeting_id=next_meeting or last_held,
        plan_id=plan,
        alert_id=alert,
        action_item_id=item,
        agency_code="STATE",
        year=clock.today().year - (first_held.year < clock.today().year),
    )


def actor_of(email: str) -> Actor:
    user = people.user_by_email(email)
    agencies = {a.id: a for a in people.list_agencies(include_inactive=True)}
    return people.actor_for(user, agencies.get(user.agency_id))


def session_token(actor: Actor) -> str:
    """A real session of the actor's, as a sign-in opens one: AppTest hands its token to the
    app in session state, where a browser's cookie would bring it."""
    user = people.user_by_email(actor.email)
    agencies = {a.id: a for a in people.list_agencies(include_inactive=True)}
    return people.record_sign_in(
        user=user, agency=agencies.get(user.agency_id), method="password"
    ).token


# --- counting SQL ---------------------------------------------------------------------------


class SqlCounter:
    """Statements sent to one engine and the time spent executing them, from SQLAlchemy's
    cursor events. Transaction control is not counted: psycopg sends BEGIN without an event,
    so leaving it out keeps the two engines' counts comparable."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.statements = 0
        self.seconds = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, connection, cursor, statement, parameters, context, executemany):
        connection.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, connection, cursor, statement, parameters, context, executemany):
        started = connection.info["bench_started"].pop()
        if statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            return
        self.statements += 1
        self.seconds += time.perf_counter() - started

    def reset(self) -> None:
        self.statements, self.seconds = 0, 0.0

    def remove(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


@dataclass
class _Run:
    seconds: float
    sql_seconds: float
    statements: int


def _median_run(runs: list[_Run]) -> _Run:
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


def _summary(timing: Timing, cold: _Run, warm: list[_Run]) -> Timing:
    middle = _median_run(warm)
    timing.median_ms = round(statistics.median(r.seconds for r in warm) * 1000, 1)
    timing.sql_ms = round(middle.sql_seconds * 1000, 1)
    timing.statements = statistics.mode(r.statements for r in warm)
    timing.cold_statements = cold.statements
    timing.runs = len(warm)
    return timing


# --- pages ----------------------------------------------------------------------------------


def _render(at: AppTest, counter: SqlCounter) -> _Run:
    counter.reset()
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    failures = [e.proto.message for e in at.exception]
    if failures:
        raise RuntimeError(failures[0].splitlines()[0] if failures[0] else "exception")
    return _Run(seconds, counter.seconds, counter.statements)


def repetitions(cold_seconds: float, runs: int) -> int:
    """How many warm renders to take of a page whose cold render took ``cold_seconds``."""
    if cold_seconds < FAST_RENDER:
        return runs * 3  # a fast page's median moves with the machine: take more
    if cold_seconds < SLOW_RENDER:
        return runs
    return max(2, runs // 2)


@dataclass
class PageMeasurement:
    """One page as one role, measured render by render: opened with a first render that warms
    the caches, then rendered again as often as asked, each time a full rerun of the entry
    script and the page as a click would cause."""

    timing: Timing
    at: AppTest | None = None
    cold: _Run | None = None
    warm: list[_Run] = field(default_factory=list)

    @classmethod
    def open(
        cls, page: Page, role: str, actor: Actor, query: dict[str, str], counter: SqlCounter
    ) -> "PageMeasurement":
        timing = Timing(
            "page", page.script, role=role, query="&".join(f"{k}={v}" for k, v in query.items())
        )
        measurement = cls(timing)
        try:
            at = AppTest.from_file(str(APP), default_timeout=RENDER_TIMEOUT)
            at.session_state[ui.TOKEN_KEY] = session_token(actor)
            at.run()
            at.switch_page(page.script)
            at.query_params.update(query)
            measurement.cold = _render(at, counter)
            measurement.at = at
        except Exception as error:  # a broken page is a result to report, not a reason to stop
            measurement.fail(error)
        return measurement

    def fail(self, error: Exception) -> None:
        self.timing.status, self.timing.detail = "failed", str(error)[:300]
        self.at = None

    def render(self, counter: SqlCounter) -> None:
        if self.at is None:
            return
        try:
            self.warm.append(_render(self.at, counter))
        except Exception as error:
            self.fail(error)

    def result(self) -> Timing:
        if self.at is None:
            return self.timing
        return _summary(self.timing, self.cold, self.warm)


# --- exports and the import -----------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """An export, run through the command line the issues define (``python -m committee``),
    once its module exists."""

    name: str
    module: str
    argv: Callable[[Records, Path], list[str]]
    suffix: str


EXPORTS = [
    Export(
        "Full-schedule calendar",
        "exports.calendar",
        lambda r, out: ["export-ics", "--schedule", "--out", str(out)],
        ".ics",
    ),
    Export(
        "Agency action items calendar",
        "exports.calendar",
        lambda r, out: ["export-ics", "--agency", r.agency_code, "--out", str(out)],
        ".ics",
    ),
    Export(
        "10,000-row XLSX",
        "exports.spreadsheets",
        lambda r, out: [
            *("actions", "export", "--format", "xlsx", "--all-statuses", "--agency", r.agency_code),
            *("--out", str(out)),
        ],
        ".xlsx",
    ),
    Export(
        "Read-ahead DOCX",
        "exports.documents",
        lambda r, out: [
            *("export-doc", "read-ahead", "--meeting", str(r.next_meeting_id)),
            *("--format", "docx", "--out", str(out)),
        ],
        ".docx",
    ),
    Export(
        "Read-ahead PDF",
        "exports.documents",
        lambda r, out: [
            *("export-doc", "read-ahead", "--meeting", str(r.next_meeting_id)),
            *("--format", "pdf", "--out", str(out)),
        ],
        ".pdf",
    ),
    Export(
        "Annual report DOCX",
        "committee.reports",
        lambda r, out: [
            *("report", "annual", "--year", str(r.year), "--format", "docx"),
            *("--out", str(out)),
        ],
        ".docx",
    ),
    Export(
        "Annual report PDF",
        "committee.reports",
        lambda r, out: [
            *("report", "annual", "--year", str(r.year), "--format", "pdf"),
            *("--out", str(out)),
        ],
        ".pdf",
    ),
]
IMPORTS = [
    ("2025 statistical risk", "final_forecasts_data_3Sep2025.csv"),
    ("Statistical risk history", "FOOSforecasts_3Sep2025.csv"),
]
IMPORT_MODULE = "committee.statistical_risk"


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its package is missing too
        return False


class NotAvailable(Exception):
    """The command line has no such command or option yet."""


def run_cli(argv: list[str], counter: SqlCounter) -> tuple[_Run, str]:
    """Run a command of ``python -m committee`` in this process; (timing, its output)."""
    out = io.StringIO()
    counter.reset()
    started = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = cli.main(argv)
    except SystemExit as exit_:  # argparse refused the command line
        code = exit_.code
    seconds = time.perf_counter() - started
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    if code == USAGE_ERROR:
        raise NotAvailable(lines[-1] if lines else "usage error")
    if code:
        raise RuntimeError(lines[-1] if lines else f"exit status {code}")
    return _Run(seconds, counter.seconds, counter.statements), out.getvalue()


def _describe_file(path: Path) -> str:
    size = f"{path.stat().st_size / 1024:,.0f} KB"
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        rows = sum(1 for sheet in book.worksheets for _ in sheet.iter_rows(values_only=True))
        book.close()
        return f"{size}, {rows:,} rows with the header"
    return size


def measure_exports(records: Records, counter: SqlCounter, *, runs: int) -> list[Timing]:
    timings = []
    with tempfile.TemporaryDirectory(prefix="apc-bench-") as folder:
        for export in EXPORTS:
            timing = Timing("export", export.name)
            out = Path(folder) / f"export{export.suffix}"
            argv = export.argv(records, out)
            timing.query = " ".join(argv[:-2] if argv[-2] == "--out" else argv)
            if not _available(export.module):
                timing.status, timing.detail = "not available yet", f"no module {export.module}"
            else:
                try:
                    cold, _ = run_cli(argv, counter)
                    warm = [run_cli(argv, counter)[0] for _ in range(runs)]
                    _summary(timing, cold, warm)
                    timing.detail = _describe_file(out)
                except NotAvailable as error:
                    timing.status, timing.detail = "not available yet", str(error)[:300]
                except Exception as error:  # reported, and the next export runs
                    timing.status, timing.detail = "failed", str(error)[:300]
            show(timing)
            timings.append(timing)
    return timings


def measure_imports(counter: SqlCounter) -> list[Timing]:
    """Each file imported once into a record that has never seen it (a second run changes
    nothing and is not the case to time); what it added is removed after, so the database can
    be measured again."""
    timings = []
    with db_engine.read_session() as session:
        last_import = session.scalar(select(func.max(RiskImport.id))) or 0
    for name, filename in IMPORTS:
        timing = Timing("import", name, query=f"import-ewp {filename}")
        path = EWP / filename
        if not _available(IMPORT_MODULE):
            timing.status, timing.detail = "not available yet", f"no module {IMPORT_MODULE}"
        elif not path.exists():
            timing.status, timing.detail = "failed", f"{path} is absent"
        else:
            try:
                run, output = run_cli(["import-ewp", str(path)], counter)
                _summary(timing, run, [run])
                lines = [line for line in output.splitlines() if line.strip()]
                timing.detail = lines[-1][:200] if lines else ""
            except NotAvailable as error:
                timing.status, timing.detail = "not available yet", str(error)[:300]
            except Exception as error:  # reported, and the benchmark goes on
                timing.status, timing.detail = "failed", str(error)[:300]
        show(timing)
        timings.append(timing)
    with db_engine.write_session() as session:
        added = select(RiskImport.id).where(RiskImport.id > last_import)
        session.execute(delete(RiskObservation).where(RiskObservation.import_id.in_(added)))
        session.execute(delete(RiskImport).where(RiskImport.id > last_import))
    return timings


# Issue 21: what a person types into the search box, on words every scale's record holds.
SEARCHES = (
    ("One word", "sanctions", False),
    ("A phrase", '"targeted sanctions"', False),
    ("Filtered: action items of one country", "sanctions", True),
)


def _search_once(search, chair: Actor, query: str, filters, counter: SqlCounter):
    """(timing, how many were found) of one search."""
    counter.reset()
    started = time.perf_counter()
    found = search.search(actor=chair, query=query, filters=filters)
    return _Run(time.perf_counter() - started, counter.seconds, counter.statements), found.total


def measure_searches(records: Records, counter: SqlCounter, *, runs: int) -> list[Timing]:
    """Each search as the chair, who may read everything (the most rows to rank): median and
    slowest of the warm runs; the first run is the cold one."""
    from committee import search

    chair = actor_of("chair@apc.example")
    timings = []
    for name, query, filtered in SEARCHES:
        filters = search.Filters()
        if filtered:
            filters = search.Filters(kinds=("action_item",), country=records.country_code)
        timing = Timing("search", name, query=query + (" (filtered)" if filtered else ""))
        try:
            cold, found = _search_once(search, chair, query, filters, counter)
            warm = [_search_once(search, chair, query, filters, counter)[0] for _ in range(runs)]
            _summary(timing, cold, warm)
            slowest = max(r.seconds for r in warm) * 1000
            timing.detail = f"{search.how_many(found)} found; slowest {slowest:,.1f} ms"
        except Exception as error:  # reported, and the next search runs
            timing.status, timing.detail = "failed", str(error)[:300]
        show(timing)
        timings.append(timing)
    return timings


def streamlit_for_measuring() -> None:
    """Page errors in full in the results (the app's own settings hide them from users), and
    not also as tracebacks on the console; scripts compiled once, as the server does.
    Streamlit reads its settings once, on first use: read them now, then change them."""
    config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")
    streamlit.logger.set_log_level("critical")
    # The server compiles each script once and keeps the bytecode for every later run of
    # every session (the runtime's one ScriptCache). AppTest makes a new cache on each run, so
    # every "warm" render would compile the entry script and the page again (5-40 ms here):
    # one cache for the measuring process makes a warm render the server's. (AppTest's page
    # manager compiles the pages, its script runner the entry script: each makes a cache.)
    compiled_once = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: compiled_once


def show(timing: Timing) -> None:
    """One line on the console as each measurement ends."""
    who = f" as {timing.role}" if timing.role else ""
    if timing.status == "ok":
        print(
            f"  {timing.name}{who}: {timing.median_ms:,.0f} ms, SQL {timing.sql_ms:,.0f} ms, "
            f"{timing.statements} statements",
            flush=True,
        )
    else:
        print(f"  {timing.name}{who}: {timing.status} — {timing.detail}", flush=True)


# --- a measuring process: one database ------------------------------------------------------
#
# Each database is measured in a process of its own, which starts cold with the code as it is
# now and keeps that database's engine and caches to itself. The processes of one engine's
# scales are kept open side by side, and each page's renders alternate between the scales,
# one render on each in turn: a shared machine's speed drifts over seconds and minutes, and
# renders taken at each scale one after the other would show that drift as a cost of the
# record's size.

_opened: dict = {}  # in a measuring process: the database open_database set up


def open_database(url: str, quick: bool) -> None:
    """Set up this measuring process for the database at ``url`` (the pool's initializer)."""
    streamlit_for_measuring()
    engine = db_engine.use_database(url)
    st.cache_data.clear()
    st.cache_resource.clear()
    roles = QUICK_ROLES if quick else tuple(ROLES)
    _opened.update(
        counter=SqlCounter(engine),
        records=find_records(),
        actors={role: actor_of(ROLES[role]) for role in roles},
    )


def jobs() -> list[tuple[str, str]]:
    """Every page script with each role that may see it, in the order they are measured."""
    return [
        (page.script, role)
        for page in app_pages()
        for role, actor in _opened["actors"].items()
        if access.can(actor, page.permission)
    ]


def open_page(script: str, role: str) -> float | None:
    """Open one page as one role on this process's database, render it once, and keep it for
    ``render_page``. The first render's seconds, or None if the page could not be measured."""
    page = next(p for p in app_pages() if p.script == script)
    if not (PROJECT_ROOT / script).exists():
        timing = Timing("page", script, role=role, status="failed", detail="no such file")
        _opened["page"] = PageMeasurement(timing)
        return None
    records, actor = _opened["records"], _opened["actors"][role]
    measurement = PageMeasurement.open(
        page, role, actor, records.query_for(page), _opened["counter"]
    )
    _opened["page"] = measurement
    return measurement.cold.seconds if measurement.at is not None else None


def render_page() -> None:
    """One more warm render of the page ``open_page`` opened."""
    _opened["page"].render(_opened["counter"])


def page_result() -> Timing:
    """The timing of the page ``open_page`` opened, over its warm renders."""
    timing = _opened.pop("page").result()
    show(timing)
    return timing


def measure_exports_and_imports(quick: bool) -> list[Timing]:
    """The exports, the searches, then the import, on this process's database."""
    counter = _opened["counter"]
    return [
        *measure_exports(_opened["records"], counter, runs=1 if quick else 3),
        *measure_searches(_opened["records"], counter, runs=3 if quick else 15),
        *measure_imports(counter),
    ]


# --- the app server's memory ----------------------------------------------------------------


def _rss(pid: int) -> tuple[float, float]:
    """(resident, peak resident) memory of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return round(values["VmRSS"], 1), round(values["VmHWM"], 1)


def _wait_idle(page, timeout_ms: int) -> None:
    """Until the script run the last action started has finished."""
    page.wait_for_timeout(300)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms
    )


def server_memory(url: str, *, scale: str, engine: str, port: int, progress=print) -> Memory:
    """Start the real app on ``url``, sign ten people in with Chromium, visit every page each
    may see (hidden ones with a real record), keep the sessions open, read VmRSS."""
    from playwright.sync_api import sync_playwright

    result = Memory(scale=scale, engine=engine)
    if not Path(CHROMIUM).exists():
        result.status = f"skipped: Chromium not installed at {CHROMIUM}"
        return result
    db_engine.use_database(url)
    records = find_records()
    pages = [p for p in app_pages() if (PROJECT_ROOT / p.script).exists()]
    started = time.perf_counter()
    try:
        with serve(url, port) as (base, server):
            result.start_mb = _rss(server.pid)[0]
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for email in MEMORY_SESSIONS:
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    tab = context.new_page()
                    tab.set_default_timeout(RENDER_TIMEOUT * 1000)
                    result.visits += _visit_everything(tab, base, email, pages, records, result)
                    result.sessions += 1
                    progress(f"  session {result.sessions}: {email}, {_rss(server.pid)[0]} MB")
                time.sleep(2)
                result.rss_mb, result.peak_mb = _rss(server.pid)
                browser.close()
    except Exception as error:  # reported with what was measured so far
        result.status = f"failed: {str(error).splitlines()[0][:200]}"
    result.seconds = round(time.perf_counter() - started, 1)
    return result


@contextlib.contextmanager
def serve(url: str, port: int, env: dict[str, str] | None = None):
    """The real app (``server.py``, as ``make run`` serves it) on ``url``'s database and
    ``port``, with ``env`` added to its environment; yields (its address, its process) once it
    answers, and stops it after."""
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                *("-m", "streamlit", "run", str(SERVER)),
                *("--server.headless=true", f"--server.port={port}"),
                *("--server.address=127.0.0.1", "--browser.gatherUsageStats=false"),
                "--server.fileWatcherType=none",
            ],
            env={
                **os.environ,
                "DATABASE_URL": url,
                "APC_BASE_URL": f"http://127.0.0.1:{port}",
                **(env or {}),
            },
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for_health(base)
            yield base, server
        finally:
            server.terminate()
            server.wait(timeout=30)


def sign_in(tab, base: str, email: str) -> None:
    """Sign ``email`` in with the demo password, as a person does, and wait for the app."""
    tab.goto(base)
    tab.get_by_label("Email", exact=True).fill(email)
    tab.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_selector('[data-testid="stSidebar"]')
    _wait_idle(tab, RENDER_TIMEOUT * 1000)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_health(base: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/_stcore/health", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the app server did not start within 90 s")


def _visit_everything(tab, base: str, email: str, pages: list[Page], records, result) -> int:
    """Sign in, then open each page the person may see within the same Streamlit session (the
    history API: a full page load would start a new one, costing memory of its own)."""
    actor = actor_of(email)
    sign_in(tab, base, email)
    visits = 0
    for page in pages:
        if not access.can(actor, page.permission):
            continue
        search = "&".join(f"{k}={v}" for k, v in records.query_for(page).items())
        path = f"/{page.url_path}" + (f"?{search}" if search else "")
        tab.evaluate(
            "path => { history.pushState({}, '', path);"
            " window.dispatchEvent(new PopStateEvent('popstate', {state: {}})); }",
            path,
        )
        _wait_idle(tab, RENDER_TIMEOUT * 1000)
        if tab.locator('[data-testid="stException"]').count():
            result.errors.append(f"{email} {path}: exception on the page")
        visits += 1
    return visits
