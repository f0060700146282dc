"""Web origins (``scheme://host[:port]``): parsing and exact comparison.

An origin is written into response headers (``Content-Security-Policy:
frame-ancestors``, ``Access-Control-Allow-Origin``), so only what is a valid
header value and a valid CSP host-source is accepted: an ASCII host name
(internationalised names are converted to punycode, as browsers do), or an
IPv4 address, and a port.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Iterable

import idna

from surveyapp.errors import Problem

DEFAULT_PORTS = {"http": 80, "https": 443}
#: Longest text looked at; a host name has at most 253 characters.
MAX_LENGTH = 300
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_PORT = re.compile(r"[0-9]{1,5}")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")

logger = logging.getLogger(__name__)


class OriginError(ValueError):
    """Not a valid web origin; the message says why."""


def _shown(value: str) -> str:
    """Return ``value`` quoted for a message, escapes visible, cut when long."""
    return repr(value if len(value) <= 80 else value[:80] + "…")


def _ascii_host(host: str, value: str) -> str:
    """Return ``host`` as lower-case ASCII (punycode for an internationalised name)."""
    if host.startswith("["):
        raise OriginError(
            Problem(
                "%(origin)s: an IPv6 address cannot be listed (a Content-Security-Policy "
                "cannot name it); use the site's host name",
                origin=_shown(value),
            )
        )
    try:
        # UTS #46 without transitional mapping: the same punycode browsers send.
        ascii_host = idna.encode(host, uts46=True, transitional=False, std3_rules=True).decode(
            "ascii"
        )
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise OriginError(
            Problem(
                "%(origin)s: %(host)s is not a valid host name (%(why)s)",
                origin=_shown(value),
                host=_shown(host),
                why=str(exc),
            )
        ) from None
    if len(ascii_host) > 253 or not _HOST.fullmatch(ascii_host):
        raise OriginError(
            Problem(
                "%(origin)s: %(host)s is not a valid host name",
                origin=_shown(value),
                host=_shown(host),
            )
        )
    if _NUMERIC_LABEL.fullmatch(ascii_host.rpartition(".")[2]):
        # Browsers read a host ending in a number as an IPv4 address.
        try:
            ipaddress.IPv4Address(ascii_host)
        except ValueError:
            raise OriginError(
                Problem(
                    "%(origin)s: %(host)s is neither a host name nor an IPv4 address",
                    origin=_shown(value),
                    host=_shown(host),
                )
            ) from None
    return ascii_host


def normalise_origin(value: str) -> str:
    """Return ``value`` as a canonical origin or raise OriginError.

    Scheme and host are lower-cased, an internationalised host name becomes
    punycode (``https://cơquan.vn`` → ``https://xn--cquan-uob.vn``) and a default
    port is dropped, so that two spellings of one origin compare equal. Paths,
    queries, fragments, credentials, wildcards and any character that is not
    part of a host name are refused rather than silently cut off.
    """
    raw = value.strip()
    if len(raw) > MAX_LENGTH:
        raise OriginError(
            Problem(
                "%(origin)s: an origin is at most %(n)s characters",
                origin=_shown(value),
                n=MAX_LENGTH,
            )
        )
    scheme, sep, rest = raw.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in DEFAULT_PORTS:
        raise OriginError(
            Problem(
                "%(origin)s: an origin must start with http:// or https://", origin=_shown(value)
            )
        )
    rest = rest.removesuffix("/")
    if any(c in rest for c in "/?#\\"):
        raise OriginError(
            Problem(
                "%(origin)s: an origin is only scheme://host[:port], without a path or query",
                origin=_shown(value),
            )
        )
    if "@" in rest:
        raise OriginError(
            Problem(
                "%(origin)s: an origin must not contain a user name or password",
                origin=_shown(value),
            )
        )
    if any(c.isspace() for c in rest) or "*" in rest:
        raise OriginError(
            Problem(
                "%(origin)s: an origin must be one exact host, without wildcards",
                origin=_shown(value),
            )
        )
    host, port_text = rest, ""
    if (not rest.startswith("[") and ":" in rest) or (rest.startswith("[") and "]:" in rest):
        host, _colon, port_text = rest.rpartition(":")
    if not host:
        raise OriginError(Problem("%(origin)s: an origin must name a host", origin=_shown(value)))
    port = None
    if port_text or rest.endswith(":"):
        if not _PORT.fullmatch(port_text) or not 0 < int(port_text) < 65536:
            raise OriginError(
                Problem(
                    "%(origin)s: the port must be a number from 1 to 65535", origin=_shown(value)
                )
            )
        port = int(port_text)
    ascii_host = _ascii_host(host, value)
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{ascii_host}"
    return f"{scheme}://{ascii_host}:{port}"


def display_origin(origin: str) -> str:
    """Return a stored origin as a person reads it: punycode with its Unicode form beside."""
    scheme, _sep, rest = origin.partition("://")
    host, colon, port = rest.partition(":")
    if "xn--" not in host:
        return origin
    try:
        unicode_host = idna.decode(host)
    except (idna.IDNAError, UnicodeError, ValueError):
        return origin
    return f"{origin} ({scheme}://{unicode_host}{colon}{port})"


def usable_origins(stored: Iterable[str]) -> list[str]:
    """Return the canonical form of each stored origin, leaving out any that is not one.

    Origins stored before the rules above (a Unicode host, a ``;``) must not break
    the headers they are written into; each one left out is logged.
    """
    usable: list[str] = []
    for value in stored:
        try:
            origin = normalise_origin(value)
        except OriginError as exc:
            logger.warning("stored embed origin ignored: %s", exc)
            continue
        if origin not in usable:
            usable.append(origin)
    return usable
