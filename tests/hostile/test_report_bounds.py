"""Report ranges an attacker chooses: extreme days, endless spans, thousands of periods.

Issue 13 items 1-2: ``from=0002-01-01&to=9998-12-31`` pinned a CPU for minutes (one
trend period per quarter of the range asked, empty or not), and ``from=0001-01-01`` or
``to=9999-12-31`` gave 500 (OverflowError in the period bounds). A report's span and
its trend periods are bounded (400 naming the setting), and its cost follows the data,
not the range asked. Every surface is checked: pages, downloads, the token API, the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.db import Database
from surveyapp.services import api_tokens
from tests.auth.conftest import OWN, Staff, staff
from tests.dashboard.conftest import reports, signed_in
from tests.reporting.conftest import loaded

__all__ = ["loaded", "reports", "staff"]

#: The attack of the issue, and the two ends that overflowed.
ENDLESS = {"from": "0002-01-01", "to": "9998-12-31"}
EXTREMES = [
    {"from": "0001-01-01"},
    {"to": "9999-12-31"},
    {"from": "0001-01-01", "to": "9999-12-31"},
    ENDLESS,
]
#: The widest range the calendar bounds allow.
WIDEST = {"from": "1900-01-01", "to": "2999-12-31"}
#: Ten years around the data (2017, 2018): within the default span limit.
DECADE = {"from": "2010-01-01", "to": "2019-06-30"}

PAGES = [f"/dashboard/agency/{OWN}", "/dashboard/city", "/dashboard"]
DOWNLOADS = [f"/reports/agency/{OWN}.{fmt}" for fmt in ("pdf", "xlsx", "csv", "sav", "json")] + [
    f"/reports/city.{fmt}" for fmt in ("pdf", "xlsx", "json")
]
API = [f"/api/v1/reports/agency/{OWN}", "/api/v1/reports/city"]


def _query(**values: str) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode({"questionnaire": "sipas", **values})


@pytest.fixture
def inspector(client: FlaskClient, reports: Staff) -> FlaskClient:
    return signed_in(client, reports.inspector)


@pytest.fixture
def city_token(db: Database, reports: Staff) -> dict[str, str]:
    with db.write() as session:
        _row, raw = api_tokens.create_token(session, "bounds", None, actor=None)
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize("asked", EXTREMES, ids=lambda a: "&".join(a.values()))
def test_extreme_days_are_refused_with_the_bounds_on_every_surface(
    inspector: FlaskClient, city_token: dict[str, str], asked: dict[str, str]
) -> None:
    for url in PAGES + DOWNLOADS:
        response = inspector.get(url + _query(**asked))
        assert response.status_code == 400, (url, asked, response.status_code)
        assert "1900-01-01" in response.get_data(as_text=True), url
    for url in API:
        response = inspector.get(url + _query(**asked), headers=city_token)
        assert response.status_code == 400, (url, asked, response.status_code)
        assert "1900-01-01" in response.get_json()["error"], url


def test_a_span_over_the_limit_is_refused_naming_the_setting(
    app: Flask, inspector: FlaskClient, city_token: dict[str, str]
) -> None:
    wide = {"from": "2000-01-01", "to": "2017-12-31"}  # 18 years
    for url in PAGES + DOWNLOADS:
        response = inspector.get(url + _query(**wide))
        assert response.status_code == 400, (url, response.status_code)
        assert "SURVEYAPP_REPORT_MAX_DAYS" in response.get_data(as_text=True), url
    for url in API:
        response = inspector.get(url + _query(**wide), headers=city_token)
        assert response.status_code == 400, url
        assert "SURVEYAPP_REPORT_MAX_DAYS" in response.get_json()["error"]
    # The limit is a setting: raised, the same span is answered.
    app.config["REPORT_MAX_DAYS"] = 20 * 366
    assert inspector.get(f"/reports/agency/{OWN}.json" + _query(**wide)).status_code == 200


def _periods(report: dict[str, Any]) -> list[str]:
    return [p["label"] for p in report["trend"]["periods"]]


def test_the_trend_holds_the_periods_with_data_not_the_range_asked(
    app: Flask, inspector: FlaskClient, city_token: dict[str, str]
) -> None:
    """Q1 has responses from January to June 2017: two quarters, whatever range is asked."""
    report = inspector.get(f"/reports/agency/{OWN}.json" + _query(**DECADE)).get_json()
    assert _periods(report) == ["2017-Q1", "2017-Q2"]
    assert report["period"] == {
        "from": "2010-01-01",
        "to": "2019-06-30",
        "timezone": "Asia/Ho_Chi_Minh",
    }
    # With the span limit lifted, eleven centuries cost what the data holds.
    app.config["REPORT_MAX_DAYS"] = 10**7
    response = inspector.get(
        f"/api/v1/reports/agency/{OWN}" + _query(**WIDEST, period="month"), headers=city_token
    )
    assert response.status_code == 200, response.get_json()
    assert _periods(response.get_json()) == [f"2017-{m:02d}" for m in range(1, 7)]
    city = inspector.get(
        "/api/v1/reports/city" + _query(**WIDEST, period="month"), headers=city_token
    )
    assert city.status_code == 200
    assert len(_periods(city.get_json())) <= 15  # 2017-01 .. 2018-03, the months with data


def test_too_many_trend_periods_are_refused_naming_the_setting(
    app: Flask, inspector: FlaskClient, city_token: dict[str, str]
) -> None:
    app.config["REPORT_MAX_PERIODS"] = 3
    response = inspector.get(
        f"/api/v1/reports/agency/{OWN}" + _query(**DECADE, period="month"), headers=city_token
    )
    assert response.status_code == 400
    message = response.get_json()["error"]
    assert "SURVEYAPP_REPORT_MAX_PERIODS" in message and "3" in message
    # Quarters fit: two of them.
    quarters = inspector.get(f"/api/v1/reports/agency/{OWN}" + _query(**DECADE), headers=city_token)
    assert quarters.status_code == 200


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        ({"from": "2017-06-30", "to": "2017-01-01"}, "2017-06-30"),
        ({"from": "0001-01-01"}, "1900-01-01"),
        ({"from": "2000-01-01", "to": "2017-12-31"}, "SURVEYAPP_REPORT_MAX_DAYS"),
        ({"from": "2017-02-30"}, "2017-02-30"),
    ],
)
@pytest.mark.parametrize("page", PAGES)
def test_a_bad_dashboard_range_shows_the_filter_form_again(
    inspector: FlaskClient, page: str, asked: dict[str, str], shown: str
) -> None:
    """Issue 18 item 15: the filters come back with the reason, not a bare error page."""
    response = inspector.get(page + _query(**asked))
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<form class="filters"' in text and 'name="from"' in text
    assert shown in text
    assert 'value="sipas"' in text  # what was asked is kept in the form
    assert "<h1>Bad Request</h1>" not in text


def test_the_cli_refuses_extreme_ranges_in_one_line(
    cli: Any, reports: Staff, tmp_path: Path
) -> None:
    out = tmp_path / "q1"
    for fmt in ("json", "pdf", "csv"):
        for args in (
            ("--from", "0001-01-01"),
            ("--to", "9999-12-31"),
            ("--from", "0002-01-01", "--to", "9998-12-31"),
        ):
            result = cli(
                "report",
                "--agency",
                OWN,
                "--questionnaire",
                "sipas",
                *args,
                "--format",
                fmt,
                "-o",
                str(out),
            )
            assert result.exit_code != 0, (fmt, args)
            assert "Traceback" not in result.output
            lines = [line for line in result.output.splitlines() if line.strip()]
            assert lines[-1].startswith("Error:"), result.output
            assert "1900-01-01" in result.output or "SURVEYAPP_REPORT_MAX_DAYS" in result.output
    fine = cli(
        "report",
        "--agency",
        OWN,
        "--questionnaire",
        "sipas",
        "--from",
        DECADE["from"],
        "--to",
        DECADE["to"],
        "-o",
        str(out),
    )
    assert fine.exit_code == 0, fine.output
    assert [
        p["label"] for p in json.loads(out.read_text(encoding="utf-8"))["trend"]["periods"]
    ] == ["2017-Q1", "2017-Q2"]
