"""Satisfaction indices: SIPAS-style index, dimension scores, % agree (CSAT), NPS.

Definitions (equal weights throughout, documented so reports can quote them):

* item % satisfied ``p_i`` = share of valid answers in the satisfied set (N/A and
  missing excluded item by item);
* dimension % satisfied = mean of its items' ``p_i``; dimension mean = mean of its
  items' means (available-case, so an N/A on one item does not drop the respondent);
* SIPAS index = mean over dimensions of dimension % satisfied, on 0-100;
* % agree (CSAT, OMB Circular A-11 sec. 280 style) = mean of ``p_i`` over a given item
  set, i.e. a one-dimension index.

Items without any valid answer are left out of their dimension; dimensions without
any item with data are left out of the index and reported with reason ``no_data``.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from analysis.descriptive import DEFAULT_SATISFIED, DEFAULT_SCALE, rescale_100
from analysis.intervals import Interval, normal_interval
from analysis.moments import FloatArray, PairwiseMoments
from analysis.results import SMALL_SAMPLE_THRESHOLD, Reason, reliability_flag


@dataclass(frozen=True, slots=True)
class ComponentScore:
    """A dimension's (or item's) contribution to an index, 0-100."""

    name: str
    value: float | None
    ci: Interval | None
    n_min: float
    reason: Reason | None


@dataclass(frozen=True, slots=True)
class IndexResult:
    """An index on 0-100 with its interval and per-dimension components.

    ``n_min`` is the smallest valid count among the items used; ``reliable`` and
    ``flag`` refer to it.
    """

    value: float | None
    ci: Interval | None
    se: float | None
    method: str
    components: tuple[ComponentScore, ...]
    n_min: float
    reliable: bool
    flag: str | None
    reason: Reason | None


@dataclass(frozen=True, slots=True)
class DimensionSummary:
    """Dimension mean (mean of item means), its 0-100 score and % satisfied."""

    name: str
    mean: float | None
    mean_ci: Interval | None
    score_100: float | None
    score_100_ci: Interval | None
    pct_satisfied: float | None
    pct_satisfied_ci: Interval | None
    n_min: float
    reliable: bool
    flag: str | None
    reason: Reason | None


@dataclass(frozen=True, slots=True)
class NPSResult:
    """Net Promoter Score (-100..100) with promoter/passive/detractor shares (%)."""

    value: float | None
    ci: Interval | None
    se: float | None
    n: float
    pct_promoters: float | None
    pct_passives: float | None
    pct_detractors: float | None
    reliable: bool
    flag: str | None
    reason: Reason | None


def _coefficients(
    moments: PairwiseMoments, dimensions: Mapping[str, Sequence[str]]
) -> tuple[FloatArray, list[tuple[str, FloatArray | None]]]:
    """Index weights per item and per-dimension weights (items with data only)."""
    if not dimensions:
        raise ValueError("at least one dimension is required")
    n = moments.n_items()
    per_dim: list[tuple[str, FloatArray | None]] = []
    for name, items in dimensions.items():
        if not items:
            raise ValueError(f"dimension {name!r} has no items")
        idx = [moments.index(item) for item in items]
        present = [i for i in idx if n[i] > 0]
        if not present:
            per_dim.append((name, None))
            continue
        coef = np.zeros(moments.k)
        coef[present] = 1.0 / len(present)
        per_dim.append((name, coef))
    used = [c for _, c in per_dim if c is not None]
    total = np.zeros(moments.k) if not used else sum(used) / len(used)
    return np.asarray(total, dtype=np.float64), per_dim


def _linear(
    moments: PairwiseMoments, coef: FloatArray, cov: FloatArray
) -> tuple[float, float, float]:
    """Estimate, standard error and smallest item n of ``coef . item_means``."""
    est = float(coef @ moments.item_means())
    var = float(coef @ cov @ coef)
    n_used = moments.n_items()[coef != 0]
    return est, math.sqrt(max(var, 0.0)), float(n_used.min())


def sipas_index(
    satisfied: PairwiseMoments,
    dimensions: Mapping[str, Sequence[str]],
    level: float = 0.95,
    min_n: float = SMALL_SAMPLE_THRESHOLD,
) -> IndexResult:
    """SIPAS-style satisfaction index with a delta-method interval.

    Parameters
    ----------
    satisfied : PairwiseMoments
        Co-satisfaction counts (``PairwiseMoments.from_responses`` or SQL sums of
        ``valid_i * valid_j``, ``sat_i * valid_j`` and ``sat_i * sat_j``).
    dimensions : mapping of dimension name to item names
        Dimension membership; order is kept in ``components``.
    level : float
        Confidence level.
    min_n : float
        Small-sample threshold on the smallest item count.

    Returns
    -------
    IndexResult
        ``value = 100 * sum_d (1/D) sum_{i in d} p_i / m_d``.

    Notes
    -----
    The index is linear in the item proportions, ``I = c' p``. Each ``p_i`` is a
    ratio estimator ``sum_r v_ri y_ri / sum_r v_ri``; its linearisation gives
    ``Cov(p_i, p_j) = sum_r v_ri v_rj (y_ri - p_i)(y_rj - p_j) / (n_i n_j)``,
    which expands to ``(S_ij - p_j A_ij - p_i A_ji + N_ij p_i p_j) / (n_i n_j)`` with
    ``N_ij`` respondents valid on both items, ``S_ij`` satisfied on both and ``A_ij``
    satisfied on ``i`` and valid on ``j``. Then ``SE(I) = sqrt(c' V c)`` and the
    interval is ``I ± z SE`` clipped to [0, 100]. Respondents are treated as a simple
    random sample; agreement with a respondent bootstrap is checked in the tests.

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, ch. 6 (ratio
       estimators) and sec. 6.3 (variance by linearisation).
    .. [2] Woodruff, R. S. (1971). A simple method for approximating the variance of a
       complicated estimate. JASA 66(334), 411-414.
    .. [3] Ministry of Home Affairs of Viet Nam. SIPAS: satisfaction index of public
       administrative services (methodology of the annual survey).
    """
    coef, per_dim = _coefficients(satisfied, dimensions)
    cov = satisfied.covariance_of_means()
    components = []
    for name, dim_coef in per_dim:
        if dim_coef is None:
            components.append(ComponentScore(name, None, None, 0.0, Reason.NO_DATA))
            continue
        est, se, n_min = _linear(satisfied, dim_coef, cov)
        ci = normal_interval(100 * est, 100 * se, level, (0.0, 100.0), "delta")
        components.append(ComponentScore(name, 100 * est, ci, n_min, None))
    if not coef.any():
        reliable, flag = reliability_flag(0.0, min_n)
        return IndexResult(
            None, None, None, "delta", tuple(components), 0.0, reliable, flag, Reason.NO_DATA
        )
    est, se, n_min = _linear(satisfied, coef, cov)
    reliable, flag = reliability_flag(n_min, min_n)
    ci = normal_interval(100 * est, 100 * se, level, (0.0, 100.0), "delta")
    return IndexResult(
        100 * est, ci, 100 * se, "delta", tuple(components), n_min, reliable, flag, None
    )


def percent_agree(
    satisfied: PairwiseMoments,
    items: Sequence[str],
    level: float = 0.95,
    min_n: float = SMALL_SAMPLE_THRESHOLD,
) -> IndexResult:
    """CSAT / A-11 style % agree: mean top-two-box % over ``items``, delta-method CI."""
    return sipas_index(satisfied, {"percent_agree": items}, level, min_n)


def dimension_summary(
    values: PairwiseMoments,
    satisfied: PairwiseMoments,
    name: str,
    items: Sequence[str],
    scale: tuple[float, float] = DEFAULT_SCALE,
    level: float = 0.95,
    min_n: float = SMALL_SAMPLE_THRESHOLD,
) -> DimensionSummary:
    """Dimension mean (mean of item means) and % satisfied, both with delta CIs.

    ``values`` holds the pairwise moments of the raw answers and ``satisfied`` those of
    the satisfied indicator over the same items. The mean of item means is chosen over
    the mean of respondent means so that N/A on one item never removes a respondent and
    so that the dimension % satisfied matches the SIPAS definition. See
    :func:`sipas_index` for the variance formula.
    """
    coef_v, _ = _coefficients(values, {name: items})
    if not coef_v.any():
        reliable, flag = reliability_flag(0.0, min_n)
        return DimensionSummary(
            name, None, None, None, None, None, None, 0.0, reliable, flag, Reason.NO_DATA
        )
    mean, se, n_min = _linear(values, coef_v, values.covariance_of_means())
    reliable, flag = reliability_flag(n_min, min_n)
    mean_ci = normal_interval(mean, se, level, scale, "delta")
    score_ci = Interval(
        rescale_100(mean_ci.lower, scale), rescale_100(mean_ci.upper, scale), level, "delta"
    )
    pct = sipas_index(satisfied, {name: items}, level, min_n)
    return DimensionSummary(
        name=name,
        mean=mean,
        mean_ci=mean_ci,
        score_100=rescale_100(mean, scale),
        score_100_ci=score_ci,
        pct_satisfied=pct.value,
        pct_satisfied_ci=pct.ci,
        n_min=n_min,
        reliable=reliable,
        flag=flag,
        reason=None,
    )


def sipas_index_bootstrap(
    responses: ArrayLike,
    item_names: Sequence[str],
    dimensions: Mapping[str, Sequence[str]],
    *,
    satisfied: Collection[float] = DEFAULT_SATISFIED,
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
    min_n: float = SMALL_SAMPLE_THRESHOLD,
    chunk: int = 200,
) -> IndexResult:
    """SIPAS index with a seeded percentile bootstrap over respondents.

    Parameters
    ----------
    responses : array_like, shape (n_respondents, n_items)
        Raw answers; NaN marks missing or N/A.
    item_names : sequence of str
        Column names of ``responses``.
    dimensions : mapping
        As in :func:`sipas_index`.
    satisfied : collection
        Satisfied values.
    n_boot, seed : int
        Number of replicates and seed of ``numpy.random.default_rng``.
    chunk : int
        Replicates per vectorised batch (memory ``chunk * n_respondents`` floats).

    Notes
    -----
    Each replicate draws multinomial respondent frequencies ``w`` and recomputes
    ``p_i = sum_r w_r s_ri / sum_r w_r v_ri``. Replicates in which an item used by the
    index has no valid answer are discarded.

    References
    ----------
    .. [1] Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap.
       Chapman & Hall, ch. 13 (percentile intervals).
    """
    if n_boot < 10:
        raise ValueError(f"n_boot must be at least 10, got {n_boot}")
    array = np.asarray(responses, dtype=np.float64)
    moments = PairwiseMoments.from_responses(array, satisfied, item_names)
    point = sipas_index(moments, dimensions, level, min_n)
    if point.value is None:
        return IndexResult(
            None, None, None, "bootstrap", point.components, 0.0,
            point.reliable, point.flag, point.reason,
        )  # fmt: skip
    coef, _ = _coefficients(moments, dimensions)
    valid = (~np.isnan(array)).astype(np.float64)
    sat = np.where(np.isin(array, list(satisfied)), 1.0, 0.0) * valid
    rng = np.random.default_rng(seed)
    n = array.shape[0]
    reps: list[FloatArray] = []
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        w = rng.multinomial(n, np.full(n, 1.0 / n), size=size).astype(np.float64)
        num, den = w @ sat, w @ valid
        p = np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0)
        p = np.where(coef > 0, p, 0.0)
        reps.append(p @ coef)
    values = np.concatenate(reps)
    values = values[np.isfinite(values)]
    tail = (1.0 - level) / 2.0
    lower, upper = np.quantile(100 * values, [tail, 1.0 - tail])
    ci = Interval(float(lower), float(upper), level, "bootstrap_percentile")
    se = float(np.std(100 * values, ddof=1))
    return IndexResult(
        point.value, ci, se, "bootstrap", point.components, point.n_min,
        point.reliable, point.flag, None,
    )  # fmt: skip


def nps(
    counts: Mapping[int, float],
    level: float = 0.95,
    min_n: float = SMALL_SAMPLE_THRESHOLD,
) -> NPSResult:
    """Net Promoter Score from a 0-10 answer distribution.

    ``NPS = 100 (p_9-10 - p_0-6)``. Each answer scores +1, 0 or -1, so the NPS is a mean
    of a trinomial variable with ``Var = (p_P + p_D - (p_P - p_D)^2) / n``; the interval
    is the Wald interval on that variance, clipped to [-100, 100].

    References
    ----------
    .. [1] Reichheld, F. F. (2003). The one number you need to grow. Harvard Business
       Review 81(12), 46-54.
    .. [2] Rocks, B. (2016). Interval estimation for the "Net Promoter Score".
       The American Statistician 70(4), 365-372.
    """
    for answer, count in counts.items():
        if answer not in range(11):
            raise ValueError(f"NPS answers must be integers 0-10, got {answer!r}")
        if count < 0:
            raise ValueError("counts must be non-negative")
    n = float(sum(counts.values()))
    reliable, flag = reliability_flag(n, min_n)
    if n == 0:
        return NPSResult(None, None, None, 0.0, None, None, None, reliable, flag, Reason.NO_DATA)
    promoters = float(sum(c for v, c in counts.items() if v >= 9)) / n
    detractors = float(sum(c for v, c in counts.items() if v <= 6)) / n
    value = promoters - detractors
    se = math.sqrt(max(promoters + detractors - value**2, 0.0) / n)
    ci = normal_interval(100 * value, 100 * se, level, (-100.0, 100.0), "wald_trinomial")
    return NPSResult(
        value=100 * value,
        ci=ci,
        se=100 * se,
        n=n,
        pct_promoters=100 * promoters,
        pct_passives=100 * (1.0 - promoters - detractors),
        pct_detractors=100 * detractors,
        reliable=reliable,
        flag=flag,
        reason=None,
    )
