"""Fixtures of the accounts tests: agencies, users of every role, signing in."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from surveyapp.db import Database
from surveyapp.services import accounts
from surveyapp.services.agencies import AgencyInput, add_agency

PASSWORD = "correct horse battery"
OWN = "Q1"
OTHER = "SNV"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
MESSAGE_RE = re.compile(r'<p class="err" role="alert" id="login-message">(.*?)</p>', re.S)


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
        accounts.add_user(session, people.admin, "admin", None, PASSWORD)
        accounts.add_user(session, people.inspector, "inspector", None, PASSWORD)
        accounts.add_user(session, people.own, "agency", OWN, PASSWORD)
        accounts.add_user(session, people.other, "agency", OTHER, PASSWORD)
    return people


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
    """Sign in through the real form, CSRF token included."""
    data = {"csrf_token": csrf_token(client), "email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": ip})


def message(response: TestResponse) -> str:
    """Return the sign-in page's error message."""
    found = MESSAGE_RE.search(response.get_data(as_text=True))
    assert found, "the page shows no message"
    return html.unescape(found.group(1))


def logout(client: FlaskClient) -> TestResponse:
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/staff")})
