"""ASVS V2 (authentication), V13.1.3 and V14.5.4, through the service and the real routes.

ASVS 4.0.3: 2.1.1-2.1.4 and 2.1.9 (password rules: length, no truncation, any
Unicode, no composition rules), 2.2.1 (anti-automation that a forged
``X-Forwarded-For`` cannot dodge), 2.4.1 (a memory-hard hash), 3.1.1/13.1.3
(API tokens never in URLs or cookies), 3.5.x (a token is stored only as a hash
and authorises nothing but its own reports).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, select

from surveyapp import create_app, db_app
from surveyapp.db import Database
from surveyapp.errors import InputError
from surveyapp.models import Base, User
from surveyapp.services import accounts, api_tokens
from tests.admin.conftest import OWN, StoreResponse, sipas, staff, store
from tests.auth.conftest import Staff, login
from tests.conftest import TEST_SECRET_KEY

__all__ = ["sipas", "staff", "store"]

EMAIL = "rules@hcmc.gov.vn"


def _add(db: Database, password: str) -> None:
    with db.write() as session:
        accounts.add_user(session, EMAIL, "inspector", None, password)


def _signs_in(db: Database, password: str) -> bool:
    outcome = accounts.authenticate(
        db, EMAIL, password, secret=TEST_SECRET_KEY, address="192.0.2.1"
    )
    return outcome.user is not None


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",  # 2.1.9: no upper case, digit or symbol required
        "mật khẩu rất dài của tôi 🔐",  # 2.1.4: Vietnamese letters and emoji
        "x" * 64,  # 2.1.2: at least 64 characters are allowed
        "  spaces at both ends  ",  # kept as typed, not trimmed
    ],
)
def test_any_long_enough_password_works_as_typed(db: Database, password: str) -> None:
    _add(db, password)
    assert _signs_in(db, password)
    assert not _signs_in(db, password.strip() + "!")


def test_short_and_absurdly_long_passwords_are_refused(db: Database) -> None:
    """2.1.1: at least 12 characters. Over 1024 is refused (hashing cost stays flat)."""
    for password in ("elevenchars", "x" * (accounts.MAX_PASSWORD_LENGTH + 1)):
        with pytest.raises(InputError):
            _add(db, password)


def test_long_passwords_are_not_truncated(db: Database) -> None:
    """2.1.3: two passwords that differ only after 72 bytes (bcrypt's limit) are different."""
    stem = "a" * 100
    _add(db, stem + "X")
    assert _signs_in(db, stem + "X")
    assert not _signs_in(db, stem + "Y")
    assert not _signs_in(db, stem)


def test_passwords_are_stored_with_scrypt_and_a_salt(db: Database) -> None:
    """2.4.1/2.4.2: a memory-hard KDF with a per-user salt: equal passwords, unequal hashes."""
    _add(db, "the same long password")
    with db.write() as session:
        accounts.add_user(session, "twin@hcmc.gov.vn", "inspector", None, "the same long password")
    with db.session() as session:
        hashes = session.scalars(select(User.password_hash).order_by(User.id)).all()
    assert all(h.startswith("scrypt:") for h in hashes)
    assert hashes[0] != hashes[1]
    assert "the same long password" not in "".join(hashes)


def test_a_forged_x_forwarded_for_does_not_reset_the_address_limit(
    app: Flask, staff: Staff
) -> None:
    """2.2.1/14.5.4: without a trusted proxy (the default), the header is ignored."""
    client = app.test_client()
    for number in range(20):
        response = login(
            client,
            f"guess{number}@hcmc.gov.vn",
            "not the password",
            ip="203.0.113.9",
        )
        assert response.status_code == 200
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{number}"
    response = login(client, staff.admin, ip="203.0.113.9")
    assert response.status_code == 429


# -- API tokens ------------------------------------------------------------------------


@pytest.fixture
def raw_token(db: Database, staff: Staff, store: StoreResponse) -> str:
    store()
    with db.write() as session:
        _row, raw = api_tokens.create_token(session, "asvs", OWN, actor=None)
    return raw


REPORT = f"/api/v1/reports/agency/{OWN}?questionnaire=sipas"


def test_a_token_works_only_in_the_authorization_header(app: Flask, raw_token: str) -> None:
    """3.1.1/13.1.3: a token in a URL would land in logs and Referer headers: refused."""
    client = app.test_client()
    assert client.get(REPORT, headers={"Authorization": f"Bearer {raw_token}"}).status_code == 200
    refused = [
        client.get(f"{REPORT}&token={raw_token}"),
        client.get(f"{REPORT}&access_token={raw_token}"),
        client.get(REPORT, headers={"Authorization": f"Basic {raw_token}"}),
        client.get(REPORT, headers={"Authorization": raw_token}),
        client.get(REPORT, headers={"Cookie": f"token={raw_token}"}),
    ]
    for response in refused:
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["error"]


def test_a_token_opens_no_staff_page(app: Flask, raw_token: str) -> None:
    """A report token reads JSON reports; the console and the downloads still need a sign-in."""
    client = app.test_client()
    auth = {"Authorization": f"Bearer {raw_token}"}
    for url in ("/staff", "/dashboard", f"/reports/agency/{OWN}.csv", "/admin/"):
        response = client.get(url, headers=auth)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url


def test_the_raw_token_is_stored_nowhere(db: Database, raw_token: str) -> None:
    """3.5.x/2.10.x: only its SHA-256 and a short prefix; a stolen database holds no token."""
    with db.session() as session:
        dump = "\n".join(
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            for row in session.execute(select(table))
        )
    assert raw_token not in dump
    assert raw_token[len(api_tokens.TOKEN_PREFIX) :] not in dump
    assert api_tokens.hash_token(raw_token) in dump


@pytest.fixture
def proxied_app(engine: Engine, db: Database) -> Iterator[Flask]:
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "DATABASE_URL": str(engine.url.render_as_string(hide_password=False)),
            "PROXY_COUNT": 1,
        }
    )
    db_app.get_db(application).engine.dispose()
    application.extensions[db_app.EXTENSION_KEY] = db
    yield application


def test_behind_one_proxy_only_its_hop_counts(proxied_app: Flask, staff: Staff) -> None:
    """14.5.4: with one trusted proxy, the address is the last hop it added, not the first."""
    client = proxied_app.test_client()
    for number in range(20):
        forged = f"198.51.100.{number}, 203.0.113.10"  # client-written part, proxy's hop
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forged
        response = login(client, f"guess{number}@hcmc.gov.vn", "not the password")
        assert response.status_code == 200
    response = login(client, staff.admin)
    assert response.status_code == 429
