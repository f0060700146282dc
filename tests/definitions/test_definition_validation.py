"""Every definition problem is reported with its exact position and message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from surveyapp.definitions import Questionnaire, parse_text
from tests.definitions.definition_helpers import HEAD, make

Check = Callable[..., list[str]]
TYPES = (
    "likert, likert_grid, single_choice, multiple_choice, rating, number, date, "
    "short_text, long_text"
)
KEY_RULE = "use 1-63 lowercase ASCII letters, digits and '_', starting with a letter"
CHOICE_Q1 = """
- key: q1
  type: single_choice
  text: {vi: a, en: b}
  options:
    - {key: yes, label: {vi: Có, en: Yes}}
    - {key: no, label: {vi: Không, en: No}}
"""


def test_unknown_question_type(check: Check) -> None:
    text = make(
        """
        - key: q1
          type: likret
          text: {vi: a, en: b}
        """
    )
    assert check(text) == [
        f"q.yaml:13:15: unknown question type 'likret' (did you mean 'likert'?); "
        f"expected one of {TYPES}"
    ]


def test_unknown_field_is_reported_at_the_key_with_a_suggestion(check: Check) -> None:
    text = make(
        """
        - key: q1
          type: likert
          scale: s3
          txt: {vi: a, en: b}
        """
    )
    assert check(text) == [
        "q.yaml:12:9: question 'q1' is missing required field 'text'",
        "q.yaml:15:9: unknown field 'txt' in question 'q1' (did you mean 'text'?)",
    ]


def test_field_of_another_type_is_unknown(check: Check) -> None:
    text = make(
        """
        - key: q1
          type: short_text
          scale: s3
          text: {vi: a, en: b}
        """
    )
    assert check(text) == ["q.yaml:14:9: unknown field 'scale' in question 'q1'"]


def test_missing_required_field(check: Check) -> None:
    text = make(
        """
        - key: q1
          type: likert
          text: {vi: a, en: b}
        """
    )
    assert check(text) == ["q.yaml:12:9: question 'q1' is missing required field 'scale'"]


def test_missing_required_top_level_fields(check: Check) -> None:
    assert check("format: 1\n") == [
        "q.yaml:1:1: the questionnaire is missing required field 'title'",
        "q.yaml:1:1: the questionnaire is missing required field 'sections'",
    ]


def test_missing_translation_in_flow_mapping(check: Check) -> None:
    text = make(
        """
        - key: q1
          type: likert
          scale: s3
          text: {vi: "Câu hỏi"}
        """
    )
    assert check(text) == ["q.yaml:15:15: text of question 'q1' is missing the 'en' translation"]


def test_missing_translation_in_block_mapping(check: Check) -> None:
    text = make(
        """
        - key: q1
          type: likert
          scale: s3
          text:
            en: Question
        """
    )
    assert check(text) == ["q.yaml:16:11: text of question 'q1' is missing the 'vi' translation"]


def test_empty_translation_and_unknown_language(check: Check) -> None:
    text = make(
        """
        - key: q1
          type: likert
          scale: s3
          text: {vi: "", en: Question, fr: Question}
        """
    )
    assert check(text) == [
        "q.yaml:15:20: 'vi' translation of text of question 'q1' must not be empty",
        "q.yaml:15:38: unknown language 'fr' in text of question 'q1'; use 'vi' and 'en'",
    ]


def test_missing_translation_of_an_option_label(check: Check) -> None:
    text = make(
        """
        - key: q1
          type: single_choice
          text: {vi: a, en: b}
          options:
            - {key: a, label: {vi: A}}
            - {key: b, label: {vi: B, en: B}}
        """
    )
    assert check(text) == ["q.yaml:16:29: label of option 'a' is missing the 'en' translation"]


def test_duplicate_question_key(check: Check) -> None:
    text = make(
        """
        - key: q1
          type: likert
          scale: s3
          text: {vi: a, en: b}
        - key: q1
          type: rating
          text: {vi: a, en: b}
        """
    )
    assert check(text) == ["q.yaml:16:14: duplicate question key 'q1' (first used at line 12)"]


RESERVED = (
    "is reserved: the raw-data exports and the paper-form import have a column of that "
    "name (agency, channel, response_id, submitted_at); choose another key"
)


def test_question_and_grid_item_keys_may_not_take_a_fixed_column_name(check: Check) -> None:
    text = make(
        """
        - key: channel
          type: rating
          text: {vi: a, en: b}
        - key: grid
          type: likert_grid
          scale: s3
          text: {vi: a, en: b}
          items:
            - {key: agency, text: {vi: a, en: b}}
            - {key: submitted_at, text: {vi: a, en: b}}
        - key: response_id
          type: short_text
          text: {vi: a, en: b}
        """
    )
    assert check(text) == [
        f"q.yaml:12:14: question key 'channel' {RESERVED}",
        f"q.yaml:20:19: question key 'agency' {RESERVED}",
        f"q.yaml:21:19: question key 'submitted_at' {RESERVED}",
        f"q.yaml:22:14: question key 'response_id' {RESERVED}",
    ]


def test_a_stored_version_keeps_a_reserved_key() -> None:
    """Versions stored before the rule still read back (their answers stay reportable)."""
    stored = parse_text(make(CHOICE_Q1), "q.yaml").to_dict()
    stored["sections"][0]["questions"][0]["key"] = "channel"
    assert Questionnaire.from_dict(stored).item("channel").option_keys == ("yes", "no")


def test_grid_item_keys_share_the_namespace_of_question_keys(check: Check) -> None:
    text = make(
        """
        - key: q1
          type: likert
          scale: s3
          text: {vi: a, en: b}
        - key: grid
          type: likert_grid
          scale: s3
          text: {vi: a, en: b}
          items:
            - {key: g1, text: {vi: a, en: b}}
            - {key: q1, text: {vi: a, en: b}}
            - {key: g1, text: {vi: a, en: b}}
        """
    )
    assert check(text) == [
        "q.yaml:22:19: duplicate question key 'q1' (first used at line 12)",
        "q.yaml:23:19: duplicate question key 'g1' (first used at line 21)",
    ]


def test_duplicate_option_key(check: Check) -> None:
    text = make(
        """
        - key: q1
          type: multiple_choice
          text: {vi: a, en: b}
          options:
            - {key: a, label: {vi: A, en: A}}
            - {key: a, label: {vi: B, en: B}}
        """
    )
    assert check(text) == [
        "q.yaml:17:19: duplicate option key 'a' in question 'q1' (first used at line 16)"
    ]


def test_too_few_options(check: Check) -> None:
    text = make(
        """
        - key: q1
          type: single_choice
          text: {vi: a, en: b}
          options: [{key: a, label: {vi: A, en: A}}]
        """
    )
    assert check(text) == ["q.yaml:15:18: options of question 'q1' must list at least 2 options"]


@pytest.mark.parametrize(
    ("key", "column"),
    [("Access Info", 14), ("1abc", 14), ("a-b", 14), ("é", 14), ("a" * 64, 14), ("_a", 14)],
)
def test_invalid_question_key(check: Check, key: str, column: int) -> None:
    text = make(
        f"""
        - key: "{key}"
          type: rating
          text: {{vi: a, en: b}}
        """
    )
    assert check(text) == [f"q.yaml:12:{column}: {key!r} is not a valid question key: {KEY_RULE}"]


def test_longest_valid_key_is_63_characters(check: Check) -> None:
    text = make(
        f"""
        - key: {"a" * 63}
          type: rating
          text: {{vi: a, en: b}}
        """
    )
    assert check(text) == []


def test_invalid_section_option_and_scale_keys(check: Check) -> None:
    text = (
        "format: 1\ntitle: {vi: a, en: b}\nscales:\n  Bad:\n"
        "    - {value: 1, label: {vi: a, en: a}}\n    - {value: 2, label: {vi: b, en: b}}\n"
        "sections:\n  - key: Main\n    title: {vi: a, en: b}\n    questions:\n"
        "      - key: q\n        type: single_choice\n        text: {vi: a, en: b}\n"
        "        options:\n          - {key: A, label: {vi: a, en: a}}\n"
        "          - {key: b, label: {vi: b, en: b}}\n"
    )
    assert check(text) == [
        f"q.yaml:4:3: 'Bad' is not a valid scale name: {KEY_RULE}",
        f"q.yaml:8:10: 'Main' is not a valid section key: {KEY_RULE}",
        f"q.yaml:15:19: 'A' is not a valid option key: {KEY_RULE}",
    ]


def _show_if(condition: str, target: str = CHOICE_Q1) -> str:
    return make(
        target.strip("\n")
        + f"""
