"""Reading the public data files a chair imports (the statistical risk, the evidence review):
their cells, and messages that quote them safely. One set of rules, so both imports refuse a
bad file in the same words."""

import math
import re

from committee.errors import ValidationError

MISSING = {"", "NA", "NaN", "nan"}  # how R and pandas write a value that is not there


class BadValue(ValueError):
    """A cell that is not what its column holds; the message names the column and the cell."""


def shown(text: str) -> str:
    """Text from the file, quoted in a message: short, and without characters that Markdown or
    HTML would act on (the message is shown on a page)."""
    return "'" + re.sub(r"[^\w .,:/()+-]", "?", text.strip())[:40] + "'"


def refuse(filename: str, problem: str) -> ValidationError:
    return ValidationError(f"{shown(filename)}: {problem}", field="file")


def number(cell: str, what: str) -> float | None:
    """A finite number, or None where the file says there is none."""
    cell = cell.strip()
    if cell in MISSING:
        return None
    try:
        value = float(cell)
    except ValueError:
        raise BadValue(f"{what} {shown(cell)} is not a number") from None
    if not math.isfinite(value):
        raise BadValue(f"{what} {shown(cell)} is not a number")
    return value
