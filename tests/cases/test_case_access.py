"""Who may see and answer a case, deadlines in working days, digest and report figures."""

from __future__ import annotations

import datetime as dt
import statistics

import numpy as np
import pytest
from flask import Flask
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import Agency, FeedbackCase, User
from surveyapp.services import feedback_cases
from surveyapp.services.feedback_cases import add_working_days
from tests.cases.conftest import Staff, client_of, csrf, leave_case, receipt_of


def _case(app: Flask, db: Database, receipt: str) -> int:
    assert leave_case(app.test_client(), receipt, phone="0909 123 456").status_code == 303
    with db.session() as session:
        found = session.scalar(select(FeedbackCase.id))
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("who", "read", "write", "sees_contact"),
    [
        ("own", 200, 303, True),
        ("other", 404, 404, False),
        ("inspector", 200, 403, False),
        ("admin", 200, 403, False),
    ],
)
def test_only_the_agencys_staff_answer_and_see_the_contact(
    app: Flask,
    db: Database,
    staff: Staff,
    answered: int,
    who: str,
    read: int,
    write: int,
    sees_contact: bool,
) -> None:
    case_id = _case(app, db, receipt_of(db, answered))
    client = client_of(app, getattr(staff, who))
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == read
    assert ("0909 123 456" in page.text) is sees_contact
    listing = client.get("/cases?state=all")
    assert (f"/cases/{case_id}" in listing.text) is (read == 200)
    # A CSRF token of the user's own session (inspectors never set deadlines).
    form = {"other": "/cases/deadline/SNV", "inspector": "/publishing"}.get(
        who, "/cases/deadline/Q1"
    )
    token = csrf(client, form)
    answer = client.post(
        f"/cases/{case_id}/answer", data={"csrf_token": token, "answer": "Đã xử lý."}
    )
    assert answer.status_code == write
    closing = client.post(f"/cases/{case_id}/close", data={"csrf_token": token})
    assert closing.status_code == write
    with db.session() as session:
        case = session.get(FeedbackCase, case_id)
        assert case is not None
        assert (case.answered_at is not None) is (write == 303)


def test_anonymous_visitors_are_sent_to_sign_in(
    app: Flask, db: Database, staff: Staff, answered: int
) -> None:
    case_id = _case(app, db, receipt_of(db, answered))
    client = app.test_client()
    for path in ("/cases", f"/cases/{case_id}", "/cases/deadline/Q1", "/publishing"):
        assert client.get(path).status_code == 302
    assert client.post(f"/cases/{case_id}/answer", data={"answer": "x"}).status_code in (302, 400)


def test_an_empty_answer_and_a_bad_deadline_are_refused(
    app: Flask, db: Database, staff: Staff, answered: int
) -> None:
    case_id = _case(app, db, receipt_of(db, answered))
    own = client_of(app, staff.own)
    token = csrf(own, f"/cases/{case_id}")
    assert (
        own.post(f"/cases/{case_id}/answer", data={"csrf_token": token, "answer": " "}).status_code
        == 422
    )
    assert own.post(f"/cases/{case_id}/close", data={"csrf_token": token}).status_code == 303
    with db.session() as session:
        case = session.get(FeedbackCase, case_id)
        assert case is not None and case.answered_at is None and case.closed_at is None
    for days in ("0", "91", "abc"):
        sent = own.post("/cases/deadline/Q1", data={"csrf_token": token, "days": days})
        assert sent.status_code == 422
    assert (
        own.post("/cases/deadline/Q1", data={"csrf_token": token, "days": "5"}).status_code == 303
    )
    assert (
        own.post("/cases/deadline/SNV", data={"csrf_token": token, "days": "5"}).status_code == 404
    )
    with db.session() as session:
        agency_id = session.scalar(select(Agency.id).where(Agency.code == "Q1"))
        assert agency_id is not None
        assert feedback_cases.deadline_days_of(session, agency_id) == 5


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Counted by hand on a 2024 calendar: 3 May 2024 was a Friday.
        (dt.date(2024, 5, 3), 1, dt.date(2024, 5, 6)),
        (dt.date(2024, 5, 3), 10, dt.date(2024, 5, 17)),
        (dt.date(2024, 5, 4), 1, dt.date(2024, 5, 6)),  # Saturday
        (dt.date(2024, 5, 6), 5, dt.date(2024, 5, 13)),
        (dt.date(2024, 5, 6), 0, dt.date(2024, 5, 6)),
    ],
)
def test_deadlines_count_monday_to_friday(start: dt.date, days: int, due: dt.date) -> None:
    assert add_working_days(start, days) == due
    # And numpy's business-day calendar agrees (an independent implementation): the
    # n-th working day after ``start`` is the first from the next day, moved n - 1 on.
    if days:
        after = np.datetime64(start + dt.timedelta(days=1))
        assert np.busday_offset(after, days - 1, roll="forward") == np.datetime64(due)


def test_digest_and_report_figures(app: Flask, db: Database, staff: Staff, store) -> None:  # type: ignore[no-untyped-def]
    # Four cases at Q1, left on a Monday (6 May 2024, deadline 10 working days: 20 May).
    left = dt.datetime(2024, 5, 6, 2, 0, tzinfo=dt.UTC)
    answers_after = [dt.timedelta(days=2), dt.timedelta(days=20), None, None]
    receipts = [receipt_of(db, store()) for _ in answers_after]
    for receipt in receipts:
        assert leave_case(app.test_client(), receipt).status_code == 303
    with db.write() as session:
        user = session.scalar(select(User).where(User.email == staff.own))
        assert user is not None
        cases = list(session.scalars(select(FeedbackCase).order_by(FeedbackCase.id)))
        for case, after in zip(cases, answers_after, strict=True):
            case.created_at = left
            case.due_on = dt.date(2024, 5, 20)
            if after is not None:
                feedback_cases.answer_case(session, user, case, "Trả lời.", now=left + after)
        cases[3].created_at = left + dt.timedelta(days=30)
        agency_id = cases[0].agency_id
    with db.session() as session:
        digest = feedback_cases.digest_figures(
            session, agency_id, since=left + dt.timedelta(days=7), today=dt.date(2024, 5, 21)
        )
        assert (digest.open, digest.overdue, digest.new_since) == (2, 2, 1)
        within = feedback_cases.digest_figures(session, agency_id, left, dt.date(2024, 5, 20))
        assert (within.open, within.overdue, within.new_since) == (2, 0, 4)
        got = feedback_cases.figures(session, [agency_id], None, None, "Asia/Ho_Chi_Minh")[
            agency_id
        ]
    # By hand: 4 cases; all past their deadline, one answered in time: 25 %; the
    # median of 2 and 20 days is 11 (statistics.median agrees).
    assert (got.cases, got.answered) == (4, 2)
    assert got.on_time_pct == pytest.approx(25.0)
    assert got.median_days == pytest.approx(11.0) == statistics.median([2.0, 20.0])
