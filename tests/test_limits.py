"""Rate limits in Redis when SURVEYAPP_REDIS_URL is set; counted in memory while it is down.

Redis is a real redis-server on loopback (skipped on a machine without it, failed under CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_client
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from surveyapp import create_app, db_app
from surveyapp.db import Database
from tests.conftest import TEST_SECRET_KEY
from tests.public.conftest import AGENCY, SLUG, survey
from tests.scaleout.servers import free_port, redis_server

__all__ = ["survey"]

URL = f"/api/v1/questionnaires/{SLUG}?agency={AGENCY}"


@pytest.fixture
def limit_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "running":
        with redis_server(tmp_path) as server:
            yield server.url
    else:
        yield f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there


@pytest.fixture
def app(engine: Engine, database_url: str, tmp_path: Path, limit_store: str) -> Iterator[Flask]:
    """The suite's app, with SURVEYAPP_REDIS_URL set and a small view limit."""
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "DATABASE_URL": database_url,
            "REDIS_URL": limit_store,
            "RATELIMIT_VIEW": "2 per minute",
        }
    )
    application.instance_path = str(tmp_path / "instance")
    db_app.get_db(application).engine.dispose()
    application.extensions[db_app.EXTENSION_KEY] = Database(engine)
    yield application


@pytest.mark.parametrize("limit_store", ["running"], indirect=True)
def test_limits_are_counted_in_redis(
    client: FlaskClient, survey: Any, app: Flask, limit_store: str
) -> None:
    assert app.config["RATELIMIT_STORAGE_URI"] == limit_store
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    keys = redis_client.Redis.from_url(limit_store).keys("*surveyapp*")
    assert keys, "no counter in Redis"


@pytest.mark.parametrize("limit_store", ["down"], indirect=True)
def test_redis_down_still_answers_and_limits_in_memory(client: FlaskClient, survey: Any) -> None:
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 429]
