"""Method profiles on constructed microdata, against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.method import PROFILES, MethodProfile, profile_index, profile_of

NAN = math.nan
# Four respondents, criterion A = items 0 and 1, criterion B = item 2.
# r2 answered item 1 "not applicable"; NaN = no answer.
VALUES = np.array(
    [
        [5, 3, 4],
        [4, NAN, 2],
        [2, 5, NAN],
        [NAN, 4, 3],
    ]
)
NA = np.array(
    [
        [False, False, False],
        [False, True, False],
        [False, False, False],
        [False, False, False],
    ]
)
CRITERIA = [[0, 1], [2]]


def test_sipas_2017_items_then_criteria_then_index() -> None:
    # item 0: r1 5, r2 4, r3 2 -> 2 of 3 satisfied; item 1: r1 3, r3 5, r4 4 (r2's N/A
    # left out) -> 2/3; item 2: r1 4, r2 2, r4 3 -> 1/3.
    # A = (2/3 + 2/3) / 2 = 2/3; B = 1/3; index = (2/3 + 1/3) / 2 = 1/2 -> 50.
    result = profile_index(VALUES, NA, CRITERIA, profile_of("sipas-2017/1"))
    assert result.value == pytest.approx(50.0, abs=1e-12)
    assert result.criteria == pytest.approx((200 / 3, 100 / 3))
    assert result.n == 4


def test_na_counted_as_not_satisfied() -> None:
    # As above but r2's N/A on item 1 is a counted, unsatisfied answer: item 1 = 2/4;
    # A = (2/3 + 1/2) / 2 = 7/12; index = (7/12 + 1/3) / 2 = 11/24.
    profile = MethodProfile("test", 1, (4, 5), "items", "not_satisfied")
    result = profile_index(VALUES, NA, CRITERIA, profile)
    assert result.value == pytest.approx(100 * 11 / 24, abs=1e-12)


def test_sipas_2023_respondent_level() -> None:
    # r1: A = {5, 3} -> 1/2, B = {4} -> 1, score 3/4; r2: A = {4} (N/A left out) -> 1,
    # B = {2} -> 0, score 1/2; r3: A = {2, 5} -> 1/2, no B, score 1/2; r4: A = {4} -> 1,
    # B = {3} -> 0, score 1/2. Index = (3/4 + 1/2 + 1/2 + 1/2) / 4 = 9/16.
    # Criteria over the respondents who answered them: A = (1/2 + 1 + 1/2 + 1) / 4 = 3/4,
    # B = (1 + 0 + 0) / 3 = 1/3.
    result = profile_index(VALUES, NA, CRITERIA, profile_of("sipas-2023/1"))
    assert result.value == pytest.approx(100 * 9 / 16, abs=1e-12)
    assert result.criteria == pytest.approx((75.0, 100 / 3))
    # weights 2, 1, 1, 1: (2 * 3/4 + 1/2 + 1/2 + 1/2) / 5 = 3/5
    weighted = profile_index(VALUES, NA, CRITERIA, profile_of("sipas-2023/1"), [2, 1, 1, 1])
    assert weighted.value == pytest.approx(60.0, abs=1e-12)


def test_satisfied_set_of_a_profile_is_used() -> None:
    # satisfied = {3, 4, 5}: item 0 2/3, item 1 3/3, item 2 2/3 -> A 5/6, B 2/3 -> 3/4.
    profile = MethodProfile("lenient", 1, (3, 4, 5), "items", "exclude")
    assert profile_index(VALUES, NA, CRITERIA, profile).value == pytest.approx(75.0)


def test_linearised_se_of_one_item_matches_samplics() -> None:
    # One criterion of one item: the index is a weighted ratio; samplics' Taylor
    # estimator of a ratio (with-replacement, single stage) is the independent check.
    samplics = pytest.importorskip("samplics")
    rng = np.random.default_rng(7)
    n = 200
    values = rng.integers(1, 6, size=(n, 1)).astype(float)
    values[:12, 0] = NAN
    na = np.zeros((n, 1), dtype=bool)
    na[12:20, 0] = True
    weights = rng.uniform(0.3, 3.0, n)
    for key in PROFILES:  # domain estimation: the whole sample, x = answered
        result = profile_index(values, na, [[0]], profile_of(key), weights)
        x = (~np.isnan(values[:, 0]) & ~na[:, 0]).astype(float)
        y = np.isin(values[:, 0], (4, 5)).astype(float) * x
        est = samplics.TaylorEstimator(samplics.PopParam.ratio)
        # one item: both orders are the ratio over the respondents who answered it
        est.estimate(y=y, samp_weight=weights, x=x)
        assert result.value == pytest.approx(100 * float(est.point_est), abs=1e-8)
        assert result.se == pytest.approx(100 * float(est.stderror), abs=1e-8)


def test_bad_profiles_and_inputs() -> None:
    with pytest.raises(ValueError, match="unknown method profile"):
        profile_of("sipas-1999/1")
    with pytest.raises(ValueError, match="aggregation"):
        MethodProfile("x", 1, (4, 5), "dimensions", "exclude")
    with pytest.raises(ValueError, match="same shape"):
        profile_index(VALUES, NA[:2], CRITERIA, profile_of("sipas-2017/1"))
