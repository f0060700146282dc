"""``surveyapp init-db`` and ``surveyapp db``: copy, verify, back up and restore the database."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from surveyapp import db_app, schema
from surveyapp.services import backup as backups
from surveyapp.services import db_copy
from surveyapp.services.db_copy import CopyError, Verification


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database schema, or upgrade it to the newest revision."""
    engine = db_app.get_db(current_app).engine
    try:
        before = schema.current_revision(engine)
        schema.upgrade(engine)
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"could not migrate the database: {exc.__class__.__name__}: "
            f"{exc.orig if hasattr(exc, 'orig') else exc}"
        ) from None
    after = schema.current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"Database {where} is up to date (revision {after}).")
    else:
        click.echo(f"Database {where} migrated from {before or 'empty'} to revision {after}.")


@click.group("db")
def group() -> None:
    """Move the database to another server, compare two databases, back up and restore."""


@contextmanager
def _errors() -> Iterator[None]:
    """Turn the service's refusals and database errors into one clear line."""
    try:
        yield
    except (CopyError, backups.BackupError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        raise click.ClickException(
            f"database error: {exc.__class__.__name__}: {str(detail).strip()}"
        ) from None


@contextmanager
def _engines(*specs: tuple[str, str, bool]) -> Iterator[list[Engine]]:
    """Open an engine per (url, option, must_exist), disposing of them all afterwards."""
    engines: list[Engine] = []
    try:
        with _errors():
            for raw, field, must_exist in specs:
                url = db_copy.parse_url(raw, field)
                engines.append(db_copy.open_engine(url, field, must_exist=must_exist))
        yield engines
    finally:
        for engine in engines:
            engine.dispose()


class _Progress:
    """Prints each table when done, and large tables every few seconds meanwhile."""

    INTERVAL = 3.0

    def __init__(self, verb: str) -> None:
        self.verb = verb
        self.last = time.monotonic()

    def __call__(self, table: str, done: int, total: int) -> None:
        now = time.monotonic()
        if total == 0:
            return
        if done == total:
            click.echo(f"  {self.verb} {table}: {total:,} rows", err=True)
            self.last = now
        elif done and now - self.last >= self.INTERVAL:
            click.echo(f"  {self.verb} {table}: {done:,} / {total:,} rows", err=True)
            self.last = now


def _short(summary: db_copy.TableSummary | None) -> tuple[str, str]:
    if summary is None:
        return "-", "(missing)"
    return f"{summary.rows:,}", summary.checksum[:16]


def _report(result: Verification) -> None:
    """Print the table of counts and checksums; fail when anything differs."""
    header = ("table", "source rows", "target rows", "source checksum", "target checksum", "")
    rows = [header]
    for comparison in result.tables:
        source_rows, source_sum = _short(comparison.source)
        target_rows, target_sum = _short(comparison.target)
        verdict = "ok" if comparison.matches else "DIFFERENT"
        rows.append((comparison.table, source_rows, target_rows, source_sum, target_sum, verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        cells = [
            cell.ljust(width) if i in (0, 3, 4, 5) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        click.echo("  ".join(cells).rstrip())
    click.echo(f"revision: source {result.source_revision}, target {result.target_revision}")
    if result.source_revision != result.target_revision:
        raise click.ClickException("the databases are at different schema revisions")
    if result.mismatched:
        raise click.ClickException(
            f"verification failed: {len(result.mismatched)} table(s) differ: "
            f"{', '.join(result.mismatched)}"
        )


@group.command("copy")
@click.option("--from", "source", required=True, metavar="URL", help="The database to copy.")
@click.option(
    "--to", "target", required=True, metavar="URL", help="An empty database (migrated first)."
)
def copy(source: str, target: str) -> None:
    """Copy every row into an empty database, then verify counts and checksums.

    For example --from sqlite:///instance/surveyapp.sqlite --to
    postgresql+psycopg://USER@HOST/DB. The source is only read, from one
    consistent snapshot; stop the application (or keep it from writing) first,
    since rows written after the copy starts stay behind. The target is
    written in one transaction: on any error it is left empty.
    """
    with _engines((source, "--from", True), (target, "--to", False)) as (reader, writer):
        click.echo(f"Copying {db_copy.describe(reader)} to {db_copy.describe(writer)}", err=True)
        with _errors():
            result = db_copy.copy_database(reader, writer, progress=_Progress("copied"))
    _report(result)
    total = sum(c.target.rows for c in result.tables if c.target is not None)
    click.echo(f"Copied and verified {len(result.tables)} tables, {total:,} rows.")


@group.command("verify")
@click.option("--from", "source", required=True, metavar="URL", help="One database.")
@click.option("--to", "target", required=True, metavar="URL", help="The other database.")
def verify(source: str, target: str) -> None:
    """Compare two databases table by table: row counts and checksums.

    Exits with status 1 when any table differs. Checksums do not depend on
    the backend: a SQLite database and its PostgreSQL copy compare equal.
    """
    engines = _engines((source, "--from", True), (target, "--to", True))
    with engines as (one, other), _errors():
        result = db_copy.verify(one, other, progress=_Progress("read"))
    _report(result)
    click.echo(f"All {len(result.tables)} tables are identical.")


def _database_url(raw: str | None) -> URL:
    """The ``--database`` URL, or else the configured one (SURVEYAPP_DATABASE_URL)."""
    if raw is None:
        app = click.get_current_context().ensure_object(ScriptInfo).load_app()
        raw = str(app.config["DATABASE_URL"])
    with _errors():
        return db_copy.parse_url(raw, "--database")


DATABASE_OPTION = click.option(
    "--database",
    metavar="URL",
    default=None,
    help="The database (default: the configured SURVEYAPP_DATABASE_URL).",
)


@group.command("checksums")
@DATABASE_OPTION
def checksums(database: str | None) -> None:
    """Print every table's row count and checksum (compare them before and after a move)."""
    url = _database_url(database)
    engines = _engines((url.render_as_string(hide_password=False), "--database", True))
    with engines as (engine,), _errors():
        revision = db_copy.require_head(engine)
        summaries = db_copy.summarise(engine)
    width = max(len(name) for name in summaries)
    for summary in summaries.values():
        click.echo(f"{summary.table.ljust(width)}  {summary.rows:>12,}  {summary.checksum}")
    click.echo(f"revision {revision}")


@group.command("backup")
@click.option(
    "--to", "destination", required=True, type=click.Path(path_type=Path), help="Backup file."
)
@DATABASE_OPTION
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def backup(destination: Path, database: str | None, force: bool) -> None:
    """Back up the database while the application runs.

    SQLite: the online backup API (one consistent snapshot, one file).
    PostgreSQL: pg_dump --format=custom (pg_dump must be on PATH).
    """
    url = _database_url(database)
    with _errors():
        result = backups.backup(url, destination, force=force)
    click.echo(
        f"Backed up {db_copy.describe(url)} to {result.path} "
        f"({result.size:,} bytes, {result.method})."
    )


@group.command("restore")
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(path_type=Path),
    help="A file written by `surveyapp db backup`.",
)
@DATABASE_OPTION
@click.option(
    "--force", is_flag=True, help="Replace an existing database (stop the application first)."
)
def restore(source: Path, database: str | None, force: bool) -> None:
    """Restore a backup into the database.

    SQLite: refuses when the database file exists, unless --force.
    PostgreSQL: pg_restore --clean --if-exists --no-owner in one transaction;
    refuses when the database holds rows, unless --force.
    """
    url = _database_url(database)
    with _errors():
        method = backups.restore(url, source, force=force)
    click.echo(f"Restored {source} into {db_copy.describe(url)} ({method}).")
