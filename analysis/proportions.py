"""Proportion satisfied across agencies: chi-square, differences, each vs the rest."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis import _distributions as dist
from analysis.intervals import Interval, newcombe_interval
from analysis.results import SMALL_SAMPLE_THRESHOLD, Reason, reliability_flag


@dataclass(frozen=True, slots=True)
class ChiSquareResult:
    """Pearson chi-square of % satisfied across groups (k x 2 table)."""

    statistic: float | None
    df: int
    p_value: float | None
    cramers_v: float | None
    min_expected: float | None
    empty_groups: tuple[str, ...]
    reliable: bool
    flag: str | None
    reason: Reason | None


@dataclass(frozen=True, slots=True)
class ProportionDifference:
    """Difference ``pct_a - pct_b`` in percentage points with Newcombe interval."""

    label: str
    pct_a: float | None
    pct_b: float | None
    difference: float | None
    ci: Interval | None
    z: float | None
    p_value: float | None
    reliable: bool
    flag: str | None
    reason: Reason | None


def compare_proportions(
    label: str,
    x_a: float,
    n_a: float,
    x_b: float,
    n_b: float,
    level: float = 0.95,
    min_n: float = SMALL_SAMPLE_THRESHOLD,
) -> ProportionDifference:
    """Difference of two independent proportions, in percentage points.

    Interval: Newcombe hybrid score (method 10); test: pooled two-proportion z.

    References
    ----------
    .. [1] Newcombe, R. G. (1998). Stat. Med. 17, 873-890.
    """
    for x, n in ((x_a, n_a), (x_b, n_b)):
        if n < 0 or x < 0 or x > n:
            raise ValueError(f"need 0 <= satisfied <= n, got {x} of {n}")
    reliable, flag = reliability_flag(min(n_a, n_b), min_n)
    pa = 100 * x_a / n_a if n_a else None
    pb = 100 * x_b / n_b if n_b else None
    if pa is None or pb is None:
        return ProportionDifference(
            label, pa, pb, None, None, None, None, reliable, flag, Reason.EMPTY_GROUP
        )
    ci = newcombe_interval(x_a, n_a, x_b, n_b, level)
    pooled = (x_a + x_b) / (n_a + n_b)
    var = pooled * (1 - pooled) * (1 / n_a + 1 / n_b)
    z = p = None
    if var > 0:
        z = (x_a / n_a - x_b / n_b) / math.sqrt(var)
        p = float(2 * dist.norm_sf(abs(z)))
    return ProportionDifference(
        label, pa, pb, pa - pb, None if ci is None else ci.scaled(100.0), z, p,
        reliable, flag, None if var > 0 else Reason.ALL_IDENTICAL,
    )  # fmt: skip


def versus_rest_proportions(
    groups: Sequence[str],
    satisfied: Sequence[float],
    n: Sequence[float],
    level: float = 0.95,
    min_n: float = SMALL_SAMPLE_THRESHOLD,
) -> tuple[ProportionDifference, ...]:
    """Each group's % satisfied minus that of the rest of the city."""
    if not len(groups) == len(satisfied) == len(n):
        raise ValueError("groups, satisfied and n must have the same length")
    sx, sn = float(sum(satisfied)), float(sum(n))
    return tuple(
        compare_proportions(g, x, m, sx - x, sn - m, level, min_n)
        for g, x, m in zip(groups, satisfied, n, strict=True)
    )


def chi_square_satisfied(
    groups: Sequence[str],
    satisfied: Sequence[float],
    n: Sequence[float],
    min_n: float = SMALL_SAMPLE_THRESHOLD,
) -> ChiSquareResult:
    """Pearson chi-square (no continuity correction) of % satisfied across groups.

    Cramér's V is ``sqrt(X^2 / N)`` for a k x 2 table. ``reliable`` is ``False`` when
    a group is smaller than ``min_n`` or an expected count is below 5 (Cochran 1954).

    References
    ----------
    .. [1] Agresti, A. (2013). Categorical Data Analysis, 3rd ed. Wiley, sec. 3.2.
    .. [2] Cochran, W. G. (1954). Some methods for strengthening the common chi-square
       tests. Biometrics 10(4), 417-451.
    """
    if not len(groups) == len(satisfied) == len(n):
        raise ValueError("groups, satisfied and n must have the same length")
    x = np.asarray(satisfied, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    if (x < 0).any() or (x > m).any():
        raise ValueError("need 0 <= satisfied <= n for every group")
    empty = tuple(g for g, size in zip(groups, m, strict=True) if size == 0)
    x, m = x[m > 0], m[m > 0]
    total = float(m.sum())
    smallest = float(m.min()) if m.size else 0.0
    if m.size < 2:
        reliable, flag = reliability_flag(smallest, min_n)
        reason = Reason.SINGLE_GROUP if m.size else Reason.NO_DATA
        return ChiSquareResult(None, 0, None, None, None, empty, reliable, flag, reason)
    observed = np.column_stack([x, m - x])
    expected = np.outer(m, observed.sum(axis=0)) / total
    min_expected = float(expected.min())
    reliable, flag = reliability_flag(smallest, min_n)
    if min_expected < 5:
        reliable, flag = False, "small_sample"
    if (observed.sum(axis=0) == 0).any():
        return ChiSquareResult(
            None, m.size - 1, None, None, min_expected, empty, reliable, flag,
            Reason.ALL_IDENTICAL,
        )  # fmt: skip
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    df = m.size - 1
    p = float(dist.chi2_sf(chi2, df))
    return ChiSquareResult(
        chi2, df, p, math.sqrt(chi2 / total), min_expected, empty, reliable, flag, None
    )
