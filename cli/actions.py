"""Commands for action items: list them, export them as CSV or XLSX."""

import sys
from pathlib import Path

from cli.common import lazy

people, tracker, vocabulary, spreadsheets = lazy(
    "committee.people", "committee.tracker", "committee.vocabulary", "exports.spreadsheets"
)


def register(commands) -> None:
    actions = commands.add_parser("actions", help="list or export action items")
    action_commands = actions.add_subparsers(
        dest="actions_command", required=True, metavar="ACTION"
    )

    listing = action_commands.add_parser("list", help="list open action items, most urgent first")
    _add_filters(listing)
    listing.set_defaults(run=run_list)

    export = action_commands.add_parser(
        "export", help="export action items as CSV or XLSX (formulas neutralised)"
    )
    export.add_argument("--format", required=True, choices=["csv", "xlsx"])
    export.add_argument("--out", required=True, type=Path, help="the file to write")
    _add_filters(export)
    export.add_argument(
        "--all-statuses", action="store_true", help="include done and cancelled items"
    )
    export.set_defaults(run=run_export)


def _add_filters(parser) -> None:
    parser.add_argument("--agency", help="only this agency's items (its code, e.g. STATE)")
    parser.add_argument("--overdue", action="store_true", help="only overdue items")


def _selection(args) -> "tracker.TrackerFilter":
    agencies = (people.agency_by_code(args.agency).code,) if args.agency else ()
    statuses = () if getattr(args, "all_statuses", False) else tracker.OPEN_STATUSES
    return tracker.TrackerFilter(agencies=agencies, statuses=statuses, overdue=args.overdue)


def run_list(args) -> int:
    count = 0
    for tracked in tracker.iter_items(_selection(args)):
        item = tracked.item
        place = tracker.BUCKET_LABELS[tracked.bucket]
        status = vocabulary.ACTION_STATUS_LABELS[item.status]
        print(
            f"{item.id:>5}  {item.due_on}  {place:14} {tracked.agency_code:6} {status:12} "
            f"{item.title}"
        )
        count += 1
    print(f"{count} item(s)", file=sys.stderr)
    return 0


def run_export(args) -> int:
    items = tracker.iter_items(_selection(args))
    if args.format == "csv":
        with args.out.open("w", newline="", encoding="utf-8-sig") as out:
            count = spreadsheets.write_csv(items, out)
    else:
        count = spreadsheets.write_xlsx(items, str(args.out))
    print(f"wrote {count} action item(s) to {args.out}")
    return 0
