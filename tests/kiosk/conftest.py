"""Fixtures of the kiosk tests: the shipped counter questionnaire, two agencies, counters."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.config import REPO_DIR
from surveyapp.db import Database
from surveyapp.models import Response
from surveyapp.services import counters
from surveyapp.services.agencies import AgencyInput, add_agency
from surveyapp.services.questionnaires import load_files

SLUG = "counter"
AGENCY = "Q1"
OTHER = "SNV"
APP_ORIGIN = "http://localhost"
TOKEN_RE = re.compile(r'name="_token" value="([^"]+)"')
#: A complete rating: three faces, the two yes/no questions and a comment.
RATING: dict[str, Any] = {
    "overall": "5",
    "attitude": "4",
    "time_taken": "2",
    "result_late": "yes",
    "apology_letter": "no",
    "comment": "Cán bộ nhiệt tình",
}


@pytest.fixture
def counter_site(db: Database) -> dict[str, str]:
    """The counter questionnaire; agencies Q1 (counters 3, 5) and SNV (counter 1)."""
    with db.write() as session:
        load_files(session, [REPO_DIR / "questionnaires" / "counter.yaml"])
        add_agency(session, AgencyInput(AGENCY, "Quận 1", "District 1", "district"))
        add_agency(session, AgencyInput(OTHER, "Sở Nội vụ", "Home Affairs", "department"))
        counters.add_counter(session, AGENCY, "3", "Quầy số 3", "Counter 3")
        counters.add_counter(session, AGENCY, "5", "Quầy số 5", "Counter 5")
        counters.add_counter(session, OTHER, "1", "Quầy số 1", "Counter 1")
    return {"slug": SLUG, "agency": AGENCY}


def page_token(client: FlaskClient, query: str = "agency=Q1&counter=3") -> str:
    page = client.get(f"/k/{SLUG}?{query}")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    found = TOKEN_RE.search(page.get_data(as_text=True))
    assert found
    return found.group(1)


def rating_body(token: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "token": token,
        "nonce": secrets.token_hex(16),
        "given_at": dt.datetime.now(dt.UTC).isoformat(),
        "fill_seconds": 12.5,
        "answers": dict(RATING),
        "code": None,
        "officer": None,
        "website": "",
    }
    body.update(changes)
    return body


def post_rating(
    client: FlaskClient, body: Any, query: str = "agency=Q1&counter=3", **kw: Any
) -> Any:
    headers = {"Origin": APP_ORIGIN, **kw.pop("headers", {})}
    return client.post(f"/k/{SLUG}/answers?{query}", json=body, headers=headers, **kw)


def stored(db: Database) -> list[Response]:
    with db.session() as session:
        return list(session.scalars(select(Response).order_by(Response.id)))
