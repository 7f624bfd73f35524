"""The countries a new database holds are the checked-in CSV, row for row, on both engines."""

import csv

from conftest import PROJECT_ROOT
from sqlmodel import select

from db.engine import read_session
from db.models import Country

COUNTRIES_FILE = PROJECT_ROOT / "db" / "reference" / "countries.csv"


def test_a_new_database_holds_the_checked_in_countries(db):
    with COUNTRIES_FILE.open(encoding="utf-8", newline="") as file:
        expected = [
            (
                row["code"],
                row["alpha2"],
                row["numeric"],
                row["name"],
                row["un_region"] or None,
                row["un_subregion"] or None,
                int(row["cow_code"]) if row["cow_code"] else None,
            )
            for row in csv.DictReader(file)
        ]
    with read_session() as session:
        stored = [
            (c.code, c.alpha2, c.numeric, c.name, c.un_region, c.un_subregion, c.cow_code)
            for c in session.exec(select(Country).order_by(Country.code))
        ]
    assert stored == expected
    assert len(stored) == 249
    serbia = next(row for row in stored if row[0] == "SRB")
    assert serbia[6] == 345  # Correlates of War's number, as the Early Warning Project uses
