"""What cannot be converted is reported as FILE:sheet!CELL: message, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from surveyapp.cli import cli
from surveyapp.xlsform import convert_file
from tests.xlsform.conftest import MakeForm

VI, EN = "label::Vietnamese (vi)", "label::English (en)"
HEAD = ["type", "name", VI, EN, "required", "relevant", "constraint", "choice_filter"]
#         A       B      C   D       E          F            G              H
CHOICES = [
    ["list_name", "name", VI, EN],
    ["yn", "yes", "Có", "Yes"],
    ["yn", "no", "Không", None],  # D3: English missing
    ["many", "a", "A", "A"],
    ["many", "b", "B", "B"],
]
ROWS = [
    ["select_one yn", "visited", "Đã đến?", "Visited?"],  # 2
    ["text", "name_only", "Họ tên", None],  # 3: D3 English missing
    ["calculate", "score", None, None],  # 4
    ["geopoint", "where", "Vị trí", "Location"],  # 5
    ["integer", "n", "Số", "Number", None, "${visited} = 'yes' and ${x} = 'y'"],  # 6
    ["integer", "m", "Số", "Number", None, "${later} = 'yes'"],  # 7
    ["integer", "k", "Số", "Number", None, "${n} = 3"],  # 8
    ["date", "d", "Ngày", "Date", None, None, ". <= today()"],  # 9
    ["text", "t", "Chữ", "Text", None, None, "regex(., '^[0-9]+$')"],  # 10
    ["select_one yn or_other", "o", "Chọn", "Pick"],  # 11
    ["select_one nolist", "p", "Chọn", "Pick"],  # 12
    ["integer", "r", "Số", "Number", "${visited} = 'yes'"],  # 13
    ["select_one yn", "f", "Chọn", "Pick", None, None, None, "yes"],  # 14
    ["select_multiple many", "sm", "Chọn", "Pick"],  # 15
    ["integer", "eq", "Số", "Number", None, "${sm} = 'a'"],  # 16
    ["integer", "nv", "Số", "Number", None, "${visited} = 'maybe'"],  # 17
    ["decimal", "dx", "Số", "Number", None, None, ". > 0"],  # 18
    ["begin repeat", "kids", "Con", "Children"],  # 19
    ["end repeat"],  # 20
    ["begin group", "g", "Nhóm", None],  # 21: D21 English missing
    ["text", "later", "Sau", "Later"],  # 22
    # 23: end group missing
]
EXPECTED = [
    "survey!D3: question 'name_only' has no English (en) translation (label::en)",
    "survey!F6: relevant '${visited} = 'yes' and ${x} = 'y'' refers to ${x}, not an earlier "
    "question",
    "survey!F7: relevant '${later} = 'yes'' refers to ${later}, not an earlier question",
    "survey!F8: relevant '${n} = 3' refers to ${n} (number); only select_one and "
    "select_multiple questions can be conditions",
    "survey!A12: list 'nolist' is not in the choices sheet",
    "survey!F16: use selected(${sm}, 'a') for a select_multiple",
    "survey!F17: 'maybe' is not a choice of ${visited}",
    "survey!A21: group 'g' has no end",
    "survey!D21: group 'g' has no English (en) translation (label::en)",
    "choices!D3: choice 'no' of list 'yn' has no English (en) translation (label::en)",
]
#: What the respondent never sees, or a web form cannot ask, is left out with a note.
NOTES = [
    "survey!A4: calculate 'score' is dropped: the respondent never sees it",
    "survey!A5: geopoint 'where' is dropped: a web form here cannot collect it",
    "survey!G9: constraint '. <= today()' is not carried over: answers are not checked against it",
    "survey!G10: constraint 'regex(., '^[0-9]+$')' is not carried over: answers are not "
    "checked against it",
    "survey!A11: or_other: choice 'other' and question 'o_other' (shown when 'other' is "
    "chosen) are added",
    "survey!E13: required '${visited} = 'yes'' depends on other answers; the question is optional",
    "survey!H14: choice_filter 'yes' is dropped: every choice of the list is offered",
    "survey!G18: constraint '. > 0' is not carried over: answers are not checked against it "
    "('. > 0' on a decimal: only >=, <= and = convert)",
    "survey!A19: repeat 'kids' (rows 19-20) is dropped with its 0 row(s): a questionnaire "
    "here asks each question once",
    "settings!: no form_title; the title is 'broken'",
]


@pytest.fixture
def broken(make_form: MakeForm) -> Path:
    return make_form([HEAD, *ROWS], CHOICES, name="broken.xlsx")


def test_every_unsupported_construct_is_reported_at_its_cell(broken: Path) -> None:
    conversion = convert_file(broken)
    errors = [f"{i.sheet}!{i.cell}: {i.message}" for i in conversion.errors]
    assert errors == EXPECTED  # in the order of the sheets, rows and columns
    notes = [f"{i.sheet}!{i.cell}: {i.message}" for i in conversion.issues if not i.fatal]
    assert notes == NOTES
    assert all(str(i).startswith(f"{broken}:") for i in conversion.issues)


def test_the_command_fails_and_writes_nothing(broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "broken.yaml"
    result = CliRunner().invoke(
        cli, ["questionnaires", "import-xlsform", str(broken), "-o", str(out)]
    )
    assert result.exit_code == 1
    assert f"{broken}:survey!A12: list 'nolist' is not in the choices sheet\n" in result.stderr
    assert f"{broken}:survey!A4: note: calculate 'score' is dropped" in result.stderr
    assert (
        f"{len(EXPECTED)} problem(s) could not be converted; nothing was written" in result.stderr
    )
    assert result.stdout == ""
    assert not out.exists()


@pytest.mark.parametrize(
    ("settings", "cell", "message"),
    [
        (
            [["form_title::vi", "form_id"], ["Khảo sát", "x"]],
            "A2",
            "the form has no English (en) translation (form_title::en)",
        ),
    ],
)
def test_settings_problems(
    make_form: MakeForm, settings: list[list[str]], cell: str, message: str
) -> None:
    survey = [["type", "name", "label::vi", "label::en"], ["text", "t", "Chữ", "Text"]]
    conversion = convert_file(make_form(survey, settings=settings))
    assert [(i.sheet, i.cell, i.message) for i in conversion.errors] == [
        ("settings", cell, message)
    ]


def test_a_duplicate_name_and_a_choice_key_collision(make_form: MakeForm) -> None:
    survey = [
        ["type", "name", "label::vi", "label::en"],
        ["text", "a", "A", "A"],
        ["text", "a", "A", "A"],
        ["select_one l", "b", "B", "B"],
    ]
    choices = [
        ["list_name", "name", "label::vi", "label::en"],
        ["l", "x-1", "X", "X"],
        ["l", "X_1", "Y", "Y"],
        ["l", "z", "Z", "Z"],
    ]
    conversion = convert_file(make_form(survey, choices))
    assert [f"{i.sheet}!{i.cell}: {i.message}" for i in conversion.errors] == [
        "survey!B3: name 'a' is used twice",
        "choices!B3: choice 'X_1' of list 'l' repeats an earlier choice (as option key 'x_1')",
    ]
