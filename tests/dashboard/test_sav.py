"""``/reports/agency/CODE.sav`` and ``report --format sav``: the raw CSV's rows, as SPSS."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
import pyreadstat
import pytest
from flask.testing import FlaskClient

from surveyapp.db import Database
from surveyapp.services import audit
from tests.auth.conftest import OTHER, OWN, Staff
from tests.dashboard.conftest import FORMULA, HIDDEN, Q1_RESPONSES, QUOTED, XSS, signed_in
from tests.reporting.conftest import SIPAS

QUERY = "?questionnaire=sipas&from=2017-01-01&to=2017-06-30"
SAV = f"/reports/agency/{OWN}.sav{QUERY}"
RULES = {
    "admin": (True, True),
    "inspector": (True, True),
    "own": (True, False),
    "other": (False, True),
}


def _get(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    response.get_data()  # a streamed body is read to the end, as a browser would
    response.close()
    return response


def _read(data: bytes, tmp_path: Path, **options: Any) -> tuple[pd.DataFrame, Any]:
    path = tmp_path / "q1.sav"
    path.write_bytes(data)
    return pyreadstat.read_sav(str(path), **options)


@pytest.fixture
def inspector(client: FlaskClient, reports: Staff) -> FlaskClient:
    return signed_in(client, reports.inspector)


def test_sav_holds_the_csv_rows_with_labels(inspector: FlaskClient, tmp_path: Path) -> None:
    response = _get(inspector, SAV)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-spss-sav"
    assert response.headers["Cache-Control"] == "no-store"
    name = "Ủy ban nhân dân Quận 1 (Q1) 2017-01-01\u20132017-06-30.sav"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Uy ban nhan dan Quan 1 (Q1)')
    assert disposition.endswith("filename*=UTF-8''" + quote(name, safe=""))
    frame, meta = _read(response.data, tmp_path, user_missing=True)
    text = _get(inspector, f"/reports/agency/{OWN}.csv{QUERY}").data.decode("utf-8-sig")
    head, *cells = list(csv.reader(io.StringIO(text, newline="")))
    assert len(head) == len(set(head))  # no question shares a fixed column's name
    rows = [dict(zip(head, c, strict=True)) for c in cells]
    assert [r["submission_channel"] for r in rows] == [
        "" if pd.isna(v) else SIPAS.item("submission_channel").options[int(v) - 1].key
        for v in frame["submission_channel"]
    ]
    assert len(frame) == len(rows) == Q1_RESPONSES
    assert [int(v) for v in frame["response_id"]] == [int(r["response_id"]) for r in rows]
    assert set(frame["agency"]) == {OWN}
    assert list(frame["channel"]) == [c[3] for c in cells]
    assert [f"{t:%Y-%m-%dT%H:%M:%S}" for t in frame["submitted_at"]] == [
        r["submitted_at"] for r in rows
    ]
    assert [int(v) for v in frame["overall_satisfaction"]] == [
        int(r["overall_satisfaction"]) for r in rows
    ]
    codes = {o.key: n for n, o in enumerate(SIPAS.item("respondent_type").options, start=1)}
    assert [int(v) for v in frame["respondent_type"]] == [codes[r["respondent_type"]] for r in rows]
    # Free text is stored as written: no apostrophe before a formula, nothing escaped.
    comments = set(frame["comment"])
    assert {FORMULA, XSS, QUOTED.replace("\r\n", "\n")} <= comments
    assert not any(secret in c for c in comments for secret in HIDDEN)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["overall_satisfaction"] == SIPAS.item("overall_satisfaction").text.vi
    assert labels["submission_channel"] == SIPAS.item("submission_channel").text.vi
    renamed = [n for n in meta.notes if n.partition(" = ")[0].isidentifier()]
    assert renamed == []  # no variable had to be renamed
    values = meta.variable_value_labels
    assert values["overall_satisfaction"][5] == "Rất hài lòng"
    assert values["respondent_type"][codes["citizen"]] == "Cá nhân (người dân)"
    na_items = [i.key for i in SIPAS.items() if i.allow_na]
    assert meta.missing_ranges[na_items[0]] == [{"lo": 99.0, "hi": 99.0}]
    assert values[na_items[0]][99] == "Không áp dụng"
    assert meta.variable_measure["overall_satisfaction"] == "ordinal"
    assert meta.variable_measure["respondent_type"] == "nominal"


def test_english_labels_and_a_bad_language(inspector: FlaskClient, tmp_path: Path) -> None:
    response = _get(inspector, SAV + "&lang=en")
    assert response.status_code == 200
    _, meta = _read(response.data, tmp_path)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["overall_satisfaction"] == SIPAS.item("overall_satisfaction").text.en
    assert meta.variable_value_labels["respondent_type"][2] == "An individual citizen"
    refused = _get(inspector, SAV + "&lang=fr")
    assert refused.status_code == 400
    assert "&#39;lang&#39; must be one of vi, en" in refused.get_data(as_text=True)
    assert "fr" in refused.get_data(as_text=True)


@pytest.mark.parametrize("role", sorted(RULES))
def test_who_may_download(client: FlaskClient, reports: Staff, role: str) -> None:
    signed_in(client, getattr(reports, role))
    for code, allowed in zip((OWN, OTHER), RULES[role], strict=True):
        response = _get(client, f"/reports/agency/{code}.sav{QUERY}")
        assert response.status_code == (200 if allowed else 404), (role, code)
        assert response.headers["Cache-Control"] == "no-store"
        if not allowed:
            assert not response.data.startswith(b"$FL2")  # no SPSS file leaks out
    assert _get(client, f"/reports/agency/NOPE.sav{QUERY}").status_code == 404


def test_anonymous_is_sent_to_login(client: FlaskClient, reports: Staff) -> None:
    response = client.get(SAV)
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/login?next=")
    assert b"$FL2" not in response.data


def test_download_is_audited(inspector: FlaskClient, reports: Staff, db: Database) -> None:
    assert _get(inspector, SAV).status_code == 200
    with db.session() as session:
        event = audit.recent(session, action="report.download")[0]
    assert (event.user_email, event.target) == (reports.inspector, f"agency:{OWN}")
    assert event.detail["format"] == "sav"
    assert event.detail["lang"] == "vi"
    assert (event.detail["from"], event.detail["to"]) == ("2017-01-01", "2017-06-30")
    assert _get(inspector, SAV + "&lang=en").status_code == 200
    with db.session() as session:
        assert audit.recent(session, action="report.download")[0].detail["lang"] == "en"


def test_agency_page_links_the_sav(inspector: FlaskClient) -> None:
    page = _get(inspector, f"/dashboard/agency/{OWN}{QUERY}").get_data(as_text=True)
    assert f'href="/reports/agency/{OWN}.sav?' in page
    assert "lang=en" in page


def test_cli_writes_sav(cli: Any, reports: Staff, tmp_path: Path) -> None:
    out = tmp_path / "q1.sav"
    h1 = ("--questionnaire", "sipas", "--from", "2017-01-01", "--to", "2017-06-30")
    result = cli("report", "--agency", OWN, *h1, "--format", "sav", "--lang", "en", "-o", str(out))
    assert result.exit_code == 0, result.output
    frame, meta = pyreadstat.read_sav(str(out))
    assert len(frame) == Q1_RESPONSES
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["comment"] == SIPAS.item("comment").text.en
    result = cli("report", "--all", *h1, "--format", "sav", "-o", str(out))
    assert result.exit_code != 0 and "json, pdf or xlsx" in result.output
