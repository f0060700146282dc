"""Each conversion rule on its own small workbook: what converts, what is dropped with a
note, what is refused; every issue names its sheet, row and column."""

from __future__ import annotations

from typing import Any

import pytest

from surveyapp.definitions import parse_text
from surveyapp.xlsform import Conversion, convert_file
from tests.xlsform.conftest import MakeForm

HEAD = ["type", "name", "label", "relevant", "constraint", "required"]
#         A       B       C          D            E             F
YN = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]
YN += [["ab", "a", "A"], ["ab", "b", "B"]]


def convert(make_form: MakeForm, *rows: list[Any], choices: Any = YN) -> Conversion:
    return convert_file(make_form([HEAD, *rows], choices))


def issues(conversion: Conversion, *, fatal: bool | None = None) -> list[str]:
    return [
        f"{i.sheet}!{i.cell}: {i.message}"
        for i in conversion.issues
        if (fatal is None or i.fatal == fatal)
        and "form_title" not in i.message
        and "plain 'label' texts are taken" not in i.message  # tested on its own
    ]


def questions(conversion: Conversion) -> dict[str, dict[str, Any]]:
    return {q["key"]: q for s in conversion.definition["sections"] for q in s["questions"]}


ASK = ["text", "ask", "What?"]


@pytest.mark.parametrize(
    ("row", "note"),
    [
        (["calculate", "score", None],
         "calculate 'score' is dropped: the respondent never sees it"),
        (["hidden", "h", None], "hidden 'h' is dropped: the respondent never sees it"),
        *[
            ([meta, meta, None], f"{meta} '{meta}' is dropped: metadata an ODK client fills in; "
             "a web form has none")
            for meta in ("start", "end", "today", "deviceid", "username", "phonenumber", "email")
        ],
        (["geopoint", "where", "Where?"],
         "geopoint 'where' is dropped: a web form here cannot collect it"),
        (["image", "photo", "Photo"],
         "image 'photo' is dropped: a web form here cannot collect it"),
        (["barcode", "code", "Code"],
         "barcode 'code' is dropped: a web form here cannot collect it"),
        (["select_one_from_file towns.csv", "town", "Town"],
         "select_one_from_file towns.csv 'town' is dropped: its choices are in a separate file, "
         "not in the workbook"),
        (["select_one_external towns", "town", "Town"],
         "select_one_external towns 'town' is dropped: its choices are in a separate file, not "
         "in the workbook"),
        (["rank ab", "order", "Order"], "rank ab 'order' is dropped: ranking is not a question "
         "type here"),
        (["osm ab", "building", "Building"], "osm ab 'building' is dropped: an OpenStreetMap "
         "question needs an ODK client"),
    ],
)  # fmt: skip
def test_what_cannot_be_shown_is_dropped_with_a_note_naming_its_row(
    make_form: MakeForm, row: list[Any], note: str
) -> None:
    conversion = convert(make_form, row, ASK)
    assert conversion.errors == []
    assert issues(conversion) == [f"survey!A2: {note}"]
    assert list(questions(conversion)) == ["ask"]
    parse_text(conversion.yaml_text(), "form.yaml")


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("text", ("short_text", None)),
        ("string", ("short_text", None)),
        ("integer", ("number", True)),
        ("int", ("number", True)),
        ("decimal", ("number", None)),
        ("date", ("date", None)),
        ("select_one ab", ("single_choice", None)),
        ("select one ab", ("single_choice", None)),
        ("select1 ab", ("single_choice", None)),
        ("select_multiple ab", ("multiple_choice", None)),
        ("select multiple ab", ("multiple_choice", None)),
        ("select all that apply ab", ("multiple_choice", None)),
    ],
)
def test_type_aliases_are_accepted(make_form: MakeForm, kind: str, expected: tuple) -> None:
    conversion = convert(make_form, [kind, "q", "Question"])
    assert conversion.errors == []
    q = questions(conversion)["q"]
    assert (q["type"], q.get("integer")) == expected


