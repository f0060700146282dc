"""Driver analysis: which dimensions go with overall satisfaction.

Inputs are :class:`~analysis.moments.Moments` over the dimension scores and the overall
satisfaction item (complete cases), so drivers can be computed from stored aggregates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from analysis import _distributions as dist
from analysis.intervals import Interval
from analysis.moments import FloatArray, Moments
from analysis.results import SMALL_SAMPLE_THRESHOLD, Reason, reliability_flag


@dataclass(frozen=True, slots=True)
class Correlation:
    """Pearson r of one predictor with the outcome, Fisher-z CI and t-test p-value."""

    name: str
    r: float | None
    ci: Interval | None
    p_value: float | None
    reason: Reason | None


@dataclass(frozen=True, slots=True)
class RelativeWeight:
    """Johnson's relative weight: raw (share of R^2 units) and % of R^2."""

    name: str
    raw: float
    pct_of_r2: float


@dataclass(frozen=True, slots=True)
class DriverResult:
    """Correlations, relative weights (summing to R^2) and a plain-language reading."""

    outcome: str
    n: int
    correlations: tuple[Correlation, ...]
    r_squared: float | None
    weights: tuple[RelativeWeight, ...]
    summary_en: str | None
    summary_vi: str | None
    reliable: bool
    flag: str | None
    reason: Reason | None


def _correlation(cov: FloatArray) -> FloatArray | None:
    sd = np.sqrt(np.diag(cov))
    if (sd <= 1e-12).any():
        return None
    return np.asarray(cov / np.outer(sd, sd), dtype=np.float64)


def _pearson(name: str, r: float, n: int, level: float) -> Correlation:
    r = max(-1.0, min(1.0, r))
    if n < 3:
        return Correlation(name, r, None, None, Reason.SINGLE_RESPONDENT)
    if abs(r) >= 1.0 - 1e-12:
        return Correlation(name, r, None, 0.0, None)
    t = r * math.sqrt((n - 2) / (1 - r * r))
    p = float(2 * dist.t_sf(abs(t), n - 2))
    ci = None
    if n > 3:
        half = float(dist.norm_isf((1 - level) / 2)) / math.sqrt(n - 3)
        ci = Interval(math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half),
                      level, "fisher_z")  # fmt: skip
    return Correlation(name, r, ci, p, None)


def relative_weights_from_correlation(
    r_xx: FloatArray, r_xy: FloatArray
) -> tuple[FloatArray, float]:
    """Johnson's relative weights from predictor and predictor-outcome correlations.

    ``R_xx = P D P'``; ``L = P D^(1/2) P'`` holds the correlations of the predictors with
    their closest orthonormal counterparts ``Z``; ``beta = L^-1 r_xy`` are the weights
    of ``y`` on ``Z``; raw weights are ``(L o L) beta^2`` and sum to ``R^2``.

    Raises
    ------
    numpy.linalg.LinAlgError
        When ``R_xx`` is singular (perfectly collinear predictors).
    """
    evals, evecs = np.linalg.eigh(r_xx)
    if evals.min() <= 1e-10 * max(evals.max(), 1.0):
        raise np.linalg.LinAlgError("predictor correlation matrix is singular")
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    beta = np.linalg.solve(lam, r_xy)
    raw = (lam**2) @ beta**2
    return np.asarray(raw, dtype=np.float64), float(beta @ beta)


def drivers(
    moments: Moments,
    outcome: str,
    predictors: Sequence[str] | None = None,
    labels_vi: Mapping[str, str] | None = None,
    level: float = 0.95,
    min_n: float = SMALL_SAMPLE_THRESHOLD,
) -> DriverResult:
    """Correlations with overall satisfaction and Johnson's relative weights.

    Parameters
    ----------
    moments : Moments
        Complete-case moments of the predictors (dimension scores) and the outcome.
    outcome : str
        Name of the overall-satisfaction variable in ``moments``.
    predictors : sequence of str, optional
        Default: every other variable.
    labels_vi : mapping, optional
        Vietnamese labels of the predictors for ``summary_vi`` (default: the names).
    level : float
        Confidence level of the correlation intervals.
    min_n : float
        Small-sample threshold on complete cases.

    Returns
    -------
    DriverResult
        Relative weights are empty with reason ``zero_variance`` (a constant variable)
        or ``singular_matrix`` (perfectly collinear predictors).

    References
    ----------
    .. [1] Johnson, J. W. (2000). A heuristic method for estimating the relative weight
       of predictor variables in multiple regression. Multivariate Behavioral Research
       35(1), 1-19.
    .. [2] Tonidandel, S., & LeBreton, J. M. (2011). Relative importance analysis: a
       useful supplement to regression analysis. J. Business and Psychology 26, 1-9.
    """
    preds = [v for v in moments.names if v != outcome] if predictors is None else list(predictors)
    if not preds:
        raise ValueError("at least one predictor is required")
    sub = moments.select([*preds, outcome])
    n = sub.n
    reliable, flag = reliability_flag(n, min_n)

    def empty(reason: Reason, corrs: tuple[Correlation, ...] = ()) -> DriverResult:
        return DriverResult(outcome, n, corrs, None, (), None, None, reliable, flag, reason)

    if n == 0:
        return empty(Reason.NO_DATA)
    cov = sub.covariance()
    if cov is None:
        return empty(Reason.SINGLE_RESPONDENT)
    sd = np.sqrt(np.diag(cov))
    corrs = []
    for i, name in enumerate(preds):
        if sd[i] <= 1e-12 or sd[-1] <= 1e-12:
            corrs.append(Correlation(name, None, None, None, Reason.ZERO_VARIANCE))
        else:
            corrs.append(_pearson(name, float(cov[i, -1] / (sd[i] * sd[-1])), n, level))
    corr = _correlation(cov)
    if corr is None:
        return empty(Reason.ZERO_VARIANCE, tuple(corrs))
    try:
        raw, r2 = relative_weights_from_correlation(corr[:-1, :-1], corr[:-1, -1])
    except np.linalg.LinAlgError:
        return empty(Reason.SINGULAR_MATRIX, tuple(corrs))
    pct = 100 * raw / r2 if r2 > 0 else np.zeros_like(raw)
    weights = tuple(
        RelativeWeight(name, float(w), float(p)) for name, w, p in zip(preds, raw, pct, strict=True)
    )
    top = max(weights, key=lambda w: w.raw)
    vi = (labels_vi or {}).get(top.name, top.name)
    share = round(top.pct_of_r2)
    en = (
        f"{top.name} explains the largest share ({share}%) of the explained variation in "
        f"{outcome} (R² = {r2:.2f})."
    )
    vi_text = (
        f"{vi} giải thích phần lớn nhất ({share}%) trong mức biến thiên được giải thích "
        f"của sự hài lòng chung (R² = {r2:.2f})."
    )
    return DriverResult(outcome, n, tuple(corrs), r2, weights, en, vi_text, reliable, flag, None)
