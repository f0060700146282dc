"""Rank-based comparisons between agencies from count tables (Kruskal-Wallis, Dunn, U).

Rank-based tests take a :class:`RankTable` (groups x ordered distinct values of
counts), which a ``GROUP BY agency, value`` yields. Respondent scores take few distinct
values, so mid-ranks and tie corrections computed from the table are exact.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from analysis import _distributions as dist
from analysis.moments import FloatArray
from analysis.results import SMALL_SAMPLE_THRESHOLD, Reason, reliability_flag


@dataclass(frozen=True, slots=True)
class RankTable:
    """Counts of each ordered distinct value (columns) within each group (rows)."""

    groups: tuple[str, ...]
    values: tuple[float, ...]
    counts: FloatArray

    def __post_init__(self) -> None:
        counts = np.asarray(self.counts, dtype=np.float64)
        if counts.shape != (len(self.groups), len(self.values)):
            raise ValueError(
                f"counts shape {counts.shape} does not match "
                f"{len(self.groups)} groups x {len(self.values)} values"
            )
        if (counts < 0).any() or not np.isfinite(counts).all():
            raise ValueError("counts must be finite and non-negative")
        if list(self.values) != sorted(set(self.values)):
            raise ValueError("values must be strictly increasing")
        object.__setattr__(self, "counts", counts)

    @classmethod
    def from_samples(cls, samples: Mapping[str, ArrayLike]) -> RankTable:
        """Tabulate raw per-group samples (NaN ignored) with :func:`numpy.unique`."""
        arrays = {g: np.asarray(s, dtype=np.float64).reshape(-1) for g, s in samples.items()}
        arrays = {g: a[~np.isnan(a)] for g, a in arrays.items()}
        pooled = np.concatenate([*arrays.values(), np.empty(0)])
        values = np.unique(pooled)
        counts = np.zeros((len(arrays), values.size))
        for row, a in enumerate(arrays.values()):
            uniq, cnt = np.unique(a, return_counts=True)
            counts[row, np.searchsorted(values, uniq)] = cnt
        return cls(tuple(arrays), tuple(float(v) for v in values), counts)

    def midranks(self) -> FloatArray:
        """Mid-rank of each distinct value in the pooled sample."""
        totals = self.counts.sum(axis=0)
        return np.asarray(np.cumsum(totals) - totals + (totals + 1.0) / 2.0, dtype=np.float64)

    def tie_term(self) -> float:
        """``sum (t^3 - t)`` over tie groups."""
        totals = self.counts.sum(axis=0)
        return float((totals**3 - totals).sum())


@dataclass(frozen=True, slots=True)
class KruskalResult:
    """Kruskal-Wallis H (tie-corrected) with epsilon-squared ``H / (n - 1)``."""

    statistic: float | None
    df: int
    p_value: float | None
    epsilon_squared: float | None
    n: float
    empty_groups: tuple[str, ...]
    reliable: bool
    flag: str | None
    reason: Reason | None


@dataclass(frozen=True, slots=True)
class PairwiseTest:
    """One Dunn comparison; ``z > 0`` means ``group_a`` ranks higher."""

    group_a: str
    group_b: str
    z: float
    p_value: float
    p_adjusted: float


@dataclass(frozen=True, slots=True)
class DunnResult:
    """Dunn's pairwise tests with Holm-adjusted p-values."""

    pairs: tuple[PairwiseTest, ...]
    reason: Reason | None


@dataclass(frozen=True, slots=True)
class MannWhitneyResult:
    """Mann-Whitney U of group ``a`` against ``b`` (normal approximation with ties).

    ``common_language`` is ``U / (n_a n_b)``: the probability that a random answer
    from ``a`` exceeds one from ``b`` (ties counted half).
    """

    group: str
    u: float | None
    z: float | None
    p_value: float | None
    common_language: float | None
    n_a: float
    n_b: float
    reliable: bool
    flag: str | None
    reason: Reason | None


def holm(p_values: ArrayLike) -> FloatArray:
    """Holm step-down adjusted p-values (Holm 1979, Scand. J. Statist. 6, 65-70)."""
    p = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(p)
    m = p.size
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty_like(p)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def kruskal_wallis(table: RankTable, min_n: float = SMALL_SAMPLE_THRESHOLD) -> KruskalResult:
    """Kruskal-Wallis H test with tie correction, from a count table.

    ``H = [12 / (N(N+1)) sum R_g^2 / n_g - 3(N+1)] / [1 - sum(t^3 - t)/(N^3 - N)]``,
    ``df = k - 1`` over non-empty groups; effect size ``epsilon^2 = H / (N - 1)``.
    Groups are flagged ``small_sample`` if any non-empty group has fewer than ``min_n``.

    References
    ----------
    .. [1] Kruskal, W. H., & Wallis, W. A. (1952). Use of ranks in one-criterion
       variance analysis. JASA 47(260), 583-621.
    .. [2] Tomczak, M., & Tomczak, E. (2014). The need to report effect size estimates
       revisited. Trends in Sport Sciences 21(1), 19-25.
    """
    n_g = table.counts.sum(axis=1)
    empty = tuple(g for g, n in zip(table.groups, n_g, strict=True) if n == 0)
    present = n_g > 0
    n = float(n_g.sum())
    k = int(present.sum())
    smallest = float(n_g[present].min()) if k else 0.0
    reliable, flag = reliability_flag(smallest, min_n)
    if n == 0:
        return KruskalResult(None, 0, None, None, n, empty, reliable, flag, Reason.NO_DATA)
    if k < 2:
        return KruskalResult(None, 0, None, None, n, empty, reliable, flag, Reason.SINGLE_GROUP)
    correction = 1.0 - table.tie_term() / (n**3 - n)
    if correction <= 1e-12:
        return KruskalResult(
            None, k - 1, None, None, n, empty, reliable, flag, Reason.ALL_IDENTICAL
        )
    rank_sums = table.counts[present] @ table.midranks()
    h = 12.0 / (n * (n + 1.0)) * float((rank_sums**2 / n_g[present]).sum()) - 3 * (n + 1)
    h = max(h / correction, 0.0)
    p = float(dist.chi2_sf(h, k - 1))
    return KruskalResult(h, k - 1, p, h / (n - 1.0), n, empty, reliable, flag, None)


