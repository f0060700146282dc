"""The ``fact:`` attribute links a question to the service fact reports break down by."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from surveyapp.definitions import load_questionnaire, parse_text
from tests.definitions.definition_helpers import QUESTIONNAIRES, make

Check = Callable[..., list[str]]

CHOICE = """
- key: {key}
  type: {type}
  text: {{vi: a, en: b}}
  fact: {fact}
  {extra}
"""
OPTIONS = "options: [{key: yes, label: {vi: Có, en: Yes}}, {key: no, label: {vi: Không, en: No}}]"


@pytest.mark.parametrize(
    ("fact", "qtype", "extra"),
    [
        ("late", "single_choice", OPTIONS),
        ("trips", "single_choice", OPTIONS),
        ("trips", "number", "integer: true"),
        ("procedure", "short_text", "max_length: 50"),
        ("procedure", "single_choice", OPTIONS),
        ("channel", "single_choice", OPTIONS),
    ],
)
def test_a_fact_on_a_question_that_can_record_it(fact: str, qtype: str, extra: str) -> None:
    text = make(CHOICE.format(key="q1", type=qtype, fact=fact, extra=extra))
    definition = parse_text(text, "q.yaml")
    assert definition.item("q1").fact == fact
    assert definition.fact_item(fact).key == "q1"  # type: ignore[union-attr]
    assert definition.to_dict()["sections"][0]["questions"][0]["fact"] == fact


@pytest.mark.parametrize(
    ("fact", "qtype", "extra", "message"),
    [
        ("lateness", "single_choice", OPTIONS, "unknown fact of question 'q1' 'lateness'"),
        (
            "late",
            "short_text",
            "max_length: 50",
            "fact 'late' of question 'q1' needs a question of type single_choice",
        ),
        ("trips", "long_text", "", "needs a question of type single_choice or number"),
        ("channel", "number", "", "needs a question of type single_choice"),
    ],
)
def test_a_wrong_fact_is_refused_with_its_position(
    check: Check, fact: str, qtype: str, extra: str, message: str
) -> None:
    errors = check(make(CHOICE.format(key="q1", type=qtype, fact=fact, extra=extra)))
    assert len(errors) == 1
    assert errors[0].startswith("q.yaml:15:15: ")
    assert message in errors[0]


def test_a_fact_is_on_one_question_only(check: Check) -> None:
    text = make(
        CHOICE.format(key="q1", type="single_choice", fact="late", extra=OPTIONS)
        + CHOICE.format(key="q2", type="single_choice", fact="late", extra=OPTIONS)
    )
    errors = check(text)
    assert len(errors) == 1
    assert "fact 'late' of question 'q2' is already on 'q1'" in errors[0]


def test_the_shipped_sipas_questionnaire_tags_its_service_facts() -> None:
    definition = load_questionnaire(QUESTIONNAIRES / "sipas.yaml")
    assert definition.fact_item("late").key == "timeliness"  # type: ignore[union-attr]
    assert definition.fact_item("procedure").key == "procedure_name"  # type: ignore[union-attr]
    assert definition.fact_item("channel").key == "submission_channel"  # type: ignore[union-attr]


def test_a_definition_without_facts_keeps_its_content_hash() -> None:
    text = make(CHOICE.format(key="q1", type="single_choice", fact="late", extra=OPTIONS))
    plain = "\n".join(line for line in text.splitlines() if "fact:" not in line) + "\n"
    assert "fact" not in str(parse_text(plain, "q.yaml").to_dict())
