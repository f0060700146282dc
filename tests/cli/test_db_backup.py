"""``surveyapp db backup`` and ``db restore``: a restore brings back exactly the data."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import delete, update

from surveyapp.cli import cli
from surveyapp.models import Agency, Answer, DossierCode
from surveyapp.services import db_copy
from surveyapp.services.db_checksums import TableSummary
from tests.conftest import needs_tool
from tests.services.db_copy_support import (
    build_pilot,
    engine_for,
    fresh_postgres_database,
    new_submission,
    pilot_url,
)


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pilot") / "pilot.sqlite"
    build_pilot(path, responses=30)
    return path


@pytest.fixture
def live(pilot: Path, tmp_path: Path) -> Path:
    """A copy of the pilot that a test may change."""
    path = tmp_path / "live.sqlite"
    assert not Path(f"{pilot}-wal").exists()  # closed cleanly: the file is the whole database
    shutil.copyfile(pilot, path)
    return path


def summaries(url: str) -> dict[str, TableSummary]:
    engine = engine_for(url)
    try:
        return db_copy.summarise(engine)
    finally:
        engine.dispose()


def damage(url: str) -> None:
    """What a bad day does: rows deleted, a row changed."""
    engine = engine_for(url)
    try:
        with engine.begin() as conn:
            conn.execute(delete(DossierCode))
            conn.execute(delete(Answer).where(Answer.value_text.is_not(None)))
            conn.execute(update(Agency).where(Agency.code == "Q1").values(name_en="Changed"))
    finally:
        engine.dispose()


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_sqlite_backup_and_restore_bring_back_exactly_the_data(live: Path, tmp_path: Path) -> None:
    url = pilot_url(live)
    original = summaries(url)
    backup = tmp_path / "backup.sqlite"

    made = run("db", "backup", "--database", url, "--to", str(backup))
    assert made.exit_code == 0, made.output
    assert "SQLite online backup" in made.output
    assert not Path(f"{backup}-wal").exists()  # one self-contained file
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".backup")] == []
    refused = run("db", "backup", "--database", url, "--to", str(backup))
    assert refused.exit_code == 1
    assert "exists; pass --force" in refused.output
    assert run("db", "backup", "--database", url, "--to", str(backup), "--force").exit_code == 0

    elsewhere = pilot_url(tmp_path / "restored.sqlite")
    restored = run("db", "restore", "--from", str(backup), "--database", elsewhere)
    assert restored.exit_code == 0, restored.output
    assert summaries(elsewhere) == original

    damage(url)
    damaged = summaries(url)
    assert damaged != original
    refused = run("db", "restore", "--from", str(backup), "--database", url)
    assert refused.exit_code == 1
    assert "pass --force" in refused.output
    assert summaries(url) == damaged
    forced = run("db", "restore", "--from", str(backup), "--database", url, "--force")
    assert forced.exit_code == 0, forced.output
    assert summaries(url) == original
    engine = engine_for(url)
    try:
        assert new_submission(engine) > 0
    finally:
        engine.dispose()


def test_sqlite_backup_while_the_app_is_writing(live: Path, tmp_path: Path) -> None:
    url = pilot_url(live)
    original = summaries(url)
    writer = sqlite3.connect(live, isolation_level=None)
    try:
        assert writer.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO login_failures (account_key, ip_key, failed_at) "
            "VALUES (?, ?, '2017-05-05 10:00:00.000000')",
            ("c" * 64, "d" * 64),
        )
        # The writer holds the write lock: the backup neither waits nor sees its row.
        during = tmp_path / "during.sqlite"
        assert run("db", "backup", "--database", url, "--to", str(during)).exit_code == 0
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert summaries(pilot_url(during)) == original
    after = tmp_path / "after.sqlite"
    assert run("db", "backup", "--database", url, "--to", str(after)).exit_code == 0
    assert summaries(pilot_url(after))["login_failures"].rows == (
        original["login_failures"].rows + 1
    )


def test_backup_reads_the_configured_database(live: Path, tmp_path: Path) -> None:
    env = {
        "SURVEYAPP_DATABASE_URL": pilot_url(live),
        "SURVEYAPP_INSTANCE_PATH": str(tmp_path / "instance"),
        "SURVEYAPP_SECRET_KEY": "k" * 48,
    }
    result = run("db", "backup", "--to", str(tmp_path / "b.sqlite"), env=env)
    assert result.exit_code == 0, result.output
    assert f"Backed up {pilot_url(live)}" in result.output
    checksums = run("db", "checksums", env=env)
    assert checksums.exit_code == 0, checksums.output
    answers = summaries(pilot_url(live))["answers"]
    assert "answers" in checksums.output and answers.checksum in checksums.output


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    target = pilot_url(tmp_path / "new.sqlite")
    missing = run("db", "restore", "--from", str(tmp_path / "nope"), "--database", target)
    assert missing.exit_code == 1
    assert "there is no backup file" in missing.output
    text = tmp_path / "notes.txt"
    text.write_text("not a database", encoding="utf-8")
    wrong = run("db", "restore", "--from", str(text), "--database", target)
    assert wrong.exit_code == 1
    assert "is not a SQLite database backup" in wrong.output
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00")
    wrong = run("db", "restore", "--from", str(dump), "--database", target)
    assert "(it is a pg_dump archive)" in wrong.output
    assert not (tmp_path / "new.sqlite").exists()


def test_missing_pg_dump_is_a_clear_error(tmp_path: Path) -> None:
    result = run(
        "db",
        "backup",
        "--database",
        "postgresql+psycopg://surveyapp@127.0.0.1:1/surveyapp",
        "--to",
        str(tmp_path / "x.dump"),
        env={"PATH": str(tmp_path)},
    )
    assert result.exit_code == 1
    assert "pg_dump is not on PATH" in result.output
    assert not (tmp_path / "x.dump").exists()


def test_postgresql_backup_and_restore_bring_back_exactly_the_data(
    pilot: Path, tmp_path: Path
) -> None:
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            needs_tool(f"{tool} (Debian: apt-get install postgresql-client)")
    with fresh_postgres_database("backup") as url:
        source, engine = engine_for(pilot_url(pilot)), engine_for(url)
        try:
            assert db_copy.copy_database(source, engine).ok
        finally:
            source.dispose()
            engine.dispose()
        original = summaries(url)
        dump = tmp_path / "surveyapp.dump"
        made = run("db", "backup", "--database", url, "--to", str(dump))
        assert made.exit_code == 0, made.output
        assert "pg_dump --format=custom" in made.output
        assert dump.read_bytes().startswith(b"PGDMP")

        damage(url)
        assert summaries(url) != original
        refused = run("db", "restore", "--from", str(dump), "--database", url)
        assert refused.exit_code == 1
        assert "holds data" in refused.output
        forced = run("db", "restore", "--from", str(dump), "--database", url, "--force")
        assert forced.exit_code == 0, forced.output
        assert summaries(url) == original
        engine = engine_for(url)
        try:
            assert new_submission(engine) > 0  # sequences came back with the data
        finally:
            engine.dispose()

        with fresh_postgres_database("restore") as empty:
            into_empty = run("db", "restore", "--from", str(dump), "--database", empty)
            assert into_empty.exit_code == 0, into_empty.output
            assert summaries(empty) == original
            wrong = run(
                "db", "restore", "--from", str(dump), "--database", pilot_url(tmp_path / "x.sqlite")
            )
            assert "(it is a pg_dump archive)" in wrong.output
