"""The papers' fonts come from the repository, checked: every Noto file in exports/fonts/ is
the one its SHA-256 manifest names, and the papers use no font the manifest leaves out."""

import hashlib
from pathlib import Path

from exports import paper

FONTS = Path(paper.__file__).parent / "fonts"


def manifest() -> dict[str, str]:
    """``SHA256SUMS`` as ``sha256sum`` writes it: file name to digest."""
    entries = {}
    for line in (FONTS / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        entries[name.lstrip("*")] = digest
    return entries


def test_every_font_file_matches_its_manifest():
    listed = manifest()
    present = {path.name for path in FONTS.iterdir() if path.suffix in (".ttf", ".otf")}
    assert present == set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((FONTS / name).read_bytes()).hexdigest() == digest, name


def test_the_papers_use_only_the_fonts_the_manifest_names():
    used = {file for styles in paper.FALLBACKS.values() for file in styles.values()}
    assert {file.parent for file in used} == {FONTS}
    assert {file.name for file in used} == set(manifest())


def test_the_licence_comes_with_the_fonts():
    licence = (FONTS / "OFL.txt").read_text()
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert "The Noto Project Authors" in licence and "Adobe" in licence
