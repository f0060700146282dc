"""Is % satisfied associated with a service fact? The test each table calls for.

Two groups: the pooled two-proportion z test, or Fisher's exact test when an expected
count is below 5. More groups: Pearson's chi-square of the k x 2 table (flagged
unreliable when an expected count is below 5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.proportions import chi_square_satisfied, compare_proportions
from analysis.results import SMALL_SAMPLE_THRESHOLD, Reason, reliability_flag

#: Relative tolerance under which a table counts as "as extreme as" the observed one
#: (the same guard against rounding that R's ``fisher.test`` and scipy use).
_RELATIVE_TOLERANCE = 1 + 1e-7


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test of the 2 x 2 table ``[[a, b], [c, d]]``.

    Sums the hypergeometric probabilities (margins fixed) of every table no more
    probable than the observed one ("minimum likelihood" two-sided p).

    References
    ----------
    .. [1] Agresti, A. (2013). Categorical Data Analysis, 3rd ed. Wiley, sec. 3.5.
    """
    if min(a, b, c, d) < 0:
        raise ValueError("a 2 x 2 table holds counts of zero or more")
    row1, col1, total = a + b, a + c, a + b + c + d
    if total == 0:
        raise ValueError("an empty table has no test")
    low, high = max(0, col1 - (total - row1)), min(row1, col1)
    denominator = _log_choose(total, col1)

    def pmf(k: int) -> float:
        return math.exp(_log_choose(row1, k) + _log_choose(total - row1, col1 - k) - denominator)

    observed = pmf(a)
    p = sum(q for k in range(low, high + 1) if (q := pmf(k)) <= observed * _RELATIVE_TOLERANCE)
    return min(1.0, p)


@dataclass(frozen=True, slots=True)
class AssociationTest:
    """The test of % satisfied across a fact's groups.

    ``test`` is ``two_proportion_z``, ``fisher_exact`` or ``chi_square``; ``statistic``
    is z or X^2 (None for Fisher); ``difference`` is ``pct_a - pct_b`` in percentage
    points for two groups.
    """

    test: str | None
    statistic: float | None
    df: int
    p_value: float | None
    difference: float | None
    min_expected: float | None
    reliable: bool
    flag: str | None
    reason: Reason | None


def association(
    groups: Sequence[str],
    satisfied: Sequence[float],
    n: Sequence[float],
    min_n: float = SMALL_SAMPLE_THRESHOLD,
) -> AssociationTest:
    """Test whether % satisfied differs across ``groups`` (empty groups left out)."""
    if not len(groups) == len(satisfied) == len(n):
        raise ValueError("groups, satisfied and n must have the same length")
    kept = [(g, float(x), float(m)) for g, x, m in zip(groups, satisfied, n, strict=True) if m > 0]
    if len(kept) < 2:
        smallest = kept[0][2] if kept else 0.0
        reliable, flag = reliability_flag(smallest, min_n)
        reason = Reason.SINGLE_GROUP if kept else Reason.NO_DATA
        return AssociationTest(None, None, 0, None, None, None, reliable, flag, reason)
    chi = chi_square_satisfied(
        [g for g, _, _ in kept], [x for _, x, _ in kept], [m for _, _, m in kept], min_n
    )
    if len(kept) > 2:
        return AssociationTest(
            "chi_square", chi.statistic, chi.df, chi.p_value, None, chi.min_expected,
            chi.reliable, chi.flag, chi.reason,
        )  # fmt: skip
    (ga, xa, na), (gb, xb, nb) = kept
    diff = compare_proportions(f"{ga} - {gb}", xa, na, xb, nb, min_n=min_n)
    if chi.min_expected is not None and chi.min_expected < 5:
        a, c = round(xa), round(xb)
        p = fisher_exact(a, round(na) - a, c, round(nb) - c)
        reliable, flag = reliability_flag(min(na, nb), min_n)
        return AssociationTest(
            "fisher_exact", None, 1, p, diff.difference, chi.min_expected, reliable, flag, None
        )
    return AssociationTest(
        "two_proportion_z", diff.z, 1, diff.p_value, diff.difference, chi.min_expected,
        diff.reliable, diff.flag, diff.reason,
    )  # fmt: skip
