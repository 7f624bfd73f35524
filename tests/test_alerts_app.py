"""The alerts, dashboard and reports pages under Streamlit's AppTest, on the demo."""

import pytest
from sqlalchemy import select

from committee import alerts, people
from db.engine import read_session
from db.models import Alert, AuditEvent, Meeting

ALERTS, DASHBOARD, REPORTS = "pages/alerts.py", "pages/dashboard.py", "pages/reports.py"


def actor_of(email: str):
    user = people.user_by_email(email)
    agency = None
    if user.agency_id:
        agency = next(a for a in people.list_agencies() if a.id == user.agency_id)
    return people.actor_for(user, agency)


@pytest.fixture
def demo_people(sqlite_db, demo, frozen_clock):
    return {
        "chair": actor_of("chair@apc.example"),
        "rep": actor_of("rep.state@apc.example"),
        "other_rep": actor_of("rep.dod@apc.example"),
        "observer": actor_of("observer@apc.example"),
    }


def by_label(widgets, label: str):
    [found] = [w for w in widgets if w.label == label]
    return found


def field_errors(at) -> str:
    """The messages shown at their fields (``ui.field_error``: the app's own markup)."""
    return "\n".join(html.value for html in at.get("html") if "apc-field-error" in html.value)


def stored(reference: str) -> Alert:
    with read_session() as session:
        return session.scalar(select(Alert).where(Alert.reference == reference))


def texts(elements) -> str:
    """The elements' text, without the escapes Markdown needs (``ui.plain``)."""
    return " ".join(str(e.value) for e in elements).replace("\\", "")


# --- the alerts page ---------------------------------------------------------------------------


def test_a_representative_files_an_alert_and_gets_its_reference_at_once(demo_people, app_as):
    at = app_as(demo_people["rep"], ALERTS)
    by_label(at.selectbox, "Country").set_value("UKR")
    by_label(at.radio, "Severity").set_value("acute")
    by_label(at.text_area, "What is happening").input("Shelling of a town; civilians trapped.")
    by_label(at.button, "File the alert").click()
    at.run()
    assert not at.exception
    assert "Alert **ALR-2026-0005** filed on Ukraine" in texts(at.success)
    assert "emergency session is proposed" in texts(at.success)
    alert = stored("ALR-2026-0005")
    assert (alert.country_code, alert.severity, alert.filed_by_id) == (
        "UKR",
        "acute",
        demo_people["rep"].id,
    )


def test_an_alert_without_a_description_is_refused_at_its_field(demo_people, app_as):
    at = app_as(demo_people["rep"], ALERTS)
    by_label(at.selectbox, "Country").set_value("UKR")
    by_label(at.button, "File the alert").click()
    at.run()
    assert "Say what is happening." in field_errors(at)  # beside the field
    assert by_label(at.selectbox, "Country").value == "UKR"  # the input is kept
    assert stored("ALR-2026-0005") is None


def test_observers_are_told_they_may_not_file(demo_people, app_as):
    at = app_as(demo_people["observer"], ALERTS)
    assert not at.exception
    assert "Observers may not file alerts" in texts(at.info)
    assert not [b for b in at.button if b.label == "File the alert"]


def test_the_chair_sees_the_inbox_the_count_and_the_late_alerts(demo_people, app_as):
    at = app_as(demo_people["chair"], ALERTS)
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Inbox (1)", "Alerts", "File an alert"]
    assert "New acute alert ALR-2026-0001 on SDN." in texts(at.markdown)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Past review deadline"] == "1"
    assert metrics["On no agenda"] == "2"
    assert "ALR-2026-0002" in texts(at.markdown)  # the late alert, listed above the tabs
    assert "passed their review deadline" in texts(at.error)


def test_messages_once_read_move_from_the_cards_to_the_list(demo_people, app_as):
    at = app_as(demo_people["chair"], ALERTS)
    assert [b.label for b in at.button if b.key and b.key.startswith("read_")] == ["Mark read"]
    by_label(at.button, "Mark all read").click().run()
    assert not at.exception
    assert [t.label for t in at.tabs][0] == "Inbox"  # no unread count any more
    assert not [b for b in at.button if b.key and b.key.startswith("read_")]
    [listed] = [d for d in at.dataframe if "Message" in d.value.columns]
    assert listed.value["Message"].tolist() == ["New acute alert ALR-2026-0001 on SDN."]


def test_the_chair_schedules_the_proposed_session_in_one_click_then_closes(demo_people, app_as):
    sdn = stored("ALR-2026-0001")
    at = app_as(demo_people["chair"])
    at.switch_page(ALERTS)
    at.query_params["alert"] = str(sdn.id)
    at.run()
    assert "Emergency session proposed" in texts(at.markdown)
    by_label(at.button, "Schedule the emergency session").click()
    at.run()
    assert not at.exception
    alert = stored("ALR-2026-0001")
    with read_session() as session:
        meeting = session.get(Meeting, alert.review_meeting_id)
    assert (alert.status, meeting.kind, meeting.called_for_alert_id) == (
        "under_review",
        "emergency",
        alert.id,
    )
    assert "Emergency session scheduled" in texts(at.success)

    decided = by_label(at.selectbox, "Decided")
    assert decided.value is not None  # the session's agenda item, offered first
    by_label(at.text_area, "Decision and reason").input("Demarches made; the response plan holds.")
    by_label(at.button, "Close the alert").click()
    at.run()
    alert = stored("ALR-2026-0001")
    assert alert.status == "closed"
    assert "closed with the decision recorded" in texts(at.success)


