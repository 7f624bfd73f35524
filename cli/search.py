"""``search "query" [--kind KIND ...] [--country CODE] [--as EMAIL]``: the committee's record
searched as on the search page, with the same read rules (as the operator, or as a person)."""

from cli.common import lazy, operator

search, people = lazy("committee.search", "committee.people")


def register(commands) -> None:
    finder = commands.add_parser(
        "search",
        help="search meetings, agendas, decisions, minutes, plans, alerts and action items",
        description='Words match by stem; "a phrase" in quotes; -word leaves a word out.',
    )
    finder.add_argument("query", help="what to look for, e.g. 'sanctions \"El Fasher\" -Chad'")
    finder.add_argument(
        "--kind",
        action="append",
        default=[],
        metavar="KIND",
        help="meeting, agenda_item, decision, minutes, plan, assessment, alert, action_item or "
        "country (repeatable)",
    )
    finder.add_argument("--country", help="ISO 3166-1 alpha-3 code, e.g. SDN")
    finder.add_argument("--limit", type=int, default=20)
    finder.add_argument(
        "--as", dest="email", help="search as this person sees the record (else as the operator)"
    )
    finder.set_defaults(run=run)


def run(args) -> int:
    if args.email:
        user = people.user_by_email(args.email)
        actor = people.actor_for(user)
    else:
        actor = operator()
    filters = search.Filters(
        kinds=tuple(args.kind), country=args.country.upper() if args.country else None
    )
    found = search.search(actor=actor, query=args.query, filters=filters, limit=args.limit)
    for result in found.results:
        where = " · ".join(
            part
            for part in (
                result.country,
                f"{result.happened_at:%Y-%m-%d}" if result.happened_at else "",
            )
            if part
        )
        text = "".join(f"[{part}]" if matched else part for part, matched in result.snippet)
        print(f"{result.what:15} {result.title}  ({where})")
        print(f"{'':15} {' '.join(text.split())}")
    counts = ", ".join(f"{search.KINDS[kind]}: {found.count_of(kind)}" for kind in found.counts)
    if counts and args.kind:
        counts = f"in every kind: {counts}"  # the total is of the kinds asked for
    print(f"{search.how_many(found.total)} found{' (' + counts + ')' if counts else ''}")
    return 0
