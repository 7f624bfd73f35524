"""How the tool names a person: by their name; with their email beside it, "Name (email)",
only where another active person has the same name, so that the two can be told apart."""

from sqlalchemy import case, exists
from sqlalchemy.orm import aliased

from db.models import User


def person_name(user=User):
    """An SQL expression naming ``user`` (``User`` or an alias of it) in a query that joins it;
    NULL where the join found nobody (the caller says who acted then: the operator, say)."""
    namesake = aliased(User)
    shared = exists().where(
        namesake.name == user.name, namesake.id != user.id, namesake.active.is_(True)
    )
    return case((shared, user.name + " (" + user.email + ")"), else_=user.name)
