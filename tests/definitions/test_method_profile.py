"""``scoring.method``: a shipped method profile, agreeing with the satisfied values."""

from __future__ import annotations

from collections.abc import Callable

from surveyapp.definitions import load_questionnaire, parse_text
from tests.definitions.definition_helpers import QUESTIONNAIRES
from tests.definitions.test_definition_validation import SCORED

Check = Callable[..., list[str]]
FIVE = SCORED.replace(
    "    - {value: 3, label: {vi: c, en: c}}\n",
    "    - {value: 3, label: {vi: c, en: c}}\n"
    "    - {value: 4, label: {vi: d, en: d}}\n"
    "    - {value: 5, label: {vi: e, en: e}}\n",
)


def test_method_is_read_and_kept() -> None:
    q = parse_text(FIVE + "scoring:\n  method: sipas-2023/1\n  satisfied_values: [5, 4]\n", "q")
    assert q.scoring is not None and q.scoring.method == "sipas-2023/1"
    assert q.scoring.to_dict()["method"] == "sipas-2023/1"
    plain = parse_text(FIVE + "scoring:\n  satisfied_values: [4, 5]\n", "q")
    assert plain.scoring is not None and plain.scoring.method is None
    assert "method" not in plain.scoring.to_dict()  # stored definitions stay as they were


def test_unknown_profile_and_disagreeing_satisfied_set(check: Check) -> None:
    unknown = FIVE + "scoring:\n  method: sipas-2023/2\n  satisfied_values: [4, 5]\n"
    line = FIVE.count("\n") + 2
    assert check(unknown) == [
        f"q.yaml:{line}:11: unknown method profile 'sipas-2023/2' (did you mean "
        "'sipas-2023/1'?); expected one of sipas-2017/1, sipas-2023/1"
    ]
    other = FIVE + "scoring:\n  method: sipas-2017/1\n  satisfied_values: [3, 4, 5]\n"
    assert check(other) == [
        f"q.yaml:{line}:11: scoring.satisfied_values [3, 4, 5] differ from the satisfied "
        "set [4, 5] of method profile 'sipas-2017/1'"
    ]


def test_shipped_2023_instrument() -> None:
    q = load_questionnaire(QUESTIONNAIRES / "sipas-2023.yaml")
    assert q.scoring is not None and q.scoring.method == "sipas-2023/1"
    assert [d.key for d in q.dimensions()] == [
        "access", "procedures", "civil_servants", "results", "feedback",
    ]  # fmt: skip
    keys = {i.key for i in q.items()}
    assert {"info_channels", "harassment", "informal_payment", "experience", "priorities"} <= keys
