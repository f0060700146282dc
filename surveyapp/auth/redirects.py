"""Where to go after signing in: only to a path on this site."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

MAX_NEXT_LENGTH = 2048


def safe_next(target: str | None) -> str | None:
    """Return ``target`` when it is a local path (``/...``), else None.

    Refused: absolute and scheme-relative URLs (``https://x``, ``//x``), any
    backslash (browsers read ``/\\x`` as ``//x``), control and format
    characters (browsers drop tabs and newlines, turning ``/\\t/x`` into
    ``//x``; CR/LF would split headers), other schemes (``javascript:``) and
    overlong values.
    """
    if not target or len(target) > MAX_NEXT_LENGTH:
        return None
    for char in target:
        category = unicodedata.category(char)
        if char == "\\" or category[0] == "C" or (category[0] == "Z" and char != " "):
            return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
