"""``surveyapp report``: choosing the questionnaire and clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.reporting.conftest import QUESTIONNAIRES, Loaded


def test_several_questionnaires_default_to_the_most_answered(
    loaded: Loaded, cli: Any, tmp_path: Path
) -> None:
    csv = tmp_path / "a11.csv"
    csv.write_text("satisfied\n4\n", encoding="utf-8")
    result = cli("responses", "import", str(csv), "--questionnaire", "a11-cx", "--agency", "AAA")
    assert result.exit_code == 0, result.output
    out = tmp_path / "r.json"
    result = cli("report", "--agency", "AAA", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "questionnaire: sipas (most responses in the period" in result.output
    result = cli("report", "--agency", "AAA", "--questionnaire", "a11-cx", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert '"n_responses": 1' in out.read_text(encoding="utf-8")
    # BBB answered only sipas: no choice needed.
    assert cli("report", "--agency", "BBB", "-o", str(out)).exit_code == 0


def test_errors_are_one_clear_line(loaded: Loaded, cli: Any, tmp_path: Path) -> None:
    out = str(tmp_path / "r.json")
    cases = {
        ("--agency", "NOPE"): "no agency with code 'NOPE'",
        ("--agency", "AAA", "--from", "2017-05-01", "--to", "2017-04-01"): "is after",
        ("--agency", "AAA", "--from", "2017-13-01"): "not a date",
        ("--agency", "AAA", "--all"): "exactly one of",
        ("--agency", "AAA", "--by", "recommend"): "not a single_choice question",
        ("--all", "--questionnaire", "nope"): "no questionnaire nope",
    }
    for args, message in cases.items():
        result = cli("report", *args, "-o", out)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
    assert QUESTIONNAIRES.exists()


def test_report_to_standard_output_and_help(loaded: Loaded, cli: Any) -> None:
    result = cli("report", "--agency", "CCC")
    assert result.exit_code == 0
    assert result.stdout.lstrip().startswith("{")  # the choice of questionnaire goes to stderr
    assert "rebuild-aggregates" in cli("report", "--help").output
