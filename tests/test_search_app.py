"""The search page and the sidebar's search box under Streamlit's AppTest."""

import pytest
from test_search import record  # noqa: F401  (a fixture)

SEARCH = "pages/search.py"


@pytest.fixture
def db(sqlite_db):
    """The page does not depend on the engine (tests/test_search.py runs both)."""
    return sqlite_db


def searched(app_as, actor, query: str):
    at = app_as(actor)
    at.query_params["q"] = query
    at.switch_page(SEARCH)
    return at.run()


def shown(at) -> str:
    return " ".join(str(e.value) for e in [*at.markdown, *at.caption]).replace("\\", "")


def test_the_results_show_where_each_record_sits_and_the_counts_per_kind(record, app_as):  # noqa: F811
    at = searched(app_as, record["observer"], "sanctions")
    assert not at.exception
    assert "2 found" in shown(at)
    assert "**sanctions**" in " ".join(m.value for m in at.markdown)
    assert "Sudan · 10 Nov 2026" in shown(at)
    assert at.multiselect[0].options[:3] == ["Meeting (0)", "Agenda item (1)", "Decision (1)"]
    assert at.text_input(key="search_q").value == "sanctions"


def test_results_follow_the_read_rules_and_the_filters(record, app_as):  # noqa: F811
    assert "0 found" in shown(searched(app_as, record["observer"], "zanzibarite"))
    at = searched(app_as, record["chair"], "zanzibarite")
    assert "4 found" in shown(at)
    at.multiselect[0].select("decision").run()
    assert "1 found" in shown(at) and "best" not in shown(at)
    assert [link.label for link in at.get("page_link")][-1] == "Decision: Alert on Sudan"


def test_counts_past_the_candidates_say_so(record, app_as, monkeypatch):  # noqa: F811
    from committee import search

    monkeypatch.setattr(search, "CANDIDATES", 2)
    at = searched(app_as, record["chair"], "zanzibarite")
    assert "More than 2 found; the best 2 shown" in shown(at)
    assert any(option.endswith("+)") for option in at.multiselect[0].options)


def test_a_query_that_asks_for_nothing_gets_a_message_at_the_box(record, app_as):  # noqa: F811
    at = searched(app_as, record["chair"], "the of")
    assert not at.exception
    assert "too common" in " ".join(e.value for e in at.error)
    assert at.text_input(key="search_q").value == "the of"
