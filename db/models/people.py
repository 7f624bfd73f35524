"""Agencies and the people who sign in."""

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field

from db.models.base import Edited, one_of, timestamp

ROLES = ("admin", "chair", "agency_rep", "observer")


class Agency(Edited, table=True):
    """A department or agency that sits on the committee (State, USAID, ...)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(
        max_length=16, unique=True, description="short code used in the CLI, e.g. STATE"
    )
    name: str = Field(max_length=200, unique=True)
    active: bool = Field(default=True, description="inactive agencies keep their history")


class User(Edited, table=True):
    """A person who signs in. One role at a time; an agency representative speaks for one agency."""

    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        one_of("role", ROLES),
        CheckConstraint("role <> 'agency_rep' OR agency_id IS NOT NULL", name="rep_has_agency"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, description="stored lower-case")
    name: str = Field(max_length=200)
    role: str = Field(max_length=16)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    password_hash: str | None = Field(default=None, description="argon2; empty for single sign-on")
    active: bool = Field(default=True, description="inactive people cannot sign in")
    awaiting_approval: bool = Field(
        default=False, description="created by a first single sign-on; an admin must approve"
    )
    last_signed_in_at: datetime | None = timestamp(default=None)
    must_change_password: bool = Field(
        default=False, description="holds a one-time password an administrator handed over"
    )


class CalendarFeed(Edited, table=True):
    """A secret calendar feed address. Only a hash of the token is kept; revoked feeds stay."""

    __table_args__ = (one_of("scope", ("personal", "agency")),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    scope: str = Field(max_length=16, default="personal")
    token_hash: str = Field(max_length=128, unique=True)
    revoked_at: datetime | None = timestamp(default=None)
