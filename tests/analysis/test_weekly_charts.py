"""Weekly control charts "where n allows": the sample-size rule, hand-computed limits,
and the false-alarm rate on simulated stable weekly series."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.control_charts import (
    NOMINAL_FALSE_ALARM_RATE,
    adequate_chart,
    control_chart,
    required_n,
)


def test_required_n_follows_the_np_rule() -> None:
    # n p0 >= 5 and n (1 - p0) >= 5 (Montgomery 2009, Section 7.2.1), at least 30.
    got = required_n([0.5, 0.8, 0.83, 0.9, 0.95, 0.02, 1.0, 0.0, math.nan])
    assert got.tolist() == [30, 30, 30, 50, 100, 250, math.inf, math.inf, math.inf]


def test_limits_of_an_eligible_weekly_series_by_hand() -> None:
    # 12 baseline weeks of 48 satisfied of 60: p0 = 576 / 720 = 0.8, required n 30.
    # Week 13 has n = 40: sigma = sqrt(0.8 * 0.2 * (1/40 + 1/720)) = sqrt(0.0042222)
    # = 0.0649786, lower limit 0.8 - 3 * 0.0649786 = 0.605064. 24 of 40 = 0.6 is below.
    # Week 14 has n = 25 < 30: no point, no signal, whatever its count.
    x = np.array([48] * 12 + [24, 0])
    n = np.array([60] * 12 + [40, 25])
    result = adequate_chart(x, n, baseline=12)
    chart = result.chart
    assert bool(result.eligible) and float(result.required_n) == 30
    assert float(chart.centre[0]) == pytest.approx(0.8)
    assert float(chart.p_lower[12]) == pytest.approx(0.605064, abs=1e-6)
    assert chart.p_signal.tolist() == [False] * 12 + [True, False]
    assert not chart.monitored[13] and math.isnan(chart.p[13])
    # On a series the rule allows, the chart is the ordinary one.
    plain = control_chart(x[:13], n[:13], baseline=12)
    np.testing.assert_allclose(chart.p_lower[:13], plain.p_lower, equal_nan=True)
    np.testing.assert_allclose(chart.ewma.lower[:13], plain.ewma.lower, equal_nan=True)


def test_a_small_or_gappy_series_gets_no_chart() -> None:
    x = np.array(
        [
            [16] * 12 + [0],  # 20 a week: too few
            [48] * 11 + [16, 0],  # one baseline week of 20
            [36] * 12 + [0],  # p0 = 0.9 at n = 40: n (1 - p0) = 4 < 5, needs 50
            [40] * 12 + [0],  # all satisfied: no limits at any n
        ]
    )
    n = np.array([[20] * 13, [60] * 11 + [20, 60], [40] * 13, [40] * 13])
    result = adequate_chart(x, n, baseline=12)
    assert result.eligible.tolist() == [False, False, False, False]
    assert result.required_n.tolist()[2] == 50
    assert not result.chart.signal.any() and not result.chart.monitored.any()
    assert np.isnan(result.chart.centre).all()


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="differ in shape"):
        adequate_chart([1, 2], [2], baseline=1)
    with pytest.raises(ValueError, match="baseline must be between 1 and 1"):
        adequate_chart([1, 1], [2, 2], baseline=2)


def test_stable_weekly_series_false_alarm_rate_is_at_most_nominal() -> None:
    # 5,000 stable agencies over 24 weeks at the smallest weekly samples the rule allows
    # (50-100 respondents a week, satisfaction 75-90 %): the rate is about 0.86 % of
    # monitored weeks (40,000 agencies), under the nominal 1 %. Many agencies keep the
    # simulation error (about 0.04 points here) well inside the margin.
    rng = np.random.default_rng(16)
    agencies, weeks = 5000, 24
    p0 = rng.uniform(0.75, 0.90, (agencies, 1))
    n = rng.integers(50, 101, (agencies, weeks))
    x = rng.binomial(n, np.repeat(p0, weeks, axis=1))
    result = adequate_chart(x, n, baseline=12)
    assert result.eligible.mean() > 0.95
    chart = result.chart
    monitored = chart.monitored[:, 12:]
    rate = chart.signal[:, 12:].sum() / monitored.sum()
    assert 0 < rate <= NOMINAL_FALSE_ALARM_RATE
