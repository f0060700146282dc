"""Coercing raw answers into stored values, and visibility under show_if."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.definitions import (
    AnswerError,
    Item,
    StoredAnswer,
    coerce_answer,
    load_questionnaire,
    parse_text,
    visible,
)
from tests.definitions.definition_helpers import QUESTIONNAIRES, make

Q = parse_text(
    make(
        """
        - {key: lik, type: likert, scale: s3, text: {vi: a, en: b}, required: true}
        - {key: lik_na, type: likert, scale: s3, allow_na: true, text: {vi: a, en: b}}
        - {key: rate, type: rating, text: {vi: a, en: b}}
        - {key: num, type: number, min: -5, max: 1000, text: {vi: a, en: b}}
        - {key: whole, type: number, integer: true, min: 0, text: {vi: a, en: b}}
        - {key: free, type: number, text: {vi: a, en: b}}
        - {key: day, type: date, text: {vi: a, en: b}}
        - key: one
          type: single_choice
          text: {vi: a, en: b}
          options:
            - {key: a, label: {vi: A, en: A}}
            - {key: b, label: {vi: B, en: B}}
            - {key: c, label: {vi: C, en: C}}
        - key: many
          type: multiple_choice
          text: {vi: a, en: b}
          options:
            - {key: a, label: {vi: A, en: A}}
            - {key: b, label: {vi: B, en: B}}
            - {key: c, label: {vi: C, en: C}}
        - {key: short, type: short_text, max_length: 5, text: {vi: a, en: b}}
        - {key: long, type: long_text, text: {vi: a, en: b}}
        - {key: short_default, type: short_text, text: {vi: a, en: b}}
        """
    ),
    "answers.yaml",
)


def ok(key: str, raw: object) -> StoredAnswer | None:
    return coerce_answer(Q.item(key), raw)


def bad(key: str, raw: object) -> AnswerError:
    with pytest.raises(AnswerError) as info:
        coerce_answer(Q.item(key), raw)
    assert info.value.item_key == key
    assert info.value.message_en and info.value.message_vi
    return info.value


# -- empty answers -------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [None, "", "   ", [], ()])
def test_empty_is_no_answer(raw: object) -> None:
    assert ok("lik_na", raw) is None
    assert ok("many", raw) is None


def test_empty_required_is_an_error() -> None:
    error = bad("lik", None)
    assert error.message_en == "This question requires an answer."
    assert error.message_vi == "Câu hỏi này bắt buộc trả lời."
    assert str(error) == "lik: This question requires an answer."


# -- likert and rating ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", [1, 3, "2", " 3 ", 2.0])
def test_likert_accepts_scale_values(raw: object) -> None:
    answer = ok("lik", raw)
    assert answer is not None and answer.value_num == float(str(raw).strip())
    assert answer.value_text is None and not answer.is_na


@pytest.mark.parametrize(
    "raw", [0, 4, "4", 2.5, "two", True, False, "1e0", [1], {"a": 1}, math.nan]
)
def test_likert_refuses_other_values(raw: object) -> None:
    bad("lik", raw)


def test_likert_not_applicable() -> None:
    assert ok("lik_na", "na") == StoredAnswer(is_na=True)
    assert ok("lik_na", " NA ") == StoredAnswer(is_na=True)
    assert bad("lik", "na").message_en == '"Not applicable" is not an answer to this question.'


@pytest.mark.parametrize(("raw", "value"), [(0, 0.0), ("10", 10.0), (7.0, 7.0)])
def test_rating_accepts_0_to_10(raw: object, value: float) -> None:
    assert ok("rate", raw) == StoredAnswer(value_num=value)


@pytest.mark.parametrize("raw", [-1, 11, "11", 5.5, "na", True])
def test_rating_refuses_others(raw: object) -> None:
    assert bad("rate", raw).message_en == "Choose a whole number from 0 to 10."


# -- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"), [(12, 12.0), ("12.5", 12.5), (" -5 ", -5.0), (1e3, 1000.0)]
)
def test_number_accepts_values_in_range(raw: object, value: float) -> None:
    assert ok("num", raw) == StoredAnswer(value_num=value)


@pytest.mark.parametrize(
    "raw",
    ["nan", "NaN", math.nan, "inf", "-inf", math.inf, "1e309", 1e308, 10**400, "1" * 400],
)
def test_number_refuses_non_finite_and_huge(raw: object) -> None:
    bad("free", raw)


def test_number_bounds_messages() -> None:
    assert bad("num", -6).message_en == "Enter a number of at least -5."
    assert bad("num", "1000.5").message_vi == "Hãy nhập một số không lớn hơn 1000."


@pytest.mark.parametrize("raw", ["1,5", "1.000", "12.5", 2.5, "abc", "0x10", "1_000", "١٢"])
def test_integer_number_refuses_non_whole_input(raw: object) -> None:
    bad("whole", raw)


def test_integer_number_accepts_whole_values() -> None:
    assert ok("whole", "1000") == StoredAnswer(value_num=1000.0)
    assert ok("whole", 7.0) == StoredAnswer(value_num=7.0)


@pytest.mark.parametrize("raw", [True, [1], {"n": 1}, b"1"])
def test_number_refuses_other_types(raw: object) -> None:
    bad("free", raw)


# -- dates ---------------------------------------------------------------------------------


def test_date_accepts_iso_dates() -> None:
    assert ok("day", "2024-02-29") == StoredAnswer(value_text="2024-02-29")
    assert ok("day", dt.date(2024, 1, 5)) == StoredAnswer(value_text="2024-01-05")


@pytest.mark.parametrize(
    "raw", ["2023-02-29", "2024-13-01", "29/02/2024", "2024-2-1", "20240201", 20240201]
)
def test_date_refuses_others(raw: object) -> None:
    bad("day", raw)


def test_date_refuses_datetimes() -> None:
    bad("day", dt.datetime(2024, 1, 5, 10, 0))


# -- choices -------------------------------------------------------------------------------


def test_single_choice() -> None:
    assert ok("one", " b ") == StoredAnswer(value_text="b")
    assert bad("one", "d").message_en == "Choose one of the listed options."
    bad("one", ["a"])
    bad("one", 1)


def test_multiple_choice_is_stored_in_definition_order() -> None:
    assert ok("many", ["c", "a"]) == StoredAnswer(value_text="a;c")
    assert ok("many", "c;b") == StoredAnswer(value_text="b;c")
    assert ok("many", ["b"]) == StoredAnswer(value_text="b")


def test_multiple_choice_refuses_unknown_and_repeated_options() -> None:
    assert bad("many", ["a", "z"]).message_en == "Choose only among the listed options."
    assert bad("many", ["a", "a"]).message_en == "Each option can be chosen only once."
    assert bad("many", "a;a").message_vi == "Mỗi phương án chỉ được chọn một lần."
    bad("many", ["a", 1])
    bad("many", {"a": True})


# -- text ----------------------------------------------------------------------------------


def test_text_is_stripped_and_normalised() -> None:
    assert ok("short", "  xin  ") == StoredAnswer(value_text="xin")
    # Decomposed Vietnamese (as some keyboards send it) is stored composed (NFC).
    assert ok("short", "Vie\u0302\u0323t") == StoredAnswer(value_text="Việt")
    assert ok("long", "a\r\nb\tc") == StoredAnswer(value_text="a\nb\tc")


def test_text_length_is_enforced_after_normalisation() -> None:
    # Six code points as sent, five once composed: within max_length 5.
    assert ok("short", "Vie\u0302\u0323t1") == StoredAnswer(value_text="Việt1")
    error = bad("short", "abcdef")
    assert error.message_en == "Enter at most 5 characters (this text has 6)."
    assert error.message_vi == "Hãy nhập tối đa 5 ký tự (văn bản này có 6 ký tự)."
    assert ok("short_default", "x" * 200) is not None
    bad("short_default", "x" * 201)
    assert ok("long", "x" * 2000) is not None
    bad("long", "x" * 2001)


@pytest.mark.parametrize("raw", ["a\x00b", "a\x07", "a\x1bb", "a\x7f", "a\ud800", "a\x85b"])
def test_text_refuses_nul_and_control_characters(raw: str) -> None:
    message = bad("long", raw).message_en
    assert message.startswith("The text contains a character that is not allowed (U+")


def test_short_text_is_one_line() -> None:
    bad("short", "a\nb")
    assert ok("long", "a\nb") == StoredAnswer(value_text="a\nb")


@pytest.mark.parametrize("raw", [5, 1.5, True, ["a"], b"abc"])
def test_text_refuses_non_strings(raw: object) -> None:
    bad("long", raw)


# -- visibility ----------------------------------------------------------------------------

SIPAS = load_questionnaire(QUESTIONNAIRES / "sipas.yaml")


def _coerced(raw: dict[str, object]) -> dict[str, StoredAnswer | None]:
    return {key: coerce_answer(SIPAS.item(key), value) for key, value in raw.items()}


def test_visible_follows_show_if() -> None:
    shown = visible(SIPAS, _coerced({"respondent_type": "citizen", "timeliness": "on_time"}))
    assert "apology_letter" not in shown
    assert "sector" not in shown and "business_size" not in shown
    assert "overall_satisfaction" in shown and "staff_polite" in shown
    shown = visible(SIPAS, _coerced({"respondent_type": "business", "timeliness": "late"}))
    assert {"apology_letter", "sector", "business_size"} <= shown


def test_unanswered_condition_hides() -> None:
    shown = visible(SIPAS, {})
    assert "apology_letter" not in shown
    assert "feedback_channels" not in shown
    assert "submission_channel" in shown


def test_visible_with_multiple_choice_means_includes_and_cascades() -> None:
    q = parse_text(
        make(
            """
            - key: m
              type: multiple_choice
              text: {vi: a, en: b}
              options:
                - {key: a, label: {vi: A, en: A}}
                - {key: b, label: {vi: B, en: B}}
            - key: l
              type: likert
              scale: s3
              text: {vi: a, en: b}
              show_if: {question: m, equals: b}
            - {key: r, type: rating, text: {vi: a, en: b}, show_if: {question: l, in: [3]}}
            - {key: t, type: short_text, text: {vi: a, en: b}, show_if: {question: r, equals: 10}}
            """
        ),
        "v.yaml",
    )
    answers = {
        "m": StoredAnswer(value_text="a;b"),
        "l": StoredAnswer(value_num=3.0),
        "r": StoredAnswer(value_num=10.0),
    }
    assert visible(q, answers) == {"m", "l", "r", "t"}
    answers["m"] = StoredAnswer(value_text="a")
    # l is hidden, so r and t are hidden too even though their answers would match.
    assert visible(q, answers) == {"m"}
    answers["m"] = StoredAnswer(value_text="b")
    answers["l"] = StoredAnswer(is_na=True)
    assert visible(q, answers) == {"m", "l"}


# -- property ------------------------------------------------------------------------------

ITEMS: list[Item] = [
    *Q.items(),
    *SIPAS.items(),
    *load_questionnaire(QUESTIONNAIRES / "a11-cx.yaml").items(),
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet="0123456789.,-+eE naINF;abc"),
    st.sampled_from(["na", "NA", "1", "5", "10", "a", "b", "yes", "2024-02-29", "1e309"]),
    st.binary(max_size=8),
    st.dates(),
    st.datetimes(),
)
raw_answers = st.one_of(
    scalars,
    st.lists(scalars, max_size=5),
    st.lists(st.sampled_from(["a", "b", "c", "one_stop", "post"]), max_size=4),
    st.dictionaries(st.text(max_size=3), scalars, max_size=2),
)


@settings(max_examples=400, deadline=None)
@given(item=st.sampled_from(ITEMS), raw=raw_answers)
def test_coerce_answer_only_raises_answer_error(item: Item, raw: object) -> None:
    try:
        answer = coerce_answer(item, raw)
    except AnswerError as error:
        assert error.item_key == item.key
        return
    if answer is None:
        assert not item.required
        return
    if answer.value_num is not None:
        assert math.isfinite(answer.value_num)
        lo, hi = item.min_value, item.max_value
        assert lo is None or answer.value_num >= lo
        assert hi is None or answer.value_num <= hi
    if answer.value_text is not None:
        assert "\x00" not in answer.value_text
        assert item.max_length is None or len(answer.value_text) <= item.max_length
    assert answer.is_na == (answer.value_num is None and answer.value_text is None)
