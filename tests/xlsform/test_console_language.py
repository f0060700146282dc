"""The console's XLSForm conversion report is in the admin's language; the CLI's stays English."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from flask import Flask

from surveyapp.errors import Problem
from surveyapp.xlsform import convert_file
from tests.admin.conftest import Staff, csrf, signed_in, staff  # noqa: F401 (fixture)
from tests.xlsform.conftest import MakeForm

SURVEY = [
    ["type", "name", "label", "constraint", "calculation"],
    ["select_one yes_no", "visited", "Did you visit the office?"],
    ["decimal", "rating", "Your rating", ". > 3"],
    ["text", "comments", "Any other comments?", "regex(., '^.{0,500}$')"],
    ["calculate", "done", None, None, "'yes'"],
]
CHOICES = [["list_name", "name", "label"], ["yes_no", "yes", "Yes"], ["yes_no", "no", "No"]]
SETTINGS = [["form_title", "form_id"], ["Office visit", "office_visit"]]

NOTES = {
    "vi": [
        "<td>survey</td><td>3</td><td>D</td><td>Ghi chú</td>"
        "<td><code>constraint '. > 3' không được chuyển sang: câu trả lời không được kiểm tra"
        " theo nó ('. > 3' trên số thập phân: chỉ chuyển được >=, <= và =)</code></td>",
        "<td>survey</td><td>4</td><td>D</td><td>Ghi chú</td>"
        "<td><code>constraint 'regex(., '^.{0,500}$')' không được chuyển sang: câu trả lời"
        " không được kiểm tra theo nó</code></td>",
        "<td>survey</td><td>5</td><td>A</td><td>Ghi chú</td>"
        "<td><code>calculate 'done' bị bỏ: người trả lời không bao giờ thấy nó</code></td>",
    ],
    "en": [
        "<td>survey</td><td>3</td><td>D</td><td>Note</td>"
        "<td><code>constraint '. > 3' is not carried over: answers are not checked against it"
        " ('. > 3' on a decimal: only >=, <= and = convert)</code></td>",
        "<td>survey</td><td>4</td><td>D</td><td>Note</td>"
        "<td><code>constraint 'regex(., '^.{0,500}$')' is not carried over: answers are not"
        " checked against it</code></td>",
        "<td>survey</td><td>5</td><td>A</td><td>Note</td>"
        "<td><code>calculate 'done' is dropped: the respondent never sees it</code></td>",
    ],
}


def _upload(app: Flask, email: str, path: Path, language: str, name: str) -> tuple[int, str]:
    client = signed_in(app, email, language=language)
    token = csrf(client, "/admin/questionnaires")
    with path.open("rb") as stream:
        response = client.post(
            "/admin/questionnaires/check",
            data={"csrf_token": token, "file": (stream, name)},
            content_type="multipart/form-data",
        )
    return response.status_code, html.unescape(response.text)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_conversion_notes_are_in_the_admins_language(
    app: Flask,
    staff: Staff,  # noqa: F811 (the fixture)
    make_form: MakeForm,
    language: str,
) -> None:
    path = make_form(SURVEY, CHOICES, SETTINGS)
    status, page = _upload(app, staff.admin, path, language, "office-visit.xlsx")
    assert status == 200, page[:800]
    for line in NOTES[language]:
        assert line in page
    other = NOTES["en" if language == "vi" else "vi"]
    assert not any(line.split("<code>")[1] in page for line in other)


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("vi", "office-visit.xlsx: không có sheet tên 'survey'"),
        ("en", "office-visit.xlsx: no sheet named 'survey'"),
    ],
)
def test_a_refused_workbook_names_the_upload_in_the_admins_language(
    app: Flask,
    staff: Staff,  # noqa: F811 (the fixture)
    tmp_path: Path,
    language: str,
    reason: str,
) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "questions"  # type: ignore[union-attr]
    path = tmp_path / "form.xlsx"
    workbook.save(path)
    status, page = _upload(app, staff.admin, path, language, "office-visit.xlsx")
    assert status == 422, page[:800]
    assert reason in page
    assert "upload.xlsx" not in page  # the temporary copy's name


def test_the_messages_stay_english_for_the_command_line(make_form: MakeForm) -> None:
    conversion = convert_file(make_form(SURVEY, CHOICES, SETTINGS))
    messages = [issue.message for issue in conversion.issues]
    assert all(isinstance(m, Problem) for m in messages)
    assert "calculate 'done' is dropped: the respondent never sees it" in messages
    assert any(
        str(issue).endswith("note: calculate 'done' is dropped: the respondent never sees it")
        for issue in conversion.issues
    )
