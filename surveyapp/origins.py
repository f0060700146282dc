"""Web origins (``scheme://host[:port]``): parsing and exact comparison."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


class OriginError(ValueError):
    """Not a valid web origin; the message says why."""


def normalise_origin(value: str) -> str:
    """Return ``value`` as a canonical origin or raise OriginError.

    Scheme and host are lower-cased and a default port is dropped, so that
    two spellings of one origin compare equal. Paths, queries, fragments and
    credentials are refused rather than silently cut off.
    """
    raw = value.strip()
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise OriginError(f"{value!r} is not a valid origin (bad port or host)") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise OriginError(f"{value!r}: an origin must start with http:// or https://")
    host = (parts.hostname or "").lower()
    if not host:
        raise OriginError(f"{value!r}: an origin must name a host")
    if parts.username is not None or parts.password is not None:
        raise OriginError(f"{value!r}: an origin must not contain a user name or password")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise OriginError(
            f"{value!r}: an origin is only scheme://host[:port], without a path or query"
        )
    if any(c.isspace() for c in raw) or "*" in host:
        raise OriginError(f"{value!r}: an origin must be one exact host, without wildcards")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"
