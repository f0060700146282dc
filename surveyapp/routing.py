"""Whole numbers in URLs and query strings, bounded so the database can hold them.

A row id or version beyond a 32-bit signed integer (PostgreSQL's ``integer``) names
nothing that can exist; unbounded, such a number reached the database and failed
there ("int too large to convert to SQLite INTEGER": a 500). The ``int`` converter of
every route is replaced by a bounded one (a larger number does not match: 404), and
query parameters are read with :func:`bounded_int`. A NUL character in the path or
the query string is refused (400) before any view: PostgreSQL cannot compare text
with one ("text fields cannot contain NUL"), so it would otherwise fail as a 500.
"""

from __future__ import annotations

from flask import Flask, abort, request
from flask_babel import gettext
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


#: Query parameters that fall back on any unknown value and never reach the database:
#: the interface language (a respondent still gets the form, in Vietnamese).
FALLS_BACK = frozenset({"lang"})


def refuse_nul() -> None:
    """Answer 400 when the path or a query parameter holds a NUL character."""
    if "\x00" in request.path or any(
        "\x00" in key or ("\x00" in value and key not in FALLS_BACK)
        for key, value in request.args.items(multi=True)
    ):
        abort(400, description=gettext("The address may not contain a NUL character."))


def init_app(app: Flask) -> None:
    """Register the bounded converter and the NUL check; call before any route is added."""
    converters: dict[str, type[BaseConverter]] = app.url_map.converters
    converters["int"] = BoundedIntConverter
    app.before_request(refuse_nul)
