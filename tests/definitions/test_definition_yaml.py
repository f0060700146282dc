"""Safe YAML reading: syntax, duplicates, tags, aliases, size and shape of the file."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from surveyapp.definitions import MAX_BYTES, DefinitionError, check_text, parse_text
from tests.definitions.definition_helpers import make

Check = Callable[..., list[str]]
VALID = make(
    """
    - key: q1
      type: likert
      scale: s3
      text: {vi: "Câu hỏi", en: "Question"}
    """
)


def test_valid_minimal_definition(check: Check) -> None:
    assert check(VALID) == []


def test_bad_yaml_syntax_reports_the_parser_position(check: Check) -> None:
    text = 'format: 1\ntitle: {vi: "a", en: "b"\nsections: []\n'
    assert check(text) == [
        "q.yaml:3:1: invalid YAML: while parsing a flow mapping at line 2: "
        "expected ',' or '}', but got '<scalar>'"
    ]


def test_tab_indentation_is_a_syntax_error(check: Check) -> None:
    assert check("format: 1\ntitle:\n\tvi: a\n") == [
        "q.yaml:3:1: invalid YAML: found character '\\t' that cannot start any token"
    ]


def test_duplicate_mapping_keys_are_reported_not_overwritten(check: Check) -> None:
    text = VALID.replace("        scale: s3\n", "        scale: s3\n        scale: s3\n")
    assert check(text) == ["q.yaml:15:9: duplicate key 'scale' (first defined at line 14)"]


def test_duplicate_top_level_key(check: Check) -> None:
    text = "format: 1\n" + VALID
    assert check(text) == ["q.yaml:2:1: duplicate key 'format' (first defined at line 1)"]


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object/apply:os.system ['echo hi']", "!!python/object/apply:os.system"),
        ("!!python/name:os.system", "!!python/name:os.system"),
        ("!custom 1", "!custom"),
        ("!!timestamp 2024-01-01", "!!timestamp"),
        ("!!binary aGVsbG8=", "!!binary"),
    ],
)
def test_non_standard_tags_are_problems_not_objects(check: Check, value: str, tag: str) -> None:
    text = VALID.replace("format: 1\n", f"format: 1\ndescription: {value}\n")
    problems = check(text)
    assert problems[0] == f"q.yaml:2:14: tag {tag!r} is not allowed"


def test_standard_tags_are_allowed(check: Check) -> None:
    text = VALID.replace("format: 1", "format: !!int '1'")
    assert check(text) == []


def test_aliases_and_anchors_are_refused(check: Check) -> None:
    bomb = (
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    )
    problems = check(bomb)
    assert "q.yaml:1:4: YAML anchors (&a) are not allowed" in problems
    assert "q.yaml:2:8: YAML aliases (*a) are not allowed" in problems
    assert "q.yaml:3:4: YAML anchors (&c) are not allowed" in problems
    assert len([p for p in problems if "aliases" in p]) == 18


def test_alias_inside_a_definition(check: Check) -> None:
    text = VALID.replace(
        '        text: {vi: "Câu hỏi", en: "Question"}',
        '        text: &t {vi: "Câu hỏi", en: "Question"}\n        help: *t',
    )
    assert check(text) == [
        "q.yaml:15:15: YAML anchors (&t) are not allowed",
        "q.yaml:16:15: YAML aliases (*t) are not allowed",
    ]


def test_file_over_the_size_limit_is_refused_before_parsing(check: Check) -> None:
    text = "# " + "x" * MAX_BYTES + "\n: : not yaml ["
    assert check(text) == [
        f"q.yaml:1:1: file is {len(text)} bytes, over the limit of {MAX_BYTES} bytes"
    ]


def test_size_limit_of_parse_text_counts_utf8_bytes() -> None:
    with pytest.raises(DefinitionError) as info:
        parse_text("đ" * 60, "x.yaml", max_bytes=100)
    assert str(info.value) == "x.yaml:1:1: file is 120 bytes, over the limit of 100 bytes"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file(check: Check, text: str) -> None:
    assert check(text) == ["q.yaml:1:1: file is empty"]


@pytest.mark.parametrize(
    ("text", "kind"), [("- a\n- b\n", "a list"), ("just text\n", "a single value")]
)
def test_top_level_must_be_a_mapping(check: Check, text: str, kind: str) -> None:
    assert check(text) == [
        f"q.yaml:1:1: the top level must be a mapping of questionnaire fields, not {kind}"
    ]


def test_deep_nesting_is_refused_without_recursion_error(check: Check) -> None:
    text = "format: " + "[" * 5000 + "]" * 5000 + "\n"
    assert check(text) == ["q.yaml:1:48: invalid YAML: nesting deeper than 40 levels"]


def test_several_documents_are_refused(check: Check) -> None:
    assert check(VALID + "---\nformat: 1\n") == [
        "q.yaml:16:1: invalid YAML: expected a single document in the stream at line 1: "
        "but found another document"
    ]


def test_control_character_is_located(check: Check) -> None:
    assert check("format: 1\ntitle: {vi: a\x00, en: b}\n") == [
        "q.yaml:2:14: character U+0000 is not allowed"
    ]


def test_invalid_utf8_is_located(check: Check) -> None:
    data = b"format: 1\ntitle: {vi: \xff}\n"
    assert check(data) == ["q.yaml:2:13: file is not valid UTF-8 text"]


def test_missing_file_is_a_problem(check: Check, tmp_path: object) -> None:
    from surveyapp.definitions import check_file

    problems = check_file("/nonexistent/dir/q.yaml")
    assert [str(p) for p in problems] == [
        "/nonexistent/dir/q.yaml:1:1: cannot read file: No such file or directory"
    ]


def test_huge_integer_literal_is_a_problem_not_a_crash(check: Check) -> None:
    text = VALID.replace("format: 1", "format: " + "9" * 5000)
    assert check(text) == [
        "q.yaml:1:9: '9999999999999999999999999999999999999...' is not a valid !!int value"
    ]


def test_yaml_1_1_booleans_stay_strings() -> None:
    # "no", "on", "yes" are option keys, not booleans, so the Norway problem cannot occur.
    text = make(
        """
        - key: q1
          type: single_choice
          text: {vi: "Có không?", en: "Yes or no?"}
          options:
            - {key: yes, label: {vi: "Có", en: "Yes"}}
            - {key: no, label: {vi: "Không", en: "No"}}
            - {key: on, label: {vi: "Bật", en: "On"}}
        """
    )
    q = parse_text(text, "q.yaml")
    assert q.item("q1").option_keys == ("yes", "no", "on")


def test_non_string_key_is_a_problem(check: Check) -> None:
    assert check(VALID + "1: x\n") == ["q.yaml:16:1: key '1' must be a string (quote it)"]


def test_check_text_reports_problems_of_an_upload() -> None:
    problems = check_text("format: 2\n", "upload.yaml")
    assert [str(p) for p in problems] == [
        "upload.yaml:1:1: the questionnaire is missing required field 'title'",
        "upload.yaml:1:1: the questionnaire is missing required field 'sections'",
        "upload.yaml:1:9: unsupported format 2; this version reads format 1",
    ]


def test_definition_error_lists_every_problem() -> None:
    with pytest.raises(DefinitionError) as info:
        parse_text("format: 2\n", "upload.yaml")
    assert len(info.value.problems) == 3
    assert str(info.value).splitlines()[2] == (
        "upload.yaml:1:9: unsupported format 2; this version reads format 1"
    )
