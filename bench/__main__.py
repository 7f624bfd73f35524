"""``python -m bench``: generate the records, measure, and write the results.

    python -m bench [--scales small,medium,large] [--engines sqlite,postgresql] [--quick]
                    [--reuse] [--port 8616] [--no-memory] [--no-mail] [--mail-only]
    python -m bench --browser [--scales ...] [--engines ...] [--roles chair,representative]
                    [--runs 5] [--reuse]

``--browser`` measures in Chromium instead (``bench/browser.py``, issue 24) and writes
``bench/results-browser.md``.

SQLite files go to ``bench/data/``; PostgreSQL databases are ``apc_bench_<scale>`` on the
server of ``BENCH_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432``).
"""

import argparse
import contextlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import browser, generate, mail, measure, report

DATA = Path(__file__).resolve().parent / "data"
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")


def database_url(engine: str, scale: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{DATA / f'{scale}.db'}"
    return f"{POSTGRES.rstrip('/')}/{generate.BENCH_DATABASE_PREFIX}{scale}"


def postgres_problem() -> str | None:
    """None if the PostgreSQL server answers, else why not."""
    try:
        engine = create_engine(f"{POSTGRES.rstrip('/')}/postgres")
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure to connect means the same here
        return str(error).splitlines()[0]


def prepare(engine: str, scale: generate.Scale, *, reuse: bool) -> generate.Generated:
    """The record of ``scale``: generated afresh, or (``--reuse``) the one generated before
    for the same scale, as its note beside the database tells."""
    note = DATA / f"{engine}-{scale.name}.json"
    if reuse and note.exists():
        kept = json.loads(note.read_text())
        if kept["scale"] == asdict(scale):
            print(f"  reusing the {scale.name} record generated on {kept['generated']['today']}")
            return generate.Generated(**kept["generated"])
    note.unlink(missing_ok=True)
    generated = generate.generate(database_url(engine, scale.name), scale)
    print(f"  generated in {generated.seconds} s: {sum(generated.rows.values()):,} rows")
    note.write_text(json.dumps({"scale": asdict(scale), "generated": asdict(generated)}))
    return generated


def measure_engine(engine: str, scales: list[generate.Scale], *, quick: bool):
    """Every scale of one engine, each in a process of its own opened side by side (see
    ``bench/measure.py``): each page's renders taken on every scale in turn, then each
    scale's exports and import. Yields (scale, timings) in the order of ``scales``."""
    with contextlib.ExitStack() as stack:
        workers = {
            scale.name: stack.enter_context(
                ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=get_context("spawn"),
                    initializer=measure.open_database,
                    initargs=(database_url(engine, scale.name), quick),
                )
            )
            for scale in scales
        }
        timings = {name: [] for name in workers}
        first = next(iter(workers.values()))
        runs = measure.QUICK_RUNS if quick else measure.RUNS
        for script, role in first.submit(measure.jobs).result():
            cold = [w.submit(measure.open_page, script, role).result() for w in workers.values()]
            opened = [seconds for seconds in cold if seconds is not None]
            for _ in range(measure.repetitions(max(opened), runs) if opened else 0):
                for worker in workers.values():  # one render on each scale in turn
                    worker.submit(measure.render_page).result()
            for name, worker in workers.items():
                print(f"  {engine} / {name}:", end="", flush=True)
                timings[name].append(worker.submit(measure.page_result).result())
        for name, worker in workers.items():
            print(f"{engine} / {name}: exports and import", flush=True)
            timings[name] += worker.submit(measure.measure_exports_and_imports, quick).result()
            yield name, timings[name]


