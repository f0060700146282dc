"""Change between periods and Cochran-Armitage trend test."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.proportion import confint_proportions_2indep

from analysis import Reason, cochran_armitage, period_change

# Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., Table 2.7:
# infant malformation by mother's alcohol consumption, scores 0, 0.5, 1.5, 4, 7.
# Agresti reports M^2 = 6.57 (P = 0.01) for these scores; M^2 = (N-1) r^2.
MALFORMED = [48, 38, 5, 1, 1]
TOTAL = [17066 + 48, 14464 + 38, 788 + 5, 126 + 1, 37 + 1]
SCORES = [0, 0.5, 1.5, 4.0, 7.0]


def test_cochran_armitage_agresti_example() -> None:
    res = cochran_armitage(MALFORMED, TOTAL, SCORES)
    n = sum(TOTAL)
    assert res.chi2 is not None
    assert round(res.chi2 * (n - 1) / n, 2) == 6.57


def test_cochran_armitage_matches_statsmodels_ordinal_association() -> None:
    # statsmodels uses the conditional variance (N - 1): z_sm = z_ca sqrt((N - 1) / N).
    satisfied, n = [30, 42, 55, 61], [100, 110, 105, 98]
    table = [[x, m - x] for x, m in zip(satisfied, n, strict=True)]
    ref = Table(np.array(table)).test_ordinal_association(col_scores=np.array([1.0, 0.0]))
    res = cochran_armitage(satisfied, n)
    total = sum(n)
    assert res.z is not None
    assert res.z * ((total - 1) / total) ** 0.5 == pytest.approx(ref.zscore)


def test_cochran_armitage_edge_cases() -> None:
    assert cochran_armitage([0, 0], [0, 0]).reason is Reason.NO_DATA
    assert cochran_armitage([3, 0], [10, 0]).reason is Reason.SINGLE_GROUP
    flat = cochran_armitage([10, 10, 10], [10, 10, 10])
    assert flat.reason is Reason.ALL_IDENTICAL and flat.z is None


def test_period_change_matches_statsmodels_newcombe() -> None:
    res = period_change("2024 vs 2023", 412, 520, 371, 505)
    lo, hi = confint_proportions_2indep(412, 520, 371, 505, method="newcomb")
    assert res.ci is not None and res.difference is not None
    assert res.difference == pytest.approx(100 * (412 / 520 - 371 / 505))
    assert (res.ci.lower, res.ci.upper) == pytest.approx((100 * lo, 100 * hi))
    empty = period_change("x", 3, 10, 0, 0)
    assert empty.difference is None and empty.reason is Reason.EMPTY_GROUP
