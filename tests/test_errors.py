"""errors.Problem: English as a string, the page's language through the catalog."""

from __future__ import annotations

from surveyapp.errors import InputError, Problem, localized
from surveyapp.renderers.wording import _catalog


def vi(message: str) -> str:
    return _catalog("vi").gettext(message)


def test_a_problem_is_its_english_text() -> None:
    problem = Problem("the reason must be at most %(n)s characters", n=500)
    assert problem == "the reason must be at most 500 characters"
    assert str(InputError(problem)) == "the reason must be at most 500 characters"
    assert Problem("margin: must be between 0.001 and 0.5 (0.1%% to 50%%)").endswith(
        "(0.1% to 50%)"
    )


def test_a_problem_is_translated_with_its_values_and_nested_problems() -> None:
    problem = Problem("the reason must be at most %(n)s characters", n=500)
    assert problem.translated(vi) == "lý do dài tối đa 500 ký tự"
    outer = Problem("%(field)s: %(problems)s", field="x", problems=Problem("the answer is empty"))
    assert outer.translated(vi) == "x: câu trả lời đang để trống"
    assert localized("plain text", vi) == "plain text"
    assert localized(Problem("0.1%% to 50%%"), lambda m: m) == "0.1% to 50%"
