"""Shared fixtures: app, db (rolled back per test), client, runner, factories.

The suite runs on SQLite by default and on PostgreSQL when
SURVEYAPP_TEST_DATABASE_URL names a server (see the Makefile's test target).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Engine, text

from surveyapp import create_app, db_app, schema
from surveyapp.db import Database, make_engine

TEST_SECRET_KEY = "test-secret-key-not-for-production"
IN_CI = os.environ.get("CI") == "true"


def needs_tool(reason: str) -> None:
    """Skip on a developer's machine when a tool is missing; fail under CI."""
    if IN_CI:
        pytest.fail(f"CI must not skip: {reason}")
    print(f"SKIPPED: {reason}")
    pytest.skip(reason)


def reset_postgres(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty database of the backend under test."""
    url = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
    if not url:
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
        yield engine
        engine.dispose()
        return
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    name = f"migrate_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(str(admin.url.set(database=name)))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """One migrated database for the whole session; tests roll back their changes."""
    eng = make_engine(database_url)
    if eng.dialect.name == "postgresql":
        reset_postgres(eng)
    schema.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def app(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "DATABASE_URL": database_url,
            # The test client's requests go to http://localhost: the app's own origin.
            "PUBLIC_URL": "http://localhost",
        }
    )
    application.instance_path = str(tmp_path / "instance")
    own = db_app.get_db(application)
    own.engine.dispose()
    application.extensions[db_app.EXTENSION_KEY] = Database(engine)
    yield application


@pytest.fixture
def db(app: Flask, engine: Engine) -> Iterator[Database]:
    """The app's database, bound to one connection whose transaction is rolled back."""
    database = db_app.get_db(app)
    connection = engine.connect()
    transaction = connection.begin()
    database.bind_to(connection)
    try:
        yield database
    finally:
        database.bind_to(None)
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(app: Flask, db: Database) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask, db: Database) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def cli(runner: FlaskCliRunner) -> Any:
    """Invoke the ``surveyapp`` command line against the test app."""
    from surveyapp.cli import cli as group

    def invoke(*args: str, input: str | None = None) -> Any:
        return runner.invoke(group, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def _made_pdfs() -> Iterator[list[bytes]]:
    """Record every PDF a renderer returns during the session (see tests/pdfcheck.py)."""
    from surveyapp.renderers.pdf import Document

    made: list[bytes] = []
    original = Document.output_bytes

    def recording(self: Document) -> bytes:
        data = original(self)
        made.append(data)
        return data

    Document.output_bytes = recording  # type: ignore[method-assign]
    try:
        yield made
    finally:
        Document.output_bytes = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _pdfs_are_sound(_made_pdfs: list[bytes]) -> Iterator[None]:
    """Fail a test when a PDF it made has a syntax error or ``nan`` in a drawing."""
    from tests.pdfcheck import problems

    first = len(_made_pdfs)
    yield
    made = _made_pdfs[first:]
    del _made_pdfs[first:]
    found = [f"PDF {i + 1}: {p}" for i, data in enumerate(made) for p in problems(data)]
    if found:
        pytest.fail("unsound PDF made by this test:\n" + "\n".join(found), pytrace=False)