def dunn(table: RankTable) -> DunnResult:
    """Dunn's two-sided pairwise z tests with tie correction and Holm adjustment.

    ``z = (Rbar_a - Rbar_b) / sqrt((N(N+1)/12 - sum(t^3-t)/(12(N-1))) (1/n_a + 1/n_b))``
    over mean ranks of the pooled sample. Empty groups are skipped.

    References
    ----------
    .. [1] Dunn, O. J. (1964). Multiple comparisons using rank sums. Technometrics
       6(3), 241-252.
    .. [2] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
       Scand. J. Statist. 6(2), 65-70.
    """
    n_g = table.counts.sum(axis=1)
    present = [i for i in range(len(table.groups)) if n_g[i] > 0]
    if len(present) < 2:
        return DunnResult((), Reason.SINGLE_GROUP if present else Reason.NO_DATA)
    n = float(n_g.sum())
    variance = n * (n + 1.0) / 12.0 - table.tie_term() / (12.0 * (n - 1.0))
    if variance <= 1e-12:
        return DunnResult((), Reason.ALL_IDENTICAL)
    mean_ranks = (table.counts @ table.midranks()) / np.where(n_g > 0, n_g, 1.0)
    # Every pair at once (in the order of a nested loop over ``present``): with 50
    # agencies there are 1,225 pairs, and one scipy call per pair dominated the report.
    groups = np.asarray(present)
    first, second = np.triu_indices(groups.size, k=1)
    a, b = groups[first], groups[second]
    z = (mean_ranks[a] - mean_ranks[b]) / np.sqrt(variance * (1.0 / n_g[a] + 1.0 / n_g[b]))
    p = 2.0 * dist.norm_sf_array(np.abs(z))
    adjusted = holm(p)
    pairs = tuple(
        PairwiseTest(table.groups[int(i)], table.groups[int(j)], float(zz), float(pp), float(adj))
        for i, j, zz, pp, adj in zip(a, b, z, p, adjusted, strict=True)
    )
    return DunnResult(pairs, None)


def mann_whitney_counts(
    label: str,
    counts_a: ArrayLike,
    counts_b: ArrayLike,
    continuity: bool = True,
    min_n: float = SMALL_SAMPLE_THRESHOLD,
) -> MannWhitneyResult:
    """Mann-Whitney U from two count vectors over the same ordered values.

    Normal approximation with tie-corrected variance
    ``n_a n_b / 12 [(N + 1) - sum(t^3 - t) / (N (N - 1))]`` and optional continuity
    correction (as ``scipy.stats.mannwhitneyu(method="asymptotic")``).

    References
    ----------
    .. [1] Mann, H. B., & Whitney, D. R. (1947). Ann. Math. Statist. 18(1), 50-60.
    .. [2] Lehmann, E. L. (1975). Nonparametrics. Holden-Day, sec. 1.4.
    """
    a = np.asarray(counts_a, dtype=np.float64)
    b = np.asarray(counts_b, dtype=np.float64)
    table = RankTable(("a", "b"), tuple(float(i) for i in range(a.size)), np.vstack([a, b]))
    n_a, n_b = float(a.sum()), float(b.sum())
    reliable, flag = reliability_flag(min(n_a, n_b), min_n)
    if n_a == 0 or n_b == 0:
        return MannWhitneyResult(
            label, None, None, None, None, n_a, n_b, reliable, flag, Reason.EMPTY_GROUP
        )
    n = n_a + n_b
    u = float(a @ table.midranks()) - n_a * (n_a + 1.0) / 2.0
    variance = n_a * n_b / 12.0 * ((n + 1.0) - table.tie_term() / (n * (n - 1.0)))
    if variance <= 1e-12:
        return MannWhitneyResult(
            label, u, None, None, 0.5, n_a, n_b, reliable, flag, Reason.ALL_IDENTICAL
        )
    excess = abs(u - n_a * n_b / 2.0) - (0.5 if continuity else 0.0)
    z = math.copysign(max(excess, 0.0), u - n_a * n_b / 2.0) / math.sqrt(variance)
    p = float(min(1.0, 2.0 * dist.norm_sf(abs(z))))
    return MannWhitneyResult(label, u, z, p, u / (n_a * n_b), n_a, n_b, reliable, flag, None)


def versus_rest_ranks(
    table: RankTable, min_n: float = SMALL_SAMPLE_THRESHOLD
) -> tuple[MannWhitneyResult, ...]:
    """Each group against the pooled rest of the city (Mann-Whitney from counts)."""
    total = table.counts.sum(axis=0)
    return tuple(
        mann_whitney_counts(g, table.counts[i], total - table.counts[i], min_n=min_n)
        for i, g in enumerate(table.groups)
    )
