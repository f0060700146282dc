"""The Moments accumulators: additivity, JSON round trip, agreement with numpy."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from analysis import Moments, PairwiseMoments

likert = arrays(
    np.float64,
    st.tuples(st.integers(0, 30), st.just(3)),
    elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, np.nan]),
)


@settings(max_examples=60)
@given(likert, likert)
def test_addition_equals_concatenation(a: np.ndarray, b: np.ndarray) -> None:
    both = np.vstack([a, b])
    assert Moments.from_array(a) + Moments.from_array(b) == Moments.from_array(both)
    assert PairwiseMoments.from_responses(a) + PairwiseMoments.from_responses(
        b
    ) == PairwiseMoments.from_responses(both)


def test_covariance_matches_numpy_listwise() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, size=(100, 4)).astype(float)
    x[rng.random(x.shape) < 0.1] = np.nan
    m = Moments.from_array(x)
    complete = x[~np.isnan(x).any(axis=1)]
    assert m.n == complete.shape[0]
    assert m.covariance() == pytest.approx(np.cov(complete, rowvar=False))


def test_json_round_trip_and_name_checks() -> None:
    x = np.array([[1, 2], [3, 5], [4, 4.0]])
    m = Moments.from_array(x, ["a", "b"])
    assert Moments.from_dict(json.loads(json.dumps(m.to_dict()))) == m
    p = PairwiseMoments.from_responses(x, names=["a", "b"])
    assert PairwiseMoments.from_dict(json.loads(json.dumps(p.to_dict()))) == p
    with pytest.raises(ValueError, match="cannot add"):
        _ = m + Moments.from_array(x, ["a", "c"])
    assert Moments.from_array(np.empty((0, 2))).covariance() is None


def test_pairwise_covariance_diagonal_is_binomial_variance() -> None:
    # For a single proportion the linearised variance is p(1-p)/n.
    x = np.array([[5], [4], [2], [1], [np.nan]], dtype=float)
    p = PairwiseMoments.from_responses(x)
    assert p.covariance_of_means()[0, 0] == pytest.approx(0.5 * 0.5 / 4)
