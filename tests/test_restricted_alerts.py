"""Restricted stays restricted (issue 17): a restricted alert, and everything it gives rise to
(its emergency session, its closing decision, the action items it tasks, the watchlist entry
it adds), read by every member who may not read the alert. One word is written only into the
restricted record; it, the alert's reference and the link to the country appear nowhere they
could read."""

import io
from datetime import timedelta

import docx
import openpyxl
import pypdf
import pytest
from conftest import DEMO_DAY
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from committee import actions, agenda, alerts, briefs, meetings, minutes, people, restricted_alerts
from committee.errors import CommitteeError
from committee.tracker import TrackerFilter
from db.engine import read_session
from db.models import Alert, Decision, Meeting, TierChange
from exports import annual_report, calendar, documents, spreadsheets

SECRET = "Quetzalbright"  # in the alert's account, its sources and its closing decision
COUNTRY, COUNTRY_NAME = "UKR", "Ukraine"  # not on the demo's watchlist: the alert adds it

EMAILS = {
    "chair": "chair@apc.example",
    "filer": "rep.state@apc.example",
    "other_rep": "rep.usaid@apc.example",
    "observer": "observer@apc.example",
}
OUTSIDERS = ("other_rep", "observer")


@pytest.fixture
def story(db, demo, frozen_clock):
    """File a restricted acute alert, schedule its emergency session, task an item from it
    to another agency, and close it with the chair's decision."""
    cast = {key: people.actor_for(people.user_by_email(email)) for key, email in EMAILS.items()}
    frozen_clock(DEMO_DAY + timedelta(hours=1))
    filed = alerts.file_alert(
        actor=cast["filer"],
        country_code=COUNTRY,
        severity="acute",
        summary=f"Militia {SECRET} are rounding up men in the east.",
        sources=f"https://example.org/{SECRET.lower()}",
        restricted=True,
    )
    alert = filed.alert
    session_called = alerts.schedule_emergency_session(
        actor=cast["chair"], alert_id=alert.id, seen_version=alert.version
    )
    item = actions.create_action_item(
        actor=cast["chair"],
        title="Prepare options for the principals",
        owner_agency_id=cast["other_rep"].agency_id,
        due_on=DEMO_DAY.date() + timedelta(days=10),
        alert_id=alert.id,
    )
    with read_session() as session:
        alert = session.get(Alert, alert.id)
    decision = alerts.close_alert(
        actor=cast["chair"],
        alert_id=alert.id,
        seen_version=alert.version,
        reason=f"Demarche delivered; {SECRET} movements to be watched.",
    )
    return dict(cast=cast, alert=alert, meeting=session_called, item=item, decision=decision)


def drawn(at: AppTest) -> str:
    """Everything a page drew, as its messages to the browser say it: every element's text,
    labels, options and table data (Markdown's escapes taken out)."""
    parts = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts).replace("\\", "")


def hidden(text: str, alert: Alert) -> bool:
    return SECRET not in text and alert.reference not in text


def test_the_rule_for_derived_records_holds_in_sql_and_per_record(story):
    alert, decision = story["alert"], story["decision"]
    for key, actor in story["cast"].items():
        with read_session() as session:
            listed = set(
                session.scalars(
                    select(Decision.id).where(
                        Decision.id == decision.id,
                        restricted_alerts.derived_readable_by(actor, Decision.alert_id),
                    )
                )
            )
        assert (decision.id in listed) == restricted_alerts.may_read(actor, alert), key
    assert [
        key for key in story["cast"] if restricted_alerts.may_read(story["cast"][key], alert)
    ] == [
        "chair",
        "filer",
    ]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_the_country_brief_leaves_out_the_closing_decision(story, outsider):
    brief = briefs.country_brief(COUNTRY, actor=story["cast"][outsider])
    assert all(hidden(d.text, story["alert"]) for d in brief.other_decisions)
    assert brief.open_alerts == []
    chair_brief = briefs.country_brief(COUNTRY, actor=story["cast"]["chair"])
    assert any(SECRET in d.text for d in chair_brief.other_decisions)  # the chairs still see it


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_the_emergency_session_names_neither_the_country_nor_the_alert(story, outsider):
    record = meetings.meeting_record(meeting_id=story["meeting"].id, actor=story["cast"][outsider])
    shown = [record.meeting.title, record.meeting.reason, record.called_for or ""]
    shown += [item.title for item in record.agenda.items] if record.agenda else []
    shown += [d.text for d in record.decisions]
    for text in shown:
        assert hidden(text, story["alert"]) and COUNTRY_NAME not in text, text
    assert "restricted alert" not in record.meeting.reason.lower()


def test_the_watchlist_history_does_not_say_an_alert_put_the_country_there(story):
    with read_session() as session:
        reasons = list(
            session.scalars(select(TierChange.reason).where(TierChange.country_code == COUNTRY))
        )
    assert reasons and all("alert" not in reason.lower() for reason in reasons), reasons


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_an_item_tasked_from_the_alert_does_not_name_it(story, outsider):
    from committee import tracker

    origin = tracker.item_detail(story["item"].id, actor=story["cast"][outsider]).origin
    assert hidden(origin, story["alert"]) and "alert" not in origin.lower()
    chair_view = tracker.item_detail(story["item"].id, actor=story["cast"]["chair"]).origin
    assert story["alert"].reference in chair_view


