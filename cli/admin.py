"""Commands that set the tool up: init-db, demo, check, user."""

from cli.common import lazy, operator, read_password

demo, people, system = lazy("committee.demo", "committee.people", "committee.system")


def register(commands) -> None:
    init = commands.add_parser("init-db", help="create or upgrade the database schema")
    init.set_defaults(run=run_init_db)

    load = commands.add_parser("demo", help="load the demonstration data into an empty database")
    load.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing (successfully) when the database already has people",
    )
    load.set_defaults(run=run_demo)

    check = commands.add_parser("check", help="check the database, schema and settings")
    check.set_defaults(run=run_check)

    user = commands.add_parser("user", help="manage people's accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_commands.add_parser(
        "add", help="add a person (password read from stdin or a prompt)"
    )
    add.add_argument("email")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=["admin", "chair", "agency_rep", "observer"])
    add.add_argument("--agency", help="agency code, for an agency representative")
    add.add_argument("--no-password", action="store_true", help="for single sign-on accounts")
    add.set_defaults(run=run_user_add)
    listing = user_commands.add_parser("list", help="list people")
    listing.set_defaults(run=run_user_list)
    for name, active in (("disable", False), ("enable", True)):
        toggle = user_commands.add_parser(name, help=f"{name} a person's account")
        toggle.add_argument("email")
        toggle.set_defaults(run=run_user_toggle, active=active)
    password = user_commands.add_parser(
        "set-password", help="set a person's password (read from stdin or a prompt)"
    )
    password.add_argument("email")
    password.set_defaults(run=run_user_set_password)


def run_init_db(args) -> int:
    system.prepare_database()
    print("database schema is current")
    return 0


def run_demo(args) -> int:
    system.prepare_database()
    if args.if_empty and not system.is_empty():
        print("database already holds data; demo not loaded")
        return 0
    summary = demo.load_demo(actor=operator())
    print(
        f"demo loaded: {summary.agencies} agencies, {summary.people} people, "
        f"{summary.countries} countries of concern, {summary.meetings} meetings, "
        f"{summary.plans} plans, {summary.action_items} action items, {summary.alerts} alerts"
    )
    print(
        f"demo accounts (demo only): chair@apc.example, admin@apc.example, "
        f"rep.state@apc.example (and rep.<agency>@apc.example), observer@apc.example; "
        f"password: {demo.DEMO_PASSWORD}"
    )
    return 0


def run_check(args) -> int:
    report = system.check()
    for line in report.lines:
        print(line)
    return 0 if report.ok else 1


def run_user_add(args) -> int:
    agency_id = people.agency_by_code(args.agency).id if args.agency else None
    password = None if args.no_password else read_password()
    user = people.add_user(
        actor=operator(),
        email=args.email,
        name=args.name,
        role=args.role,
        agency_id=agency_id,
        password=password,
    )
    print(f"added {user.email} ({user.role})")
    return 0


def run_user_list(args) -> int:
    for person in people.directory():
        state = person.state.lower()
        code = person.agency_code or "-"
        print(f"{person.email:36} {person.role:11} {code:7} {state:9} {person.name}")
    return 0


def run_user_toggle(args) -> int:
    user = people.set_active(actor=operator(), email=args.email, active=args.active)
    print(f"{user.email} {'enabled' if user.active else 'disabled'}")
    return 0


def run_user_set_password(args) -> int:
    people.set_password(actor=operator(), email=args.email, new_password=read_password())
    print(f"password set for {args.email}")
    return 0
