from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from surveyapp.config import REPO_DIR
from surveyapp.db import Database
from surveyapp.models import QuestionnaireVersion

SHIPPED = REPO_DIR / "questionnaires"


def version_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(QuestionnaireVersion.id))) or 0


def test_check_accepts_the_shipped_questionnaires(cli: Any) -> None:
    result = cli("questionnaires", "check", str(SHIPPED / "sipas.yaml"), str(SHIPPED))
    assert result.exit_code == 0, result.output
    assert f"{SHIPPED / 'sipas.yaml'}: ok" in result.output
    assert f"{SHIPPED / 'a11-cx.yaml'}: ok" in result.output


def test_check_names_file_line_and_problem(cli: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text((SHIPPED / "sipas.yaml").read_text(encoding="utf-8") + "format: 1\n")
    lines = broken.read_text(encoding="utf-8").count("\n")
    result = cli("questionnaires", "check", str(broken))
    assert result.exit_code == 1
    assert f"{broken}:{lines}:1: " in result.output
    assert "duplicate" in result.output.lower()
    assert "Traceback" not in result.output


def test_check_reports_yaml_syntax_and_python_tags(cli: Any, tmp_path: Path) -> None:
    bad = tmp_path / "tags.yaml"
    bad.write_text("format: 1\ntitle: !!python/object/apply:os.system ['echo pwned']\n")
    syntax = tmp_path / "syntax.yaml"
    syntax.write_text("format: 1\ntitle: {vi: 'x'\n")
    result = cli("questionnaires", "check", str(bad), str(syntax))
    assert result.exit_code == 1
    assert f"{bad}:2:8: " in result.output
    assert f"{syntax}:" in result.output
    assert "2 file(s)" in result.output


def test_load_creates_versions_only_for_changed_content(
    cli: Any, db: Database, tmp_path: Path
) -> None:
    source = (SHIPPED / "a11-cx.yaml").read_text(encoding="utf-8")
    target = tmp_path / "cx.yaml"
    target.write_text(source, encoding="utf-8")
    first = cli("questionnaires", "load", str(target))
    assert first.exit_code == 0, first.output
    assert "cx: version 1 (new version)" in first.output
    again = cli("questionnaires", "load", str(target))
    assert "cx: version 1 (unchanged)" in again.output
    target.write_text(source.replace("format: 1", "format: 1\n# a comment only"), "utf-8")
    comment = cli("questionnaires", "load", str(target))
    assert "cx: version 1 (unchanged)" in comment.output
    changed = source.replace("min_n: 30", "min_n: 40", 1)
    assert changed != source
    target.write_text(changed, encoding="utf-8")
    second = cli("questionnaires", "load", str(target))
    assert "cx: version 2 (new version)" in second.output, second.output
    listed = cli("questionnaires", "list")
    assert [line.split("\t")[:2] for line in listed.output.splitlines()] == [
        ["cx", "1"],
        ["cx", "2"],
    ]


def test_load_stores_nothing_when_one_file_fails(cli: Any, db: Database, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text((SHIPPED / "a11-cx.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    bad = tmp_path / "zbad.yaml"
    bad.write_text("format: 1\nsections: []\n", encoding="utf-8")
    result = cli("questionnaires", "load", str(tmp_path))
    assert result.exit_code == 1
    assert f"{bad}:" in result.output
    assert "nothing was loaded" in result.output
    assert version_count(db) == 0


def test_list_on_empty_database(cli: Any) -> None:
    result = cli("questionnaires", "list")
    assert result.exit_code == 0
    assert "No questionnaire is loaded" in result.output
