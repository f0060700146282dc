"""Embedding forms on agencies' sites: request origin checks, frame-ancestors, snippets.

Every comparison is between canonical origins (``surveyapp.origins``), exactly:
``https://agency.gov.vn`` never matches ``https://agency.gov.vn.evil.tld``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

from markupsafe import escape

from surveyapp.origins import OriginError, normalise_origin, usable_origins

#: Content-Security-Policy of public pages, apart from frame-ancestors.
PUBLIC_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'"
)
#: Height the plain <iframe> snippet starts with (px); embed.js resizes its frames.
IFRAME_HEIGHT = 1600


class OriginRefusedError(ValueError):
    """The request does not come from an allowed origin; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"request origin refused: {reason}")


def origin_or_none(value: str | None) -> str | None:
    """Return ``value`` as a canonical origin, or None when it is not one."""
    if not value:
        return None
    return _canonical_origin(value)


@lru_cache(maxsize=1024)
def _canonical_origin(value: str) -> str | None:
    # Every submission sends its Origin: the same few values, parsed (IDNA) once.
    try:
        return normalise_origin(value)
    except OriginError:
        return None


def origin_of_url(url: str | None) -> str | None:
    """Return the origin of an absolute http(s) URL, or None."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return origin_or_none(f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}")


LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def own_origins(public_url: str) -> frozenset[str]:
    """Return the app's own origins: its public URL's.

    A public URL on loopback (a local run) is reached as ``127.0.0.1`` and as
    ``localhost`` alike, on the same port; both are the app's. The Host header of
    a request is chosen by its client and is never one of them.
    """
    origin = origin_of_url(public_url)
    if origin is None:
        return frozenset()
    scheme, _sep, rest = origin.partition("://")
    host, colon, port = rest.partition(":")
    if host not in LOOPBACK_NAMES:
        return frozenset({origin})
    return frozenset(f"{scheme}://{name}{colon}{port}" for name in LOOPBACK_NAMES)


def check_request_origin(
    headers: Mapping[str, str], allowed: Iterable[str], *, allow_headerless: bool = False
) -> str | None:
    """Refuse a state-changing request that does not come from an ``allowed`` origin.

    Browsers send ``Origin`` with every POST; when it is missing, the request is
    judged by ``Sec-Fetch-Site`` (only "same-origin" passes) and then by the
    origin of ``Referer``. A request with none of the three comes from a program,
    not a browser page, so it cannot be cross-site request forgery: it passes only
    with ``allow_headerless`` (the JSON API). Returns the origin checked, if any.
    Raises OriginRefusedError.
    """
    allowed_set = set(allowed)
    raw_origin = headers.get("Origin")
    if raw_origin is not None:
        origin = origin_or_none(raw_origin)
        if origin is None or origin not in allowed_set:
            raise OriginRefusedError(f"Origin {raw_origin[:100]!r} is not allowed")
        return origin
    fetch_site = headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        if fetch_site != "same-origin":
            raise OriginRefusedError(f"Sec-Fetch-Site is {fetch_site[:20]!r}")
        return None
    referer = headers.get("Referer")
    if referer is not None:
        origin = origin_of_url(referer)
        if origin is None or origin not in allowed_set:
            raise OriginRefusedError("the Referer's origin is not allowed")
        return origin
    if not allow_headerless:
        raise OriginRefusedError("neither Origin, Sec-Fetch-Site nor Referer was sent")
    return None


def frame_ancestors(origins: Iterable[str]) -> str:
    """Return the frame-ancestors directive allowing exactly ``origins`` ('none' if empty).

    A stored origin that is not a valid one is left out, never written into the header.
    """
    listed = sorted(usable_origins(origins))
    return "frame-ancestors " + (" ".join(listed) if listed else "'none'")


def public_csp(frame_origins: Iterable[str]) -> str:
    """Return the Content-Security-Policy of a public page framable by ``frame_origins``."""
    return f"{PUBLIC_CSP}; {frame_ancestors(frame_origins)}"


@dataclass(frozen=True)
class Snippet:
    """What a webmaster pastes, and the direct link for e-mails and QR codes."""

    direct_link: str
    script_html: str
    iframe_html: str


LINK_TEXT = {
    "vi": "Trả lời phiếu khảo sát: {title}",
    "en": "Answer the survey: {title}",
}
NEW_PAGE_TEXT = {
    "vi": "Mở phiếu khảo sát trong trang mới",
    "en": "Open the survey in a new page",
}


def form_link(base_url: str, slug: str, agency_code: str, lang: str) -> str:
    """Return the direct link to an agency's form."""
    query = urlencode({"agency": agency_code, "lang": lang})
    return f"{base_url.rstrip('/')}/q/{slug}?{query}"


def make_snippet(base_url: str, slug: str, agency_code: str, lang: str, title: str) -> Snippet:
    """Return the script snippet, the plain iframe fallback and the direct link."""
    base = base_url.rstrip("/")
    link = form_link(base, slug, agency_code, lang)
    link_text = LINK_TEXT[lang].format(title=title)
    script_html = (
        f'<div class="surveyapp-form"><a href="{escape(link)}" data-surveyapp-form>'
        f"{escape(link_text)}</a></div>\n"
        f'<script src="{escape(base)}/embed.js" async></script>'
    )
    iframe_html = (
        f'<iframe src="{escape(link)}&amp;embed=1" title="{escape(title)}" '
        f'style="width:100%;height:{IFRAME_HEIGHT}px;border:0" loading="lazy"></iframe>\n'
        f'<p><a href="{escape(link)}" target="_blank" rel="noopener">'
        f"{escape(NEW_PAGE_TEXT[lang])}</a></p>"
    )
    return Snippet(direct_link=link, script_html=script_html, iframe_html=iframe_html)
