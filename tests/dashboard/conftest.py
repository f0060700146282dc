"""Report downloads and dashboard: the reporting data set plus Q1 (with hostile comments)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import numpy as np
import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import Agency
from surveyapp.services.questionnaires import get_version
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from tests.auth.conftest import OTHER, OWN, Staff, login, staff  # noqa: F401 (fixtures)
from tests.reporting.conftest import FEEDBACK, SCORED, SIPAS, Loaded, loaded  # noqa: F401

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example/","bấm vào đây")'
QUOTED = 'Chờ "rất lâu",\r\nrồi về; tab\there'
HIDDEN = ("QUARANTINED-SECRET", "DELETED-SECRET")
Q1_RESPONSES = 40
#: First half of 2017, the period of the issue's acceptance check.
H1 = {"from": "2017-01-01", "to": "2017-06-30"}


@pytest.fixture
def reports(loaded: Loaded, staff: Staff, db: Database) -> Staff:  # noqa: F811 (fixtures)
    """The reporting data set, plus 40 accepted responses for Q1 in H1 2017 (hostile
    comments among them) and a quarantined and a deleted one that must never show."""
    rng = np.random.default_rng(17)
    comments = {0: XSS, 1: FORMULA, 2: QUOTED}
    with db.write() as session:
        version = get_version(session, "sipas")
        q1 = session.scalar(select(Agency.id).where(Agency.code == OWN))
        rows = []
        for i in range(Q1_RESPONSES):
            raw: dict[str, Any] = {
                k: str(int(rng.integers(2, 6))) for k in SCORED if k not in FEEDBACK
            }
            raw.update(overall_satisfaction=str(int(rng.integers(3, 6))), respondent_type="citizen")
            if i in comments:
                raw["comment"] = comments[i]
            when = dt.datetime(2017, 1 + i % 6, 10 + i % 15, 3, tzinfo=dt.UTC)
            answers = check_answers(SIPAS, raw, require=False).answers
            rows.append(NewResponse(version.id, q1, ("web", "paper")[i % 2], answers, when))
        for status, text in zip(("quarantined", "deleted"), HIDDEN, strict=True):
            raw = {k: "1" for k in SCORED if k not in FEEDBACK}
            raw.update(overall_satisfaction="1", comment=text)
            answers = check_answers(SIPAS, raw, require=False).answers
            rows.append(
                NewResponse(
                    version.id,
                    q1,
                    "web",
                    answers,
                    dt.datetime(2017, 3, 3, 3, tzinfo=dt.UTC),
                    status=status,
                    quarantine_reason="honeypot" if status == "quarantined" else None,
                )
            )
        store_responses(session, rows)
    return staff


def signed_in(client: FlaskClient, email: str) -> FlaskClient:
    response = login(client, email)
    assert response.status_code in (302, 303), response.status_code
    return client


def pdf_text(data: bytes) -> str:
    """Return the text of every page of a PDF, pages joined by newlines."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)
