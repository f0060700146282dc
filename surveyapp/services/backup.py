"""Backups and restores of the configured database, safe while the application runs.

SQLite: the online backup API copies one consistent snapshot of the database
(WAL: the application keeps reading and writing meanwhile) into a single
self-contained file; a restore copies a backup into place through the same API,
so stale ``-wal``/``-shm`` files of the old database can never be replayed
onto the restored one. PostgreSQL: ``pg_dump --format=custom`` and
``pg_restore --clean --if-exists --no-owner`` into the configured database,
in one transaction.

A backup is written next to its destination under a temporary name and renamed
into place once complete, so a failed or interrupted backup never leaves a
truncated file where a good one is expected.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from surveyapp.db import make_engine
from surveyapp.services.db_copy import describe, sqlite_path, tables_with_rows

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
DEFAULT_BUSY_TIMEOUT_MS = 5000


class BackupError(Exception):
    """A backup or restore that cannot go ahead or failed; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    method: str


def backup(
    url: URL,
    destination: Path,
    *,
    force: bool = False,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
) -> BackupResult:
    """Write a backup of the database at ``url`` to ``destination``.

    Refuses to overwrite an existing file unless ``force``.
    """
    if destination.is_dir():
        raise BackupError(f"--to: {destination} is a directory; name the backup file")
    if destination.exists() and not force:
        raise BackupError(f"--to: {destination} exists; pass --force to replace it")
    if not destination.parent.is_dir():
        raise BackupError(f"--to: the directory {destination.parent} does not exist")
    if url.get_backend_name() == "sqlite":
        with _staged(destination) as partial:
            _sqlite_backup(sqlite_path(url), partial, busy_timeout_ms)
        method = "SQLite online backup"
    else:
        with _staged(destination) as partial:
            _run(
                "pg_dump",
                ["--format=custom", "--file", str(partial), "--dbname", _libpq_url(url)],
                url,
            )
        method = "pg_dump --format=custom"
    return BackupResult(destination, destination.stat().st_size, method)


def restore(
    url: URL,
    source: Path,
    *,
    force: bool = False,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
) -> str:
    """Restore the backup file ``source`` into the database at ``url``; return the method.

    Refuses to replace an existing SQLite file, or a PostgreSQL database holding
    rows, unless ``force``. Stop the application before a forced restore.
    """
    if not source.is_file():
        raise BackupError(f"--from: there is no backup file at {source}")
    with source.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if url.get_backend_name() == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(
                f"--from: {source} is not a SQLite database backup"
                + (" (it is a pg_dump archive)" if head.startswith(PG_DUMP_MAGIC) else "")
            )
        target = sqlite_path(url)
        if target.exists() and not force:
            raise BackupError(
                f"the database {target} exists; stop the application and pass --force to "
                "replace it with the backup"
            )
        if not target.parent.is_dir():
            raise BackupError(f"the directory {target.parent} does not exist")
        _sqlite_restore(source, target, busy_timeout_ms)
        return "SQLite online backup"
    if not head.startswith(PG_DUMP_MAGIC):
        raise BackupError(
            f"--from: {source} is not a pg_dump archive (--format=custom)"
            + (" (it is a SQLite database)" if head.startswith(SQLITE_MAGIC) else "")
        )
    if not force:
        _require_no_rows(url)
    _run(
        "pg_restore",
        [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            _libpq_url(url),
            str(source),
        ],
        url,
    )
    return "pg_restore --clean --if-exists --no-owner"


# --- SQLite -----------------------------------------------------------------------------------


def _connect(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None)


def _check(connection: sqlite3.Connection, what: str) -> None:
    row = connection.execute("PRAGMA quick_check").fetchone()
    if row is None or row[0] != "ok":
        raise BackupError(f"{what} failed SQLite's integrity check: {row[0] if row else '?'}")


def _sqlite_backup(source: Path, destination: Path, busy_timeout_ms: int) -> None:
    if not source.is_file():
        raise BackupError(f"there is no SQLite database at {source}")
    try:
        with (
            contextlib.closing(_connect(source, busy_timeout_ms)) as src,
            contextlib.closing(_connect(destination, busy_timeout_ms)) as dst,
        ):
            # All pages in one step: one read transaction, hence one consistent
            # snapshot; a step-wise backup restarts whenever the app commits.
            src.backup(dst, pages=-1)
            # A single self-contained file, whatever mode the live database runs in.
            dst.execute("PRAGMA journal_mode=DELETE")
            _check(dst, "the backup")
    except sqlite3.Error as exc:
        raise BackupError(f"the SQLite backup of {source} failed: {exc}") from None


def _sqlite_restore(source: Path, target: Path, busy_timeout_ms: int) -> None:
    try:
        with contextlib.closing(
            sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        ) as src:
            _check(src, f"the backup {source}")
            with contextlib.closing(_connect(target, busy_timeout_ms)) as dst:
                src.backup(dst, pages=-1)
                _check(dst, "the restored database")
    except sqlite3.Error as exc:
        raise BackupError(f"restoring {source} into {target} failed: {exc}") from None


@contextlib.contextmanager
def _staged(destination: Path) -> Iterator[Path]:
    """A temporary file beside ``destination``, renamed to it when the block succeeds."""
    handle, name = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
    os.close(handle)
    partial = Path(name)
    partial.unlink()  # the tools create it themselves
    try:
        yield partial
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        partial.replace(destination)
        directory = os.open(destination.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)
    finally:
        partial.unlink(missing_ok=True)


# --- PostgreSQL -------------------------------------------------------------------------------


def _libpq_url(url: URL) -> str:
    """The URL as libpq reads it: no driver name, and no password (it goes in PGPASSWORD)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(tool: str, arguments: list[str], url: URL) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            f"{tool} is not on PATH: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client) of the server's major version or newer"
        )
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    completed = subprocess.run(  # noqa: S603 - a fixed tool from PATH, arguments as a list
        [executable, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        detail = completed.stderr.strip() or f"exit status {completed.returncode}"
        raise BackupError(f"{tool} failed for {describe(url)}: {detail}")


def _require_no_rows(url: URL) -> None:
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        filled = tables_with_rows(engine)
    finally:
        engine.dispose()
    if filled:
        raise BackupError(
            f"the database {describe(url)} holds data (rows in {', '.join(filled)}); "
            "stop the application and pass --force to replace it with the backup"
        )
