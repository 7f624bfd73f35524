"""The lock: uv.lock resolves exactly what pyproject.toml declares, and the two files pip
installs from (requirements.txt for running, requirements-dev.txt for tests and tooling) are
its export, every package pinned with its hashes. A dependency added, removed or re-pinned
without `make lock` fails here."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import IN_CI, PROJECT_ROOT

UV = Path(sys.executable).parent / "uv"
EXPORTS = {
    "requirements.txt": ["--no-dev"],
    "requirements-dev.txt": ["--only-group", "dev"],
}


@pytest.fixture(scope="module")
def uv():
    if not UV.exists():
        if IN_CI:
            pytest.fail(f"uv is a development requirement and is missing at {UV}")
        pytest.skip(reason=f"uv not installed at {UV} (make test installs it)")

    def run(*arguments: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess:
        # Offline: the check compares files; it must not depend on reaching the registry.
        return subprocess.run(
            [str(UV), *arguments, "--offline", "--python", sys.executable],
            cwd=cwd,
            capture_output=True,
            text=True,
            env={**os.environ, "UV_NO_PROGRESS": "1"},
        )

    return run


def test_the_lock_resolves_what_pyproject_declares(uv):
    result = uv("lock", "--check")
    assert result.returncode == 0, (
        f"pyproject.toml and uv.lock disagree: run `make lock`\n{result.stderr}"
    )


def test_a_dependency_re_pinned_without_make_lock_is_caught(uv, tmp_path):
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    declared = (tmp_path / "pyproject.toml").read_text()
    changed = declared.replace('"tzdata==', '"tzdata==2024.1", # was ', 1)
    assert changed != declared
    (tmp_path / "pyproject.toml").write_text(changed)
    assert uv("lock", "--check", cwd=tmp_path).returncode != 0


def _without_header(text: str) -> list[str]:
    """The export's lines less its first comment, which names the command that wrote it."""
    return [line for line in text.splitlines() if not line.startswith("#")]


def test_the_requirement_files_are_the_locks_export(uv):
    for name, selection in EXPORTS.items():
        result = uv("export", "--frozen", "--no-emit-project", *selection)
        assert result.returncode == 0, result.stderr
        written = (PROJECT_ROOT / name).read_text()
        assert _without_header(written) == _without_header(result.stdout), (
            f"{name} is not the export of uv.lock: run `make lock`"
        )


def test_every_locked_package_is_pinned_with_its_hashes():
    for name in EXPORTS:
        entries = re.split(r"\n(?=\S)", (PROJECT_ROOT / name).read_text())
        packages = [entry for entry in entries if not entry.startswith("#")]
        assert len(packages) > 20, name
        for entry in packages:
            assert re.match(r"^[\w.-]+(\[[\w,-]+\])?==\S+", entry), entry
            assert "--hash=sha256:" in entry, entry
