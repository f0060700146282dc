"""Copy a surveyapp database to another one (SQLite <-> PostgreSQL) and prove the copy exact.

Every table of the models is copied, parents before children
(``Base.metadata.sorted_tables``), in batches read through a streaming
cursor from one consistent snapshot of the source, and written in one
transaction on the target (PostgreSQL: COPY). The target must be empty; it
is migrated with Alembic first, and source and target must then be at the
same revision. PostgreSQL's id sequences are then moved past the copied ids.

A copy is proven by per-table row counts and checksums (``db_checksums``)
of the rows read from the source and of the rows read back from the target.

Not handled: a JSON ``null`` in a nullable JSON column is stored as SQL NULL
on the target (the application reads both as ``None``, and so do checksums).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.util.exc import CommandError
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Integer,
    Table,
    bindparam,
    insert,
    inspect,
    literal,
    select,
    table,
    text,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.types import TypeEngine

from surveyapp import schema
from surveyapp.db import WRITE_OPTION, make_engine
from surveyapp.services.db_checksums import (
    BATCH_SIZE,
    Checksum,
    Progress,
    TableSummary,
    base_type,
    count_rows,
    model_tables,
    read_batches,
    snapshot,
    summarise,
)

__all__ = [
    "BATCH_SIZE",
    "Comparison",
    "CopyError",
    "Progress",
    "TableSummary",
    "Verification",
    "copy_database",
    "model_tables",
    "summarise",
    "verify",
]

#: Alembic's bookkeeping table: each side has its own, made by the migrations.
VERSION_TABLE = "alembic_version"
#: Tables of the schema that are not data: Alembic's revision, and the settings
#: generation that each database's own triggers keep (never copied: the target's
#: triggers give it a value of its own as the settings are written).
NOT_DATA = frozenset({VERSION_TABLE, *schema.UNMODELLED_TABLES})
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


class CopyError(Exception):
    """A copy or comparison that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Comparison:
    """One table on both sides; None where the table is missing on that side."""

    table: str
    source: TableSummary | None
    target: TableSummary | None

    @property
    def matches(self) -> bool:
        return self.source is not None and self.source == self.target


@dataclass(frozen=True)
class Verification:
    """Both sides' revisions and every table's counts and checksums."""

    source_revision: str | None
    target_revision: str | None
    tables: tuple[Comparison, ...]

    @property
    def mismatched(self) -> list[str]:
        return [c.table for c in self.tables if not c.matches]

    @property
    def ok(self) -> bool:
        return self.source_revision == self.target_revision and not self.mismatched


# --- URLs and engines -------------------------------------------------------------------------


def parse_url(raw: str, field: str) -> URL:
    """Parse a database URL given on the command line; ValueError names ``field``."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ValueError(
            f"{field}: {raw!r} is not a database URL "
            "(sqlite:///PATH or postgresql+psycopg://USER@HOST/DB)"
        ) from None
    backend = url.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise ValueError(f"{field}: use a sqlite:/// or postgresql+psycopg:// URL, not {backend!r}")
    if backend == "postgresql" and url.get_driver_name() != "psycopg":
        raise ValueError(f"{field}: use the psycopg 3 driver (postgresql+psycopg://...)")
    if backend == "sqlite" and url.database in (None, "", ":memory:"):
        raise ValueError(f"{field}: name a SQLite file (sqlite:///PATH), not an in-memory database")
    return url


def sqlite_path(url: URL) -> Path:
    """The file of a ``sqlite:///PATH`` URL."""
    return Path(url.database or "")


def describe(url: URL | Engine) -> str:
    """The URL with its password hidden, for messages."""
    target = url.url if isinstance(url, Engine) else url
    return target.render_as_string(hide_password=True)


def open_engine(url: URL, field: str, *, must_exist: bool) -> Engine:
    """Create an engine for ``url``; refuse a SQLite source file that does not exist.

    Opening a missing SQLite file would create an empty one, which a copy
    would then report as "no schema" instead of naming the typing mistake.
    """
    if url.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if must_exist and not path.is_file():
            raise CopyError(f"{field}: there is no SQLite database at {path}")
        if not must_exist and not path.parent.is_dir():
            raise CopyError(f"{field}: the directory {path.parent} does not exist")
    return make_engine(url.render_as_string(hide_password=False))


