"""Method profiles: how a satisfaction index is computed, named and versioned.

A profile fixes the satisfied set, the order of aggregation and the handling of
"not applicable" answers, so that a report can say exactly which rules produced its
index (``sipas-2017/1``, ``sipas-2023/1``). :func:`profile_index` computes the index
of a profile from respondent-level microdata, optionally weighted, with a Taylor
linearisation standard error (so the interval reflects the weights' design effect).

Orders of aggregation
---------------------
``items``
    item % satisfied (share of the item's counted answers in the satisfied set) ->
    criterion = mean of its items -> index = mean of the criteria (the SIPAS 2017
    method, Decision 2640/QĐ-BNV).
``respondent``
    each respondent's share of satisfied answers within each criterion -> the
    respondent's score = mean of the criteria they answered -> index = mean over
    respondents (the respondent-level reading of the 2023-2026 scheme, Decision
    1001/QĐ-BNV).

N/A rules
---------
``exclude``
    a "not applicable" answer is left out of the denominators (item by item).
``not_satisfied``
    a "not applicable" answer counts as an answer outside the satisfied set.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from analysis.intervals import Interval, normal_interval
from analysis.moments import FloatArray

AGGREGATIONS = ("items", "respondent")
NA_RULES = ("exclude", "not_satisfied")


@dataclass(frozen=True, slots=True)
class MethodProfile:
    """A named, versioned set of rules for the index."""

    name: str
    version: int
    satisfied: tuple[int, ...]
    aggregation: str
    na_rule: str

    def __post_init__(self) -> None:
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {AGGREGATIONS}")
        if self.na_rule not in NA_RULES:
            raise ValueError(f"na_rule must be one of {NA_RULES}")
        if not self.satisfied:
            raise ValueError("a profile needs a non-empty satisfied set")

    @property
    def key(self) -> str:
        return f"{self.name}/{self.version}"


PROFILES: dict[str, MethodProfile] = {
    p.key: p
    for p in (
        MethodProfile("sipas-2017", 1, (4, 5), "items", "exclude"),
        MethodProfile("sipas-2023", 1, (4, 5), "respondent", "exclude"),
    )
}
DEFAULT_PROFILE = "sipas-2017/1"


def profile_of(key: str) -> MethodProfile:
    """The shipped profile named ``key`` (``name/version``)."""
    try:
        return PROFILES[key]
    except KeyError:
        raise ValueError(
            f"unknown method profile {key!r}; choose one of {', '.join(PROFILES)}"
        ) from None


@dataclass(frozen=True, slots=True)
class ProfileIndex:
    """An index on 0-100 under a profile, its linearised SE and interval.

    ``n`` counts respondents contributing at least one counted answer; ``criteria``
    are the criterion values (0-100, ``None`` without data) in the order given.
    """

    value: float | None
    se: float | None
    ci: Interval | None
    n: int
    criteria: tuple[float | None, ...]


def _counted(
    values: FloatArray, na: np.ndarray, profile: MethodProfile
) -> tuple[FloatArray, FloatArray]:
    """Per-answer (counted 0/1, satisfied 0/1) under the profile's N/A rule."""
    answered = ~np.isnan(values) & ~na
    sat = np.isin(np.nan_to_num(values, nan=-1e300), np.array(profile.satisfied)) & answered
    counted = answered | na if profile.na_rule == "not_satisfied" else answered
    return counted.astype(np.float64), sat.astype(np.float64)


