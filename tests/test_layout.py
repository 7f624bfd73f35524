"""The rooms and the one-way imports between them: pages -> committee -> db."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "committee": {"streamlit", "pages"},
    "db": {"streamlit", "pages", "committee", "exports"},
    "exports": {"streamlit", "pages"},
    "pages": {"db", "sqlalchemy", "sqlmodel"},
}


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
    }
    assert {path: bad for path, bad in offenders.items() if bad} == {}


def test_the_project_has_its_rooms():
    for name in (
        "streamlit_app.py",
        "requirements.txt",
        "README.md",
        "Makefile",
        ".ci/run",
        "alembic.ini",
        "db/migrations/env.py",
    ):
        assert (ROOT / name).exists(), name
    pins = [
        line
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert pins and all("==" in line for line in pins), "every requirement is pinned"
