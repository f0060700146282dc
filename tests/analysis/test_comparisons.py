"""Rank tests from count tables against scipy and scikit-posthocs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scikit_posthocs as sp
from scipy import stats

from analysis import (
    RankTable,
    Reason,
    dunn,
    kruskal_wallis,
    mann_whitney_counts,
    versus_rest_ranks,
)


def _samples() -> dict[str, np.ndarray]:
    # Respondent means over 2 items take few distinct values: heavy ties.
    rng = np.random.default_rng(0)
    return {
        g: rng.integers(2, 11, size=n) / 2 + shift
        for g, n, shift in (("A", 40, 0.0), ("B", 55, 0.5), ("C", 35, 0.0), ("D", 60, -0.5))
    }


def test_kruskal_matches_scipy_with_ties() -> None:
    samples = _samples()
    res = kruskal_wallis(RankTable.from_samples(samples))
    h, p = stats.kruskal(*samples.values())
    assert res.statistic == pytest.approx(h) and res.p_value == pytest.approx(p)
    n = sum(s.size for s in samples.values())
    assert res.epsilon_squared == pytest.approx(h / (n - 1))
    assert res.df == 3


def test_dunn_holm_matches_scikit_posthocs() -> None:
    samples = _samples()
    res = dunn(RankTable.from_samples(samples))
    frame = pd.DataFrame(
        {"v": np.concatenate(list(samples.values())),
         "g": np.repeat(list(samples), [s.size for s in samples.values()])}
    )  # fmt: skip
    expected = sp.posthoc_dunn(frame, val_col="v", group_col="g", p_adjust="holm")
    raw = sp.posthoc_dunn(frame, val_col="v", group_col="g")
    assert len(res.pairs) == 6
    for pair in res.pairs:
        assert pair.p_adjusted == pytest.approx(expected.loc[pair.group_a, pair.group_b])
        assert pair.p_value == pytest.approx(raw.loc[pair.group_a, pair.group_b])


@pytest.mark.parametrize("continuity", [True, False])
def test_mann_whitney_from_counts_matches_scipy(continuity: bool) -> None:
    samples = _samples()
    a = samples["B"]
    rest = np.concatenate([samples[g] for g in ("A", "C", "D")])
    table = RankTable.from_samples({"a": a, "b": rest})
    res = mann_whitney_counts("B", table.counts[0], table.counts[1], continuity=continuity)
    ref = stats.mannwhitneyu(a, rest, method="asymptotic", use_continuity=continuity)
    assert res.u == pytest.approx(ref.statistic) and res.p_value == pytest.approx(ref.pvalue)
    vs_rest = versus_rest_ranks(RankTable.from_samples(samples))
    assert vs_rest[1].u == pytest.approx(ref.statistic)


def test_not_computable_cases() -> None:
    single = kruskal_wallis(RankTable.from_samples({"A": [1, 2, 3], "B": []}))
    assert single.statistic is None and single.reason is Reason.SINGLE_GROUP
    assert single.empty_groups == ("B",)
    same = kruskal_wallis(RankTable.from_samples({"A": [4, 4], "B": [4, 4, 4]}))
    assert same.reason is Reason.ALL_IDENTICAL and same.p_value is None
    assert kruskal_wallis(RankTable.from_samples({"A": [], "B": []})).reason is Reason.NO_DATA
    assert dunn(RankTable.from_samples({"A": [4, 4], "B": [4]})).reason is Reason.ALL_IDENTICAL
    mw = mann_whitney_counts("x", [3, 0], [0, 0])
    assert mw.u is None and mw.reason is Reason.EMPTY_GROUP
    with pytest.raises(ValueError, match="increasing"):
        RankTable(("a",), (2.0, 1.0), np.ones((1, 2)))