def test_an_action_on_an_alert_changed_meanwhile_is_refused_as_a_conflict(demo_people, app_as):
    """The chair acts on the alert as their screen showed it: when another chair acknowledged
    it meanwhile, scheduling is refused as a conflict naming them, and nothing is scheduled."""
    sdn = stored("ALR-2026-0001")
    at = app_as(demo_people["chair"])
    at.switch_page(ALERTS)
    at.query_params["alert"] = str(sdn.id)
    at.run()
    secretariat = actor_of("secretariat@apc.example")
    alerts.acknowledge_alert(actor=secretariat, alert_id=sdn.id, seen_version=sdn.version)
    by_label(at.button, "Schedule the emergency session").click()
    at.run()
    assert "Someone else changed this alert" in texts(at.warning)
    assert "Lee Harmon (secretariat)" in texts(at.warning)
    assert stored("ALR-2026-0001").review_meeting_id is None
    # The screen now shows the alert as it is: acting again goes through.
    by_label(at.button, "Schedule the emergency session").click()
    at.run()
    assert stored("ALR-2026-0001").review_meeting_id is not None


def test_closing_without_a_decision_is_refused_on_the_page(demo_people, app_as):
    sdn = stored("ALR-2026-0001")
    at = app_as(demo_people["chair"])
    at.switch_page(ALERTS)
    at.query_params["alert"] = str(sdn.id)
    at.run()
    by_label(at.button, "Close the alert").click()
    at.run()
    assert "Record the decision that closes the alert" in field_errors(at)
    assert stored("ALR-2026-0001").status == "new"


def test_a_restricted_alert_opened_by_another_agency_is_refused_and_audited(demo_people, app_as):
    restricted = stored("ALR-2026-0002")  # filed by USAID
    at = app_as(demo_people["other_rep"])
    at.switch_page(ALERTS)
    at.query_params["alert"] = str(restricted.id)
    at.run()
    assert not at.exception
    assert "restricted to the chair and the agency that filed it" in texts(at.error)
    assert "drone strikes" not in texts(at.markdown)
    with read_session() as session:
        refused = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "alert.read", AuditEvent.outcome == "refused"
            )
        )
    assert refused.actor_id == demo_people["other_rep"].id


# --- the dashboard -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["chair", "rep", "observer"])
def test_the_dashboard_shows_where_the_committee_is_behind(demo_people, app_as, who):
    at = app_as(demo_people[who], DASHBOARD)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Reviews overdue": "3",
        "Overdue action items": "7",
        "Alerts past deadline": "1" if who == "chair" else "0",  # the late one is restricted
        "Plan gaps": "10",
    }
    assert [s.value for s in at.subheader] == [
        "Countries of concern by tier",
        "Reviews by status",
        "Open action items by agency",
        "Action items over 12 months",
        "Time from alert to review",
        "Plan coverage",
        "Signals from data",
    ]
    # Each chart (the map too) has the list behind it.
    assert len(at.expander) == 6


def test_the_dashboard_links_to_the_lists(demo_people, app_as):
    chair = app_as(demo_people["chair"], DASHBOARD)
    links = {link.label: link for link in chair.get("page_link")}
    assert "Every overdue item in the tracker" in links
    assert "Alerts past their deadline" in links
    rep = app_as(demo_people["rep"], DASHBOARD)
    assert "My agency's items" in {link.label for link in rep.get("page_link")}


def test_the_alerts_chart_lists_only_what_the_viewer_may_see(demo_people, app_as):
    observer = app_as(demo_people["observer"], DASHBOARD)
    [table] = [e for e in observer.expander if "alerts behind" in e.label]
    assert table.label == "The 3 alerts behind this chart"
    chair = app_as(demo_people["chair"], DASHBOARD)
    assert "The 4 alerts behind this chart" in [e.label for e in chair.expander]


# --- reports -----------------------------------------------------------------------------------


def test_the_chair_reads_the_years_report_and_downloads_it(demo_people, app_as):
    at = app_as(demo_people["chair"], REPORTS)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Meetings held"] == "7"
    assert metrics["Alerts reviewed in time"] == "1 of 4"
    assert [t.label for t in at.tabs] == [
        "Countries reviewed",
        "Tier changes",
        "Plans approved",
        "Action items",
        "Alerts",
        "Reviews triggered by data",
    ]
    assert len(at.get("download_button")) == 2
    # Only the open tab's table is drawn; choosing another draws that one instead.
    assert [list(t.value.columns) for t in at.dataframe] == [
        ["Country", "Tier now", "Reviews", "Last reviewed"]
    ]
    at.session_state["report_section"] = "Alerts"
    at.run()
    [alerts_table] = at.dataframe
    assert len(alerts_table.value) == 4
    assert "Days to review" in alerts_table.value.columns


def test_a_year_without_data_says_so(demo_people, app_as):
    at = app_as(demo_people["chair"], REPORTS)
    by_label(at.selectbox, "Year").set_value(2019)
    at.run()
    assert "No committee activity is recorded for 2019" in texts(at.info)
    assert not at.metric


def test_filing_through_the_service_shows_in_the_chairs_menu_count(demo_people, app_as):
    alerts.file_alert(
        actor=demo_people["rep"], country_code="UKR", severity="serious", summary="Killings."
    )
    at = app_as(demo_people["chair"], ALERTS)
    assert [t.label for t in at.tabs][0] == "Inbox (2)"


def test_the_list_behind_a_chart_is_drawn_only_once_opened(demo_people, app_as):
    """Six tables laid out unseen cost the browser more than the charts (issue 24)."""
    at = app_as(demo_people["chair"], DASHBOARD)
    assert len(at.expander) == 6 and not at.dataframe
    at.session_state["reviews_list_open"] = True
    at.run()
    [table] = at.dataframe
    assert "Next review due" in table.value.columns
