"""The search index: one row per searchable record, kept current by database triggers
(db/search_index.py). Its full-text part is engine-specific and lives beside it: an FTS5 table
``search_text`` on SQLite, a ``document`` tsvector column with a GIN index on PostgreSQL."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.base import timestamp


class SearchEntry(SQLModel, table=True):
    """What a search finds of one record, with the columns its read rules need."""

    __tablename__ = "search_entry"
    __table_args__ = (UniqueConstraint("kind", "record_key"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, description="meeting, agenda_item, decision, ...")
    record_key: str = Field(max_length=20, description="the record's id (a country's code)")
    country_code: str | None = Field(default=None, max_length=3, index=True)
    meeting_id: int | None = Field(default=None, index=True, description="the meeting it sits in")
    alert_id: int | None = Field(default=None, description="the alert it comes from or quotes")
    plan_id: int | None = Field(default=None, index=True)
    agency_id: int | None = Field(default=None, description="filing, owning or presenting agency")
    on_agenda: bool = Field(default=False, description="part of an agenda: the agenda's rule")
    happened_at: datetime | None = timestamp(default=None)
    status: str = Field(default="", max_length=24)
    title: str = Field(default="")
    body: str = Field(default="")
