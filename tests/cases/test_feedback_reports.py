"""Reports gain feedback figures: the dashboard pages, the agency and city PDF and XLSX."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import FeedbackCase, User
from surveyapp.services import feedback_cases
from tests.cases.conftest import Staff, client_of, leave_case, receipt_of


def _two_cases(app: Flask, db: Database, staff: Staff, store) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        assert leave_case(app.test_client(), receipt_of(db, store())).status_code == 303
    with db.write() as session:
        user = session.scalar(select(User).where(User.email == staff.own))
        cases = list(session.scalars(select(FeedbackCase).order_by(FeedbackCase.id)))
        assert user is not None and len(cases) == 2
        left = dt.datetime(2024, 5, 6, 2, tzinfo=dt.UTC)  # a Monday; due 20 May
        for case in cases:
            case.created_at, case.due_on = left, dt.date(2024, 5, 20)
        feedback_cases.answer_case(
            session, user, cases[0], "Đã xử lý.", now=left + dt.timedelta(days=3)
        )


def test_agency_and_city_reports_show_the_feedback_figures(
    app: Flask, db: Database, staff: Staff, store
) -> None:  # type: ignore[no-untyped-def]
    _two_cases(app, db, staff, store)
    query = "?questionnaire=sipas&from=2024-01-01&to=2024-12-31"
    own = client_of(app, staff.own)
    page = own.get(f"/dashboard/agency/Q1{query}")
    assert page.status_code == 200
    # By hand: 2 cases, both past their deadline, one answered in 3 days: 50 %, median 3.
    assert "Feedback cases (petitions and complaints)" in page.text
    assert '<td class="num">2</td><td class="num">50.0%</td><td class="num">3.0</td>' in page.text
    pdf = own.get(f"/reports/agency/Q1.pdf{query}")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Feedback cases" in text and "50.0%" in text
    book = openpyxl.load_workbook(io.BytesIO(own.get(f"/reports/agency/Q1.xlsx{query}").data))
    rows = list(book["feedback_cases"].values)
    assert rows[0] == ("code", "cases", "answered", "on_time_pct", "median_days_to_answer")
    assert rows[1] == ("Q1", 2, 1, 50.0, 3.0)
    inspector = client_of(app, staff.inspector)
    city = inspector.get(f"/dashboard/city{query}")
    assert city.status_code == 200 and "50.0%" in city.text
    book = openpyxl.load_workbook(io.BytesIO(inspector.get(f"/reports/city.xlsx{query}").data))
    assert ("Q1", 2, 1, 50.0, 3.0) in list(book["feedback_cases"].values)
    text = "".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(inspector.get(f"/reports/city.pdf{query}").data)).pages
    )
    assert "50.0%" in text


def test_the_dashboard_lists_overdue_cases(app: Flask, db: Database, staff: Staff, store) -> None:  # type: ignore[no-untyped-def]
    _two_cases(app, db, staff, store)
    page = client_of(app, staff.own).get("/dashboard")
    assert "Overdue feedback cases" in page.text
    assert "(Q1): <strong>1</strong>" in page.text
    other = client_of(app, staff.other).get("/dashboard")
    assert "Overdue feedback cases" not in other.text
