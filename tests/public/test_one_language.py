"""A one-language questionnaire through the form, a submission, the reports and exports."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from surveyapp.db import Database
from tests.public.conftest import token_of

TEXTS = {
    "en": {
        "title": "Library visit survey",
        "section": "Your visit",
        "q": "How satisfied were you with the reading room?",
        "low": "Very unhappy",
        "high": "Very happy",
        "why": "Why did you come today?",
        "opt": "Borrow books",
        "send": "Send answers",
    },
    "vi": {
        "title": "Khảo sát thư viện",
        "section": "Lần đến của bạn",
        "q": "Bạn hài lòng với phòng đọc đến mức nào?",
        "low": "Rất không hài lòng",
        "high": "Rất hài lòng",
        "why": "Vì sao hôm nay bạn đến?",
        "opt": "Mượn sách",
        "send": "Gửi phiếu",
    },
}


def definition(lang: str) -> str:
    t = TEXTS[lang]
    return f"""\
format: 1
languages: [{lang}]
title: {{{lang}: "{t["title"]}"}}
scales:
  s5:
    - {{value: 1, label: {{{lang}: "{t["low"]}"}}}}
    - {{value: 2, label: {{{lang}: "2"}}}}
    - {{value: 3, label: {{{lang}: "3"}}}}
    - {{value: 4, label: {{{lang}: "4"}}}}
    - {{value: 5, label: {{{lang}: "{t["high"]}"}}}}
scoring:
  satisfied_values: [4, 5]
  min_n: 1
sections:
  - key: visit
    kind: dimension
    title: {{{lang}: "{t["section"]}"}}
    questions:
      - key: room
        type: likert
        scale: s5
        required: true
        text: {{{lang}: "{t["q"]}"}}
      - key: why
        type: single_choice
        text: {{{lang}: "{t["why"]}"}}
        options:
          - {{key: borrow, label: {{{lang}: "{t["opt"]}"}}}}
          - {{key: study, label: {{{lang}: "Study"}}}}
"""


def _setup(cli: Any, tmp_path: Path, lang: str) -> str:
    slug = f"library-{lang}"
    path = tmp_path / f"{slug}.yaml"
    path.write_text(definition(lang), encoding="utf-8")
    result = cli("questionnaires", "load", str(path))
    assert result.exit_code == 0, result.output
    result = cli(
        "agencies", "add", "LIB", "--name-vi", "Thư viện", "--name-en", "Library",
        "--kind", "department",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return slug


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_one_language_form_submission_reports_and_exports(
    app: Flask, client: FlaskClient, cli: Any, db: Database, tmp_path: Path, lang: str
) -> None:
    app.config["MIN_FILL_SECONDS"] = 0  # accepted at once, not held as too fast
    t = TEXTS[lang]
    slug = _setup(cli, tmp_path, lang)
    other = "vi" if lang == "en" else "en"
    # Asking for the other language changes nothing: the form exists in one.
    for query in ("agency=LIB", f"agency=LIB&lang={other}"):
        page = client.get(f"/q/{slug}?{query}")
        assert page.status_code == 200
        html = page.text
        assert f'<html lang="{lang}"' in html
        assert 'name="_switch"' not in html
        assert 'class="lang"' not in html
        assert t["q"] in html and t["title"] in html
        assert f">{t['send']}</button>" in html  # the page's own texts too
    sent = client.post(
        f"/q/{slug}?agency=LIB",
        data={"_token": token_of(html), "room": "5", "why": "borrow"},
        headers={"Origin": "http://localhost"},
    )
    assert sent.status_code == 303, sent.text[:800]
    thanks = client.get(sent.headers["Location"])
    assert thanks.status_code == 200
    assert f'<html lang="{lang}"' in thanks.text and 'class="lang"' not in thanks.text
    assert t["title"] in thanks.text

    out: dict[str, Path] = {}
    for fmt in ("pdf", "xlsx", "csv", "sav", "json"):
        out[fmt] = tmp_path / f"report.{fmt}"
        result = cli(
            "report", "write", "--agency", "LIB", "--questionnaire", slug,
            "--format", fmt, "-o", str(out[fmt]),
        )  # fmt: skip
        assert result.exit_code == 0, (fmt, result.output)

    pdf = " ".join(
        (page.extract_text() or "") for page in PdfReader(io.BytesIO(out["pdf"].read_bytes())).pages
    )
    flat = re.sub(r"\s+", " ", pdf)
    assert t["section"] in flat
    workbook = openpyxl.load_workbook(out["xlsx"], read_only=True)
    cells = {
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    workbook.close()
    assert t["q"] in cells and t["opt"] in cells and t["section"] in cells
    # The raw export holds the answer (keys, not labels: machine format).
    rows = list(csv.DictReader(io.StringIO(out["csv"].read_text(encoding="utf-8-sig"))))
    assert [(r["agency"], r["room"], r["why"]) for r in rows] == [("LIB", "5", "borrow")]
    assert out["sav"].stat().st_size > 0
    assert t["title"] in out["json"].read_text(encoding="utf-8")
