"""Item-level statistics from a value -> count distribution.

The primary input is what ``SELECT value, COUNT(*) ... GROUP BY value`` returns, plus
the number of "not applicable" and missing answers. For weighted data pass the sums of
weights as counts and ``sum_sq_weights`` (``SUM(w * w)`` over valid answers): intervals
then use the Kish effective sample size.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from analysis.intervals import Interval, t_interval, wilson_interval
from analysis.results import SMALL_SAMPLE_THRESHOLD, Reason, reliability_flag

DEFAULT_SCALE: tuple[float, float] = (1.0, 5.0)
DEFAULT_SATISFIED: frozenset[float] = frozenset({4.0, 5.0})


@dataclass(frozen=True, slots=True)
class ItemStats:
    """Summary of one Likert item.

    Attributes
    ----------
    counts : tuple of (value, count)
        Distribution of valid answers, sorted by value (weighted sums if weighted).
    n_valid, n_na, n_missing : float
        Valid answers, "not applicable" answers, and unanswered.
    n_effective : float
        Kish effective size of the valid answers (equals ``n_valid`` unweighted).
    mean, sd : float or None
        Mean and standard deviation (``ddof=1``; weighted: scaled by
        ``n_eff / (n_eff - 1)``).
    mean_ci : Interval or None
        t interval of the mean.
    score_100, score_100_ci :
        Mean rescaled to 0-100: ``100 (mean - low) / (high - low)``.
    pct_satisfied : float or None
        Percentage (0-100) of valid answers in the satisfied set (top-two-box).
    pct_satisfied_ci : Interval or None
        Wilson interval in percent.
    reliable, flag :
        ``False`` / ``"small_sample"`` when ``n_effective < min_n``.
    reason : Reason or None
        Why some values are ``None``.
    """

    counts: tuple[tuple[float, float], ...]
    n_valid: float
    n_na: float
    n_missing: float
    n_effective: float
    mean: float | None
    sd: float | None
    mean_ci: Interval | None
    score_100: float | None
    score_100_ci: Interval | None
    pct_satisfied: float | None
    pct_satisfied_ci: Interval | None
    reliable: bool
    flag: str | None
    reason: Reason | None


def rescale_100(value: float, scale: tuple[float, float] = DEFAULT_SCALE) -> float:
    """Map a mean on ``scale`` to 0-100, e.g. ``25 (mean - 1)`` for a 1-5 scale."""
    low, high = scale
    if high <= low:
        raise ValueError(f"scale must be (low, high) with high > low, got {scale}")
    return 100.0 * (value - low) / (high - low)


def item_stats(
    counts: Mapping[float, float],
    *,
    n_na: float = 0,
    n_missing: float = 0,
    scale: tuple[float, float] = DEFAULT_SCALE,
    satisfied: Collection[float] = DEFAULT_SATISFIED,
    sum_sq_weights: float | None = None,
    level: float = 0.95,
    min_n: float = SMALL_SAMPLE_THRESHOLD,
) -> ItemStats:
    """Describe one item from its value -> count distribution.

    Parameters
    ----------
    counts : mapping of value to count
        Valid answers only (exclude N/A and missing). Counts may be sums of weights.
    n_na, n_missing : float
        Number of "not applicable" and missing answers (reported, never analysed).
    scale : (low, high)
        Range of the scale, for validation and the 0-100 score.
    satisfied : collection of values
        Values counted as satisfied (default top-two-box {4, 5}).
    sum_sq_weights : float, optional
        ``sum w^2`` over valid answers for weighted data; the effective size is then
        ``(sum w)^2 / sum w^2`` (Kish 1965).
    level : float
        Confidence level.
    min_n : float
        Small-sample threshold on the effective size.

    Returns
    -------
    ItemStats

    Notes
    -----
    Mean CI: ``mean ± t_{n-1} sd / sqrt(n)``. Satisfied CI: Wilson score interval.
    For weighted data both use ``n_eff`` in place of ``n``; this is Kish's
    approximation and ignores any correlation between weights and answers.

    References
    ----------
    .. [1] Wilson, E. B. (1927). JASA 22(158), 209-212.
    .. [2] Kish, L. (1965). Survey Sampling. Wiley, sec. 11.7.
    """
    if n_na < 0 or n_missing < 0:
        raise ValueError("n_na and n_missing must be non-negative")
    low, high = scale
    rescale_100(low, scale)  # validates the scale
    values = np.array(sorted(counts), dtype=np.float64)
    freq = np.array([counts[v] for v in sorted(counts)], dtype=np.float64)
    if (freq < 0).any() or not np.isfinite(freq).all():
        raise ValueError("counts must be finite and non-negative")
    if values.size and (values.min() < low or values.max() > high):
        raise ValueError(f"values {values.tolist()} fall outside the scale {scale}")
    keep = freq > 0
    values, freq = values[keep], freq[keep]
    n = float(freq.sum())
    if sum_sq_weights is None:
        n_eff = n
    elif sum_sq_weights <= 0:
        if n > 0:
            raise ValueError("sum_sq_weights must be positive when there are answers")
        n_eff = 0.0
    else:
        n_eff = n * n / sum_sq_weights
    reliable, flag = reliability_flag(n_eff, min_n)
    table = tuple((float(v), float(f)) for v, f in zip(values, freq, strict=True))
    if n == 0:
        return ItemStats(
            table, 0.0, float(n_na), float(n_missing), 0.0,
            None, None, None, None, None, None, None, reliable, flag, Reason.NO_DATA,
        )  # fmt: skip
    mean = float(freq @ values / n)
    n_sat = float(freq[np.isin(values, list(satisfied))].sum())
    sat_ci = wilson_interval(n_sat * n_eff / n, n_eff, level)
    pct_ci = None if sat_ci is None else sat_ci.scaled(100.0)
    sd: float | None = None
    mean_ci: Interval | None = None
    score_ci: Interval | None = None
    reason: Reason | None = None
    if n_eff > 1.0 + 1e-12:
        ss = float(freq @ (values - mean) ** 2)
        sd = math.sqrt(ss / n * n_eff / (n_eff - 1.0))
        mean_ci = t_interval(mean, sd, n_eff, level)
        if mean_ci is not None:
            score_ci = Interval(
                rescale_100(mean_ci.lower, scale),
                rescale_100(mean_ci.upper, scale),
                level,
                mean_ci.method,
            )
    else:
        reason = Reason.SINGLE_RESPONDENT
    return ItemStats(
        counts=table,
        n_valid=n,
        n_na=float(n_na),
        n_missing=float(n_missing),
        n_effective=n_eff,
        mean=mean,
        sd=sd,
        mean_ci=mean_ci,
        score_100=rescale_100(mean, scale),
        score_100_ci=score_ci,
        pct_satisfied=100.0 * n_sat / n,
        pct_satisfied_ci=pct_ci,
        reliable=reliable,
        flag=flag,
        reason=reason,
    )


def value_counts(
    values: ArrayLike, na_value: float | None = None
) -> tuple[dict[float, float], int, int]:
    """Tabulate raw answers into ``(counts, n_na, n_missing)`` for :func:`item_stats`.

    ``NaN`` is missing; ``na_value`` (if given) is the "not applicable" code.
    """
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    missing = np.isnan(array)
    na = np.zeros_like(missing) if na_value is None else array == na_value
    valid = array[~missing & ~na]
    uniq, cnt = np.unique(valid, return_counts=True)
    counts = {float(v): float(c) for v, c in zip(uniq, cnt, strict=True)}
    return counts, int(na.sum()), int(missing.sum())


def item_stats_from_values(
    values: ArrayLike,
    *,
    na_value: float | None = None,
    scale: tuple[float, float] = DEFAULT_SCALE,
    satisfied: Collection[float] = DEFAULT_SATISFIED,
    level: float = 0.95,
    min_n: float = SMALL_SAMPLE_THRESHOLD,
) -> ItemStats:
    """Convenience wrapper: :func:`value_counts` then :func:`item_stats`."""
    counts, n_na, n_missing = value_counts(values, na_value)
    return item_stats(
        counts,
        n_na=n_na,
        n_missing=n_missing,
        scale=scale,
        satisfied=satisfied,
        level=level,
        min_n=min_n,
    )
