"""The city report cache: per process by default, shared in Redis (JSON, TTL) when set.

Redis is a real redis-server on loopback (skipped on a machine without it, failed under CI).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from surveyapp.dashboard import documents, report_cache
from surveyapp.db import Database
from surveyapp.models import Agency
from surveyapp.reporting import build
from surveyapp.reporting.model import CityReport
from surveyapp.reporting.serialise import dumps
from surveyapp.services.questionnaires import get_version
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from tests.auth.conftest import OWN, Staff
from tests.dashboard.conftest import SIPAS
from tests.scaleout.servers import Redis, free_port, redis_server

TZ = "Asia/Ho_Chi_Minh"


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[Redis]:
    with redis_server(tmp_path) as server:
        yield server


def _use_redis(app: Flask, url: str) -> None:
    app.config["REDIS_URL"] = url
    app.extensions.pop(report_cache.EXTENSION_KEY, None)


def _add_response(db: Database) -> None:
    with db.write() as session:
        version = get_version(session, "sipas")
        q1 = session.scalar(select(Agency.id).where(Agency.code == OWN))
        answers = check_answers(SIPAS, {"overall_satisfaction": "5"}, require=False).answers
        when = dt.datetime(2017, 2, 2, 2, tzinfo=dt.UTC)
        store_responses(session, [NewResponse(version.id, q1, "web", answers, when)])


def test_a_city_report_reads_back_equal_from_its_json(reports: Staff, db: Database) -> None:
    with db.session() as session:
        report = build.city_report(session, slug="sipas", timezone=TZ)
        agency = build.agency_report(session, OWN, slug="sipas", timezone=TZ)
    assert report.agencies and report.dunn.pairs  # a report with every part filled
    again = report_cache.city_report_from_json(dumps(report))
    assert again == report
    assert isinstance(again.period.from_, dt.date)
    # Anything not shaped like a city report is refused, never half-read.
    with pytest.raises(report_cache.CacheFormatError):
        report_cache.city_report_from_json(dumps(agency))
    broken = json.loads(dumps(report))
    broken["kruskal"]["df"] = "three"
    with pytest.raises(report_cache.CacheFormatError):
        report_cache.city_report_from_json(json.dumps(broken))


def test_without_redis_the_cache_is_this_process(app: Flask, reports: Staff, db: Database) -> None:
    with app.app_context():
        assert report_cache.current() is report_cache.local
        with db.session() as session:
            first = documents.city_context(session, "sipas", 1, None, None, TZ)
            assert documents.city_context(session, "sipas", 1, None, None, TZ) is first


def test_redis_holds_the_report_as_json_with_a_ttl(
    app: Flask, reports: Staff, db: Database, redis: Redis
) -> None:
    _use_redis(app, redis.url)
    with app.app_context():
        cache = report_cache.current()
        assert isinstance(cache, report_cache.RedisCache)
        with db.session() as session:
            first = documents.city_context(session, "sipas", 1, None, None, TZ)
            (key,) = cache.client.keys("surveyapp:city-report:*")
            stored = cache.client.get(key)
            assert json.loads(stored)["schema"] == first.schema  # JSON, not a pickle
            assert 0 < cache.client.ttl(key) <= report_cache.REDIS_TTL_SECONDS
            second = documents.city_context(session, "sipas", 1, None, None, TZ)
        assert second == first and second is not first  # read back from Redis
        _add_response(db)
        with db.session() as session:
            after = documents.city_context(session, "sipas", 1, None, None, TZ)
        assert after.n_responses == first.n_responses + 1
        assert len(cache.client.keys("surveyapp:city-report:*")) == 2


def test_an_unreadable_entry_is_recomputed(
    app: Flask, reports: Staff, db: Database, redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    _use_redis(app, redis.url)
    with app.app_context():
        cache = report_cache.current()
        assert isinstance(cache, report_cache.RedisCache)
        with db.session() as session:
            first = documents.city_context(session, "sipas", 1, None, None, TZ)
            (key,) = cache.client.keys("surveyapp:city-report:*")
            cache.client.set(key, b"\x80\x04not json")
            with caplog.at_level(logging.WARNING, "surveyapp.dashboard.report_cache"):
                again = documents.city_context(session, "sipas", 1, None, None, TZ)
    # Recomputed, not read back: equal in every figure; only the time it was made may
    # differ (when the recomputation crosses a second).
    assert dataclasses.replace(again, generated_at=first.generated_at) == first
    assert "unreadable entry" in caplog.text
    assert isinstance(report_cache.city_report_from_json(cache.client.get(key)), CityReport)


def test_redis_down_means_computing_without_cache(
    app: Flask, reports: Staff, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    _use_redis(app, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    with app.app_context(), db.session() as session:
        with caplog.at_level(logging.WARNING, "surveyapp.dashboard.report_cache"):
            report = documents.city_context(session, "sipas", 1, None, None, TZ)
        expected = build.city_report(session, slug="sipas", timezone=TZ)
    assert report.n_responses == expected.n_responses
    assert "Redis unavailable" in caplog.text
