"""Weights to known population shares and their cost in precision.

Post-stratification and raking work on cell counts (``GROUP BY`` the weighting
variables) and return one weight per cell; the ``*_respondents`` helpers map raw label
arrays to per-respondent weights. Weights are scaled to average 1 over respondents.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from analysis.moments import FloatArray
from analysis.results import SMALL_SAMPLE_THRESHOLD, reliability_flag

Cell = tuple[Hashable, ...]


@dataclass(frozen=True, slots=True)
class WeightSummary:
    """Kish effective sample size and design effect of a set of weights."""

    n: float
    sum_weights: float
    n_effective: float
    design_effect: float | None
    reliable: bool
    flag: str | None


@dataclass(frozen=True, slots=True)
class RakingResult:
    """Raking weight per cell, iterations used and the largest remaining margin error."""

    cell_weights: dict[Cell, float]
    iterations: int
    max_error: float


def kish_from_sums(
    n: float, sum_w: float, sum_w2: float, min_n: float = SMALL_SAMPLE_THRESHOLD
) -> WeightSummary:
    """Kish effective sample size ``(sum w)^2 / sum w^2`` and ``deff = n / n_eff``.

    References
    ----------
    .. [1] Kish, L. (1965). Survey Sampling. Wiley, sec. 11.7.
    .. [2] Kish, L. (1992). Weighting for unequal Pi. J. Official Statistics 8(2),
       183-200 (``deff = 1 + cv^2`` of the weights).
    """
    if n < 0 or sum_w < 0 or sum_w2 < 0:
        raise ValueError("n and the weight sums must be non-negative")
    n_eff = sum_w * sum_w / sum_w2 if sum_w2 > 0 else 0.0
    reliable, flag = reliability_flag(n_eff, min_n)
    deff = n / n_eff if n_eff > 0 else None
    return WeightSummary(float(n), float(sum_w), n_eff, deff, reliable, flag)


def kish(weights: ArrayLike, min_n: float = SMALL_SAMPLE_THRESHOLD) -> WeightSummary:
    """:func:`kish_from_sums` over an array of per-respondent weights."""
    w = _weights(weights)
    return kish_from_sums(float(w.size), float(w.sum()), float(w @ w), min_n)


def _weights(weights: ArrayLike) -> FloatArray:
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("weights must be finite and non-negative")
    return w


def _check_shares(shares: Mapping[Hashable, float], what: str) -> None:
    if any(s < 0 for s in shares.values()):
        raise ValueError(f"{what}: population shares must be non-negative")
    total = sum(shares.values())
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise ValueError(f"{what}: population shares must sum to 1, got {total}")


def post_stratification_weights(
    sample_counts: Mapping[Hashable, float], population_shares: Mapping[Hashable, float]
) -> dict[Hashable, float]:
    """Weight per stratum ``share_h * n / n_h`` (so weights average 1).

    Raises
    ------
    ValueError
        If a stratum with a positive share has no respondents, or respondents fall in a
        stratum absent from ``population_shares``.

    References
    ----------
    .. [1] Holt, D., & Smith, T. M. F. (1979). Post stratification. JRSS A 142(1),
       33-46.
    """
    _check_shares(population_shares, "post-stratification")
    unknown = [h for h, c in sample_counts.items() if c > 0 and h not in population_shares]
    if unknown:
        raise ValueError(f"respondents in strata without a population share: {unknown}")
    empty = [h for h, s in population_shares.items() if s > 0 and sample_counts.get(h, 0) <= 0]
    if empty:
        raise ValueError(f"target categories with no respondents: {empty}")
    n = float(sum(sample_counts.values()))
    present = [h for h in population_shares if sample_counts.get(h, 0) > 0]
    return {h: population_shares[h] * n / sample_counts[h] for h in present}


def post_stratify_respondents(
    strata: Sequence[Hashable], population_shares: Mapping[Hashable, float]
) -> FloatArray:
    """Per-respondent post-stratification weights from a label per respondent."""
    counts: dict[Hashable, float] = {}
    for label in strata:
        counts[label] = counts.get(label, 0.0) + 1.0
    per_stratum = post_stratification_weights(counts, population_shares)
    return np.array([per_stratum[label] for label in strata], dtype=np.float64)


def rake(
    cell_counts: Mapping[Cell, float],
    margins: Sequence[Mapping[Hashable, float]],
    tol: float = 1e-8,
    max_iter: int = 100,
) -> RakingResult:
    """Raking (iterative proportional fitting) of cell weights to marginal shares.

    Parameters
    ----------
    cell_counts : mapping of cell tuple to count
        Respondents per combination of the weighting variables; ``cell[v]`` is the
        category of variable ``v``.
    margins : sequence of mappings
        For each variable, population share per category (each sums to 1).
    tol : float
        Stop when every weighted margin share is within ``tol`` of its target.
    max_iter : int
        Maximum number of full cycles over the variables.

    Returns
    -------
    RakingResult
        Weight per respondent in each cell, scaled to average 1.

    Raises
    ------
    ValueError
        If a target category with a positive share has no respondents, a respondent's
        category has no target, or the algorithm does not converge.

    References
    ----------
    .. [1] Deming, W. E., & Stephan, F. F. (1940). On a least squares adjustment of a
       sampled frequency table when the expected marginal totals are known. Ann. Math.
       Statist. 11(4), 427-444.
    .. [2] Kolenikov, S. (2014). Calibrating survey data using iterative proportional
       fitting (raking). Stata Journal 14(1), 22-59.
    """
    if tol <= 0 or max_iter < 1:
        raise ValueError("tol must be positive and max_iter at least 1")
    cells = [c for c, k in cell_counts.items() if k > 0]
    if not cells:
        raise ValueError("no respondents to rake")
    counts = np.array([cell_counts[c] for c in cells], dtype=np.float64)
    n = float(counts.sum())
    codes: list[np.ndarray] = []
    targets: list[FloatArray] = []
    for v, shares in enumerate(margins):
        _check_shares(shares, f"raking variable {v}")
        cats = list(shares)
        try:
            codes.append(np.array([cats.index(c[v]) for c in cells]))
        except ValueError:
            seen = sorted({str(c[v]) for c in cells} - {str(k) for k in cats})
            raise ValueError(f"variable {v}: categories without a target: {seen}") from None
        present = np.bincount(codes[-1], weights=counts, minlength=len(cats))
        empty = [cat for cat, s, p in zip(cats, shares.values(), present, strict=True)
                 if s > 0 and p == 0]  # fmt: skip
        if empty:
            raise ValueError(f"variable {v}: target categories with no respondents: {empty}")
        targets.append(np.array(list(shares.values()), dtype=np.float64))
    w = np.ones_like(counts)
    error = math.inf
    for iteration in range(1, max_iter + 1):
        for code, target in zip(codes, targets, strict=True):
            current = np.bincount(code, weights=w * counts, minlength=target.size) / n
            factor = np.divide(target, current, out=np.zeros_like(target), where=current > 0)
            w = w * factor[code]
        error = max(
            float(np.abs(np.bincount(c, weights=w * counts, minlength=t.size) / n - t).max())
            for c, t in zip(codes, targets, strict=True)
        )
        if error < tol:
            return RakingResult(dict(zip(cells, w.tolist(), strict=True)), iteration, error)
    raise ValueError(f"raking did not converge in {max_iter} iterations (error {error:.3g})")


def rake_respondents(
    columns: Sequence[Sequence[Hashable]],
    margins: Sequence[Mapping[Hashable, float]],
    tol: float = 1e-8,
    max_iter: int = 100,
) -> FloatArray:
    """Per-respondent raking weights from one label sequence per variable."""
    if len(columns) != len(margins) or not columns:
        raise ValueError("need one margin per column and at least one column")
    rows = list(zip(*columns, strict=True))
    counts: dict[Cell, float] = {}
    for row in rows:
        counts[row] = counts.get(row, 0.0) + 1.0
    result = rake(counts, margins, tol, max_iter)
    return np.array([result.cell_weights[row] for row in rows], dtype=np.float64)


def weighted_distribution(
    values: ArrayLike, weights: ArrayLike
) -> tuple[dict[float, float], float]:
    """Sum of weights per value and ``sum w^2`` over valid (non-NaN) answers.

    Feed the result to :func:`analysis.descriptive.item_stats` as ``counts`` and
    ``sum_sq_weights`` for weighted item statistics (mean, % satisfied, intervals
    using the Kish effective size).
    """
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    w = _weights(weights)
    if x.shape != w.shape:
        raise ValueError("values and weights must have the same length")
    ok = ~np.isnan(x)
    uniq, inverse = np.unique(x[ok], return_inverse=True)
    sums = np.bincount(inverse, weights=w[ok], minlength=uniq.size)
    counts = {float(v): float(s) for v, s in zip(uniq, sums, strict=True)}
    return counts, float(w[ok] @ w[ok])
