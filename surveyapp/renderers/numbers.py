"""How figures are printed, the same way in the PDF and the dashboard."""

from __future__ import annotations

from analysis import Interval

DASH = "\u2013"  # en dash: "no value"


def num(value: float | None, digits: int = 1) -> str:
    """Return ``value`` with ``digits`` decimals, or a dash when it cannot be computed."""
    return DASH if value is None else f"{value:.{digits}f}"


def count(value: float | None) -> str:
    """Return a count with thin-space thousands (whole numbers without decimals)."""
    if value is None:
        return DASH
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return text.replace(",", " ")


def interval(ci: Interval | None, digits: int = 1) -> str:
    """Return ``[lower; upper]`` or a dash."""
    if ci is None:
        return DASH
    return f"[{ci.lower:.{digits}f}; {ci.upper:.{digits}f}]"


def with_interval(value: float | None, ci: Interval | None, digits: int = 1) -> str:
    """Return ``value [lower; upper]``."""
    if value is None:
        return DASH
    return f"{num(value, digits)} {interval(ci, digits)}" if ci else num(value, digits)


def p_value(p: float | None) -> str:
    """Return a p-value as people read it: ``< 0.001`` below a thousandth."""
    if p is None:
        return DASH
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def signed(value: float | None, digits: int = 1) -> str:
    """Return a change with its sign (``+2.5``)."""
    return DASH if value is None else f"{value:+.{digits}f}"
