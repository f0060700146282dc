"""Departments and districts are ranked apart (``rank_in_kind``) in the city report's JSON,
page, PDF and XLSX; the city-wide ``rank`` stays beside it."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from tests.auth.conftest import Staff, login
from tests.dashboard.conftest import pdf_text

DASH = "\u2013"  # an en dash: no rank, and between the ends of a rank interval


@pytest.fixture
def inspector(cli: Any, client: FlaskClient, staff: Staff) -> FlaskClient:
    result = cli("demo", "--responses", "400")
    assert result.exit_code == 0, result.output
    assert login(client, staff.inspector).status_code == 303
    return client


def _json(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/reports/city.json?questionnaire=sipas")
    assert response.status_code == 200
    return dict(response.get_json())


def test_ranks_within_kind(inspector: FlaskClient) -> None:
    agencies = _json(inspector)["agencies"]
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in agencies:
        assert {"rank", "rank_lower", "rank_upper", "rank_in_kind"} <= set(row)
        if row["rank_in_kind"] is not None:
            by_kind[row["kind"]].append(row)
    assert {"department", "district"} <= set(by_kind)
    ranked_city = sorted(r["rank"] for rows in by_kind.values() for r in rows)
    assert ranked_city == list(range(1, len(ranked_city) + 1))  # city-wide ranks kept
    for kind, rows in by_kind.items():
        rows.sort(key=lambda r: r["rank_in_kind"])
        assert [r["rank_in_kind"] for r in rows] == list(range(1, len(rows) + 1)), kind
        indices = [r["index"] for r in rows]
        assert indices == sorted(indices, reverse=True), kind  # best index first
        # Same order as the city-wide ranking, restricted to the kind.
        assert [r["code"] for r in rows] == [
            r["code"] for r in sorted(rows, key=lambda r: r["rank"])
        ]
        for r in rows:
            assert 1 <= r["rank_in_kind_lower"] <= r["rank_in_kind"] <= r["rank_in_kind_upper"]
            assert r["rank_in_kind_upper"] <= len(rows)


def test_page_pdf_and_workbook_show_ranks_within_kind(inspector: FlaskClient) -> None:
    rows = {r["code"]: r for r in _json(inspector)["agencies"]}
    page = inspector.get("/dashboard/city?questionnaire=sipas").get_data(as_text=True)
    tables = re.findall(r"<table><thead>.*?</tbody>\s*</table>", page, re.S)
    # The ranking tables are those with a rank-within-kind column; others list figures.
    rankings = [t for t in tables if '<th scope="col" class="num">' in t and "<code>" in t]
    assert len(rankings) >= 2
    for table in rankings:
        cells = re.findall(
            rf"<tr[^>]*><td>(\d+|{DASH})[^<]*(?:<small>[^<]*</small>)?</td>"
            rf"<td class=\"num\">(\d+|{DASH})</td>"
            r"\s*<td><a [^>]*>[^<]*</a> <code>([A-Z0-9]+)</code>",
            table,
        )
        assert cells, table[:500]
        for in_kind, city, code in cells:
            assert in_kind == str(rows[code]["rank_in_kind"] or DASH), code
            assert city == str(rows[code]["rank"] or DASH), code
        assert cells[0][0] == "1"  # each list starts at 1
    pdf = inspector.get("/reports/city.pdf?questionnaire=sipas")
    assert pdf.status_code == 200
    text = pdf_text(pdf.data)
    for code, row in rows.items():
        if row["rank_in_kind"] is not None:
            expected = (
                f"{row['rank_in_kind']} ({row['rank_in_kind_lower']}{DASH}"
                f"{row['rank_in_kind_upper']}) {row['rank']} {code}"
            )
            assert expected in text, (code, expected)
    book = load_workbook(io.BytesIO(inspector.get("/reports/city.xlsx?questionnaire=sipas").data))
    sheet = book["agencies"]
    header = [c.value for c in sheet[1]]
    for line in sheet.iter_rows(min_row=2, values_only=True):
        record = dict(zip(header, line, strict=True))
        row = rows[str(record["code"])]
        for key in ("rank_in_kind", "rank_in_kind_lower", "rank_in_kind_upper", "rank"):
            assert record[key] == row[key], (record["code"], key)