- key: q2
  type: likert
  scale: s3
  text: {{vi: a, en: b}}
  show_if: {condition}
- key: q3
  type: number
  text: {{vi: a, en: b}}
"""
    )


def test_show_if_valid() -> None:
    from surveyapp.definitions import parse_text

    q = parse_text(_show_if("{question: q1, in: [yes, no]}"), "q.yaml")
    condition = q.item("q2").show_if
    assert condition is not None
    assert (condition.question, condition.values, condition.operator) == ("q1", ("yes", "no"), "in")


def test_show_if_unknown_question(check: Check) -> None:
    assert check(_show_if("{question: nope, equals: yes}")) == [
        "q.yaml:22:29: show_if of 'q2' refers to unknown question 'nope'"
    ]


def test_show_if_unknown_question_suggests(check: Check) -> None:
    assert check(_show_if("{question: q11, equals: yes}")) == [
        "q.yaml:22:29: show_if of 'q2' refers to unknown question 'q11' (did you mean 'q1'?)"
    ]


def test_show_if_later_question(check: Check) -> None:
    assert check(_show_if("{question: q3, equals: 1}")) == [
        "q.yaml:22:29: show_if of 'q2' refers to 'q3', which comes later; "
        "a condition may only refer to an earlier question"
    ]


def test_show_if_itself(check: Check) -> None:
    assert check(_show_if("{question: q2, equals: 1}")) == [
        "q.yaml:22:29: show_if of 'q2' refers to the question itself"
    ]


def test_show_if_value_not_an_option(check: Check) -> None:
    assert check(_show_if("{question: q1, equals: maybe}")) == [
        "q.yaml:22:41: show_if of 'q2': 'maybe' is not an option of 'q1' (expected one of: yes, no)"
    ]


def test_show_if_in_list_reports_each_bad_value(check: Check) -> None:
    assert check(_show_if("{question: q1, in: [maybe, yes, never]}")) == [
        "q.yaml:22:38: show_if of 'q2': 'maybe' is not an option of 'q1' "
        "(expected one of: yes, no)",
        "q.yaml:22:50: show_if of 'q2': 'never' is not an option of 'q1' "
        "(expected one of: yes, no)",
    ]


def test_show_if_on_likert_uses_scale_values(check: Check) -> None:
    target = "- {key: q1, type: likert, scale: s3, text: {vi: a, en: b}}\n"
    assert check(_show_if("{question: q1, in: [2, 3]}", target)) == []
    assert check(_show_if("{question: q1, equals: 4}", target)) == [
        "q.yaml:17:41: show_if of 'q2': 4 is not an option of 'q1' (expected one of: 1, 2, 3)"
    ]


def test_show_if_on_a_number_question_is_refused(check: Check) -> None:
    target = "- {key: q1, type: number, text: {vi: a, en: b}}\n"
    assert check(_show_if("{question: q1, equals: 1}", target)) == [
        "q.yaml:17:29: show_if of 'q2' refers to number question 'q1'; conditions can only test "
        "likert, rating, single_choice or multiple_choice answers"
    ]


def test_show_if_needs_exactly_one_operator(check: Check) -> None:
    assert check(_show_if("{question: q1, equals: yes, in: [no]}")) == [
        "q.yaml:22:18: show_if of question 'q2' needs exactly one of 'equals' or 'in'"
    ]
    assert check(_show_if("{question: q1}")) == [
        "q.yaml:22:18: show_if of question 'q2' needs exactly one of 'equals' or 'in'"
    ]


def test_show_if_of_a_grid_may_not_refer_to_its_own_item(check: Check) -> None:
    text = make(
        """
        - key: grid
          type: likert_grid
          scale: s3
          text: {vi: a, en: b}
          show_if: {question: g2, equals: 1}
          items:
            - {key: g1, text: {vi: a, en: b}}
            - {key: g2, text: {vi: a, en: b}}
        """
    )
    assert check(text) == ["q.yaml:16:29: show_if of 'grid' refers to the question itself"]


def test_min_greater_than_max(check: Check) -> None:
    text = make(
        """
        - key: n
          type: number
          text: {vi: a, en: b}
          min: 10
          max: 5.5
        """
    )
    assert check(text) == ["q.yaml:15:14: min (10) is greater than max (5.5) in question 'n'"]


def test_number_bounds_must_be_finite_and_whole_when_integer(check: Check) -> None:
    text = make(
        """
        - key: n
          type: number
          text: {vi: a, en: b}
          integer: true
          min: .nan
          max: 2.5
        """
    )
    assert check(text) == [
        "q.yaml:16:14: min of question 'n' must be a finite number",
        "q.yaml:17:14: max of question 'n' must be a whole number (integer: true)",
    ]


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "1001", "true", "''"])
def test_bad_max_length_of_short_text(check: Check, value: str) -> None:
    text = make(
        f"""
        - key: t
          type: short_text
          text: {{vi: a, en: b}}
          max_length: {value}
        """
    )
    assert check(text) == [
        "q.yaml:15:21: max_length of question 't' must be an integer from 1 to 1000"
    ]


def test_bad_max_length_of_long_text(check: Check) -> None:
    text = make(
        """
        - {key: t, type: long_text, text: {vi: a, en: b}, max_length: 20001}
        """
    )
    assert check(text) == [
        "q.yaml:12:69: max_length of question 't' must be an integer from 1 to 20000"
    ]


def test_unknown_scale_and_bad_scale_steps(check: Check) -> None:
    text = (
        "format: 1\ntitle: {vi: a, en: b}\nscales:\n"
        "  up:\n    - {value: 2, label: {vi: a, en: a}}\n    - {value: 1, label: {vi: b, en: b}}\n"
        "  one:\n    - {value: 1, label: {vi: a, en: a}}\n"
        "sections:\n  - key: main\n    title: {vi: a, en: b}\n    questions:\n"
        "      - {key: q, type: likert, scale: s5, text: {vi: a, en: b}}\n"
    )
    assert check(text) == [
        "q.yaml:6:15: values of scale 'up' must increase (1 follows 2)",
        "q.yaml:8:5: scale 'one' must have from 2 to 11 steps",
        "q.yaml:13:39: question 'q' uses unknown scale 's5' (scales: none are valid)",
    ]


def test_wrong_value_kinds(check: Check) -> None:
    text = make(
        """
        - key: q1
          type: likert
          scale: s3
          required: "yes"
          allow_na: 1
          text: [a, b]
        """
    )
    assert check(text) == [
        "q.yaml:15:19: required of question 'q1' must be true or false, not a string",
        "q.yaml:16:19: allow_na of question 'q1' must be true or false, not a number",
        "q.yaml:17:15: text of question 'q1' must be a mapping, not a list",
    ]


def test_every_problem_is_reported_at_once(check: Check) -> None:
    text = make(
        """
        - key: Q1
          type: likret
          text: {vi: a}
        - key: q2
          type: number
          text: {vi: a, en: b}
          min: 3
          max: 1
        - key: q2
          type: rating
          text: {vi: a, en: b}
          show_if: {question: q9, equals: 1}
        """
    )
    assert check(text) == [
        f"q.yaml:12:14: 'Q1' is not a valid question key: {KEY_RULE}",
        f"q.yaml:13:15: unknown question type 'likret' (did you mean 'likert'?); "
        f"expected one of {TYPES}",
        "q.yaml:14:15: text of a question is missing the 'en' translation",
        "q.yaml:18:14: min (3) is greater than max (1) in question 'q2'",
        "q.yaml:20:14: duplicate question key 'q2' (first used at line 15)",
        "q.yaml:23:29: show_if of 'q2' refers to unknown question 'q9'",
    ]


def test_section_problems(check: Check) -> None:
    text = (
        "format: 1\ntitle: {vi: a, en: b}\nsections:\n"
        "  - key: main\n    kind: dimenson\n    title: {vi: a, en: b}\n    questions: []\n"
        "  - key: main\n    title: {vi: a, en: b}\n"
        "    questions:\n      - {key: r, type: rating, text: {vi: a, en: b}}\n"
    )
    assert check(text) == [
        "q.yaml:5:11: unknown section kind 'dimenson' (did you mean 'dimension'?); "
        "expected one of dimension, profile, general",
        "q.yaml:7:16: questions of section 'main' must not be empty",
        "q.yaml:8:10: duplicate section key 'main' (first used at line 4)",
    ]


def test_title_longer_than_the_database_column(check: Check) -> None:
    text = HEAD.replace('title: {vi: "Tiêu đề", en: "Title"}', f"title: {{vi: a, en: {'x' * 301}}}")
    text += "      - {key: r, type: rating, text: {vi: a, en: b}}\n"
    assert check(text) == ["q.yaml:2:20: 'en' translation of title is longer than 300 characters"]


def test_slug_comes_from_a_valid_file_name(check: Check) -> None:
    text = make("- {key: r, type: rating, text: {vi: a, en: b}}")
    assert check(text, name="my-survey_2.yaml") == []
    assert check(text, name="My Survey.yaml") == [
        "My Survey.yaml:1:1: slug 'My Survey' (the file name) must be 1-64 lowercase ASCII "
        "letters, digits, '-' or '_', starting with a letter or digit"
    ]


# -- scoring and weighting -----------------------------------------------------------------

SCORED = """\
format: 1
title: {vi: a, en: b}
scales:
  s3:
    - {value: 1, label: {vi: a, en: a}}
    - {value: 2, label: {vi: b, en: b}}
    - {value: 3, label: {vi: c, en: c}}
