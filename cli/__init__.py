"""``python -m committee``: the command line, calling the same services as the pages.

Each area of the tool adds its commands in a module of this package with a ``register``
function; ``COMMANDS`` lists them in the order ``--help`` shows them.
"""

import argparse
import logging
import sys

from cli import (
    actions,
    admin,
    alerts,
    countries,
    evidence,
    exports,
    mail,
    meetings,
    ops,
    search,
    serve,
    signals,
    worker,
)
from cli.common import lazy
from committee import logs
from committee.errors import CommitteeError

(system,) = lazy("committee.system")

COMMANDS = [
    admin,
    serve,
    meetings,
    actions,
    ops,
    exports,
    countries,
    evidence,
    signals,
    alerts,
    mail,
    worker,
    search,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="apc",
        description="APC Desk: the Atrocities Prevention Committee's working tool.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.configure("cli", default_level="error")
    try:
        code = args.run(args) or 0
    except CommitteeError as error:
        field = getattr(error, "field", "")
        print(f"error: {field + ': ' if field else ''}{error}", file=sys.stderr)
        logs.event("command_refused", command=args.command, refusal=type(error).__name__)
        return 1
    except system.OUTAGES:
        print(f"error: {system.OUTAGE_MESSAGE}", file=sys.stderr)
        logs.event("database_outage", level=logging.WARNING, command=args.command, error=True)
        return 1
    except KeyboardInterrupt:
        return 130
    logs.event("command", command=args.command, exit_code=code)
    return code
