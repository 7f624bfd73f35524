"""The benchmark's results: kept in ``bench/results.json`` (each engine and scale replaces its
own earlier run, so scales and engines can be measured on different days), printed, and
written as ``bench/results.md`` with the machine, the versions and the targets of issue 9."""

import json
import os
import platform
import sqlite3
from dataclasses import asdict
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import mail
from bench.generate import Generated
from bench.measure import Memory, Timing

BENCH = Path(__file__).resolve().parent
RESULTS_JSON = BENCH / "results.json"
RESULTS_MD = BENCH / "results.md"
SCALE_ORDER = ("small", "medium", "large")
ENGINE_ORDER = ("sqlite", "postgresql")
LARGEST = "large"

# The targets of issue 9 (on this 2-core machine).
PAGE_MS = 300
SCALE_RATIO = 1.5
STATEMENTS = 25
EXPORT_MS = {"Full-schedule calendar": 200, "10,000-row XLSX": 3_000, "Read-ahead DOCX": 2_000}
MEMORY_MB = 600
SEARCH_MS = 150  # issue 21: per query at the largest scale, and within SCALE_RATIO


# --- keeping results ------------------------------------------------------------------------


def load() -> dict:
    if RESULTS_JSON.exists():
        return json.loads(RESULTS_JSON.read_text())
    return {"runs": {}, "memory": None}


def record_run(
    results: dict,
    *,
    engine: str,
    scale: str,
    generated: Generated,
    timings: list[Timing],
    quick: bool,
) -> None:
    results["runs"][f"{engine}/{scale}"] = {
        "engine": engine,
        "scale": scale,
        "measured_at": _now(),
        "load_average": round(os.getloadavg()[0], 1),  # other work on the machine meanwhile
        "quick": quick,
        "generated": asdict(generated),
        "timings": [asdict(t) for t in timings],
    }


def record_memory(results: dict, memory: Memory) -> None:
    results["memory"] = {**asdict(memory), "measured_at": _now()}


def record_mail(results: dict, measured: mail.MailResult) -> None:
    results["mail"] = {**asdict(measured), "measured_at": _now()}


def save(results: dict, *, postgres_url: str | None) -> str:
    """Write both files with the machine and versions as they are now; returns the Markdown."""
    results["machine"] = machine()
    results["versions"] = versions(postgres_url)
    RESULTS_JSON.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    markdown = render(results)
    RESULTS_MD.write_text(markdown)
    return markdown


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line),
        platform.processor() or "unknown",
    )
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total_kb = next(
        (int(line.split()[1]) for line in meminfo.splitlines() if "MemTotal" in line), 0
    )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(total_kb / 1024 / 1024, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
    }


def versions(postgres_url: str | None) -> dict:
    found = {
        "python": platform.python_version(),
        "streamlit": version("streamlit"),
        "sqlalchemy": version("sqlalchemy"),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": "not reachable",
    }
    if postgres_url:
        try:
            engine = create_engine(postgres_url)
            with engine.connect() as connection:
                found["postgresql"] = connection.execute(text("SHOW server_version")).scalar()
            engine.dispose()
        except Exception:  # any failure means the same here: the server did not answer
            pass
    return found


# --- reading results ------------------------------------------------------------------------


def _columns(results: dict) -> list[tuple[str, str]]:
    """(engine, scale) measured, in reading order."""
    keys = {(run["engine"], run["scale"]) for run in results["runs"].values()}
    return sorted(keys, key=lambda k: (ENGINE_ORDER.index(k[0]), SCALE_ORDER.index(k[1])))


def _timings(results: dict, kind: str) -> dict[tuple, dict[tuple[str, str], dict]]:
    """{(name, role): {(engine, scale): timing}} for one kind of timing."""
    table: dict[tuple, dict] = {}
    for run in results["runs"].values():
        for timing in run["timings"]:
            if timing["kind"] == kind:
                row = table.setdefault((timing["name"], timing["role"]), {})
                row[(run["engine"], run["scale"])] = timing
    return table


def _extremes(results: dict, engine: str) -> tuple[str, str] | None:
    scales = [scale for e, scale in _columns(results) if e == engine]
    return (scales[0], scales[-1]) if len(scales) > 1 else None


def _ratio(row: dict, engine: str, extremes: tuple[str, str] | None) -> float | None:
    if not extremes:
        return None
    low, high = (row.get((engine, scale)) for scale in extremes)
    if not (low and high and low["median_ms"] and high["median_ms"]):
        return None
    return round(high["median_ms"] / low["median_ms"], 2)


def _label(name: str, role: str) -> str:
    return f"{name} ({role})" if role else name


