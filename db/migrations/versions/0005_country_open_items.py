"""a country's open action items read without its closed history: the index on the country
alone becomes one on country, status and due date (which serves the country alone too)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_action_item_country_status_due",
        "action_item",
        ["country_code", "status", "due_on"],
    )
    op.drop_index("ix_action_item_country_code", table_name="action_item")


def downgrade() -> None:
    op.create_index("ix_action_item_country_code", "action_item", ["country_code"])
    op.drop_index("ix_action_item_country_status_due", table_name="action_item")
