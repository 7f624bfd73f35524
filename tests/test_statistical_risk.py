"""The Early Warning Project importer: the real editions and history, previews, idempotence,
and refusals of malformed or foreign files."""

import csv
import io

import pytest
from conftest import SHARED
from sqlalchemy import func, select

from committee import briefs, statistical_risk, vocabulary
from committee.errors import PermissionDenied, ValidationError
from db.engine import read_session
from db.models import AuditEvent, RiskImport, RiskObservation

EWP = SHARED / "data" / "ewp"
FORECAST_2025 = EWP / "final_forecasts_data_3Sep2025.csv"
FORECAST_2024 = EWP / "final_forecasts_data_10Oct2024.csv"
HISTORY = EWP / "FOOSforecasts_3Sep2025.csv"
MISSING = f"the Early Warning Project's files are not at {EWP}"
needs_files = pytest.mark.skipif(not EWP.is_dir(), reason=MISSING)


def rows_of(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def import_path(actor, path):
    return statistical_risk.import_file(actor=actor, content=path.read_bytes(), filename=path.name)


def stored(kind: str, edition: str) -> dict[str, RiskObservation]:
    with read_session() as session:
        return {
            (o.country_code, o.data_year): o
            for o in session.scalars(
                select(RiskObservation).where(
                    RiskObservation.kind == kind, RiskObservation.edition == edition
                )
            )
        }


def count(model) -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(model))


def csv_bytes(header: list[str], *rows: list) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


FORECAST_HEADER = [
    "",
    "ewp_name",
    "risk.2031and2032.from2030",
    "rank.2031and2032.from2031",
    "risk.2030and2031.from2029",
    "rank.2030and2031.from2029",
    "year",
    "ccode",
]


# --- the real files ---------------------------------------------------------------------------


@needs_files
@pytest.mark.parametrize(
    "path, edition, period, data_year",
    [(FORECAST_2025, "2025", "2025-2026", 2024), (FORECAST_2024, "2024", "2024-2025", 2023)],
)
def test_each_edition_imports_every_country_matched_or_reported(
    db, operator, path, edition, period, data_year
):
    file_rows = rows_of(path)
    preview = statistical_risk.preview_file(content=path.read_bytes(), filename=path.name)
    assert (preview.kind, preview.edition) == ("forecast", edition)
    assert len(preview.new) + len(preview.unmatched) == len(file_rows) == 168
    # Kosovo has a Correlates of War code but no ISO 3166 code: reported with its line.
    [kosovo] = preview.unmatched
    assert (kosovo.ewp_name, kosovo.ccode) == ("Kosovo", 347)
    assert file_rows[kosovo.line - 2]["ewp_name"] == "Kosovo"

    result = import_path(operator, path)
    figures = stored("forecast", edition)
    assert len(figures) == 167 and result.import_id is not None
    assert {(o.period, o.data_year) for o in figures.values()} == {(period, data_year)}


@needs_files
def test_top_ranks_and_risks_are_the_files(db, operator):
    import_path(operator, FORECAST_2025)
    by_rank = sorted(stored("forecast", "2025").values(), key=lambda o: o.rank)
    file_rows = sorted(rows_of(FORECAST_2025), key=lambda r: int(r["rank.2025and2026.from2025"]))
    for observation, row in zip(by_rank[:15], file_rows[:15], strict=True):
        assert observation.rank == int(row["rank.2025and2026.from2025"])
        assert observation.risk == float(row["risk.2025and2026.from2024"])
        assert observation.previous_rank == int(row["rank.2024and2025.from2023"])
    assert by_rank[0].country_code == "MMR"  # "Burma/Myanmar", matched by COW code 775


@needs_files
def test_the_history_gives_each_country_its_trend(db, operator):
    preview = import_path(operator, HISTORY)
    assert (preview.kind, preview.edition) == ("history", "2025")
    file_rows = rows_of(HISTORY)
    without = [r for r in file_rows if r["risk_prev"] == "NA" and r["ewp_name"] != "Kosovo"]
    assert len(preview.without_figure) == len(without)
    assert len(preview.new) + len(preview.unmatched) + len(preview.without_figure) == len(file_rows)
    history = stored("history", "2025")
    sudan = sorted(
        (o for o in history.values() if o.country_code == "SDN"), key=lambda o: o.data_year
    )
    assert sudan[0].data_year == 1993 and sudan[-1].period == "2024"
    onsets = sum(1 for o in history.values() if o.mass_killing_onset)
    assert onsets == sum(1 for r in file_rows if r["mk_onset"] == "1" and r["ewp_name"] != "Kosovo")


@needs_files
def test_a_second_import_changes_nothing(db, operator):
    import_path(operator, FORECAST_2025)
    before = {
        key: (o.version, o.updated_at, o.import_id) for key, o in stored("forecast", "2025").items()
    }
    again = import_path(operator, FORECAST_2025)
    assert not again.has_changes and again.unchanged == 167 and again.import_id is None
    after = {
        key: (o.version, o.updated_at, o.import_id) for key, o in stored("forecast", "2025").items()
    }
    assert after == before
    assert count(RiskImport) == 1