def measure_in_browser(engines: list[str], scales: list[generate.Scale], args) -> int:
    roles = args.roles.split(",")
    if unknown := set(roles) - set(measure.ROLES):
        raise SystemExit(f"unknown role {', '.join(unknown)}: use {', '.join(measure.ROLES)}")
    results = browser.load()
    for engine in engines:
        for scale in scales:
            print(f"in Chromium: {engine} / {scale.name}", flush=True)
            figures = browser.measure_record(
                database_url(engine, scale.name), roles=roles, runs=args.runs
            )
            rows = browser.summarise(figures)
            for row in rows:
                ratio = f"×{row['ratio']:.2f}" if row["ratio"] is not None else row["status"]
                print(
                    f"  {row['median_ms'] or 0:>6,} ms  {ratio:>6}  {row['name']} ({row['role']})"
                )
            browser.record(results, engine=engine, scale=scale.name, rows=rows)
            browser.save(results)
    print(f"\nwritten: {browser.RESULTS_MD} and {browser.RESULTS_JSON}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="small,medium,large", help="default: all three")
    parser.add_argument("--engines", default="sqlite,postgresql", help="default: both")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer repetitions, chair and representative only, no memory test",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure records generated by an earlier run"
    )
    parser.add_argument("--port", type=int, default=8616, help="for the memory test's server")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory test")
    parser.add_argument("--no-mail", action="store_true", help="skip the mail benchmark")
    parser.add_argument(
        "--mail-only", action="store_true", help="only the mail benchmark (on SQLite's largest)"
    )
    parser.add_argument(
        "--browser", action="store_true", help="from a click to fully drawn, in Chromium"
    )
    parser.add_argument(
        "--roles", default=",".join(measure.ROLES), help="--browser: default every role"
    )
    parser.add_argument("--runs", type=int, default=browser.RUNS, help="--browser: the median of")
    args = parser.parse_args(argv)
    scales = [generate.SCALES[name] for name in args.scales.split(",")]
    engines = args.engines.split(",")
    unknown = set(engines) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown engine {', '.join(unknown)}: use sqlite or postgresql")

    DATA.mkdir(exist_ok=True)
    results = report.load()
    postgres_url = f"{POSTGRES.rstrip('/')}/postgres"
    if "postgresql" in engines and (problem := postgres_problem()):
        print(f"PostgreSQL skipped: {problem}")
        engines.remove("postgresql")
    # Every record first, then every measurement: a render measured while the disk is still
    # writing out a large record just generated is slowed by that, not by its own work.
    records = {}
    for engine in engines:
        for scale in scales:
            print(f"{engine} / {scale.name}")
            records[engine, scale.name] = prepare(engine, scale, reuse=args.reuse)
    os.sync()

    if args.browser:
        return measure_in_browser(engines, scales, args)

    if "sqlite" in engines and not args.no_mail:
        print(f"mail: on a copy of sqlite / {scales[-1].name}")
        path = DATA / f"{scales[-1].name}.db"
        report.record_mail(results, mail.measure(path, scale=scales[-1].name))
        report.save(results, postgres_url=postgres_url)
    if args.mail_only:
        print(report.save(results, postgres_url=postgres_url))
        return 0

    for engine in engines:
        print(f"measuring {engine}")
        for scale_name, timings in measure_engine(engine, scales, quick=args.quick):
            report.record_run(
                results,
                engine=engine,
                scale=scale_name,
                generated=records[engine, scale_name],
                timings=timings,
                quick=args.quick,
            )
            report.save(results, postgres_url=postgres_url)
    largest = (engines[0], scales[-1]) if engines else None  # memory: measured on the first

    if largest and not (args.quick or args.no_memory):
        engine, scale = largest
        print(f"memory: ten sessions on {engine} / {scale.name}")
        memory = measure.server_memory(
            database_url(engine, scale.name), scale=scale.name, engine=engine, port=args.port
        )
        report.record_memory(results, memory)

    print(report.save(results, postgres_url=postgres_url))
    print("\nSlowest renders:")
    for t in report.slowest(results):
        print(
            f"  {t['median_ms']:>8,.0f} ms  {t['statements']:>4} statements  "
            f"{t['engine']}/{t['scale']}  {t['name']} ({t['role']})"
        )
    print(f"\nwritten: {report.RESULTS_MD} and {report.RESULTS_JSON}")
    return 0


if __name__ == "__main__":  # not when a measuring process imports this module
    raise SystemExit(main())