def targets(results: dict) -> list[dict]:
    """Each target of issue 9 checked per engine: what was measured and pass or fail."""
    checks = []
    pages = _timings(results, "page")
    exports = _timings(results, "export")
    for engine in ENGINE_ORDER:
        columns = [scale for e, scale in _columns(results) if e == engine]
        if not columns:
            continue
        at_largest = LARGEST in columns
        renders = [
            (key, row[(engine, LARGEST)])
            for key, row in pages.items()
            if at_largest and (engine, LARGEST) in row
        ]
        slow = sorted(
            ((key, t) for key, t in renders if t["status"] == "ok" and t["median_ms"] > PAGE_MS),
            key=lambda kt: -kt[1]["median_ms"],
        )
        broken = [key for key, t in renders if t["status"] != "ok"]
        checks.append(
            _check(
                f"Every page ≤ {PAGE_MS} ms (median warm render, largest scale)",
                engine,
                measured=at_largest,
                failures=[f"{_label(*key)} {t['median_ms']:,.0f} ms" for key, t in slow],
                broken=[_label(*key) for key in broken],
                total=len(renders),
            )
        )
        extremes = _extremes(results, engine)
        ratios = [(key, _ratio(row, engine, extremes)) for key, row in pages.items()]
        ratios = [(key, r) for key, r in ratios if r is not None]
        checks.append(
            _check(
                f"Largest-to-smallest ratio ≤ {SCALE_RATIO} per page"
                + (f" ({extremes[1]}/{extremes[0]})" if extremes else ""),
                engine,
                measured=bool(extremes) and extremes[1] == LARGEST,
                failures=[
                    f"{_label(*key)} ×{r}"
                    for key, r in sorted(ratios, key=lambda kr: -kr[1])
                    if r > SCALE_RATIO
                ],
                total=len(ratios),
            )
        )
        renders_all = [
            (key, t)
            for key, row in pages.items()
            for (e, _), t in row.items()
            if e == engine and t["status"] == "ok"
        ]
        many = {}
        for key, t in renders_all:
            if t["statements"] > STATEMENTS:
                many[key] = max(many.get(key, 0), t["statements"])
        checks.append(
            _check(
                f"≤ {STATEMENTS} SQL statements per render (every scale)",
                engine,
                measured=True,
                failures=[
                    f"{_label(*key)} {n}" for key, n in sorted(many.items(), key=lambda kn: -kn[1])
                ],
                total=len({key for key, _ in renders_all}),
            )
        )
        growing = []
        for key, row in pages.items():
            counts = {
                scale: row[(engine, scale)]["statements"]
                for scale in columns
                if (engine, scale) in row and row[(engine, scale)]["status"] == "ok"
            }
            if len(set(counts.values())) > 1:
                growing.append(f"{_label(*key)} " + "/".join(str(counts[s]) for s in counts))
        checks.append(
            _check(
                "Same statement count at every scale",
                engine,
                measured=len(columns) > 1,
                failures=growing,
                total=len(pages),
            )
        )
        for name, limit in EXPORT_MS.items():
            timing = exports.get((name, ""), {}).get((engine, LARGEST))
            if timing is None or timing["status"] != "ok":
                status = timing["status"] if timing else "not measured at the largest scale"
                checks.append(_row(f"{name} ≤ {limit:,} ms", engine, status, "not measured"))
                continue
            ms = timing["median_ms"]
            checks.append(
                _row(
                    f"{name} ≤ {limit:,} ms",
                    engine,
                    f"{ms:,.0f} ms",
                    "PASS" if ms <= limit else "FAIL",
                )
            )
    checks += _search_targets(results)
    memory = results.get("memory")
    if memory:
        measured = memory.get("rss_mb")
        verdict = "not measured"
        if measured is not None and memory["scale"] == LARGEST and memory["status"] == "ok":
            verdict = "PASS" if measured <= MEMORY_MB else "FAIL"
        checks.append(
            _row(
                f"App server memory ≤ {MEMORY_MB} MB after ten sessions (largest scale)",
                memory["engine"],
                f"{measured} MB ({memory['scale']}; {memory['status']})"
                if measured is not None
                else memory["status"],
                verdict,
            )
        )
    checks += _mail_targets(results.get("mail"))
    return checks


