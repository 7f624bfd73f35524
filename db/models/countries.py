"""Countries, the watchlist, statistical risk and the committee's own risk assessments."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field

from db.models.base import Edited, one_of, timestamp

TIERS = (1, 2, 3)  # 1 acute, 2 high risk, 3 watch
FACTOR_RATINGS = ("low", "moderate", "high", "not_assessed")
OVERALL_RATINGS = ("low", "moderate", "high", "very_high")
RISK_KINDS = ("forecast", "history")


class Country(Edited, table=True):
    """An ISO 3166-1 country, loaded from db/reference/countries.csv by the first migration."""

    code: str = Field(primary_key=True, max_length=3, description="ISO 3166-1 alpha-3")
    alpha2: str = Field(max_length=2, unique=True)
    numeric: str = Field(max_length=3)
    name: str = Field(max_length=200, index=True)
    un_region: str | None = Field(default=None, max_length=100, description="UN M49 region")
    un_subregion: str | None = Field(default=None, max_length=100)
    cow_code: int | None = Field(default=None, unique=True, description="Correlates of War code")


class WatchlistEntry(Edited, table=True):
    """A country of concern. One row per country ever watched; taking it off keeps the row."""

    __table_args__ = (
        CheckConstraint("tier IN (1, 2, 3)", name="tier_allowed"),
        CheckConstraint(
            "review_cadence_override IS NULL OR review_cadence_override BETWEEN 1 AND 12",
            name="cadence_range",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(foreign_key="country.code", unique=True)
    tier: int = Field(description="1 acute, 2 high risk, 3 watch")
    on_watchlist: bool = Field(default=True, index=True, description="false once taken off")
    since: date = Field(description="on the watchlist since")
    reason: str = Field(default="", description="why the country is watched at this tier")
    review_cadence_override: int | None = Field(
        default=None, description="review every N regular meetings instead of the tier default"
    )
    last_reviewed_on: date | None = Field(default=None, description="date of the last review held")
    last_review_meeting_id: int | None = Field(default=None, foreign_key="meeting.id")


class TierChange(Edited, table=True):
    """The history of a country's tier: added, changed, taken off (new_tier empty)."""

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(foreign_key="country.code", index=True)
    old_tier: int | None = Field(default=None)
    new_tier: int | None = Field(default=None, description="empty when taken off the watchlist")
    reason: str
    changed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    changed_at: datetime = timestamp(default_now=True, index=True)
    agenda_item_id: int | None = Field(
        default=None, foreign_key="agenda_item.id", description="the review that changed it"
    )


class RiskImport(Edited, table=True):
    """One import of a statistical risk file: what came in, from which file, by whom."""

    __table_args__ = (one_of("kind", RISK_KINDS),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40, description="e.g. 'Early Warning Project'")
    edition: str = Field(max_length=20, description="e.g. '2025'")
    kind: str = Field(max_length=16)
    filename: str = Field(max_length=300)
    sha256: str = Field(max_length=64, index=True)
    rows_new: int = 0
    rows_changed: int = 0
    rows_unmatched: int = 0
    imported_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class RiskObservation(Edited, table=True):
    """A statistical risk figure for a country: this edition's forecast, or a year of history."""

    __table_args__ = (
        one_of("kind", RISK_KINDS),
        UniqueConstraint("source", "edition", "kind", "country_code", "data_year"),
        CheckConstraint("risk >= 0 AND risk <= 1", name="risk_probability"),
        Index("ix_risk_observation_country_year", "country_code", "kind", "data_year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40)
    edition: str = Field(max_length=20)
    kind: str = Field(max_length=16)
    country_code: str = Field(foreign_key="country.code")
    data_year: int = Field(description="year of the data the figure was computed from")
    period: str = Field(max_length=20, description="what it forecasts, e.g. '2025-2026'")
    risk: float = Field(description="probability 0..1 that a new mass killing begins")
    rank: int | None = Field(default=None, description="1 = highest risk")
    previous_risk: float | None = Field(default=None, description="last edition's figure")
    previous_rank: int | None = Field(default=None)
    mass_killing_onset: bool | None = Field(default=None, description="history: an onset that year")
    import_id: int | None = Field(default=None, foreign_key="risk_import.id", index=True)


class RiskAssessment(Edited, table=True):
    """The committee's own judgement of a country at a date (UN Framework of Analysis, 2014)."""

    __table_args__ = (
        one_of("overall_rating", OVERALL_RATINGS),
        Index("ix_risk_assessment_country_date", "country_code", "assessed_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(foreign_key="country.code")
    assessed_on: date
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    assessed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    overall_rating: str = Field(max_length=16)
    overall_judgement: str = Field(description="the committee's overall judgement, in prose")


class RiskFactorRating(Edited, table=True):
    """One of the 14 UN Framework risk factors, rated within an assessment."""

    __table_args__ = (
        one_of("rating", FACTOR_RATINGS),
        CheckConstraint("factor BETWEEN 1 AND 14", name="factor_range"),
        UniqueConstraint("assessment_id", "factor"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="risk_assessment.id")
    factor: int = Field(description="1..14, numbered as in the Framework")
    rating: str = Field(max_length=16, default="not_assessed")
    note: str = Field(default="")