def test_the_minutes_every_member_receives_leave_out_its_decision(story, frozen_clock):
    """Closed at its session's agenda item, the decision belongs to the meeting: the minutes,
    which go to every member, do not carry it."""
    meeting = story["meeting"]
    with read_session() as session:
        meeting = session.get(Meeting, meeting.id)
        session.execute(
            Decision.__table__.update()
            .where(Decision.id == story["decision"].id)
            .values(meeting_id=meeting.id)
        )
        session.commit()
        text = minutes.generate(session, meeting)
    assert hidden(text, story["alert"])


def test_the_calendar_files_name_neither(story):
    """The schedule every member subscribes to names neither; the tasked agency's items name
    their country (the agency works on it) but not the alert they came from."""
    schedule = calendar.schedule().decode()
    assert hidden(schedule, story["alert"]) and COUNTRY_NAME not in schedule
    tasks = calendar.action_items(agency_id=story["cast"]["other_rep"].agency_id).decode()
    assert hidden(tasks, story["alert"])


COUNTRY_TABS = ["Risk", "Assessments", "Plans", "Action items", "Reviews and decisions", "Alerts"]
REPORT_TABS = ["Countries reviewed", "Tier changes", "Plans approved", "Action items", "Alerts"]
# (script, query, (the key of its tabs drawn only when open, their labels))
PAGES = [
    ("pages/home.py", {}, None),
    ("pages/dashboard.py", {}, None),
    ("pages/alerts.py", {}, None),
    ("pages/meetings.py", {}, None),
    ("pages/watchlist.py", {}, None),
    ("pages/tracker.py", {"status": "all"}, None),
    ("pages/reports.py", {}, ("report_section", REPORT_TABS)),
    ("pages/country.py", {"code": COUNTRY}, ("country_tab", COUNTRY_TABS)),
]


def every_view(app_as, actor, pages):
    """Each page as ``actor`` draws it, once per tab where tabs are drawn only when open."""
    for script, query, tabs in pages:
        key, labels = tabs or (None, [None])
        for label in labels:
            at: AppTest = app_as(actor)
            at.query_params.update({k: str(v) for k, v in query.items()})
            if key:
                at.session_state[key] = label
            at.switch_page(script)
            at.run()
            assert not at.exception, (script, label, at.exception)
            yield (script, label), drawn(at)


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_no_page_shows_the_word_or_the_reference(story, app_as, outsider):
    """Every page an outsider opens, every tab, as drawn."""
    pages = [*PAGES, ("pages/meeting.py", {"id": story["meeting"].id}, None)]
    for view, text in every_view(app_as, story["cast"][outsider], pages):
        assert hidden(text, story["alert"]), (outsider, view)


def test_the_sweep_sees_what_the_chair_may_read(story, app_as):
    """The sweep's control: drawn for the chair, the country's decisions show the word, so the
    sweep would find it where it leaked."""
    seen = {
        view for view, text in every_view(app_as, story["cast"]["chair"], PAGES) if SECRET in text
    }
    assert ("pages/country.py", "Reviews and decisions") in seen


def paper_text(export: documents.Export) -> str:
    if export.file_name.endswith(".pdf"):
        return "\n".join(
            page.extract_text() for page in pypdf.PdfReader(io.BytesIO(export.content)).pages
        )
    document = docx.Document(io.BytesIO(export.content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def papers_for(actor, meeting_id: int):
    """Every paper and export a member may take away, as they would get it: the meeting's
    papers (those it has), the annual report, the horizon scan, the tracker's lists."""
    for fmt in ("docx", "pdf"):
        for kind in documents.MEETING_PAPERS:
            try:
                yield (
                    (kind, fmt),
                    paper_text(
                        documents.meeting_paper(kind, meeting_id=meeting_id, actor=actor, fmt=fmt)
                    ),
                )
            except CommitteeError:  # refused, or not written yet: nothing taken away
                continue
        report = annual_report.annual_report_paper(actor=actor, year=DEMO_DAY.year, fmt=fmt)
        yield ("annual report", fmt), paper_text(report)
        yield ("horizon scan", fmt), paper_text(documents.horizon_paper(actor=actor, fmt=fmt))
    everything = TrackerFilter(statuses=())
    yield ("tracker", "csv"), spreadsheets.csv_bytes(everything).decode("utf-8-sig")
    workbook = openpyxl.load_workbook(io.BytesIO(spreadsheets.xlsx_bytes(everything)))
    yield (
        ("tracker", "xlsx"),
        "\n".join(
            str(value) for row in workbook.active.iter_rows(values_only=True) for value in row
        ),
    )


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_no_paper_or_export_carries_the_word_or_the_reference(story, outsider):
    """What a member takes away, in every format: the sweep of the pages, for files. The
    emergency session's agenda is published, so that members have its papers to take."""
    with read_session() as session:
        meeting = session.get(Meeting, story["meeting"].id)
    agenda.publish_agenda(
        actor=story["cast"]["chair"], meeting_id=meeting.id, seen_version=meeting.version
    )
    taken = dict(papers_for(story["cast"][outsider], meeting.id))
    assert ("read-ahead", "pdf") in taken or ("agenda", "pdf") in taken  # the sweep reads
    for what, text in taken.items():
        assert hidden(text, story["alert"]), (outsider, what)


def test_the_paper_sweep_sees_what_the_chair_may_read(story):
    """Its control: the emergency session's papers name the alert for the chair."""
    taken = dict(papers_for(story["cast"]["chair"], story["meeting"].id))
    assert any(story["alert"].reference in text for text in taken.values())
