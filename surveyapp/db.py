"""Database engine and sessions: SQLite (WAL) by default, PostgreSQL at scale.

SQLite connections run with WAL, foreign keys, a busy timeout and
driver-level autocommit, so SQLAlchemy's BEGIN is ours to emit: ``BEGIN``
for reads, ``BEGIN IMMEDIATE`` for writes (taking the write lock up front
instead of failing with SQLITE_BUSY half-way through a transaction).
Connection pools are discarded in a forked child, so no connection is ever
shared across a fork (gunicorn workers, multiprocessing).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

WRITE_OPTION = "surveyapp_write"

_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def _dispose_after_fork() -> None:
    for engine in list(_engines):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_dispose_after_fork)


def make_engine(url: str, *, busy_timeout_ms: int = 5000, **kwargs: Any) -> Engine:
    """Create an engine configured for the backend named by ``url``."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
            **kwargs,
        )
        _configure_sqlite(engine, busy_timeout_ms)
    else:
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
    _engines.add(engine)
    return engine


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Leave transaction control to the "begin" listener below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


class Database:
    """Owns the engine; hands out read sessions and write transactions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._bind: Engine | Connection = engine
        self._writer: Engine | None = None

    def bind_to(self, connection: Connection | None) -> None:
        """Route every session through ``connection`` (tests roll it back)."""
        self._bind = connection if connection is not None else self.engine

    def session(self) -> Session:
        """Return a new session for reading (and writing when the caller commits).

        Bound to a test's connection, it joins that connection's transaction
        without a savepoint of its own, so closing it cannot undo a write
        transaction that ran meanwhile on the same connection.
        """
        return Session(
            bind=self._bind, expire_on_commit=False, join_transaction_mode="rollback_only"
        )

    @contextmanager
    def write(self) -> Iterator[Session]:
        """Run one write transaction: commit on success, roll back on any error."""
        bind = self._bind
        if isinstance(bind, Engine):
            bind = bind.execution_options(**{WRITE_OPTION: True})
        session = Session(
            bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """Read in one short transaction on a Core connection (no ORM session).

        Bound to a test's connection, it reads in that connection's transaction.
        """
        bind = self._bind
        if isinstance(bind, Engine):
            with bind.connect() as conn:
                yield conn
        else:
            yield bind

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """Run one write transaction on a Core connection: commit, or roll back on error."""
        bind = self._bind
        if isinstance(bind, Engine):
            if self._writer is None or self._writer.engine is not bind:
                self._writer = bind.execution_options(**{WRITE_OPTION: True})
            with self._writer.begin() as conn:
                yield conn
        else:
            with bind.begin_nested():
                yield bind

    def refresh_statistics(self, tables: tuple[str, ...] = ("responses", "answers")) -> None:
        """Bring PostgreSQL's planner statistics up to date after a bulk load (ANALYZE).

        Autovacuum does it within minutes; until then a report or ``alerts run`` right
        after tens of thousands of new rows is planned on the counts from before them
        (seen as a join of responses and answers taking minutes instead of seconds).
        SQLite plans without such statistics: nothing to do there.
        """
        if is_sqlite(self.engine):
            return
        with self.write_connection() as conn:
            for table in tables:
                conn.execute(text(f"ANALYZE {table}"))

    def dispose(self) -> None:
        self.engine.dispose()
