"""Typed wrappers over the few scipy distribution functions the package uses.

scipy ships without type stubs, so the untyped import is confined to this module and
every other module stays fully checked under ``mypy --strict``.

The normal and t functions call ``scipy.special`` directly: these are the very
functions ``scipy.stats.norm`` and ``scipy.stats.t`` evaluate (bit-identical results),
without the distribution objects' argument handling, which costs a few hundred
microseconds per call; a report computes hundreds of intervals.
"""

from __future__ import annotations

# scipy has no inline types; "unused-ignore" keeps this valid once scipy-stubs is added.
import numpy as np
import numpy.typing as npt
from scipy import special, stats  # type: ignore[import-untyped, unused-ignore]

FloatArray = npt.NDArray[np.float64]


def norm_isf(q: float) -> float:
    """Upper-tail quantile of the standard normal."""
    return float(-special.ndtri(q))


def norm_sf(x: float) -> float:
    """Upper-tail probability of the standard normal."""
    return float(special.ndtr(-x))


def norm_sf_array(x: FloatArray) -> FloatArray:
    """Upper-tail probabilities of the standard normal, element-wise, in one call."""
    out: FloatArray = np.asarray(special.ndtr(-np.asarray(x)), dtype=np.float64)
    return out


def t_isf(q: float, df: float) -> float:
    """Upper-tail quantile of Student's t."""
    return float(-special.stdtrit(df, q))


def t_sf(x: float, df: float) -> float:
    """Upper-tail probability of Student's t."""
    return float(special.stdtr(df, -x))


def f_isf(q: float, df1: float, df2: float) -> float:
    """Upper-tail quantile of the F distribution."""
    return float(stats.f.isf(q, df1, df2))


def chi2_sf(x: float, df: float) -> float:
    """Upper-tail probability of the chi-square distribution."""
    return float(stats.chi2.sf(x, df))
