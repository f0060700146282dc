"""ASVS V7.4 (error handling) and V13.1/13.2 (API errors in the API's own format).

ASVS 4.0.3: 7.4.1 (a generic message, no stack trace, query or secret, when
something unexpected fails), 7.4.3 (a last-resort handler for every unhandled
exception), 13.2.1/13.1.x (an API answers JSON, also when it fails). The
exception itself is logged for the operators (7.1.x), only the response is plain.

Failures are provoked through test-only routes that raise: no real route is
known to fail, and the handlers under test are the app's global ones.
"""

from __future__ import annotations

import logging

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient

from surveyapp.db import Database
from tests.auth.conftest import Staff, login, staff
from tests.public.conftest import AGENCY_ORIGIN

__all__ = ["staff"]

SECRET = "password=hunter2 at /srv/surveyapp/instance/secret_key"


@pytest.fixture
def failing(app: Flask) -> Flask:
    """The app with routes that fail unexpectedly, answered as in production (not re-raised)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom() -> str:
        raise RuntimeError(SECRET)

    def refuse(code: int) -> str:
        abort(code)

    app.add_url_rule("/api/v1/asvs-boom", "asvs_api_boom", boom)
    app.add_url_rule("/asvs-boom", "asvs_page_boom", boom)
    app.add_url_rule("/api/v1/asvs-refuse/<int:code>", "asvs_api_refuse", refuse)
    return app


def _leaks(text: str) -> list[str]:
    return [s for s in ("hunter2", "secret_key", "Traceback", "RuntimeError") if s in text]


def test_an_unexpected_failure_of_a_page_is_a_plain_500(
    failing: Flask, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """7.4.1: the page says nothing of the cause; 7.4.3: the log has it all."""
    with caplog.at_level(logging.ERROR):
        response = failing.test_client().get("/asvs-boom")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert _leaks(response.get_data(as_text=True)) == []
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    logged = [r for r in caplog.records if r.exc_info and SECRET in str(r.exc_info[1])]
    assert logged, "the exception is not in the log"


def test_an_unexpected_failure_of_the_api_is_json(
    failing: Flask, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """13.2.1: a kiosk's client reads ``{"error": ...}`` even when the server fails."""
    with caplog.at_level(logging.ERROR):
        response = failing.test_client().get("/api/v1/asvs-boom")
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    assert response.get_json() == {"error": "internal server error"}
    assert _leaks(response.get_data(as_text=True)) == []
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert any(r.exc_info for r in caplog.records)


def test_a_listed_origin_can_read_the_api_s_500(
    failing: Flask, db: Database, survey: dict[str, str]
) -> None:
    """A form on an agency's page must be able to tell its visitor that the server failed."""
    response = failing.test_client().get("/api/v1/asvs-boom", headers={"Origin": AGENCY_ORIGIN})
    assert response.status_code == 500
    assert response.headers["Access-Control-Allow-Origin"] == AGENCY_ORIGIN
    other = failing.test_client().get(
        "/api/v1/asvs-boom", headers={"Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in other.headers


@pytest.mark.parametrize("code", [401, 403, 409, 410, 415, 422, 501])
def test_every_api_error_is_json(failing: Flask, db: Database, code: int) -> None:
    """Not only the errors the public side names (400, 404, 405, 413, 429): all of them."""
    response = failing.test_client().get(f"/api/v1/asvs-refuse/{code}")
    assert response.status_code == code
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    body = response.get_json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"]


def test_staff_errors_keep_the_staff_headers(failing: Flask, staff: Staff) -> None:
    """A 404 of the console is neither cached nor framed, like the console's pages."""
    client = failing.test_client()
    login(client, staff.inspector)
    response = client.get("/admin/agencies/Q1")  # not an admin: "not yours: not found"
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_an_error_page_escapes_what_it_repeats(client: FlaskClient, staff: Staff) -> None:
    """A refused parameter is named in the 400 page as text, never as markup (5.3.1)."""
    login(client, staff.admin)
    payload = "<script>alert(1)</script>"
    response = client.get(f"/dashboard/agency/Q1?questionnaire={payload}")
    assert response.status_code in (400, 404), response.status_code
    text = response.get_data(as_text=True)
    assert payload not in text
    response = client.get(f"/reports/agency/Q1.csv?from={payload}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert payload not in text
    assert "&lt;script&gt;" in text or "script" not in text
