"""APC Desk, installed: the ``apc`` command and the home of the project's rooms.

In the repository the rooms sit side by side at the top (``committee/``, ``db/``, ``exports/``,
``cli/``, ``pages/``, ``streamlit_app.py``, ``server.py``). Installed (``pip install .``), the
wheel puts them inside this package's folder, so that names as common as ``db`` or ``pages``
take no place in site-packages; ``rooms_on_path`` puts that folder first on the import path,
and the rooms then import each other under their own names, as they do in the repository.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Installed, the rooms are in this folder; in the repository, beside it.
HOME = HERE if (HERE / "committee").is_dir() else HERE.parent


def rooms_on_path() -> Path:
    """Make ``import committee`` (and the other rooms) find this installation's; returns the
    folder that holds ``server.py``."""
    if str(HOME) not in sys.path:
        sys.path.insert(0, str(HOME))
    return HOME


def main() -> int:
    """``apc``: the same command line as ``python -m committee``."""
    rooms_on_path()
    from cli import main as command_line

    return command_line()
