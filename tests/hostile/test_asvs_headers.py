"""ASVS V14.4 (HTTP security headers) and V14.5.3 (CORS) on every GET route.

ASVS 4.0.3: 14.4.1 (a content type with its character set), 14.4.2 (API
answers as attachments), 14.4.3 (a Content-Security-Policy), 14.4.4
(``nosniff``), 14.4.5 (HSTS), 14.4.6 (Referrer-Policy), 14.4.7 (framing
only where allowed), 14.5.3 (CORS only for listed origins, never with the
token API), 8.2.1 (staff pages are not cached).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine
from werkzeug.test import TestResponse

from surveyapp import create_app, db_app
from surveyapp.db import Database
from surveyapp.services import api_tokens
from surveyapp.services.agencies import AgencyInput, add_agency
from tests.admin.conftest import OWN, signed_in, sipas, staff, store
from tests.auth.conftest import Staff
from tests.conftest import TEST_SECRET_KEY
from tests.hostile.test_asvs_access import PUBLIC, TOKEN, _routes, _url, ids

__all__ = ["ids", "sipas", "staff", "store"]

LISTED_ORIGIN = "https://quan1.hochiminhcity.gov.vn"


def _check_common(response: TestResponse, where: str) -> None:
    headers = response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in ("strict-origin-when-cross-origin", "same-origin")
    csp = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors" in csp, where
    assert "default-src" in csp, where
    if "frame-ancestors 'none'" in csp:
        assert headers.get("X-Frame-Options") == "DENY", where
    if response.mimetype.startswith("text/"):
        assert response.mimetype_params.get("charset", "").lower() == "utf-8", where


def test_every_get_route_sends_the_security_headers(
    app: Flask, db: Database, staff: Staff, ids: dict[str, int]
) -> None:
    anonymous = app.test_client()
    admin = signed_in(app, staff.admin)
    token = _token(db)
    checked = 0
    for method, rule in _routes(app):
        if method != "GET":
            continue
        url = _url(app, rule, ids)
        if rule.endpoint in PUBLIC:
            response = anonymous.get(url)
        elif rule.endpoint in TOKEN:
            response = anonymous.get(url, headers={"Authorization": f"Bearer {token}"})
        else:
            response = admin.get(url)
            assert response.headers.get("Cache-Control") == "no-store", url
        where = f"{url} -> {response.status_code}"
        assert response.status_code < 500, where
        _check_common(response, where)
        response.close()  # static files are streamed from an open file
        checked += 1
    assert checked >= 30


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/no-such-page", 404),
        ("/api/v1/no-such-thing", 404),
        ("/q/no-such-questionnaire", 404),
        ("/admin/users/999999/password", 302),  # GET of a POST-only route, anonymous
        ("/staff", 302),
    ],
)
def test_error_answers_send_them_too(app: Flask, db: Database, url: str, status: int) -> None:
    response = app.test_client().get(url)
    assert response.status_code in (status, 405)
    _check_common(response, url)


def _token(db: Database) -> str:
    with db.write() as session:
        _row, raw = api_tokens.create_token(session, "headers", None, actor=None)
    return raw


def test_api_answers_are_attachments(app: Flask, db: Database, staff: Staff) -> None:
    """14.4.2: a JSON answer opened in a tab is a download, never a page."""
    client = app.test_client()
    for url in ("/api/v1/questionnaires", "/api/v1/openapi.json", "/api/v1/nothing"):
        response = client.get(url)
        assert response.mimetype == "application/json", url
        assert response.headers["Content-Disposition"].startswith("attachment"), url


@pytest.fixture
def https_app(engine: Engine, db: Database) -> Iterator[Flask]:
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "DATABASE_URL": str(engine.url.render_as_string(hide_password=False)),
            "PUBLIC_URL": "https://khaosat.hochiminhcity.gov.vn",
        }
    )
    db_app.get_db(application).engine.dispose()
    application.extensions[db_app.EXTENSION_KEY] = db
    yield application


@pytest.mark.parametrize(
    "url", ["/", "/login", "/staff", "/api/v1/questionnaires", "/no-such-page", "/healthz"]
)
def test_https_deployments_send_hsts_everywhere(https_app: Flask, app: Flask, url: str) -> None:
    """14.4.5: every answer of an https deployment, errors and redirects included."""
    secure = https_app.test_client().get(url, base_url="https://khaosat.hochiminhcity.gov.vn")
    hsts = secure.headers.get("Strict-Transport-Security", "")
    assert hsts.startswith("max-age="), url
    assert int(hsts.split(";")[0].removeprefix("max-age=")) >= 15724800  # ASVS: 6 months
    assert "includeSubDomains" in hsts
    # Over plain http the header means nothing, and a test server has no TLS: none is sent.
    assert "Strict-Transport-Security" not in app.test_client().get(url).headers


def test_the_token_api_never_answers_cross_origin(
    app: Flask, db: Database, staff: Staff, sipas: str
) -> None:
    """14.5.3: even a listed origin gets no CORS grant on the report API or its preflight."""
    with db.write() as session:
        add_agency(
            session,
            AgencyInput(OWN, "Quận 1", "District 1", "district", [LISTED_ORIGIN]),
            replace=True,
        )
    token = _token(db)
    client = app.test_client()
    for url in (f"/api/v1/reports/agency/{OWN}?questionnaire=sipas", "/api/v1/reports/city"):
        response = client.get(
            url, headers={"Origin": LISTED_ORIGIN, "Authorization": f"Bearer {token}"}
        )
        assert "Access-Control-Allow-Origin" not in response.headers, url
        preflight = client.options(
            url,
            headers={
                "Origin": LISTED_ORIGIN,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        assert "Access-Control-Allow-Origin" not in preflight.headers, url
        assert (
            "authorization" not in preflight.headers.get("Access-Control-Allow-Headers", "").lower()
        )
    # The public form API does answer the listed origin (and only it).
    form = client.get("/api/v1/questionnaires/sipas", headers={"Origin": LISTED_ORIGIN})
    assert form.headers.get("Access-Control-Allow-Origin") == LISTED_ORIGIN
    assert "Access-Control-Allow-Credentials" not in form.headers
