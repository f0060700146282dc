"""Hostile texts against every document: refused at input, harmless once stored.

A comment holding U+FFFF used to be accepted and then made the agency's XLSX a
workbook no reader opens; ``page {nb} of total`` was printed with fpdf2's page
count in place of ``{nb}``. Input now refuses noncharacters and XML-illegal
characters naming the field; renderers replace any already stored with U+FFFD
and print everything else as written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pyreadstat
import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, update

from surveyapp.dashboard import export
from surveyapp.dashboard.documents import Scope
from surveyapp.db import Database
from surveyapp.definitions.characters import REPLACEMENT, forbidden, printable
from surveyapp.errors import InputError
from surveyapp.models import Agency, Answer, Response
from surveyapp.renderers.cells import neutralise
from surveyapp.renderers.charts import literal
from surveyapp.renderers.pdf import clean
from surveyapp.services.agencies import AgencyInput, check_agency
from surveyapp.services.responses import check_answers
from tests.auth.conftest import OWN, Staff, staff  # noqa: F401 (fixtures)
from tests.dashboard.conftest import Q1_RESPONSES, pdf_text, reports, signed_in  # noqa: F401
from tests.hostile.test_public_inputs import (
    API_ANSWERS,
    FORM,
    _api,
    _api_token,
    count,
)
from tests.public.conftest import APP_ORIGIN, SLUG, VALID, open_form
from tests.reporting.conftest import SIPAS, loaded  # noqa: F401 (fixtures)

#: One of each kind of character a document cannot hold.
BAD = {
    "U+FFFF": "\uffff",
    "U+FFFE": "\ufffe",
    "U+FDD0": "\ufdd0",
    "U+FDEF": "\ufdef",
    "U+1FFFF": "\U0001ffff",
    "U+10FFFE": "\U0010fffe",
    "U+0001": "\x01",
    "U+000B": "\x0b",
    "U+001F": "\x1f",
    "U+007F": "\x7f",
    "U+0085": "\x85",
}
QUERY = "?questionnaire=sipas&from=2017-01-01&to=2017-06-30"
NB = "page {nb} of total, {nb}, {{nb}}"
TZ = "Asia/Ho_Chi_Minh"


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(app: Any) -> None:
    app.config["MIN_FILL_SECONDS"] = 0


# -- input ----------------------------------------------------------------------------
@pytest.mark.parametrize("char", BAD.values(), ids=BAD.keys())
def test_form_refuses_noncharacters_and_controls(
    client: FlaskClient, survey: Any, db: Database, char: str
) -> None:
    response = client.post(
        FORM,
        data={"_token": open_form(client), **{**VALID, "comment": f"Tốt{char}lắm"}},
        headers={"Origin": APP_ORIGIN},
    )
    assert response.status_code == 422
    assert 'id="e-comment"' in response.text
    assert "ký tự không được phép" in response.text
    assert count(db) == 0


@pytest.mark.parametrize("char", BAD.values(), ids=BAD.keys())
def test_api_refuses_noncharacters_and_controls_naming_the_field(
    client: FlaskClient, survey: Any, db: Database, char: str
) -> None:
    body = {
        "questionnaire": SLUG,
        "token": _api_token(client),
        "answers": {**API_ANSWERS, "comment": f"o{char}k"},
    }
    response = _api(client, body)
    assert response.status_code == 422, response.text[:300]
    assert "comment" in response.text
    assert count(db) == 0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_accepted_text_is_printable_in_every_document(text: str) -> None:
    try:
        checked = check_answers(SIPAS, {"comment": text}, require=False)
    except InputError:
        return
    stored = checked.answers.get("comment")
    if stored is not None and stored.value_text is not None:
        assert forbidden(stored.value_text) is None
        assert printable(stored.value_text) == stored.value_text
    else:
        assert checked.errors or not text.strip() or forbidden(text) is not None


@pytest.mark.parametrize("char", BAD.values(), ids=BAD.keys())
def test_admin_agency_names_refuse_noncharacters(char: str) -> None:
    clean, problems = check_agency(AgencyInput("Q9", f"Quận{char}9", "District 9", "district"))
    # Refused, or (the controls that are also white space) folded into one space.
    assert [f for f, _ in problems] == ["name_vi"] or clean.name_vi == "Quận 9"


@pytest.mark.parametrize("char", ["\uffff", "\x01", "\ufdd0"])
def test_definitions_refuse_noncharacters(char: str) -> None:
    from surveyapp.definitions.loading import check_text

    text = (Path(__file__).parents[1] / "public/data/every-type.yaml").read_text()
    hostile = text.replace("title: {vi: ", f"title: {{vi: {char}", 1)
    assert hostile != text
    problems = check_text(hostile, "q.yaml")
    assert any("U+" in str(p) for p in problems), problems


XML_CHAR = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.characters(), st.sampled_from(["\ud800", "\udfff", *BAD.values()])),
        max_size=60,
    ).map("".join)
)
def test_renderers_make_any_string_legal_surrogates_included(text: str) -> None:
    for out in (neutralise(text), clean(text), literal(text), printable(text)):
        out.encode("utf-8")  # no lone surrogate left
        assert XML_CHAR.fullmatch(out), repr(out)
        assert forbidden(out.replace("\r", "")) is None


# -- documents from strings already stored ---------------------------------------------
def check_pdf(data: bytes) -> str:
    """Parse ``data`` with pypdf and poppler; return its text, fail on any error."""
    reader = PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) > 0
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        run = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", handle.name, "-"], capture_output=True, check=False
        )
    assert run.returncode == 0 and not run.stderr, run.stderr[:500]
    return run.stdout.decode("utf-8")


def check_sav(chunks: Any) -> Any:
    with tempfile.NamedTemporaryFile(suffix=".sav") as handle:
        for chunk in chunks:
            handle.write(chunk)
        handle.flush()
        frame, _meta = pyreadstat.read_sav(handle.name)
    return frame


def _store(db: Database, comment: str, name: str) -> None:
    """Write ``comment`` into every stored comment of Q1 and ``name`` as its name, raw."""
    with db.write() as session:
        q1 = session.scalar(select(Agency.id).where(Agency.code == OWN))
        ids = select(Response.id).where(Response.agency_id == q1)
        session.execute(
            update(Answer)
            .where(Answer.question_key == "comment", Answer.response_id.in_(ids))
            .values(value_text=comment)
        )
        session.execute(update(Agency).where(Agency.id == q1).values(name_vi=name, name_en=name))


def _documents(db: Database) -> dict[str, Any]:
    scope = Scope("sipas", dt.date(2017, 1, 1), dt.date(2017, 6, 30))
    out: dict[str, Any] = {}
    with db.session() as session:
        for fmt in ("pdf", "xlsx", "csv", "sav"):
            data = export.agency_file(session, OWN, scope, TZ, fmt).data
            if not isinstance(data, bytes | str):
                data = list(data)
            out[fmt] = data
        out["city.xlsx"] = export.city_file(session, scope, TZ, "xlsx").data
        out["city.pdf"] = export.city_file(session, scope, TZ, "pdf").data
    return out


def _open_all(docs: dict[str, Any]) -> dict[str, str]:
    """Open every document with its reader; return the text each holds."""
    texts = {"pdf": check_pdf(docs["pdf"]), "city.pdf": check_pdf(docs["city.pdf"])}
    for key in ("xlsx", "city.xlsx"):
        book = load_workbook(io.BytesIO(docs[key]))
        texts[key] = "\n".join(
            str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
        )
    body = "".join(docs["csv"])
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"), newline="")))
    assert len(rows) == Q1_RESPONSES + 1
    texts["csv"] = body
    frame = check_sav(docs["sav"])
    assert len(frame) == Q1_RESPONSES
    texts["sav"] = "\n".join(str(v) for v in frame["comment"])
    return texts


@pytest.mark.parametrize("char", BAD.values(), ids=BAD.keys())
def test_every_document_opens_with_bad_characters_stored(
    reports: Staff,  # noqa: F811
    db: Database,
    char: str,
) -> None:
    _store(db, f"Chờ{char}lâu", f"Quận{char}Một")
    texts = _open_all(_documents(db))
    for fmt, text in texts.items():
        assert char not in text, fmt
    for fmt in ("pdf", "xlsx", "csv", "sav"):
        assert f"Chờ{REPLACEMENT}lâu" in texts[fmt], fmt


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.one_of(
            st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
            st.sampled_from([*BAD.values(), "{nb}", "$", "$\\nosuchcommand$", "\r", "\t"]),
        ),
        min_size=1,
        max_size=40,
    ).map("".join)
)
def test_every_document_opens_whatever_text_is_stored(
    reports: Staff,  # noqa: F811
    db: Database,
    text: str,
) -> None:
    _store(db, text, "Q " + text)
    _open_all(_documents(db))


def test_dashboard_page_holds_no_bad_character(
    client: FlaskClient,
    reports: Staff,  # noqa: F811
    db: Database,
) -> None:
    _store(db, "a\uffffb\x01c", "Quận\ufdd0Một")
    inspector = signed_in(client, reports.inspector)
    for url in (f"/dashboard/agency/{OWN}{QUERY}", f"/dashboard/city{QUERY}"):
        response = inspector.get(url)
        assert response.status_code == 200, url
        assert forbidden(response.get_data(as_text=True)) is None, url


# -- text printed as written ------------------------------------------------------------
def test_pdf_prints_page_aliases_as_written(
    client: FlaskClient,
    reports: Staff,  # noqa: F811
    db: Database,
) -> None:
    _store(db, NB, "Quận {nb} Một")
    inspector = signed_in(client, reports.inspector)
    response = inspector.get(f"/reports/agency/{OWN}.pdf{QUERY}")
    assert response.status_code == 200
    text = pdf_text(response.get_data())
    assert NB in text
    assert "Quận {nb} Một" in text
    pages = len(PdfReader(io.BytesIO(response.get_data())).pages)
    assert f"Trang 2/{pages}" in text  # the document's own page count still works


def test_csv_content_type_names_its_charset_once(
    client: FlaskClient,
    reports: Staff,  # noqa: F811
) -> None:
    inspector = signed_in(client, reports.inspector)
    response = inspector.get(f"/reports/agency/{OWN}.csv{QUERY}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    response.close()
