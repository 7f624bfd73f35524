"""Commands for signals from data: signals list, evaluate, rules, add-rule, horizon-scan (the
import itself is import-ewp, which opens the signals it fires)."""

from pathlib import Path

from cli.common import lazy, operator

signals, documents = lazy("committee.signals", "exports.documents")


def register(commands) -> None:
    group = commands.add_parser("signals", help="signals from the statistical risk (Blueprint 2-5)")
    actions = group.add_subparsers(dest="signals_command", required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="list the signals, open first")
    listing.add_argument("--open", action="store_true", help="only those not yet closed")
    listing.add_argument("--edition", help="only those fired on this edition (e.g. 2025)")
    listing.set_defaults(run=run_list)

    evaluate = actions.add_parser(
        "evaluate", help="evaluate the rules now on an imported edition; open what fires"
    )
    evaluate.add_argument("--edition", help="default: the newest imported edition")
    evaluate.add_argument(
        "--dry-run", action="store_true", help="say what would fire and write nothing"
    )
    evaluate.set_defaults(run=run_evaluate)

    rules = actions.add_parser("rules", help="list the rules")
    rules.set_defaults(run=run_rules)

    add = actions.add_parser("add-rule", help="add a rule")
    add.add_argument("name")
    add.add_argument(
        "kind", choices=["risk_rise", "enters_top", "above_off_watchlist", "tier_rank_divergence"]
    )
    add.add_argument("threshold", type=float, help="points, N, risk %% or top ranks (see kind)")
    add.add_argument("--below", type=float, help="tier_rank_divergence: tier 1 ranked below")
    add.set_defaults(run=run_add_rule)

    scan = actions.add_parser("horizon-scan", help="write the horizon scan paper of an edition")
    scan.add_argument("--edition", help="default: the newest imported edition")
    scan.add_argument("--threshold", type=float, default=5.0, help="risk %% off the watchlist")
    scan.add_argument("--format", choices=["docx", "pdf"], default="pdf")
    scan.add_argument("--out", type=Path, default=Path("."), help="folder to write it in")
    scan.set_defaults(run=run_horizon_scan)


def run_list(args) -> int:
    rows = signals.list_signals(status="open" if args.open else None, edition=args.edition)
    if not rows:
        print("no signals")
    for row in rows:
        signal = row.signal
        tier = f"tier {row.tier}" if row.tier else "not watched"
        meeting = f" · review {row.meeting.starts_at:%d %b %Y}" if row.meeting else ""
        late = " · REVIEW LATE" if signal.status != "closed" and row.review_late else ""
        print(
            f"#{signal.id:<4} {signal.status:9} {signal.edition} {row.country_name[:28]:28} "
            f"{tier:11} {row.rule.name[:28]:28} {signal.what}{meeting}{late}"
        )
    return 0


def run_evaluate(args) -> int:
    fired = signals.evaluate(actor=operator(), edition=args.edition, dry_run=args.dry_run)
    for firing in fired:
        print(
            f"{firing.edition} {firing.country_name[:28]:28} {firing.rule.name[:28]:28} "
            f"{firing.what}"
        )
    if args.dry_run:
        print(f"dry run: {len(fired)} signals would open; nothing written")
    else:
        print(f"{len(fired)} signals opened" if fired else "nothing new fires")
    return 0


def run_rules(args) -> int:
    for rule in signals.rules():
        state = "" if rule.active else " (paused)"
        rule_text = signals.describe_rule(rule.kind, rule.threshold, rule.second_threshold)
        print(f"{rule.name}{state}: {rule_text}")
    return 0


def run_add_rule(args) -> int:
    rule = signals.save_rule(
        actor=operator(),
        name=args.name,
        kind=args.kind,
        threshold=args.threshold,
        second_threshold=args.below,
    )
    print(f"rule {rule.id} added: {rule.name}")
    return 0


def run_horizon_scan(args) -> int:
    paper = documents.horizon_paper(
        actor=operator(), fmt=args.format, edition=args.edition, threshold=args.threshold
    )
    path = args.out / paper.file_name
    path.write_bytes(paper.content)
    print(f"wrote {path}")
    return 0
