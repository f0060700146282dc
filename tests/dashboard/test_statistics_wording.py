"""Statistics an inspector can read: p-values and sentences, units, labels not keys."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from surveyapp.dashboard import documents
from surveyapp.dashboard.documents import Scope
from surveyapp.db import Database
from surveyapp.renderers import pdf_agency
from surveyapp.renderers.wording import p_text, verdict
from tests.auth.conftest import OWN, Staff
from tests.dashboard.conftest import pdf_text, signed_in
from tests.reporting.conftest import SIPAS

QUERY = "?questionnaire=sipas&from=2017-01-01&to=2017-12-31"
TZ = "Asia/Ho_Chi_Minh"
#: Keys of the questionnaire and of agency kinds that a person should never read.
RAW_KEYS = sorted(
    {i.key for i in SIPAS.items() if "_" in i.key}
    | {d.key for d in SIPAS.dimensions() if "_" in d.key}
    | {"respondent_type", "civil_servants", "department", "district", "overall_satisfaction"}
)


def _visible(html: str) -> str:
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]*>", " ", html)


def _raw_keys_in(text: str) -> list[str]:
    return [k for k in RAW_KEYS if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text)]


@pytest.mark.parametrize(
    ("p", "vi", "en"),
    [
        (0.0000001, "p < 0,001", "p < 0.001"),
        (0.000999, "p < 0,001", "p < 0.001"),
        (0.001, "p = 0,001", "p = 0.001"),
        (0.0423, "p = 0,042", "p = 0.042"),
        (0.5, "p = 0,500", "p = 0.500"),
        (None, "p = \u2013", "p = \u2013"),
    ],
)
def test_p_values_read_in_each_language(p: float | None, vi: str, en: str) -> None:
    assert p_text(p, "vi") == vi
    assert p_text(p, "en") == en


def test_sentences_say_whether_more_than_chance() -> None:
    assert verdict("agencies", 0.0001, "en") == (
        "Differences between agencies are larger than chance (p < 0.001)."
    )
    assert verdict("agencies", 0.0001, "vi") == (
        "Khác biệt giữa các cơ quan lớn hơn mức ngẫu nhiên (p < 0,001)."
    )
    assert "no larger than chance" in verdict("agencies", 0.3, "en")
    assert "không lớn hơn" in verdict("agencies", 0.3, "vi")


def test_no_raw_key_on_staff_pages_or_in_pdfs(client: FlaskClient, reports: Staff) -> None:
    inspector = signed_in(client, reports.inspector)
    texts = {}
    for url in (
        f"/dashboard{QUERY}",
        f"/dashboard/agency/AAA{QUERY}&by=respondent_type",
        f"/dashboard/city{QUERY}",
    ):
        response = inspector.get(url)
        assert response.status_code == 200, url
        texts[url] = _visible(response.get_data(as_text=True))
    for url in ("/reports/agency/AAA.pdf", "/reports/city.pdf"):
        response = inspector.get(url + QUERY)
        assert response.status_code == 200, url
        texts[url] = pdf_text(response.get_data())
    found = {url: _raw_keys_in(text) for url, text in texts.items()}
    assert found == {url: [] for url in texts}


def test_city_page_and_pdf_say_what_the_tests_mean(client: FlaskClient, reports: Staff) -> None:
    inspector = signed_in(client, reports.inspector)
    vi = _visible(inspector.get(f"/dashboard/city{QUERY}").get_data(as_text=True))
    en = _visible(inspector.get(f"/dashboard/city{QUERY}&lang=en").get_data(as_text=True))
    assert re.search(r"Khác biệt giữa các cơ quan (không )?lớn hơn mức", vi)
    assert re.search(r"p [<=] 0,\d{3}", vi) and not re.search(r"p = 0\.\d{4}", vi)
    assert re.search(r"Differences between agencies are (no )?larger than chance", en)
    assert re.search(r"p [<=] 0\.\d{3}\b", en)
    text = pdf_text(inspector.get(f"/reports/city.pdf{QUERY}").get_data())
    assert re.search(
        r"Khác biệt giữa các cơ quan (không )?lớn hơn mức ngẫu nhiên \(p [<=] 0,", text
    )
    english = pdf_text(inspector.get(f"/reports/city.pdf{QUERY}&lang=en").get_data())
    assert re.search(r"Differences between agencies are (no )?larger than\s+chance", english)


def test_trend_change_is_in_points_of_the_column_beside_it(reports: Staff, db: Database) -> None:
    scope = Scope("sipas", dt.date(2017, 1, 1), dt.date(2017, 12, 31))
    with db.session() as session:
        report = documents.agency_document(session, "AAA", scope, TZ, with_city=False).report
    head = pdf_agency.TREND_HEAD
    assert "percentage points" in head[4]
    assert "%% satisfied" in head[3]
    rows = pdf_agency.trend_rows(report)
    checked = 0
    for before, after in itertools.pairwise(rows):
        if after[4] != "\u2013":
            change, now, then = (
                float(x.replace(",", ".")) for x in (after[4], after[3], before[3])
            )
            assert change == pytest.approx(now - then, abs=0.11)
            checked += 1
    assert checked >= 2


def test_pdf_methodology_in_both_languages_once(client: FlaskClient, reports: Staff) -> None:
    inspector = signed_in(client, reports.inspector)
    for url in (f"/reports/agency/{OWN}.pdf", "/reports/city.pdf"):
        text = pdf_text(inspector.get(url + QUERY).get_data())
        flat = " ".join(text.split())
        assert "đ.%" not in flat
        assert "Phương pháp" in flat and "Thay đổi và kiểm định" in flat
        assert "Mỗi báo cáo dùng một phiên bản bảng hỏi" in flat
        assert flat.count("Mỗi báo cáo dùng một phiên bản bảng hỏi") == 1, url
        english = " ".join(pdf_text(inspector.get(url + QUERY + "&lang=en").get_data()).split())
        assert english.count("A report covers one questionnaire version") == 1, url
        assert "Phương pháp" not in english and "Methodology" in english
    agency = " ".join(
        pdf_text(inspector.get(f"/reports/agency/{OWN}.pdf{QUERY}").get_data()).split()
    )
    assert "điểm phần trăm" in agency and "percentage points" not in agency


def test_xlsx_numbers_dates_and_widths(client: FlaskClient, reports: Staff) -> None:
    inspector = signed_in(client, reports.inspector)
    for url in (f"/reports/agency/{OWN}.xlsx", "/reports/city.xlsx"):
        book = load_workbook(io.BytesIO(inspector.get(url + QUERY).get_data()))
        summary = {r[0].value: r[1] for r in book["summary"].iter_rows(min_row=2)}
        assert isinstance(summary["from"].value, dt.datetime | dt.date), url
        assert summary["from"].number_format == "yyyy-mm-dd"
        assert summary["index"].number_format == "0.0"
        for ws in book.worksheets:
            assert ws.column_dimensions["A"].width and ws.column_dimensions["A"].width > 8, ws.title
        if url.startswith("/reports/city"):
            cells = [c for row in book["dimensions"].iter_rows(min_row=2) for c in row[1:]]
            numbers = [c for c in cells if isinstance(c.value, float)]
            assert numbers and all(c.number_format == "0.0" for c in numbers)
    book = load_workbook(io.BytesIO(inspector.get(f"/reports/agency/{OWN}.xlsx{QUERY}").get_data()))
    sheet = book["responses"]
    head = [c.value for c in sheet[1]]
    when = sheet.cell(row=2, column=head.index("submitted_at") + 1)
    assert isinstance(when.value, dt.datetime)
    assert when.number_format == "yyyy-mm-dd hh:mm:ss"
    dims = book[book.sheetnames[1]]
    names = [c.value for c in dims[1]]
    pct = dims.cell(row=2, column=names.index("satisfied_pct") + 1)
    mean = dims.cell(row=2, column=names.index("mean") + 1)
    assert pct.number_format == "0.0" and mean.number_format == "0.00"
