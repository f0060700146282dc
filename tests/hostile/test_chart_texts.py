"""``$`` in questionnaire texts: drawn as written on every chart, never a 500.

matplotlib reads text between two dollar signs as math: a dimension title
``Phí $\\nosuchcommand$`` made the dashboard and the city PDF a 500, and
``$5 to $10`` was silently typeset as math. Every chart now draws its text
literally.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.text import Text
from sqlalchemy import select, update

from surveyapp.dashboard import documents, report_cache
from surveyapp.dashboard.documents import Scope
from surveyapp.db import Database
from surveyapp.models import Questionnaire, QuestionnaireVersion
from surveyapp.renderers import charts
from surveyapp.renderers.fonts import nfc
from surveyapp.renderers.pdf import Document
from tests.auth.conftest import OWN, Staff, staff  # noqa: F401 (fixtures)
from tests.dashboard.conftest import pdf_text, reports, signed_in  # noqa: F401 (fixtures)
from tests.reporting.conftest import loaded  # noqa: F401 (fixtures)

TZ = "Asia/Ho_Chi_Minh"
QUERY = "?questionnaire=sipas&from=2017-01-01&to=2017-06-30"
HOSTILE = ["Phí $\\nosuchcommand$", "$5 to $10", "a^2_b {x} \\$ %", "$$", "$\\frac{1}{0}$"]
SCOPE = Scope("sipas", dt.date(2017, 1, 1), dt.date(2017, 6, 30))


def _every_chart(agency: Any, city: Any, label: str) -> list[Figure]:
    """Return every kind of chart, drawn from real reports whose texts are ``label``."""
    r = agency.report
    dims = [dataclasses.replace(d, title_vi=label) for d in r.dimensions]
    items = [dataclasses.replace(i, text_vi=label) for i in r.items[:4]]
    items = [
        dataclasses.replace(
            i, distribution=tuple(dataclasses.replace(v, label_vi=label) for v in i.distribution)
        )
        for i in items
    ]
    rows = [dataclasses.replace(a, code=label) for a in city.report.agencies]
    periods = tuple(dataclasses.replace(p, label=label) for p in r.trend.periods)
    return [
        charts.root(ax.figure)
        for ax in (
            charts.diverging_bars(items),
            charts.comparison_bars(dims, city.report.dimensions),
            charts.trend_chart(dataclasses.replace(r.trend, periods=periods)),
            charts.caterpillar(rows),
            charts.heatmap([label, "B"], [label, label], [[50.0, None], [None, 70.0]]),
            charts.driver_bars([label, "x"], [60.0, 40.0]),
        )
    ]


def _assert_literal(fig: Figure, label: str) -> None:
    charts.svg(fig)
    charts.png(fig, dpi=40)
    for text in fig.findobj(Text):
        _shown, math = text._preprocess_math(text.get_text())
        assert math is False, text.get_text()
    if not any(ax.images for ax in fig.axes):
        pdf = Document("t", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        pdf.add_page()
        pdf.figure(fig)
        drawn = pdf_text(pdf.output_bytes())
        assert nfc(label).split("\n")[0][:20] in drawn


@pytest.fixture
def docs(reports: Staff, db: Database) -> tuple[Any, Any]:  # noqa: F811
    with db.session() as session:
        return (
            documents.agency_document(session, OWN, SCOPE, TZ),
            documents.city_document(session, SCOPE, TZ),
        )


@pytest.mark.parametrize("label", HOSTILE)
def test_every_chart_draws_dollars_literally(docs: tuple[Any, Any], label: str) -> None:
    for fig in _every_chart(*docs, label):
        _assert_literal(fig, label)


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # DejaVu lacks some scripts
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.one_of(st.sampled_from("$\\^_{}%#&~ab"), st.characters(exclude_categories=("Cs",))),
        min_size=1,
        max_size=30,
    ).map("".join)
)
def test_every_chart_draws_any_text(docs: tuple[Any, Any], label: str) -> None:
    for fig in _every_chart(*docs, label):
        charts.svg(fig)
        for text in fig.findobj(Text):
            assert text._preprocess_math(text.get_text())[1] is False


def _retitle(db: Database, title: str) -> None:
    """Store ``title`` as the first dimension's title, straight into the stored definition."""
    with db.write() as session:
        version = session.scalars(
            select(QuestionnaireVersion)
            .join(QuestionnaireVersion.questionnaire)
            .where(Questionnaire.slug == "sipas")
            .order_by(QuestionnaireVersion.version.desc())
        ).first()
        assert version is not None
        definition = copy.deepcopy(version.definition)
        section = next(s for s in definition["sections"] if s.get("kind") == "dimension")
        section["title"]["vi"] = title
        # A raw UPDATE, as an older release or a hand edit could have left it (the
        # ORM refuses to change a stored version).
        session.execute(
            update(QuestionnaireVersion)
            .where(QuestionnaireVersion.id == version.id)
            .values(
                definition=definition,
                content_hash=hashlib.sha256(repr(definition).encode()).hexdigest(),
            )
        )
    report_cache.local.clear()  # keyed by version and data: versions never change


@pytest.mark.parametrize("title", ["Phí $\\nosuchcommand$", "Phí từ $5 to $10"])
def test_dollar_titles_in_pages_and_pdfs(
    client: FlaskClient,
    reports: Staff,  # noqa: F811
    db: Database,
    title: str,
) -> None:
    _retitle(db, title)
    inspector = signed_in(client, reports.inspector)
    for url in (f"/dashboard/agency/{OWN}", "/dashboard/city"):
        response = inspector.get(url + QUERY)
        assert response.status_code == 200, (url, response.status_code)
    for url in (f"/reports/agency/{OWN}.pdf", "/reports/city.pdf"):
        response = inspector.get(url + QUERY)
        assert response.status_code == 200, (url, response.status_code)
        assert title in pdf_text(response.get_data()), url
