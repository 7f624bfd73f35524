"""The command line for evidence and signals: import the tools evidence, add a rule, evaluate
with --dry-run (nothing written), import an edition (the signals it opens), list them, write the
horizon scan; errors are messages at the field with a non-zero exit."""

from test_cli import run
from test_statistical_risk import FORECAST_2024, FORECAST_2025, needs_files
from test_tools_evidence import FACTORS

from committee import signals


@needs_files
def test_every_step_on_the_command_line(sqlite_db, capsys, tmp_path):
    code, out, _ = run(capsys, "import-tools-evidence", str(FACTORS))
    assert code == 0 and "23 tools" in out and "imported" in out
    code, out, _ = run(capsys, "tools")
    assert code == 0 and "Targeted sanctions" in out and "no evidence review yet" in out

    code, out, err = run(capsys, "signals", "add-rule", "Too far", "enters_top", "500")
    assert code == 1 and "threshold: The top N is a whole rank from 1 to 200" in err
    code, out, _ = run(capsys, "signals", "add-rule", "Rises", "risk_rise", "0.5")
    assert (code, out.strip()) == (0, "rule 1 added: Rises")

    assert run(capsys, "import-ewp", str(FORECAST_2024))[0] == 0
    code, out, _ = run(capsys, "signals", "evaluate", "--dry-run")
    assert code == 0 and "dry run: 0 signals would open; nothing written" in out
    code, out, _ = run(capsys, "import-ewp", str(FORECAST_2025))
    opened = len(signals.list_signals(edition="2025"))
    assert code == 0 and f"{opened} signals opened" in out and opened > 0
    code, out, _ = run(capsys, "signals", "list", "--open", "--edition", "2025")
    assert code == 0 and len(out.strip().splitlines()) == opened
    assert "two-year risk rose" in out

    code, out, _ = run(
        capsys, "signals", "horizon-scan", "--format", "docx", "--out", str(tmp_path)
    )
    assert code == 0 and (tmp_path / "apc-horizon-scan-2025.docx").stat().st_size > 10_000
