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
def test_each_role_sees_and_renders_exactly_its_pages(role, sqlite_db, demo, app_as):
    actor = demo_actor(role)
    at = app_as(actor)
    assert not at.exception, at.exception
    registered = {
        str(Path(info["script_path"]).resolve())
        for info in at._registered_pages.values()
        if info.get("script_path")
    }
    for script, permission in registered_pages():
        allowed = access.can(actor, permission)
        assert (str((ROOT / script).resolve()) in registered) == allowed, (role, script)
        if allowed:
            at.switch_page(script)
            at.run()
            assert not at.exception, (role, script, at.exception)
            assert not [e for e in at.error if "do not have access" in e.value], (role, script)
        else:
            direct = AppTest.from_file(str(ROOT / script), default_timeout=60)
            direct.session_state["actor"] = actor
            direct.run()
            assert [e.value for e in direct.error] == ["You do not have access to this page."]


def test_signed_out_visitors_see_only_the_sign_in_form(sqlite_db, demo, app_as):
    at = app_as(None)
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Email", "Password"]
    direct = AppTest.from_file(str(ROOT / "pages/home.py"), default_timeout=60)
    direct.run()
    assert [e.value for e in direct.error] == ["You do not have access to this page."]


def test_signing_in_through_the_form_signs_the_session_in(sqlite_db, demo, app_as):
    at = app_as(None)
    at.text_input[0].input("chair@apc.example")
    at.text_input[1].input("apc-demo-2026")
    at.button[0].click()
    at.run()
    actor = at.session_state["actor"]
    assert (actor.email, actor.role) == ("chair@apc.example", "chair")
    # The page change after st.rerun() is followed in the browser test; here, a new run of
    # the signed-in session opens Home.
    home = app_as(actor)
    assert home.title[0].value == "Good day, Dana Whitfield"


def test_a_wrong_password_is_refused_on_the_form(sqlite_db, demo, app_as):
    at = app_as(None)
    at.text_input[0].input("chair@apc.example")
    at.text_input[1].input("wrong password")
    at.button[0].click()
    at.run()
    assert [e.value for e in at.error] == [people.SIGN_IN_FAILED]
    assert "actor" not in at.session_state
