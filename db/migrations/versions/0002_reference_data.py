"""reference data: every ISO 3166 country and the Blueprint's 34 recommendations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import re
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import pycountry
import sqlalchemy as sa
from alembic import op
from countrycode import countrycode

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECOMMENDATIONS_FILE = Path(__file__).parents[2] / "reference" / "blueprint-recommendations.txt"
CHAPTERS = {
    "1": "Leadership",
    "2": "Early warning",
    "3": "Early prevention",
    "4": "Preventive diplomacy",
    "5": "Military options",
    "6": "International action",
}
# Correlates of War codes the library leaves out for a current ISO country: COW keeps 345
# ("Yugoslavia") for its successor state Serbia, which the Early Warning Project uses.
COW_SUPPLEMENT = {"SRB": 345}

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
    countries = sorted(pycountry.countries, key=lambda c: c.alpha_3)
    codes = [c.alpha_3 for c in countries]
    regions = countrycode(codes, origin="iso3c", destination="un.region.name")
    subregions = countrycode(codes, origin="iso3c", destination="un.regionsub.name")
    cow_codes = countrycode(codes, origin="iso3c", destination="cown")
    now = datetime.now(timezone.utc)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    return [
        {
            "code": c.alpha_3,
            "alpha2": c.alpha_2,
            "numeric": c.numeric,
            "name": getattr(c, "common_name", None) or c.name,
            "un_region": region,
            "un_subregion": subregion,
            "cow_code": COW_SUPPLEMENT.get(c.alpha_3, int(cow) if cow is not None else None),
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for c, region, subregion, cow in zip(countries, regions, subregions, cow_codes, strict=True)
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
