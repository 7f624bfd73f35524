"""a due date request is withdrawn when its item is closed: the request's status and the
item history's kind each gain 'withdrawn'

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

from db import search_index

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REQUEST_STATUSES = ("pending", "granted", "refused")
UPDATE_KINDS = (
    "created",
    "status",
    "note",
    "edited",
    "reassigned",
    "due_date_requested",
    "due_date_granted",
    "due_date_refused",
)


def _allow(table: str, column: str, values: tuple[str, ...]) -> None:
    allowed = ", ".join(f"'{value}'" for value in values)
    # SQLite cannot alter a constraint: batch mode copies the table with the new one.
    with op.batch_alter_table(table) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_{column}_allowed"), type_="check")
        batch_op.create_check_constraint(op.f(f"ck_{table}_{column}_allowed"), f"{column} IN ({allowed})")


def _allow_both(statuses: tuple[str, ...], kinds: tuple[str, ...]) -> None:
    connection = op.get_bind()
    # SQLite's batch mode replaces the tables, which the search index's triggers name.
    with search_index.triggers_set_aside(connection):
        _allow("due_date_request", "status", statuses)
        _allow("action_update", "kind", kinds)


def upgrade() -> None:
    _allow_both((*REQUEST_STATUSES, "withdrawn"), (*UPDATE_KINDS, "due_date_withdrawn"))


def downgrade() -> None:
    op.execute("UPDATE due_date_request SET status = 'refused' WHERE status = 'withdrawn'")
    op.execute("UPDATE action_update SET kind = 'note' WHERE kind = 'due_date_withdrawn'")
    _allow_both(REQUEST_STATUSES, UPDATE_KINDS)
