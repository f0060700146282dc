"""Whole numbers in URLs and query strings, bounded so the database can hold them.

A row id or version beyond a 32-bit signed integer (PostgreSQL's ``integer``) names
nothing that can exist; unbounded, such a number reached the database and failed
there ("int too large to convert to SQLite INTEGER": a 500). The ``int`` converter of
every route is replaced by a bounded one (a larger number does not match: 404), and
query parameters are read with :func:`bounded_int`.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter, IntegerConverter, Map

#: The largest id or version any table holds (PostgreSQL ``integer``).
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that matches 0..MAX_ID only (``max``/``min`` may narrow it)."""

    def __init__(self, map: Map, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)  # type: ignore[arg-type]


def bounded_int(raw: str, name: str, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """Return ``raw`` as a whole number in ``minimum..maximum``; ValueError names ``name``."""
    text = raw.strip()
    # Digits only: int() would also take "+1", "1_000", " 1 " and non-ASCII digits.
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        raise ValueError(f"{name} must be a whole number from {minimum} to {maximum}")
    value = int(text)
    if not minimum <= value <= maximum:
        raise ValueError(f"{name} must be a whole number from {minimum} to {maximum}")
    return value


def init_app(app: Flask) -> None:
    """Register the bounded converter; call before any route is added."""
    converters: dict[str, type[BaseConverter]] = app.url_map.converters
    converters["int"] = BoundedIntConverter
