"""A person's text never becomes markup (issue 17, point 6): an image or a link typed into any
field shows as the text that was typed wherever Streamlit renders Markdown (messages, captions,
labels, st.table cells, the minutes), and a web address still links as itself."""

import pytest
from markdown_it import MarkdownIt
from sqlalchemy import select, text
from streamlit.testing.v1 import AppTest

from committee import minutes, people
from committee.markdown import authored, plain, safe
from db.engine import read_session, write_session
from db.models import ActionItem, Alert, Meeting, Minutes, Plan

IMAGE = "![x](https://outside.example/pixel)"
SCRIPT_LINK = "[click](javascript:alert(1))"
PLANT = f" {IMAGE} {SCRIPT_LINK}"

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def rendered(markdown: str) -> list[tuple[str, str]]:
    """What Markdown renders to, as (kind, target): images, links and raw HTML."""
    found = []
    for block in PARSER.parse(markdown):
        if block.type == "html_block":
            found.append(("html", block.content))
        for token in block.children or []:
            if token.type == "image":
                found.append(("image", token.attrGet("src")))
            elif token.type == "link_open":
                found.append(("link", token.attrGet("href")))
            elif token.type == "html_inline":
                found.append(("html", token.content))
    return found


def shown_text(markdown: str) -> str:
    """The text Markdown shows, paragraphs apart."""
    parts = {"softbreak": "\n", "hardbreak": "\n"}
    return "\n\n".join(
        "".join(parts.get(child.type, child.content) for child in block.children or [])
        for block in PARSER.parse(markdown)
        if block.type == "inline"
    )


@pytest.mark.parametrize(
    "typed",
    [
        IMAGE,
        SCRIPT_LINK,
        "<img src=https://outside.example/pixel>",
        "# Heading\n\n- list\n1. one\n> quote\nTitle\n===",
        "a*b*c_d_ `code` :red[x] $x$ &amp; | col |",
    ],
)
def test_plain_shows_exactly_what_was_typed(typed):
    shown = plain(typed)
    assert all(
        t.type in ("paragraph_open", "inline", "paragraph_close") for t in PARSER.parse(shown)
    )
    assert rendered(shown) == [("link", "https://outside.example/pixel")] * ("https://" in typed)
    assert shown_text(shown) == typed


@pytest.mark.parametrize(
    ("typed", "address"),
    [
        ("Source: https://example.org/report.", "https://example.org/report"),
        (
            "(see https://en.wikipedia.org/wiki/Darfur_(region))",
            "https://en.wikipedia.org/wiki/Darfur_(region)",
        ),
        ("Write to mailto:desk@example.org, please", "mailto:desk@example.org"),
    ],
)
def test_a_web_or_mail_address_still_links_as_itself(typed, address):
    assert rendered(plain(typed)) == [("link", address)]
    assert f"<{address}>" in plain(typed)  # shown as itself, not example\.org


def test_authored_markdown_keeps_its_form_and_loses_its_images_and_other_links():
    body = (
        "### Minutes\n\n**Decision:** agreed, see [the report](https://example.org/r)."
        f"\n\n- one{PLANT}\n- <b>two</b>\n\n[ref]: javascript:alert(1)\n"
    )
    shown = authored(body)
    assert rendered(shown) == [("link", "https://example.org/r")]
    kinds = [t.type for t in PARSER.parse(shown)]
    assert (
        "heading_open" in kinds
        and "bullet_list_open" in kinds
        and "strong_open" in str([c.type for t in PARSER.parse(shown) for c in t.children or []])
    )
    assert safe(shown) and not safe(body)


# --- the sweep --------------------------------------------------------------------------------

# Every column a person types into that a page shows.
TYPED = {
    "meeting": ["title", "location", "reason", "change_reason"],
    "attendance": ["attendees", "represented_by"],
    "plan": ["title"],
    "plan_version": [
        "situation_summary",
        "objectives",
        "escalation_triggers",
        "change_note",
        "approval_override_reason",
    ],
    "risk_assessment": ["overall_judgement"],
    "risk_factor_rating": ["note"],
    "watchlist_entry": ["reason"],
    "agenda_item": ["title", "notes"],
    "clearance": ["comments"],
    "line_of_effort": ["objective", "resources", "indicators"],
    "minutes_revision": ["body", "reason"],
    "decision": ["text"],
    "tier_change": ["reason"],
    "action_item": ["title", "description"],
    "action_update": ["note"],
    "due_date_request": ["reason", "decision_note"],
    "alert": ["summary", "sources"],
    "notification": ["text"],
    "app_user": ["name"],
}
MARKDOWN_FIELDS = {"body", "label", "help", "caption"}


def planted() -> None:
    with write_session() as session:
        for table, columns in TYPED.items():
            for column in columns:
                session.execute(
                    text(
                        f"UPDATE {table} SET {column} = {column} || :plant "  # noqa: S608
                        f"WHERE {column} IS NOT NULL AND {column} <> ''"
                    ),
                    {"plant": PLANT},
                )


