"""Fixtures of the admin console tests: staff of every role, sipas, stored responses."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from surveyapp import db_app
from surveyapp.config import PACKAGE_DIR
from surveyapp.db import Database
from surveyapp.models import Agency, User
from surveyapp.services.questionnaires import get_version, load_files
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from tests.auth.conftest import OTHER, OWN, PASSWORD, Staff, login, staff

__all__ = ["OTHER", "OWN", "PASSWORD", "Staff", "staff"]

QUESTIONNAIRES = PACKAGE_DIR.parent / "questionnaires"
CSRF_RE = re.compile(r'name="[a-z0-9-]*csrf_token" type="hidden" value="([^"]+)"')
#: Answers to a few sipas items; the rest stay unanswered (paper-style, require=False).
ANSWERS = {
    "respondent_type": "citizen",
    "access_seating": "4",
    "staff_polite": "5",
    "overall_satisfaction": "2",
}


@pytest.fixture
def sipas(db: Database, staff: Staff) -> str:
    with db.write() as session:
        load_files(session, [QUESTIONNAIRES / "sipas.yaml"])
    return "sipas"


StoreResponse = Callable[..., int]


@pytest.fixture
def store(db: Database, sipas: str) -> StoreResponse:
    """Store one sipas response for an agency; return its id."""

    def make(
        agency: str = OWN,
        *,
        status: str = "accepted",
        reason: str | None = None,
        answers: dict[str, str] | None = None,
        at: dt.datetime | None = None,
    ) -> int:
        from surveyapp.models import Response
        from surveyapp.services.questionnaires import definition_of

        with db.write() as session:
            version = get_version(session, sipas)
            agency_id = session.scalar(select(Agency.id).where(Agency.code == agency))
            assert agency_id is not None
            checked = check_answers(definition_of(version), answers or ANSWERS, require=False)
            assert not checked.errors
            (receipt,) = store_responses(
                session,
                [
                    NewResponse(
                        version.id,
                        agency_id,
                        "web",
                        checked.answers,
                        submitted_at=at or dt.datetime(2024, 5, 10, 3, 0, tzinfo=dt.UTC),
                        status=status,
                        quarantine_reason=reason,
                    )
                ],
            )
            found = session.scalar(select(Response.id).where(Response.receipt_code == receipt))
            assert found is not None
            return found

    return make


def signed_in(app: Flask, email: str | None, language: str = "en") -> FlaskClient:
    """A new client, signed in as ``email`` (anonymous when None) who reads ``language``.

    The console's tests read its English texts (the msgids); the language is the
    account's, as the staff navigation's switch keeps it.
    """
    client = app.test_client()
    if email is not None:
        with app.app_context(), db_app.get_db().write() as session:
            session.execute(
                update(User).where(User.email == email.lower()).values(language=language)
            )
        response = login(client, email, PASSWORD)
        assert response.status_code == 303, response.text[:300]
    return client


def csrf(client: FlaskClient, path: str) -> str:
    """The CSRF token of the first form on ``path``."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    found = CSRF_RE.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return html.unescape(found.group(1))


def flashes(client: FlaskClient, path: str) -> str:
    """The text of ``path`` (after a redirect, it shows the flashed messages)."""
    return html.unescape(client.get(path).get_data(as_text=True))


DATA = Path(__file__).parent / "data"
