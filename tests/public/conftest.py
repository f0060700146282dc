"""Fixtures of the public form tests: a questionnaire with every type and two agencies."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from surveyapp.db import Database
from surveyapp.services.agencies import AgencyInput, add_agency
from surveyapp.services.questionnaires import load_files

DATA = Path(__file__).parent / "data"
SLUG = "every-type"
AGENCY = "Q1"
AGENCY_ORIGIN = "https://quan1.hochiminhcity.gov.vn"
OTHER = "SNV"
APP_ORIGIN = "http://localhost"

#: A complete valid set of answers to every-type.yaml, as the HTML form sends them.
VALID: dict[str, Any] = {
    "access_overall": "4",
    "staff_polite": "5",
    "staff_helpful": "na",
    "visited": "yes",
    "visits": "2",
    "channels": ["web", "desk"],
    "visit_date": "2024-03-05",
    "recommend": "9",
    "occupation": "Kế toán",
    "comment": "Nhanh chóng, thân thiện.",
}


@pytest.fixture
def survey(db: Database) -> dict[str, str]:
    """Load every-type.yaml and two agencies; Q1 lists one origin, SNV none."""
    with db.write() as session:
        load_files(session, [DATA / "every-type.yaml"])
        add_agency(
            session,
            AgencyInput(
                AGENCY,
                "Ủy ban nhân dân Quận 1",
                "District 1 People's Committee",
                "district",
                [AGENCY_ORIGIN],
            ),
        )
        add_agency(
            session, AgencyInput(OTHER, "Sở Nội vụ", "Department of Home Affairs", "department")
        )
    return {"slug": SLUG, "agency": AGENCY}


TOKEN_RE = re.compile(r'name="_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="_token"')


def token_of(html: str) -> str:
    found = TOKEN_RE.search(html)
    assert found, "no form token in the page"
    return found.group(1) or found.group(2)


def open_form(client: FlaskClient, query: str = f"agency={AGENCY}") -> str:
    response = client.get(f"/q/{SLUG}?{query}")
    assert response.status_code == 200, response.text[:500]
    return token_of(response.text)


def post_form(
    client: FlaskClient,
    token: str,
    answers: dict[str, Any] | None = None,
    *,
    query: str = f"agency={AGENCY}",
    origin: str | None = APP_ORIGIN,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    data: dict[str, Any] = {
        "_token": token,
        **(VALID if answers is None else answers),
        **(extra or {}),
    }
    sent = dict(headers or {})
    if origin is not None:
        sent["Origin"] = origin
    return client.post(f"/q/{SLUG}?{query}", data=data, headers=sent)
