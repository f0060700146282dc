"""Intervals against scipy, statsmodels and pingouin."""

from __future__ import annotations

import math

import numpy as np
import pingouin as pg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from analysis import feldt_interval, newcombe_interval, t_interval, wilson_interval


def test_t_interval_matches_scipy() -> None:
    # Independent: scipy.stats.t.interval with scale = standard error.
    x = np.array([3, 4, 5, 5, 2, 4, 1, 5, 4, 3], dtype=float)
    ours = t_interval(x.mean(), x.std(ddof=1), x.size)
    lo, hi = stats.t.interval(0.95, x.size - 1, loc=x.mean(), scale=stats.sem(x))
    assert ours is not None
    assert ours.lower == pytest.approx(lo) and ours.upper == pytest.approx(hi)


def test_t_interval_not_computable_for_one_value() -> None:
    assert t_interval(4.0, 0.0, 1) is None


@pytest.mark.parametrize(("x", "n"), [(0, 10), (3, 10), (10, 10), (81, 263), (1, 1)])
def test_wilson_matches_statsmodels(x: int, n: int) -> None:
    # Independent: statsmodels proportion_confint(method="wilson").
    lo, hi = proportion_confint(x, n, alpha=0.05, method="wilson")
    ours = wilson_interval(x, n)
    assert ours is not None
    assert ours.lower == pytest.approx(lo, abs=1e-12)
    assert ours.upper == pytest.approx(hi, abs=1e-12)


def test_wilson_no_data() -> None:
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(5, 3)


@given(st.integers(min_value=1, max_value=10_000), st.data())
def test_wilson_contains_p_and_stays_in_unit_interval(n: int, data: st.DataObject) -> None:
    x = data.draw(st.integers(min_value=0, max_value=n))
    ci = wilson_interval(x, n)
    assert ci is not None
    assert 0.0 <= ci.lower <= x / n + 1e-12
    assert x / n - 1e-12 <= ci.upper <= 1.0


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"),
    # Newcombe (1998, Stat Med 17:873) Table II examples (56/70 vs 48/80; 9/10 vs 3/10).
    [(56, 70, 48, 80), (9, 10, 3, 10), (6, 7, 2, 7), (5, 56, 0, 29), (0, 10, 0, 20)],
)
def test_newcombe_matches_statsmodels(x1: int, n1: int, x2: int, n2: int) -> None:
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    ours = newcombe_interval(x1, n1, x2, n2)
    assert ours is not None
    assert ours.lower == pytest.approx(lo, abs=1e-10)
    assert ours.upper == pytest.approx(hi, abs=1e-10)


def test_newcombe_published_value() -> None:
    # Newcombe (1998), Table II, example (a) 56/70 - 48/80, method 10: 0.0524 to 0.3339.
    ours = newcombe_interval(56, 70, 48, 80)
    assert ours is not None
    assert round(ours.lower, 4) == 0.0524 and round(ours.upper, 4) == 0.3339


def test_feldt_matches_pingouin() -> None:
    # Independent: pingouin.cronbach_alpha (Feldt CI rounded to 3 decimals by pingouin).
    df = pg.read_dataset("cronbach_wide_missing").dropna()
    alpha, ci = pg.cronbach_alpha(df)
    n, k = df.shape
    ours = feldt_interval(alpha, n, k)
    assert ours is not None
    assert [round(ours.lower, 3), round(ours.upper, 3)] == pytest.approx(list(ci))
    assert feldt_interval(0.5, 1, 3) is None


def test_interval_scaled() -> None:
    ci = wilson_interval(5, 10)
    assert ci is not None
    assert ci.scaled(100).upper == pytest.approx(100 * ci.upper)
    assert not math.isnan(ci.lower)
