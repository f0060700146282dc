"""Fixtures of the feedback cases and public results tests (staff, sipas, responses)."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import Response
from tests.admin.conftest import (
    ANSWERS,
    OTHER,
    OWN,
    Staff,
    StoreResponse,
    csrf,
    signed_in,
    sipas,
    staff,
    store,
)

__all__ = [
    "ANSWERS",
    "OTHER",
    "OWN",
    "Staff",
    "StoreResponse",
    "csrf",
    "signed_in",
    "sipas",
    "staff",
    "store",
]

APP_ORIGIN = "http://localhost"
COMMENT = "Bình luận riêng tư của người trả lời 7Q"
TOKEN_RE = re.compile(r'name="_token" value="([^"]+)"')


def receipt_of(db: Database, response_id: int) -> str:
    with db.session() as session:
        code = session.scalar(select(Response.receipt_code).where(Response.id == response_id))
    assert code is not None
    return code


def case_token(client: FlaskClient, receipt: str, query: str = "") -> str:
    page = client.get(f"/q/sipas/thanks/{receipt}{query}")
    assert page.status_code == 200, page.text[:300]
    found = TOKEN_RE.search(page.text)
    assert found, "no case form on the receipt page"
    return html.unescape(found.group(1))


def leave_case(
    client: FlaskClient,
    receipt: str,
    *,
    text: str = "Đề nghị bố trí thêm ghế chờ ở bộ phận một cửa.",
    kind: str = "petition",
    phone: str = "0283 829 1234",
    email: str = "",
    origin: str | None = APP_ORIGIN,
    token: str | None = None,
    query: str = "",
):  # type: ignore[no-untyped-def]
    data = {
        "_token": case_token(client, receipt, query) if token is None else token,
        "kind": kind,
        "text": text,
        "phone": phone,
        "email": email,
    }
    headers = {"Origin": origin} if origin else {}
    return client.post(f"/q/sipas/thanks/{receipt}/case{query}", data=data, headers=headers)


@pytest.fixture
def answered(store: StoreResponse) -> int:
    """One Q1 response with a free-text comment; its id."""
    return store(OWN, answers={**ANSWERS, "comment": COMMENT})


def client_of(app: Flask, email: str | None) -> FlaskClient:
    return signed_in(app, email)
