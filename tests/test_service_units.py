"""The systemd units (deploy/systemd/) are sound as systemd itself reads them, run as the
dedicated user with the hardening systemd offers, and expose little: systemd-analyze verify
finds nothing to say, and systemd-analyze security rates each service 2.0 or better (0 is
the safest, 10 the most exposed)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import IN_CI, PROJECT_ROOT

UNITS = PROJECT_ROOT / "deploy" / "systemd"
SERVICES = ["apc-desk@8501.service", "apc-desk-worker.service", "apc-desk-backup.service"]
HARDENING = {
    "User": "apc-desk",
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "CapabilityBoundingSet": "",
}


@pytest.fixture(scope="module")
def analyze():
    found = shutil.which("systemd-analyze")
    if not found:
        if IN_CI:
            pytest.fail("systemd-analyze is required in CI (apt-get install systemd)")
        pytest.skip(reason="systemd-analyze is not installed (apt-get install systemd)")
    return found


@pytest.fixture(scope="module")
def units(tmp_path_factory) -> Path:
    """The units as a host would have them, the installation's path pointing at a stand-in
    ``apc`` here (verify checks that each command exists), the app server as instance 8501."""
    folder = tmp_path_factory.mktemp("units")
    venv = folder / "opt" / "apc-desk" / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "apc").write_text("#!/bin/sh\n")
    (venv / "bin" / "apc").chmod(0o755)
    for unit in UNITS.iterdir():
        name = unit.name.replace("@.service", "@8501.service")
        (folder / name).write_text(unit.read_text().replace("/opt/apc-desk/venv", str(venv)))
    return folder


def settings(unit: Path) -> dict[str, str]:
    return dict(re.findall(r"^(\w+)=(.*)$", unit.read_text(), re.MULTILINE))


def test_systemd_finds_nothing_to_say_about_the_units(analyze, units):
    names = SERVICES + ["apc-desk-backup.timer"]
    done = subprocess.run(
        [analyze, "verify", *names], cwd=units, capture_output=True, text=True, timeout=120
    )
    ours = [line for line in (done.stdout + done.stderr).splitlines() if "apc-desk" in line]
    assert done.returncode == 0 and ours == [], done.stdout + done.stderr


def test_every_service_runs_hardened_as_the_dedicated_user(units):
    for name in SERVICES:
        found = settings(units / name)
        assert {key: found.get(key) for key in HARDENING} == HARDENING, name


def test_every_service_exposes_little(analyze, units):
    for name in SERVICES:
        done = subprocess.run(
            [analyze, "security", "--offline=yes", "--threshold=20", str(units / name)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout[-400:] + done.stderr
        score = re.search(r"Overall exposure level for .*: (\d+\.\d)", done.stdout)
        assert score and float(score[1]) <= 2.0, done.stdout[-200:]


def test_the_backup_runs_every_night():
    timer = settings(UNITS / "apc-desk-backup.timer")
    assert timer["OnCalendar"] == "*-*-* 02:30:00 UTC" and timer["Persistent"] == "true"
