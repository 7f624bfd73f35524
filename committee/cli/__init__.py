"""``python -m committee``: the command line, calling the same services as the pages.

Each area of the tool adds its commands in a module of this package with a ``register``
function; ``COMMANDS`` lists them in the order ``--help`` shows them.
"""

import argparse
import sys

from committee import system
from committee.cli import actions, admin, alerts, countries, exports, meetings, ops
from committee.errors import CommitteeError

COMMANDS = [admin, meetings, actions, ops, exports, countries, alerts]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m committee",
        description="APC Desk: the Atrocities Prevention Committee's working tool.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args) or 0
    except CommitteeError as error:
        field = getattr(error, "field", "")
        print(f"error: {field + ': ' if field else ''}{error}", file=sys.stderr)
        return 1
    except system.OUTAGES:
        print(f"error: {system.OUTAGE_MESSAGE}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
