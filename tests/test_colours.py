"""Colours that pass WCAG 2.1 AA (issue 25). Tables are drawn on a canvas that axe cannot read,
so the colours the app gives their cells are read here from what the pages send the browser,
and measured against their background; the committee's palettes are measured as well."""

import re

import pytest
from sqlalchemy import select
from test_countries_app import actor

from committee import vocabulary
from db.engine import read_session
from db.models import Clearance, PlanVersion, RiskAssessment

WHITE = "#ffffff"
TEXT, SHAPE = 4.5, 3.0  # the least contrast for text, and for a shape on a chart or the map


def test_contrast_is_measured_as_wcag_defines_it():
    assert vocabulary.contrast("#000000", WHITE) == pytest.approx(21)
    assert vocabulary.contrast("#828180", WHITE) == pytest.approx(3.88, abs=0.01)  # issue 25
    assert vocabulary.contrast("#777777", WHITE) == vocabulary.contrast(WHITE, "#777777")


def test_every_colour_of_the_palettes_passes():
    shapes = {
        **{f"tier {t}": c for t, c in vocabulary.TIER_COLORS.items()},
        **{f"severity {s}": c for s, c in vocabulary.SEVERITY_COLORS.items()},
        **{f"review {s}": c for s, c in vocabulary.REVIEW_STATUS_COLORS.items()},
        **{f"status {s}": c for s, c in vocabulary.ACTION_STATUS_COLORS.items()},
    }
    for name, colour in shapes.items():
        assert vocabulary.contrast(colour, WHITE) >= SHAPE, name
    for tier, colour in vocabulary.TIER_COLORS.items():  # beside the countries off the list
        assert vocabulary.contrast(colour, vocabulary.OFF_WATCHLIST_COLOR) >= SHAPE, tier
    for colour in vocabulary.RISK_SCALE:  # the risk map's shades, on its land and on white
        assert vocabulary.contrast(colour, vocabulary.OFF_WATCHLIST_COLOR) >= SHAPE, colour
        assert vocabulary.contrast(colour, WHITE) >= SHAPE, colour
    texts = [*vocabulary.ACTION_STATUS_COLORS.values()]
    for colour in [*texts, vocabulary.OVERDUE_COLOR, vocabulary.DUE_SOON_COLOR]:
        assert vocabulary.contrast(colour, WHITE) >= TEXT, colour
    backgrounds = [
        *vocabulary.TIER_COLORS.values(),
        *vocabulary.FACTOR_RATING_COLORS.values(),
        *vocabulary.CLEARANCE_COLORS.values(),
    ]
    for colour in backgrounds:
        assert vocabulary.contrast(vocabulary.ink_on(colour), colour) >= TEXT, colour


RULE = re.compile(r"([^{}]+)\{([^}]*)\}")


def cell_colours(at) -> list[tuple[str, str, str]]:
    """(cell, text colour, background) for every table cell the page gives a colour."""
    found = []
    for table in at.dataframe:
        for cell, body in RULE.findall(table.proto.arrow_data.styler.styles):
            props = dict(
                (name.strip(), value.strip())
                for name, _, value in (p.partition(":") for p in body.split(";") if ":" in p)
            )
            if "color" in props or "background-color" in props:
                colours = (props.get("color", "#111111"), props.get("background-color", WHITE))
                found.append((cell.strip(), *colours))
    return found


@pytest.fixture
def page_for(sqlite_db, demo, frozen_clock, app_as):
    def render(email: str, script: str, tab: tuple[str, str] | None = None, **query):
        at = app_as(actor(email))
        at.query_params.update({k: str(v) for k, v in query.items()})
        if tab:
            at.session_state[tab[0]] = tab[1]
        at.switch_page(script)
        at.run()
        assert not at.exception, at.exception
        return at

    return render


def test_every_coloured_table_cell_reads_against_its_background(page_for):
    with read_session() as session:
        assessed = session.scalars(select(RiskAssessment.country_code)).first()
        cleared = session.scalars(
            select(PlanVersion.plan_id).join(Clearance, Clearance.plan_version_id == PlanVersion.id)
        ).first()
    views = [
        page_for("rep.state@apc.example", "pages/agency_desk.py"),
        page_for("chair@apc.example", "pages/tracker.py"),
        page_for("chair@apc.example", "pages/watchlist.py"),
        page_for(
            "chair@apc.example", "pages/country.py", ("country_tab", "Assessments"), code=assessed
        ),
        page_for("chair@apc.example", "pages/plan.py", ("plan_tab", "Clearance"), id=cleared),
    ]
    cells = [cell for at in views for cell in cell_colours(at)]
    kinds = {(colour, background) for _, colour, background in cells}
    assert len(kinds) >= 8, kinds  # the statuses, urgencies, tiers, ratings and positions
    failing = [
        (cell, colour, background, round(vocabulary.contrast(colour, background), 2))
        for cell, colour, background in cells
        if vocabulary.contrast(colour, background) < TEXT
    ]
    assert not failing
