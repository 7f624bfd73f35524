"""Search: full-text on both engines (stems, phrases, exclusions, non-Latin names), an index
current in the transaction of every write, bad input answered with a message, and the read
rules applied inside the query: what a person may not read is never found, counted or quoted."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from committee import search
from committee.errors import ValidationError
from db.engine import write_session
from db.models import (
    ActionItem,
    ActionUpdate,
    AgendaItem,
    Alert,
    Decision,
    Meeting,
    Minutes,
    MinutesRevision,
    Plan,
    PlanVersion,
)

START = datetime(2026, 11, 10, 15, tzinfo=timezone.utc)


def _meeting(session, title: str, *, agenda_status: str = "published", days: int = 0) -> Meeting:
    meeting = Meeting(
        kind="regular",
        title=title,
        starts_at=START + timedelta(days=days),
        ends_at=START + timedelta(days=days, hours=2),
        timezone="UTC",
        agenda_status=agenda_status,
        calendar_uid=f"{title}@test",
    )
    session.add(meeting)
    session.flush()
    return meeting


def _alert(session, summary: str, *, restricted: bool = False, agency_id=None) -> Alert:
    alert = Alert(
        reference=f"ALR-T-{abs(hash(summary)) % 10_000:04}",
        country_code="SDN",
        severity="acute",
        summary=summary,
        restricted=restricted,
        filing_agency_id=agency_id,
        review_deadline=START,
    )
    session.add(alert)
    session.flush()
    return alert


@pytest.fixture
def record(db, people):
    """A small record: a public part on Sudan, and a restricted alert filed by State with what
    derives from it (its agenda item, a decision on it, an action item from the decision), each
    quoting the word 'zanzibarite'; and a draft agenda's item with the word 'quokkaplan'."""
    state = people["rep"].agency_id
    with write_session() as session:
        meeting = _meeting(session, "Regular meeting on Sudan")
        item = AgendaItem(
            meeting_id=meeting.id,
            position=1,
            kind="country_review",
            title="Review of Sudan",
            country_code="SDN",
            notes="Members discussed targeted sanctions on the Rapid Support Forces.",
        )
        secret = _alert(
            session, "Zanzibarite militia massing near El Fasher.", restricted=True, agency_id=state
        )
        secret_item = AgendaItem(
            meeting_id=meeting.id,
            position=2,
            kind="alert_review",
            title="Alert on Sudan",
            country_code="SDN",
            alert_id=secret.id,
            notes="Zanzibarite movements reported by the filing agency.",
        )
        session.add_all([item, secret_item])
        session.flush()
        decision = Decision(
            meeting_id=meeting.id,
            agenda_item_id=secret_item.id,
            text="Ask for a zanzibarite briefing.",
        )
        public = Decision(
            meeting_id=meeting.id,
            agenda_item_id=item.id,
            text="The committee decided to press for sanctions on arms suppliers to Sudan.",
        )
        session.add_all([decision, public])
        session.flush()
        session.add(
            ActionItem(
                title="Brief on zanzibarite movements",
                owner_agency_id=state,
                decision_id=decision.id,
                origin="decision",
                due_on=START.date(),
            )
        )
        session.add(
            ActionItem(
                title="Cable the Bamako embassy",
                description="Ask the embassy in Bamako about the rule of law programme.",
                owner_agency_id=state,
                country_code="MLI",
                due_on=START.date(),
            )
        )
        _alert(session, "Attacks on markets in Darfur, named by عبد الرحيم دقلو and 王小明.")
        draft = _meeting(session, "Next meeting", agenda_status="draft", days=60)
        session.add(
            AgendaItem(
                meeting_id=draft.id,
                position=1,
                kind="other",
                title="Quokkaplan options",
                notes="",
            )
        )
    return people


def keys(found: search.Found) -> set[tuple[str, str]]:
    return {(result.kind, result.title) for result in found.results}


def test_words_are_matched_by_stem_and_ranked_with_their_place(record):
    found = search.search(actor=record["observer"], query="sanction")
    assert {r.kind for r in found.results} == {"agenda_item", "decision"}
    decision = next(r for r in found.results if r.kind == "decision")
    assert decision.title == "Review of Sudan" and decision.country == "Sudan"
    assert (decision.opens, decision.params) == ("meeting", {"id": str(decision.meeting_id)})
    assert ("sanctions", True) in decision.snippet
    assert found.counts == {"agenda_item": 1, "decision": 1}


