"""Demo feedback cases and a published period, so the demo shows the loop closed.

Added once: when no case and no published period is stored yet. Three cases are
left with District 1's first sipas responses (one answered and closed, one open with
a contact, one overdue), and sipas's demo year is published on ``/results``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.models import (
    Agency,
    CaseContact,
    FeedbackCase,
    PublishedPeriod,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    utcnow,
)
from surveyapp.services import audit
from surveyapp.services.feedback_cases import DEFAULT_DEADLINE_DAYS, due_on, local_day

CASES = (
    ("complaint", "Bộ phận một cửa đóng cửa sớm hơn giờ niêm yết vào chiều thứ Sáu."),
    ("petition", "Đề nghị bố trí thêm ghế chờ và máy lấy số thứ tự."),
    ("petition", "Đề nghị cho nộp bản scan thay cho bản sao chứng thực."),
)
ANSWER = "Cảm ơn ông/bà. Từ tháng này bộ phận một cửa làm việc đến 17 giờ, kể cả thứ Sáu."


def add_demo_cases(session: Session, timezone: str, year: int = 2017) -> str:
    """Add the demo's cases and publish its year once; return a line saying what was done."""
    if session.scalar(select(func.count()).select_from(FeedbackCase)) or session.scalar(
        select(func.count()).select_from(PublishedPeriod)
    ):
        return "Feedback cases and published periods: already there"
    sipas = session.scalar(select(Questionnaire).where(Questionnaire.slug == "sipas"))
    agency = session.scalar(select(Agency).where(Agency.code == "Q1"))
    if sipas is None or agency is None:
        return "Feedback cases: no sipas questionnaire or Q1 agency"
    responses = list(
        session.scalars(
            select(Response)
            .join(QuestionnaireVersion)
            .where(QuestionnaireVersion.questionnaire_id == sipas.id)
            .where(Response.agency_id == agency.id)
            .order_by(Response.id)
            .limit(len(CASES))
        )
    )
    now = utcnow()
    ages = (dt.timedelta(days=20), dt.timedelta(days=2), dt.timedelta(days=30))
    for (kind, text), response, age in zip(CASES, responses, ages, strict=False):
        created = now - age
        case = FeedbackCase(
            response_id=response.id,
            agency_id=agency.id,
            kind=kind,
            text=text,
            created_at=created,
            due_on=due_on(local_day(created, timezone), DEFAULT_DEADLINE_DAYS),
        )
        if kind == "complaint":
            case.answer, case.answered_at = ANSWER, created + dt.timedelta(days=4)
            case.closed_at = created + dt.timedelta(days=5)
        else:
            case.contact = CaseContact(email="nguoidan@example.com")
        session.add(case)
    session.add(
        PublishedPeriod(
            questionnaire_id=sipas.id, first_day=dt.date(year, 1, 1), last_day=dt.date(year, 12, 31)
        )
    )
    audit.record(session, None, "results.publish", "questionnaire:sipas", {"from": f"{year}-01-01"})
    session.flush()
    return f"Feedback cases: {len(responses)} added at Q1; sipas {year} published on /results"