def _search_targets(results: dict) -> list[dict]:
    """Issue 21's targets: each query within SEARCH_MS at the largest scale, and growing no
    more than SCALE_RATIO from the smallest."""
    checks = []
    searches = _timings(results, "search")
    for engine in ENGINE_ORDER:
        if (engine, LARGEST) not in _columns(results):
            continue
        extremes = _extremes(results, engine)
        slow, steep, broken = [], [], []
        for key, row in searches.items():
            timing = row.get((engine, LARGEST))
            if not timing or timing["status"] != "ok":
                broken.append(key[0])
                continue
            if timing["median_ms"] > SEARCH_MS:
                slow.append(f"{key[0]} {timing['median_ms']:,.0f} ms")
            ratio = _ratio(row, engine, extremes)
            if ratio is not None and ratio > SCALE_RATIO:
                steep.append(f"{key[0]} ×{ratio}")
        target = f"Every search ≤ {SEARCH_MS} ms (largest) and ≤ ×{SCALE_RATIO} of the smallest"
        checks.append(
            _check(
                target,
                engine,
                measured=True,
                failures=slow + steep,
                total=len(searches),
                broken=broken,
            )
        )
    return checks


def _mail_targets(measured: dict | None) -> list[dict]:
    """Issue 20's targets: delivery, the digest run, the worker's memory."""
    if not measured:
        return []
    ok = measured["status"] == "ok"

    def verdict(value, limit) -> str:
        return "not measured" if value is None or not ok else "PASS" if value <= limit else "FAIL"

    engine = measured["engine"]
    return [
        _row(
            f"{mail.INVITATIONS:,} invitations delivered ≤ {mail.DELIVERY_S} s",
            engine,
            f"{measured['delivered']:,} invitations delivered in {measured['delivery_s']} s "
            f"(queued in {measured['queue_s']} s)",
            verdict(measured["delivery_s"], mail.DELIVERY_S)
            if measured["invitations"] >= mail.INVITATIONS
            else "not measured",
        ),
        _row(
            f"Weekly digest for every member ≤ {mail.DIGEST_S} s ({measured['scale']})",
            engine,
            f"{measured['digests']} for {measured['people']} people in {measured['digest_s']} s",
            verdict(measured["digest_s"], mail.DIGEST_S),
        ),
        _row(
            f"Worker memory ≤ {mail.WORKER_MB} MB",
            engine,
            f"{measured['worker_mb']} MB peak",
            verdict(measured["worker_mb"], mail.WORKER_MB),
        ),
    ]


def _row(target: str, engine: str, result: str, verdict: str) -> dict:
    return {"target": target, "engine": engine, "result": result, "verdict": verdict}


def _check(
    target: str, engine: str, *, measured: bool, failures: list[str], total: int, broken=()
) -> dict:
    if not measured:
        return _row(target, engine, "not measured at the largest scale", "not measured")
    parts = [f"{total - len(failures) - len(broken)} of {total} within"]
    if failures:
        parts.append("over: " + ", ".join(failures[:8]) + (" …" if len(failures) > 8 else ""))
    if broken:
        parts.append("did not render: " + ", ".join(broken))
    verdict = "FAIL" if failures else "INCOMPLETE" if broken else "PASS"
    return _row(target, engine, "; ".join(parts), verdict)


# --- Markdown -------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(timing: dict | None, *, sql: bool = True) -> str:
    if timing is None:
        return ""
    if timing["status"] != "ok":
        return timing["status"]
    text = f"{timing['median_ms']:,.0f} ms"
    if sql:
        text += f" · {timing['sql_ms']:,.0f} · {timing['statements']}"
    return text


