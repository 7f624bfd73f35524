"""Commands for the countries of concern: import-ewp, watchlist list."""

from pathlib import Path

from cli.common import lazy, operator
from committee.errors import ValidationError

statistical_risk, watchlist, vocabulary = lazy(
    "committee.statistical_risk", "committee.watchlist", "committee.vocabulary"
)

SHOWN = 20  # rows of each list printed in a preview


def register(commands) -> None:
    ewp = commands.add_parser(
        "import-ewp",
        help="import an Early Warning Project statistical risk file (forecast or history)",
    )
    ewp.add_argument("file", type=Path, help="the Project's CSV file")
    ewp.add_argument(
        "--dry-run", action="store_true", help="print what would change and write nothing"
    )
    ewp.set_defaults(run=run_import_ewp)

    listing = commands.add_parser("watchlist", help="the countries of concern")
    listing_commands = listing.add_subparsers(
        dest="watchlist_command", required=True, metavar="ACTION"
    )
    table = listing_commands.add_parser("list", help="list the watchlist, tier 1 first")
    table.set_defaults(run=run_watchlist_list)


def run_import_ewp(args) -> int:
    if not args.file.is_file():
        raise ValidationError(f"No file at {args.file}.", field="file")
    if args.file.stat().st_size > statistical_risk.MAX_BYTES:
        raise statistical_risk.too_big(args.file.name)
    with args.file.open("rb") as content:  # read as it streams, never whole
        if args.dry_run:
            preview = statistical_risk.preview_file(content=content, filename=args.file.name)
        else:
            preview = statistical_risk.import_file(
                actor=operator(), content=content, filename=args.file.name
            )
    print(preview.summary)
    _print_preview(preview)
    if args.dry_run:
        print("dry run: nothing written")
    elif preview.import_id is None:
        print("nothing to import: every figure in this file is already recorded")
    else:
        print(f"imported (import {preview.import_id})")
        if preview.kind == "forecast":
            print(f"{preview.signals} signals opened (python -m committee signals list)")
    return 0


def _print_preview(preview: "statistical_risk.ImportPreview") -> None:
    def section(title: str, lines: list[str]) -> None:
        if lines:
            print(f"{title}:")
            for line in lines[:SHOWN]:
                print(f"  {line}")
            if len(lines) > SHOWN:
                print(f"  … and {len(lines) - SHOWN} more")

    section(
        "new",
        [f"line {f.line}: {f.country_name} ({f.period}) risk {f.risk:.2%}" for f in preview.new],
    )
    section(
        "changed",
        [
            f"line {c.figure.line}: {c.figure.country_name} ({c.figure.period}) risk "
            f"{c.before['risk']:.2%} -> {c.figure.risk:.2%}"
            for c in preview.changed
        ],
    )
    section(
        "unmatched (no country with this Correlates of War code)",
        [f"line {u.line}: {u.ewp_name} (ccode {u.ccode})" for u in preview.unmatched],
    )


def run_watchlist_list(args) -> int:
    print(
        f"{'code':4} {'tier':11} {'country':32} {'risk':>6} {'rank':>4} "
        f"{'next review':11} {'actions':>7}  plans"
    )
    for row in watchlist.watchlist_table():
        risk = f"{row.risk:.1%}" if row.risk is not None else "-"
        kinds, statuses = vocabulary.PLAN_KIND_LABELS, vocabulary.PLAN_STATUS_LABELS
        plans = "; ".join(f"{kinds[p.kind]}: {statuses[p.status].lower()}" for p in row.plans)
        gaps = "; ".join(gap.text for gap in row.gaps)
        print(
            f"{row.code:4} {row.tier} {vocabulary.TIER_SHORT[row.tier]:9} {row.name[:32]:32} "
            f"{risk:>6} "
            f"{row.rank or '-':>4} {row.next_review_due or '-'!s:11} "
            f"{row.open_actions:>3}/{row.overdue_actions:<3}  {plans or 'no plan'}"
            + (f"  [gap: {gaps}]" if gaps else "")
        )
    return 0
