"""Every page, for every role, under Streamlit's AppTest: it renders without an exception for
those who may see it, is absent from the menu of those who may not, and refuses them when
reached directly."""

import ast
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from committee import access, people
from db.engine import read_session
from db.models import User

ROOT = Path(__file__).resolve().parent.parent
DEMO_ACCOUNTS = {
    "admin": "admin@apc.example",
    "chair": "chair@apc.example",
    "agency_rep": "rep.state@apc.example",
    "observer": "observer@apc.example",
}


def registered_pages() -> list[tuple[str, str]]:
    """(script, permission) of every page streamlit_app.py registers, read from its source."""
    tree = ast.parse((ROOT / "streamlit_app.py").read_text())
    pages = []
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign | ast.Assign):
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            if getattr(target, "id", "") in ("PAGES", "HIDDEN_PAGES"):
                for entry in ast.literal_eval(node.value):
                    pages.append((entry[1] if len(entry) == 5 else entry[0], entry[-1]))
    return pages


def demo_actor(role: str):
    with read_session() as session:
        user = session.scalar(select(User).where(User.email == DEMO_ACCOUNTS[role]))
    agency = people.agency_by_code("STATE") if user.agency_id else None
    return people.actor_for(user, agency)


def test_every_page_has_a_permission_the_policy_knows():
    pages = registered_pages()
    assert ("pages/home.py", "page.home") in pages
    for script, permission in pages:
        assert (ROOT / script).exists(), script
        assert permission in access.PERMISSIONS, permission


@pytest.mark.parametrize("role", sorted(DEMO_ACCOUNTS))
def test_each_role_renders_its_pages_and_is_refused_the_others(role, sqlite_db, demo, app_as):
    """Every page is registered for everyone, so its address always finds it (no "Page not
    found"); the menu shows a person only what they may see (checked in the browser), and a
    page they may not see, opened by its address, gives its ordinary refusal."""
    actor = demo_actor(role)
    at = app_as(actor)
    assert not at.exception, at.exception
    registered = {
        str(Path(info["script_path"]).resolve())
        for info in at._registered_pages.values()
        if info.get("script_path")
    }
    for script, permission in registered_pages():
        assert str((ROOT / script).resolve()) in registered, (role, script)
        at.switch_page(script)
        at.run()
        assert not at.exception, (role, script, at.exception)
        refused = [e for e in at.error if "do not have access" in e.value]
        assert bool(refused) != access.can(actor, permission), (role, script)


def test_signed_out_visitors_get_the_way_to_sign_in(sqlite_db, demo, app_as):
    at = app_as(None)
    assert not at.exception and not at.text_input  # the form is the server's page
    assert at.info[0].value == "You are not signed in."
    assert any('href="/sign-in"' in html.proto.body for html in at.get("html"))
    # AppTest runs a page it switches to without the entry script: the page refuses itself.
    direct = AppTest.from_file(str(ROOT / "pages/home.py"), default_timeout=60)
    direct.run()
    assert [e.value for e in direct.error] == ["You do not have access to this page."]


def test_a_one_time_password_must_be_replaced_before_anything_else(sqlite_db, demo, app_as):
    admin, chair = demo_actor("admin"), demo_actor("chair")
    handed_over = people.temporary_password()
    people.set_password(actor=admin, email=chair.email, new_password=handed_over, one_time=True)
    at = app_as(chair)
    assert at.title[0].value == "Choose your own password" and not at.sidebar.markdown
    at.text_input[0].input(handed_over)
    at.text_input[1].input("a passphrase of my own")
    at.text_input[2].input("a passphrase of my own")
    at.button[0].click().run()
    assert at.title[0].value == "Good day, Dana Whitfield"  # on to the page asked for