@needs_files
def test_a_corrected_file_changes_only_what_differs(db, operator):
    import_path(operator, FORECAST_2025)
    text = FORECAST_2025.read_text().replace('"Chad",0.08121', '"Chad",0.09')
    preview = statistical_risk.import_file(
        actor=operator, content=text.encode(), filename="corrected.csv"
    )
    assert [c.figure.country_code for c in preview.changed] == ["TCD"]
    assert preview.changed[0].before["risk"] == 0.08121 and not preview.new
    assert stored("forecast", "2025")[("TCD", 2024)].risk == 0.09
    assert count(RiskImport) == 2


# --- one import, one record -------------------------------------------------------------------


def test_one_import_is_one_record_and_one_audit_event(db, people):
    content = csv_bytes(FORECAST_HEADER, ["1", "Sudan", "0.2", "1", "0.1", "2", "2030", "625"])
    preview = statistical_risk.preview_file(content=content, filename="f.csv")
    assert (preview.edition, preview.new[0].period, preview.new[0].data_year) == (
        "2031",
        "2031-2032",
        2030,
    )  # the years come from the column names
    assert count(RiskObservation) == 0  # the preview writes nothing
    statistical_risk.import_file(actor=people["chair"], content=content, filename="f.csv")
    with read_session() as session:
        [record] = session.scalars(select(RiskImport))
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "risk.import")))
    assert (record.rows_new, record.edition, record.imported_by_id) == (
        1,
        "2031",
        people["chair"].id,
    )
    assert len(events) == 1 and events[0].record_id == str(record.id)
    observation = stored("forecast", "2031")[("SDN", 2030)]
    assert (observation.risk, observation.rank, observation.previous_risk) == (0.2, 1, 0.1)


def test_only_the_chair_imports(db, people):
    content = csv_bytes(FORECAST_HEADER, ["1", "Sudan", "0.2", "1", "0.1", "2", "2030", "625"])
    for role in ("rep", "observer"):
        with pytest.raises(PermissionDenied):
            statistical_risk.import_file(actor=people[role], content=content, filename="f.csv")
    assert count(RiskObservation) == 0


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not a text CSV"),
        (csv_bytes(["name", "amount"], ["a", "1"]), "header begins: 'name', 'amount'"),
        (
            csv_bytes(["", "country", "ccode", "ewp_name"], ["1", "Canada", "20", "Canada"]),
            "expected",
        ),
        (
            csv_bytes(["ewp_name", "risk.2031and2032.from2030", "ccode"], ["Sudan", "0.1", "625"]),
            "no rank.2031and2032.fromYYYY column",
        ),
        (csv_bytes(FORECAST_HEADER), "no rows"),
    ],
)
def test_a_foreign_or_malformed_file_is_refused_saying_what_was_expected(
    sqlite_db, content, message
):
    with pytest.raises(ValidationError, match=message) as refusal:
        statistical_risk.preview_file(content=content, filename="upload.csv")
    assert refusal.value.field == "file"


def test_bad_rows_are_refused_with_their_line_numbers_and_nothing_written(db, people):
    content = csv_bytes(
        FORECAST_HEADER,
        ["1", "Sudan", "0.2", "1", "0.1", "2", "2030", "625"],
        ["2", "Chad", "high", "2", "0.1", "2", "2030", "483"],
        ["3", "Sudan again", "0.3", "3", "0.1", "2", "2030", "625"],
        ["4", "Mali", "1.7", "4", "0.1", "2", "2030", "432"],
        ["5", "Niger", "0.1", "5", "0.1", "2", "2030"],
        ["6", "Somewhere", "0.1", "6", "0.1", "2", "2030", "five"],
    )
    with pytest.raises(ValidationError) as refusal:
        statistical_risk.import_file(actor=people["chair"], content=content, filename="bad.csv")
    message = str(refusal.value)
    assert "line 3: risk.2031and2032.from2030 'high' is not a number" in message
    assert "lines 2 and 4 both give ccode 625" in message
    assert "line 5: risk.2031and2032.from2030 '1.7' is not a probability" in message
    assert "line 6 has 7 values where the header has 8" in message
    assert "line 7: ccode 'five' is not a number" in message
    assert count(RiskObservation) == 0 and count(RiskImport) == 0


def test_a_history_with_a_country_year_twice_is_refused(sqlite_db):
    header = ["", "year", "ewp_name", "ccode", "mk_onset", "prev_year", "risk_prev", "rank_prev"]
    content = csv_bytes(
        header,
        ["1", "2001", "Sudan", "625", "0", "2000", "0.1", "3"],
        ["2", "2001", "Sudan", "625", "1", "2000", "0.2", "2"],
    )
    with pytest.raises(ValidationError, match="lines 2 and 3 both give ccode 625 .* for 2001"):
        statistical_risk.preview_file(content=content, filename="history.csv")


