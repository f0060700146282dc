"""Periods without responses: gaps in the trend, never NaN in a PDF, no label clutter.

A quarter without responses used to put ``nan nan l`` into the PDF (poppler:
"Unknown operator 'nan'") and leave the trend chart empty, and the web chart
printed an ``n=0`` label under every empty period. ``tests/pdfcheck.py`` checks
every PDF the suite makes; these tests make PDFs with empty periods on purpose.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.dashboard import documents
from surveyapp.dashboard.documents import Scope
from surveyapp.db import Database
from surveyapp.models import Agency
from surveyapp.renderers import charts, pdf_agency, pdf_city
from surveyapp.services.questionnaires import get_version
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from tests.auth.conftest import OWN, Staff
from tests.dashboard.conftest import signed_in
from tests.pdfcheck import problems
from tests.reporting.conftest import FEEDBACK, SCORED, SIPAS

TZ = "Asia/Ho_Chi_Minh"
#: Q1's responses are in H1 2017: 2015-2016 are eight empty quarters before them.
RANGES = [
    ("2015-01-01", "2017-06-30"),
    ("2016-10-01", "2017-12-31"),
    ("2017-01-01", "2017-06-30"),
    ("2019-01-01", "2019-12-31"),
]


@pytest.mark.parametrize(("first", "last"), RANGES)
def test_pdfs_with_empty_periods_are_sound(
    client: FlaskClient, reports: Staff, first: str, last: str
) -> None:
    inspector = signed_in(client, reports.inspector)
    query = f"?questionnaire=sipas&from={first}&to={last}"
    for url in (f"/reports/agency/{OWN}.pdf", "/reports/agency/AAA.pdf", "/reports/city.pdf"):
        response = inspector.get(url + query)
        assert response.status_code == 200, url
        assert problems(response.get_data()) == [], url


@pytest.fixture
def gappy(reports: Staff, db: Database) -> Staff:
    """Add a few Q1 responses in early 2015: seven empty quarters lie between them and
    2017 (a trend runs from the first to the last period with responses, so the gap is
    inside it)."""
    with db.write() as session:
        version = get_version(session, "sipas")
        q1 = session.scalar(select(Agency.id).where(Agency.code == OWN))
        raw = {k: "4" for k in SCORED if k not in FEEDBACK}
        raw.update(overall_satisfaction="4", respondent_type="citizen")
        answers = check_answers(SIPAS, raw, require=False).answers
        when = dt.datetime(2015, 2, 10, 3, tzinfo=dt.UTC)
        store_responses(session, [NewResponse(version.id, q1, "web", answers, when)] * 5)
    return reports


def test_the_trend_of_a_gappy_report_is_drawn(gappy: Staff, db: Database) -> None:
    scope = Scope("sipas", dt.date(2015, 1, 1), dt.date(2017, 6, 30))
    with db.session() as session:
        doc = documents.agency_document(session, OWN, scope, TZ)
        city = documents.city_document(session, scope, TZ)
    periods = doc.report.trend.periods
    assert any(p.n_responses == 0 for p in periods) and any(p.index is not None for p in periods)
    ax = charts.trend_chart(doc.report.trend)
    drawn = [line for line in ax.get_lines() if len(line.get_xdata())]
    assert drawn, "the trend chart draws no line"
    for line in drawn:
        assert all(y == y for y in line.get_ydata()), "NaN in a trend line"
    for data in (pdf_agency.render(doc), pdf_city.render(city)):
        assert problems(data) == []


def _trend(reports_trend: Any, n: int) -> Any:
    """Return a trend of ``n`` quarters, three in four of them without responses."""
    full = next(p for p in reports_trend.periods if p.index is not None)
    empty = dataclasses.replace(
        full, n_responses=0, index=None, index_ci=None, satisfied_pct=None, change=None
    )
    rows = [
        dataclasses.replace(full if i % 4 == 0 else empty, label=f"{2000 + i // 4}-Q{i % 4 + 1}")
        for i in range(n)
    ]
    return dataclasses.replace(reports_trend, periods=tuple(rows))


@pytest.mark.parametrize("n", [1, 3, 12, 13, 40])
def test_web_trend_chart_labels_do_not_pile_up(reports: Staff, db: Database, n: int) -> None:
    scope = Scope("sipas", dt.date(2017, 1, 1), dt.date(2017, 6, 30))
    with db.session() as session:
        report = documents.agency_document(session, OWN, scope, TZ, with_city=False).report
    ax = charts.trend_chart(_trend(report.trend, n))
    charts.svg(ax.figure)
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert 1 <= len(labels) <= charts.MAX_PERIOD_LABELS
    assert not any("n=0" in label for label in labels)
    for line in ax.get_lines():
        assert all(y == y for y in line.get_ydata())
