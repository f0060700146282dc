"""Control charts of % satisfied: a p-chart and an EWMA chart against the agency's own baseline.

Each series is one agency's (and one dimension's) satisfied counts and respondents per
period (month or week). The first ``baseline`` periods estimate the centre line
(the agency's own pooled proportion satisfied); the periods after it are monitored.

* **p-chart** (Shewhart): a monitored point signals when it leaves
  ``p0 +- L_p * sigma_t``; ``sigma_t`` varies with the point's own ``n_t``.
* **EWMA** for slow drifts: ``z_t = lam * p_t + (1 - lam) * z_{t-1}``, ``z_0 = p0``,
  with time-varying limits from the exact variance of ``z_t`` under varying ``n_t``.

Both charts widen their limits for the estimation of ``p0`` from the baseline
(``var(p_t - p0) = p0 (1 - p0) (1/n_t + 1/N_baseline)``; for the EWMA the
baseline term is multiplied by the squared sum of the weights), so the false-alarm
rate of estimated limits stays at or below the nominal one instead of above it.

Defaults and their operating characteristics
--------------------------------------------
``baseline=12`` periods, ``L_p=3`` (nominal two-sided 0.27 % a point),
``lam=0.4``, ``L_ewma=2.7`` (nominal 0.69 % a point). The **nominal false-alarm rate**
is their union bound, **1 % of monitored periods** of a stable agency. Simulated
(``tests/analysis/test_control_charts.py``, fixed seeds): 1,000 stable agencies over
24 months, 150-250 respondents a month, satisfaction 75-90 %: about 0.85 % of
monitored months signal falsely; a drop of 10 points from month 18 is signalled in
month 18 or 19 in about 93 % of runs. At 100-150 respondents a month a 10-point drop
is only about 2.5 standard errors of one month and no pair of charts with a 1 %
false-alarm rate signals it within two months nine times in ten (about 75 %): an
agency that wants that speed needs about 150 or more respondents a month.

Weekly charts "where n allows"
------------------------------
A week holds a quarter of a month's respondents, so most agencies are too small for a
weekly chart. The p-chart's normal limits need ``n p0 >= 5`` and ``n (1 - p0) >= 5``
at every point ([1]_, Section 7.2.1), ``p0`` the pooled baseline proportion.
``adequate_chart`` therefore charts a series only when **every baseline period** has
at least ``required_n(p0) = max(MIN_POINT_N, ceil(5 / min(p0, 1 - p0)))`` respondents
(30 at ``p0 <= 0.83``, 50 at ``p0 = 0.9``); a monitored period below it gets no point
(and no signal). A series that fails the rule gets no chart at all.

Functions accept one series (shape ``(T,)``) or many at once (``(R, T)``, one row an
agency) so that simulations are vectorised.

References
----------
.. [1] Montgomery, D. C. (2009). *Introduction to Statistical Quality Control*, 6th ed.
   Wiley. Section 7.2 (p-chart, Example 7.1; variable sample size, Section 7.2.2) and
   Section 9.2 (EWMA, Example 9.2: lam = 0.1, L = 2.7, limits
   ``mu0 +- L sigma sqrt(lam / (2 - lam) (1 - (1 - lam)^(2i)))``).
.. [2] Lucas, J. M. and Saccucci, M. S. (1990). Exponentially weighted moving average
   control schemes: properties and enhancements. Technometrics 32, 1-12.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

BASELINE_PERIODS = 12
P_CHART_L = 3.0
EWMA_LAMBDA = 0.4
EWMA_L = 2.7
NOMINAL_FALSE_ALARM_RATE = 0.01
MIN_POINT_N = 30
MIN_BASELINE_N = 200
MIN_EXPECTED = 5.0

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class EwmaChart:
    """EWMA statistic and its limits per period (NaN where not defined)."""

    ewma: Floats
    lower: Floats
    upper: Floats
    signal: Bools


@dataclass(frozen=True, slots=True)
class ControlChart:
    """A p-chart and an EWMA chart of one or many series.

    Arrays have the shape of the input (``(T,)`` or ``(R, T)``); ``centre`` and
    ``baseline_n`` have one value a series. ``signal`` is set on monitored periods only
    (after the baseline, with at least ``min_n`` respondents) where the point leaves
    the p-chart's limits or the EWMA leaves its own; ``direction`` is -1 for a fall,
    +1 for a rise, 0 without a signal.
    """

    n: Floats
    p: Floats
    centre: Floats
    baseline_n: Floats
    p_lower: Floats
    p_upper: Floats
    p_signal: Bools
    ewma: EwmaChart
    signal: Bools
    direction: NDArray[np.int8]
    monitored: Bools


def ewma_chart(
    values: ArrayLike,
    variances: ArrayLike,
    centre: ArrayLike,
    lam: float = EWMA_LAMBDA,
    L: float = EWMA_L,  # noqa: N803 - the name in the references
    centre_variance: ArrayLike = 0.0,
    observed: ArrayLike | None = None,
) -> EwmaChart:
    """EWMA chart with exact time-varying limits for unequal variances.

    ``z_t = lam * x_t + (1 - lam) * z_{t-1}`` from ``z_0 = centre``; the variance of
    ``z_t - centre`` is ``sum_i w_{t,i}^2 var_i + (sum_i w_{t,i})^2 centre_variance``.
    With equal variances ``sigma^2`` and no centre variance it is Montgomery's
    ``sigma^2 lam / (2 - lam) (1 - (1 - lam)^(2t))`` [1]_. Periods where ``observed``
    is false carry the statistic forward unchanged.
    """
    if not 0.0 < lam <= 1.0:
        raise ValueError(f"lam must be in (0, 1], got {lam}")
    if L <= 0.0:
        raise ValueError(f"L must be positive, got {L}")
    x = np.atleast_2d(np.asarray(values, dtype=np.float64))
    var = np.broadcast_to(np.atleast_2d(np.asarray(variances, dtype=np.float64)), x.shape)
    mu = np.broadcast_to(np.asarray(centre, dtype=np.float64).reshape(-1), (x.shape[0],))
    cvar = np.broadcast_to(np.asarray(centre_variance, dtype=np.float64).reshape(-1), mu.shape)
    seen = (
        np.isfinite(x)
        if observed is None
        else np.broadcast_to(np.atleast_2d(np.asarray(observed, dtype=bool)), x.shape)
    )
    z = mu.copy()
    vz = np.zeros_like(mu)
    wsum = np.zeros_like(mu)
    out_z = np.full(x.shape, np.nan)
    out_sd = np.full(x.shape, np.nan)
    started = np.zeros(mu.shape, dtype=bool)
    for t in range(x.shape[1]):
        s = seen[:, t]
        xt = np.where(s, x[:, t], 0.0)
        vt = np.where(s, var[:, t], 0.0)
        z = np.where(s, lam * xt + (1.0 - lam) * z, z)
        vz = np.where(s, (1.0 - lam) ** 2 * vz + lam**2 * vt, vz)
        wsum = np.where(s, lam + (1.0 - lam) * wsum, wsum)
        started |= s
        sd = np.sqrt(vz + wsum**2 * cvar)
        out_z[:, t] = np.where(started, z, np.nan)
        out_sd[:, t] = np.where(started, sd, np.nan)
    lower = mu[:, None] - L * out_sd
    upper = mu[:, None] + L * out_sd
    with np.errstate(invalid="ignore"):
        signal = seen & ((out_z < lower) | (out_z > upper))
    shape = np.shape(values)
    return EwmaChart(
        ewma=out_z.reshape(shape),
        lower=lower.reshape(shape),
        upper=upper.reshape(shape),
        signal=signal.reshape(shape),
    )


def p_chart_limits(
    centre: float,
    n: ArrayLike,
    L: float = P_CHART_L,  # noqa: N803 - the name in the references
    baseline_n: float | None = None,
) -> tuple[Floats, Floats]:
    """Lower and upper p-chart limits for sample sizes ``n`` (clipped to [0, 1]).

    Without ``baseline_n`` these are the textbook limits
    ``p0 +- L sqrt(p0 (1 - p0) / n)`` [1]_; with it the centre's own sampling
    variance ``p0 (1 - p0) / baseline_n`` is added.
    """
    nn = np.asarray(n, dtype=np.float64)
    var = centre * (1.0 - centre) / nn
    if baseline_n is not None:
        var = var + centre * (1.0 - centre) / baseline_n
    half = L * np.sqrt(var)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def control_chart(
    satisfied: ArrayLike,
    n: ArrayLike,
    baseline: int = BASELINE_PERIODS,
    L_p: float = P_CHART_L,  # noqa: N803 - the name in the references
    lam: float = EWMA_LAMBDA,
    L_ewma: float = EWMA_L,  # noqa: N803
    min_n: float = MIN_POINT_N,
    min_baseline_n: float = MIN_BASELINE_N,
    account_for_baseline: bool = True,
) -> ControlChart:
    """p-chart and EWMA chart of % satisfied with limits from the first ``baseline`` periods.

    Parameters
    ----------
    satisfied, n : array_like, shape (T,) or (R, T)
        Satisfied respondents and respondents per period, oldest first.
    baseline : int
        Leading periods that estimate the centre line; the rest are monitored.
    L_p, lam, L_ewma : float
        p-chart width, EWMA weight and EWMA width in standard errors.
    min_n : float
        A period with fewer respondents is not charted (no point, no signal; the
        EWMA carries over it).
    min_baseline_n : float
        A series whose baseline has fewer respondents gets no limits and no signals.
    account_for_baseline : bool
        Widen the limits for the estimation of the centre (default); ``False`` gives the
        textbook limits of a known centre.

    Returns
    -------
    ControlChart

    References
    ----------
    See the module docstring.
    """
    x = np.asarray(satisfied, dtype=np.float64)
    nn = np.asarray(n, dtype=np.float64)
    if x.shape != nn.shape:
        raise ValueError(f"satisfied and n differ in shape: {x.shape} and {nn.shape}")
    if x.ndim not in (1, 2):
        raise ValueError("satisfied and n must be one series (T,) or a table (R, T)")
    if np.any(nn < 0) or np.any(x < 0) or np.any(x > nn):
        raise ValueError("counts must satisfy 0 <= satisfied <= n")
    periods = x.shape[-1]
    if not 1 <= baseline < periods:
        raise ValueError(f"baseline must be between 1 and {periods - 1} periods, got {baseline}")
    x2, n2 = np.atleast_2d(x), np.atleast_2d(nn)
    charted = n2 >= max(min_n, 1.0)
    base_n = np.where(charted[:, :baseline], n2[:, :baseline], 0.0).sum(axis=1)
    base_x = np.where(charted[:, :baseline], x2[:, :baseline], 0.0).sum(axis=1)
    usable = base_n >= max(min_baseline_n, 1.0)
    safe_n = np.where(usable, base_n, 1.0)
    centre = np.where(usable, base_x / safe_n, np.nan)
    # A baseline of all (or no) satisfied would give zero-width limits: bound the
    # variance away from zero by half a respondent.
    pv = np.clip(centre, 0.5 / safe_n, 1.0 - 0.5 / safe_n)
    unit_var = pv * (1.0 - pv)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(charted, x2 / np.where(n2 > 0, n2, 1.0), np.nan)
        point_var = unit_var[:, None] / np.where(charted, n2, np.inf)
    centre_var = unit_var / safe_n if account_for_baseline else np.zeros_like(unit_var)
    half = L_p * np.sqrt(point_var + centre_var[:, None])
    p_lower = np.where(charted, np.clip(centre[:, None] - half, 0.0, 1.0), np.nan)
    p_upper = np.where(charted, np.clip(centre[:, None] + half, 0.0, 1.0), np.nan)
    monitored = np.zeros_like(charted)
    monitored[:, baseline:] = charted[:, baseline:] & usable[:, None]
    with np.errstate(invalid="ignore"):
        below_p = monitored & (p < centre[:, None] - half)
        above_p = monitored & (p > centre[:, None] + half)

    tail = slice(baseline, periods)
    ew = ewma_chart(
        np.where(monitored[:, tail], p[:, tail], np.nan),
        np.where(monitored[:, tail], point_var[:, tail], 0.0),
        np.where(usable, centre, 0.0),
        lam=lam,
        L=L_ewma,
        centre_variance=centre_var,
        observed=monitored[:, tail],
    )
    pad = np.full((x2.shape[0], baseline), np.nan)
    ew_z = np.concatenate([pad, np.atleast_2d(ew.ewma)], axis=1)
    ew_lo = np.concatenate([pad, np.atleast_2d(ew.lower)], axis=1)
    ew_hi = np.concatenate([pad, np.atleast_2d(ew.upper)], axis=1)
    with np.errstate(invalid="ignore"):
        below_e = monitored & (ew_z < ew_lo)
        above_e = monitored & (ew_z > ew_hi)
    below = below_p | below_e
    above = above_p | above_e
    direction = np.where(below, -1, np.where(above, 1, 0)).astype(np.int8)

    shape = x.shape

    def shaped(a: NDArray[np.generic]) -> NDArray[np.generic]:
        return a.reshape(shape)

    return ControlChart(
        n=nn,
        p=shaped(p).astype(np.float64),
        centre=centre,
        baseline_n=base_n,
        p_lower=shaped(p_lower).astype(np.float64),
        p_upper=shaped(p_upper).astype(np.float64),
        p_signal=shaped(below_p | above_p).astype(bool),
        ewma=EwmaChart(
            ewma=shaped(ew_z).astype(np.float64),
            lower=shaped(ew_lo).astype(np.float64),
            upper=shaped(ew_hi).astype(np.float64),
            signal=shaped(below_e | above_e).astype(bool),
        ),
        signal=shaped(below | above).astype(bool),
        direction=shaped(direction).astype(np.int8),
        monitored=shaped(monitored).astype(bool),
    )


@dataclass(frozen=True, slots=True)
class AdequateChart:
    """A control chart of the series whose sample sizes allow one.

    ``eligible`` (one value a series) is false for a series some baseline period of
    which has fewer than ``required_n`` respondents: it has no limits and no signals.
    """

    chart: ControlChart
    eligible: Bools
    required_n: Floats


def required_n(
    centre: ArrayLike, min_n: float = MIN_POINT_N, min_expected: float = MIN_EXPECTED
) -> Floats:
    """Smallest ``n`` with ``n p0 >= min_expected`` and ``n (1 - p0) >= min_expected``.

    At least ``min_n``; infinite where ``p0`` is 0, 1 or undefined (NaN).
    """
    p0 = np.asarray(centre, dtype=np.float64)
    smaller = np.minimum(p0, 1.0 - p0)
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.ceil(min_expected / np.where(smaller > 0, smaller, np.nan) - 1e-9)
    return np.where(np.isfinite(need), np.maximum(need, min_n), np.inf)


def adequate_chart(
    satisfied: ArrayLike,
    n: ArrayLike,
    baseline: int = BASELINE_PERIODS,
    min_n: float = MIN_POINT_N,
    min_expected: float = MIN_EXPECTED,
    min_baseline_n: float = MIN_BASELINE_N,
) -> AdequateChart:
    """``control_chart`` of the series large enough for the normal limits at every point.

    Parameters
    ----------
    satisfied, n : array_like, shape (T,) or (R, T)
        Satisfied respondents and respondents per period, oldest first.
    baseline : int
        Leading periods that estimate the centre line.
    min_n, min_expected : float
        A point needs at least ``min_n`` respondents and ``min_expected`` expected
        satisfied and dissatisfied respondents at the baseline proportion.
    min_baseline_n : float
        As in ``control_chart``; the chart's widths are its defaults.

    Returns
    -------
    AdequateChart

    References
    ----------
    See the module docstring (the rule ``n p0 >= 5`` and ``n (1 - p0) >= 5``: [1]_).
    """
    x = np.asarray(satisfied, dtype=np.float64)
    nn = np.asarray(n, dtype=np.float64)
    if x.shape != nn.shape:
        raise ValueError(f"satisfied and n differ in shape: {x.shape} and {nn.shape}")
    if x.ndim not in (1, 2):
        raise ValueError("satisfied and n must be one series (T,) or a table (R, T)")
    if not 1 <= baseline < x.shape[-1]:
        raise ValueError(
            f"baseline must be between 1 and {x.shape[-1] - 1} periods, got {baseline}"
        )
    x2, n2 = np.atleast_2d(x), np.atleast_2d(nn)
    base_n = n2[:, :baseline].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = np.where(base_n > 0, x2[:, :baseline].sum(axis=1) / base_n, np.nan)
    need = required_n(pooled, min_n, min_expected)
    eligible: Bools = np.all(n2[:, :baseline] >= need[:, None], axis=1)
    keep = eligible[:, None] & (n2 >= need[:, None])
    chart = control_chart(
        np.where(keep, x2, 0.0).reshape(x.shape),
        np.where(keep, n2, 0.0).reshape(x.shape),
        baseline=baseline,
        min_n=min_n,
        min_baseline_n=min_baseline_n,
    )
    shape = x.shape[:-1]
    return AdequateChart(
        chart=chart,
        eligible=np.asarray(eligible.reshape(shape), dtype=bool),
        required_n=need.reshape(shape),
    )