@pytest.mark.parametrize("kind", ["select_one ab or_other", "select one from ab or specify other"])
def test_or_other_adds_the_other_choice_and_its_text_question(
    make_form: MakeForm, kind: str
) -> None:
    conversion = convert(
        make_form, [kind, "pick", "Pick one"], ["text", "t", "T", "${pick} = 'other'"]
    )
    assert conversion.errors == []
    got = questions(conversion)
    assert [o["key"] for o in got["pick"]["options"]] == ["a", "b", "other"]
    assert got["pick"]["options"][-1]["label"] == {"en": "Other"}
    assert got["pick_other"] == {
        "key": "pick_other", "type": "short_text", "text": {"en": "Please specify"},
        "show_if": {"question": "pick", "equals": "other"},
    }  # fmt: skip
    assert got["t"]["show_if"] == {"question": "pick", "equals": "other"}
    parse_text(conversion.yaml_text(), "form.yaml")


def test_a_range_becomes_a_bounded_number(make_form: MakeForm) -> None:
    survey = [["type", "name", "label", "parameters"], ["range", "r", "How much?", "start=0 end=5"]]
    conversion = convert_file(make_form(survey))
    q = questions(conversion)["r"]
    assert (q["type"], q["min"], q["max"], q["integer"]) == ("number", 0, 5, True)
    assert "survey!A2: range 'r' becomes a number from 0 to 5" in issues(conversion)


def test_a_note_row_becomes_the_text_of_the_section_after_it(make_form: MakeForm) -> None:
    conversion = convert(
        make_form,
        ["note", "hello", "Welcome to the survey"],
        ASK,
        ["note", "mid", "Now about the staff"],
        ["integer", "n", "How many?"],
        ["note", "bye", "Thank you"],
    )
    assert conversion.errors == []
    sections = conversion.definition["sections"]
    assert [(s.get("description"), [q["key"] for q in s["questions"]]) for s in sections] == [
        ({"en": "Welcome to the survey"}, ["ask"]),
        ({"en": "Now about the staff"}, ["n"]),
    ]
    assert issues(conversion) == [
        "survey!A2: note 'hello' is shown as text above the questions after it",
        "survey!A4: note 'mid' is shown as text above the questions after it",
        "survey!A6: note 'bye' is shown as text above the questions after it",
        "survey!A6: a note after the last question is dropped: no question follows to show it with",
    ]
    parse_text(conversion.yaml_text(), "form.yaml")


@pytest.mark.parametrize(
    ("kind", "constraint", "fields", "note"),
    [
        ("integer", ". >= 1 and . <= 9", {"min": 1, "max": 9}, None),
        ("integer", ". > 0 and . < 10", {"min": 1, "max": 9}, None),
        ("decimal", ". >= 0.5", {"min": 0.5}, None),
        ("text", "string-length(.) <= 20", {"max_length": 20}, None),
        ("text", "string-length(.) < 21", {"max_length": 20}, None),
        ("text", "regex(., '^[0-9]{10}$')", {}, "constraint 'regex(., '^[0-9]{10}$')' is not "
         "carried over: answers are not checked against it"),
        ("date", ". <= today()", {}, "constraint '. <= today()' is not carried over: answers "
         "are not checked against it"),
        ("integer", ". != 3", {}, "constraint '. != 3' is not carried over: answers are not "
         "checked against it"),
        ("text", "string-length(.) <= 5000", {}, "constraint 'string-length(.) <= 5000' is not "
         "carried over: answers are not checked against it"),
    ],
)  # fmt: skip
def test_a_constraint_becomes_bounds_where_it_can_else_a_note(
    make_form: MakeForm, kind: str, constraint: str, fields: dict, note: str | None
) -> None:
    conversion = convert(make_form, [kind, "q", "Question", None, constraint])
    assert conversion.errors == []
    q = questions(conversion)["q"]
    assert {k: q[k] for k in ("min", "max", "max_length") if k in q} == fields
    assert [n for n in issues(conversion) if "constraint" in n] == (
        [f"survey!E2: {note}"] if note else []
    )


def test_a_constraint_allowing_no_answer_is_refused(make_form: MakeForm) -> None:
    conversion = convert(make_form, ["integer", "q", "Q", None, ". >= 5 and . <= 1"])
    assert issues(conversion, fatal=True) == [
        "survey!E2: constraint '. >= 5 and . <= 1' allows no answer"
    ]


def test_a_conditional_required_is_kept_optional_with_a_note(make_form: MakeForm) -> None:
    conversion = convert(
        make_form, ["select_one yn", "v", "V"], ["text", "t", "T", None, None, "${v} = 'yes'"]
    )
    assert conversion.errors == []
    assert "required" not in questions(conversion)["t"]
    assert (
        "survey!F3: required '${v} = 'yes'' depends on other answers; the question is optional"
        in issues(conversion)
    )