def markdown_of(at: AppTest) -> list[str]:
    """Every string a page sent that Streamlit renders as Markdown: messages, headings,
    captions, labels and help, and st.table's cells."""
    found: list[str] = []

    def walk(message) -> None:
        for descriptor, value in message.ListFields():
            if descriptor.message_type is not None:
                for part in [value] if hasattr(value, "ListFields") else value:
                    walk(part)
            elif isinstance(value, str) and descriptor.name in MARKDOWN_FIELDS:
                found.append(value)
            elif descriptor.name == "options" and message.DESCRIPTOR.name == "Radio":
                found.extend(value)

    def nodes(node) -> None:
        if getattr(node, "proto", None) is not None:
            walk(node.proto)
        for child in getattr(node, "children", {}).values():
            nodes(child)

    nodes(at._tree)
    for table in at.table:
        frame = table.value
        found += [str(cell) for cell in frame.to_numpy().ravel()] + [str(c) for c in frame.columns]
    return found


@pytest.fixture
def record(sqlite_db, demo, frozen_clock):
    """The demo record with the plant typed into every field, and a meeting's minutes."""
    with read_session() as session:
        meeting = session.scalar(
            select(Meeting)
            .join(Minutes, Minutes.meeting_id == Meeting.id)
            .order_by(Minutes.status != "approved", Meeting.starts_at.desc())
            .limit(1)
        )
        ids = {
            "meeting": meeting.id,
            "plan": session.scalar(select(Plan.id).limit(1)),
            "country": session.scalar(select(Plan.country_code).limit(1)),
            "item": session.scalar(select(ActionItem.id).limit(1)),
            "alert": session.scalar(select(Alert.id).where(Alert.restricted.is_(False)).limit(1)),
        }
    planted()
    return ids


COUNTRY_TABS = ["Risk", "Assessments", "Plans", "Action items", "Reviews and decisions", "Alerts"]
REPORT_TABS = ["Countries reviewed", "Tier changes", "Plans approved", "Action items", "Alerts"]


def views(ids):
    """(who, script, query, session state) of every page that shows typed text."""
    meeting, chair = {"id": ids["meeting"]}, "chair"
    yield from (
        (chair, "pages/home.py", {}, {}),
        ("rep", "pages/home.py", {}, {}),
        (chair, "pages/inbox.py", {}, {}),
        (chair, "pages/search.py", {"q": "pixel"}, {}),
        (chair, "pages/dashboard.py", {}, {}),
        (chair, "pages/alerts.py", {}, {}),
        (chair, "pages/alerts.py", {"alert": ids["alert"]}, {}),
        (chair, "pages/meetings.py", {}, {}),
        (chair, "pages/meeting.py", meeting, {}),
        ("rep", "pages/meeting.py", meeting, {}),
        (chair, "pages/meeting_room.py", meeting, {}),
        (chair, "pages/agenda_builder.py", meeting, {}),
        (chair, "pages/watchlist.py", {}, {}),
        (chair, "pages/plan.py", {"id": ids["plan"]}, {}),
        (chair, "pages/tracker.py", {"status": "all"}, {}),
        (chair, "pages/tracker.py", {"status": "all", "item": ids["item"]}, {}),
        ("rep", "pages/agency_desk.py", {}, {}),
        (chair, "pages/users.py", {}, {}),
        ("admin", "pages/users.py", {}, {}),
        (chair, "pages/audit.py", {}, {}),
    )
    for tab in COUNTRY_TABS:
        yield chair, "pages/country.py", {"code": ids["country"]}, {"country_tab": tab}
    for tab in REPORT_TABS:
        yield chair, "pages/reports.py", {}, {"report_section": tab}


def test_no_page_renders_an_image_or_a_link_a_person_typed(record, app_as):
    cast = {
        who: people.actor_for(people.user_by_email(email))
        for who, email in [
            ("chair", "chair@apc.example"),
            ("rep", "rep.state@apc.example"),
            ("admin", "admin@apc.example"),
        ]
    }
    seen, faults = 0, []
    for who, script, query, state in views(record):
        at = app_as(cast[who])
        at.query_params.update({k: str(v) for k, v in query.items()})
        for key, value in state.items():
            at.session_state[key] = value
        at.switch_page(script)
        at.run()
        assert not at.exception, (script, query, at.exception)
        for markdown in markdown_of(at):
            if "outside" in markdown or "javascript" in markdown:
                seen += 1
                for kind, target in rendered(markdown):
                    if kind != "link" or not target.startswith(("https://", "http://", "mailto:")):
                        faults.append((script, markdown.replace(PLANT, "§")[:90]))
    assert not faults, "\n".join(sorted({str(fault) for fault in faults}))
    assert seen > 50  # the sweep saw the planted text, so would see it rendered


def test_the_minutes_drafted_from_the_record_show_typed_text_as_typed(record):
    with read_session() as session:
        drafted = minutes.generate(session, session.get(Meeting, record["meeting"]))
    assert "outside.example" in drafted
    assert all(kind == "link" for kind, _ in rendered(drafted)), rendered(drafted)
    assert "javascript" not in str(rendered(drafted))
