"""action items: an index to find the items closed recently (the tracker's summary of what was
done on time in the last 90 days reads only those)

Revision ID: 0003_actions
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_actions"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_action_item_status_closed", "action_item", ["status", "closed_at"])


def downgrade() -> None:
    op.drop_index("ix_action_item_status_closed", table_name="action_item")
