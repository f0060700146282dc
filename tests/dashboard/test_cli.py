"""``surveyapp report --format pdf|xlsx|csv`` and ``--all-agencies``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from surveyapp.renderers.numbers import num
from tests.auth.conftest import OWN, Staff
from tests.dashboard.conftest import Q1_RESPONSES, XSS, pdf_text

H1 = ("--questionnaire", "sipas", "--from", "2017-01-01", "--to", "2017-06-30")


def test_agency_pdf_matches_json(cli: Any, reports: Staff, tmp_path: Path) -> None:
    out = tmp_path / "q1.json"
    assert cli("report", "--agency", OWN, *H1, "--format", "json", "-o", str(out)).exit_code == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    pdf = tmp_path / "q1.pdf"
    result = cli("report", "--agency", OWN, *H1, "--format", "pdf", "--no-comments", "-o", str(pdf))
    assert result.exit_code == 0, result.output
    text = pdf_text(pdf.read_bytes())
    assert num(report["index"]["value"]) in text
    assert "Ủy ban nhân dân Quận 1" in text
    assert "alert" not in text and XSS not in text  # --no-comments


def test_city_xlsx_and_bad_use(cli: Any, reports: Staff, tmp_path: Path) -> None:
    out = tmp_path / "city.xlsx"
    assert cli("report", "--all", *H1, "--format", "xlsx", "-o", str(out)).exit_code == 0
    book = load_workbook(out)
    assert book.sheetnames[:3] == ["summary", "agencies", "dimensions"]
    result = cli("report", "--all", *H1, "--format", "csv", "-o", str(out))
    assert result.exit_code != 0 and "json, pdf or xlsx" in result.output
    result = cli("report", "--agency", OWN, *H1, "--format", "pdf")
    assert result.exit_code != 0 and "needs -o" in result.output


def test_all_agencies_one_file_each(cli: Any, reports: Staff, tmp_path: Path) -> None:
    target = tmp_path / "out"
    result = cli("report", "--all-agencies", *H1, "--format", "csv", "-o", str(target))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in target.iterdir())
    # Agencies with responses in the data: AAA, BBB, CCC (2017), EEE, FFF (2018), Q1.
    assert len(names) == 6
    q1 = next(n for n in names if "(Q1)" in n)
    assert q1 == "Ủy ban nhân dân Quận 1 (Q1) 2017-01-01\u20132017-06-30.csv"
    lines = (target / q1).read_text(encoding="utf-8-sig").count("\n")
    assert lines >= Q1_RESPONSES + 1