def test_choice_filter_is_dropped_with_a_note(make_form: MakeForm) -> None:
    survey = [
        ["type", "name", "label", "choice_filter"],
        ["select_one ab", "first", "First"],
        ["select_one ab", "second", "Second", "name != ${first}"],
    ]
    conversion = convert_file(make_form(survey, YN))
    assert conversion.errors == []
    assert len(questions(conversion)["second"]["options"]) == 2
    assert (
        "survey!D3: choice_filter 'name != ${first}' is dropped: every choice of the list is "
        "offered" in issues(conversion)
    )


def test_a_repeat_is_dropped_with_its_rows_unless_a_condition_needs_them(
    make_form: MakeForm,
) -> None:
    rows = [
        ["begin repeat", "kids", "Children"],
        ["text", "kid_name", "Name"],
        ["select_one yn", "kid_school", "At school?"],
        ["end repeat"],
        ASK,
    ]
    conversion = convert(make_form, *rows)
    assert conversion.errors == []
    assert issues(conversion)[-1] == (
        "survey!A2: repeat 'kids' (rows 2-5) is dropped with its 2 row(s): a questionnaire "
        "here asks each question once"
    )
    assert list(questions(conversion)) == ["ask"]
    # A later question shown only after an answer inside the repeat cannot work.
    needs = convert(make_form, *rows, ["text", "why", "Why?", "${kid_school} = 'no'"])
    assert issues(needs, fatal=True) == [
        "survey!D7: relevant '${kid_school} = 'no'' refers to ${kid_school}, which is dropped "
        "(survey!A4: inside repeat 'kids'); the form cannot work without it"
    ]


def test_an_old_style_loop_is_dropped_like_a_repeat(make_form: MakeForm) -> None:
    conversion = convert(
        make_form, ["begin loop over ab", "each", None], ["integer", "n", "How many?"],
        ["end loop"], ASK,
    )  # fmt: skip
    assert conversion.errors == []
    assert list(questions(conversion)) == ["ask"]
    assert (
        "survey!A2: repeat 'each' (rows 2-4) is dropped with its 1 row(s)" in issues(conversion)[-1]
    )


def test_a_condition_on_a_dropped_geopoint_is_refused(make_form: MakeForm) -> None:
    conversion = convert(
        make_form, ["geopoint", "gps", "Where?"], ["text", "t", "T", "${gps} != ''"]
    )
    assert issues(conversion, fatal=True)[0].startswith("survey!D3: relevant '${gps} != ''' ")


# Conditions: a group's relevant AND its questions' own ------------------------------

GROUPED = [
    ["select_one yn", "visited", "Visited?"],  # 2
    ["begin group", "visit", "The visit", "${visited} = 'yes'"],  # 3
    ["select_one ab", "desk", "Which desk?"],  # 4
    ["integer", "wait", "Minutes waited", "${desk} = 'a'"],  # 5
    ["begin group", "inner", "More", "selected(${desk}, 'b')"],  # 6
    ["text", "why", "Why desk B?"],  # 7
    ["end group"],  # 8
    ["end group"],  # 9
]


def test_a_group_condition_is_combined_with_its_questions_own(make_form: MakeForm) -> None:
    conversion = convert(make_form, *GROUPED)
    assert conversion.errors == []
    shown = {k: q.get("show_if") for k, q in questions(conversion).items()}
    # desk is shown only when visited = yes, so "desk = a" implies both conditions.
    assert shown == {
        "visited": None,
        "desk": {"question": "visited", "equals": "yes"},
        "wait": {"question": "desk", "equals": "a"},
        "why": {"question": "desk", "equals": "b"},
    }
    q = parse_text(conversion.yaml_text(), "form.yaml")
    from surveyapp.definitions import coerce_answer, visible

    def seen(**raw: str) -> set[str]:
        answers = {k: coerce_answer(q.item(k), v) for k, v in raw.items()}
        return visible(q, answers)

    # The cascade gives exactly the AND of the XLSForm: wait needs visited = yes too.
    assert "wait" in seen(visited="yes", desk="a")
    assert "wait" not in seen(visited="no", desk="a")
    assert "why" in seen(visited="yes", desk="b")
    assert "why" not in seen(visited="no", desk="b")