def test_phrases_exclusions_and_non_latin_names(record):
    observer = record["observer"]
    assert keys(search.search(actor=observer, query='"rule of law" bamako')) == {
        ("action_item", "Cable the Bamako embassy")
    }
    assert not search.search(actor=observer, query='"law of rule"').results
    assert {r.kind for r in search.search(actor=observer, query="sanctions -arms").results} == {
        "agenda_item"
    }
    for name in ("دقلو", "王小明", "DARFUR"):
        assert [r.kind for r in search.search(actor=observer, query=name).results] == ["alert"]
    assert [r.opens for r in search.search(actor=observer, query="Mali").results] == ["country"]


def test_filters_narrow_the_results_and_keep_the_counts(record):
    chair = record["chair"]
    by_kind = search.search(
        actor=chair, query="zanzibarite", filters=search.Filters(kinds=("action_item",))
    )
    assert [r.kind for r in by_kind.results] == ["action_item"]
    assert by_kind.counts == {"agenda_item": 1, "decision": 1, "alert": 1, "action_item": 1}
    assert by_kind.total == 1  # of the kinds asked for
    mali = search.search(actor=chair, query="embassy", filters=search.Filters(country="MLI"))
    assert len(mali.results) == 1
    assert not search.search(
        actor=chair, query="embassy", filters=search.Filters(country="SDN")
    ).results
    later = search.Filters(since=(START + timedelta(days=30)).date())
    assert keys(search.search(actor=chair, query="quokkaplan", filters=later)) == {
        ("agenda_item", "Quokkaplan options")
    }
    assert not search.search(
        actor=chair, query="sanctions", filters=search.Filters(since=later.since)
    ).results


def test_what_derives_from_a_restricted_alert_is_found_by_the_chairs_and_the_filer_only(record):
    found_by = {}
    for role, actor in record.items():
        found = search.search(actor=actor, query="zanzibarite")
        found_by[role] = (found.total, {r.kind for r in found.results})
        for result in found.results:
            assert any(matched for _, matched in result.snippet)
    everything = (4, {"alert", "agenda_item", "decision", "action_item"})
    nothing = (0, set())
    assert found_by == {
        "admin": everything,
        "chair": everything,
        "rep": everything,  # State filed it
        "other_rep": nothing,
        "observer": nothing,
    }
    for role in ("other_rep", "observer"):
        both = search.search(actor=record[role], query="zanzibarite OR sudan")
        assert all("zanzibarite" not in text.lower() for r in both.results for text, _ in r.snippet)


def test_a_draft_agenda_is_found_by_those_who_prepare_it(record):
    found = {role: search.search(actor=a, query="quokkaplan").total for role, a in record.items()}
    assert found == {"admin": 1, "chair": 1, "rep": 0, "other_rep": 0, "observer": 0}


def test_the_index_is_current_after_every_write(record):
    chair = record["chair"]
    with write_session() as session:
        item = session.scalars(
            select(ActionItem).where(ActionItem.title == "Cable the Bamako embassy")
        ).one()
        session.add(ActionUpdate(action_item_id=item.id, kind="note", note="Timbuktu visit set."))
        session.execute(
            update(ActionItem).where(ActionItem.id == item.id).values(title="Telegram to Niamey")
        )
        meeting = _meeting(session, "Minutes test", days=-30)
        minutes = Minutes(meeting_id=meeting.id)
        session.add(minutes)
        session.flush()
        session.add(MinutesRevision(minutes_id=minutes.id, number=1, body="First: okapi."))
        session.add(MinutesRevision(minutes_id=minutes.id, number=2, body="Second: pangolin."))
        plan = Plan(country_code="SDN", kind="response", title="Sudan response plan")
        session.add(plan)
        session.flush()
        session.add(PlanVersion(plan_id=plan.id, number=1, situation_summary="Famine in Kordofan."))
    renamed = {("action_item", "Telegram to Niamey")}
    assert keys(search.search(actor=chair, query="timbuktu")) == renamed
    assert keys(search.search(actor=chair, query="niamey")) == renamed
    assert not search.search(actor=chair, query="cable").results  # the old title's word
    assert [r.kind for r in search.search(actor=chair, query="pangolin").results] == ["minutes"]
    assert not search.search(actor=chair, query="okapi").results  # revised away
    plans = search.search(actor=chair, query="kordofan famine").results
    assert [(r.kind, r.opens, r.params) for r in plans] == [("plan", "plan", {"id": str(plan.id)})]
    with write_session() as session:
        session.execute(update(Alert).values(restricted=True))
    assert not search.search(actor=record["observer"], query="darfur").results


