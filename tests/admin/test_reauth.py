"""Re-authentication: sensitive console actions need the password (and code) of the last 5 min."""

from __future__ import annotations

import time
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from surveyapp.auth import REAUTH_AT, REAUTH_SECONDS
from surveyapp.db import Database
from surveyapp.models import AuditEvent, User
from surveyapp.models.admin import ApiToken
from surveyapp.models.core import AgencyOrigin
from tests.admin.conftest import OWN, PASSWORD, Staff, csrf, signed_in
from tests.auth.conftest import message, next_code

NEW_PASSWORD = "a brand new long password"


def _counts(db: Database) -> tuple[int, int, int, list[str]]:
    with db.session() as session:
        return (
            session.scalar(select(func.count()).select_from(User)) or 0,
            session.scalar(select(func.count()).select_from(ApiToken)) or 0,
            session.scalar(select(func.count()).select_from(AgencyOrigin)) or 0,
            sorted(session.scalars(select(User.password_hash))),
        )


def _age(client: FlaskClient, seconds: float) -> None:
    """Make the session's last proof of identity ``seconds`` old."""
    with client.session_transaction() as session:
        session[REAUTH_AT] = time.time() - seconds


def _actions(db: Database, staff: Staff) -> list[tuple[str, str, dict[str, str]]]:
    """(form page, action URL, fields) of every action that needs a recent password."""
    with db.session() as session:
        inspector = session.scalar(select(User.id).where(User.email == staff.inspector))
        admin = session.scalar(select(User.id).where(User.email == staff.admin))
    return [
        (
            "/admin/users",
            "/admin/users",
            {
                "email": "new@hcmc.gov.vn",
                "role": "inspector",
                "agency": "",
                "password": NEW_PASSWORD,
            },
        ),
        ("/admin/users", f"/admin/users/{inspector}/password", {"password": NEW_PASSWORD}),
        ("/admin/users", f"/admin/users/{admin}/two-factor/reset", {}),
        ("/admin/users", "/admin/users/two-factor-policy", {"agency": "y"}),
        ("/admin/tokens", "/admin/tokens", {"name": "Cổng Q1", "agency": OWN, "days": "30"}),
        (
            f"/admin/agencies/{OWN}",
            f"/admin/agencies/{OWN}",
            {
                "code": OWN,
                "name_vi": "Quận 1",
                "name_en": "District 1",
                "kind": "district",
                "origins": "https://evil.example",
            },
        ),
    ]


def test_every_sensitive_action_needs_a_recent_password(
    app: Flask, db: Database, staff: Staff
) -> None:
    client = signed_in(app, staff.admin)
    before = _counts(db)
    for page, url, fields in _actions(db, staff):
        token = csrf(client, page)
        _age(client, REAUTH_SECONDS + 5)
        response = client.post(url, data={"csrf_token": token, **fields})
        assert response.status_code == 303, url
        assert response.headers["Location"].startswith("/reauth?next="), url
        assert unquote(response.headers["Location"]).endswith(f"next={page}"), url
    assert _counts(db) == before
    with db.session() as session:
        assert session.scalar(select(User.totp_secret).where(User.email == staff.admin))


def test_the_reauth_form_confirms_and_returns_to_the_action(
    app: Flask, db: Database, staff: Staff
) -> None:
    client = signed_in(app, staff.admin)
    _age(client, REAUTH_SECONDS + 5)
    token = csrf(client, "/admin/tokens")
    sent = client.post("/admin/tokens", data={"csrf_token": token, "name": "x", "agency": OWN})
    target = sent.headers["Location"]
    form = client.get(target)
    assert form.status_code == 200
    assert 'id="code"' in form.text  # the admin has a second factor: the code is asked too
    reauth_token = csrf(client, target)
    data = {"csrf_token": reauth_token, "next": "/admin/tokens"}
    wrong = client.post("/reauth", data={**data, "password": "not it at all", "code": "1"})
    assert wrong.status_code == 200 and "Wrong password or code" in message(wrong)
    no_code = client.post("/reauth", data={**data, "password": PASSWORD, "code": ""})
    assert no_code.status_code == 200 and "Wrong password or code" in message(no_code)
    right = client.post(
        "/reauth",
        data={**data, "password": PASSWORD, "code": next_code(client, staff.admin)},
    )
    assert right.status_code == 303 and right.headers["Location"] == "/admin/tokens"
    token = csrf(client, "/admin/tokens")
    created = client.post(
        "/admin/tokens", data={"csrf_token": token, "name": "Cổng Q1", "agency": OWN}
    )
    assert created.status_code == 201
    with db.session() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "reauth.success" in actions and "reauth.failure" in actions


def test_reauth_attempts_are_throttled(app: Flask, db: Database, staff: Staff) -> None:
    client = signed_in(app, staff.admin)
    token = csrf(client, "/reauth")
    for _ in range(5):
        client.post("/reauth", data={"csrf_token": token, "password": "wrong guess here"})
    throttled = client.post("/reauth", data={"csrf_token": token, "password": PASSWORD})
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example", "/\\evil", "x" * 5000, ""]
)
def test_reauth_never_leaves_the_site(
    app: Flask, db: Database, staff: Staff, next_url: str
) -> None:
    client = signed_in(app, staff.inspector)
    page = client.get("/reauth", query_string={"next": next_url})
    assert page.status_code == 200
    token = csrf(client, "/reauth")
    done = client.post(
        "/reauth", data={"csrf_token": token, "password": PASSWORD, "next": next_url}
    )
    assert done.status_code == 303 and done.headers["Location"] == "/staff"


def test_reauth_needs_a_signed_in_user(app: Flask, db: Database, staff: Staff) -> None:
    client = signed_in(app, None)
    assert client.get("/reauth").headers["Location"].startswith("/login?next=")
