"""ASVS V3 (session management) through the real sign-in form and session cookie.

ASVS 4.0.3: 3.3.1 (sign-out invalidates the session), 3.3.2 (re-authentication
after an idle period and after an absolute lifetime), 3.3.4 (a user can end
every other session), 3.4.1-3.4.4 (cookie attributes and the ``__Host-`` prefix).

The session is a signed cookie: "invalidated" must mean that a copy of the
cookie taken before sign-out (from another device, a proxy log, a backup) no
longer signs anyone in, not merely that the browser forgot it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from surveyapp import create_app, db_app
from surveyapp.auth import SESSION_IDLE_SECONDS, SESSION_MAX_SECONDS
from surveyapp.db import Database
from tests.auth.conftest import Staff, login, logout, staff
from tests.conftest import TEST_SECRET_KEY

__all__ = ["staff"]


def is_signed_in(client: FlaskClient) -> bool:
    """Return whether the staff home answers (200) rather than sending to sign in (302)."""
    status = client.get("/staff").status_code
    assert status in (200, 302), status
    return status == 200


def copy_of_session(source: FlaskClient, app: Flask) -> FlaskClient:
    """Return a new client holding a copy of ``source``'s session cookie (a stolen cookie)."""
    cookie = source.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(cookie.key, cookie.value)
    return thief


def test_a_copied_cookie_stops_working_after_sign_out(
    app: Flask, client: FlaskClient, staff: Staff
) -> None:
    """ASVS 3.3.1: after sign-out the old session cookie signs nobody in."""
    assert login(client, staff.inspector).status_code == 303
    thief = copy_of_session(client, app)
    assert is_signed_in(thief)
    assert logout(client).status_code == 303
    assert not is_signed_in(client)
    assert not is_signed_in(thief)


def test_signing_out_ends_the_user_s_other_sessions(
    app: Flask, client: FlaskClient, staff: Staff
) -> None:
    """ASVS 3.3.4: signing out on one device ends every session of the account."""
    laptop, phone = client, app.test_client()
    login(laptop, staff.admin)
    login(phone, staff.admin)
    other_user = app.test_client()
    login(other_user, staff.inspector)
    logout(laptop)
    assert not is_signed_in(phone)
    assert is_signed_in(other_user)  # other accounts are untouched
    login(phone, staff.admin)  # signing in again works
    assert is_signed_in(phone)


def _shift_session_clock(client: FlaskClient, seconds: float, *keys: str) -> None:
    """Move the session's recorded times ``seconds`` into the past."""
    with client.session_transaction() as session:
        for key in keys:
            assert key in session, f"the session records no {key}"
            session[key] = float(session[key]) - seconds


def test_an_idle_session_ends(client: FlaskClient, staff: Staff) -> None:
    """ASVS 3.3.2 (level 2): 30 minutes without a request end the session."""
    login(client, staff.admin)
    _shift_session_clock(client, SESSION_IDLE_SECONDS - 60, "_seen_at")
    assert is_signed_in(client)  # one minute left: still signed in, and the clock restarts
    _shift_session_clock(client, SESSION_IDLE_SECONDS - 60, "_seen_at")
    assert is_signed_in(client)
    _shift_session_clock(client, SESSION_IDLE_SECONDS + 1, "_seen_at")
    response = client.get("/staff")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/staff"
    assert not is_signed_in(client)


def test_an_active_session_ends_after_twelve_hours(client: FlaskClient, staff: Staff) -> None:
    """ASVS 3.3.2 (level 2): even in constant use, a session lasts at most 12 hours."""
    login(client, staff.admin)
    _shift_session_clock(client, SESSION_MAX_SECONDS - 60, "_signed_in_at")
    assert is_signed_in(client)
    _shift_session_clock(client, 61, "_signed_in_at")
    assert not is_signed_in(client)


def test_a_session_without_its_times_is_not_trusted(client: FlaskClient, staff: Staff) -> None:
    """A session made before the timeouts existed (or forged without them) signs nobody in."""
    login(client, staff.admin)
    with client.session_transaction() as session:
        del session["_signed_in_at"]
    assert not is_signed_in(client)


def test_the_limits_are_those_of_asvs_level_2() -> None:
    assert SESSION_IDLE_SECONDS <= 30 * 60
    assert SESSION_MAX_SECONDS <= 12 * 3600


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


def test_over_https_the_cookie_is_host_only(https_app: Flask, staff: Staff) -> None:
    """ASVS 3.4.4: ``__Host-`` keeps a sibling sub-domain from planting a session cookie."""
    client = https_app.test_client()
    response = login(client, staff.admin)
    cookies = response.headers.getlist("Set-Cookie")
    (session_cookie,) = [c for c in cookies if c.startswith("__Host-session=")]
    for flag in ("; Secure", "; HttpOnly", "; Path=/", "; SameSite=Lax"):
        assert flag in session_cookie
    assert "Domain=" not in session_cookie
    assert not any(c.startswith("session=") for c in cookies)
    assert is_signed_in(client)


def test_over_http_the_cookie_keeps_its_plain_name(app: Flask, staff: Staff) -> None:
    """``__Host-`` cookies need Secure, which a plain-http deployment cannot send back."""
    client = app.test_client()
    cookies = login(client, staff.admin).headers.getlist("Set-Cookie")
    assert any(c.startswith("session=") for c in cookies)
    assert not any(c.startswith("__Host-") for c in cookies)


def test_signing_out_clears_what_the_browser_kept(client: FlaskClient, staff: Staff) -> None:
    """ASVS 8.2.3: the sign-out answer asks the browser to drop cached staff data."""
    login(client, staff.admin)
    response = logout(client)
    directives = {d.strip() for d in response.headers.get("Clear-Site-Data", "").split(",")}
    assert {'"cache"', '"storage"'} <= directives


def test_refused_staff_requests_are_logged(
    app: Flask, staff: Staff, caplog: pytest.LogCaptureFixture
) -> None:
    """ASVS 7.2.2: a signed-in user refused a page (404 "not yours", 400 no CSRF) is logged."""
    client = app.test_client()
    login(client, staff.other)  # a user of SNV
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        assert client.get("/dashboard/agency/Q1").status_code == 404
        assert client.get("/admin/agencies/Q1\r\nforged line").status_code == 404
        assert client.post("/logout").status_code == 400  # no CSRF token
        assert client.get("/staff").status_code == 200
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 3, refused
    user_id = staff_id(app, staff.other)
    assert all(f"user {user_id}" in line for line in refused)
    assert "/dashboard/agency/Q1" in refused[0]
    assert all("\n" not in line and "\r" not in line for line in refused)  # 7.3.1
    anonymous = app.test_client()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        anonymous.get("/dashboard/agency/Q1")
    assert not [r for r in caplog.records if "refused" in r.getMessage()]


def staff_id(app: Flask, email: str) -> int:
    from sqlalchemy import select

    from surveyapp.models import User

    with db_app.get_db(app).session() as session:
        found = session.scalar(select(User.id).where(User.email == email))
    assert found is not None
    return found
