"""Hostile definition files and CSV imports, and property-based tests of the validators.

YAML tags (!!python/...), anchors and aliases (the billion-laughs bomb) are
covered in tests/definitions/test_definition_yaml.py; the paper-response CSV
import's all-or-nothing behaviour in tests/cli/test_responses_import.py.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveyapp.definitions import parse_text
from surveyapp.definitions.loading import check_text
from surveyapp.errors import InputError
from surveyapp.services.agencies import parse_agencies_csv
from surveyapp.services.responses import check_answers

DEFINITION = (Path(__file__).parents[1] / "public/data/every-type.yaml").read_text()
HEADER = "code,name_vi,name_en,kind,origins\n"


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1]\nb: *x\n",
        "!!python/object/new:os.system [echo hi]\n",
        "format: 1\ntitle: !!binary aGk=\n",
        "[" * 5000 + "]" * 5000,
        "format: 1\n" + "x: 1\n" * 3,
        "\x00format: 1\n",
    ],
    ids=["alias", "python tag", "binary tag", "deep nesting", "duplicate keys", "NUL"],
)
def test_hostile_definitions_are_problems_not_crashes(text: str) -> None:
    assert check_text(text, "q.yaml")


@pytest.mark.parametrize(
    "origins",
    ["javascript:alert(1)", "https://a.example/../../x", "https://x.example/path", "null"],
)
def test_agency_csv_refuses_origins_that_are_not_origins(origins: str) -> None:
    with pytest.raises(InputError):
        parse_agencies_csv(f"{HEADER}Q9,Quận 9,District 9,district,{origins}\n")


@pytest.mark.parametrize("name", ["=HYPERLINK(0)", "+1+2", "-2+3", "@SUM(A1)"])
def test_agency_csv_formula_names_are_kept_as_text(name: str) -> None:
    # Stored literally; the CSV renderer neutralises formulas on the way out.
    (row,) = parse_agencies_csv(f'{HEADER}Q9,"{name}",District 9,district,\n')
    assert row.name_vi == name


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=400))
def test_agency_csv_importer_raises_only_input_errors(text: str) -> None:
    try:
        rows = parse_agencies_csv(HEADER + text)
    except InputError as exc:
        assert exc.messages
    else:
        for row in rows:
            assert row.code and row.kind in ("department", "district", "other")


ANSWER = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=600),
    st.lists(st.one_of(st.text(max_size=20), st.integers()), max_size=5),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
KEYS = st.sampled_from(
    [
        "access_overall",
        "staff_polite",
        "staff_helpful",
        "visited",
        "visits",
        "channels",
        "visit_date",
        "recommend",
        "occupation",
        "comment",
        "unknown",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, ANSWER, max_size=11))
def test_submission_validator_stores_only_finite_in_range_values(raw: dict[str, object]) -> None:
    definition = parse_text(DEFINITION, "every-type.yaml")
    checked = check_answers(definition, raw)
    items = {item.key: item for item in definition.items()}
    assert set(checked.answers) <= set(items)
    for stored in checked.answers.values():
        number, text, is_na = stored.value_num, stored.value_text, stored.is_na
        if number is not None:
            assert math.isfinite(number)
        if text is not None:
            assert "\x00" not in text
            text.encode("utf-8")
        assert not (is_na and (number is not None or text is not None))
    if not checked.errors:
        assert "access_overall" in checked.answers and "visited" in checked.answers
