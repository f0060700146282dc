"""The console shows the XLSForm conversion report before the admin saves anything."""

from __future__ import annotations

import html
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.models import QuestionnaireVersion
from tests.admin.conftest import Staff, csrf, signed_in, staff  # noqa: F401 (fixture)
from tests.xlsform.conftest import MakeForm
from tests.xlsform.test_odk_form import CHOICES, SETTINGS, SURVEY


def _versions(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(QuestionnaireVersion.id))) or 0


def _upload(app: Flask, email: str, path: Path, *, lang: str = "en") -> tuple[int, str]:
    client = signed_in(app, email)
    token = csrf(client, "/admin/questionnaires")
    with path.open("rb") as stream:
        response = client.post(
            f"/admin/questionnaires/check?lang={lang}",
            data={"csrf_token": token, "file": (stream, "office-visit.xlsx")},
            content_type="multipart/form-data",
        )
    return response.status_code, html.unescape(response.text)


def test_the_notes_are_shown_by_sheet_row_and_column_before_publishing(
    app: Flask,
    db: Database,
    staff: Staff,  # noqa: F811 (the fixture)
    make_form: MakeForm,
) -> None:
    status, page = _upload(app, staff.admin, make_form(SURVEY, CHOICES, SETTINGS))
    assert status == 200, page[:800]
    assert 'id="publish"' in page and 'id="xlsform-report"' in page
    assert (
        "<td>survey</td><td>11</td><td>A</td><td>Note</td>"
        "<td><code>calculate 'age_group' is dropped: the respondent never sees it</code></td>"
    ) in page
    assert "<td>survey</td><td>23</td><td>G</td><td>Note</td>" in page
    assert _versions(db) == 0  # nothing stored until Publish


def test_the_errors_and_notes_are_shown_when_the_workbook_is_refused(
    app: Flask,
    db: Database,
    staff: Staff,  # noqa: F811 (the fixture)
    make_form: MakeForm,
) -> None:
    survey = [*SURVEY, ["text", "late", "Later", None, None, "${nowhere} = 'x'"]]
    status, page = _upload(app, staff.admin, make_form(survey, CHOICES, SETTINGS))
    assert status == 422
    assert 'id="publish"' not in page
    assert "1 problem(s) in the workbook could not be converted; nothing was stored." in page
    assert (
        "<td>survey</td><td>25</td><td>F</td><td>Error</td>"
        "<td><code>relevant '${nowhere} = 'x'' refers to ${nowhere}, not an earlier question"
    ) in page
    assert "<td>Note</td><td><code>calculate 'age_group' is dropped" in page
    assert _versions(db) == 0


def test_the_report_speaks_vietnamese_by_default(
    app: Flask,
    staff: Staff,  # noqa: F811 (the fixture)
    make_form: MakeForm,
) -> None:
    status, page = _upload(app, staff.admin, make_form(SURVEY, CHOICES, SETTINGS), lang="vi")
    assert status == 200
    assert "Báo cáo chuyển đổi" in page and "<td>Ghi chú</td>" in page
