"""Row counts and checksums of every model table, comparable across SQLite and PostgreSQL.

A table's checksum is the sum modulo 2**256 of the SHA-256 of each of its
rows, so it does not depend on the order rows come back in (SQLite's binary
and PostgreSQL's locale collations order text keys differently) and needs no
sort of a large table. Each value is first normalised by its column type, so
the same timestamp, boolean, number, JSON document or byte string compares
equal whatever representation the backend returns. Rows are streamed in
batches from one consistent snapshot: memory stays flat at any table size.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    Interval,
    LargeBinary,
    Numeric,
    Row,
    Table,
    Time,
    TypeDecorator,
    func,
    select,
)
from sqlalchemy.types import TypeEngine

from surveyapp.models import Base

#: Rows read, checksummed and written at a time.
BATCH_SIZE = 5000
_MODULUS = 2**256

#: Called with (table, rows done, rows in the table) before and after each batch.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class TableSummary:
    """A table's row count and order-independent checksum (64 hex digits)."""

    table: str
    rows: int
    checksum: str


def model_tables() -> list[Table]:
    """Every table the models define, parents before children."""
    return list(Base.metadata.sorted_tables)


Normaliser = Callable[[Any], Any]


#: Built once: json.dumps with options builds a new encoder on every call.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
_ROW = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _canonical_json(value: Any) -> str:
    return _CANONICAL.encode(value)


def _plain(value: Any) -> Any:
    """Normalise a value by its Python type (columns of a type not listed below)."""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return _datetime(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return _decimal(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return _canonical_json(value)
    return f"{type(value).__name__}:{value}"


def _datetime(value: dt.datetime) -> str:
    # An aware value is compared as the UTC instant it is; a naive one as written.
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat()


def _decimal(value: Any) -> str:
    number = value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))
    return str(number.normalize()) if number.is_finite() else str(number)


def _bytes(value: Any) -> str:
    return bytes(value).hex()


def base_type(column: Column[Any]) -> TypeEngine[Any]:
    """The column's type under any TypeDecorator (``UTCDateTime`` is a DateTime)."""
    kind: TypeEngine[Any] = column.type
    while isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return kind


def normaliser(column: Column[Any]) -> Normaliser:
    """How a column's values are normalised before hashing, chosen by its type."""
    kind = base_type(column)
    # Order matters: Boolean before Integer, Float (a Numeric) before Numeric.
    table_: tuple[tuple[type[TypeEngine[Any]], Normaliser], ...] = (
        (Boolean, bool),
        (Integer, int),
        (Float, float),
        (Numeric, _decimal),
        (DateTime, _datetime),
        (Date, dt.date.isoformat),
        (Time, dt.time.isoformat),
        (Interval, lambda v: v.total_seconds()),
        (LargeBinary, _bytes),
        (JSON, _canonical_json),
    )
    for base, function in table_:
        if isinstance(kind, base):
            return function
    return _plain


class Checksum:
    """Accumulates one table's row count and checksum."""

    def __init__(self, table_: Table) -> None:
        self.table = table_.name
        self.normalisers = [normaliser(c) for c in table_.columns]
        self.rows = 0
        self.total = 0

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        for row in rows:
            values = [
                None if value is None else normalise(value)
                for normalise, value in zip(self.normalisers, row, strict=True)
            ]
            encoded = _ROW.encode(values)
            digest = hashlib.sha256(encoded.encode("utf-8")).digest()
            self.total = (self.total + int.from_bytes(digest, "big")) % _MODULUS
        self.rows += len(rows)

    def summary(self) -> TableSummary:
        return TableSummary(self.table, self.rows, f"{self.total:064x}")


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read transaction that sees one consistent state of the whole database.

    SQLite (WAL) gives each read transaction a snapshot; PostgreSQL needs
    REPEATABLE READ for it. Writers are not blocked meanwhile.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


def count_rows(conn: Connection, table_: Table) -> int:
    return conn.scalar(select(func.count()).select_from(table_)) or 0


def read_batches(conn: Connection, table_: Table, batch_size: int) -> Iterator[Sequence[Row[Any]]]:
    """Stream a table's rows in primary-key order (server-side cursor on PostgreSQL)."""
    query = select(*table_.columns).order_by(*table_.primary_key.columns)
    result = conn.execute(query, execution_options={"yield_per": batch_size})
    yield from result.partitions()


def summarise(
    engine: Engine, *, batch_size: int = BATCH_SIZE, progress: Progress | None = None
) -> dict[str, TableSummary]:
    """Count and checksum every model table of ``engine``, from one snapshot."""
    summaries = {}
    with snapshot(engine) as conn:
        for table_ in model_tables():
            total = count_rows(conn, table_)
            checksum = Checksum(table_)
            if progress is not None:
                progress(table_.name, 0, total)
            for rows in read_batches(conn, table_, batch_size):
                checksum.add(rows)
                if progress is not None:
                    progress(table_.name, checksum.rows, total)
            summaries[table_.name] = checksum.summary()
    return summaries
