"""The committee's own risk assessments: the 14 risk factors of the UN Framework of Analysis for
Atrocity Crimes (2014), each rated low, moderate, high or not assessed with a short note, an
overall rating and judgement, who assessed and at which meeting; and two assessments compared
factor by factor.

An assessment is a record of a judgement at a date: it is never edited; a new judgement is a new
assessment, and the comparison shows what changed.
"""

from dataclasses import dataclass
from datetime import date

from committee import clock
from committee.actor import Actor
from committee.briefs import Assessment
from committee.errors import ValidationError
from committee.transaction import writing
from committee.vocabulary import RISK_FACTORS
from db.models import Country, Meeting, RiskAssessment, RiskFactorRating
from db.models.countries import FACTOR_RATINGS, OVERALL_RATINGS

# Ratings in order of concern, to say whether a factor went up or down.
CONCERN = {"low": 1, "moderate": 2, "high": 3}


@dataclass(frozen=True)
class Rating:
    """One factor's rating as the committee gives it."""

    rating: str = "not_assessed"
    note: str = ""


def record_assessment(
    *,
    actor: Actor,
    country_code: str,
    assessed_on: date,
    overall_rating: str,
    overall_judgement: str,
    ratings: dict[int, Rating],
    meeting_id: int | None = None,
) -> RiskAssessment:
    """Record an assessment. Factors left out are stored as not assessed; at least one factor
    must be rated."""
    unknown = set(ratings) - set(RISK_FACTORS)
    if unknown:
        raise ValidationError(
            f"The UN Framework has risk factors 1 to 14, not {sorted(unknown)}.", field="ratings"
        )
    for factor, given in ratings.items():
        if given.rating not in FACTOR_RATINGS:
            raise ValidationError(
                f"Factor {factor}: rate it low, moderate, high or not assessed.", field="ratings"
            )
    if all(given.rating == "not_assessed" for given in ratings.values()):
        raise ValidationError(
            "Rate at least one of the 14 risk factors: an assessment with none rated says nothing.",
            field="ratings",
        )
    if overall_rating not in OVERALL_RATINGS:
        raise ValidationError(
            "Choose an overall rating: low, moderate, high or very high.", field="overall_rating"
        )
    if not overall_judgement.strip():
        raise ValidationError("Write the committee's overall judgement.", field="overall_judgement")
    if assessed_on > clock.today():
        raise ValidationError("An assessment cannot be dated in the future.", field="assessed_on")
    with writing(actor, "assessment.record") as w:
        w.require("assessment.record")
        country = w.session.get(Country, (country_code or "").strip().upper())
        if country is None:
            raise ValidationError(f"{country_code!r} is not a country code.", field="country")
        if meeting_id is not None:
            w.get(Meeting, meeting_id, what="Meeting")
        assessment = RiskAssessment(
            country_code=country.code,
            assessed_on=assessed_on,
            meeting_id=meeting_id,
            assessed_by_id=actor.id,
            overall_rating=overall_rating,
            overall_judgement=overall_judgement.strip(),
        )
        w.session.add(assessment)
        w.session.flush()
        for factor in RISK_FACTORS:
            given = ratings.get(factor, Rating())
            w.session.add(
                RiskFactorRating(
                    assessment_id=assessment.id,
                    factor=factor,
                    rating=given.rating,
                    note=given.note.strip(),
                )
            )
        w.audit(
            assessment,
            detail=", ".join(
                f"{factor}: {given.rating}"
                for factor, given in sorted(ratings.items())
                if given.rating != "not_assessed"
            ),
        )
    return assessment


@dataclass(frozen=True)
class FactorChange:
    """One factor in two assessments."""

    factor: int
    before: RiskFactorRating | None
    after: RiskFactorRating | None

    @property
    def name(self) -> str:
        return RISK_FACTORS[self.factor]

    @property
    def changed(self) -> bool:
        return self._rating(self.before) != self._rating(self.after) or (
            self._note(self.before) != self._note(self.after)
        )

    @property
    def direction(self) -> str:
        """'up' or 'down' when the level of concern moved, 'same' when it did not, '' when
        either side is not assessed."""
        before = CONCERN.get(self._rating(self.before))
        after = CONCERN.get(self._rating(self.after))
        if before is None or after is None:
            return "" if self._rating(self.before) != self._rating(self.after) else "same"
        return "up" if after > before else "down" if after < before else "same"

    @staticmethod
    def _rating(rating: RiskFactorRating | None) -> str:
        return rating.rating if rating else "not_assessed"

    @staticmethod
    def _note(rating: RiskFactorRating | None) -> str:
        return rating.note if rating else ""


@dataclass
class Comparison:
    """Two assessments of one country, the earlier first, factor by factor."""

    earlier: Assessment
    later: Assessment
    factors: list[FactorChange]

    @property
    def overall_changed(self) -> bool:
        return self.earlier.record.overall_rating != self.later.record.overall_rating


def compare(*, first: Assessment, second: Assessment) -> Comparison:
    """Compare two assessments of the same country, whichever order they are given in."""
    if first.record.country_code != second.record.country_code:
        raise ValidationError("Compare two assessments of the same country.", field="compare")
    earlier, later = sorted((first, second), key=lambda a: (a.record.assessed_on, a.record.id or 0))
    return Comparison(
        earlier,
        later,
        [
            FactorChange(factor, earlier.ratings.get(factor), later.ratings.get(factor))
            for factor in RISK_FACTORS
        ],
    )
