"""The benchmark of issue 9: every page and export on synthetic records at three scales, on
SQLite and PostgreSQL (``python -m bench``, or ``make bench``).

- ``bench.generate`` builds the records (seeded, bulk inserts, minutes at most for the largest);
- ``bench.measure`` renders every page as each role, runs the exports and the import, and
  reads the app server's memory after ten browser sessions;
- ``bench.report`` prints the table and writes ``bench/results.md`` and ``bench/results.json``.
"""
