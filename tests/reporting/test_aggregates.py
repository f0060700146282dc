"""Aggregates kept at submission time equal a rebuild from raw rows; stale ones are refused."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from surveyapp.config import PACKAGE_DIR
from surveyapp.models import Agency, ReportAggregate, Response
from surveyapp.reporting import aggregates
from surveyapp.reporting.jsonschema import schema_text
from surveyapp.reporting.sufficient import Summary
from surveyapp.services.questionnaires import get_version
from tests.reporting.conftest import Loaded

TZ = "Asia/Ho_Chi_Minh"


def _stored(loaded: Loaded) -> dict[Any, Summary]:
    with loaded.db.session() as session:
        version = get_version(session, "sipas")
        return {k: s for k, (_, s) in aggregates.stored(session, version).items()}


def test_incremental_aggregates_equal_a_rebuild(loaded: Loaded, cli: Any) -> None:
    incremental = _stored(loaded)
    assert sum(s.n for s in incremental.values()) == len(loaded.frame)
    # 00:10 local on 1 July is 30 June in UTC but belongs to the July bucket.
    with loaded.db.session() as session:
        bbb = session.scalar(select(Agency.id).where(Agency.code == "BBB"))
    assert (bbb, dt.date(2017, 7, 1)) in incremental
    result = cli("report", "rebuild-aggregates")
    assert result.exit_code == 0, result.output
    assert "sipas v1:" in result.output
    rebuilt = _stored(loaded)
    assert rebuilt.keys() == incremental.keys()
    for key, summary in rebuilt.items():
        assert summary.close_to(incremental[key]), key
        # Counts are exact; only float sums of respondent means may differ in rounding.
        assert summary.n == incremental[key].n


def test_raw_path_equals_aggregate_path(loaded: Loaded) -> None:
    with loaded.db.session() as session:
        version = get_version(session, "sipas")
        from_aggregates = aggregates.summaries(session, version, None, None, None, TZ)
        raw = aggregates.summarise_raw(session, version, None, None, None, ZoneInfo(TZ))
    assert from_aggregates.keys() == raw.keys()
    for key in raw:
        assert raw[key].close_to(from_aggregates[key]), key


def test_status_change_without_refresh_is_refused_then_rebuilt(
    loaded: Loaded, cli: Any, tmp_path: Any
) -> None:
    with loaded.db.write() as session:
        target = session.scalar(
            select(Response.id)
            .join(Agency)
            .where(Agency.code == "AAA", Response.status == "accepted")
            .order_by(Response.id)
            .limit(1)
        )
        session.execute(update(Response).where(Response.id == target).values(status="deleted"))
    out = tmp_path / "r.json"
    result = cli("report", "--agency", "AAA", "-o", str(out))
    assert result.exit_code != 0
    assert "rebuild-aggregates" in result.output
    city = cli("report", "--all", "-o", str(out))  # checked with an all-versions count
    assert city.exit_code != 0 and "rebuild-aggregates" in city.output
    assert cli("report", "rebuild-aggregates", "--questionnaire", "sipas").exit_code == 0
    result = cli("report", "--agency", "AAA", "-o", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["n_responses"] == int((loaded.frame.agency == "AAA").sum()) - 1


def test_aggregates_of_another_time_zone_are_refused(loaded: Loaded, cli: Any) -> None:
    with loaded.db.write() as session:
        session.execute(update(ReportAggregate).values(timezone="Asia/Bangkok"))
    result = cli("report", "--all")
    assert result.exit_code != 0
    assert "Asia/Bangkok" in result.output and "rebuild-aggregates" in result.output


def test_schema_document_is_generated_from_the_model() -> None:
    doc = (PACKAGE_DIR.parent / "docs" / "report-schema.json").read_text(encoding="utf-8")
    assert doc == schema_text(), "regenerate docs/report-schema.json (see README)"
