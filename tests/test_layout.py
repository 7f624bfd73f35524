"""The rooms and the one-way imports between them: pages, cli, web -> exports -> committee -> db."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "committee": {"streamlit", "pages", "exports", "cli"},
    "db": {"streamlit", "pages", "committee", "exports", "cli"},
    "exports": {"streamlit", "pages", "cli"},
    "pages": {"db", "sqlalchemy", "sqlmodel", "cli"},
    "cli": {"streamlit", "pages"},
    "web": {"pages", "cli", "db", "sqlalchemy", "sqlmodel"},
}
# ``python -m committee`` runs the command line: its entry is the one file of committee/ that
# may name the room above it, as streamlit_app.py does for the pages.
ENTRIES = {Path("committee/__main__.py")}


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_imports_point_one_way(room):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[room])
        for path in (ROOT / room).rglob("*.py")
        if path.relative_to(ROOT) not in ENTRIES
    }
    assert {path: bad for path, bad in offenders.items() if bad} == {}


def test_the_project_has_its_rooms():
    for name in (
        "streamlit_app.py",
        "requirements.txt",
        "requirements-dev.txt",
        "uv.lock",
        "README.md",
        "Makefile",
        ".ci/run",
        "alembic.ini",
        "db/migrations/versions",
    ):
        assert (ROOT / name).exists(), name
