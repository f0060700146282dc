"""XLSForm → definition: a realistic bilingual form converts into a valid questionnaire."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from surveyapp.cli import cli
from surveyapp.definitions import check_text, parse_text
from surveyapp.xlsform import convert_file
from tests.xlsform.conftest import MakeForm

VI, EN = "label::Vietnamese (vi)", "label::English (en)"
SURVEY = [
    # A         B                 C       D       E (hint vi)        F (hint en)
    [
        "type",
        "name",
        VI,
        EN,
        "hint::Vietnamese (vi)",
        "hint::English (en)",
        # G        H           I             J
        "required",
        "relevant",
        "constraint",
        "appearance",
    ],
    ["start", "start"],
    ["note", "intro", "Xin chào", "Welcome"],
    ["begin group", "profile", "Thông tin chung", "About you"],
    ["select_one respondent", "respondent_type", "Ông/Bà là:", "You are:", None, None, "yes"],
    [
        "integer",
        "employees",
        "Số lao động",
        "Number of employees",
        "Cả chi nhánh",
        "Branches included",
        None,
        "${respondent_type} = 'business'",
        ". >= 0 and . <= 100000",
    ],
    ["end group"],
    ["begin_group", "service", "Dịch vụ", "The service"],
    [
        "select_multiple channels",
        "channels",
        "Kênh nộp hồ sơ",
        "How you applied",
        None,
        None,
        "TRUE",
    ],
    [
        "select_one scale5",
        "satisfaction",
        "Mức độ hài lòng",
        "Satisfaction",
        None,
        None,
        True,
        "selected(${channels}, 'web') or selected(${channels}, \"desk\")",
    ],
    [
        "decimal",
        "wait_hours",
        "Thời gian chờ (giờ)",
        "Waiting time (hours)",
        None,
        None,
        "no",
        "${satisfaction} = 1 or ${satisfaction} = '2'",
        ". >= 0 and . <= 72.5",
    ],
    ["date", "visit_date", "Ngày nộp hồ sơ", "Date of application"],
    ["end_group"],
    [
        "text",
        "comment",
        "Góp ý",
        "Comments",
        None,
        None,
        None,
        None,
        "string-length(.) <= 500",
        "multiline",
    ],
    ["text", "Job-Title", "Nghề nghiệp", "Occupation"],
]
CHOICES = [
    ["list_name", "name", VI, EN],
    ["respondent", "business", "Tổ chức, doanh nghiệp", "A business"],
    ["respondent", "citizen", "Người dân", "A citizen"],
    ["channels", "web", "Trực tuyến", "Online"],
    ["channels", "desk", "Bộ phận một cửa", "One-stop shop"],
    ["channels", "post", "Bưu chính", "Post"],
    *[["scale5", n, f"Mức {n}", f"Level {n}"] for n in range(1, 6)],
]
SETTINGS = [
    ["form_title::Vietnamese (vi)", "form_title::English (en)", "form_id", "default_language"],
    ["Khảo sát mức độ hài lòng", "Satisfaction survey", "SIPAS_2024", "English (en)"],
]


def questions(definition: dict) -> dict[str, dict]:
    return {q["key"]: q for s in definition["sections"] for q in s["questions"]}


def test_a_bilingual_form_becomes_a_valid_definition(make_form: MakeForm) -> None:
    conversion = convert_file(make_form(SURVEY, CHOICES, SETTINGS))
    assert conversion.errors == []
    text = conversion.yaml_text()
    questionnaire = parse_text(text, f"{conversion.slug}.yaml")  # raises on any problem
    assert conversion.slug == "sipas_2024" == questionnaire.slug
    data = yaml.safe_load(text)
    assert data["title"] == {"vi": "Khảo sát mức độ hài lòng", "en": "Satisfaction survey"}
    assert data["default_language"] == "en"
    assert [(s["key"], s["kind"]) for s in data["sections"]] == [
        ("profile", "general"),
        ("service", "general"),
        ("questions", "general"),
    ]
    assert data["sections"][1]["title"] == {"vi": "Dịch vụ", "en": "The service"}
    # The note row is display text: the description of the section after it.
    assert data["sections"][0]["description"] == {"vi": "Xin chào", "en": "Welcome"}
    assert "languages" not in data  # bilingual: both, the default
    got = questions(data)
    assert list(got) == [
        "respondent_type", "employees", "channels", "satisfaction", "wait_hours",
        "visit_date", "comment", "job_title",
    ]  # fmt: skip
    assert got["respondent_type"] == {
        "key": "respondent_type",
        "type": "single_choice",
        "text": {"vi": "Ông/Bà là:", "en": "You are:"},
        "required": True,
        "options": [
            {"key": "business", "label": {"vi": "Tổ chức, doanh nghiệp", "en": "A business"}},
            {"key": "citizen", "label": {"vi": "Người dân", "en": "A citizen"}},
        ],
    }
    employees = got["employees"]
    assert employees["help"] == {"vi": "Cả chi nhánh", "en": "Branches included"}
    assert employees["show_if"] == {"question": "respondent_type", "equals": "business"}
    assert (employees["type"], employees["min"], employees["max"]) == ("number", 0, 100000)
    assert employees["integer"] is True and "required" not in employees
    assert got["channels"]["type"] == "multiple_choice" and got["channels"]["required"] is True
    satisfaction = got["satisfaction"]
    assert [o["key"] for o in satisfaction["options"]] == ["v1", "v2", "v3", "v4", "v5"]
    assert satisfaction["show_if"] == {"question": "channels", "in": ["web", "desk"]}
    wait = got["wait_hours"]
    assert wait["show_if"] == {"question": "satisfaction", "in": ["v1", "v2"]}
    assert (wait["min"], wait["max"], "integer" in wait) == (0, 72.5, False)
    assert got["visit_date"]["type"] == "date"
    assert got["comment"] == {
        "key": "comment",
        "type": "long_text",
        "text": {"vi": "Góp ý", "en": "Comments"},
        "max_length": 500,
    }
    assert got["job_title"]["type"] == "short_text"
    notes = [str(i) for i in conversion.issues]
    assert all(": note: " in n for n in notes), notes
    for expected in (
        "form.xlsx:survey!A2: note: start 'start' is dropped: metadata an ODK client fills "
        "in; a web form has none",
        "form.xlsx:survey!A3: note: note 'intro' is shown as text above the questions after it",
        "form.xlsx:survey!B15: note: 'Job-Title' became key 'job_title'",
        "form.xlsx:choices!B7: note: choice names of list 'scale5' became option keys: 1 → v1,",
    ):
        assert any(n.endswith(expected) or expected in n for n in notes), (expected, notes)


def test_the_command_writes_a_file_that_check_accepts(make_form: MakeForm, tmp_path: Path) -> None:
    source = make_form(SURVEY, CHOICES, SETTINGS)
    out = tmp_path / "sipas_2024.yaml"
    runner = CliRunner()
    result = runner.invoke(cli, ["questionnaires", "import-xlsform", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "note: note 'intro' is shown as text above the questions after it" in result.stderr
    checked = runner.invoke(cli, ["questionnaires", "check", str(out)])
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.strip() == f"{out}: ok"
    assert out.read_text(encoding="utf-8").startswith("# Converted from the XLSForm form.xlsx\n")


def test_without_output_the_yaml_goes_to_stdout_with_the_slug(make_form: MakeForm) -> None:
    source = make_form(SURVEY, CHOICES, SETTINGS)
    result = CliRunner().invoke(cli, ["questionnaires", "import-xlsform", str(source)])
    assert result.exit_code == 0, result.output
    assert check_text(result.stdout, "sipas_2024.yaml") == []
    assert "questionnaires/sipas_2024.yaml" in result.stderr


def test_an_invalid_output_name_is_refused(make_form: MakeForm, tmp_path: Path) -> None:
    source = make_form(SURVEY, CHOICES, SETTINGS)
    out = tmp_path / "Bad Name.yaml"
    result = CliRunner().invoke(
        cli, ["questionnaires", "import-xlsform", str(source), "-o", str(out)]
    )
    assert result.exit_code == 1
    assert "not a valid definition file name" in result.stderr
    assert not out.exists()


def test_a_question_named_like_a_fixed_column_gets_another_key(make_form: MakeForm) -> None:
    survey = [
        ["type", "name", "label::vi", "label::en", "relevant"],
        ["select_one how", "channel", "Kênh", "Channel", ""],
        ["integer", "agency", "Số lần", "Visits", "${channel} = 'web'"],
    ]
    choices = [["list_name", "name", "label::vi", "label::en"], *HOW]
    conversion = convert_file(make_form(survey, choices))
    assert conversion.errors == []
    got = questions(conversion.definition)
    assert set(got) == {"q_channel", "q_agency"}
    assert got["q_agency"]["show_if"] == {"question": "q_channel", "equals": "web"}
    notes = [str(i).rpartition("/")[2] for i in conversion.issues]
    assert "form.xlsx:survey!B2: note: 'channel' became key 'q_channel'" in notes
    assert "form.xlsx:survey!B3: note: 'agency' became key 'q_agency'" in notes


HOW = [["how", "web", "Trực tuyến", "Online"], ["how", "desk", "Tại quầy", "At the desk"]]


def test_short_language_columns(make_form: MakeForm) -> None:
    survey = [
        ["type", "name", "label::vi", "label::en", "hint::vi", "hint::en"],
        ["integer", "age", "Tuổi", "Age", "Số năm", "Years"],
    ]
    conversion = convert_file(make_form(survey))
    assert conversion.errors == []
    age = questions(conversion.definition)["age"]
    assert age["text"] == {"vi": "Tuổi", "en": "Age"}
    assert age["help"] == {"vi": "Số năm", "en": "Years"}
    assert age["integer"] is True and "min" not in age
    # No settings sheet: the title and slug come from the file name, with a note.
    assert conversion.slug == "form"
    assert conversion.definition["title"] == {"vi": "form", "en": "form"}
    assert [str(i) for i in conversion.issues] == [
        f"{conversion.issues[0].file}:settings: note: no form_title; the title is 'form'"
    ]


def test_a_plain_label_makes_a_one_language_form_with_a_note(make_form: MakeForm) -> None:
    survey = [
        ["type", "name", "label"],
        ["select_one yn", "visited", "Đã đến?"],
        ["integer", "times", "Số lần"],
    ]
    choices = [
        ["list name", "name", "label"],
        ["yn", "yes", "Có"],
        ["yn", "no", "Không"],
    ]
    conversion = convert_file(make_form(survey, choices))
    assert conversion.errors == []
    assert conversion.definition["languages"] == ["vi"]  # from its letters
    visited = questions(conversion.definition)["visited"]
    assert visited["text"] == {"vi": "Đã đến?"}
    assert [o["key"] for o in visited["options"]] == ["yes", "no"]  # strings, not booleans
    assert parse_text(conversion.yaml_text(), "form.yaml").item("visited").options[0].key == "yes"
    notes = [f"{i.sheet}!{i.cell}: {i.message}" for i in conversion.issues if "plain" in i.message]
    assert notes == [
        "survey!C1: the plain 'label' texts are taken as Vietnamese (vi) (from its letters; "
        "set default_language in the settings sheet to choose): a one-language questionnaire"
    ]


def test_strict_integer_bounds_and_equality(make_form: MakeForm) -> None:
    survey = [
        ["type", "name", VI, EN, "constraint"],
        ["integer", "a", "A", "A", ". > 0 and . < 10"],
        ["integer", "b", "B", "B", ". = 3"],
    ]
    got = questions(convert_file(make_form(survey)).definition)
    assert (got["a"]["min"], got["a"]["max"]) == (1, 9)
    assert (got["b"]["min"], got["b"]["max"]) == (3, 3)


def test_nested_groups_and_a_group_condition(make_form: MakeForm) -> None:
    survey = [
        ["type", "name", "label::vi", "label::en", "relevant"],
        ["select_one yn", "visited", "Đã đến?", "Visited?"],
        ["begin group", "visit", "Lần đến", "The visit", "${visited} = 'yes'"],
        ["integer", "times", "Số lần", "Times"],
        ["begin group", "staff", "Công chức", "Staff"],
        ["select_one yn", "polite", "Lịch sự?", "Polite?"],
        ["end group"],
        ["date", "last", "Lần cuối", "Last visit"],
        ["end group"],
        ["text", "comment", "Góp ý", "Comments"],
    ]
    choices = [
        ["list_name", "name", "label::vi", "label::en"],
        ["yn", "yes", "Có", "Yes"],
        ["yn", "no", "Không", "No"],
    ]
    conversion = convert_file(make_form(survey, choices))
    assert conversion.errors == []
    sections = conversion.definition["sections"]
    assert [(s["key"], s["title"]["en"], [q["key"] for q in s["questions"]]) for s in sections] == [
        ("questions", "Questions", ["visited"]),
        ("visit", "The visit", ["times"]),
        ("staff", "Staff", ["polite"]),
        ("visit_2", "The visit", ["last"]),
        ("questions_2", "Questions", ["comment"]),
    ]
    shown = {q["key"]: q.get("show_if") for s in sections for q in s["questions"]}
    condition = {"question": "visited", "equals": "yes"}
    assert shown == {
        "visited": None, "times": condition, "polite": condition, "last": condition,
        "comment": None,
    }  # fmt: skip
    parse_text(conversion.yaml_text(), "form.yaml")
