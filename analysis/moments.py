"""Additive sufficient statistics that SQL aggregates or counters can maintain.

:class:`Moments` holds complete-case (listwise) moments: the count ``n``, the sum vector
``sum x`` and the cross-product matrix ``sum x x^T``. They give means, covariances and
correlations, hence Cronbach's alpha and driver analysis.

:class:`PairwiseMoments` holds available-case (pairwise) moments for a variable ``y``
measured on items that may be missing or "not applicable": for items ``i, j`` the
number of respondents valid on both (``N``), the sum of ``y_i`` over them (``A``) and
the sum of ``y_i y_j`` over them (``S``). With ``y`` the 0/1 satisfied indicator these
are the pairwise co-satisfaction counts that give the covariance of item proportions.

Both are closed under ``+`` (so per-agency, per-month pieces combine) and round-trip
through plain lists for JSON storage.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def _names(names: Sequence[str] | None, k: int) -> tuple[str, ...]:
    out = tuple(f"item{i + 1}" for i in range(k)) if names is None else tuple(names)
    if len(out) != k:
        raise ValueError(f"expected {k} names, got {len(out)}")
    if len(set(out)) != k:
        raise ValueError("names must be unique")
    return out


def _as_2d(data: ArrayLike) -> FloatArray:
    array = np.asarray(data, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"expected a 2-D array (respondents x items), got {array.ndim}-D")
    if np.isinf(array).any():
        raise ValueError("data must not contain infinite values; use NaN for missing")
    return array


class Moments:
    """Complete-case count, sums and cross-products of ``k`` variables.

    Parameters
    ----------
    n : int
        Number of complete cases (respondents with every variable present).
    sums : array_like, shape (k,)
        Column sums over complete cases.
    cross : array_like, shape (k, k)
        ``sum over cases of x x^T``.
    names : sequence of str, optional
        Variable names; default ``item1 .. itemk``.

    Notes
    -----
    Covariances use ``(cross - sums sums^T / n) / (n - 1)``. For bounded survey scores
    (1-5, 0-100) this is exact enough in float64 for millions of respondents.
    """

    __slots__ = ("cross", "n", "names", "sums")

    def __init__(
        self,
        n: int,
        sums: ArrayLike,
        cross: ArrayLike,
        names: Sequence[str] | None = None,
    ) -> None:
        sums_arr = np.asarray(sums, dtype=np.float64).reshape(-1)
        cross_arr = np.asarray(cross, dtype=np.float64)
        k = sums_arr.shape[0]
        if cross_arr.shape != (k, k):
            raise ValueError(f"cross must have shape ({k}, {k}), got {cross_arr.shape}")
        if int(n) != n or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n}")
        if not np.allclose(cross_arr, cross_arr.T):
            raise ValueError("cross-product matrix must be symmetric")
        self.n = int(n)
        self.sums: FloatArray = sums_arr
        self.cross: FloatArray = cross_arr
        self.names = _names(names, k)

    @classmethod
    def from_array(cls, data: ArrayLike, names: Sequence[str] | None = None) -> Moments:
        """Build from a respondents x variables array; rows with any NaN are dropped."""
        array = _as_2d(data)
        complete = array[~np.isnan(array).any(axis=1)]
        return cls(complete.shape[0], complete.sum(axis=0), complete.T @ complete, names)

    @property
    def k(self) -> int:
        """Number of variables."""
        return len(self.names)

    def __add__(self, other: object) -> Moments:
        if not isinstance(other, Moments):
            return NotImplemented
        if other.names != self.names:
            raise ValueError(f"cannot add Moments over {self.names} and {other.names}")
        return Moments(
            self.n + other.n, self.sums + other.sums, self.cross + other.cross, self.names
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Moments):
            return NotImplemented
        return (
            self.names == other.names
            and self.n == other.n
            and np.array_equal(self.sums, other.sums)
            and np.array_equal(self.cross, other.cross)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable arrays inside

    def __repr__(self) -> str:
        return f"Moments(n={self.n}, names={self.names})"

    def select(self, names: Sequence[str]) -> Moments:
        """Return the moments of a subset of variables (complete cases unchanged)."""
        idx = [self.index(name) for name in names]
        return Moments(self.n, self.sums[idx], self.cross[np.ix_(idx, idx)], names)

    def index(self, name: str) -> int:
        """Return the position of variable ``name``."""
        try:
            return self.names.index(name)
        except ValueError:
            raise ValueError(f"unknown variable {name!r}; have {self.names}") from None

    def mean(self) -> FloatArray | None:
        """Column means, or ``None`` when ``n == 0``."""
        return None if self.n == 0 else self.sums / self.n

    def covariance(self, ddof: int = 1) -> FloatArray | None:
        """Covariance matrix, or ``None`` when ``n <= ddof``."""
        if self.n <= ddof:
            return None
        centred = self.cross - np.outer(self.sums, self.sums) / self.n
        cov = centred / (self.n - ddof)
        # Guard the diagonal against tiny negative values from cancellation.
        np.fill_diagonal(cov, np.maximum(np.diag(cov), 0.0))
        return cov

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON storage; inverse of :meth:`from_dict`."""
        return {
            "n": self.n,
            "names": list(self.names),
            "sums": self.sums.tolist(),
            "cross": self.cross.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Moments:
        """Rebuild from :meth:`to_dict` output."""
        return cls(data["n"], data["sums"], data["cross"], data["names"])


class PairwiseMoments:
    """Available-case co-moments of a per-item variable with missing values.

    For items ``i, j`` and validity indicators ``v``:
    ``valid[i, j] = sum v_i v_j``, ``sum_y[i, j] = sum v_i v_j y_i`` and
    ``cross[i, j] = sum v_i v_j y_i y_j``. The diagonal gives each item's own
    ``n_i``, ``sum y_i`` and ``sum y_i^2``.

    Parameters
    ----------
    valid, sum_y, cross : array_like, shape (k, k)
        The three matrices above (``sum_y`` is not symmetric).
    names : sequence of str, optional
        Item names.
    """

    __slots__ = ("cross", "names", "sum_y", "valid")

    def __init__(
        self,
        valid: ArrayLike,
        sum_y: ArrayLike,
        cross: ArrayLike,
        names: Sequence[str] | None = None,
    ) -> None:
        valid_arr = np.asarray(valid, dtype=np.float64)
        sum_arr = np.asarray(sum_y, dtype=np.float64)
        cross_arr = np.asarray(cross, dtype=np.float64)
        if valid_arr.ndim != 2 or valid_arr.shape[0] != valid_arr.shape[1]:
            raise ValueError(f"valid must be a square matrix, got shape {valid_arr.shape}")
        if sum_arr.shape != valid_arr.shape or cross_arr.shape != valid_arr.shape:
            raise ValueError("valid, sum_y and cross must have the same shape")
        if (valid_arr < 0).any():
            raise ValueError("valid counts must be non-negative")
        self.valid: FloatArray = valid_arr
        self.sum_y: FloatArray = sum_arr
        self.cross: FloatArray = cross_arr
        self.names = _names(names, valid_arr.shape[0])

    @classmethod
    def from_array(cls, data: ArrayLike, names: Sequence[str] | None = None) -> PairwiseMoments:
        """Build from a respondents x items array of ``y``; NaN marks missing or N/A."""
        array = _as_2d(data)
        v = (~np.isnan(array)).astype(np.float64)
        y = np.where(np.isnan(array), 0.0, array)
        return cls(v.T @ v, y.T @ v, y.T @ y, names)

    @classmethod
    def from_responses(
        cls,
        data: ArrayLike,
        satisfied: Collection[float] = (4, 5),
        names: Sequence[str] | None = None,
    ) -> PairwiseMoments:
        """Build satisfaction co-counts from raw answers (NaN = missing or N/A).

        ``y`` is 1 when the answer is in ``satisfied`` and 0 otherwise.
        """
        array = _as_2d(data)
        indicator = np.where(np.isin(array, list(satisfied)), 1.0, 0.0)
        return cls.from_array(np.where(np.isnan(array), np.nan, indicator), names)

    @property
    def k(self) -> int:
        """Number of items."""
        return len(self.names)

    def index(self, name: str) -> int:
        """Return the position of item ``name``."""
        try:
            return self.names.index(name)
        except ValueError:
            raise ValueError(f"unknown item {name!r}; have {self.names}") from None

    def n_items(self) -> FloatArray:
        """Valid count per item."""
        return np.diag(self.valid).copy()

    def item_means(self) -> FloatArray:
        """Mean of ``y`` per item; 0 where an item has no valid answer."""
        n = self.n_items()
        return np.divide(np.diag(self.sum_y), n, out=np.zeros_like(n), where=n > 0)

    def covariance_of_means(self) -> FloatArray:
        """Linearised covariance matrix of the item means.

        ``Cov(m_i, m_j) = (S_ij - m_j A_ij - m_i A_ji + N_ij m_i m_j) / (n_i n_j)``,
        the sum over respondents valid on both of ``(y_i - m_i)(y_j - m_j)`` divided
        by ``n_i n_j`` (ratio-estimator linearisation, Cochran 1977, sec. 6.3). The
        diagonal is the plug-in ``sum (y - m)^2 / n^2``. Rows of items without data
        are zero.
        """
        m = self.item_means()
        n = self.n_items()
        numer = (
            self.cross
            - self.sum_y * m[np.newaxis, :]
            - self.sum_y.T * m[:, np.newaxis]
            + self.valid * np.outer(m, m)
        )
        denom = np.outer(n, n)
        return np.divide(numer, denom, out=np.zeros_like(numer), where=denom > 0)

    def __add__(self, other: object) -> PairwiseMoments:
        if not isinstance(other, PairwiseMoments):
            return NotImplemented
        if other.names != self.names:
            raise ValueError(f"cannot add moments over {self.names} and {other.names}")
        return PairwiseMoments(
            self.valid + other.valid,
            self.sum_y + other.sum_y,
            self.cross + other.cross,
            self.names,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PairwiseMoments):
            return NotImplemented
        return (
            self.names == other.names
            and np.array_equal(self.valid, other.valid)
            and np.array_equal(self.sum_y, other.sum_y)
            and np.array_equal(self.cross, other.cross)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable arrays inside

    def __repr__(self) -> str:
        return f"PairwiseMoments(names={self.names})"

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON storage; inverse of :meth:`from_dict`."""
        return {
            "names": list(self.names),
            "valid": self.valid.tolist(),
            "sum_y": self.sum_y.tolist(),
            "cross": self.cross.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PairwiseMoments:
        """Rebuild from :meth:`to_dict` output."""
        return cls(data["valid"], data["sum_y"], data["cross"], data["names"])
