"""``alert: true`` on an option: read, validated, kept through the stored form."""

from __future__ import annotations

from surveyapp.definitions import Questionnaire, load_questionnaire
from surveyapp.definitions.loading import check_text
from tests.definitions.definition_helpers import QUESTIONNAIRES

BASE = """format: 1
title: {vi: "Khảo sát", en: "Survey"}
sections:
  - key: s
    title: {vi: "Phần", en: "Part"}
    questions:
      - key: paid
        type: single_choice
        text: {vi: "Câu hỏi", en: "Question"}
        options:
          - {key: no, label: {vi: "Không", en: "No"}}
          - {key: yes_paid, ALERT label: {vi: "Có", en: "Yes"}}
"""


def test_sipas_marks_harassment_and_informal_payment() -> None:
    sipas = load_questionnaire(QUESTIONNAIRES / "sipas.yaml")
    item = sipas.item("informal_payment")
    assert {o.key: o.alert for o in item.options} == {
        "no": False,
        "harassed": True,
        "asked_payment": True,
    }
    assert "nhũng nhiễu, gây phiền hà, đòi hỏi chi phí ngoài quy định" in item.text.vi
    again = Questionnaire.from_dict(sipas.to_dict())
    assert [o.alert for o in again.item("informal_payment").options] == [False, True, True]


def test_alert_must_be_true_or_false() -> None:
    assert check_text(BASE.replace("ALERT", "alert: true,"), "t.yaml") == []
    problems = [str(p) for p in check_text(BASE.replace("ALERT", 'alert: "yes",'), "t.yaml")]
    assert len(problems) == 1 and "alert of option 'yes_paid' must be true or false" in problems[0]
    unknown = [str(p) for p in check_text(BASE.replace("ALERT", "alarm: true,"), "t.yaml")]
    assert len(unknown) == 1 and "unknown field 'alarm'" in unknown[0]
