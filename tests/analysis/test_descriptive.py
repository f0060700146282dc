"""Item statistics against numpy/scipy/statsmodels computed on the raw answers."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis import (
    Reason,
    item_stats,
    item_stats_from_values,
    to_jsonable,
    value_counts,
    weighted_distribution,
)


def test_item_stats_match_raw_computation() -> None:
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, size=400).astype(float)
    x[:20] = 0  # "not applicable" code
    x[20:30] = np.nan
    res = item_stats_from_values(x, na_value=0)
    valid = x[(x >= 1)]
    assert res.n_valid == valid.size and res.n_na == 20 and res.n_missing == 10
    assert res.mean == pytest.approx(valid.mean())
    assert res.sd == pytest.approx(valid.std(ddof=1))
    lo, hi = stats.t.interval(0.95, valid.size - 1, loc=valid.mean(), scale=stats.sem(valid))
    assert res.mean_ci is not None
    assert (res.mean_ci.lower, res.mean_ci.upper) == pytest.approx((lo, hi))
    assert res.score_100 == pytest.approx(25 * (valid.mean() - 1))
    sat = int(np.isin(valid, [4, 5]).sum())
    assert res.pct_satisfied == pytest.approx(100 * sat / valid.size)
    wlo, whi = proportion_confint(sat, valid.size, method="wilson")
    assert res.pct_satisfied_ci is not None
    assert res.pct_satisfied_ci.lower == pytest.approx(100 * wlo)
    assert res.pct_satisfied_ci.upper == pytest.approx(100 * whi)
    assert res.reliable and res.flag is None


def test_custom_scale_and_satisfied_set() -> None:
    res = item_stats({1: 2, 4: 3, 7: 5}, scale=(1, 7), satisfied={6, 7})
    assert res.score_100 == pytest.approx(100 * ((2 + 12 + 35) / 10 - 1) / 6)
    assert res.pct_satisfied == pytest.approx(50.0)
    with pytest.raises(ValueError, match="outside the scale"):
        item_stats({9: 1})


def test_no_data_single_respondent_and_identical_answers() -> None:
    empty = item_stats({}, n_na=3)
    assert empty.mean is None and empty.reason is Reason.NO_DATA and empty.n_na == 3
    assert not empty.reliable and empty.flag == "small_sample"
    one = item_stats({4: 1})
    assert one.mean == 4 and one.sd is None and one.reason is Reason.SINGLE_RESPONDENT
    same = item_stats({5: 40})
    assert same.sd == 0 and same.mean_ci is not None and same.mean_ci.lower == 5
    for res in (empty, one, same):
        text = json.dumps(to_jsonable(res))  # never NaN/inf
        assert "NaN" not in text and "Infinity" not in text


def test_weighted_equal_weights_equal_unweighted_and_kish() -> None:
    x = np.array([1, 2, 4, 5, 5, np.nan])
    counts, sum_w2 = weighted_distribution(x, np.full(6, 2.0))
    weighted = item_stats(counts, sum_sq_weights=sum_w2)
    plain = item_stats(value_counts(x)[0])
    assert weighted.n_effective == pytest.approx(5)
    assert weighted.mean == pytest.approx(plain.mean)
    assert weighted.sd == pytest.approx(plain.sd)
    # Unequal weights: the weighted mean is numpy's average.
    w = np.array([1, 1, 2, 2, 4, 1.0])
    counts, sum_w2 = weighted_distribution(x, w)
    res = item_stats(counts, sum_sq_weights=sum_w2)
    ok = ~np.isnan(x)
    assert res.mean == pytest.approx(np.average(x[ok], weights=w[ok]))
    assert res.n_effective == pytest.approx(w[ok].sum() ** 2 / (w[ok] ** 2).sum())


def test_to_jsonable_rounds_only_when_asked() -> None:
    res = item_stats({4: 1, 5: 2})
    raw = to_jsonable(res)
    assert raw["mean"] == pytest.approx(14 / 3)
    assert to_jsonable(res, ndigits=2)["mean"] == 4.67
    assert to_jsonable(float("nan")) is None and to_jsonable(math.inf) is None
