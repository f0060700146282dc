"""A feedback case over HTTP: left on the receipt page, answered, closed, looked up, erased."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.models import AuditEvent, CaseContact, FeedbackCase
from surveyapp.services import retention
from tests.cases.conftest import (
    COMMENT,
    Staff,
    case_token,
    client_of,
    csrf,
    leave_case,
    receipt_of,
)


def _cases(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(FeedbackCase)) or 0)


def _case_id(db: Database) -> int:
    with db.session() as session:
        found = session.scalar(select(FeedbackCase.id).order_by(FeedbackCase.id.desc()))
    assert found is not None
    return found


def test_a_case_is_left_answered_closed_read_by_receipt_and_its_contact_erased(
    app: Flask, db: Database, staff: Staff, answered: int
) -> None:
    receipt = receipt_of(db, answered)
    public = app.test_client()
    sent = leave_case(public, receipt, email="dan@example.com")
    assert sent.status_code == 303
    assert sent.headers["Location"].startswith(f"/r/{receipt}")
    page = public.get(f"/r/{receipt}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Đề nghị bố trí thêm ghế chờ" in text
    assert "Chưa có câu trả lời" in text or "no answer yet" in text.lower()
    # Nothing else of the response, and never the contact, is on the lookup page.
    assert COMMENT not in text and "0283 829 1234" not in text and "dan@example.com" not in text
    # The receipt page now links to the case instead of offering the form again.
    assert "_token" not in public.get(f"/q/sipas/thanks/{receipt}").text

    case_id = _case_id(db)
    own = client_of(app, staff.own)
    listing = own.get("/cases")
    assert listing.status_code == 200 and f"/cases/{case_id}" in listing.text
    detail = own.get(f"/cases/{case_id}")
    assert "0283 829 1234" in detail.text and "dan@example.com" in detail.text
    token = csrf(own, f"/cases/{case_id}")
    answer = "Cảm ơn ông/bà; cơ quan đã bố trí thêm 20 ghế chờ."
    done = own.post(f"/cases/{case_id}/answer", data={"csrf_token": token, "answer": answer})
    assert done.status_code == 303
    assert answer in html.unescape(public.get(f"/r/{receipt}").text)
    closed = own.post(f"/cases/{case_id}/close", data={"csrf_token": token})
    assert closed.status_code == 303
    assert (
        "closed" in own.get("/cases?state=closed").text.lower()
        or str(case_id) in own.get("/cases?state=closed").text
    )
    with db.session() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
        assert {"case.answer", "case.close"} <= actions
        case = session.get(FeedbackCase, case_id)
        assert case is not None and case.closed_at is not None
        closed_at = case.closed_at

    # sipas keeps free text 730 days: the contact stays until then, then goes.
    with db.write() as session:
        retention.apply(session, now=closed_at + dt.timedelta(days=729))
    with db.session() as session:
        assert session.get(CaseContact, case_id) is not None
    with db.write() as session:
        outcomes = retention.apply(session, now=closed_at + dt.timedelta(days=731))
    assert {o.slug: o.case_contacts for o in outcomes}["sipas"] == 1
    with db.session() as session:
        assert session.get(CaseContact, case_id) is None
        case = session.get(FeedbackCase, case_id)
        assert case is not None and case.contact_erased_at is not None
    detail = own.get(f"/cases/{case_id}").text
    assert "0283 829 1234" not in detail and "dan@example.com" not in detail
    # The respondent still reads the answer.
    assert answer in html.unescape(public.get(f"/r/{receipt}").text)


@pytest.mark.parametrize(
    ("changes", "field_text"),
    [
        ({"text": "   "}, "Xin viết nội dung"),
        ({"text": "x" * 2001}, "2.000"),
        ({"kind": "praise"}, "kiến nghị hay phản ánh"),
        ({"phone": "call me"}, "số điện thoại"),
        ({"email": "not-an-address"}, "địa chỉ thư điện tử"),
        ({"text": "a\x01b"}, "ký tự điều khiển"),
    ],
)
def test_bad_case_input_is_refused_naming_the_field_and_nothing_is_stored(
    app: Flask, db: Database, staff: Staff, answered: int, changes: dict[str, str], field_text: str
) -> None:
    receipt = receipt_of(db, answered)
    client = app.test_client()
    sent = leave_case(client, receipt, **changes)  # type: ignore[arg-type]
    assert sent.status_code == 422
    assert field_text in html.unescape(sent.text)
    assert _cases(db) == 0


def test_cross_site_tampered_and_foreign_tokens_are_refused(
    app: Flask, db: Database, staff: Staff, answered: int, store
) -> None:  # type: ignore[no-untyped-def]
    receipt = receipt_of(db, answered)
    other_receipt = receipt_of(db, store())
    client = app.test_client()
    assert leave_case(client, receipt, origin="https://evil.example").status_code == 403
    assert leave_case(client, receipt, token="x" + case_token(client, receipt)).status_code == 422
    foreign = case_token(client, other_receipt)
    assert leave_case(client, receipt, token=foreign).status_code == 422
    assert _cases(db) == 0
    # One case a response: a second (from a page opened before the first) is refused.
    second = case_token(client, receipt)
    assert leave_case(client, receipt).status_code == 303
    assert leave_case(client, receipt, token=second).status_code == 422
    assert _cases(db) == 1


def test_an_expired_case_token_is_refused(
    app: Flask, db: Database, staff: Staff, answered: int
) -> None:
    receipt = receipt_of(db, answered)
    client = app.test_client()
    token = case_token(client, receipt)
    app.config["FORM_TOKEN_MAX_AGE"] = -1
    sent = leave_case(client, receipt, token=token)
    assert sent.status_code == 422
    assert _cases(db) == 0


def test_a_wrong_receipt_is_a_plain_404_page(app: Flask, db: Database, staff: Staff) -> None:
    page = app.test_client().get("/r/0000-0000-0000")
    assert page.status_code == 404
    assert "<h1>" in page.text and "Traceback" not in page.text
    assert app.test_client().get("/r/" + "A" * 300).status_code == 404


def test_the_lookup_is_rate_limited(app: Flask, db: Database, staff: Staff) -> None:
    app.config["RATELIMIT_LOOKUP"] = "3 per minute"
    client = app.test_client()
    codes = [client.get(f"/r/0000-0000-000{i}").status_code for i in range(5)]
    assert codes[:3] == [404, 404, 404] and codes[-1] == 429


def test_the_form_works_inside_the_embedded_page_and_keeps_its_query(
    app: Flask, db: Database, staff: Staff, answered: int
) -> None:
    receipt = receipt_of(db, answered)
    client = app.test_client()
    query = "?embed=1&lang=en"
    sent = leave_case(client, receipt, query=query, phone="")
    assert sent.status_code == 303
    location = sent.headers["Location"]
    assert "embed=1" in location and "lang=en" in location
    page = client.get(location)
    assert "Your petition or complaint" in page.text
    assert re.search(r"frame-ancestors", page.headers["Content-Security-Policy"])
