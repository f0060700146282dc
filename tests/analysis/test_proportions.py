"""% satisfied across agencies: chi-square, vs rest, ranking."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from analysis import (
    Interval,
    Reason,
    chi_square_satisfied,
    rank_by_overlap,
    rank_by_simulation,
    versus_rest_proportions,
)

GROUPS = ["A", "B", "C", "D"]
SAT = [80, 45, 120, 30]
N = [100, 90, 150, 70]


def test_chi_square_matches_scipy() -> None:
    table = np.column_stack([SAT, np.subtract(N, SAT)])
    ref = stats.chi2_contingency(table, correction=False)
    res = chi_square_satisfied(GROUPS, SAT, N)
    assert res.statistic == pytest.approx(ref.statistic)
    assert res.p_value == pytest.approx(ref.pvalue) and res.df == ref.dof
    assert res.min_expected == pytest.approx(ref.expected_freq.min())


def test_chi_square_edge_cases() -> None:
    res = chi_square_satisfied(["A", "B", "C"], [5, 0, 3], [10, 0, 10], min_n=1)
    assert res.empty_groups == ("B",) and res.df == 1 and not res.reliable  # expected < 5
    assert chi_square_satisfied(["A"], [5], [10]).reason is Reason.SINGLE_GROUP
    assert chi_square_satisfied(["A", "B"], [10, 20], [10, 20]).reason is Reason.ALL_IDENTICAL


def test_versus_rest_matches_statsmodels() -> None:
    res = versus_rest_proportions(GROUPS, SAT, N)
    for i, diff in enumerate(res):
        x_rest, n_rest = sum(SAT) - SAT[i], sum(N) - N[i]
        lo, hi = confint_proportions_2indep(SAT[i], N[i], x_rest, n_rest, method="newcomb")
        z, p = proportions_ztest([SAT[i], x_rest], [N[i], n_rest])
        assert diff.ci is not None
        assert (diff.ci.lower, diff.ci.upper) == pytest.approx((100 * lo, 100 * hi))
        assert diff.z == pytest.approx(z) and diff.p_value == pytest.approx(p)


def test_rank_by_overlap_hand_worked() -> None:
    # B is clearly above everyone; A and C overlap; D is clearly last.
    ivs = [Interval(60, 70, 0.95, "x"), Interval(80, 90, 0.95, "x"),
           Interval(62, 72, 0.95, "x"), Interval(40, 50, 0.95, "x")]  # fmt: skip
    ranks = rank_by_overlap(GROUPS, [65, 85, 67, 45], ivs)
    got = {r.name: (r.rank, r.rank_lower, r.rank_upper) for r in ranks}
    assert got == {"B": (1, 1, 1), "C": (2, 2, 3), "A": (3, 2, 3), "D": (4, 4, 4)}


def test_rank_by_simulation_separated_and_tied() -> None:
    ranks = rank_by_simulation(["a", "b", "c"], [90, 50, 50.5], [0.1, 5, 5], seed=1)
    got = {r.name: (r.rank_lower, r.rank_upper) for r in ranks}
    assert got["a"] == (1, 1) and got["b"] == (2, 3) and got["c"] == (2, 3)