def test_counting_stops_past_the_candidates_and_the_read_rules_hold(record, monkeypatch):
    """A search ranks and counts no more than CANDIDATES matches (here 2): past that it says
    "more than 2", and a person who may not read the best matches still finds theirs."""
    with write_session() as session:
        for place in ("Khartoum", "Juba", "Kampala"):
            session.add(
                ActionItem(
                    title=f"Cable {place}",
                    description="Ask the embassy about the harvest and the roads, the markets "
                    "and the schools, and at the end about zanzibarite.",
                    owner_agency_id=record["rep"].agency_id,
                    due_on=START.date(),
                )
            )
    monkeypatch.setattr(search, "CANDIDATES", 2)
    chair = search.search(actor=record["chair"], query="zanzibarite")
    assert (chair.total, search.how_many(chair.total)) == (3, "more than 2")
    assert not chair.counted_all and all(chair.count_of(k).endswith("+") for k in chair.counts)
    assert [r.title for r in chair.results][:1] == ["Brief on zanzibarite movements"]
    assert len(chair.results) == 2  # no more than are ranked
    for role in ("other_rep", "observer"):  # the best matches are restricted: theirs come next
        found = search.search(actor=record[role], query="zanzibarite")
        assert search.how_many(found.total) == "more than 2"
        assert set(found.counts) == {"action_item"}
        assert len(found.results) == 2 and all(r.title.startswith("Cable") for r in found.results)
        decisions = search.search(
            actor=record[role], query="zanzibarite", filters=search.Filters(kinds=("decision",))
        )
        assert (decisions.total, decisions.results) == (0, [])
    assert search.how_many(2) == "2" and search.how_many(1_234) == "more than 2"


def test_the_command_line_says_where_counting_stopped(record, monkeypatch, capsys):
    from cli import main

    monkeypatch.setattr(search, "CANDIDATES", 2)
    assert main(["search", "zanzibarite", "--as", "chair@test.example"]) == 0
    counted = capsys.readouterr().out.splitlines()[-1]
    assert counted.startswith("more than 2 found (") and counted.endswith("+)")


@pytest.mark.parametrize(
    "query",
    [
        'sudan" OR NEAR(a b)*',
        "sanctions*",
        "NEAR sanctions OR",
        "'; DROP TABLE alert; --",
        "sanctions AND -",
        '"unbalanced sanctions',
        "(sanctions) ^ {col}: title:sudan",
        "sanctions " + "x" * 400,
    ],
)
def test_any_query_gives_results_or_a_message(record, query):
    found = search.search(actor=record["chair"], query=query)
    assert isinstance(found.results, list)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type a word"),
        ("   ", "Type a word"),
        ("*** () ^", "letters or digits"),
        ("the of and", "too common"),
        ("-sanctions", "cannot only leave words out"),
        ("sudan " * 2000, "500 characters"),
    ],
)
def test_queries_that_ask_for_nothing_get_a_message(record, query, message):
    with pytest.raises(ValidationError, match=message) as refused:
        search.search(actor=record["chair"], query=query)
    assert refused.value.field == "query"


def test_the_command_line_searches_with_the_same_rules(record, capsys):
    from cli import main

    assert main(["search", "zanzibarite", "--as", "observer@test.example"]) == 0
    assert capsys.readouterr().out.strip() == "0 found"
    assert main(["search", "zanzibarite", "--as", "chair@test.example", "--kind", "decision"]) == 0
    out = capsys.readouterr().out
    assert "Decision        Alert on Sudan" in out and "[zanzibarite]" in out
    assert out.rstrip().endswith(
        "1 found (in every kind: Agenda item: 1, Decision: 1, Alert: 1, Action item: 1)"
    )
    assert main(["search", "the"]) == 1
    assert "error: query: Those words are too common" in capsys.readouterr().err
