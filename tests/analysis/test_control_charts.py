"""Control charts of % satisfied: published examples, an independent computation, and the
false-alarm and detection properties on simulated agencies."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.control_charts import (
    NOMINAL_FALSE_ALARM_RATE,
    control_chart,
    ewma_chart,
    p_chart_limits,
)

# Montgomery (2009), Introduction to Statistical Quality Control, 6th ed., Table 9.1:
# 20 observations from N(10, 1), then 10 from N(11, 1) (used for the CUSUM and the
# EWMA examples, Example 9.2 with lam = 0.1, L = 2.7, mu0 = 10, sigma = 1).
MONTGOMERY_9_1 = [
    9.45, 7.99, 9.29, 11.66, 12.16, 10.18, 8.04, 11.46, 9.20, 10.34,
    9.03, 11.47, 10.51, 9.40, 10.08, 9.37, 10.62, 10.31, 8.52, 10.84,
    10.90, 9.33, 12.29, 11.50, 10.60, 11.08, 10.38, 11.62, 11.31, 10.52,
]  # fmt: skip


def test_p_chart_limits_of_montgomery_example_7_1() -> None:
    # Example 7.1 (orange juice cans): 30 samples of n = 50, 347 nonconforming,
    # p-bar = 0.2313, UCL = 0.4102, LCL = 0.0524 (as printed, three-sigma limits).
    p_bar = 347 / 1500
    lower, upper = p_chart_limits(p_bar, 50, L=3.0)
    assert round(p_bar, 4) == 0.2313
    assert round(float(upper), 4) == 0.4102
    assert round(float(lower), 4) == 0.0524


def test_ewma_of_montgomery_example_9_2() -> None:
    chart = ewma_chart(MONTGOMERY_9_1, 1.0, 10.0, lam=0.1, L=2.7)
    # Hand computation: z1 = 0.1 * 9.45 + 0.9 * 10 = 9.945, z2 = 0.1 * 7.99 + 0.9 * 9.945
    # = 9.7495; limits 10 +- 2.7 sqrt(0.1 / 1.9 (1 - 0.9^(2i))): 9.73/10.27 and
    # 9.64/10.36, as in Montgomery's Table 9.11.
    assert chart.ewma[0] == pytest.approx(9.945)
    assert chart.ewma[1] == pytest.approx(9.7495)
    assert (round(chart.lower[0], 2), round(chart.upper[0], 2)) == (9.73, 10.27)
    assert (round(chart.lower[1], 2), round(chart.upper[1], 2)) == (9.64, 10.36)
    # The recursion equals pandas' EWM (adjust=False) started at mu0, and the limits
    # Montgomery's closed form for every i.
    expected = pd.Series([10.0, *MONTGOMERY_9_1]).ewm(alpha=0.1, adjust=False).mean()[1:]
    np.testing.assert_allclose(chart.ewma, expected.to_numpy())
    i = np.arange(1, 31)
    half = 2.7 * np.sqrt(0.1 / 1.9 * (1 - 0.9 ** (2 * i)))
    np.testing.assert_allclose(chart.upper, 10 + half)
    np.testing.assert_allclose(chart.lower, 10 - half)
    # Hand computation with the same data: z28 = 10.573 < UCL 10.619, z29 = 10.647 > UCL
    # 10.619, so the first signal is at observation 29, after the shift at 21.
    assert int(np.argmax(chart.signal)) + 1 == 29


def _reference_chart(x, n, baseline, lp, lam, le):
    """Plain-loop computation straight from the formulas, for comparison."""
    p0 = sum(x[:baseline]) / sum(n[:baseline])
    nb = sum(n[:baseline])
    v = p0 * (1 - p0)
    z, weights, out = p0, [], []
    for t in range(baseline, len(x)):
        p = x[t] / n[t]
        sd_p = math.sqrt(v / n[t] + v / nb)
        z = lam * p + (1 - lam) * z
        weights = [w * (1 - lam) for w in weights] + [lam]
        ns = n[baseline : t + 1]
        var_z = sum(w * w * v / m for w, m in zip(weights, ns, strict=True))
        sd_z = math.sqrt(var_z + sum(weights) ** 2 * v / nb)
        out.append((p0 - lp * sd_p, p0 + lp * sd_p, z, p0 - le * sd_z, p0 + le * sd_z))
    return p0, out


def test_varying_n_limits_equal_a_plain_computation() -> None:
    rng = np.random.default_rng(20261204)
    n = rng.integers(40, 300, 20)
    x = rng.binomial(n, 0.8)
    chart = control_chart(x, n, baseline=8, L_p=3.0, lam=0.3, L_ewma=2.8, min_n=1)
    p0, ref = _reference_chart(list(x), list(n), 8, 3.0, 0.3, 2.8)
    assert float(chart.centre[0]) == pytest.approx(p0)
    for k, (lo, hi, z, elo, ehi) in enumerate(ref):
        t = 8 + k
        assert chart.p_lower[t] == pytest.approx(lo)
        assert chart.p_upper[t] == pytest.approx(hi)
        assert chart.ewma.ewma[t] == pytest.approx(z)
        assert chart.ewma.lower[t] == pytest.approx(elo)
        assert chart.ewma.upper[t] == pytest.approx(ehi)


def test_a_point_outside_the_limits_signals_with_its_direction() -> None:
    n = np.full(14, 200)
    x = np.full(14, 160)  # 80 %
    x[12] = 120  # 60 %: far below
    x[13] = 190  # 95 %: far above
    chart = control_chart(x, n, baseline=12)
    assert chart.signal.tolist() == [False] * 12 + [True, True]
    assert chart.direction.tolist()[12:] == [-1, 1]
    assert not chart.signal[:12].any()


def test_small_periods_and_small_baselines_do_not_signal() -> None:
    n = np.array([100] * 12 + [10, 100])
    x = np.array([80] * 12 + [0, 80])
    chart = control_chart(x, n, baseline=12, min_n=30)
    assert not chart.monitored[12] and not chart.signal[12]
    assert math.isnan(chart.p[12])
    # The EWMA carries over the uncharted period.
    assert chart.ewma.ewma[13] == pytest.approx(0.4 * 0.8 + 0.6 * 0.8)
    tiny = control_chart(np.array([5] * 13), np.array([10] * 13), baseline=12, min_n=1)
    assert not tiny.signal.any() and math.isnan(float(tiny.centre[0]))


@pytest.mark.parametrize(
    ("satisfied", "n", "baseline", "message"),
    [
        ([1, 2], [1], 1, "differ in shape"),
        ([1, 2, 3], [2, 2, 2], 1, "0 <= satisfied <= n"),
        ([1, 1], [2, 2], 2, "baseline must be between 1 and 1"),
    ],
)
def test_bad_input_is_refused(satisfied, n, baseline, message) -> None:
    with pytest.raises(ValueError, match=message):
        control_chart(satisfied, n, baseline=baseline)


def _simulate(rng: np.random.Generator, drop: float) -> tuple[np.ndarray, np.ndarray]:
    agencies, months = 1000, 24
    p0 = rng.uniform(0.75, 0.90, (agencies, 1))
    n = rng.integers(150, 251, (agencies, months))  # respondents a month
    p = np.repeat(p0, months, axis=1)
    p[:, 17:] -= drop  # month 18 onwards
    return rng.binomial(n, p), n


def test_stable_agencies_false_alarm_rate_is_at_most_nominal() -> None:
    x, n = _simulate(np.random.default_rng(16), drop=0.0)
    chart = control_chart(x, n)
    monitored = chart.monitored[:, 12:]
    assert monitored.all()
    rate = chart.signal[:, 12:].sum() / monitored.sum()
    assert 0 < rate <= NOMINAL_FALSE_ALARM_RATE


def test_a_ten_point_drop_in_month_18_is_signalled_in_month_18_or_19() -> None:
    x, n = _simulate(np.random.default_rng(18), drop=0.10)
    chart = control_chart(x, n)
    falls = chart.signal & (chart.direction < 0)
    detected = (falls[:, 17] | falls[:, 18]).mean()
    assert detected >= 0.90
    # ...and the slow EWMA alone catches a gradual 1-point-a-month slide by month 24.
    rng = np.random.default_rng(19)
    p0 = rng.uniform(0.75, 0.90, (1000, 1))
    n = rng.integers(150, 251, (1000, 24))
    slide = p0 - 0.01 * np.maximum(np.arange(24) - 11, 0)
    drift = control_chart(rng.binomial(n, slide), n)
    assert drift.ewma.signal[:, 12:].any(axis=1).mean() >= 0.9
