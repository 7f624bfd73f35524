"""Commands that write files: export-ics (calendars) and export-doc (papers)."""

import sys
from pathlib import Path

from cli.common import lazy, operator
from committee.errors import CommitteeError, ValidationError

(people,) = lazy("committee.people")

PAPERS = ("agenda", "read-ahead", "minutes", "plan")


def register(commands) -> None:
    ics = commands.add_parser(
        "export-ics",
        help="write a calendar file: a meeting's invitation, the schedule, or action items",
    )
    ics.add_argument("--out", required=True, help="file to write ('-' for standard output)")
    which = ics.add_mutually_exclusive_group(required=True)
    which.add_argument("--meeting", type=int, metavar="ID", help="one meeting's invitation")
    which.add_argument("--schedule", action="store_true", help="every meeting, in one file")
    which.add_argument("--agency", metavar="CODE", help="an agency's open action items")
    which.add_argument("--person", metavar="EMAIL", help="a person's open action items")
    ics.add_argument(
        "--cancel",
        action="store_true",
        help="with --meeting: the cancellation of a cancelled meeting (refused otherwise)",
    )
    ics.set_defaults(run=run_export_ics)

    doc = commands.add_parser(
        "export-doc", help="write a meeting's agenda, read-ahead or minutes, or a plan"
    )
    doc.add_argument("paper", choices=PAPERS)
    doc.add_argument("--meeting", type=int, metavar="ID", help="for agenda, read-ahead, minutes")
    doc.add_argument("--plan", type=int, metavar="ID", help="for plan")
    doc.add_argument(
        "--version", type=int, metavar="N", help="plan version (default: in effect, else latest)"
    )
    doc.add_argument("--format", required=True, choices=("docx", "pdf"))
    doc.add_argument("--out", required=True, help="file to write")
    doc.set_defaults(run=run_export_doc)


def run_export_ics(args) -> int:
    from exports import calendar  # the export libraries load only for these commands

    if args.cancel and args.meeting is None:
        raise ValidationError("--cancel goes with --meeting.", field="cancel")
    if args.meeting is not None:
        content = calendar.invitation(args.meeting, cancel=args.cancel)
    elif args.schedule:
        content = calendar.schedule()
    elif args.agency:
        content = calendar.action_items(agency_id=people.agency_by_code(args.agency).id)
    else:
        content = calendar.action_items(assignee_id=people.user_by_email(args.person).id)
    _write(args.out, content)
    return 0


def run_export_doc(args) -> int:
    from exports import documents  # the export libraries load only for these commands

    if args.paper == "plan":
        if args.plan is None:
            raise ValidationError("A plan needs --plan ID.", field="plan")
        export = documents.plan_paper(
            plan_id=args.plan, actor=operator(), fmt=args.format, version=args.version
        )
    else:
        if args.meeting is None:
            raise ValidationError(f"The {args.paper} needs --meeting ID.", field="meeting")
        export = documents.meeting_paper(
            args.paper, meeting_id=args.meeting, actor=operator(), fmt=args.format
        )
    _write(args.out, export.content)
    return 0


def _write(out: str, content: bytes) -> None:
    if out == "-":
        sys.stdout.buffer.write(content)
        return
    try:
        Path(out).write_bytes(content)
    except OSError as error:
        raise CommitteeError(f"Cannot write {out}: {error.strerror}.") from error
    print(f"wrote {out} ({len(content):,} bytes)", file=sys.stderr)
