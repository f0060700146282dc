"""File downloads for staff: never cached, with a safe RFC 6266 ``Content-Disposition``."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from urllib.parse import quote

from flask import Response, has_request_context, stream_with_context

#: Longest file name offered, in characters (file systems allow 255 bytes).
MAX_FILENAME_LENGTH = 120
FALLBACK_NAME = "download"
#: Characters kept as they are in the ASCII ``filename="..."`` fallback.
_ASCII_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-()+ ")
#: Letters that Unicode does not decompose into ASCII ones.
_ASCII_LETTERS = str.maketrans({"đ": "d", "Đ": "D"})
#: A downloaded file is never a page: if a browser shows it, it runs nothing.
DOWNLOAD_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"


def clean_filename(filename: str) -> str:
    """Return ``filename`` as a single safe name: no path, controls, quotes or leading dots."""
    name = unicodedata.normalize("NFC", filename)
    kept = []
    for char in name:
        if char in '/\\"' or (unicodedata.category(char)[0] in "CZ" and char != " "):
            # Slashes, quotes, controls (CR, LF, NUL...), separators and format characters
            # (bidi overrides that disguise an extension) become underscores.
            kept.append("_")
        else:
            kept.append(char)
    name = "".join(kept).strip(" ._")
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_FILENAME_LENGTH - len(ext) - 1].rstrip(" ._") + "." + ext
        else:
            name = name[:MAX_FILENAME_LENGTH].rstrip(" ._")
    return name or FALLBACK_NAME


def ascii_filename(filename: str) -> str:
    """Return an ASCII stand-in for a clean name: accents dropped, other characters as ``_``."""
    decomposed = unicodedata.normalize("NFKD", filename.translate(_ASCII_LETTERS))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    name = "".join(c if c in _ASCII_SAFE else "_" for c in letters).strip(" ._")
    return name or FALLBACK_NAME


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """Return a ``Content-Disposition`` value with an ASCII name and the UTF-8 name (RFC 6266).

    The ``filename*`` parameter (RFC 8187) is percent-encoded UTF-8, so
    Vietnamese names survive; browsers that do not read it use ``filename``.
    """
    clean = clean_filename(filename)
    kind = "inline" if inline else "attachment"
    fallback = ascii_filename(clean)
    encoded = quote(clean, safe="")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def download_response(
    data: bytes | str | Iterable[bytes] | Iterable[str],
    filename: str,
    mimetype: str,
    *,
    inline: bool = False,
) -> Response:
    """Return a download of ``data`` named ``filename``: never cached, never framed.

    Bytes and text are sent whole (with a length); any other iterable of
    chunks is streamed, keeping the request context alive while it runs.
    """
    body: bytes | str | Iterator[bytes]
    if isinstance(data, bytes | str):
        body = data
    elif has_request_context():
        body = stream_with_context(_utf8_chunks(data))
    else:
        body = _utf8_chunks(data)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename, inline=inline)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _utf8_chunks(data: Iterable[bytes] | Iterable[str]) -> Iterator[bytes]:
    for chunk in data:
        yield chunk.encode("utf-8") if isinstance(chunk, str) else chunk
