"""``python -m committee``: a thin entry to the command line, which lives in ``cli/`` (an entry
point like the pages, so that nothing in the domain imports it)."""

from cli import main

raise SystemExit(main())
