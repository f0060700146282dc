from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import inspect

from surveyapp import create_app, db_app, schema
from surveyapp.cli import cli
from tests.conftest import TEST_SECRET_KEY


def test_init_db_migrates_then_reports_up_to_date(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": TEST_SECRET_KEY})
    runner = app.test_cli_runner()
    first = runner.invoke(cli, ["init-db"])
    assert first.exit_code == 0, first.output
    assert "migrated from empty to revision" in first.output
    engine = db_app.get_db(app).engine
    assert schema.current_revision(engine) == schema.head_revision(engine)
    assert {"agencies", "responses", "answers"} <= set(inspect(engine).get_table_names())
    second = runner.invoke(cli, ["init-db"])
    assert "up to date" in second.output


def test_commands_refuse_an_uninitialised_database(tmp_path: Path) -> None:
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite'}", "SECRET_KEY": TEST_SECRET_KEY}
    )
    result = app.test_cli_runner().invoke(cli, ["agencies", "list"])
    assert result.exit_code == 1
    assert "has no schema yet; run `surveyapp init-db`" in result.output


def test_invalid_configuration_is_one_clear_line(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["agencies", "list"],
        env={"SURVEYAPP_DATABASE_URL": "mysql://x/y", "SURVEYAPP_INSTANCE_PATH": str(tmp_path)},
    )
    assert result.exit_code == 1
    assert "configuration error: SURVEYAPP_DATABASE_URL" in result.output
    assert "Traceback" not in result.output
