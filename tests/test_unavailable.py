"""A locked, read-only or full database, or an unreachable server, answers 503 + Retry-After.

Each test runs the app on its own SQLite file (the shared test database is
rolled back per test and cannot be made read-only or full). Nothing may be
half-written: after a refused submission the database holds exactly what it
held before, and its integrity check passes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from surveyapp import create_app, db_app, schema
from surveyapp.db import Database, make_engine
from surveyapp.services.agencies import AgencyInput, add_agency
from surveyapp.services.questionnaires import load_files
from surveyapp.unavailable import is_temporary
from tests.conftest import TEST_SECRET_KEY
from tests.public.conftest import AGENCY, APP_ORIGIN, DATA, SLUG, VALID, token_of

FORM = f"/q/{SLUG}?agency={AGENCY}"
API_ANSWERS = {"access_overall": 4, "visited": "no", "channels": ["web"], "recommend": 10}


def _make_database(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    schema.upgrade(engine)
    with Database(engine).write() as session:
        load_files(session, [DATA / "every-type.yaml"])
        add_agency(session, AgencyInput(AGENCY, "Quận 1", "District 1", "district", []))
    engine.dispose()
    return url


def _app(url: str, **config: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "DATABASE_URL": url,
            "MIN_FILL_SECONDS": 0,
            "RATELIMIT_ENABLED": False,
            # The app's own origin comes from its public URL, never from the Host header.
            "PUBLIC_URL": APP_ORIGIN,
            **config,
        }
    )


def _counts(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        responses = conn.execute("SELECT count(*) FROM responses").fetchone()[0]
        answers = conn.execute("SELECT count(*) FROM answers").fetchone()[0]
    return responses, answers


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _post(app: Flask, token: str) -> Any:
    return app.test_client().post(
        FORM, data={"_token": token, **VALID}, headers={"Origin": APP_ORIGIN}
    )


def _token(app: Flask) -> str:
    response = app.test_client().get(FORM)
    assert response.status_code == 200
    return token_of(response.text)


def _assert_503(response: Any) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "Traceback" not in response.text
    assert "sqlite" not in response.text.lower()


@pytest.fixture
def db_file(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    path = tmp_path / "unavailable.sqlite"
    yield path, _make_database(path)


def test_lock_held_past_the_busy_timeout_is_503_and_a_retry_stores_one_row(
    db_file: tuple[Path, str],
) -> None:
    path, url = db_file
    app = _app(url, SQLITE_BUSY_TIMEOUT_MS=50)
    token = _token(app)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        _assert_503(_post(app, token))
        api = app.test_client().post(
            "/api/v1/responses",
            json={"questionnaire": SLUG, "token": _token(app), "answers": API_ANSWERS},
        )
        _assert_503(api)
        assert api.json is not None and api.json["retry_after"] > 0
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert _counts(path) == (0, 0)
    first = _post(app, token)
    again = _post(app, token)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert _counts(path)[0] == 1
    assert _integrity(path) == "ok"


def test_read_only_database_is_503_and_stores_nothing(db_file: tuple[Path, str]) -> None:
    path, _url = db_file
    # The tests run as root, for whom file permissions do not apply: open the file
    # read-only the way SQLite opens a file it may not write.
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    app = _app(read_only)
    token = _token(app)
    _assert_503(_post(app, token))
    assert "gửi lại" in _post(app, token).text  # the page speaks the respondent's language
    assert _counts(path) == (0, 0)
    assert _integrity(path) == "ok"


def test_full_database_is_503_never_2xx_and_nothing_is_half_written(
    db_file: tuple[Path, str],
) -> None:
    path, url = db_file
    app = _app(url)
    ok = _post(app, _token(app))
    assert ok.status_code == 303
    before = _counts(path)
    engine = db_app.get_db(app).engine
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _cap_size(dbapi_connection: Any, _record: Any) -> None:
        # No page may be added: the next response's rows cannot fit.
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={int(pages)}")

    long_comment = {**VALID, "comment": "x" * 500, "occupation": "y" * 40}
    refused = []
    for _ in range(30):  # enough rows to need a new page whatever the free space
        response = app.test_client().post(
            FORM, data={"_token": _token(app), **long_comment}, headers={"Origin": APP_ORIGIN}
        )
        assert response.status_code in (303, 503)
        if response.status_code == 503:
            _assert_503(response)
            refused.append(response)
    assert refused, "the capped database never filled up"
    engine.dispose()
    responses, answers = _counts(path)
    stored = responses - before[0]
    assert stored == 30 - len(refused)
    with sqlite3.connect(path) as conn:
        partial = conn.execute(
            "SELECT count(*) FROM responses r WHERE NOT EXISTS "
            "(SELECT 1 FROM answers a WHERE a.response_id = r.id "
            "AND a.question_key = 'access_overall')"
        ).fetchone()[0]
    assert partial == 0
    assert answers == before[1] * (1 + stored)
    assert _integrity(path) == "ok"


def test_unreachable_postgresql_is_503_for_forms_and_json(tmp_path: Path) -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    app = _app("postgresql+psycopg://postgres@127.0.0.1:9/none")
    _assert_503(app.test_client().get(FORM))
    api = app.test_client().get(f"/api/v1/questionnaires/{SLUG}")
    _assert_503(api)
    assert api.is_json


def test_other_database_errors_are_not_disguised_as_503(tmp_path: Path) -> None:
    # An empty file has no tables: a programming error, not a passing condition.
    app = _app(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with pytest.raises(OperationalError, match="no such table"):
        app.test_client().get(FORM)


@pytest.mark.parametrize(
    ("message", "temporary"),
    [
        ("database is locked", True),
        ("attempt to write a readonly database", True),
        ("database or disk is full", True),
        ('connection failed: connection to server at "127.0.0.1", port 9 failed', True),
        ("no such table: responses", False),
        ('syntax error near "SELEC"', False),
    ],
)
def test_which_failures_count_as_temporary(message: str, temporary: bool) -> None:
    error = OperationalError("SELECT 1", {}, sqlite3.OperationalError(message))
    assert is_temporary(error) is temporary
