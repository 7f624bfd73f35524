"""What every table model shares: naming of constraints, the edit version, timestamps."""

import re
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, MetaData
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime, utcnow

# Named constraints keep Alembic's batch mode on SQLite able to alter tables later.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    """A check constraint that keeps a text column to a fixed vocabulary."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_allowed")


def late_reference(target: str, **kwargs):
    """A nullable foreign key that closes a cycle between tables (plan <-> plan version,
    meeting <-> alert); the constraint is added after both tables exist."""
    return Field(
        default=None,
        sa_column=Column(Integer, ForeignKey(target, use_alter=True), nullable=True, **kwargs),
    )


def timestamp(**kwargs) -> datetime:
    """A UTC timestamp column; ``default_now=True`` fills it on insert."""
    if kwargs.pop("default_now", False):
        kwargs["default_factory"] = utcnow
    return Field(sa_type=UTCDateTime, **kwargs)


class Edited(SQLModel):
    """A record people edit: ``version`` grows by one on every change and guards against lost
    updates (a write names the version its author saw; a stale one is a conflict)."""

    @declared_attr
    def __tablename__(cls) -> str:
        """Table names in snake case: ``AgendaItem`` is stored in ``agenda_item``."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    version: int = Field(default=1, nullable=False)
    created_at: datetime = timestamp(default_now=True, nullable=False)
    updated_at: datetime = timestamp(default_now=True, nullable=False)
