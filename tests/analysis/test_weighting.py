"""Post-stratification, raking and Kish effective sample size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import (
    kish,
    kish_from_sums,
    post_stratification_weights,
    post_stratify_respondents,
    rake,
    rake_respondents,
)


def test_kish_textbook_example() -> None:
    # 50 respondents with weight 1 and 50 with weight 2: n_eff = 150^2 / 250 = 90, and
    # Kish (1992, J. Official Statistics 8:183) deff = 1 + cv^2 = 1 + 0.25 / 2.25.
    w = np.r_[np.ones(50), np.full(50, 2.0)]
    res = kish(w)
    assert res.n_effective == pytest.approx(90)
    assert res.design_effect == pytest.approx(1 + w.var() / w.mean() ** 2)
    assert kish_from_sums(0, 0, 0).design_effect is None


def test_post_stratification_hand_worked() -> None:
    # 50 men, 50 women; population 60/40 -> weights 1.2 and 0.8.
    weights = post_stratification_weights({"m": 50, "f": 50}, {"m": 0.6, "f": 0.4})
    assert weights == pytest.approx({"m": 1.2, "f": 0.8})
    per = post_stratify_respondents(["m", "f", "f"], {"m": 0.5, "f": 0.5})
    assert per.tolist() == pytest.approx([1.5, 0.75, 0.75])
    with pytest.raises(ValueError, match="no respondents"):
        post_stratification_weights({"m": 5}, {"m": 0.5, "f": 0.5})
    with pytest.raises(ValueError, match="without a population share"):
        post_stratification_weights({"m": 5, "x": 1}, {"m": 1.0})
    with pytest.raises(ValueError, match="sum to 1"):
        post_stratification_weights({"m": 5}, {"m": 0.5})


def _independent_ipf(frame: pd.DataFrame, margins: dict[str, dict[str, float]]) -> np.ndarray:
    """Per-respondent raking written with pandas groupby, for comparison only."""
    w = pd.Series(1.0, index=frame.index)
    for _ in range(500):
        for col, target in margins.items():
            share = w.groupby(frame[col]).sum() / w.sum()
            w = w * frame[col].map(lambda c, s=share, t=target: t[c] / s[c])
    return (w / w.mean()).to_numpy()


def test_raking_matches_independent_ipf_and_margins() -> None:
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({
        "type": rng.choice(["citizen", "business"], size=300, p=[0.8, 0.2]),
        "channel": rng.choice(["counter", "online", "post"], size=300, p=[0.6, 0.3, 0.1]),
    })  # fmt: skip
    margins = {"type": {"citizen": 0.6, "business": 0.4},
               "channel": {"counter": 0.5, "online": 0.4, "post": 0.1}}  # fmt: skip
    w = rake_respondents([frame["type"].tolist(), frame["channel"].tolist()],
                         list(margins.values()))  # fmt: skip
    assert w == pytest.approx(_independent_ipf(frame, margins), rel=1e-6)
    for col, target in margins.items():
        share = pd.Series(w).groupby(frame[col]).sum() / w.sum()
        assert share.to_dict() == pytest.approx(target)
    assert w.mean() == pytest.approx(1.0)


def test_raking_single_variable_is_post_stratification() -> None:
    res = rake({("m",): 50, ("f",): 50}, [{"m": 0.6, "f": 0.4}])
    assert res.cell_weights == pytest.approx({("m",): 1.2, ("f",): 0.8})


def test_raking_errors() -> None:
    cells = {("m", "u"): 10, ("f", "u"): 5}
    with pytest.raises(ValueError, match="no respondents"):
        rake(cells, [{"m": 0.5, "f": 0.5}, {"u": 0.7, "r": 0.3}])
    with pytest.raises(ValueError, match="without a target"):
        rake(cells, [{"m": 1.0}, {"u": 1.0}])
    # Inconsistent structure: only (m,u) and (f,r) observed, margins cannot both move.
    with pytest.raises(ValueError, match="did not converge"):
        rake({("m", "u"): 10, ("f", "r"): 10, ("m", "r"): 1e-300},
             [{"m": 0.5, "f": 0.5}, {"u": 0.9, "r": 0.1}], max_iter=5)  # fmt: skip
