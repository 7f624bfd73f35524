"""Addresses. Where people reach the tool (``APC_BASE_URL``), for every link that leaves it in
an invitation, a calendar feed or a paper; and which addresses a sign-in may send a browser
back to: paths on this server only, so that no link can use the sign-in to send someone
elsewhere (an open redirect).

``APC_BASE_URL`` has no default: a link to the wrong host is worse than none. ``make run``
and the tests set it to the address they serve; a deployment sets its own, and
``python -m committee check`` says when it is missing.
"""

import os
from urllib.parse import urlencode, urlsplit

from committee.errors import ValidationError

VARIABLE = "APC_BASE_URL"
SIGN_IN = "/sign-in"
NOT_SET = (
    "APC_BASE_URL is not set. Set it to the address people reach APC Desk at (for example "
    "https://apc-desk.agency.gov): invitations, calendar feeds and papers link there."
)
MALFORMED = "APC_BASE_URL must be an http or https address such as https://apc-desk.agency.gov."
MAX_TARGET_LENGTH = 2000
# Paths a sign-in must not return to: the sign-in itself and the sign-out.
NOT_TARGETS = ("/sign-in", "/sign-out", "/signed-out")


def base_url() -> str:
    """The address people reach the app at, without a trailing slash."""
    value = os.environ.get(VARIABLE, "").strip().rstrip("/")
    if not value:
        raise ValidationError(NOT_SET, field=VARIABLE)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ValidationError(MALFORMED, field=VARIABLE)
    return value


def link(path: str) -> str:
    """The full address of a page or route of the tool, e.g. ``link("/meeting?id=8")``."""
    return base_url() + path


def host() -> str:
    """The tool's host name, e.g. for a sender address when nobody else can be named."""
    return urlsplit(base_url()).hostname


def problems() -> list[str]:
    """What is wrong with the address, for ``python -m committee check``."""
    try:
        base_url()
    except ValidationError as error:
        return [str(error)]
    return []


def local_target(value: str | None) -> str:
    """``value`` if it is a path on this server to return to after signing in, else ``/``.

    Refused: anything with a scheme or a host (``https://evil.example``, ``//evil.example``),
    a backslash (browsers read ``/\\evil.example`` as ``//evil.example``), control characters
    such as CR and LF (header splitting), and the sign-in and sign-out routes themselves.
    """
    if not value or len(value) > MAX_TARGET_LENGTH:
        return "/"
    if "\\" in value or any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return "/"
    parts = urlsplit(value)
    if not value.startswith("/") or value.startswith("//") or parts.scheme or parts.netloc:
        return "/"
    if any(parts.path == path or parts.path.startswith(path + "/") for path in NOT_TARGETS):
        return "/"
    return value


def sign_in_path(*, target: str = "/", why: str = "") -> str:
    """The sign-in page's address, carrying where to go afterwards and why it is shown."""
    query = {}
    if local_target(target) != "/":
        query["next"] = local_target(target)
    if why:
        query["why"] = why
    return SIGN_IN + (f"?{urlencode(query)}" if query else "")