def test_an_and_of_conditions_converts_when_one_implies_the_other(make_form: MakeForm) -> None:
    conversion = convert(
        make_form,
        ["select_one yn", "v", "V"],
        ["select_one ab", "w", "W", "${v} = 'yes'"],
        ["text", "t", "T", "${v} = 'yes' and (${w} = 'a')"],
    )
    assert conversion.errors == []
    assert questions(conversion)["t"]["show_if"] == {"question": "w", "equals": "a"}


@pytest.mark.parametrize(
    ("rows", "cell", "expression"),
    [
        (
            [["select_one yn", "v", "V"], ["select_one ab", "w", "W"],
             ["begin group", "g", "G", "${v} = 'yes'"], ["text", "t", "T", "${w} = 'a'"],
             ["end group"]],
            "D5", "${w} = 'a'",
        ),
        (
            [["select_one yn", "v", "V"], ["select_one ab", "w", "W"],
             ["text", "t", "T", "${v} = 'yes' and ${w} = 'a'"]],
            "D4", "${v} = 'yes' and ${w} = 'a'",
        ),
    ],
)  # fmt: skip
def test_conditions_that_cannot_be_combined_are_refused_with_the_expression(
    make_form: MakeForm, rows: list[list[Any]], cell: str, expression: str
) -> None:
    conversion = convert(make_form, *rows)
    [error] = issues(conversion, fatal=True)
    assert error.startswith(f"survey!{cell}: relevant '{expression}' of question 't' cannot be")


@pytest.mark.parametrize(
    "expression",
    ["${v} != 'yes'", "not(${v} = 'yes')", "count-selected(${v}) > 1", "${v} = 'yes' or 1"],
)
def test_expressions_beyond_show_if_are_refused_and_quoted(
    make_form: MakeForm, expression: str
) -> None:
    conversion = convert(make_form, ["select_one yn", "v", "V"], ["text", "t", "T", expression])
    assert issues(conversion, fatal=True) == [
        f"survey!D3: relevant '{expression}' is too complex to convert: show_if says only "
        "${q} = 'choice' or selected(${q}, 'choice'), joined by or (one question) or and"
    ]


# Languages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "languages"),
    [
        (["label::English (en)"], ["en"]),
        (["label::Vietnamese (vi)"], ["vi"]),
        (["label:English (en)"], ["en"]),  # pyxform's single colon
        (["label::English (en)", "label::French (fr)"], ["en"]),
        (["label::en", "label::vi"], None),  # both: the default, not written
    ],
)
def test_the_form_has_the_languages_of_its_label_columns(
    make_form: MakeForm, headers: list[str], languages: list[str] | None
) -> None:
    survey = [["type", "name", *headers], ["text", "t", *(["Text"] * len(headers))]]
    conversion = convert_file(make_form(survey))
    assert conversion.errors == []
    assert conversion.definition.get("languages") == languages
    q = parse_text(conversion.yaml_text(), "form.yaml")
    assert q.languages == tuple(languages or ("vi", "en"))


def test_the_settings_default_language_names_a_plain_label_language(make_form: MakeForm) -> None:
    settings = [["form_title", "default_language"], ["Khảo sát", "Vietnamese (vi)"]]
    survey = [["type", "name", "label"], ["text", "t", "Tell us"]]
    conversion = convert_file(make_form(survey, settings=settings))
    assert conversion.errors == []
    assert conversion.definition["languages"] == ["vi"]
    assert conversion.definition["title"] == {"vi": "Khảo sát"}
    assert conversion.definition["default_language"] == "vi"


def test_a_text_missing_in_one_of_two_languages_is_named_at_its_cell(
    make_form: MakeForm,
) -> None:
    survey = [["type", "name", "label::en", "label::vi"], ["text", "t", "Text", None]]
    conversion = convert_file(make_form(survey))
    assert issues(conversion, fatal=True) == [
        "survey!D2: question 't' has no Vietnamese (vi) translation (label::vi)"
    ]


def test_every_issue_names_its_sheet_row_and_column(make_form: MakeForm) -> None:
    conversion = convert(make_form, *GROUPED, ["calculate", "c", None], ["text", "x", "X", "1"])
    assert conversion.issues
    for issue in conversion.issues:
        if "form_title" in issue.message:
            continue  # the workbook has no settings sheet: no cell to name
        assert issue.sheet in ("survey", "choices"), issue
        assert issue.row is not None and issue.column, issue
        assert f"{issue.sheet}!{issue.column}{issue.row}" in str(issue)
