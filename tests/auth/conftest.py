"""Fixtures of the accounts tests: agencies, users of every role, signing in.

Admins must sign in with a second factor: the ``staff`` fixture gives its admin a
TOTP secret, and ``login`` answers the code page with a code computed from the
secret in the database, as an authenticator app would.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from surveyapp import db_app
from surveyapp.db import Database
from surveyapp.models import User, utcnow
from surveyapp.services import accounts
from surveyapp.services.agencies import AgencyInput, add_agency
from surveyapp.services.second_factor import DRIFT_STEPS, STEP_SECONDS

PASSWORD = "correct horse battery"
OWN = "Q1"
OTHER = "SNV"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
MESSAGE_RE = re.compile(
    r'<div class="signin-error" role="alert" id="login-message"><p>(.*?)</p></div>', re.S
)


@dataclass(frozen=True)
class Staff:
    admin: str = "admin@hcmc.gov.vn"
    inspector: str = "inspector@hcmc.gov.vn"
    own: str = "q1@hcmc.gov.vn"
    other: str = "snv@hcmc.gov.vn"


@pytest.fixture
def staff(db: Database) -> Staff:
    """Two agencies (Q1, SNV) and an admin, an inspector and one user of each agency."""
    people = Staff()
    with db.write() as session:
        add_agency(
            session,
            AgencyInput(OWN, "Ủy ban nhân dân Quận 1", "District 1 People's Committee", "district"),
        )
        add_agency(
            session, AgencyInput(OTHER, "Sở Nội vụ", "Department of Home Affairs", "department")
        )
        admin = accounts.add_user(session, people.admin, "admin", None, PASSWORD)
        enrol_second_factor(session, admin)
        accounts.add_user(session, people.inspector, "inspector", None, PASSWORD)
        accounts.add_user(session, people.own, "agency", OWN, PASSWORD)
        accounts.add_user(session, people.other, "agency", OTHER, PASSWORD)
    return people


def enrol_second_factor(session: Session, user: User) -> str:
    """Give ``user`` a confirmed TOTP secret (as enrolment would); return the secret."""
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed_at = utcnow()
    user.totp_last_step = None
    session.flush()
    return user.totp_secret


def next_code(client: FlaskClient, email: str) -> str:
    """Return a code the server accepts for ``email`` now: a step after the last one used.

    The server accepts the current step and the one either side, each once; a test
    signing one account in more often than that waits for the next step.
    """
    with db_app.get_db(client.application).session() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        assert user is not None and user.totp_secret, f"{email} has no second factor"
        secret, last = user.totp_secret, user.totp_last_step
    while True:
        current = int(time.time()) // STEP_SECONDS
        # Never the oldest step the server accepts: a slow test reaching the server
        # after the next step began would send a code just out of its window.
        step = max(current - DRIFT_STEPS + 1, (last or 0) + 1)
        if step <= current + DRIFT_STEPS:
            return pyotp.TOTP(secret).generate_otp(step)
        time.sleep(STEP_SECONDS - time.time() % STEP_SECONDS + 0.1)


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """Return the CSRF token of the form on ``path`` (for this client's session)."""
    page = client.get(path, follow_redirects=True)  # signed in, /login leads to /staff
    found = CSRF_RE.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return html.unescape(found.group(1))


def login(
    client: FlaskClient,
    email: str,
    password: str = PASSWORD,
    *,
    next_url: str | None = None,
    ip: str = "127.0.0.1",
) -> TestResponse:
    """Sign in through the real form, CSRF token included, and the code page if asked."""
    data = {"csrf_token": csrf_token(client), "email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    response = client.post("/login", data=data, environ_base={"REMOTE_ADDR": ip})
    if response.status_code == 303 and response.headers["Location"] == "/login/code":
        response = send_code(client, next_code(client, email), ip=ip)
    return response


def send_code(client: FlaskClient, code: str, *, ip: str = "127.0.0.1") -> TestResponse:
    """Answer the sign-in code page with ``code``."""
    data = {"csrf_token": csrf_token(client, "/login/code"), "code": code}
    return client.post("/login/code", data=data, environ_base={"REMOTE_ADDR": ip})


def message(response: TestResponse) -> str:
    """Return the sign-in page's error message."""
    found = MESSAGE_RE.search(response.get_data(as_text=True))
    assert found, "the page shows no message"
    return html.unescape(found.group(1))


def logout(client: FlaskClient) -> TestResponse:
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/staff")})
