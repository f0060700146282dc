"""API tokens on /api/v1 (missing, wrong agency, revoked) and the OpenAPI document."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.db import Database
from surveyapp.services import api_tokens
from tests.admin.conftest import OTHER, OWN, Staff, StoreResponse

OPENAPI_SCHEMA_DIALECT = jsonschema.Draft202012Validator


def _token(db: Database, agency: str | None) -> tuple[int, str]:
    with db.write() as session:
        row, raw = api_tokens.create_token(session, "test", agency, actor=None)
        return row.id, raw


def _validate(doc: dict[str, Any], path: str, method: str, status: int, body: Any) -> None:
    """Validate ``body`` against the document's schema for that operation and status."""
    operation = doc["paths"][path][method]
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    OPENAPI_SCHEMA_DIALECT({**schema, "components": doc["components"]}).validate(body)


@pytest.fixture
def doc(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def test_tokens_missing_wrong_agency_and_revoked(
    client: FlaskClient, db: Database, staff: Staff, store: StoreResponse, doc: dict[str, Any]
) -> None:
    store()
    own_id, own = _token(db, OWN)
    _other_id, other = _token(db, OTHER)
    url = f"/api/v1/reports/agency/{OWN}?questionnaire=sipas"
    missing = client.get(url)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    _validate(doc, "/reports/agency/{code}", "get", 401, missing.get_json())
    wrong = client.get(url, headers={"Authorization": f"Bearer {other}"})
    assert wrong.status_code == 404
    _validate(doc, "/reports/agency/{code}", "get", 404, wrong.get_json())
    assert client.get(url, headers={"Authorization": "Bearer sat_guess"}).status_code == 401
    good = client.get(url, headers={"Authorization": f"Bearer {own}"})
    assert good.status_code == 200, good.text[:300]
    _validate(doc, "/reports/agency/{code}", "get", 200, good.get_json())
    assert good.get_json()["n_responses"] == 1
    city = client.get("/api/v1/reports/city", headers={"Authorization": f"Bearer {own}"})
    assert city.status_code == 404
    with db.write() as session:
        api_tokens.revoke(session, own_id, actor=None)
    revoked = client.get(url, headers={"Authorization": f"Bearer {own}"})
    assert revoked.status_code == 401


def test_city_tokens_read_the_city_report(
    client: FlaskClient, db: Database, staff: Staff, store: StoreResponse, doc: dict[str, Any]
) -> None:
    store()
    store(OTHER)
    _id, city = _token(db, None)
    headers = {"Authorization": f"Bearer {city}"}
    response = client.get("/api/v1/reports/city?questionnaire=sipas", headers=headers)
    assert response.status_code == 200, response.text[:300]
    _validate(doc, "/reports/city", "get", 200, response.get_json())
    other = client.get(f"/api/v1/reports/agency/{OTHER}", headers=headers)
    assert other.status_code == 200
    bad = client.get("/api/v1/reports/city?from=2024-13-01", headers=headers)
    assert bad.status_code == 400
    _validate(doc, "/reports/city", "get", 400, bad.get_json())


@pytest.mark.parametrize(
    "query",
    ["questionnaire=", "version=", "from=", "to=", "period=", "from=20170101", "to=2017-1-1"],
)
def test_report_parameters_are_as_exact_as_the_document(
    client: FlaskClient, db: Database, staff: Staff, store: StoreResponse, query: str
) -> None:
    """An empty or loosely written value is refused (400), as the document's schema
    refuses it; leaving the parameter out takes its default."""
    store()
    _id, city = _token(db, None)
    headers = {"Authorization": f"Bearer {city}"}
    for path in ("/api/v1/reports/city", f"/api/v1/reports/agency/{OWN}"):
        assert client.get(path, headers=headers).status_code == 200, path
        refused = client.get(f"{path}?{query}", headers=headers)
        assert refused.status_code == 400, (path, query, refused.text[:200])
        name = query.split("=", 1)[0]
        assert name in refused.get_json()["error"]


def test_questionnaire_list_and_form_match_the_document(
    client: FlaskClient, db: Database, sipas: str, doc: dict[str, Any]
) -> None:
    listing = client.get("/api/v1/questionnaires")
    _validate(doc, "/questionnaires", "get", 200, listing.get_json())
    assert [q["slug"] for q in listing.get_json()["questionnaires"]] == ["sipas"]
    form = client.get(f"/api/v1/questionnaires/sipas?agency={OWN}")
    _validate(doc, "/questionnaires/{slug}", "get", 200, form.get_json())
    missing = client.get("/api/v1/questionnaires/nope")
    _validate(doc, "/questionnaires/{slug}", "get", 404, missing.get_json())
    refused = client.post("/api/v1/responses", json={"questionnaire": "sipas"})
    assert refused.status_code == 400
    _validate(doc, "/responses", "post", 400, refused.get_json())


def test_every_api_route_is_documented(app: Flask, doc: dict[str, Any]) -> None:
    documented = {
        (path, method.upper())
        for path, item in doc["paths"].items()
        for method in item
        if method != "parameters"
    }
    registered = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in (rule.methods or set()) - {"HEAD"}:
            if method == "OPTIONS" and (path, "OPTIONS") not in documented:
                continue  # Flask's automatic OPTIONS answer
            registered.add((path, method))
    assert registered == documented


def test_tokens_are_created_once_and_listed_by_prefix(
    app: Flask, db: Database, staff: Staff
) -> None:
    from tests.admin.conftest import csrf, signed_in

    client = signed_in(app, staff.admin)
    token = csrf(client, "/admin/tokens")
    created = client.post(
        "/admin/tokens", data={"csrf_token": token, "name": "Cổng Q1", "agency": OWN}
    )
    assert created.status_code == 201
    raw = re.search(r'id="new-token" class="code" readonly size="60" value="([^"]+)"', created.text)
    assert raw and raw.group(1).startswith("sat_")
    listing = client.get("/admin/tokens")
    assert raw.group(1) not in listing.text and raw.group(1)[:10] in listing.text
