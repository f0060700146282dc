"""The distribution wrappers agree with scipy.stats' distribution objects."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis import _distributions as dist

QUANTILES = [1e-12, 1e-6, 0.001, 0.025, 0.05, 0.3, 0.5, 0.7, 0.975, 0.999999]
POINTS = [-60.0, -8.0, -1.96, -0.5, 0.0, 0.5, 1.96, 8.0, 60.0]


@pytest.mark.parametrize("q", QUANTILES)
def test_normal_quantile(q: float) -> None:
    assert dist.norm_isf(q) == pytest.approx(float(stats.norm.isf(q)), rel=1e-14, abs=1e-300)


@pytest.mark.parametrize("x", POINTS)
def test_normal_tail(x: float) -> None:
    assert dist.norm_sf(x) == pytest.approx(float(stats.norm.sf(x)), rel=1e-14, abs=1e-300)


def test_normal_tail_of_an_array() -> None:
    x = np.array(POINTS)
    np.testing.assert_allclose(dist.norm_sf_array(x), stats.norm.sf(x), rtol=1e-14, atol=0)


@pytest.mark.parametrize("df", [1.0, 2.5, 9.0, 120.0, 1e6])
def test_t_quantile_and_tail(df: float) -> None:
    for q in QUANTILES:
        assert dist.t_isf(q, df) == pytest.approx(float(stats.t.isf(q, df)), rel=1e-12)
    for x in POINTS:
        expected = float(stats.t.sf(x, df))
        assert dist.t_sf(x, df) == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_published_values() -> None:
    # z for 95 % and t(10) for 95 %, two-sided (any statistics table).
    assert dist.norm_isf(0.025) == pytest.approx(1.959964, abs=1e-6)
    assert dist.t_isf(0.025, 10) == pytest.approx(2.228139, abs=1e-6)
