"""Publishing refuses a period /results could not show, and /results never fails on one.

A period longer than the report span limit (``SURVEYAPP_REPORT_MAX_DAYS``), ending
before it starts, not ended yet, outside the calendar bounds or already published is
refused with a message in the page (422) and nothing stored. A stored period that
breaks the rules (stored before them, or the limit lowered since; one ending before it
starts cannot be stored: a check constraint) is left out of every
public page and download, with a warning in the log.
"""

from __future__ import annotations

import datetime as dt
import html
import logging

import pytest
from flask import Flask
from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.models import PublishedPeriod, Questionnaire, User
from tests.cases.conftest import OWN, Staff, client_of, csrf
from tests.cases.test_public_results import _store

PUBLIC = [
    "/results",
    f"/results/{OWN}",
    f"/results/{OWN}/scorecard",
    "/results/data.json",
    "/results/data.csv",
]


def _stored(db: Database, first: dt.date, last: dt.date) -> None:
    with db.write() as session:
        questionnaire = session.scalar(select(Questionnaire).where(Questionnaire.slug == "sipas"))
        assert questionnaire is not None
        inspector = session.scalar(select(User).where(User.email == "inspector@hcmc.gov.vn"))
        session.add(
            PublishedPeriod(
                questionnaire_id=questionnaire.id,
                first_day=first,
                last_day=last,
                published_by_id=inspector.id if inspector else None,
            )
        )


def _count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(PublishedPeriod.id))) or 0


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (dt.date(1980, 1, 1), dt.date(1981, 12, 31)),  # 731 days, over the limit of 400
        (dt.date(1899, 12, 1), dt.date(1899, 12, 31)),  # before the calendar bounds
    ],
)
def test_a_stored_period_that_breaks_the_rules_is_left_out_of_every_public_page(
    app: Flask,
    db: Database,
    staff: Staff,
    sipas: str,
    caplog: pytest.LogCaptureFixture,
    first: dt.date,
    last: dt.date,
) -> None:
    app.config.update(REPORT_MAX_DAYS=400, PUBLIC_MIN_N=1, RATELIMIT_VIEW="1000 per minute")
    _store(db, 1980, [3, 2], ["Một ý kiến riêng tư không công khai"], 1)
    _stored(db, first, last)
    _stored(db, dt.date(1980, 1, 1), dt.date(1980, 12, 31))  # a good one is still shown
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="surveyapp.services.public_results"):
        for path in PUBLIC:
            got = client.get(path)
            assert got.status_code == 200, (path, got.status_code)
            text = html.unescape(got.get_data(as_text=True))
            assert first.isoformat() not in text or first == dt.date(1980, 1, 1)
            assert last.isoformat() not in text and f"{last:%d/%m/%Y}" not in text
        assert "31/12/1980" in client.get("/results").text
    assert any("left out of the public results" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("1980-01-01", "1981-12-31", "at most 400 days (SURVEYAPP_REPORT_MAX_DAYS)"),
        ("1980-12-31", "1980-01-01", "is after its last day"),
        ("2999-01-01", "2999-01-31", "has not ended"),
        ("1800-01-01", "1800-12-31", "must be a day from 1900-01-01"),
    ],
)
def test_publishing_refuses_a_period_results_could_not_show(
    app: Flask, db: Database, staff: Staff, sipas: str, first: str, last: str, expected: str
) -> None:
    app.config["REPORT_MAX_DAYS"] = 400
    inspector = client_of(app, staff.inspector)
    token = csrf(inspector, "/publishing")
    data = {"csrf_token": token, "questionnaire": "sipas", "first": first, "last": last}
    got = inspector.post("/publishing?lang=en", data=data)
    assert got.status_code == 422
    assert expected in html.unescape(got.get_data(as_text=True))
    assert _count(db) == 0
    assert app.test_client().get("/results").status_code == 200


def test_a_period_not_ended_is_refused_in_vietnamese_too(
    app: Flask, db: Database, staff: Staff, sipas: str
) -> None:
    inspector = client_of(app, staff.inspector)
    token = csrf(inspector, "/publishing")
    today = dt.datetime.now(dt.UTC).date()
    data = {
        "csrf_token": token,
        "questionnaire": "sipas",
        "first": (today - dt.timedelta(days=30)).isoformat(),
        "last": (today + dt.timedelta(days=30)).isoformat(),
    }
    got = inspector.post("/publishing?lang=vi", data=data)
    assert got.status_code == 422
    assert "chưa kết thúc" in html.unescape(got.get_data(as_text=True))
    assert _count(db) == 0


def test_a_duplicate_is_refused_and_overlapping_periods_are_both_shown(
    app: Flask, db: Database, staff: Staff, sipas: str
) -> None:
    app.config.update(PUBLIC_MIN_N=1, RATELIMIT_VIEW="1000 per minute")
    _store(db, 1981, [3, 2], ["Một ý kiến riêng tư khác"], 2)
    inspector = client_of(app, staff.inspector)
    token = csrf(inspector, "/publishing")
    year = {
        "csrf_token": token,
        "questionnaire": "sipas",
        "first": "1981-01-01",
        "last": "1981-12-31",
    }
    half = {**year, "first": "1981-01-01", "last": "1981-06-30"}
    assert inspector.post("/publishing", data=year).status_code == 303
    again = inspector.post("/publishing?lang=en", data=year)
    assert again.status_code == 422 and "published already" in again.text
    assert inspector.post("/publishing", data=half).status_code == 303
    assert _count(db) == 2
    client = app.test_client()
    for path in PUBLIC:
        assert client.get(path).status_code == 200, path
    page = client.get("/results").text
    assert "31/12/1981" in page and "30/06/1981" in page
