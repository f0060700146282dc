"""API tokens expire (chosen at creation, shown in the console) and have their own rate limit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.errors import InputError
from surveyapp.models import utcnow
from surveyapp.models.admin import ApiToken
from surveyapp.services import api_tokens
from tests.admin.conftest import OTHER, OWN, Staff, StoreResponse, csrf, signed_in

URL = f"/api/v1/reports/agency/{OWN}?questionnaire=sipas"


def _token(db: Database, days: int = api_tokens.DEFAULT_DAYS) -> tuple[int, str]:
    with db.write() as session:
        row, raw = api_tokens.create_token(session, "test", OWN, actor=None, days=days)
        return row.id, raw


def test_a_token_lives_365_days_unless_chosen_otherwise(db: Database, staff: Staff) -> None:
    before = utcnow()
    with db.write() as session:
        default, _raw = api_tokens.create_token(session, "a", OWN, actor=None)
        short, _raw = api_tokens.create_token(session, "b", None, actor=None, days=7)
        assert before + dt.timedelta(days=365) <= default.expires_at
        assert default.expires_at <= utcnow() + dt.timedelta(days=365)
        assert short.expires_at - short.created_at == pytest.approx(
            dt.timedelta(days=7), abs=dt.timedelta(seconds=5)
        )


@pytest.mark.parametrize("days", [0, -1, api_tokens.MAX_DAYS + 1, True, 10**30])
def test_impossible_lifetimes_are_refused(db: Database, staff: Staff, days: int) -> None:
    message = "days: a whole number of days from 1 to 3650"
    with pytest.raises(InputError, match=message), db.write() as session:
        api_tokens.create_token(session, "x", OWN, actor=None, days=days)


def test_an_expired_token_is_refused_with_a_clear_401(
    client: FlaskClient, db: Database, store: StoreResponse
) -> None:
    store()
    token_id, raw = _token(db, days=1)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(URL, headers=headers).status_code == 200
    with db.write() as session:
        token = session.get(ApiToken, token_id)
        assert token is not None
        token.expires_at = utcnow() - dt.timedelta(seconds=1)
        expired_on = token.expires_at.date().isoformat()
    refused = client.get(URL, headers=headers)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert refused.get_json() == {
        "error": f"this API token expired on {expired_on}; ask an administrator for a new one"
    }


def test_the_console_chooses_and_shows_the_expiry(app: Flask, db: Database, staff: Staff) -> None:
    client = signed_in(app, staff.admin)
    page = client.get("/admin/tokens").text
    assert re.search(r'name="days"[^>]*value="365"', page)
    token = csrf(client, "/admin/tokens")
    created = client.post(
        "/admin/tokens", data={"csrf_token": token, "name": "Cổng Q1", "agency": OWN, "days": "30"}
    )
    assert created.status_code == 201
    expected = (utcnow() + dt.timedelta(days=30)).strftime("%Y-%m-%d")
    assert re.search(rf'<td class="expires">{expected}</td>', client.get("/admin/tokens").text)
    with db.session() as session:
        count = session.scalar(select(func.count()).select_from(ApiToken))
    for bad in ("0", "3651", "abc", "1e3", "99999999999999999999999"):
        refused = client.post(
            "/admin/tokens", data={"csrf_token": token, "name": "x", "agency": OWN, "days": bad}
        )
        assert refused.status_code == 422, bad
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ApiToken)) == count


def test_each_token_has_its_own_rate_limit(
    app: Flask, client: FlaskClient, db: Database, store: StoreResponse
) -> None:
    store()
    app.config["RATELIMIT_API_TOKEN"] = "3 per minute"
    _id, first = _token(db)
    with db.write() as session:
        _row, second = api_tokens.create_token(session, "other", OTHER, actor=None)
    for _ in range(3):
        ok = client.get(URL, headers={"Authorization": f"Bearer {first}"})
        assert ok.status_code == 200
    # The city report counts against the same budget of the token.
    limited = client.get("/api/v1/reports/city", headers={"Authorization": f"Bearer {first}"})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.get_json() == {"error": "too many requests"}
    other = client.get(
        f"/api/v1/reports/agency/{OTHER}?questionnaire=sipas",
        headers={"Authorization": f"Bearer {second}"},
    )
    assert other.status_code == 200
