"""Responses wait to be folded into the report aggregates; reports count them either way.

A stored accepted response waits in ``unfolded_responses``; ``fold`` adds waiting
responses to their months in batches. Whatever has been folded, a report must equal one computed
from the raw rows, count every accepted response exactly once, and find periods and
versions that only waiting responses have.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Engine, func, select

from surveyapp import schema
from surveyapp.db import Database
from surveyapp.models import Agency, ReportAggregate, Response, UnfoldedResponse
from surveyapp.reporting import aggregates, folding
from surveyapp.reporting.sufficient import Summary
from surveyapp.services import report_folding
from surveyapp.services.agencies import AgencyInput, add_agency
from surveyapp.services.questionnaires import get_version, load_files
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from tests.reporting.conftest import QUESTIONNAIRES, SCORED, SIPAS, Loaded

TZ = "Asia/Ho_Chi_Minh"
UTC = dt.UTC


def _store(db: Database, code: str, moments: list[dt.datetime], seed: int) -> list[int]:
    """Store responses as a submission does (waiting for a fold); return their ids."""
    rng = np.random.default_rng(seed)
    with db.write() as session:
        version = get_version(session, "sipas")
        agency_id = session.scalar(select(Agency.id).where(Agency.code == code))
        assert agency_id is not None
        batch = []
        for when in moments:
            raw = {key: str(int(rng.integers(1, 6))) for key in SCORED}
            raw["overall_satisfaction"] = str(int(rng.integers(1, 6)))
            checked = check_answers(SIPAS, raw, require=False)
            assert not checked.errors
            batch.append(
                NewResponse(
                    questionnaire_version_id=version.id,
                    agency_id=agency_id,
                    channel="web",
                    answers=checked.answers,
                    submitted_at=when,
                )
            )
        return [response_id for _, response_id in store_responses(session, batch, with_ids=True)]


def _waiting(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count(UnfoldedResponse.response_id))) or 0)


def _summaries(db: Database) -> dict[Any, Summary]:
    with db.session() as session:
        version = get_version(session, "sipas")
        return aggregates.summaries(session, version, None, None, None, TZ)


def _raw(db: Database) -> dict[Any, Summary]:
    with db.session() as session:
        version = get_version(session, "sipas")
        return aggregates.summarise_raw(session, version, None, None, None, ZoneInfo(TZ))


def _stored(db: Database) -> dict[Any, Summary]:
    with db.session() as session:
        version = get_version(session, "sipas")
        return {k: s for k, (_, s) in aggregates.stored(session, version).items()}


def _assert_same(got: dict[Any, Summary], expected: dict[Any, Summary]) -> None:
    assert got.keys() == expected.keys()
    for key, summary in expected.items():
        assert got[key].n == summary.n, key
        assert got[key].close_to(summary), key


def _agency_id(db: Database, code: str) -> int:
    with db.session() as session:
        found = session.scalar(select(Agency.id).where(Agency.code == code))
    assert found is not None
    return found


def test_waiting_responses_count_in_reports_then_fold_once(loaded: Loaded, cli: Any) -> None:
    # Four in a month the aggregates have, three in a month none has (local January 2019).
    moments = [dt.datetime(2017, 5, 10, 3, tzinfo=UTC)] * 4 + [
        dt.datetime(2019, 1, 15, 2, tzinfo=UTC)
    ] * 3
    new = _store(loaded.db, "AAA", moments, seed=1)
    assert _waiting(loaded.db) == len(new) == 7
    before = _summaries(loaded.db)
    _assert_same(before, _raw(loaded.db))
    assert (_agency_id(loaded.db, "AAA"), dt.date(2019, 1, 1)) in before
    assert (_agency_id(loaded.db, "AAA"), dt.date(2019, 1, 1)) not in _stored(loaded.db)

    report = loaded.run("--agency", "AAA")
    assert report["n_responses"] == int((loaded.frame.agency == "AAA").sum()) + 7
    # The period ends on the day of the waiting responses, a month no aggregate has.
    assert report["period"]["to"] == "2019-01-15"
    city = loaded.run("--all")
    assert city["n_responses"] == len(loaded.frame) + 7

    result = cli("report", "fold")
    assert result.exit_code == 0, result.output
    assert "7 responses folded" in result.output
    assert _waiting(loaded.db) == 0
    _assert_same(_summaries(loaded.db), before)
    folded = _stored(loaded.db)
    assert cli("report", "rebuild-aggregates").exit_code == 0
    _assert_same(folded, _stored(loaded.db))
    again = cli("report", "fold")
    assert again.exit_code == 0 and "0 responses folded" in again.output
    assert loaded.run("--agency", "AAA")["n_responses"] == report["n_responses"]


def test_a_fold_takes_one_batch_and_reports_stay_exact(loaded: Loaded) -> None:
    _store(loaded.db, "BBB", [dt.datetime(2018, 3, d, 4, tzinfo=UTC) for d in range(1, 9)], 2)
    _store(loaded.db, "CCC", [dt.datetime(2018, 4, d, 4, tzinfo=UTC) for d in range(1, 5)], 3)
    with loaded.db.write() as session:
        assert folding.fold(session, TZ, limit=5) == 5
    assert _waiting(loaded.db) == 7
    _assert_same(_summaries(loaded.db), _raw(loaded.db))
    assert loaded.run("--all")["n_responses"] == len(loaded.frame) + 12
    # A day range inside one month reads that month raw; whole months add the waiting.
    march = loaded.run("--agency", "BBB", "--from", "2018-03-01", "--to", "2018-03-31")
    in_march = loaded.frame[
        (loaded.frame.agency == "BBB") & (loaded.frame.local.dt.strftime("%Y-%m") == "2018-03")
    ]
    assert march["n_responses"] == len(in_march) + 8


def test_rebuild_takes_the_waiting_responses_and_a_fold_finds_none(
    loaded: Loaded, cli: Any
) -> None:
    new = _store(loaded.db, "AAA", [dt.datetime(2018, 2, 2, 2, tzinfo=UTC)] * 5, seed=4)
    assert cli("report", "rebuild-aggregates").exit_code == 0
    assert _waiting(loaded.db) == 0
    with loaded.db.session() as session:
        total = session.scalar(select(func.sum(ReportAggregate.n_responses)))
        accepted = session.scalar(
            select(func.count(Response.id)).where(Response.status == "accepted")
        )
    assert total == accepted == len(loaded.frame) + len(new)
    with loaded.db.write() as session:
        assert folding.fold(session, TZ) == 0
    _assert_same(_summaries(loaded.db), _raw(loaded.db))


def test_a_version_and_period_known_only_from_waiting_responses(db: Database, cli: Any) -> None:
    assert cli("questionnaires", "load", str(QUESTIONNAIRES / "sipas.yaml")).exit_code == 0
    assert cli("agencies", "add", "NEW", "--name-vi", "Mới", "--name-en", "New",
               "--kind", "district").exit_code == 0  # fmt: skip
    _store(
        db,
        "NEW",
        [dt.datetime(2020, 6, 1, 1, tzinfo=UTC), dt.datetime(2020, 8, 30, 20, tzinfo=UTC)],
        5,
    )
    with db.session() as session:
        assert session.scalar(select(func.count(ReportAggregate.id))) == 0
    result = cli("report", "--agency", "NEW", "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"n_responses": 2' in result.output
    # 20:00 UTC on 30 August is 31 August in Ho Chi Minh City.
    assert '"from": "2020-06-01"' in result.output and '"to": "2020-08-31"' in result.output


def _prepare(engine: Engine, count: int) -> Database:
    schema.upgrade(engine)
    db = Database(engine)
    with db.write() as session:
        load_files(session, [QUESTIONNAIRES / "sipas.yaml"])
        add_agency(session, AgencyInput("Q1", "Quận 1", "District 1", "district", []))
        add_agency(session, AgencyInput("Q3", "Quận 3", "District 3", "district", []))
    start = dt.datetime(2024, 1, 1, tzinfo=UTC)
    _store(db, "Q1", [start + dt.timedelta(days=i * 2) for i in range(count // 2)], 6)
    _store(db, "Q3", [start + dt.timedelta(days=i * 3) for i in range(count - count // 2)], 7)
    return db


def test_concurrent_folds_count_each_response_once(empty_engine: Engine, tmp_path: Path) -> None:
    db = _prepare(empty_engine, 90)
    folded: list[int] = []
    errors: list[BaseException] = []

    def fold_until_none() -> None:
        try:
            while n := report_folding.fold_waiting(db, TZ, limit=7):
                folded.append(n)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=fold_until_none) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    # A fold that finds everything left locked by another stops early; fold the rest.
    folded.append(report_folding.fold_everything(db, TZ))
    assert sum(folded) == 90
    assert _waiting(db) == 0
    with db.session() as session:
        assert session.scalar(select(func.sum(ReportAggregate.n_responses))) == 90
    _assert_same(_stored(db), _raw(db))


def test_every_nth_submission_folds_what_waits(empty_engine: Engine, monkeypatch: Any) -> None:
    db = _prepare(empty_engine, 0)
    monkeypatch.setattr(report_folding, "FOLD_EVERY", 3)
    monkeypatch.setattr(report_folding, "_stored", iter(range(1, 100)))
    for day in range(1, 4):
        _store(db, "Q1", [dt.datetime(2024, 5, day, tzinfo=UTC)], seed=day)
        report_folding.after_submission(db, TZ)
        assert _waiting(db) == (0 if day == 3 else day)
    with db.session() as session:
        assert session.scalar(select(func.sum(ReportAggregate.n_responses))) == 3
