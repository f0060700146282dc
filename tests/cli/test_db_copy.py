"""``surveyapp db copy`` and ``db verify``: moving a pilot from SQLite to PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select, update

from surveyapp.cli import cli
from surveyapp.models import Answer
from surveyapp.services import db_copy
from tests.services.db_copy_support import (
    build_pilot,
    engine_for,
    fresh_postgres_database,
    pilot_url,
)


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("pilot") / "pilot.sqlite"
    build_pilot(path, responses=30)
    return pilot_url(path)


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield pilot_url(tmp_path / "copy.sqlite")
        return
    with fresh_postgres_database("dbcopycli") as url:
        yield url


def run(*args: str) -> Result:
    """Run the installed command line's group, as `surveyapp ...` would."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_copy_prints_counts_and_checksums_and_refuses_a_second_time(
    pilot: str, target: str
) -> None:
    result = run("db", "copy", "--from", pilot, "--to", target)
    assert result.exit_code == 0, result.output
    assert "Copied and verified" in result.output
    engine = engine_for(pilot)
    expected = db_copy.summarise(engine)
    engine.dispose()
    for name, summary in expected.items():
        line = next(x for x in result.output.splitlines() if x.startswith(name + " "))
        assert f"{summary.rows:,}" in line
        assert line.count(summary.checksum[:16]) == 2
        assert line.endswith("ok")
    assert "copied answers:" in result.output  # progress

    again = run("db", "copy", "--from", pilot, "--to", target)
    assert again.exit_code == 1
    assert "is not empty" in again.output
    assert "Traceback" not in again.output

    verified = run("db", "verify", "--from", pilot, "--to", target)
    assert verified.exit_code == 0, verified.output
    assert f"All {len(expected)} tables are identical." in verified.output


def test_verify_fails_on_one_changed_answer(pilot: str, target: str) -> None:
    assert run("db", "copy", "--from", pilot, "--to", target).exit_code == 0
    engine = engine_for(target)
    try:
        with engine.begin() as conn:
            row = conn.execute(
                select(Answer.response_id, Answer.question_key)
                .where(Answer.value_num.is_not(None))
                .limit(1)
            ).one()
            conn.execute(
                update(Answer)
                .where(Answer.response_id == row[0], Answer.question_key == row[1])
                .values(value_num=Answer.value_num + 0.5)
            )
    finally:
        engine.dispose()
    result = run("db", "verify", "--from", pilot, "--to", target)
    assert result.exit_code == 1
    assert "verification failed: 1 table(s) differ: answers" in result.output
    (line,) = [x for x in result.output.splitlines() if x.startswith("answers ")]
    assert line.endswith("DIFFERENT")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "mysql://u@h/db", "--to", "sqlite:///x.sqlite"), "--from: use a sqlite:///"),
        (("--from", "surveyapp.sqlite", "--to", "sqlite:///x.sqlite"), "is not a database URL"),
        (("--from", "sqlite:///MISSING", "--to", "sqlite:///x.sqlite"), "no SQLite database"),
        (("--from", "PILOT", "--to", "sqlite:////no/such/dir/x.sqlite"), "does not exist"),
        (("--from", "PILOT", "--to", "PILOT"), "the same database"),
    ],
)
def test_bad_urls_are_one_clear_line(
    pilot: str, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    concrete = [
        pilot
        if a == "PILOT"
        else a.replace("MISSING", str(tmp_path / "missing.sqlite")).replace(
            "sqlite:///x.sqlite", pilot_url(tmp_path / "x.sqlite")
        )
        for a in args
    ]
    result = run("db", "copy", *concrete)
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.count("\n") <= 2
    assert not (tmp_path / "missing.sqlite").exists()
