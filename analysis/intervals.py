"""Confidence intervals: Student t, Wilson score, Newcombe hybrid score, Feldt, normal.

All functions return an :class:`Interval` or ``None`` when the interval is not
computable (for example ``n == 0``); they never return NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analysis import _distributions as dist


@dataclass(frozen=True, slots=True)
class Interval:
    """A two-sided confidence interval on the scale of its estimate."""

    lower: float
    upper: float
    level: float
    method: str

    def scaled(self, factor: float) -> Interval:
        """Return the interval multiplied by a positive ``factor`` (e.g. 100 for %)."""
        if factor <= 0:
            raise ValueError(f"factor must be positive, got {factor}")
        return Interval(self.lower * factor, self.upper * factor, self.level, self.method)


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be between 0 and 1, got {level}")


def _z(level: float) -> float:
    _check_level(level)
    return float(dist.norm_isf((1.0 - level) / 2.0))


def t_interval(mean: float, sd: float, n: float, level: float = 0.95) -> Interval | None:
    """Student t interval for a mean, ``mean ± t_{n-1} sd / sqrt(n)``.

    Parameters
    ----------
    mean, sd : float
        Sample mean and standard deviation (``ddof=1``).
    n : float
        Sample size; may be a Kish effective size (non-integer) for weighted data.
    level : float
        Confidence level.

    Returns
    -------
    Interval or None
        ``None`` when ``n < 2`` (no degrees of freedom).

    References
    ----------
    .. [1] Student (1908). The probable error of a mean. Biometrika 6(1), 1-25.
    """
    _check_level(level)
    if n < 2 or sd < 0:
        return None
    half = float(dist.t_isf((1.0 - level) / 2.0, n - 1.0)) * sd / math.sqrt(n)
    return Interval(mean - half, mean + half, level, "t")


def normal_interval(
    estimate: float,
    se: float,
    level: float = 0.95,
    bounds: tuple[float, float] | None = None,
    method: str = "normal",
) -> Interval:
    """Wald interval ``estimate ± z se``, optionally clipped to ``bounds``."""
    if se < 0 or not math.isfinite(se):
        raise ValueError(f"standard error must be finite and non-negative, got {se}")
    half = _z(level) * se
    lower, upper = estimate - half, estimate + half
    if bounds is not None:
        lower, upper = max(lower, bounds[0]), min(upper, bounds[1])
    return Interval(lower, upper, level, method)


def wilson_interval(successes: float, n: float, level: float = 0.95) -> Interval | None:
    """Wilson score interval for a proportion (no continuity correction).

    Counts may be non-integer: for weighted data pass ``p * n_eff`` and ``n_eff``.

    Parameters
    ----------
    successes : float
        Number of successes, ``0 <= successes <= n``.
    n : float
        Number of trials.
    level : float
        Confidence level.

    Returns
    -------
    Interval or None
        On the proportion scale [0, 1]; ``None`` when ``n == 0``.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and
       statistical inference. JASA 22(158), 209-212.
    .. [2] Newcombe, R. G. (1998). Two-sided confidence intervals for the single
       proportion: comparison of seven methods. Stat. Med. 17, 857-872.
    """
    if n < 0 or successes < 0 or successes > n * (1 + 1e-12):
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return None
    z = _z(level)
    p = min(successes / n, 1.0)
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    return Interval(max(0.0, centre - half), min(1.0, centre + half), level, "wilson")


def newcombe_interval(
    x1: float, n1: float, x2: float, n2: float, level: float = 0.95
) -> Interval | None:
    """Newcombe hybrid score interval for the difference ``x1/n1 - x2/n2``.

    Combines the two Wilson intervals (method 10 of Newcombe 1998):
    ``lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2)``,
    ``upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)``.

    Returns
    -------
    Interval or None
        On the proportion-difference scale [-1, 1]; ``None`` if either ``n`` is 0.

    References
    ----------
    .. [1] Newcombe, R. G. (1998). Interval estimation for the difference between
       independent proportions: comparison of eleven methods. Stat. Med. 17, 873-890.
    """
    ci1 = wilson_interval(x1, n1, level)
    ci2 = wilson_interval(x2, n2, level)
    if ci1 is None or ci2 is None:
        return None
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    lower = d - math.sqrt((p1 - ci1.lower) ** 2 + (ci2.upper - p2) ** 2)
    upper = d + math.sqrt((ci1.upper - p1) ** 2 + (p2 - ci2.lower) ** 2)
    return Interval(max(-1.0, lower), min(1.0, upper), level, "newcombe")


def feldt_interval(alpha: float, n: int, k: int, level: float = 0.95) -> Interval | None:
    """Feldt interval for Cronbach's alpha.

    ``1 - (1 - alpha) F_{1-a/2}(df1, df2)`` to ``1 - (1 - alpha) F_{a/2}(df1, df2)``,
    with ``df1 = n - 1`` and ``df2 = (n - 1)(k - 1)``; ``F_q`` is the upper-q quantile.

    Returns
    -------
    Interval or None
        ``None`` when ``n < 2`` or ``k < 2``.

    References
    ----------
    .. [1] Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson
       reliability coefficient twenty. Psychometrika 30(3), 357-370.
    .. [2] Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference
       for coefficient alpha. Applied Psychological Measurement 11(1), 93-103.
    """
    _check_level(level)
    if n < 2 or k < 2:
        return None
    tail = (1.0 - level) / 2.0
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1.0 - (1.0 - alpha) * float(dist.f_isf(tail, df1, df2))
    upper = 1.0 - (1.0 - alpha) * float(dist.f_isf(1.0 - tail, df1, df2))
    return Interval(lower, upper, level, "feldt")
