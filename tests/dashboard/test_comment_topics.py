"""Comments in reports: topics per agency and city, personal data never shown, stored text kept."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from surveyapp.config import ConfigError, load_settings
from surveyapp.db import Database
from surveyapp.models import Agency, Answer, CommentTopic
from surveyapp.services.questionnaires import get_version
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from tests.auth.conftest import OWN, Staff
from tests.dashboard.conftest import pdf_text, signed_in
from tests.reporting.conftest import FEEDBACK, SCORED, SIPAS

QUERY = "?questionnaire=sipas&from=2017-01-01&to=2017-06-30"
PERSONAL = ("0903123456", "079203001234", "an.nguyen@gmail.com", "000.00.27.H29-170315-0012")
COMMENTS = [
    "Cán bộ nhũng nhiễu, đòi tiền bồi dưỡng. Gọi tôi 0903.123.456",
    "Trả kết quả trễ hẹn, CCCD 079203001234, mã hồ sơ 000.00.27.H29-170315-0012",
    "Cán bộ nhiệt tình, không hề gây phiền hà. Email an.nguyen@gmail.com",
]


@pytest.fixture
def with_personal(reports: Staff, db: Database) -> Staff:
    """Q1 gets three comments with phone, ID, e-mail and dossier numbers in them."""
    with db.write() as session:
        version = get_version(session, "sipas")
        q1 = session.scalar(select(Agency.id).where(Agency.code == OWN))
        rows = []
        for i, text in enumerate(COMMENTS):
            raw = {k: "4" for k in SCORED if k not in FEEDBACK}
            raw.update(overall_satisfaction="4", respondent_type="citizen", comment=text)
            answers = check_answers(SIPAS, raw, require=False).answers
            when = dt.datetime(2017, 6, 20 + i, 3, tzinfo=dt.UTC)
            rows.append(NewResponse(version.id, q1, "web", answers, when))
        store_responses(session, rows)
    return reports


def _get(client: FlaskClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.data[:300])
    return response.get_data()


def _no_personal(text: str) -> None:
    flat = text.replace(".", "").replace(" ", "")
    for value in PERSONAL:
        assert value not in text and value.replace(".", "") not in flat, value


@pytest.fixture
def inspector(client: FlaskClient, with_personal: Staff) -> FlaskClient:
    return signed_in(client, with_personal.inspector)


def test_agency_page_counts_topics_and_shows_scrubbed_examples(inspector: FlaskClient) -> None:
    page = _get(inspector, f"/dashboard/agency/{OWN}{QUERY}").decode()
    _no_personal(page)
    assert "[số điện thoại]" in page and "[số CCCD]" in page and "[mã hồ sơ]" in page
    topics = page[page.index('class="topics"') :]
    row = topics[topics.index("Nhũng nhiễu, gây phiền hà") :].split("</tr>", 1)[0]
    # Only the first comment reports harassment: the third says "không hề gây phiền hà".
    assert '<td class="num">1</td>' in row
    assert "đòi tiền bồi dưỡng" in row


def test_pdfs_show_topics_without_personal_data(inspector: FlaskClient) -> None:
    agency = pdf_text(_get(inspector, f"/reports/agency/{OWN}.pdf{QUERY}"))
    _no_personal(agency)
    assert "Chủ đề của ý kiến" in agency and "Nhũng nhiễu, gây phiền hà" in agency
    city = pdf_text(_get(inspector, f"/reports/city.pdf{QUERY}"))
    _no_personal(city)
    assert "Chủ đề của ý kiến" in city and OWN in city


def test_raw_exports_scrub_free_text(inspector: FlaskClient) -> None:
    rows = list(
        csv.DictReader(
            io.StringIO(_get(inspector, f"/reports/agency/{OWN}.csv{QUERY}").decode("utf-8-sig"))
        )
    )
    texts = [r["comment"] for r in rows if r["comment"]]
    assert any("[số điện thoại]" in t for t in texts)
    _no_personal("\n".join(texts))
    book = load_workbook(io.BytesIO(_get(inspector, f"/reports/agency/{OWN}.xlsx{QUERY}")))
    cells = "\n".join(
        str(c.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if c.value
    )
    _no_personal(cells)


def test_stored_comments_are_unchanged(inspector: FlaskClient, db: Database) -> None:
    _get(inspector, f"/dashboard/agency/{OWN}{QUERY}")
    with db.session() as session:
        stored = set(
            session.scalars(select(Answer.value_text).where(Answer.question_key == "comment"))
        )
    assert set(COMMENTS) <= stored


def test_city_page_counts_topics_per_agency(inspector: FlaskClient) -> None:
    page = _get(inspector, f"/dashboard/city{QUERY}").decode()
    topics = page[page.index('class="topics"') :]
    assert f"<code>{OWN}</code>" in topics
    _no_personal(page)


def test_english_markers(client: FlaskClient, with_personal: Staff) -> None:
    signed_in(client, with_personal.inspector)
    page = _get(client, f"/dashboard/agency/{OWN}{QUERY}&lang=en").decode()
    _no_personal(page)


def test_a_broken_lexicon_setting_stops_the_start(tmp_path: Path, app: Flask) -> None:
    bad = tmp_path / "lexicon.yaml"
    bad.write_text("version: 1\ntopics: {a: {kind: nope}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"SURVEYAPP_COMMENT_LEXICON: .*topics\.a\.kind"):
        load_settings(tmp_path, env={"SURVEYAPP_COMMENT_LEXICON": str(bad)})
    with pytest.raises(ConfigError, match="cannot be read"):
        load_settings(tmp_path, env={"SURVEYAPP_COMMENT_LEXICON": str(tmp_path / "none.yaml")})


def test_analyse_stores_topics_once_and_reports_use_them(
    cli: object, with_personal: Staff, db: Database, inspector: FlaskClient
) -> None:
    first = cli("comments", "analyse")  # type: ignore[operator]
    assert first.exit_code == 0, first.output
    analysed = int(first.output.split()[1])
    assert analysed >= len(COMMENTS)
    again = cli("comments", "analyse")  # type: ignore[operator]
    assert again.output.startswith("analysed 0 comment(s)"), again.output
    with db.session() as session:
        stored = dict(
            session.execute(
                select(Answer.value_text, CommentTopic.topics).join(
                    CommentTopic,
                    (CommentTopic.response_id == Answer.response_id)
                    & (CommentTopic.question_key == Answer.question_key),
                )
            ).all()
        )
    assert stored[COMMENTS[0]] == "civil_servants,harassment,informal_payment"
    assert stored[COMMENTS[2]] == "civil_servants"
    # Reports count from the stored topics: change one and the page follows it.
    with db.write() as session:
        session.execute(
            update(CommentTopic)
            .where(CommentTopic.topics == "civil_servants")
            .values(topics="civil_servants,rudeness")
        )
    page = _get(inspector, f"/dashboard/agency/{OWN}{QUERY}").decode()
    row = page[page.index("Thiếu tôn trọng, thô lỗ") :].split("</tr>", 1)[0]
    assert '<td class="num">0</td>' not in row


def test_a_report_stores_the_topics_it_had_to_find(
    with_personal: Staff, db: Database, inspector: FlaskClient
) -> None:
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CommentTopic)) == 0
    _get(inspector, f"/dashboard/agency/{OWN}{QUERY}")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CommentTopic)) >= len(COMMENTS)
