"""``surveyapp report --lang``: the PDF's fixed texts and numbers in one language, read back.

The same report is written in Vietnamese and in English and read back with pypdf.
Each fixed text is looked up in the catalogs (so the test follows a change of
wording), must appear in its own language and its other-language form must not.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from surveyapp.renderers.wording import tr
from tests.reporting.conftest import Loaded

#: Fixed texts of the agency report (renderers/pdf_agency.py), as msgids.
FIXED = ("SATISFACTION REPORT", "Reporting period", "Time zone", "Response channels")
#: A decimal written with a comma (Vietnamese) or a point (English), e.g. 82,7 / 82.7.
DECIMAL = {"vi": re.compile(r"\d,\d(?!\d)"), "en": re.compile(r"\d\.\d(?!\d)")}


def _pdf_text(cli: Any, tmp_path: Path, *args: str) -> str:
    out = tmp_path / f"report-{'-'.join(args)}.pdf"
    result = cli("report", "--agency", "AAA", "--format", "pdf", *args, "-o", str(out))
    assert result.exit_code == 0, result.output
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


@pytest.fixture
def texts(loaded: Loaded, cli: Any, tmp_path: Path) -> dict[str, str]:
    return {
        "vi": _pdf_text(cli, tmp_path, "--lang", "vi"),
        "en": _pdf_text(cli, tmp_path, "--lang", "en"),
        "default": _pdf_text(cli, tmp_path),
    }


def test_the_pdf_speaks_the_language_asked_for_and_only_that(texts: dict[str, str]) -> None:
    for message in FIXED:
        vi, en = tr("vi", message), tr("en", message)
        assert vi != en, message  # the catalog translates it
        assert vi in texts["vi"] and en not in texts["vi"], message
        assert en in texts["en"] and vi not in texts["en"], message
    # The agency's own name follows too (names are data in both languages).
    assert "Cơ quan AAA" in texts["vi"] and "Agency AAA" not in texts["vi"]
    assert "Agency AAA" in texts["en"] and "Cơ quan AAA" not in texts["en"]


def test_numbers_use_the_languages_decimal_mark(texts: dict[str, str]) -> None:
    assert DECIMAL["vi"].search(texts["vi"])
    assert DECIMAL["en"].search(texts["en"])
    assert not DECIMAL["en"].search(texts["vi"].replace("v1.", "").replace("UTC", ""))


def test_vietnamese_is_the_default(texts: dict[str, str]) -> None:
    for message in FIXED:
        assert tr("vi", message) in texts["default"]


def test_an_unknown_language_is_refused_naming_the_option(
    loaded: Loaded, cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "r.pdf"
    result = cli("report", "--agency", "AAA", "--format", "pdf", "--lang", "fr", "-o", str(out))
    assert result.exit_code == 2
    assert "--lang" in result.output
    assert not out.exists()
