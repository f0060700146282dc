"""Formula-injection neutralisation of text cells (OWASP "CSV Injection")."""

from __future__ import annotations

import pytest

from surveyapp.renderers.cells import cell_value, neutralise


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("x")']
)
def test_formula_starts_are_neutralised(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["", "Tốt", "a=b", " =1", "'=already", "1-2"])
def test_other_text_is_kept(text: str) -> None:
    assert neutralise(text) == text


@pytest.mark.parametrize("value", [-3, -2.5, 0, 4, None])
def test_numbers_stay_numbers(value: float | None) -> None:
    assert cell_value(value) is value
