"""Signing in and out: one message for every failure, CSRF, cookies and sessions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from werkzeug.test import TestResponse

from surveyapp import create_app, db_app
from surveyapp.db import Database
from surveyapp.models import User
from surveyapp.services import accounts
from tests.conftest import TEST_SECRET_KEY

from .conftest import PASSWORD, Staff, csrf_token, login, logout, message

FAILED = "Thư điện tử hoặc mật khẩu không đúng."


def signed_in_as(client: FlaskClient) -> str | None:
    """Return the e-mail the staff page greets, or None when it sends to the sign-in page."""
    page = client.get("/staff")
    if page.status_code == 302:
        assert page.headers["Location"] == "/login?next=/staff"
        return None
    assert page.status_code == 200
    found = re.search(r'<span class="who">([^ <]+) ·', page.get_data(as_text=True))
    assert found
    return found.group(1)


def without_token(response: TestResponse) -> str:
    return re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))


def test_sign_in_and_out(client: FlaskClient, staff: Staff, db: Database) -> None:
    assert signed_in_as(client) is None
    response = login(client, "  Q1@HCMC.gov.vn ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff"
    assert signed_in_as(client) == staff.own
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == staff.own))
        assert user is not None and user.last_login_at is not None
    # Signed in, the sign-in page sends on to the staff page.
    assert client.get("/login").headers["Location"] == "/staff"
    out = logout(client)
    assert out.status_code == 303
    assert out.headers["Location"] == "/login"
    assert signed_in_as(client) is None


def test_unknown_user_wrong_password_and_disabled_user_get_one_answer(
    client: FlaskClient, staff: Staff, db: Database
) -> None:
    with db.write() as session:
        accounts.set_active(session, staff.other, False)
    wrong = login(client, staff.own, "not the password at all")
    unknown = login(client, "nobody@hcmc.gov.vn", "not the password at all")
    disabled = login(client, staff.other, PASSWORD)
    for response in (wrong, unknown, disabled):
        assert response.status_code == 200
        assert message(response) == FAILED
    assert without_token(wrong) == without_token(disabled)
    assert without_token(unknown).replace("nobody@hcmc.gov.vn", staff.own) == without_token(wrong)
    assert signed_in_as(client) is None


def test_unknown_users_cost_one_password_check_like_known_ones(
    client: FlaskClient, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = accounts.check_password_hash

    def counting(stored: str, password: str) -> bool:
        checked.append(stored.split("$", 1)[0])
        return real(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    login(client, "nobody@hcmc.gov.vn", "not the password at all")
    login(client, staff.own, "not the password at all")
    # The same method and cost parameters for the dummy hash and the real one.
    assert len(checked) == 2
    assert checked[0] == checked[1] == "scrypt:32768:8:1"


def test_empty_fields_are_refused_without_signing_in(client: FlaskClient, staff: Staff) -> None:
    response = login(client, staff.own, "")
    assert response.status_code == 200
    assert "Đề nghị nhập thư điện tử và mật khẩu." in message(response)
    assert signed_in_as(client) is None


def test_csrf_token_is_required_to_sign_in(client: FlaskClient, staff: Staff) -> None:
    csrf_token(client)  # the session holds a token, the post does not send it
    data = {"email": staff.admin, "password": PASSWORD}
    missing = client.post("/login", data=data)
    assert missing.status_code == 400
    assert "Biểu mẫu đã hết hạn" in message(missing)
    forged = client.post("/login", data={**data, "csrf_token": "forged"})
    assert forged.status_code == 400
    other = FlaskClient(client.application, client.response_wrapper)
    stolen = client.post("/login", data={**data, "csrf_token": csrf_token(other)})
    assert stolen.status_code == 400
    assert signed_in_as(client) is None


def test_sign_out_needs_a_post_with_the_csrf_token(client: FlaskClient, staff: Staff) -> None:
    login(client, staff.admin)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert signed_in_as(client) == staff.admin
    assert logout(client).status_code == 303
    assert signed_in_as(client) is None


def test_the_session_starts_afresh_at_sign_in(client: FlaskClient, staff: Staff) -> None:
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, staff.admin)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].endswith(":1")


def test_a_disabled_user_s_sessions_stop_working(
    client: FlaskClient, staff: Staff, db: Database
) -> None:
    login(client, staff.own)
    assert signed_in_as(client) == staff.own
    with db.write() as session:
        accounts.set_active(session, staff.own, False)
    assert signed_in_as(client) is None
    # Enabling again does not revive the old session: the session id changed.
    with db.write() as session:
        accounts.set_active(session, staff.own, True)
    assert signed_in_as(client) is None


def test_a_new_password_ends_every_session(
    app: Flask, client: FlaskClient, staff: Staff, cli: Any
) -> None:
    laptop, phone = client, app.test_client()
    login(laptop, staff.inspector)
    login(phone, staff.inspector)
    assert signed_in_as(laptop) == signed_in_as(phone) == staff.inspector
    new = "another long password"
    result = cli("users", "set-password", staff.inspector, "--password-stdin", input=new + "\n")
    assert result.exit_code == 0, result.output
    assert signed_in_as(laptop) is None
    assert signed_in_as(phone) is None
    assert message(login(laptop, staff.inspector, PASSWORD)) == FAILED
    assert login(laptop, staff.inspector, new).status_code == 303
    assert signed_in_as(laptop) == staff.inspector


def test_a_forged_session_id_is_refused(client: FlaskClient, staff: Staff) -> None:
    login(client, staff.admin)
    for forged in ("1", "x:1", "999999:1", ":", ""):
        with client.session_transaction() as session:
            session["_user_id"] = forged
        assert signed_in_as(client) is None


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


def session_cookie(response: TestResponse) -> str:
    names = ("session=", "__Host-session=")  # the https name is host-only (ASVS 3.4.4)
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(names)]
    assert len(cookies) == 1
    return cookies[0]


def test_session_cookie_flags(client: FlaskClient, staff: Staff, https_app: Flask) -> None:
    plain = session_cookie(login(client, staff.admin))
    assert "; HttpOnly" in plain
    assert "; SameSite=Lax" in plain
    assert "Secure" not in plain  # served over http: a Secure cookie would never come back
    assert "remember_token" not in str(login(client, staff.admin).headers)
    secure_client = https_app.test_client()
    secure = session_cookie(login(secure_client, staff.admin))
    assert "; Secure" in secure
    assert "; HttpOnly" in secure
    assert "; SameSite=Lax" in secure
