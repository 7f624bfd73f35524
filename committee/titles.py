"""A record's title: what every list, agenda and paper shows of it. One rule for all of them:
a title is given and fits its column, and a title too long is refused, never cut short."""

from committee.errors import ValidationError

LONGEST = 300  # the title columns' size (db/models)


def checked(title: str | None, *, what: str, required: bool = True) -> str:
    """``title`` trimmed; refused at the title field when missing (if ``required``) or too
    long. ``what`` names the record in the message: "the item", "the plan"."""
    title = (title or "").strip()
    if required and not title:
        raise ValidationError(f"Give {what} a title.", field="title")
    if len(title) > LONGEST:
        raise ValidationError(
            f"Keep the title to {LONGEST} characters (it has {len(title)}).", field="title"
        )
    return title