sections:
  - key: who
    kind: profile
    title: {vi: a, en: b}
    questions:
      - key: kind
        type: single_choice
        text: {vi: a, en: b}
        options:
          - {key: business, label: {vi: a, en: a}}
          - {key: citizen, label: {vi: b, en: b}}
  - key: dim
    kind: dimension
    title: {vi: a, en: b}
    questions:
      - {key: d1, type: likert, scale: s3, text: {vi: a, en: b}}
      - {key: total, type: likert, scale: s3, text: {vi: a, en: b}}
      - {key: rec, type: rating, text: {vi: a, en: b}}
"""


def test_scoring_valid() -> None:
    from surveyapp.definitions import parse_text

    q = parse_text(SCORED + "scoring:\n  satisfied_values: [3]\n  overall: total\n", "q.yaml")
    assert q.scoring is not None
    assert q.scoring.index_dimensions == ("dim",)
    assert q.scoring.min_n == 30


def test_scoring_refers_to_unknown_items_and_dimensions(check: Check) -> None:
    text = SCORED + (
        "scoring:\n"  # line 26
        "  satisfied_values: [3, 4]\n"
        "  index: {method: sipass, dimensions: [dim, who, dimm]}\n"
        "  overall: totl\n"
        "  nps: d1\n"
        "  min_n: 0\n"
    )
    assert check(text) == [
        "q.yaml:27:25: satisfied value 4 is not on scale 's3' of scored items",
        "q.yaml:28:19: unknown index method 'sipass' (did you mean 'sipas'?); "
        "expected one of sipas",
        "q.yaml:28:45: scoring.index.dimensions: 'who' is not a dimension section",
        "q.yaml:28:50: scoring.index.dimensions: 'dimm' is not a dimension section "
        "(did you mean 'dim'?)",
        "q.yaml:29:12: scoring.overall refers to unknown item 'totl' (did you mean 'total'?)",
        "q.yaml:30:8: scoring.nps must be a rating item; 'd1' is likert",
        "q.yaml:31:10: scoring.min_n must be an integer from 1 to 100000",
    ]


def test_scoring_needs_a_dimension(check: Check) -> None:
    text = make(
        "- {key: r, type: rating, text: {vi: a, en: b}}", "scoring: {satisfied_values: [3]}\n"
    )
    assert check(text) == ["q.yaml:13:10: scoring needs at least one section of kind 'dimension'"]


def test_dimension_without_likert_items(check: Check) -> None:
    text = HEAD.replace("    title: {vi", "    kind: dimension\n    title: {vi")
    text += "      - {key: r, type: rating, text: {vi: a, en: b}}\n"
    assert check(text) == ["q.yaml:9:5: dimension section 'main' has no likert items to score"]


def test_weighting_valid() -> None:
    from surveyapp.definitions import parse_text

    text = (
        SCORED + "weighting:\n  method: raking\n  targets: {kind: {business: 0.4, citizen: 0.6}}\n"
    )
    q = parse_text(text, "q.yaml")
    assert q.weighting is not None
    assert q.weighting.targets[0].shares == (("business", 0.4), ("citizen", 0.6))


def test_weighting_problems(check: Check) -> None:
    text = SCORED + (
        "weighting:\n"  # line 26
        "  method: poststratification\n"
        "  targets:\n"
        "    kind: {business: 0.4, citizn: 0.6}\n"
        "    d1: {a: 1}\n"
        "    nobody: {a: 1}\n"
    )
    assert check(text) == [
        "q.yaml:29:5: poststratification takes exactly one target question; use raking for several",
        "q.yaml:29:11: weighting target 'kind' has no share for: citizen",
        "q.yaml:29:27: 'citizn' is not an option of 'kind' (did you mean 'citizen'?)",
        "q.yaml:30:5: weighting target 'd1' must be a single_choice question",
        "q.yaml:31:5: weighting target 'nobody' is not a question",
    ]


def test_weighting_shares_must_sum_to_one(check: Check) -> None:
    text = (
        SCORED + "weighting:\n  method: raking\n  targets: {kind: {business: 0.5, citizen: 0.6}}\n"
    )
    assert check(text) == ["q.yaml:28:19: shares of weighting target 'kind' sum to 1.1, not 1"]


def test_likert_display_faces_is_kept_and_other_displays_are_refused(tmp_path: Path) -> None:
    from surveyapp.definitions import Questionnaire, load_questionnaire

    source = Path(__file__).resolve().parents[2] / "questionnaires" / "counter.yaml"
    loaded = load_questionnaire(source)
    assert loaded.item("overall").display == "faces"
    assert Questionnaire.from_dict(loaded.to_dict()).item("overall").display == "faces"
    bad = tmp_path / "counter.yaml"
    bad.write_text(source.read_text(encoding="utf-8").replace("display: faces", "display: stars"))
    with pytest.raises(Exception, match="unknown display of question 'overall' 'stars'"):
        load_questionnaire(bad)
