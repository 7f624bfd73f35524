"""Commands for the alert channel and the annual report: ``alerts list [--open]`` and
``report annual --year YYYY --format docx|pdf --out FILE``."""

import sys
from pathlib import Path

from cli.common import lazy, operator

alerts, vocabulary, annual_report = lazy(
    "committee.alerts", "committee.vocabulary", "exports.annual_report"
)


def register(commands) -> None:
    alert = commands.add_parser("alerts", help="list the alerts filed through the alert channel")
    alert_commands = alert.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    listing = alert_commands.add_parser(
        "list", help="alerts past their review deadline first, then open ones, then closed ones"
    )
    listing.add_argument("--open", action="store_true", help="only alerts not closed")
    listing.set_defaults(run=run_list)

    report = commands.add_parser("report", help="the committee's reports")
    report_commands = report.add_subparsers(dest="report_command", required=True, metavar="KIND")
    annual = report_commands.add_parser("annual", help="the annual report as DOCX or PDF")
    annual.add_argument("--year", required=True, type=int)
    annual.add_argument("--format", required=True, choices=["docx", "pdf"])
    annual.add_argument("--out", required=True, type=Path, help="the file to write")
    annual.set_defaults(run=run_annual)


def run_list(args) -> int:
    page, shown = 1, 0
    while True:
        found = alerts.list_alerts(actor=operator(), open_only=args.open, page=page, per_page=200)
        for row in found.rows:
            alert = row.alert
            flag = "PAST DEADLINE" if row.overdue else ""
            print(
                f"{alert.reference:14} {vocabulary.ALERT_STATUS_LABELS[alert.status]:13} "
                f"{alert.severity:8} {alert.country_code:4} filed {alert.filed_at:%Y-%m-%d %H:%M} "
                f"deadline {alert.review_deadline:%Y-%m-%d %H:%M}  "
                f"ack {alerts.duration(row.to_acknowledgement):9} "
                f"review {alerts.duration(row.to_review):9} "
                f"decision {alerts.duration(row.to_decision):9} {flag}".rstrip()
            )
        shown += len(found.rows)
        if page >= found.pages:
            break
        page += 1
    print(f"{shown} alert(s); times in UTC", file=sys.stderr)
    return 0


def run_annual(args) -> int:
    export = annual_report.annual_report_paper(actor=operator(), year=args.year, fmt=args.format)
    args.out.write_bytes(export.content)
    print(f"wrote {args.out} ({len(export.content):,} bytes)")
    return 0
