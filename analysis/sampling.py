"""Sample sizes for a known number of dossiers, quotas and progress against them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from analysis.intervals import _z

DEFAULT_MARGIN = 0.05


def _check(population: float, margin: float) -> None:
    if not math.isfinite(population) or population < 0:
        raise ValueError(f"the population size must be a non-negative number, got {population}")
    if not 0.0 < margin < 1.0:
        raise ValueError(f"the margin of error must be between 0 and 1, got {margin}")


def slovin(population: float, margin: float = DEFAULT_MARGIN) -> float:
    """Slovin's (Yamane's) sample size ``n = N / (1 + N e^2)``, unrounded.

    References
    ----------
    .. [1] Yamane, T. (1967). Statistics: An Introductory Analysis, 2nd ed. Harper & Row.
    .. [2] Israel, G. D. (1992). Determining Sample Size. University of Florida IFAS,
       Fact Sheet PEOD-6, Table 2.
    """
    _check(population, margin)
    return population / (1.0 + population * margin * margin)


def proportion_sample_size(
    population: float,
    margin: float = DEFAULT_MARGIN,
    proportion: float = 0.5,
    level: float = 0.95,
    z: float | None = None,
) -> float:
    """Cochran's size for a proportion with finite population correction, unrounded.

    ``n0 = z^2 p (1 - p) / e^2``, ``n = n0 / (1 + (n0 - 1) / N)``; ``p = 0.5`` is the
    conservative choice. ``z`` overrides the normal quantile of ``level``.

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley, sec. 4.4.
    .. [2] Krejcie, R. V., & Morgan, D. W. (1970). Determining sample size for research
       activities. Educational and Psychological Measurement 30, 607-610 (Table 1).
    """
    _check(population, margin)
    if not 0.0 <= proportion <= 1.0:
        raise ValueError(f"the proportion must be between 0 and 1, got {proportion}")
    if population == 0:
        return 0.0
    zz = _z(level) if z is None else z
    n0 = zz * zz * proportion * (1.0 - proportion) / (margin * margin)
    return n0 / (1.0 + (n0 - 1.0) / population)


def quota(population: float, margin: float = DEFAULT_MARGIN, rule: str = "slovin") -> int:
    """Whole responses needed: Slovin (default) or ``proportion``, rounded up, at most N."""
    if rule == "slovin":
        size = slovin(population, margin)
    elif rule == "proportion":
        size = proportion_sample_size(population, margin)
    else:
        raise ValueError(f"rule must be 'slovin' or 'proportion', got {rule!r}")
    # round up, but not past N: 1e-9 guards against 285.00000000001 from rounding
    return int(min(population, math.ceil(size - 1e-9)))


@dataclass(frozen=True, slots=True)
class Progress:
    """Responses so far against a quota, and the count projected at the period's end.

    ``projected`` extrapolates the pace so far (responses per elapsed day) to the whole
    period; ``behind`` is true when that projection falls short of the quota (never
    before the period has begun: there is no pace yet).
    """

    quota: int
    responses: int
    share: float | None
    projected: float | None
    behind: bool
    met: bool


def progress(quota_n: int, responses: int, elapsed_days: float, total_days: float) -> Progress:
    """Progress of ``responses`` against ``quota_n`` after ``elapsed_days`` of ``total_days``."""
    if quota_n < 0 or responses < 0:
        raise ValueError("quota and responses must be non-negative")
    if total_days <= 0 or elapsed_days < 0:
        raise ValueError("the period must have a positive length")
    elapsed = min(elapsed_days, total_days)
    share = responses / quota_n if quota_n else None
    met = responses >= quota_n
    projected = responses * total_days / elapsed if elapsed > 0 else None
    behind = not met and projected is not None and projected < quota_n
    return Progress(quota_n, responses, share, projected, behind, met)
