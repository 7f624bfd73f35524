"""Sign-in sessions: the server's side of a signed-in browser."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from db.models.base import one_of, timestamp

METHODS = ("password", "oidc", "proxy")


class SignInSession(SQLModel, table=True):
    """One sign-in of one person in one browser. The browser holds a random token in a
    cookie; only its hash is kept here, so the table never holds a working session. Ended
    sessions stay, with when and why they ended."""

    __tablename__ = "sign_in_session"
    __table_args__ = (one_of("method", METHODS),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, description="SHA-256 of the token")
    method: str = Field(max_length=16, description="how the person proved who they are")
    created_at: datetime = timestamp(default_now=True, nullable=False)
    last_seen_at: datetime = timestamp(default_now=True, nullable=False)
    expires_at: datetime = timestamp(nullable=False, description="the absolute end, idle or not")
    user_agent: str = Field(default="", max_length=300, description="the browser, as it says")
    ended_at: datetime | None = timestamp(default=None)
    end_reason: str | None = Field(default=None, max_length=32)
