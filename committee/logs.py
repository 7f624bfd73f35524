"""Structured logs for operations: one JSON object a line on standard error, from the app
server, the command line and the worker alike.

Each line has ``time`` (UTC), ``level``, ``event`` (a short name: "audit", "database_outage",
"feed"), ``process`` ("app", "cli", "worker"), the ``person`` acting (an account id) and the
request ``path`` where there are ones, and the event's own fields. A line never holds a
password, a token or the text of a record: events carry names, ids and outcomes, and an error
its type and where it was raised, never its message (a database error's message quotes the
values of the statement that failed).

A process sets logging up once, first thing::

    from committee import logs
    logs.configure("worker")
    logs.event("delivered", message_id=42)

``APC_LOG_LEVEL`` (debug, info, warning, error) sets what is written: by default info, and for
the command line, which speaks to a person in words, only errors.
"""

import json
import logging
import os
import re
import sys
import traceback
from contextvars import ContextVar
from datetime import datetime, timezone
from pathlib import Path

LEVEL_VARIABLE = "APC_LOG_LEVEL"
LOGGER = logging.getLogger("apc")
HOME = str(Path(__file__).resolve().parent.parent)  # where the project's own code is

# Who acts and on which address, for every line logged meanwhile in this thread or task.
person: ContextVar[int | str | None] = ContextVar("person", default=None)
path: ContextVar[str | None] = ContextVar("path", default=None)

_process = {"name": "apc"}
# What the app server answers besides its pages: a feed's address holds its secret token.
_FEED = re.compile(r"^/feeds/[^/]+\.ics$")
# Loggers whose own handlers write plain lines; theirs are passed to the root's instead.
PLAIN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def safe_path(address: str) -> str:
    """A request's path without its query (an OIDC callback's holds a one-time code) and
    with a feed's token left out."""
    address = address.split("?", 1)[0]
    return "/feeds/<token>.ics" if _FEED.match(address) else address


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "event": getattr(record, "event", None) or record.getMessage(),
            "process": _process["name"],
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            # uvicorn's access line: one request, its method, path and answer.
            _client, method, address, _version, status = record.args
            line["event"] = "request"
            record.fields = {"method": method, "path": safe_path(address), "status": status}
        elif record.name != LOGGER.name:
            line["logger"] = record.name
        for key, value in (("person", person.get()), ("path", path.get())):
            if value is not None:
                line[key] = value
        line.update((k, v) for k, v in getattr(record, "fields", {}).items() if v is not None)
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, trace = record.exc_info
            line["error"] = kind.__name__
            frames = traceback.extract_tb(trace)
            ours = [frame for frame in frames if frame.filename.startswith(HOME)]
            # The project's last steps, and the place the error was raised if not among them.
            chosen = ours[-3:] + ([] if frames[-1:] == ours[-1:] else frames[-1:])
            line["where"] = [f"{frame.filename}:{frame.lineno}" for frame in chosen]
        return json.dumps(line, default=str, ensure_ascii=False)


def configured_level(default: str = "info") -> int:
    name = (os.environ.get(LEVEL_VARIABLE, "").strip() or default).upper()
    found = logging.getLevelName(name)
    return found if isinstance(found, int) else logging.INFO


def configure(process: str, *, default_level: str = "info") -> None:
    """Send every log line of this process (its own, Streamlit's, uvicorn's, Alembic's) to
    standard error as JSON. Safe to call again: it also takes in loggers created since."""
    _process["name"] = process
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonLines) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        root.addHandler(handler)
    root.setLevel(configured_level(default_level))
    LOGGER.setLevel(configured_level(default_level))
    # Warnings (a library's deprecation notice, say) are log lines too, not loose text.
    logging.captureWarnings(True)
    # Streamlit gives each of its loggers a console handler of its own that does not pass
    # lines on; hand them to the root's instead. (Its loggers keep their own levels.)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        own = getattr(logger, "streamlit_console_handler", None)
        if own is not None:
            logger.removeHandler(own)
            del logger.streamlit_console_handler
            logger.propagate = True
    for name in PLAIN_LOGGERS:
        logger = logging.getLogger(name)
        for own in list(logger.handlers):
            logger.removeHandler(own)
        logger.propagate = True


def event(name: str, *, level: int = logging.INFO, error: bool = False, **fields) -> None:
    """Log one event with its fields (names, ids, counts: never a record's text). With
    ``error``, the exception being handled is described by its type and where it was raised."""
    LOGGER.log(level, name, extra={"event": name, "fields": fields}, exc_info=error)
