"""Shipped questionnaires, the model's views, the dict round trip and the content hash."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from surveyapp.definitions import (
    DefinitionError,
    Questionnaire,
    check_file,
    load_questionnaire,
    parse_text,
)
from tests.definitions.definition_helpers import QUESTIONNAIRES, REPO, make

SHIPPED = sorted(QUESTIONNAIRES.glob("*.yaml"))


def test_both_questionnaires_are_shipped() -> None:
    assert {p.stem for p in SHIPPED} >= {"sipas", "a11-cx"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_questionnaire_is_valid(path: Path) -> None:
    assert [str(p) for p in check_file(path)] == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_round_trip_through_json(path: Path) -> None:
    q = load_questionnaire(path)
    stored = json.loads(json.dumps(q.to_dict()))
    again = Questionnaire.from_dict(stored)
    assert again == q
    assert again.content_hash == q.content_hash
    assert again.to_dict() == q.to_dict()
    assert again.items() == q.items()


def test_sipas_structure() -> None:
    q = load_questionnaire(QUESTIONNAIRES / "sipas.yaml")
    assert q.slug == "sipas"
    assert [d.key for d in q.dimensions()] == [
        "access",
        "procedures",
        "civil_servants",
        "results",
        "feedback",
    ]
    assert len(q.scored_items()) == 22
    assert all(3 <= len(d.items) <= 6 for d in q.dimensions())
    grid_rows = [i for i in q.items() if i.question == "civil_servants_grid"]
    assert [i.key for i in grid_rows][:2] == ["staff_polite", "staff_listen"]
    assert all(i.type == "likert" and i.dimension == "civil_servants" for i in grid_rows)
    assert grid_rows[0].stem is not None
    assert q.item("submission_channel").option_keys == (
        "one_stop",
        "online_level3",
        "online_level4",
        "post",
    )
    apology = q.item("apology_letter").show_if
    assert apology is not None and (apology.question, apology.values) == ("timeliness", ("late",))
    assert q.scoring is not None
    assert (q.scoring.overall, q.scoring.nps, q.scoring.satisfied_values) == (
        "overall_satisfaction",
        "recommend",
        (4, 5),
    )
    assert q.item("comment").max_length == 2000
    assert q.item("recommend").min_value == 0 and q.item("recommend").max_value == 10
    assert q.item("access_seating").min_value == 1 and q.item("access_seating").max_value == 5


def test_sipas_vietnamese_has_diacritics() -> None:
    q = load_questionnaire(QUESTIONNAIRES / "sipas.yaml")
    assert "thủ tục hành chính" in q.item("procedure_name").text.vi
    assert q.item("apology_letter").text.vi.count("thư xin lỗi") == 1


def test_a11_is_english_first() -> None:
    q = load_questionnaire(QUESTIONNAIRES / "a11-cx.yaml")
    assert q.default_language == "en"
    assert q.scale("agreement5").steps[0].label.en == "Strongly disagree"
    assert {"trust", "ease", "efficiency", "equity_transparency", "employees"} <= {
        d.key for d in q.dimensions()
    }


def test_item_lookup() -> None:
    q = load_questionnaire(QUESTIONNAIRES / "sipas.yaml")
    with pytest.raises(KeyError):
        q.item("civil_servants_grid")  # a grid is not an item; its rows are
    with pytest.raises(KeyError):
        q.scale("nope")


def test_docs_example_is_valid() -> None:
    doc = (REPO / "docs" / "questionnaire-format.md").read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(.*?)```", doc, re.DOTALL)
    assert match is not None
    q = parse_text(match.group(1), "example.yaml")
    assert q.weighting is not None and q.scoring is not None


# -- content hash --------------------------------------------------------------------------

BASE = make(
    """
    - key: q1
      type: short_text
      text: {vi: "Câu hỏi", en: "Question"}
    - key: q2
      type: single_choice
      text: {vi: a, en: b}
      options:
        - {key: x, label: {vi: X, en: X}}
        - {key: y, label: {vi: Y, en: Y}}
    """
)


def _hash(text: str, name: str = "q.yaml") -> str:
    return parse_text(text, name).content_hash


def test_content_hash_ignores_formatting_comments_order_and_defaults() -> None:
    reformatted = "# a comment\n" + BASE.replace(
        'title: {vi: "Tiêu đề", en: "Title"}', "title:\n  en: Title\n  vi: 'Tiêu đề'"
    ).replace(
        "        type: short_text\n", "        type: short_text\n        max_length: 200\n"
    ).replace("    title: {vi", "    kind: general  # explicit default\n    title: {vi").replace(
        "        type: single_choice\n", "        type: single_choice\n        required: false\n"
    )
    assert parse_text(reformatted, "q.yaml") == parse_text(BASE, "q.yaml")
    assert _hash(reformatted) == _hash(BASE)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('en: "Question"', 'en: "Question?"'),
        ("        type: short_text\n", "        type: short_text\n        max_length: 201\n"),
        ("        type: single_choice\n", "        type: single_choice\n        required: true\n"),
        (
            "          - {key: x, label: {vi: X, en: X}}\n"
            "          - {key: y, label: {vi: Y, en: Y}}",
            "          - {key: y, label: {vi: Y, en: Y}}\n"
            "          - {key: x, label: {vi: X, en: X}}",
        ),
    ],
)
def test_content_hash_changes_with_meaning(old: str, new: str) -> None:
    assert old in BASE
    assert _hash(BASE.replace(old, new)) != _hash(BASE)


def test_content_hash_includes_the_slug() -> None:
    assert _hash(BASE, "a.yaml") != _hash(BASE, "b.yaml")


def test_content_hash_is_stable_across_processes() -> None:
    # sha256 of canonical JSON: no dependence on hash seeds or dict order.
    q = parse_text(BASE, "q.yaml")
    assert re.fullmatch(r"[0-9a-f]{64}", q.content_hash)
    assert (
        q.content_hash == Questionnaire.from_dict(dict(reversed(q.to_dict().items()))).content_hash
    )


def test_from_dict_validates_stored_data() -> None:
    data = parse_text(BASE, "q.yaml").to_dict()
    data["sections"][0]["questions"][0]["type"] = "shorttext"
    with pytest.raises(DefinitionError) as info:
        Questionnaire.from_dict(data)
    assert [str(p) for p in info.value.problems] == [
        "<stored definition q>:1:1: unknown question type 'shorttext' (did you mean "
        "'short_text'?); expected one of likert, likert_grid, single_choice, multiple_choice, "
        "rating, number, date, short_text, long_text (at /sections/0/questions/0/type)"
    ]


def test_from_dict_refuses_non_json_values() -> None:
    data = parse_text(BASE, "q.yaml").to_dict()
    data["title"]["vi"] = object()
    with pytest.raises(DefinitionError, match="value at /title/vi is not JSON data"):
        Questionnaire.from_dict(data)