# --- Schema checks ----------------------------------------------------------------------------


def require_head(engine: Engine, role: str = "") -> str:
    """Return the database's revision; refuse one without the schema this code expects."""
    current = schema.current_revision(engine)
    head = schema.head_revision(engine)
    who = f"the {role} database" if role else "the database"
    if current is None:
        raise CopyError(f"{who} {describe(engine)} has no surveyapp schema (no Alembic revision)")
    if current != head:
        raise CopyError(
            f"{who} {describe(engine)} is at revision {current} but this version "
            f"of surveyapp is at revision {head}: upgrade it first "
            f"(SURVEYAPP_DATABASE_URL=... surveyapp init-db) or use the matching surveyapp version"
        )
    unknown = sorted(
        set(inspect(engine).get_table_names()) - {t.name for t in model_tables()} - NOT_DATA
    )
    if unknown:
        raise CopyError(
            f"{who} {describe(engine)} has tables this version of surveyapp "
            f"does not know ({', '.join(unknown)}); their rows would not be copied"
        )
    return current


def tables_with_rows(engine: Engine) -> list[str]:
    """The tables of ``engine`` (any table, not only surveyapp's) that hold a row."""
    names = [n for n in inspect(engine).get_table_names() if n not in NOT_DATA]
    filled = []
    with engine.connect() as conn:
        for name in names:
            query = select(literal(1)).select_from(table(name)).limit(1)
            if conn.execute(query).first() is not None:
                filled.append(name)
    return filled


def require_empty(engine: Engine, role: str = "target") -> None:
    """Refuse a database that holds any row: a copy never merges into existing data."""
    filled = tables_with_rows(engine)
    if filled:
        raise CopyError(
            f"the {role} database {describe(engine)} is not empty (rows in "
            f"{', '.join(filled)}); copy into a new, empty database"
        )


def migrate(engine: Engine, role: str = "target") -> str | None:
    """Bring ``engine`` to the newest revision; return it."""
    try:
        schema.upgrade(engine)
    except CommandError as exc:
        raise CopyError(
            f"could not migrate the {role} database {describe(engine)}: {exc}"
        ) from None
    return schema.current_revision(engine)


def _bind_type(column: Column[Any]) -> TypeEngine[Any]:
    """The column's type for writing: a nullable JSON column keeps a NULL a SQL NULL.

    (By default SQLAlchemy writes None into a JSON column as the JSON text ``null``.)
    """
    if isinstance(column.type, JSON) and column.nullable:
        nullable_json = copy.copy(column.type)
        nullable_json.none_as_null = True
        return nullable_json
    return column.type


Writer = Callable[[Sequence[Sequence[Any]]], None]


@contextmanager
def _insert_writer(target: Connection, table_: Table) -> Iterator[Writer]:
    """Write rows with executemany INSERTs (SQLite: one C loop per batch)."""
    # Parameters are named v0, v1...: bindparam() may not take a column's own name.
    names = [f"v{i}" for i in range(len(table_.columns))]
    statement = insert(table_).values(
        {
            column.key: bindparam(name, type_=_bind_type(column))
            for name, column in zip(names, table_.columns, strict=True)
        }
    )

    def write(rows: Sequence[Sequence[Any]]) -> None:
        target.execute(statement, [dict(zip(names, row, strict=True)) for row in rows])

    yield write


@contextmanager
def _copy_writer(target: Connection, table_: Table) -> Iterator[Writer]:
    """Write rows with one PostgreSQL COPY per table, in the target's transaction.

    Values go through the same SQLAlchemy bind processing as an INSERT (UTC
    timestamps, JSON), then psycopg's adapters; COPY is an order of magnitude
    faster than row-by-row INSERTs for a table of a million answers.
    """
    dialect = target.dialect
    processors = [
        _bind_type(column).dialect_impl(dialect).bind_processor(dialect)
        for column in table_.columns
    ]
    preparer = dialect.identifier_preparer
    columns = ", ".join(preparer.quote(column.name) for column in table_.columns)
    statement = f"COPY {preparer.format_table(table_)} ({columns}) FROM STDIN"
    driver: Any = target.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as pipe:

        def write(rows: Sequence[Sequence[Any]]) -> None:
            for row in rows:
                pipe.write_row(
                    [
                        value if process is None else process(value)
                        for process, value in zip(processors, row, strict=True)
                    ]
                )

        yield write


