"""a meeting keeps when it was held apart from when it was scheduled: held_from (its first item
started) and held_until (closed)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db import search_index

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("held_from", "held_until")


def upgrade() -> None:
    # SQLite's batch mode may copy the table, which the search index's triggers name.
    with search_index.triggers_set_aside(op.get_bind()):
        with op.batch_alter_table("meeting") as batch_op:
            for column in COLUMNS:
                batch_op.add_column(sa.Column(column, sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with search_index.triggers_set_aside(op.get_bind()):
        with op.batch_alter_table("meeting") as batch_op:
            for column in COLUMNS:
                batch_op.drop_column(column)
