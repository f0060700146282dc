"""SIPAS index, dimension scores, % agree and NPS."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import (
    PairwiseMoments,
    Reason,
    dimension_summary,
    nps,
    percent_agree,
    sipas_index,
    sipas_index_bootstrap,
)

ITEMS = ["a1", "a2", "p1", "p2", "p3", "c1", "c2"]
DIMS = {"access": ["a1", "a2"], "procedures": ["p1", "p2", "p3"], "civil": ["c1", "c2"]}


def _simulate(n: int, seed: int) -> np.ndarray:
    """Correlated Likert answers (latent factor) with about 8% N/A or missing."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 1))
    raw = 3.3 + 0.9 * latent + rng.normal(scale=0.9, size=(n, len(ITEMS)))
    x = np.clip(np.rint(raw), 1, 5)
    x[rng.random(x.shape) < 0.08] = np.nan
    return x


def _direct_index(x: np.ndarray) -> float:
    sat = np.where(np.isnan(x), np.nan, np.isin(x, [4, 5]).astype(float))
    p = dict(zip(ITEMS, np.nanmean(sat, axis=0), strict=True))
    return 100 * float(np.mean([np.mean([p[i] for i in its]) for its in DIMS.values()]))


def test_index_value_matches_direct_definition() -> None:
    x = _simulate(500, 1)
    res = sipas_index(PairwiseMoments.from_responses(x, names=ITEMS), DIMS)
    assert res.value == pytest.approx(_direct_index(x))
    assert [c.name for c in res.components] == list(DIMS)


def test_delta_interval_agrees_with_bootstrap() -> None:
    # The analytic (delta-method) SE must match a 4000-replicate respondent bootstrap.
    x = _simulate(800, 2)
    analytic = sipas_index(PairwiseMoments.from_responses(x, names=ITEMS), DIMS)
    boot = sipas_index_bootstrap(x, ITEMS, DIMS, n_boot=4000, seed=11)
    assert analytic.se is not None and boot.se is not None
    assert analytic.ci is not None and boot.ci is not None
    assert analytic.se == pytest.approx(boot.se, rel=0.08)
    assert analytic.ci.lower == pytest.approx(boot.ci.lower, abs=0.6)
    assert analytic.ci.upper == pytest.approx(boot.ci.upper, abs=0.6)


def test_delta_variance_is_calibrated_by_simulation() -> None:
    # Repeated sampling: the spread of the index across 300 surveys matches the mean SE.
    estimates, ses = [], []
    for seed in range(300):
        res = sipas_index(
            PairwiseMoments.from_responses(_simulate(300, 100 + seed), names=ITEMS), DIMS
        )
        assert res.value is not None and res.se is not None
        estimates.append(res.value)
        ses.append(res.se)
    assert np.std(estimates, ddof=1) == pytest.approx(np.mean(ses), rel=0.12)


def test_items_without_data_and_agency_without_responses() -> None:
    x = _simulate(100, 3)
    x[:, ITEMS.index("c1")] = np.nan
    x[:, ITEMS.index("c2")] = np.nan
    res = sipas_index(PairwiseMoments.from_responses(x, names=ITEMS), DIMS)
    assert res.components[2].reason is Reason.NO_DATA
    sub = {k: v for k, v in DIMS.items() if k != "civil"}
    assert res.value == pytest.approx(
        sipas_index(PairwiseMoments.from_responses(x, names=ITEMS), sub).value
    )
    none = sipas_index(PairwiseMoments.from_responses(np.empty((0, 7)), names=ITEMS), DIMS)
    assert none.value is None and none.reason is Reason.NO_DATA and not none.reliable
    boot = sipas_index_bootstrap(np.full((5, 7), np.nan), ITEMS, DIMS, n_boot=20)
    assert boot.value is None and boot.reason is Reason.NO_DATA


def test_percent_agree_and_dimension_summary() -> None:
    x = _simulate(300, 4)
    sat = PairwiseMoments.from_responses(x, names=ITEMS)
    vals = PairwiseMoments.from_array(x, names=ITEMS)
    agree = percent_agree(sat, ["p1", "p2", "p3"])
    dim = dimension_summary(vals, sat, "procedures", ["p1", "p2", "p3"])
    cols = x[:, 2:5]
    assert dim.mean == pytest.approx(np.nanmean(cols, axis=0).mean())
    assert dim.score_100 == pytest.approx(25 * (np.nanmean(cols, axis=0).mean() - 1))
    assert dim.pct_satisfied == pytest.approx(agree.value)
    s = np.where(np.isnan(cols), np.nan, np.isin(cols, [4, 5]))
    assert agree.value == pytest.approx(100 * np.nanmean(s, axis=0).mean())


def test_nps_matches_trinomial_variance() -> None:
    # Independent: NPS is the mean of scores +1/0/-1; its SE is sd(ddof=0)/sqrt(n).
    rng = np.random.default_rng(5)
    answers = rng.integers(0, 11, size=1000)
    counts = dict(zip(*np.unique(answers, return_counts=True), strict=True))
    res = nps({int(k): float(v) for k, v in counts.items()})
    score = np.where(answers >= 9, 1, np.where(answers <= 6, -1, 0))
    assert res.value == pytest.approx(100 * score.mean())
    assert res.se == pytest.approx(100 * score.std() / np.sqrt(score.size))
    assert res.pct_promoters + res.pct_passives + res.pct_detractors == pytest.approx(100)
    empty = nps({})
    assert empty.value is None and empty.reason is Reason.NO_DATA
    with pytest.raises(ValueError, match="0-10"):
        nps({11: 1})
