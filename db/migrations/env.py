"""Alembic environment: one code path for SQLite and PostgreSQL."""

from alembic import context
from sqlalchemy import text

import db.models  # noqa: F401  (registers every table on the metadata)
from db.engine import create_database_engine, database_url
from db.models import metadata
from db.search_index import is_engine_part
from db.types import UTCDateTime

# Several app processes may start together on one PostgreSQL database: the first to take this
# lock migrates, the others wait and then find nothing left to do.
MIGRATION_LOCK_ID = 7_262_026


def render_item(type_, obj, autogen_context):
    """Migrations stay free of project code: our UTC column is a plain timestamptz there."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_item=render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=is_engine_part,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})"))
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = create_database_engine(database_url())
    with engine.connect() as connection:
        run_migrations(connection)
    engine.dispose()