def reset_sequences(conn: Connection, tables: Sequence[Table]) -> None:
    """Point PostgreSQL's id sequences past the copied ids, so new rows can be inserted.

    SQLite needs nothing: it takes the next id from the largest one in the table.
    """
    if conn.dialect.name != "postgresql":
        return
    preparer = conn.dialect.identifier_preparer
    for table_ in tables:
        for column in table_.primary_key.columns:
            if not isinstance(base_type(column), Integer):
                continue
            sequence = conn.scalar(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": preparer.format_table(table_), "column": column.name},
            )
            if sequence is None:
                continue
            quoted = preparer.quote(column.name)
            conn.execute(
                text(
                    f"SELECT setval(CAST(:sequence AS regclass), "  # noqa: S608 - quoted names
                    f"COALESCE(MAX({quoted}), 1), MAX({quoted}) IS NOT NULL) "
                    f"FROM {preparer.format_table(table_)}"
                ),
                {"sequence": sequence},
            )


def _copy_table(
    source: Connection,
    target: Connection,
    table_: Table,
    batch_size: int,
    progress: Progress | None,
) -> TableSummary:
    total = count_rows(source, table_)
    checksum = Checksum(table_)
    if progress is not None:
        progress(table_.name, 0, total)
    writer = _copy_writer if target.dialect.name == "postgresql" else _insert_writer
    with writer(target, table_) as write:
        for rows in read_batches(source, table_, batch_size):
            checksum.add(rows)
            write(rows)
            if progress is not None:
                progress(table_.name, checksum.rows, total)
    return checksum.summary()


def compare(
    source_revision: str | None,
    target_revision: str | None,
    source: Mapping[str, TableSummary],
    target: Mapping[str, TableSummary],
) -> Verification:
    names = list(source) + [n for n in target if n not in source]
    return Verification(
        source_revision,
        target_revision,
        tuple(Comparison(n, source.get(n), target.get(n)) for n in names),
    )


def copy_database(
    source: Engine,
    target: Engine,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> Verification:
    """Copy every row of ``source`` into the empty ``target``, then verify the target.

    The source's counts and checksums are taken from the very rows copied (one
    snapshot, so an application still writing to the source cannot make the
    proof disagree); the target's are read back after the commit.
    """
    if describe(source) == describe(target):
        raise CopyError("the source and the target are the same database")
    source_revision = require_head(source, "source")
    require_empty(target)
    target_revision = migrate(target)
    if target_revision != source_revision:
        raise CopyError(
            f"the target database is at revision {target_revision} after migrating, "
            f"the source at {source_revision}"
        )
    tables = model_tables()
    copied = {}
    with snapshot(source) as reader, target.connect() as writer:
        # BEGIN IMMEDIATE on SQLite: take the write lock before the first row.
        writer.execution_options(**{WRITE_OPTION: True})
        with writer.begin():
            for table_ in tables:
                copied[table_.name] = _copy_table(reader, writer, table_, batch_size, progress)
            reset_sequences(writer, tables)
    written = summarise(target, batch_size=batch_size)
    return compare(source_revision, schema.current_revision(target), copied, written)


def verify(
    source: Engine,
    target: Engine,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> Verification:
    """Compare two databases' revisions and every table's counts and checksums."""
    source_revision = require_head(source, "source")
    target_revision = require_head(target, "target")
    return compare(
        source_revision,
        target_revision,
        summarise(source, batch_size=batch_size, progress=_labelled(progress, "source")),
        summarise(target, batch_size=batch_size, progress=_labelled(progress, "target")),
    )


def _labelled(progress: Progress | None, side: str) -> Progress | None:
    if progress is None:
        return None
    report = progress

    def labelled(table_name: str, done: int, total: int) -> None:
        report(f"{side} {table_name}", done, total)

    return labelled
