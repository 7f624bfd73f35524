"""APC Desk as a package: the wheel holds one top-level name, apc_desk, with the rooms inside
it; installed into a new environment, ``apc`` works from anywhere, migrates a database from
the packaged migrations and reference data, and ``apc --help`` loads none of the heavy
libraries (the database layer, charts, PDF, tables, Streamlit)."""

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import IN_CI, PROJECT_ROOT

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "matplotlib", "fpdf", "pandas", "plotly", "streamlit")
UV = Path(sys.executable).parent / "uv"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w"]
        + [str(folder), str(PROJECT_ROOT)],
        capture_output=True,
        text=True,
    )
    if built.returncode and "hatchling" in built.stderr and not IN_CI:
        pytest.skip(reason="hatchling (a development requirement) is not installed")
    assert built.returncode == 0, built.stderr
    (found,) = folder.glob("apc_desk-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A new environment with the wheel installed; its dependencies are this environment's
    (already installed from the lock), reached through a .pth file."""
    if not UV.exists():
        missing = f"uv is missing at {UV} (make test installs it from the dev lock)"
        if IN_CI:
            pytest.fail(missing)
        pytest.skip(reason=missing)
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=False)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(home), "platbase": str(home)}))
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [
            str(UV),
            "pip",
            "install",
            "--offline",
            "--no-deps",
            "--python",
            str(home / "bin" / "python"),
        ]
        + [str(wheel)],
        check=True,
        capture_output=True,
    )
    return home


def test_the_wheel_takes_one_name_and_holds_every_room(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {
        "apc_desk",
        wheel.name.split("-py3")[0] + ".dist-info",
    }
    for needed in (
        "apc_desk/__init__.py",
        "apc_desk/server.py",
        "apc_desk/streamlit_app.py",
        "apc_desk/.streamlit/config.toml",
        "apc_desk/cli/__init__.py",
        "apc_desk/committee/system.py",
        "apc_desk/db/migrations/versions/0002_reference_data.py",
        "apc_desk/db/reference/countries.csv",
        "apc_desk/exports/fonts/SHA256SUMS",
        "apc_desk/pages/home.py",
        "apc_desk/pages/assets/world_110m.json",
    ):
        assert needed in names, needed
    assert not [name for name in names if "__pycache__" in name or name.startswith("tests/")]


def test_installed_apc_works_from_anywhere(installed, tmp_path):
    apc = installed / "bin" / "apc"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'apc.db'}"}
    environment.pop("PYTHONPATH", None)

    def run(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(apc), *arguments], cwd=tmp_path, env=environment, capture_output=True, text=True
        )

    helped = run("--help")
    assert helped.returncode == 0 and "init-db" in helped.stdout and "serve" in helped.stdout
    assert run("init-db").returncode == 0
    checked = run("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "schema current" in checked.stdout

    where = subprocess.run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import apc_desk; apc_desk.rooms_on_path(); "
            "import committee.system, db, web.headers; "  # web: the server's routes and headers
            "print(committee.system.__file__, db.__file__, web.headers.__file__)",
        ],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert where.returncode == 0, where.stderr
    assert all(path.startswith(str(installed)) for path in where.stdout.split())


def test_help_loads_no_heavy_library():
    script = (
        "import sys\n"
        "import apc_desk\n"
        "sys.argv = ['apc', '--help']\n"
        "try:\n    apc_desk.main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(set(sys.modules) & set({HEAVY!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
