"""How figures are printed, the same way in the PDF and the dashboard."""

from __future__ import annotations

from contextvars import ContextVar

from analysis import Interval

DASH = "\u2013"  # en dash: "no value"
#: The language of the document being rendered (``wording.using`` sets it): vi writes
#: a decimal comma (``82,7``), en a decimal point. Machine formats never use these.
LANGUAGE: ContextVar[str] = ContextVar("document_language", default="vi")


def _mark(text: str) -> str:
    return text.replace(".", ",") if LANGUAGE.get() == "vi" else text


def num(value: float | None, digits: int = 1) -> str:
    """Return ``value`` with ``digits`` decimals, or a dash when it cannot be computed."""
    return DASH if value is None else _mark(f"{value:.{digits}f}")


def count(value: float | None) -> str:
    """Return a count with thin-space thousands (whole numbers without decimals)."""
    if value is None:
        return DASH
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return _mark(text.replace(",", " "))


def interval(ci: Interval | None, digits: int = 1) -> str:
    """Return ``[lower; upper]`` or a dash."""
    if ci is None:
        return DASH
    return f"[{num(ci.lower, digits)}; {num(ci.upper, digits)}]"


def with_interval(value: float | None, ci: Interval | None, digits: int = 1) -> str:
    """Return ``value [lower; upper]``."""
    if value is None:
        return DASH
    return f"{num(value, digits)} {interval(ci, digits)}" if ci else num(value, digits)


def p_value(p: float | None) -> str:
    """Return a p-value as people read it: ``< 0.001`` below a thousandth."""
    if p is None:
        return DASH
    return f"< {num(0.001, 3)}" if p < 0.001 else num(p, 3)


def signed(value: float | None, digits: int = 1) -> str:
    """Return a change with its sign (``+2.5``)."""
    return DASH if value is None else _mark(f"{value:+.{digits}f}")
