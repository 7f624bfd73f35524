"""reference data: every ISO 3166 country and the Blueprint's 34 recommendations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import csv
import re
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFERENCE = Path(__file__).parents[2] / "reference"
RECOMMENDATIONS_FILE = REFERENCE / "blueprint-recommendations.txt"
# Every ISO 3166-1 country with its UN region and Correlates of War code, checked in with its
# sources named (db/reference/README.md): a new database holds the same rows whatever is
# installed.
COUNTRIES_FILE = REFERENCE / "countries.csv"
CHAPTERS = {
    "1": "Leadership",
    "2": "Early warning",
    "3": "Early prevention",
    "4": "Preventive diplomacy",
    "5": "Military options",
    "6": "International action",
}

country = sa.table(
    "country",
    sa.column("code"),
    sa.column("alpha2"),
    sa.column("numeric"),
    sa.column("name"),
    sa.column("un_region"),
    sa.column("un_subregion"),
    sa.column("cow_code"),
    sa.column("version"),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
recommendation = sa.table(
    "blueprint_recommendation", sa.column("code"), sa.column("chapter"), sa.column("text")
)


def country_rows() -> list[dict]:
    now = datetime.now(timezone.utc)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    with COUNTRIES_FILE.open(encoding="utf-8", newline="") as file:
        countries = list(csv.DictReader(file))
    return [
        {
            "code": c["code"],
            "alpha2": c["alpha2"],
            "numeric": c["numeric"],
            "name": c["name"],
            "un_region": c["un_region"] or None,
            "un_subregion": c["un_subregion"] or None,
            "cow_code": int(c["cow_code"]) if c["cow_code"] else None,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for c in countries
    ]


def recommendation_rows() -> list[dict]:
    rows = []
    for line in RECOMMENDATIONS_FILE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(\d)-(\d+)\.\s+(.*)$", line.strip())
        if match:
            chapter, number, text = match.groups()
            rows.append({"code": f"{chapter}-{number}", "chapter": CHAPTERS[chapter], "text": text})
    return rows


def upgrade() -> None:
    op.bulk_insert(country, country_rows())
    op.bulk_insert(recommendation, recommendation_rows())


def downgrade() -> None:
    op.execute(recommendation.delete())
    op.execute(country.delete())
