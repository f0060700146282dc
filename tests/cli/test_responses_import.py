from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from surveyapp.config import REPO_DIR
from surveyapp.db import Database
from surveyapp.models import Answer, Response


@pytest.fixture
def loaded(cli: Any, db: Database) -> None:
    assert (
        cli("questionnaires", "load", str(REPO_DIR / "questionnaires" / "sipas.yaml")).exit_code
        == 0
    )
    for code, kind in (("Q1", "district"), ("SNV", "department")):
        assert (
            cli(
                "agencies", "add", code, "--name-vi", code, "--name-en", code, "--kind", kind
            ).exit_code
            == 0
        )


def counts(db: Database) -> tuple[int, int]:
    with db.session() as session:
        return (
            session.scalar(select(func.count(Response.id))) or 0,
            session.scalar(select(func.count()).select_from(Answer)) or 0,
        )


def test_import_stores_typed_answers(cli: Any, db: Database, loaded: None, tmp_path: Path) -> None:
    csv_file = tmp_path / "paper.csv"
    csv_file.write_text(
        "agency,submitted_at,access_seating,access_equipment,overall_satisfaction,respondent_type\n"
        "q1,2017-03-02T09:15:00,5,na,4,citizen\n"
        "SNV,2017-03-02T23:30:00+07:00,2,,3,business\n",
        encoding="utf-8",
    )
    result = cli("responses", "import", str(csv_file), "--questionnaire", "sipas")
    assert result.exit_code == 0, result.output
    assert "2 responses imported" in result.output
    with db.session() as session:
        rows = session.execute(
            select(Response.channel, Response.submitted_at, Response.status).order_by(
                Response.submitted_at
            )
        ).all()
        assert [r.channel for r in rows] == ["paper", "paper"]
        # Local (Asia/Ho_Chi_Minh, UTC+7) time without offset becomes UTC.
        assert rows[0].submitted_at == dt.datetime(2017, 3, 2, 2, 15, tzinfo=dt.UTC)
        assert rows[1].submitted_at == dt.datetime(2017, 3, 2, 16, 30, tzinfo=dt.UTC)
        answers = {
            (a.question_key, a.value_num, a.value_text, a.is_na)
            for a in session.scalars(select(Answer))
        }
    assert ("access_seating", 5.0, None, False) in answers
    assert ("access_equipment", None, None, True) in answers
    assert ("respondent_type", None, "citizen", False) in answers
    assert not any(a[0] == "access_equipment" and not a[3] for a in answers)


def test_import_reads_the_submission_channel_question_beside_the_channel_column(
    cli: Any, db: Database, loaded: None, tmp_path: Path
) -> None:
    """The meta column ``channel`` and SIPAS's question about it have different names."""
    csv_file = tmp_path / "paper.csv"
    csv_file.write_text(
        "agency,channel,submission_channel,overall_satisfaction\n"
        "Q1,paper,one_stop,4\n"
        "Q1,,online_level4,5\n",
        encoding="utf-8",
    )
    result = cli("responses", "import", str(csv_file), "--questionnaire", "sipas")
    assert result.exit_code == 0, result.output
    with db.session() as session:
        assert set(session.scalars(select(Response.channel))) == {"paper"}
        assert set(
            session.scalars(
                select(Answer.value_text).where(Answer.question_key == "submission_channel")
            )
        ) == {"one_stop", "online_level4"}


def test_import_is_all_or_nothing_with_row_and_column(
    cli: Any, db: Database, loaded: None, tmp_path: Path
) -> None:
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(
        "access_seating,overall_satisfaction,submitted_at,channel\n"
        "5,4,2017-01-05T10:00:00,paper\n"
        "7,4,yesterday,fax\n"
        "4,=cmd(),2017-01-05T10:00:00,paper\n",
        encoding="utf-8",
    )
    result = cli("responses", "import", str(csv_file), "--questionnaire", "sipas", "--agency", "Q1")
    assert result.exit_code == 1
    out = result.output
    assert "row 3, column access_seating:" in out
    assert "row 3, column submitted_at: not an ISO 8601 date and time" in out
    assert "row 3, column channel: must be one of" in out
    assert "row 4, column overall_satisfaction:" in out
    assert "nothing was imported" in out
    assert counts(db) == (0, 0)


def test_import_refuses_bad_header_and_unknown_names(
    cli: Any, db: Database, loaded: None, tmp_path: Path
) -> None:
    csv_file = tmp_path / "header.csv"
    csv_file.write_text("access_seating,nonsense\n5,1\n", encoding="utf-8")
    result = cli("responses", "import", str(csv_file), "--questionnaire", "sipas")
    assert result.exit_code == 1
    assert "row 1, column nonsense: not a question of sipas" in result.output
    assert "row 1: no agency column" in result.output
    wrong = cli("responses", "import", str(csv_file), "--questionnaire", "nope", "--agency", "Q1")
    assert wrong.exit_code == 1 and "no questionnaire nope" in wrong.output
    agency = cli("responses", "import", str(csv_file), "--questionnaire", "sipas", "--agency", "ZZ")
    assert agency.exit_code == 1 and "no active agency" in agency.output
    assert counts(db) == (0, 0)


def test_import_reports_malformed_csv(cli: Any, db: Database, loaded: None, tmp_path: Path) -> None:
    csv_file = tmp_path / "ragged.csv"
    csv_file.write_text('access_seating,overall_satisfaction\n5,4\n5\n"4,3\n', encoding="utf-8")
    result = cli("responses", "import", str(csv_file), "--questionnaire", "sipas", "--agency", "Q1")
    assert result.exit_code == 1
    assert "row 3: 1 cells where the header has 2" in result.output
    assert counts(db) == (0, 0)
