"""speed at the scale of a decade: indexes that let the dashboard, tracker, watchlist and
annual report read only the items that can count (open now, or closed in the period), and a
rule that makes "closed" and "has a closing time" the same thing, so that those indexes can
be trusted

Revision ID: 0004
Revises: 0003_actions
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003_actions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLOSED = "status IN ('done', 'cancelled')"


def upgrade() -> None:
    # Every write already sets closed_at with a closing status; mend any older row first.
    op.execute(f"UPDATE action_item SET closed_at = updated_at WHERE {CLOSED} AND closed_at IS NULL")
    op.execute(f"UPDATE action_item SET closed_at = NULL WHERE NOT ({CLOSED}) AND closed_at IS NOT NULL")
    with op.batch_alter_table("action_item") as batch:
        batch.create_check_constraint("closed_when_closed", f"({CLOSED}) = (closed_at IS NOT NULL)")
    op.drop_index("ix_action_item_status_closed", table_name="action_item")
    op.drop_index("ix_action_item_status_due", table_name="action_item")
    op.create_index(
        "ix_action_item_open",
        "action_item",
        ["status", "due_on", "owner_agency_id", "country_code"],
    )
    op.create_index(
        "ix_action_item_closing",
        "action_item",
        ["status", "closed_at", "owner_agency_id", "created_at", "due_on"],
    )
    op.create_index("ix_action_item_created", "action_item", ["created_at", "owner_agency_id"])


def downgrade() -> None:
    op.drop_index("ix_action_item_created", table_name="action_item")
    op.drop_index("ix_action_item_closing", table_name="action_item")
    op.drop_index("ix_action_item_open", table_name="action_item")
    op.create_index("ix_action_item_status_due", "action_item", ["status", "due_on"])
    op.create_index("ix_action_item_status_closed", "action_item", ["status", "closed_at"])
    with op.batch_alter_table("action_item") as batch:
        batch.drop_constraint("closed_when_closed", type_="check")
