"""Change over periods: difference since the previous period and linear trend test."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis import _distributions as dist
from analysis.proportions import ProportionDifference, compare_proportions
from analysis.results import SMALL_SAMPLE_THRESHOLD, Reason, reliability_flag


@dataclass(frozen=True, slots=True)
class TrendResult:
    """Cochran-Armitage test for a linear trend in proportion satisfied.

    ``slope`` is the least-squares change in proportion satisfied (percentage points)
    per unit of score, weighting each period by its size.
    """

    z: float | None
    chi2: float | None
    p_value: float | None
    slope: float | None
    n: float
    reliable: bool
    flag: str | None
    reason: Reason | None


def period_change(
    label: str,
    satisfied_now: float,
    n_now: float,
    satisfied_before: float,
    n_before: float,
    level: float = 0.95,
    min_n: float = SMALL_SAMPLE_THRESHOLD,
) -> ProportionDifference:
    """Change in % satisfied since the previous period, Newcombe hybrid score interval.

    Periods are treated as independent samples of respondents.

    References
    ----------
    .. [1] Newcombe, R. G. (1998). Interval estimation for the difference between
       independent proportions. Stat. Med. 17, 873-890.
    """
    return compare_proportions(
        label, satisfied_now, n_now, satisfied_before, n_before, level, min_n
    )


def cochran_armitage(
    satisfied: Sequence[float],
    n: Sequence[float],
    scores: Sequence[float] | None = None,
    min_n: float = SMALL_SAMPLE_THRESHOLD,
) -> TrendResult:
    """Cochran-Armitage test of trend in proportion satisfied over ordered periods.

    With period scores ``t_i`` (default ``0, 1, 2, ...``), pooled proportion ``p``:
    ``T = sum t_i (x_i - n_i p)``, ``Var T = p (1 - p) [sum n_i t_i^2 - (sum n_i t_i)^2
    / N]``, ``z = T / sqrt(Var T)``, two-sided normal p-value. (The conditional version,
    e.g. Agresti's ``M^2``, uses ``N - 1`` instead of ``N``: ``M^2 = z^2 (N - 1) / N``.)

    References
    ----------
    .. [1] Cochran, W. G. (1954). Some methods for strengthening the common chi-square
       tests. Biometrics 10(4), 417-451.
    .. [2] Armitage, P. (1955). Tests for linear trends in proportions and frequencies.
       Biometrics 11(3), 375-386.
    .. [3] Agresti, A. (2013). Categorical Data Analysis, 3rd ed., sec. 3.4.
    """
    x = np.asarray(satisfied, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    t = np.arange(x.size, dtype=np.float64) if scores is None else np.asarray(scores, float)
    if not x.shape == m.shape == t.shape or x.ndim != 1:
        raise ValueError("satisfied, n and scores must be 1-D and of the same length")
    if (x < 0).any() or (x > m).any():
        raise ValueError("need 0 <= satisfied <= n in every period")
    total = float(m.sum())
    present = m > 0
    smallest = float(m[present].min()) if present.any() else 0.0
    reliable, flag = reliability_flag(smallest, min_n)
    if total == 0:
        return TrendResult(None, None, None, None, 0.0, reliable, flag, Reason.NO_DATA)
    if int(present.sum()) < 2:
        return TrendResult(None, None, None, None, total, reliable, flag, Reason.SINGLE_GROUP)
    p = float(x.sum()) / total
    spread = float(m @ t**2 - (m @ t) ** 2 / total)
    if spread <= 1e-12:
        return TrendResult(None, None, None, None, total, reliable, flag, Reason.ZERO_VARIANCE)
    slope = float((x - m * p) @ t / spread)
    if p in (0.0, 1.0):
        return TrendResult(None, None, None, 100 * slope, total, reliable, flag,
                           Reason.ALL_IDENTICAL)  # fmt: skip
    z = float((x - m * p) @ t) / math.sqrt(p * (1 - p) * spread)
    pval = float(2 * dist.norm_sf(abs(z)))
    return TrendResult(z, z * z, pval, 100 * slope, total, reliable, flag, None)
