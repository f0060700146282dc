"""The JSON API: definition with a token, the same checks as the form, errors as JSON, CORS."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.models import Response
from tests.public.conftest import AGENCY, AGENCY_ORIGIN, SLUG

ANSWERS = {"access_overall": 4, "visited": "no", "channels": ["web"], "recommend": 10}


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(app: Flask) -> None:
    app.config["MIN_FILL_SECONDS"] = 0


def count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Response)) or 0)


def token(client: FlaskClient, agency: str | None = AGENCY) -> str:
    query = f"?agency={agency}" if agency else ""
    body = client.get(f"/api/v1/questionnaires/{SLUG}{query}").get_json()
    return str(body["token"])


def post(client: FlaskClient, body: dict[str, Any], **headers: str) -> Any:
    return client.post("/api/v1/responses", json=body, headers=headers)


def test_definition_as_json_with_a_token(client: FlaskClient, survey: Any) -> None:
    response = client.get(f"/api/v1/questionnaires/{SLUG}?agency={AGENCY}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["slug"] == SLUG and body["agency"] == AGENCY and body["version"] == 1
    assert body["definition"]["sections"][0]["questions"][0]["key"] == "access_overall"
    assert client.get("/api/v1/questionnaires/nope").status_code == 404


def test_post_stores_once_and_replays(client: FlaskClient, survey: Any, db: Database) -> None:
    body = {"questionnaire": SLUG, "token": token(client), "answers": ANSWERS}
    first = post(client, body)
    assert first.status_code == 201
    again = post(client, body)
    assert again.status_code == 200
    assert again.get_json() == {"receipt": first.get_json()["receipt"], "replayed": True}
    assert count(db) == 1
    with db.session() as session:
        assert session.scalar(select(Response.channel)) == "api"


def test_errors_name_each_field_in_the_chosen_language(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    body = {
        "questionnaire": SLUG,
        "token": token(client),
        "answers": {**ANSWERS, "access_overall": 9, "recommend": -1, "salary": 5},
        "lang": "en",
    }
    response = post(client, body)
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert set(errors) == {"access_overall", "recommend", "salary"}
    assert errors["access_overall"] == "Choose a value from 1 to 5."
    vi = post(client, {**body, "lang": "vi"}).get_json()["errors"]
    assert "Hãy chọn một mức từ 1 đến 5." in [e["message"] for e in vi]
    assert count(db) == 0


def test_portal_token_needs_an_agency(client: FlaskClient, survey: Any, db: Database) -> None:
    body = {"questionnaire": SLUG, "token": token(client, None), "answers": ANSWERS}
    missing = post(client, body)
    assert missing.status_code == 422
    assert [e["field"] for e in missing.get_json()["errors"]] == ["_agency"]
    assert post(client, {**body, "agency": "SNV"}).status_code == 201


def test_bad_token_origin_and_body_are_refused(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    good = {"questionnaire": SLUG, "token": token(client), "answers": ANSWERS}
    # Well-formed, but not a token of this form: content refused (400 is for the shape).
    assert post(client, {**good, "token": "x.y"}).status_code == 422
    assert post(client, {**good, "questionnaire": "a11-cx"}).status_code == 422
    assert (
        post(client, good, Origin="https://quan1.hochiminhcity.gov.vn.evil.tld").status_code == 403
    )
    assert client.post("/api/v1/responses", data="answers=1").status_code == 415
    assert post(client, {**good, "answers": [1]}).status_code == 400
    assert client.get("/api/v1/responses").status_code == 405
    assert count(db) == 0


def test_cors_only_for_listed_origins(client: FlaskClient, survey: Any) -> None:
    listed = client.get(
        f"/api/v1/questionnaires/{SLUG}?agency={AGENCY}", headers={"Origin": AGENCY_ORIGIN}
    )
    assert listed.headers["Access-Control-Allow-Origin"] == AGENCY_ORIGIN
    assert "Origin" in listed.headers["Vary"]
    other = client.get(
        f"/api/v1/questionnaires/{SLUG}?agency={AGENCY}",
        headers={"Origin": AGENCY_ORIGIN + ".evil.tld"},
    )
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Origin" in other.headers["Vary"]
    preflight = client.options(
        "/api/v1/responses",
        headers={"Origin": AGENCY_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == AGENCY_ORIGIN
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    body = {"questionnaire": SLUG, "token": token(client), "answers": ANSWERS}
    stored = post(client, body, Origin=AGENCY_ORIGIN)
    assert stored.status_code == 201
    assert stored.headers["Access-Control-Allow-Origin"] == AGENCY_ORIGIN


def test_too_large_json_is_413(app: Flask, client: FlaskClient, survey: Any, db: Database) -> None:
    body = {"questionnaire": SLUG, "token": token(client), "answers": {"comment": "x" * 5000}}
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = post(client, body)
    assert response.status_code == 413
    assert response.get_json()["error"] == "request body too large"
    assert count(db) == 0
