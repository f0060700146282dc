"""League tables: rank agencies by an index with rank intervals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.intervals import Interval


@dataclass(frozen=True, slots=True)
class RankEntry:
    """Rank of one agency (1 = best) with a rank interval."""

    name: str
    value: float
    rank: int
    rank_lower: int
    rank_upper: int


def rank_by_overlap(
    names: Sequence[str], values: Sequence[float], intervals: Sequence[Interval]
) -> tuple[RankEntry, ...]:
    """Rank agencies (1 = highest value) with rank intervals by the overlap rule.

    An agency's best rank is ``1 +`` the number of agencies whose interval lies wholly
    above its own; its worst rank is ``k -`` the number wholly below. Non-overlap of
    two 95% intervals is a conservative test (about 0.6% for equal SEs), so these rank
    intervals are wide; use :func:`rank_by_simulation` for a sharper version.

    References
    ----------
    .. [1] Goldstein, H., & Healy, M. J. R. (1995). The graphical presentation of a
       collection of means. JRSS A 158(1), 175-177.
    """
    if not len(names) == len(values) == len(intervals):
        raise ValueError("names, values and intervals must have the same length")
    order = np.argsort(-np.asarray(values, dtype=np.float64), kind="stable")
    rank = np.empty(len(names), dtype=int)
    rank[order] = np.arange(1, len(names) + 1)
    entries = []
    for i, name in enumerate(names):
        above = sum(iv.lower > intervals[i].upper for iv in intervals)
        below = sum(iv.upper < intervals[i].lower for iv in intervals)
        entries.append(
            RankEntry(name, float(values[i]), int(rank[i]), 1 + above, len(names) - below)
        )
    return tuple(sorted(entries, key=lambda e: e.rank))


def rank_by_simulation(
    names: Sequence[str],
    values: Sequence[float],
    ses: Sequence[float],
    n_sim: int = 10000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[RankEntry, ...]:
    """Rank intervals by simulating each agency's estimate as ``N(value, se^2)``.

    The rank interval is the central ``level`` range of the simulated ranks.

    References
    ----------
    .. [1] Marshall, E. C., & Spiegelhalter, D. J. (1998). Reliability of league tables
       of in vitro fertilisation clinics. BMJ 316, 1701-1705.
    """
    if not len(names) == len(values) == len(ses):
        raise ValueError("names, values and ses must have the same length")
    v = np.asarray(values, dtype=np.float64)
    s = np.asarray(ses, dtype=np.float64)
    if (s < 0).any():
        raise ValueError("standard errors must be non-negative")
    draws = np.random.default_rng(seed).normal(v, s, size=(n_sim, v.size))
    ranks = (-draws).argsort(axis=1).argsort(axis=1) + 1
    tail = (1.0 - level) / 2.0
    lo = np.floor(np.quantile(ranks, tail, axis=0)).astype(int)
    hi = np.ceil(np.quantile(ranks, 1.0 - tail, axis=0)).astype(int)
    order = np.argsort(-v, kind="stable")
    rank = np.empty(v.size, dtype=int)
    rank[order] = np.arange(1, v.size + 1)
    entries = [
        RankEntry(n, float(v[i]), int(rank[i]), int(lo[i]), int(hi[i])) for i, n in enumerate(names)
    ]
    return tuple(sorted(entries, key=lambda e: e.rank))
