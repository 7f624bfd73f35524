"""Commands for the evidence review of policy tools: import-tools-evidence, tools."""

from pathlib import Path

from cli.common import lazy, operator
from committee.errors import ValidationError

(tools_evidence,) = lazy("committee.tools_evidence")


def register(commands) -> None:
    load = commands.add_parser(
        "import-tools-evidence",
        help="import the evidence review 'Tools for Atrocity Prevention' (all_factors_<n>.csv)",
    )
    load.add_argument("file", type=Path, help="the review's factor table, as published")
    load.add_argument("--edition", help="the edition (default: from the file name, e.g. V3)")
    load.add_argument(
        "--dry-run", action="store_true", help="print what would change and write nothing"
    )
    load.set_defaults(run=run_import)

    listing = commands.add_parser("tools", help="list the policy tools of the evidence review")
    listing.set_defaults(run=run_tools)


def run_import(args) -> int:
    if not args.file.is_file():
        raise ValidationError(f"No file at {args.file}.", field="file")
    content, name = args.file.read_bytes(), args.file.name
    if args.dry_run:
        preview = tools_evidence.preview_file(content=content, filename=name, edition=args.edition)
    else:
        preview = tools_evidence.import_file(
            actor=operator(), content=content, filename=name, edition=args.edition
        )
    print(preview.summary)
    if args.dry_run:
        print("dry run: nothing written")
    elif preview.import_id is None:
        print("nothing to import: this edition is already recorded as it is in the file")
    else:
        print(f"imported (import {preview.import_id})")
    return 0


def run_tools(args) -> int:
    for entry in tools_evidence.tools():
        reviewed = (
            f"{len(entry.factors)} factors"
            if entry.tool.evidence_reviewed
            else ("no evidence review yet")
        )
        print(
            f"{entry.tool.name:45} {'/'.join(entry.strategies):34} "
            f"{'/'.join(entry.instruments):30} {reviewed}"
        )
    return 0
