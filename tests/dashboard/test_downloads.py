"""Report downloads: same figures as the JSON, escaping, formulas, streaming, audit."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from PIL import Image

from surveyapp.db import Database
from surveyapp.renderers.numbers import count, num
from surveyapp.services import audit
from tests.auth.conftest import OWN, Staff
from tests.conftest import needs_tool
from tests.dashboard.conftest import (
    FORMULA,
    H1,
    HIDDEN,
    Q1_RESPONSES,
    QUOTED,
    XSS,
    pdf_text,
    signed_in,
)

QUERY = "?questionnaire=sipas&from=2017-01-01&to=2017-06-30"


def _get(client: FlaskClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.data[:300])
    data = response.get_data()
    response.close()
    return data


@pytest.fixture
def inspector(client: FlaskClient, reports: Staff) -> FlaskClient:
    return signed_in(client, reports.inspector)


def test_agency_pdf_matches_json(inspector: FlaskClient) -> None:
    report = json.loads(_get(inspector, f"/reports/agency/{OWN}.json{QUERY}"))
    city = json.loads(_get(inspector, f"/reports/city.json{QUERY}"))
    text = pdf_text(_get(inspector, f"/reports/agency/{OWN}.pdf{QUERY}"))
    assert report["n_responses"] == Q1_RESPONSES
    assert "Ủy ban nhân dân Quận 1" in text
    assert f"{H1['from']} \u2013 {H1['to']}" in text
    assert count(report["n_responses"]) in text
    assert num(report["index"]["value"]) in text
    for dim in report["dimensions"]:
        assert num(dim["satisfied_pct"]) in text, dim["key"]
    row = next(r for r in city["agencies"] if r["code"] == OWN)
    ranked = sum(1 for r in city["agencies"] if r["rank"] is not None)
    assert f"{row['rank']} / {ranked}" in text
    assert num(city["index"]["value"]) in text


def test_city_pdf_matches_json(inspector: FlaskClient) -> None:
    city = json.loads(_get(inspector, f"/reports/city.json{QUERY}"))
    text = pdf_text(_get(inspector, f"/reports/city.pdf{QUERY}"))
    assert num(city["index"]["value"]) in text
    assert count(city["n_responses"]) in text
    for row in city["agencies"]:
        if row["index"] is not None:
            assert num(row["index"]) in text, row["code"]
    assert "Kruskal-Wallis" in text and "Dunn" in text and "Khi bình phương" in text
    assert "Sở Nội vụ" in text  # a department without data is still listed


def test_free_text_is_literal_in_pdf_and_escaped_in_html(inspector: FlaskClient) -> None:
    text = pdf_text(_get(inspector, f"/reports/agency/{OWN}.pdf{QUERY}"))
    assert '<script>alert("x")</script>' in text
    page = _get(inspector, f"/dashboard/agency/{OWN}{QUERY}").decode()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<script" not in page
    assert "<img src=x" not in page
    without = pdf_text(_get(inspector, f"/reports/agency/{OWN}.pdf{QUERY}&comments=0"))
    assert "alert" not in without
    assert "Không đưa vào báo cáo này" in without


def test_never_quarantined_or_deleted(inspector: FlaskClient) -> None:
    texts = [
        pdf_text(_get(inspector, f"/reports/agency/{OWN}.pdf{QUERY}")),
        _get(inspector, f"/reports/agency/{OWN}.csv{QUERY}").decode("utf-8-sig"),
        _get(inspector, f"/dashboard/agency/{OWN}{QUERY}").decode(),
    ]
    workbook = load_workbook(io.BytesIO(_get(inspector, f"/reports/agency/{OWN}.xlsx{QUERY}")))
    texts.append(
        "\n".join(str(c) for row in workbook["responses"].iter_rows(values_only=True) for c in row)
    )
    for text in texts:
        for secret in HIDDEN:
            assert secret not in text
    rows = list(csv.reader(io.StringIO(texts[1])))
    assert len(rows) - 1 == Q1_RESPONSES


def test_csv_round_trips_and_neutralises(inspector: FlaskClient) -> None:
    data = _get(inspector, f"/reports/agency/{OWN}.csv{QUERY}")
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    comments = {r["comment"] for r in rows if r["comment"]}
    # Quotes, comma, line break and tab survive (the form stores line breaks as LF).
    assert QUOTED.replace("\r\n", "\n") in comments
    assert "'" + FORMULA in comments
    assert XSS in comments
    assert all(r["agency"] == OWN for r in rows)
    assert {r["overall_satisfaction"] for r in rows} <= {"3", "4", "5"}


def test_xlsx_sheets_values_and_codebook(inspector: FlaskClient) -> None:
    report = json.loads(_get(inspector, f"/reports/agency/{OWN}.json{QUERY}"))
    book = load_workbook(io.BytesIO(_get(inspector, f"/reports/agency/{OWN}.xlsx{QUERY}")))
    dims = [d["key"] for d in report["dimensions"]]
    facts = ["service_facts", "service_fact_tests"]
    assert book.sheetnames == [
        "summary",
        *dims,
        *facts,
        "feedback_cases",
        "method",
        "responses",
        "codebook",
    ]
    summary = {row[0]: row[1] for row in book["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["n_responses"] == report["n_responses"]
    assert summary["index"] == pytest.approx(report["index"]["value"])
    assert summary["agency_vi"] == "Ủy ban nhân dân Quận 1"
    sheet = book["responses"]
    head = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == Q1_RESPONSES
    comment = head.index("comment")
    overall = head.index("overall_satisfaction")
    cells = {r[comment].value: r[comment] for r in rows if r[comment].value}
    assert cells["'" + FORMULA].data_type == "s"
    assert all(isinstance(r[overall].value, int) for r in rows)
    first = book[dims[0]]
    item = next(r for r in first.iter_rows(min_row=2, values_only=True) if r[0] != "(dimension)")
    expected = next(i for i in report["items"] if i["key"] == item[0])
    assert item[9] == pytest.approx(expected["satisfied_pct"])
    codebook = list(book["codebook"].iter_rows(min_row=2, values_only=True))
    labels = {(r[0], r[4]): r[5] for r in codebook}
    assert labels[("overall_satisfaction", 5)] == "Rất hài lòng"
    assert labels[("respondent_type", "citizen")]


def test_downloads_are_audited(inspector: FlaskClient, reports: Staff, db: Database) -> None:
    _get(inspector, f"/reports/agency/{OWN}.json{QUERY}&comments=0")
    _get(inspector, f"/reports/city.json{QUERY}")
    with db.session() as session:
        events = audit.recent(session, action="report.download")
    assert [(e.user_email, e.target) for e in events[:2]] == [
        (reports.inspector, "city"),
        (reports.inspector, f"agency:{OWN}"),
    ]
    assert events[1].detail == {
        "format": "json",
        "from": "2017-01-01",
        "to": "2017-06-30",
        "questionnaire": "sipas",
        "comments": False,
        "lang": "vi",
    }


def test_download_headers(inspector: FlaskClient) -> None:
    response = inspector.get(f"/reports/agency/{OWN}.pdf{QUERY}")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Uy ban nhan dan Quan 1 (Q1)')
    name = "Ủy ban nhân dân Quận 1 (Q1) 2017-01-01\u20132017-06-30.pdf"
    assert disposition.endswith("filename*=UTF-8''" + quote(name, safe=""))


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        (f"/reports/agency/{OWN}.pdf?from=2017-13-01", 400, "not a real date"),
        (f"/reports/agency/{OWN}.pdf?from=01/02/2017", 400, "path"),
        (f"/reports/agency/{OWN}.pdf?from=2017-1-1", 400, "YYYY-MM-DD"),
        (f"/reports/agency/{OWN}.pdf?from=2017-06-01&to=2017-01-01", 400, "after"),
        (f"/reports/agency/{OWN}.pdf?questionnaire=nope", 404, "no questionnaire"),
        (f"/reports/agency/{OWN}.pdf?questionnaire=../../etc", 400, "path"),
        (f"/reports/agency/{OWN}.pdf?comments=maybe", 400, "comments"),
        (f"/reports/agency/{OWN}.exe", 404, "unknown format"),
        (f"/reports/agency/{OWN}.csv?to=..%2F..%2Fetc", 400, "path"),
        ("/reports/city.csv", 404, "unknown format"),
        ("/reports/town.pdf", 404, ""),
        (f"/dashboard/agency/{OWN}?questionnaire=sipas&by=nope", 400, "nope"),
    ],
)
def test_bad_parameters(inspector: FlaskClient, url: str, status: int, message: str) -> None:
    response = inspector.get(url + ("&" if "?" in url else "?") + "lang=en")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"/reports/agency/{OWN}.pdf?from=2017-06-01&to=2017-01-01", "sau"),
        (f"/reports/agency/{OWN}.exe", "định dạng không có"),
    ],
)
def test_bad_parameters_are_refused_in_the_staff_members_language(
    inspector: FlaskClient, url: str, message: str
) -> None:
    response = inspector.get(url)
    assert response.status_code in (400, 404)
    text = response.get_data(as_text=True)
    assert message in text and "unknown format" not in text and "is after" not in text


def test_pdf_renders_to_png(inspector: FlaskClient, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        needs_tool("pdftoppm (Debian poppler-utils) renders PDF pages")
    pdf = tmp_path / "q1.pdf"
    pdf.write_bytes(_get(inspector, f"/reports/agency/{OWN}.pdf{QUERY}"))
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 3
    for page in pages:
        image: Any = Image.open(page).convert("L")
        darkest, lightest = image.getextrema()
        assert lightest == 255 and darkest < 100  # a white page with dark text on it
