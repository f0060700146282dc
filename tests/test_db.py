from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from surveyapp.db import Database, make_engine


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Database:
    return Database(make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}", busy_timeout_ms=1234))


def test_sqlite_pragmas(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 1234
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


def test_writes_take_the_lock_at_begin(sqlite_db: Database) -> None:
    """A write transaction holds SQLite's RESERVED lock from BEGIN IMMEDIATE on."""
    with sqlite_db.write() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    other = Database(make_engine(str(sqlite_db.engine.url), busy_timeout_ms=0))
    entered = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with sqlite_db.write() as session:
            session.execute(text("SELECT 1"))  # no write yet: the lock comes from BEGIN
            entered.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    assert entered.wait(5)
    try:
        with pytest.raises(Exception, match="locked"), other.write() as session:
            session.execute(text("SELECT 1"))
        # Readers are not blocked by the writer (WAL).
        with other.session() as session:
            assert session.execute(text("SELECT count(*) FROM t")).scalar() == 0
    finally:
        release.set()
        worker.join()


def test_write_rolls_back_on_error(sqlite_db: Database) -> None:
    with sqlite_db.write() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    with pytest.raises(RuntimeError), sqlite_db.write() as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        raise RuntimeError("boom")
    with sqlite_db.session() as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar() == 0


def test_pool_is_not_shared_across_fork(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    parent_pool = sqlite_db.engine.pool
    checked_in = parent_pool.checkedin()
    assert checked_in >= 1
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: the inherited pool must have been replaced, not reused
        os.close(read)
        ok = sqlite_db.engine.pool is not parent_pool and sqlite_db.engine.pool.checkedin() == 0
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    assert os.read(read, 1) == b"1"
    os.waitpid(pid, 0)
    assert sqlite_db.engine.pool is parent_pool
