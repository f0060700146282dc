"""The one reader of JSON request bodies, bounded in depth (the size is MAX_CONTENT_LENGTH).

Python's JSON decoder recurses once per nesting level: a 6 KB body nested 3,000
levels deep raises RecursionError, which is not a ValueError, so
``request.get_json(silent=True)`` lets it escape as a 500 (and, in the rate
limiter's key function, before the request is counted). The body's depth is
measured by a linear scan first; the app's JSON provider does the same for any
other ``get_json`` call, so no JSON text reaches the decoder deeper than MAX_DEPTH.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app, g, request
from flask.json.provider import DefaultJSONProvider

#: Nesting levels allowed in a request body (the API's deepest real body has 3).
MAX_DEPTH = 32

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_CACHE = "_surveyapp_json_body"


class JSONBodyError(ValueError):
    """A request body that is not JSON within the bounds; the message is for the client."""


def check_depth(data: bytes | str, limit: int = MAX_DEPTH) -> None:
    """Raise JSONBodyError when ``data`` opens more than ``limit`` arrays/objects at once."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                raise JSONBodyError(f"the JSON body is nested more than {limit} levels deep")
        else:
            depth -= 1


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, refusing texts nested deeper than MAX_DEPTH before decoding."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        check_depth(s)
        return super().loads(s, **kwargs)


def read_json() -> Any:
    """Return the request's JSON body (read once per request) or raise JSONBodyError."""
    cached = g.get(_CACHE)
    if cached is None:
        try:
            data = request.get_data(cache=True)
            check_depth(data)
            cached = (current_app.json.loads(data), None)
        except JSONBodyError as exc:
            cached = (None, str(exc))
        except (ValueError, UnicodeDecodeError):
            cached = (None, "the body is not valid JSON")
        setattr(g, _CACHE, cached)
    body, error = cached
    if error is not None:
        raise JSONBodyError(error)
    return body


def init_app(app: Flask) -> None:
    """Bound every JSON text the app decodes from a request."""
    app.json = BoundedJSONProvider(app)
