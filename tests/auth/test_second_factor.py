"""The second factor (TOTP, RFC 6238): enrolment, sign-in with a code, reuse, recovery, limits."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from surveyapp.db import Database
from surveyapp.models import AuditEvent, RecoveryCode, User
from surveyapp.services import accounts, second_factor

from .conftest import PASSWORD, Staff, csrf_token, login, message, next_code, send_code

SECRET_RE = re.compile(r'<code id="totp-secret">([A-Z2-7 ]+)</code>')
CODES_RE = re.compile(r"<li><code>([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})</code></li>")


def _user(db: Database, email: str) -> User:
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None
        return user


def _password_only(client: FlaskClient, email: str, next_url: str | None = None) -> TestResponse:
    data = {"csrf_token": csrf_token(client), "email": email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/login", data=data)


def _enrol(client: FlaskClient) -> tuple[str, list[str]]:
    """Enrol through the pages: read the key, answer with its code; return key and codes."""
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    found = SECRET_RE.search(page.get_data(as_text=True))
    assert found, "the enrolment page shows no key"
    secret = found.group(1).replace(" ", "")
    assert 'src="data:image/svg+xml' in page.get_data(as_text=True)  # the QR code
    token = csrf_token(client, "/account/two-factor")
    wrong = client.post("/account/two-factor", data={"csrf_token": token, "code": "000000"})
    if pyotp.TOTP(secret).now() != "000000":
        assert wrong.status_code == 422
        assert 'role="alert"' in wrong.get_data(as_text=True)
    done = client.post(
        "/account/two-factor", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()}
    )
    assert done.status_code == 200, done.text[:500]
    codes = CODES_RE.findall(done.get_data(as_text=True))
    return secret, codes


def test_an_admin_without_a_second_factor_must_enrol_before_the_console(
    app: Flask, db: Database, staff: Staff
) -> None:
    with db.write() as session:
        second_factor.reset(session, staff.admin, actor=None)
    client = app.test_client()
    response = _password_only(client, staff.admin, next_url="/admin/users")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/account/two-factor?next=")
    for url in ("/admin/", "/admin/users", "/admin/tokens", "/staff", "/dashboard"):
        refused = client.get(url)
        assert refused.status_code in (302, 303), url
        assert refused.headers["Location"].startswith("/account/two-factor"), url
    secret, codes = _enrol(client)
    assert len(codes) == len(set(codes)) == second_factor.RECOVERY_CODE_COUNT
    assert client.get("/admin/users").status_code == 200
    stored = _user(db, staff.admin)
    assert stored.has_second_factor and stored.totp_secret == secret
    with db.session() as session:
        hashes = session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == len(codes)
    assert not {c.replace("-", "") for c in codes} & set(hashes)  # hashed, not stored as typed
    # The codes are shown once: the page now only says the factor is on.
    again = client.get("/account/two-factor").get_data(as_text=True)
    assert not CODES_RE.search(again) and "totp-secret" not in again


def test_sign_in_asks_for_the_code_and_refuses_a_reused_one(
    app: Flask, db: Database, staff: Staff
) -> None:
    client = app.test_client()
    first = _password_only(client, staff.admin, next_url="/admin/users")
    assert first.status_code == 303 and first.headers["Location"] == "/login/code"
    # The password alone opens nothing.
    assert client.get("/admin/").headers["Location"].startswith("/login?next=")
    code = next_code(client, staff.admin)
    signed_in = send_code(client, code)
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/admin/users"
    assert client.get("/admin/users").status_code == 200
    # The same code, from another browser, a moment later: refused.
    other = app.test_client()
    _password_only(other, staff.admin)
    reused = send_code(other, code)
    assert reused.status_code == 200
    assert "đã được sử dụng" in message(reused)  # "already used"
    assert other.get("/admin/").status_code in (302, 303)
    with db.session() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "second_factor.success" in actions and "second_factor.failure" in actions


def test_a_recovery_code_works_once(app: Flask, db: Database, staff: Staff) -> None:
    client = app.test_client()
    with db.write() as session:
        second_factor.reset(session, staff.inspector, actor=None)
    login(client, staff.inspector)
    _secret, codes = _enrol(client)
    for attempt in (1, 2):
        fresh = app.test_client()
        assert _password_only(fresh, staff.inspector).headers["Location"] == "/login/code"
        response = send_code(fresh, codes[0].lower().replace("-", " "))
        if attempt == 1:
            assert response.status_code == 303, response.text[:300]
            assert fresh.get("/staff").status_code == 200
        else:
            assert response.status_code == 200
            assert fresh.get("/staff").status_code in (302, 303)
    with db.session() as session:
        assert second_factor.recovery_codes_left(session, _user(db, staff.inspector).id) == 9


def test_wrong_codes_are_throttled_like_passwords(app: Flask, db: Database, staff: Staff) -> None:
    client = app.test_client()
    _password_only(client, staff.admin)
    limit = accounts.LoginLimits().per_account
    # The password's attempt counts until the code is right: limit - 1 wrong codes.
    for _ in range(limit - 1):
        assert send_code(client, "12345").status_code == 200
    throttled = send_code(client, next_code(client, staff.admin))
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    # The password counts against the same limit.
    fresh = app.test_client()
    assert _password_only(fresh, staff.admin).status_code == 429


def test_a_code_from_too_long_ago_or_ahead_is_refused(
    app: Flask, db: Database, staff: Staff
) -> None:
    secret = _user(db, staff.admin).totp_secret
    assert secret is not None
    totp = pyotp.TOTP(secret)
    for offset in (-3 * 30, 3 * 30):
        client = app.test_client()
        _password_only(client, staff.admin)
        response = send_code(client, totp.at(time.time() + offset))
        assert response.status_code == 200, offset
        assert client.get("/staff").status_code in (302, 303)


def test_the_code_page_needs_a_right_password_first(client: FlaskClient, staff: Staff) -> None:
    page = client.get("/login/code")
    assert page.status_code == 303 and page.headers["Location"] == "/login"
    posted = client.post("/login/code", data={"code": "123456"})
    assert posted.status_code == 303 and posted.headers["Location"] == "/login"


@pytest.mark.parametrize(
    "code", ["", " ", "1" * 64, "x" * 5000, "١٢٣٤٥٦", "12345\x00", "ABCD-EFGH-IJKL", "\ufffe" * 6]
)
def test_odd_codes_are_refused_without_an_error(
    app: Flask, db: Database, staff: Staff, code: str
) -> None:
    client = app.test_client()
    _password_only(client, staff.admin)
    response = send_code(client, code)
    assert response.status_code in (200, 400), response.status_code
    assert client.get("/staff").status_code in (302, 303)
    token = csrf_token(client, "/login")
    enrol = client.post("/account/two-factor", data={"csrf_token": token, "code": code})
    assert enrol.status_code in (302, 303)  # not signed in: sent to sign in


def test_optional_roles_may_enrol_and_an_admin_may_require_them(
    app: Flask, db: Database, staff: Staff
) -> None:
    inspector = app.test_client()
    assert login(inspector, staff.inspector).headers["Location"] == "/staff"
    assert inspector.get("/staff").status_code == 200
    admin = app.test_client()
    login(admin, staff.admin)
    token = csrf_token(admin, "/admin/users")
    saved = admin.post(
        "/admin/users/two-factor-policy", data={"csrf_token": token, "inspector": "y"}
    )
    assert saved.status_code == 303
    with db.session() as session:
        assert second_factor.required_roles(session) == {"admin", "inspector"}
    # The inspector's next staff page is the enrolment page; agency users are unaffected.
    assert inspector.get("/staff").headers["Location"].startswith("/account/two-factor")
    agency = app.test_client()
    assert login(agency, staff.own).headers["Location"] == "/staff"
    _enrol(inspector)
    assert inspector.get("/staff").status_code == 200


def test_an_admin_resets_a_second_factor_in_the_console(
    app: Flask, db: Database, staff: Staff
) -> None:
    victim = app.test_client()
    login(victim, staff.inspector)
    _enrol(victim)
    admin = app.test_client()
    login(admin, staff.admin)
    target = _user(db, staff.inspector)
    token = csrf_token(admin, "/admin/users")
    response = admin.post(f"/admin/users/{target.id}/two-factor/reset", data={"csrf_token": token})
    assert response.status_code == 303
    assert not _user(db, staff.inspector).has_second_factor
    assert victim.get("/staff").status_code in (302, 303)  # its sessions ended
    with db.session() as session:
        assert second_factor.recovery_codes_left(session, target.id) == 0


def test_typing_the_password_again_does_not_reset_the_code_limit(
    app: Flask, db: Database, staff: Staff
) -> None:
    """Someone who knows the password cannot guess codes forever by signing in again."""
    client = app.test_client()
    refused = None
    for _ in range(accounts.LoginLimits().per_account + 2):
        first = _password_only(client, staff.admin)
        if first.status_code == 429:
            refused = first
            break
        code = send_code(client, "12345")
        if code.status_code == 429:
            refused = code
            break
        assert code.status_code == 200
    assert refused is not None, "wrong codes were never throttled"
    assert int(refused.headers["Retry-After"]) > 0
