"""Tests of % satisfied across a service fact's groups, against scipy and statsmodels.

Fisher's exact test also against the published tea-tasting example: Fisher (1935),
The Design of Experiments, sec. 2; Agresti (2013), Categorical Data Analysis, 3rd ed.,
table 3.9: [[3, 1], [1, 3]], two-sided p = 0.4857.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

from analysis.contingency import association, fisher_exact


def test_fisher_tea_tasting():
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(0.4857, abs=1e-4)


@settings(max_examples=200, deadline=None)
@given(*(st.integers(0, 30) for _ in range(4)))
def test_fisher_matches_scipy(a, b, c, d):
    if a + b + c + d == 0:
        return
    expected = stats.fisher_exact([[a, b], [c, d]], alternative="two-sided").pvalue
    assert fisher_exact(a, b, c, d) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_two_large_groups_use_the_z_test_of_statsmodels():
    result = association(["on_time", "late"], [160, 30], [200, 60])
    z, p = proportions_ztest([160, 30], [200, 60])
    assert result.test == "two_proportion_z"
    assert result.statistic == pytest.approx(z, rel=1e-12)
    assert result.p_value == pytest.approx(p, rel=1e-9)
    assert result.difference == pytest.approx(100 * (160 / 200 - 30 / 60))


def test_two_groups_with_a_small_expected_count_use_fisher():
    result = association(["on_time", "late"], [58, 2], [60, 6])
    assert result.test == "fisher_exact"
    expected = stats.fisher_exact([[58, 2], [2, 4]]).pvalue
    assert result.p_value == pytest.approx(expected, rel=1e-9)
    assert result.min_expected < 5


def test_more_groups_use_chi_square_of_scipy():
    sat, n = [40, 25, 10], [50, 50, 40]
    result = association(["1", "2", "3+"], sat, n)
    table = [[x, m - x] for x, m in zip(sat, n, strict=True)]
    chi2, p, df, _ = stats.chi2_contingency(table, correction=False)
    assert result.test == "chi_square"
    assert result.statistic == pytest.approx(chi2, rel=1e-12)
    assert result.p_value == pytest.approx(p, rel=1e-9)
    assert result.df == df == 2


def test_a_single_group_has_no_test():
    result = association(["a", "b"], [5, 0], [10, 0])
    assert result.test is None and result.p_value is None
    assert result.reason == "single_group"
