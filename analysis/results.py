"""Shared result vocabulary: reasons, small-sample flags and JSON conversion.

Every statistic in :mod:`analysis` returns a frozen dataclass. When a value cannot be
computed it is ``None`` and a machine-readable :class:`Reason` explains why; no result
ever holds NaN or infinity. Results computed from fewer than ``min_n`` (effective)
respondents carry ``reliable=False`` and ``flag="small_sample"``.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping
from typing import Any, Final

import numpy as np

SMALL_SAMPLE_THRESHOLD: Final = 30.0
"""Default minimum effective sample size for a result to be called reliable."""

SMALL_SAMPLE_FLAG: Final = "small_sample"


class Reason(enum.StrEnum):
    """Why a value is ``None``; values are stable strings for machines."""

    NO_DATA = "no_data"
    SINGLE_RESPONDENT = "single_respondent"
    ZERO_VARIANCE = "zero_variance"
    ALL_IDENTICAL = "all_identical"
    SINGLE_GROUP = "single_group"
    TOO_FEW_ITEMS = "too_few_items"
    SINGULAR_MATRIX = "singular_matrix"
    EMPTY_GROUP = "empty_group"


def reliability_flag(n_effective: float, min_n: float) -> tuple[bool, str | None]:
    """Return ``(reliable, flag)`` for an effective sample size.

    Parameters
    ----------
    n_effective : float
        Number of respondents (or Kish effective number when weighted).
    min_n : float
        Threshold below which a result is flagged ``"small_sample"``.
    """
    if min_n < 0:
        raise ValueError(f"min_n must be non-negative, got {min_n}")
    reliable = n_effective >= min_n
    return reliable, None if reliable else SMALL_SAMPLE_FLAG


def finite_or_none(value: float) -> float | None:
    """Return ``value`` as a Python float, or ``None`` if it is NaN or infinite."""
    out = float(value)
    return out if math.isfinite(out) else None


def to_jsonable(obj: Any, ndigits: int | None = None) -> Any:
    """Convert a result (dataclass, mapping, sequence, numpy value) to JSON-ready data.

    Dataclasses become dicts, tuples become lists, enums their values, numpy scalars and
    arrays Python numbers and lists. Non-finite floats become ``None``. Rounding happens
    only here, at presentation, and only when ``ndigits`` is given.

    Parameters
    ----------
    obj : Any
        A result object or any nesting of the types above.
    ndigits : int, optional
        Round floats to this many decimals.

    Returns
    -------
    Any
        Data that :func:`json.dumps` accepts.
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            field.name: to_jsonable(getattr(obj, field.name), ndigits)
            for field in dataclasses.fields(obj)
        }
    if isinstance(obj, enum.Enum):
        return to_jsonable(obj.value, ndigits)
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        value = finite_or_none(float(obj))
        if value is not None and ndigits is not None:
            value = round(value, ndigits)
        return value
    if isinstance(obj, str) or obj is None:
        return obj
    if isinstance(obj, np.ndarray):
        return [to_jsonable(item, ndigits) for item in obj.tolist()]
    if isinstance(obj, Mapping):
        return {str(key): to_jsonable(value, ndigits) for key, value in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(item, ndigits) for item in obj]
    raise TypeError(f"cannot make {type(obj).__name__} JSON-ready")