def render(results: dict) -> str:
    columns = _columns(results)
    machine_, versions_ = results.get("machine", {}), results.get("versions", {})
    out = [
        "# Benchmark results",
        "",
        "Written by `python -m bench` (`make bench`; issue 9). Synthetic records at three scales "
        "(`bench/generate.py`); every page rendered with Streamlit's AppTest as each role that "
        "sees it. A benchmark, not a timed test: the machine is shared, so figures move by some "
        "tens of percent between runs.",
        "",
        f"- **Machine:** {machine_.get('cpus')} CPUs ({machine_.get('cpu_model')}), "
        f"{machine_.get('memory_gb')} GB memory, load average "
        f"{', '.join(map(str, machine_.get('load_average', [])))} when written; "
        f"{machine_.get('os')}",
        "- **Versions:** " + ", ".join(f"{name} {value}" for name, value in versions_.items()),
        "- **Measured:** "
        + "; ".join(
            f"{run['engine']}/{run['scale']} {run['measured_at']} (load {run['load_average']})"
            + (" (quick)" if run["quick"] else "")
            for run in sorted(
                results["runs"].values(),
                key=lambda r: (ENGINE_ORDER.index(r["engine"]), SCALE_ORDER.index(r["scale"])),
            )
        ),
        "",
        "## Targets",
        "",
        _table(
            ["Target", "Engine", "Measured", "Verdict"],
            [[c["target"], c["engine"], c["result"], c["verdict"]] for c in targets(results)],
        ),
        "",
        "## Pages",
        "",
        "Each cell: median warm render · milliseconds inside SQL · SQL statements per render "
        "(BEGIN/COMMIT not counted). Ratio: the largest scale measured against the smallest.",
        "",
    ]
    pages = _timings(results, "page")
    header = ["Page", "Role"]
    for engine in ENGINE_ORDER:
        scales = [s for e, s in columns if e == engine]
        header += [f"{engine} {scale}" for scale in scales]
        if len(scales) > 1:
            header.append(f"{engine} ratio")
    rows = []
    for (name, role), row in pages.items():
        query = next(iter(row.values()))["query"]
        cells = [name + (f"?{query}" if query else ""), role]
        for engine in ENGINE_ORDER:
            scales = [s for e, s in columns if e == engine]
            cells += [_cell(row.get((engine, scale))) for scale in scales]
            if len(scales) > 1:
                ratio = _ratio(row, engine, _extremes(results, engine))
                cells.append(f"×{ratio}" if ratio is not None else "")
        rows.append(cells)
    out += [_table(header, rows), ""]

    out += [
        "## Exports, searches and the import",
        "",
        "Each cell: median of warm runs (the import: its first run) · SQL ms · statements. "
        "Searches run as the chair, through `committee.search`; the details give the slowest.",
        "",
    ]
    others = {
        **_timings(results, "export"),
        **_timings(results, "search"),
        **_timings(results, "import"),
    }
    header = ["Measured", "Command"] + [f"{e} {s}" for e, s in columns]
    rows = []
    for (name, _), row in others.items():
        command = next(iter(row.values()))["query"]
        rows.append([name, f"`{command}`"] + [_cell(row.get(col)) for col in columns])
    out += [_table(header, rows), ""]
    # What went wrong, in full; and what each export wrote.
    details = dict.fromkeys(
        f"- {_label(name, role)}, {engine}/{scale}: {t['detail']}"
        for table in (pages, others)
        for (name, role), row in table.items()
        for (engine, scale) in columns
        if (t := row.get((engine, scale))) and t["detail"]
    )
    if details:
        out += ["Details (what each export wrote; failures):", "", *details, ""]

    memory = results.get("memory")
    if memory:
        out += [
            "## App server memory",
            "",
            f"{memory['sessions']} browser sessions (Chromium through Playwright) signed in and "
            f"visited every page their person may see ({memory['visits']} page visits), all "
            f"kept open, on the {memory['scale']} record ({memory['engine']}): resident memory "
            f"{memory['rss_mb']} MB (peak {memory['peak_mb']} MB; {memory['start_mb']} MB at "
            f"start), {memory['seconds']} s in all; {memory['status']}, measured "
            f"{memory['measured_at']}.",
            "",
            *[f"- {error}" for error in memory["errors"]],
            "",
        ]

    measured = results.get("mail")
    if measured:
        out += [
            "## Mail",
            "",
            f"On a copy of the {measured['scale']} record ({measured['engine']}): the weekly "
            f"digest queued for {measured['people']} members in {measured['digest_s']} s; a "
            "first worker pass ran the timed jobs and delivered the digests and reminders; "
            f"{measured['invitations']:,} invitations were queued in {measured['queue_s']} s and "
            f"a second pass delivered {measured['delivered']:,} of them to a loopback SMTP "
            f"server in {measured['delivery_s']} s. The worker's peak resident memory: "
            f"{measured['worker_mb']} MB; {measured['status']}, measured "
            f"{measured['measured_at']}.",
            "",
            *[f"- first pass: {line}" for line in measured["notes"]],
            "",
        ]

    out += ["## Data generated", ""]
    runs = {(r["engine"], r["scale"]): r for r in results["runs"].values()}
    tables = sorted({t for r in runs.values() for t in r["generated"]["rows"]})
    header = ["Table"] + [f"{e} {s}" for e, s in columns]
    rows = [
        [table] + [f"{runs[col]['generated']['rows'].get(table, 0):,}" for col in columns]
        for table in tables
    ]
    rows.append(
        ["**generation, seconds**"] + [f"{runs[col]['generated']['seconds']:,}" for col in columns]
    )
    out += [_table(header, rows), ""]
    return "\n".join(out)


def slowest(results: dict, count: int = 10) -> list[dict]:
    """The slowest page renders of all runs, for the report to the lead."""
    renders = [
        {**t, "engine": run["engine"], "scale": run["scale"]}
        for run in results["runs"].values()
        for t in run["timings"]
        if t["kind"] == "page" and t["status"] == "ok"
    ]
    return sorted(renders, key=lambda t: -t["median_ms"])[:count]
