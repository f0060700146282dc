"""Internal consistency: Cronbach's alpha, Feldt interval, item-total statistics.

Everything is computed from a :class:`~analysis.moments.Moments` accumulator over the
items of one dimension (listwise deletion: ``n`` is the number of complete cases).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from analysis.intervals import Interval, feldt_interval
from analysis.moments import FloatArray, Moments
from analysis.results import SMALL_SAMPLE_THRESHOLD, Reason, reliability_flag

_EPS = 1e-12


@dataclass(frozen=True, slots=True)
class ItemReliability:
    """Item-total statistics of one item within its scale.

    ``corrected_item_total`` is the Pearson correlation of the item with the sum of the
    *other* items; ``alpha_if_deleted`` is alpha of the remaining items.
    """

    name: str
    corrected_item_total: float | None
    alpha_if_deleted: float | None
    reason: Reason | None


@dataclass(frozen=True, slots=True)
class AlphaResult:
    """Cronbach's alpha of a set of items with its Feldt interval."""

    alpha: float | None
    ci: Interval | None
    n: int
    k: int
    items: tuple[ItemReliability, ...]
    reliable: bool
    flag: str | None
    reason: Reason | None


def _alpha(cov: FloatArray) -> float | None:
    k = cov.shape[0]
    total = float(cov.sum())
    if k < 2 or total <= _EPS:
        return None
    return float(k / (k - 1) * (1.0 - float(np.trace(cov)) / total))


def cronbach_alpha(
    moments: Moments, level: float = 0.95, min_n: float = SMALL_SAMPLE_THRESHOLD
) -> AlphaResult:
    """Cronbach's alpha, Feldt CI, corrected item-total r and alpha-if-deleted.

    Parameters
    ----------
    moments : Moments
        Complete-case moments of the items of one dimension.
    level : float
        Confidence level of the Feldt interval.
    min_n : float
        Small-sample threshold on the number of complete cases.

    Returns
    -------
    AlphaResult
        ``alpha`` is ``None`` with reason ``too_few_items`` (k < 2), ``no_data``,
        ``single_respondent`` or ``zero_variance`` (total score constant).

    Notes
    -----
    With item covariance matrix ``C`` and ``T = 1'C1`` the variance of the total,
    ``alpha = k/(k-1) (1 - tr C / T)``. The corrected item-total correlation of item
    ``i`` is ``(c_i. - C_ii) / sqrt(C_ii (T - 2 c_i. + C_ii))`` with ``c_i.`` the row
    sum of ``C``. The Feldt interval uses ``F(n-1, (n-1)(k-1))``.

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
       tests. Psychometrika 16(3), 297-334.
    .. [2] Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference
       for coefficient alpha. Applied Psychological Measurement 11(1), 93-103.
    """
    k, n = moments.k, moments.n
    reliable, flag = reliability_flag(n, min_n)
    if k < 2:
        return AlphaResult(None, None, n, k, (), reliable, flag, Reason.TOO_FEW_ITEMS)
    if n == 0 or n == 1:
        why = Reason.NO_DATA if n == 0 else Reason.SINGLE_RESPONDENT
        empty = tuple(ItemReliability(name, None, None, why) for name in moments.names)
        return AlphaResult(None, None, n, k, empty, reliable, flag, why)
    cov = moments.covariance()
    if cov is None:  # pragma: no cover - n >= 2 here
        raise RuntimeError("covariance unexpectedly unavailable")
    alpha = _alpha(cov)
    rows = cov.sum(axis=1)
    total = float(cov.sum())
    items: list[ItemReliability] = []
    for i, name in enumerate(moments.names):
        rest_var = total - 2.0 * rows[i] + cov[i, i]
        denom = cov[i, i] * rest_var
        r = None if denom <= _EPS else float((rows[i] - cov[i, i]) / math.sqrt(denom))
        keep = [j for j in range(k) if j != i]
        a_del = _alpha(cov[np.ix_(keep, keep)]) if k >= 3 else None
        if k < 3:
            reason: Reason | None = Reason.TOO_FEW_ITEMS
        elif r is None or a_del is None:
            reason = Reason.ZERO_VARIANCE
        else:
            reason = None
        items.append(ItemReliability(name, r, a_del, reason))
    if alpha is None:
        return AlphaResult(None, None, n, k, tuple(items), reliable, flag, Reason.ZERO_VARIANCE)
    ci = feldt_interval(alpha, n, k, level)
    return AlphaResult(alpha, ci, n, k, tuple(items), reliable, flag, None)


def cronbach_alpha_from_array(
    data: ArrayLike,
    names: Sequence[str] | None = None,
    level: float = 0.95,
    min_n: float = SMALL_SAMPLE_THRESHOLD,
) -> AlphaResult:
    """Convenience wrapper over raw respondents x items data (NaN = missing/N/A)."""
    return cronbach_alpha(Moments.from_array(data, names), level, min_n)
