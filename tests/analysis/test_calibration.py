"""Weights to the registers, checked against the ipfn package and by hand."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.calibration import weights_to_registers


def test_agency_only_is_post_stratification_by_hand() -> None:
    # A: 3 respondents, 600 dossiers; B: 1 respondent, 400 dossiers; C: 1 respondent,
    # no register. Shares .6/.4 of the 4 weighted: A = .6 * 4 / 3 = 0.8, B = 1.6.
    result = weights_to_registers(["A", "A", "A", "B", "C"], {"A": 600, "B": 400, "D": 50})
    assert result.weights.tolist() == pytest.approx([0.8, 0.8, 0.8, 1.6, 0.0])
    assert result.method == "poststratification"
    assert result.unregistered == ("C",)
    assert result.uncovered == ("D",)


def test_raking_to_agency_and_type_matches_ipfn() -> None:
    ipfn = pytest.importorskip("ipfn.ipfn")
    rng = np.random.default_rng(11)
    n = 2000
    agencies = rng.choice(["Q1", "Q3", "BT", "GV"], size=n, p=[0.4, 0.3, 0.2, 0.1])
    types = rng.choice(["citizen", "business"], size=n, p=[0.7, 0.3])
    volumes = {"Q1": 5200.0, "Q3": 3100.0, "BT": 4400.0, "GV": 6100.0}
    by_type = {"citizen": 15000.0, "business": 3800.0}
    result = weights_to_registers(list(agencies), volumes, {"type": (list(types), by_type)})
    # ipfn on the agency x type table of respondent counts, to the same margins
    # (scaled to the respondents' total so the fitted table is in respondent units).
    rows, cols = ["BT", "GV", "Q1", "Q3"], ["business", "citizen"]
    table = np.array([[np.sum((agencies == a) & (types == t)) for t in cols] for a in rows],
                     dtype=float)  # fmt: skip
    total = sum(volumes.values())
    agency_margin = np.array([volumes[a] / total * n for a in rows])
    type_margin = np.array([by_type[t] / sum(by_type.values()) * n for t in cols])
    fitted = ipfn.ipfn(
        table.copy(), [agency_margin, type_margin], [[0], [1]],
        convergence_rate=1e-14, max_iteration=5000,
    ).iteration()  # fmt: skip
    expected = np.array([fitted[rows.index(a), cols.index(t)] / table[rows.index(a),
                         cols.index(t)] for a, t in zip(agencies, types, strict=True)])  # fmt: skip
    assert result.method == "raking"
    assert np.abs(result.weights - expected).max() < 1e-8


def test_respondents_without_a_type_are_left_out_and_errors() -> None:
    result = weights_to_registers(
        ["A", "A", "A", "B", "B"], {"A": 10, "B": 10},
        {"type": (["x", None, "y", "x", "y"], {"x": 12, "y": 8})},
    )  # fmt: skip
    assert result.weights[1] == 0.0 and (result.weights[[0, 2, 3, 4]] > 0).all()
    with pytest.raises(ValueError, match="no respondent"):
        weights_to_registers(["A"], {"B": 5})
    with pytest.raises(ValueError, match="no respondents"):
        weights_to_registers(["A", "A"], {"A": 5}, {"type": (["x", "x"], {"x": 1, "y": 1})})
