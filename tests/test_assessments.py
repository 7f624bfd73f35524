"""The committee's risk assessments against the UN Framework's 14 risk factors, and comparing
two of them."""

from datetime import timedelta

import pytest
from conftest import DEMO_DAY
from sqlalchemy import func, select

from committee import assessments, briefs
from committee.assessments import Rating
from committee.errors import NotFound, PermissionDenied, ValidationError
from db.engine import read_session
from db.models import AuditEvent, RiskAssessment, RiskFactorRating

TODAY = DEMO_DAY.date()


def record(actor, *, on=TODAY, country="SDN", **ratings):
    return assessments.record_assessment(
        actor=actor,
        country_code=country,
        assessed_on=on,
        overall_rating="high",
        overall_judgement="Risk of atrocity crimes is high.",
        ratings={int(k[1:]): v for k, v in ratings.items()},
    )


def count(model) -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_an_assessment_keeps_all_fourteen_factors_and_who_made_it(db, people, frozen_clock):
    chair = people["chair"]
    assessment = record(chair, f1=Rating("high", "Fighting in three states."), f9=Rating("low"))
    with read_session() as session:
        ratings = {
            r.factor: (r.rating, r.note)
            for r in session.scalars(
                select(RiskFactorRating).where(RiskFactorRating.assessment_id == assessment.id)
            )
        }
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "assessment.record")
        )
    assert len(ratings) == 14
    assert ratings[1] == ("high", "Fighting in three states.")
    assert ratings[9] == ("low", "")
    assert ratings[2] == ("not_assessed", "")
    assert assessment.assessed_by_id == chair.id
    assert (event.record_id, event.detail) == (str(assessment.id), "1: high, 9: low")


@pytest.mark.parametrize(
    "ratings, field",
    [
        ({}, "ratings"),
        ({"f1": Rating("not_assessed"), "f2": Rating("not_assessed", "Unclear.")}, "ratings"),
        ({"f15": Rating("high")}, "ratings"),
        ({"f3": Rating("severe")}, "ratings"),
    ],
)
def test_an_assessment_with_no_factor_rated_or_a_bad_rating_is_refused(
    db, people, frozen_clock, ratings, field
):
    with pytest.raises(ValidationError) as refusal:
        record(people["chair"], **ratings)
    assert refusal.value.field == field
    assert count(RiskAssessment) == 0 and count(RiskFactorRating) == 0


def test_other_bad_input_is_refused_at_its_field(sqlite_db, people, frozen_clock):
    chair = people["chair"]
    with pytest.raises(ValidationError) as future:
        record(chair, on=TODAY + timedelta(days=1), f1=Rating("high"))
    assert future.value.field == "assessed_on"
    with pytest.raises(ValidationError) as unknown:
        record(chair, country="ZZZ", f1=Rating("high"))
    assert unknown.value.field == "country"
    with pytest.raises(ValidationError) as empty:
        assessments.record_assessment(
            actor=chair,
            country_code="SDN",
            assessed_on=TODAY,
            overall_rating="high",
            overall_judgement=" ",
            ratings={1: Rating("high")},
        )
    assert empty.value.field == "overall_judgement"
    with pytest.raises(NotFound):
        assessments.record_assessment(
            actor=chair,
            country_code="SDN",
            assessed_on=TODAY,
            overall_rating="high",
            overall_judgement="x",
            ratings={1: Rating("high")},
            meeting_id=999,
        )
    assert count(RiskAssessment) == 0


def test_only_the_chair_records_assessments(sqlite_db, people, frozen_clock):
    for role in ("rep", "observer"):
        with pytest.raises(PermissionDenied):
            record(people[role], f1=Rating("high"))
    assert count(RiskAssessment) == 0


def test_two_assessments_compared_factor_by_factor(db, people, frozen_clock):
    chair = people["chair"]
    record(
        chair,
        on=TODAY - timedelta(days=180),
        f1=Rating("moderate"),
        f2=Rating("high", "Old note."),
        f3=Rating("low"),
    )
    record(chair, f1=Rating("high"), f2=Rating("high", "New note."), f3=Rating("low"))
    brief = briefs.country_brief("SDN", actor=chair)
    later, earlier = brief.assessments  # newest first
    assert later.record.assessed_on == TODAY and len(later.ratings) == 14
    # Whichever order they are given in, the earlier comes first.
    comparison = assessments.compare(first=later, second=earlier)
    assert comparison.earlier is earlier and not comparison.overall_changed
    by_factor = {change.factor: change for change in comparison.factors}
    assert (by_factor[1].changed, by_factor[1].direction) == (True, "up")
    assert (by_factor[2].changed, by_factor[2].direction) == (True, "same")  # the note changed
    assert (by_factor[3].changed, by_factor[3].direction) == (False, "same")
    assert not by_factor[4].changed
    assert by_factor[1].name.startswith("Situations of armed conflict")


def test_assessments_of_two_countries_are_not_compared(db, people, frozen_clock):
    chair = people["chair"]
    record(chair, f1=Rating("high"))
    record(chair, country="MMR", f1=Rating("high"))
    sudan = briefs.country_brief("SDN", actor=chair).latest_assessment
    myanmar = briefs.country_brief("MMR", actor=chair).latest_assessment
    with pytest.raises(ValidationError):
        assessments.compare(first=sudan, second=myanmar)