def profile_index(
    values: ArrayLike,
    na: ArrayLike,
    criteria: Sequence[Sequence[int]],
    profile: MethodProfile,
    weights: ArrayLike | None = None,
    level: float = 0.95,
) -> ProfileIndex:
    """The index of ``profile`` from an ``n x k`` answer matrix.

    Parameters
    ----------
    values : array (n, k)
        Scale value per respondent and scored item; NaN where not answered.
    na : array of bool (n, k)
        True where the respondent answered "not applicable".
    criteria : sequence of column-index sequences
        The items of each criterion (dimension) in the index.
    profile : MethodProfile
    weights : array (n,), optional
        Respondent weights (default 1).

    Notes
    -----
    The variance is the with-replacement Taylor linearisation of the index as a
    smooth function of weighted ratios, ``n/(n-1) sum (z_r - zbar)^2`` with
    ``z_r`` the respondent's weighted influence value [1]_; with weights it carries
    their design effect, with equal weights it is the usual large-sample variance.

    References
    ----------
    .. [1] Woodruff, R. S. (1971). A simple method for approximating the variance of
       a complicated estimate. JASA 66(334), 411-414.
    .. [2] Lohr, S. L. (2019). Sampling: Design and Analysis, 2nd ed., sec. 9.1.
    """
    x = np.asarray(values, dtype=np.float64)
    a = np.asarray(na, dtype=bool)
    if x.ndim != 2 or a.shape != x.shape:
        raise ValueError("values and na must be matrices of the same shape")
    n = x.shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.shape != (n,) or not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("weights must be finite, non-negative, one per respondent")
    counted, sat = _counted(x, a, profile)
    if profile.aggregation == "items":
        return _items_order(counted, sat, criteria, w, level)
    return _respondent_order(counted, sat, criteria, w, level)


def _finish(
    value: float | None, z: FloatArray | None, n: int, crit: list[float | None], level: float
) -> ProfileIndex:
    # ``z`` has one value per respondent in the sample, 0 for those outside the
    # domain (no counted answer): domain estimation keeps the whole sample's size.
    if value is None or z is None:
        return ProfileIndex(None, None, None, n, tuple(crit))
    se = None
    ci = None
    size = z.size
    if n >= 2:
        se = 100.0 * math.sqrt(size / (size - 1) * float(((z - z.mean()) ** 2).sum()))
        ci = normal_interval(100.0 * value, se, level, (0.0, 100.0), "linearised")
    return ProfileIndex(100.0 * value, se, ci, n, tuple(crit))


def _items_order(
    counted: FloatArray,
    sat: FloatArray,
    criteria: Sequence[Sequence[int]],
    w: FloatArray,
    level: float,
) -> ProfileIndex:
    denom = w @ counted  # weighted counted answers per item
    p = np.divide(w @ sat, denom, out=np.zeros_like(denom), where=denom > 0)
    crit: list[float | None] = []
    coef = np.zeros(counted.shape[1])
    used: list[list[int]] = []
    for cols in criteria:
        have = [c for c in cols if denom[c] > 0]
        crit.append(float(p[have].mean()) * 100.0 if have else None)
        if have:
            used.append(have)
    if not used:
        return _finish(None, None, 0, crit, level)
    for have in used:
        coef[have] += 1.0 / (len(used) * len(have))
    value = float(sum(p[h].mean() for h in used) / len(used))
    safe = np.where(denom > 0, denom, 1.0)
    # z_r = sum_i a_i w_r c_ri (y_ri - p_i) / sum_r w_r c_ri
    z = w * (((sat - counted * p) * (coef / safe)).sum(axis=1))
    contributing = counted[:, coef > 0].sum(axis=1) > 0
    return _finish(value, z, int(contributing.sum()), crit, level)


def _respondent_order(
    counted: FloatArray,
    sat: FloatArray,
    criteria: Sequence[Sequence[int]],
    w: FloatArray,
    level: float,
) -> ProfileIndex:
    n = counted.shape[0]
    total = np.zeros(n)
    answered = np.zeros(n)
    crit: list[float | None] = []
    for cols in criteria:
        c = counted[:, list(cols)].sum(axis=1)
        s = sat[:, list(cols)].sum(axis=1)
        share = np.divide(s, c, out=np.zeros(n), where=c > 0)
        has = c > 0
        ws = w[has].sum()
        crit.append(float(w[has] @ share[has] / ws) * 100.0 if ws > 0 else None)
        total += share
        answered += has
    keep = (answered > 0) & (w > 0)
    if not keep.any():
        return _finish(None, None, 0, crit, level)
    score = np.divide(total, answered, out=np.zeros(n), where=keep)
    wk = w * keep
    value = float(wk @ score / wk.sum())
    z = wk * (score - value) / wk.sum()
    return _finish(value, z, int(keep.sum()), crit, level)