def test_the_risk_reads_in_percent_its_changes_in_points():
    assert vocabulary.risk_percent(0.08121) == "8.1%"
    assert vocabulary.risk_percent(None) == "—"
    assert vocabulary.risk_points(0.08121 - 0.1277) == "-4.6 points"
    assert vocabulary.risk_on_axis(0.08121) == pytest.approx(8.121)


@needs_files
def test_a_brief_s_trend_ends_on_the_edition_it_cites(db, operator):
    """Issue 18, point 8: the history file ends with the edition before the newest (Chad's
    2024 point is the 2024 edition's 12.8%); the trend goes on to the newest, 8.1%."""
    for path in (FORECAST_2024, HISTORY):
        import_path(operator, path)
    chad = briefs.country_brief("TCD", actor=operator)
    assert (chad.statistical_risk.edition, chad.risk_history[-1].year) == ("2024", 2024)
    assert chad.risk_trend[-1] == (2024, chad.statistical_risk.risk)
    assert len(chad.risk_trend) == len(chad.risk_history)

    import_path(operator, FORECAST_2025)
    chad = briefs.country_brief("TCD", actor=operator)
    cited = chad.statistical_risk
    assert (cited.edition, cited.period, vocabulary.risk_percent(cited.risk)) == (
        "2025",
        "2025-2026",
        "8.1%",
    )
    assert chad.risk_trend == [(p.year, p.risk) for p in chad.risk_history] + [(2025, cited.risk)]


@needs_files
def test_the_demo_loads_the_newest_edition_and_the_history(db, demo):
    with read_session() as session:
        imports = list(session.scalars(select(RiskImport).order_by(RiskImport.id)))
    assert [(i.kind, i.edition, i.filename) for i in imports] == [
        ("forecast", "2025", FORECAST_2025.name),
        ("history", "2025", HISTORY.name),
    ]


# --- the command line -------------------------------------------------------------------------


@needs_files
def test_the_command_line_previews_imports_and_refuses(db, capsys, tmp_path):
    from cli import main

    assert main(["import-ewp", str(FORECAST_2024), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "2024 edition: two-year risk for 2024–2025, from 2023 data: 168 rows; 167 new" in out
    assert "line 147: Kosovo (ccode 347)" in out and "dry run: nothing written" in out
    assert count(RiskObservation) == 0

    assert main(["import-ewp", str(FORECAST_2024)]) == 0
    assert "imported (import " in capsys.readouterr().out
    assert main(["import-ewp", str(FORECAST_2024)]) == 0
    assert "nothing to import" in capsys.readouterr().out
    assert count(RiskImport) == 1

    foreign = tmp_path / "people.csv"
    foreign.write_text("name,email\nA,a@example.org\n")
    assert main(["import-ewp", str(foreign)]) == 1
    assert "expected an Early Warning Project statistical risk file" in capsys.readouterr().err


# --- a file too big to read -------------------------------------------------------------------


class Endless(io.RawIOBase):
    """A history file of ``megabytes``, made as it is read (a 50 MB upload without 50 MB in
    the test): the same valid row again and again."""

    def __init__(self, megabytes: int) -> None:
        header = ",".join(statistical_risk.HISTORY_COLUMNS) + "\n"
        self.row = b"1994,1993,Sudan,625,0,0.1,1\n"
        self.head, self.left = header.encode(), megabytes * 1024 * 1024

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = (self.head + self.row * (len(buffer) // len(self.row) + 1))[: len(buffer)]
        chunk = chunk[: self.left]
        self.head, self.left = b"", self.left - len(chunk)
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_a_file_over_the_limit_is_refused_as_it_streams_in(sqlite_db):
    """A 50 MB file took about 570 MB of memory when read whole: it is refused once past the
    limit, having read no further."""
    import tracemalloc

    tracemalloc.start()
    with pytest.raises(ValidationError, match="larger than 5 MB") as refused:
        statistical_risk.preview_file(content=Endless(50), filename="huge.csv")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert refused.value.field == "file"
    # What the rows up to the limit take (about 60 MB for 5 MB of rows), not the whole file's.
    assert peak < 100 * 1024 * 1024, f"{peak / 2**20:.0f} MB held"


def test_the_command_line_refuses_a_file_over_the_limit_before_reading_it(sqlite_db, tmp_path):
    import os
    import subprocess
    import sys

    from conftest import PROJECT_ROOT

    from db import engine as db_engine

    huge = tmp_path / "FOOSforecasts_huge.csv"
    with huge.open("wb") as out:
        out.write(Endless(6).read())
    done = subprocess.run(
        [sys.executable, "-m", "committee", "import-ewp", str(huge), "--dry-run"],
        env={**os.environ, "DATABASE_URL": db_engine.get_engine().url.render_as_string(False)},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "larger than 5 MB" in done.stderr and "Traceback" not in done.stderr
