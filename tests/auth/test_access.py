"""Who may see what, through real routes: /staff and a test-only report blueprint."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask, Response, make_response
from flask.testing import FlaskClient

from surveyapp.auth.access import (
    agency_for,
    login_required,
    require_agency_access,
    require_city_access,
    staff_pages,
)
from surveyapp.db import Database
from surveyapp.security import DEFAULT_CSP

from .conftest import OTHER, OWN, Staff, login


@pytest.fixture
def reports(app: Flask) -> Flask:
    """Register report-like routes that use the helpers as the real ones will."""
    bp = Blueprint("fake_reports", __name__)

    @bp.get("/t/agency/<code>")
    @login_required
    def agency_report(code: str) -> str:
        agency = require_agency_access(code)
        return f"report of {agency.code}"

    @bp.get("/t/city")
    @login_required
    def city_report() -> str:
        user = require_city_access()
        return f"city report for {user.role}"

    @bp.get("/t/unguarded/<code>")
    def unguarded(code: str) -> str:
        # The helper alone (no decorator) still sends anonymous visitors to sign in.
        return require_agency_access(code).code

    @bp.get("/t/weakened")
    @login_required
    def weakened() -> Response:
        response = make_response("framable?")
        response.headers["Content-Security-Policy"] = "frame-ancestors *"
        response.headers["X-Frame-Options"] = "ALLOWALL"
        response.headers["Cache-Control"] = "public, max-age=600"
        return response

    app.register_blueprint(staff_pages(bp))
    return app


WHO = ("admin", "inspector", "own", "other", "anonymous")
# (url, expected status for admin, inspector, own-agency user, other-agency user, anonymous)
MATRIX = [
    (f"/t/agency/{OWN}", (200, 200, 200, 404, 302)),
    (f"/t/agency/{OWN.lower()}", (200, 200, 200, 404, 302)),
    (f"/t/agency/{OTHER}", (200, 200, 404, 200, 302)),
    ("/t/agency/NOPE", (404, 404, 404, 404, 302)),
    ("/t/city", (200, 200, 404, 404, 302)),
    (f"/t/unguarded/{OWN}", (200, 200, 200, 404, 302)),
    ("/staff", (200, 200, 200, 200, 302)),
]


def client_for(app: Flask, staff: Staff, who: str) -> FlaskClient:
    client = app.test_client()
    if who != "anonymous":
        assert login(client, getattr(staff, who)).status_code == 303
    return client


@pytest.mark.parametrize("who", WHO)
def test_access_matrix(reports: Flask, db: Database, staff: Staff, who: str) -> None:
    client = client_for(reports, staff, who)
    not_found = None
    for url, statuses in MATRIX:
        response = client.get(url)
        expected = statuses[WHO.index(who)]
        assert response.status_code == expected, url
        if expected == 302:
            assert response.headers["Location"] == f"/login?next={url}"
        if expected == 404:
            # Someone else's agency and an unknown code answer exactly alike.
            body = response.get_data()
            assert not_found in (None, body)
            not_found = body
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_agency_user_s_404_matches_an_unknown_code(
    reports: Flask, db: Database, staff: Staff
) -> None:
    client = client_for(reports, staff, "own")
    other, unknown = client.get(f"/t/agency/{OTHER}"), client.get("/t/agency/NOPE")
    assert other.status_code == unknown.status_code == 404
    assert other.get_data() == unknown.get_data()
    assert dict(other.headers) == dict(unknown.headers)


def test_anonymous_visitors_come_back_after_signing_in(
    reports: Flask, db: Database, staff: Staff
) -> None:
    client = reports.test_client()
    first = client.get("/t/agency/Q1?period=2017-Q3")
    assert first.headers["Location"] == "/login?next=/t/agency/Q1?period%3D2017-Q3"
    page = client.get(first.headers["Location"])
    assert 'name="next" type="hidden" value="/t/agency/Q1?period=2017-Q3"' in page.get_data(
        as_text=True
    )
    response = login(client, staff.own, next_url="/t/agency/Q1?period=2017-Q3")
    assert response.headers["Location"] == "/t/agency/Q1?period=2017-Q3"
    assert client.get("/t/agency/Q1").get_data(as_text=True) == "report of Q1"


def test_the_dashboard_lists_only_visible_agencies(
    reports: Flask, db: Database, staff: Staff
) -> None:
    def listed(who: str) -> set[str]:
        page = client_for(reports, staff, who).get("/dashboard").get_data(as_text=True)
        return {code for code in (OWN, OTHER) if f"<code>{code}</code>" in page}

    assert listed("admin") == listed("inspector") == {OWN, OTHER}
    assert listed("own") == {OWN}
    assert listed("other") == {OTHER}


def test_agency_for_without_flask(db: Database, staff: Staff) -> None:
    from sqlalchemy import select

    from surveyapp.models import User

    with db.session() as session:
        users = {u.email: u for u in session.scalars(select(User))}
        own = users[staff.own]
        assert agency_for(session, own, "q1") is not None
        assert agency_for(session, own, OTHER) is None
        assert agency_for(session, None, OWN) is None
        own.active = False
        assert agency_for(session, own, OWN) is None
        own.active = True  # the test's transaction is rolled back by the db fixture
        session.flush()


@pytest.mark.parametrize("url", ["/login", "/staff", "/t/agency/NOPE", "/t/weakened"])
def test_staff_pages_are_never_cached_or_framed(
    reports: Flask, db: Database, staff: Staff, url: str
) -> None:
    client = client_for(reports, staff, "admin")
    response = client.get(url)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Content-Security-Policy"] == DEFAULT_CSP
    assert "frame-ancestors 'none'" in DEFAULT_CSP


def test_the_public_home_page_keeps_its_own_headers(client: FlaskClient) -> None:
    response = client.get("/")
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Frame-Options"] == "DENY"
